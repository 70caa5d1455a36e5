-- A compatibility page (the API's and each wizard step's) assesses every version of its stretch:
-- its architectures, clouds, use cases, product ranges and dependencies, from five child lists, ten
-- or so D1 rows a version (2,140 of the 3,026 rows the add-on step read at 10,000 versions). Kept in
-- one value of the version's own row, they are read with it. The publish batch writes the value
-- after the version's child rows, from them, with the same text (layer-candidates.ts
-- assessedFromChildLists); so do the admin recount and this backfill. A version without it (written
-- by a worker older than this migration) is still read from its lists.
ALTER TABLE `pack_versions` ADD `assessed` text;
--> statement-breakpoint
UPDATE `pack_versions` SET `assessed` = json_array(
      (SELECT group_concat(arch) FROM pack_version_arches WHERE pack_version_id = pack_versions.id),
      (SELECT group_concat(cloud) FROM pack_version_clouds WHERE pack_version_id = pack_versions.id),
      (SELECT group_concat(use_case) FROM pack_version_use_cases WHERE pack_version_id = pack_versions.id),
      json((SELECT json_group_array(json_array(product_id, min_version, max_version)) FROM pack_version_products WHERE pack_version_id = pack_versions.id)),
      json((SELECT json_group_array(json_array(pack_name, layer, type, min_version, max_version)) FROM pack_dependencies WHERE pack_version_id = pack_versions.id)));
