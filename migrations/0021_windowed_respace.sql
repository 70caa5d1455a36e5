-- When a gap between display ranks runs out (0019), only the packs around it are spaced out again,
-- not the whole catalog: 0019's respace rewrote every pack's rank and its ordered index entry, about
-- 4 s of D1 at 40,000 packs and 13 s at 100,000, during which D1 answers nothing else, and a publisher
-- whose packs each land just before the last could set one off every ~21 packs.
--
-- 0019's whole respace also ran its catalog-wide figures again for every pack in D1's SQLite (below):
-- 72 s at 40,000 packs in local D1.
--
-- The window is the 64 packs either side of the pack without a rank (fewer at an end), spread evenly
-- between the ranks of the packs just outside it (past an end, a whole gap of 2^32 a pack). Ranks rise
-- with the keys, so no pack outside the window holds a rank inside it; the window's packs first move
-- above every rank in use, then to their places, so no rank is ever held twice on the way. A window
-- without room for a step of 2^8 a pack, or a window that is the whole catalog (at most 129 packs), is
-- spaced out whole as before. The window's bounds live in display_rank_window for the trigger's few statements (a trigger
-- cannot use WITH), one row at most, deleted at its end.
CREATE TABLE `display_rank_window` (
  `id` integer PRIMARY KEY CHECK (`id` = 1),
  `first_key` text NOT NULL,
  `last_key` text NOT NULL,
  `low` integer NOT NULL,
  `high` integer NOT NULL,
  `n` integer NOT NULL
);
--> statement-breakpoint
DROP TRIGGER `packs_display_rank_respace`;
--> statement-breakpoint
CREATE TRIGGER `packs_display_rank_respace` AFTER UPDATE OF `display_rank` ON `packs`
  WHEN new.`display_rank` IS NULL BEGIN
  INSERT INTO `display_rank_window` (`id`, `first_key`, `last_key`, `low`, `high`, `n`)
    SELECT 1, `first_key`, `last_key`, coalesce(below, above - (n + 1) * 4294967296),
      coalesce(above, below + (n + 1) * 4294967296), n
    FROM (SELECT `first_key`, `last_key`,
        (SELECT `display_rank` FROM `packs` WHERE `display_sort_key` < `first_key` ORDER BY `display_sort_key` DESC LIMIT 1) AS below,
        (SELECT `display_rank` FROM `packs` WHERE `display_sort_key` > `last_key` ORDER BY `display_sort_key` LIMIT 1) AS above,
        (SELECT count(*) FROM `packs` WHERE `display_sort_key` BETWEEN `first_key` AND `last_key`) AS n
      FROM (SELECT
        coalesce((SELECT `display_sort_key` FROM `packs` WHERE `display_sort_key` < new.`display_sort_key` ORDER BY `display_sort_key` DESC LIMIT 1 OFFSET 63),
          (SELECT min(`display_sort_key`) FROM `packs`)) AS `first_key`,
        coalesce((SELECT `display_sort_key` FROM `packs` WHERE `display_sort_key` > new.`display_sort_key` ORDER BY `display_sort_key` LIMIT 1 OFFSET 63),
          (SELECT max(`display_sort_key`) FROM `packs`)) AS `last_key`))
    WHERE below IS NOT NULL OR above IS NOT NULL;
  -- Too tight for a step a pack (or past what an integer holds): the whole catalog instead.
  DELETE FROM `display_rank_window`
    WHERE typeof(`high` - `low`) <> 'integer' OR (`high` - `low`) / (`n` + 1) < 256;
  -- Each statement reads the window's packs by key, and no other pack (as an UPDATE ... FROM, SQLite
  -- would scan every pack to find them). Out of the way first: past the highest rank and the window's
  -- top (above the highest when the window reaches past the last pack), distinct by rowid.
  UPDATE `packs` SET `display_rank` = max((SELECT max(`display_rank`) FROM `packs`), (SELECT `high` FROM `display_rank_window`)) + rowid
    WHERE `display_sort_key` BETWEEN (SELECT `first_key` FROM `display_rank_window`) AND (SELECT `last_key` FROM `display_rank_window`);
  -- Then each to its place: the i-th of the window, i steps above the rank below it.
  UPDATE `packs` SET `display_rank` = (SELECT `low` FROM `display_rank_window`)
      + (SELECT count(*) FROM `packs` q WHERE q.`display_sort_key` BETWEEN (SELECT `first_key` FROM `display_rank_window`) AND `packs`.`display_sort_key`)
      * (SELECT (`high` - `low`) / (`n` + 1) FROM `display_rank_window`)
    WHERE `display_sort_key` BETWEEN (SELECT `first_key` FROM `display_rank_window`) AND (SELECT `last_key` FROM `display_rank_window`);
  -- No window: every pack spaced out again, above the highest rank in use while that stays below 2^62,
  -- then below the lowest (0019's respace). The highest, lowest and count are scalar subqueries, which
  -- SQLite computes once: 0019 joined them as a subquery, which D1's SQLite runs again for every pack
  -- (72 s at 40,000 packs in local D1, 0.1 s in the sqlite3 shell, whose planner keeps it).
  UPDATE `packs` SET `display_rank` = ranked.r
    FROM (SELECT `packs`.rowid AS id, CASE
        WHEN (SELECT coalesce(max(`display_rank`), 0) FROM `packs`) < 4611686018427387904 - ((SELECT count(*) FROM `packs`) + 1) * 4294967296
          THEN (SELECT coalesce(max(`display_rank`), 0) FROM `packs`) + row_number() OVER w * 4294967296
        ELSE (SELECT coalesce(min(`display_rank`), 0) FROM `packs`) - ((SELECT count(*) FROM `packs`) + 1 - row_number() OVER w) * 4294967296
      END AS r
      -- With a window, a range past the last key: no pack is visited (a plain NOT EXISTS visits each one).
      FROM `packs` WHERE `display_sort_key` >= CASE WHEN EXISTS (SELECT 1 FROM `display_rank_window`)
        THEN (SELECT max(`display_sort_key`) FROM `packs`) || char(1) ELSE '' END
      WINDOW w AS (ORDER BY `display_sort_key`)) AS ranked
    WHERE `packs`.rowid = ranked.id;
  DELETE FROM `display_rank_window`;
END;
--> statement-breakpoint
-- The ordered index's update, as 0019's, but it removes the entry at the row's old rank only while
-- that entry is still the row's: a respace set off by the same update may already have given that rank
-- to another pack and written its entry there (whichever of the two triggers SQLite runs first).
DROP TRIGGER `packs_search_ordered_update`;
--> statement-breakpoint
CREATE TRIGGER `packs_search_ordered_update` AFTER UPDATE OF `display_rank`, `name`, `display_name`, `description`, `addon_type` ON `packs` BEGIN
  DELETE FROM `pack_search_ordered` WHERE rowid = old.`display_rank` AND `name` = old.`name`;
  DELETE FROM `pack_search_ordered` WHERE rowid = (SELECT `display_rank` FROM `packs` WHERE rowid = new.rowid);
  INSERT INTO `pack_search_ordered` (rowid, name, display_name, description, addon_type)
    SELECT `display_rank`, `name`, `display_name`, `description`, coalesce(`addon_type`, '') FROM `packs`
    WHERE rowid = new.rowid AND `display_rank` IS NOT NULL;
END;
