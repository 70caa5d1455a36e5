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
--> statement-breakpoint
-- Image repositories as container tools name them in full (worker/domain/image-names.ts, which the
-- publish now applies): no registry host means docker.io, index.docker.io and registry-1.docker.io are
-- docker.io, and a Docker Hub name without a namespace is under library/. `reference` stays as signed.
UPDATE `pack_version_images` SET `repository` = CASE
  WHEN instr(`repository`, '/') = 0 THEN 'docker.io/library/' || `repository`
  WHEN substr(`repository`, 1, instr(`repository`, '/') - 1) IN ('docker.io', 'index.docker.io', 'registry-1.docker.io') THEN
    CASE WHEN instr(substr(`repository`, instr(`repository`, '/') + 1), '/') = 0
      THEN 'docker.io/library/' || substr(`repository`, instr(`repository`, '/') + 1)
      ELSE 'docker.io/' || substr(`repository`, instr(`repository`, '/') + 1) END
  WHEN instr(substr(`repository`, 1, instr(`repository`, '/') - 1), '.') > 0
    OR instr(substr(`repository`, 1, instr(`repository`, '/') - 1), ':') > 0
    OR substr(`repository`, 1, instr(`repository`, '/') - 1) = 'localhost' THEN `repository`
  ELSE 'docker.io/' || `repository` END;
