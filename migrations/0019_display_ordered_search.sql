-- A search's page stays flat in the catalog's size (measured with npm run bench): full-text matches
-- come in rowid order, so a second full-text index whose rowids follow display order hands a page
-- its first matches in the order it lists them, and stops at the page's end. The walk it replaces
-- passed every pack before the page's last match (1,040 packs for "monitoring" at 100,000 versions,
-- whose display names cluster), and sorting instead read every match.
--
-- display_rank: a pack's place in display order as an integer, with gaps (2^32 apart at first), so a
-- new or renamed pack takes a rank between its neighbours' and no other pack moves: a step of 2^20
-- after the one before it, or the middle of a gap narrower than two steps. A release's new packs come
-- in display order (publish-batch.ts), so a family landing between the same two packs takes 4,096
-- steps before any gap is halved; packs landing one before the other halve it, 20 more at least.
-- Only when a gap runs out are all packs spaced out again, past every rank in use (above the highest
-- while there is room below 2^62, else below the lowest), so no new rank meets an old one on the way
-- and no rank overflows. The triggers below are the only writers.
-- pack_search (0001) followed every update of a packs row. The rank's own update comes from the
-- insert trigger below, which may run before pack_search has the new row: asking it then to delete
-- what it never held corrupts it. It now follows the columns it indexes only (first, so ranking the
-- packs below does not re-index every one of them).
DROP TRIGGER `packs_search_update`;
--> statement-breakpoint
CREATE TRIGGER `packs_search_update` AFTER UPDATE OF `name`, `display_name`, `description`, `addon_type` ON `packs` BEGIN
  INSERT INTO pack_search(pack_search, rowid, name, display_name, description, addon_type)
  VALUES ('delete', old.rowid, old.name, old.display_name, old.description, coalesce(old.addon_type, ''));
  INSERT INTO pack_search(rowid, name, display_name, description, addon_type)
  VALUES (new.rowid, new.name, new.display_name, new.description, coalesce(new.addon_type, ''));
END;
--> statement-breakpoint
ALTER TABLE `packs` ADD `display_rank` integer;
--> statement-breakpoint
UPDATE `packs` SET `display_rank` = ranked.n * 4294967296
  FROM (SELECT rowid AS id, row_number() OVER (ORDER BY `display_sort_key`) AS n FROM `packs`) AS ranked
  WHERE `packs`.rowid = ranked.id;
--> statement-breakpoint
CREATE UNIQUE INDEX `packs_by_display_rank` ON `packs` (`display_rank`);
--> statement-breakpoint
-- Its own copy of the text (not external content), so an entry is removed by rowid alone, whatever
-- order the triggers run in.
CREATE VIRTUAL TABLE `pack_search_ordered` USING fts5(name, display_name, description, addon_type, prefix='2 3');
--> statement-breakpoint
INSERT INTO `pack_search_ordered` (rowid, name, display_name, description, addon_type)
  SELECT `display_rank`, `name`, `display_name`, `description`, coalesce(`addon_type`, '') FROM `packs`;
--> statement-breakpoint
-- A pack's rank, whenever its key changes (a renamed display name) or it has none (a new pack): between
-- the packs either side of it in display order (a whole gap after the last or before the first), or
-- NULL when no integer is left between them.
CREATE TRIGGER `packs_display_rank_place` AFTER UPDATE OF `display_sort_key` ON `packs`
  WHEN new.`display_sort_key` IS NOT old.`display_sort_key` OR new.`display_rank` IS NULL BEGIN
  UPDATE `packs` SET `display_rank` = (SELECT CASE
      WHEN prev IS NULL AND next IS NULL THEN 0
      WHEN next IS NULL THEN prev + 4294967296
      WHEN prev IS NULL THEN next - 4294967296
      WHEN next - prev > 1 THEN prev + min((next - prev) / 2, 1048576)
    END FROM (SELECT
      (SELECT `display_rank` FROM `packs` WHERE `display_sort_key` < new.`display_sort_key` ORDER BY `display_sort_key` DESC LIMIT 1) AS prev,
      (SELECT `display_rank` FROM `packs` WHERE `display_sort_key` > new.`display_sort_key` ORDER BY `display_sort_key` LIMIT 1) AS next))
    WHERE rowid = new.rowid;
END;
--> statement-breakpoint
-- A new pack is placed by the trigger above, which its key's (unchanged) rewrite sets off.
CREATE TRIGGER `packs_display_rank_insert` AFTER INSERT ON `packs` BEGIN
  UPDATE `packs` SET `display_sort_key` = `display_sort_key` WHERE rowid = new.rowid;
END;
--> statement-breakpoint
-- A gap ran out: every pack spaced out again, above the highest rank in use while that stays below
-- 2^62 (about 2^62 / (packs × 2^32) times: 8,000 at 100,000 packs), then below the lowest.
CREATE TRIGGER `packs_display_rank_respace` AFTER UPDATE OF `display_rank` ON `packs`
  WHEN new.`display_rank` IS NULL BEGIN
  UPDATE `packs` SET `display_rank` = ranked.r
    FROM (SELECT `packs`.rowid AS id, CASE
        WHEN span.high < 4611686018427387904 - (span.n + 1) * 4294967296
          THEN span.high + row_number() OVER w * 4294967296
        ELSE span.low - (span.n + 1 - row_number() OVER w) * 4294967296
      END AS r
      FROM `packs`, (SELECT coalesce(max(`display_rank`), 0) AS high, coalesce(min(`display_rank`), 0) AS low, count(*) AS n FROM `packs`) AS span
      WINDOW w AS (ORDER BY `display_sort_key`)) AS ranked
    WHERE `packs`.rowid = ranked.id;
END;
--> statement-breakpoint
-- The ordered index follows each pack's rank and text. The entry at the row's current rank is
-- removed too: a nested update may have written it before this trigger runs.
CREATE TRIGGER `packs_search_ordered_update` AFTER UPDATE OF `display_rank`, `name`, `display_name`, `description`, `addon_type` ON `packs` BEGIN
  DELETE FROM `pack_search_ordered` WHERE rowid IN (old.`display_rank`, (SELECT `display_rank` FROM `packs` WHERE rowid = new.rowid));
  INSERT INTO `pack_search_ordered` (rowid, name, display_name, description, addon_type)
    SELECT `display_rank`, `name`, `display_name`, `description`, coalesce(`addon_type`, '') FROM `packs`
    WHERE rowid = new.rowid AND `display_rank` IS NOT NULL;
END;
--> statement-breakpoint
CREATE TRIGGER `packs_search_ordered_delete` AFTER DELETE ON `packs` BEGIN
  DELETE FROM `pack_search_ordered` WHERE rowid = old.`display_rank`;
END;
