-- Lists sort by what people read (worker/domain/display-sort.ts): each pack keeps its display name
-- folded for ordering, then its name, and every listing (browse, the wizard's layers, add-on only)
-- walks these indexes in that order.
ALTER TABLE `packs` ADD `display_sort_key` text DEFAULT '' NOT NULL;
--> statement-breakpoint
-- SQLite's lower() folds ASCII only: exact for ASCII display names, and unique either way (the name
-- ends the key). POST /api/v1/admin/catalog/recount rewrites every key with the worker's folding
-- (accents and non-ASCII case); run it once after this migration (docs/operations.md).
UPDATE `packs` SET `display_sort_key` = lower(trim(`display_name`)) || char(1) || `name`;
--> statement-breakpoint
CREATE UNIQUE INDEX `packs_by_display` ON `packs` (`display_sort_key`);
--> statement-breakpoint
CREATE INDEX `packs_by_layer_display` ON `packs` (`layer`, `display_sort_key`);
--> statement-breakpoint
-- A worker older than this migration (a rollback) inserts packs without a key: give them the ASCII
-- key at once, so the unique index never sees two empty keys and the pack still lists.
CREATE TRIGGER `packs_display_sort_key_default` AFTER INSERT ON `packs` WHEN new.`display_sort_key` = '' BEGIN
  UPDATE `packs` SET `display_sort_key` = lower(trim(new.`display_name`)) || char(1) || new.`name` WHERE `name` = new.`name`;
END;
