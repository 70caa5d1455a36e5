-- Each pack's distinct facet profiles (worker/db/facets.ts): what counting a search reads, one row or
-- two per matching pack instead of every matching version and its child lists. Publishing and
-- yanking keep them in step inside their own batches; this fills them for a catalog published before.
CREATE TABLE `pack_facet_profiles` (
	`pack_name` text NOT NULL,
	`layer` text NOT NULL,
	`fips` integer NOT NULL,
	`products` text NOT NULL,
	`use_cases` text NOT NULL,
	`clouds` text NOT NULL,
	`arches` text NOT NULL,
	PRIMARY KEY(`pack_name`, `layer`, `fips`, `products`, `use_cases`, `clouds`, `arches`)
) WITHOUT ROWID;
--> statement-breakpoint
-- The backfill: facets.ts's profileRows over every version.
INSERT INTO pack_facet_profiles (pack_name, layer, fips, products, use_cases, clouds, arches)
SELECT DISTINCT pv.pack_name, p.layer, pv.fips,
  ',' || coalesce((SELECT group_concat(product_id, ',' ORDER BY product_id) FROM pack_version_products WHERE pack_version_id = pv.id), '') || ',',
  ',' || coalesce((SELECT group_concat(use_case, ',' ORDER BY use_case) FROM pack_version_use_cases WHERE pack_version_id = pv.id), '') || ',',
  ',' || coalesce((SELECT group_concat(cloud, ',' ORDER BY cloud) FROM pack_version_clouds WHERE pack_version_id = pv.id), '') || ',',
  ',' || coalesce((SELECT group_concat(arch, ',' ORDER BY arch) FROM pack_version_arches WHERE pack_version_id = pv.id), '') || ','
FROM pack_versions pv JOIN packs p ON p.name = pv.pack_name
WHERE pv.yanked = 0;
--> statement-breakpoint
-- A key incident finds the releases its leaked key signed, and the versions and installers they brought in.
CREATE INDEX `releases_by_key` ON `releases` (`key_id`);
--> statement-breakpoint
CREATE INDEX `pack_versions_by_release` ON `pack_versions` (`release_id`);
--> statement-breakpoint
CREATE INDEX `release_artifacts_by_release` ON `release_artifacts` (`release_id`);
