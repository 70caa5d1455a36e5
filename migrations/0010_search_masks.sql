-- Search counts by bits (worker/db/facets.ts): each pack's distinct facet profiles become a bit mask
-- (FACET_BITS) and a product list, keyed by the pack's rowid, the id its full-text match holds. A
-- search then joins its matches to their profiles without reading `packs`, and tests bits instead of
-- text lists. Each pack's summary (the union of its profiles) answers a search with no other filter
-- in one row a match, and its product ranges a product version filter without reading versions.
-- All three tables are derived data, rebuilt here from the versions.
DROP TABLE `pack_facet_profiles`;
--> statement-breakpoint
CREATE TABLE `pack_facet_profiles` (
	`pack_rowid` integer NOT NULL,
	`mask` integer NOT NULL,
	`products` text NOT NULL,
	PRIMARY KEY(`pack_rowid`, `mask`, `products`)
) WITHOUT ROWID;
--> statement-breakpoint
-- The backfill: facets.ts's profileRows over every version, its bits written in.
INSERT INTO pack_facet_profiles (pack_rowid, mask, products)
SELECT DISTINCT p.rowid, (coalesce((SELECT sum('{"controller":1,"agent":2,"addon":4}' ->> use_case) FROM pack_version_use_cases WHERE pack_version_id = pv.id), 0)
      + (SELECT CASE WHEN max(cloud = 'all') THEN 1016 ELSE coalesce(sum('{"aws":8,"azure":16,"gcp":32,"vsphere":64,"openstack":128,"maas":256,"edge-native":512}' ->> cloud), 0) END
         FROM pack_version_clouds WHERE pack_version_id = pv.id)
      + ('{"os":1024,"k8s":2048,"cni":4096,"csi":8192,"addon":16384}' ->> p.layer)
      + coalesce((SELECT sum('{"amd64":32768,"arm64":65536}' ->> arch) FROM pack_version_arches WHERE pack_version_id = pv.id), 0)
      + CASE pv.fips WHEN 1 THEN 131072 ELSE 262144 END), (SELECT json_group_array(product_id) FROM (SELECT product_id FROM pack_version_products WHERE pack_version_id = pv.id ORDER BY product_id))
    FROM pack_versions pv JOIN packs p ON p.name = pv.pack_name
    WHERE pv.yanked = 0;
--> statement-breakpoint
CREATE TABLE `pack_facet_summaries` (
	`pack_rowid` integer PRIMARY KEY NOT NULL,
	`mask` integer NOT NULL,
	`products` text NOT NULL
);
--> statement-breakpoint
-- The backfill: facets.ts's summaryRows over every profile.
INSERT INTO pack_facet_summaries (pack_rowid, mask, products)
SELECT s.pack_rowid, max(s.mask & 1) | max(s.mask & 2) | max(s.mask & 4) | max(s.mask & 8) | max(s.mask & 16) | max(s.mask & 32) | max(s.mask & 64) | max(s.mask & 128) | max(s.mask & 256) | max(s.mask & 512) | max(s.mask & 1024) | max(s.mask & 2048) | max(s.mask & 4096) | max(s.mask & 8192) | max(s.mask & 16384) | max(s.mask & 32768) | max(s.mask & 65536) | max(s.mask & 131072) | max(s.mask & 262144),
      (SELECT json_group_array(value) FROM (SELECT DISTINCT j.value FROM pack_facet_profiles t, json_each(t.products) j
        WHERE t.pack_rowid = s.pack_rowid ORDER BY 1))
    FROM pack_facet_profiles s GROUP BY s.pack_rowid;
--> statement-breakpoint
CREATE TABLE `pack_product_ranges` (
	`pack_rowid` integer NOT NULL,
	`product_id` text NOT NULL,
	`mask` integer NOT NULL,
	`min_key` text NOT NULL,
	`max_key` text NOT NULL,
	PRIMARY KEY(`pack_rowid`, `product_id`, `mask`, `min_key`, `max_key`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE INDEX `product_ranges_by_product` ON `pack_product_ranges` (`product_id`,`pack_rowid`,`mask`,`min_key`,`max_key`);
--> statement-breakpoint
-- The backfill: facets.ts's rangeRows over every version, its bits written in.
INSERT INTO pack_product_ranges (pack_rowid, product_id, mask, min_key, max_key)
SELECT DISTINCT p.rowid, x.product_id, (coalesce((SELECT sum('{"controller":1,"agent":2,"addon":4}' ->> use_case) FROM pack_version_use_cases WHERE pack_version_id = pv.id), 0)
      + (SELECT CASE WHEN max(cloud = 'all') THEN 1016 ELSE coalesce(sum('{"aws":8,"azure":16,"gcp":32,"vsphere":64,"openstack":128,"maas":256,"edge-native":512}' ->> cloud), 0) END
         FROM pack_version_clouds WHERE pack_version_id = pv.id)
      + ('{"os":1024,"k8s":2048,"cni":4096,"csi":8192,"addon":16384}' ->> p.layer)
      + coalesce((SELECT sum('{"amd64":32768,"arm64":65536}' ->> arch) FROM pack_version_arches WHERE pack_version_id = pv.id), 0)
      + CASE pv.fips WHEN 1 THEN 131072 ELSE 262144 END),
      coalesce(x.min_version_key, ''), coalesce(x.max_version_key, char(1114111))
    FROM pack_versions pv JOIN packs p ON p.name = pv.pack_name JOIN pack_version_products x ON x.pack_version_id = pv.id
    WHERE pv.yanked = 0;
