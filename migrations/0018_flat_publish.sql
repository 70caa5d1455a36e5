-- A publish's reads stay flat in the catalog's size (measured with npm run bench:journeys, whose meter
-- names each journey's heaviest statements): at 9,979 versions a 200-file publish read 191,223 rows,
-- almost all of them from two statements that scanned pack_versions whole.
--
-- The plan asks which published artifacts already use a release's file or signature names
-- (file_name IN (…) OR signature_file_name IN (…)): with both columns indexed SQLite answers each
-- side from its index (a multi-index OR) instead of scanning the table once per 49 names.
CREATE INDEX `pack_versions_by_signature_file_name` ON `pack_versions` (`signature_file_name`);
--> statement-breakpoint
CREATE INDEX `release_artifacts_by_signature_file_name` ON `release_artifacts` (`signature_file_name`);
--> statement-breakpoint
-- Every publish and yank stamps the rows it yanked (yanked = 1 AND yanked_generation IS NULL). Read
-- through the yanked_generation index, IS NULL is every version never yanked, that is the catalog.
-- The rows still to stamp get their own partial index (at most a batch's yanks at any time), and the
-- yanked_generation index keeps only stamped rows, the ones "yanked after g" reads, so the planner
-- cannot take it for the stamp.
DROP INDEX `pack_versions_by_yanked_generation`;
--> statement-breakpoint
CREATE INDEX `pack_versions_by_yanked_generation` ON `pack_versions` (`yanked_generation`) WHERE `yanked_generation` IS NOT NULL;
--> statement-breakpoint
CREATE INDEX `pack_versions_unstamped_yanks` ON `pack_versions` (`id`) WHERE `yanked` = 1 AND `yanked_generation` IS NULL;
--> statement-breakpoint
DROP INDEX `release_artifacts_by_yanked_generation`;
--> statement-breakpoint
CREATE INDEX `release_artifacts_by_yanked_generation` ON `release_artifacts` (`yanked_generation`) WHERE `yanked_generation` IS NOT NULL;
--> statement-breakpoint
CREATE INDEX `release_artifacts_unstamped_yanks` ON `release_artifacts` (`file_name`) WHERE `yanked` = 1 AND `yanked_generation` IS NULL;
