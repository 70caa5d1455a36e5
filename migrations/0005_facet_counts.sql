-- Pack counts per filter combination (worker/db/facets.ts): '' stands for "any value". Publishing and
-- yanking keep them in step inside their own batches; this fills them for a catalog published before.
CREATE TABLE `pack_facet_counts` (
	`product` text NOT NULL,
	`use_case` text NOT NULL,
	`cloud` text NOT NULL,
	`layer` text NOT NULL,
	`arch` text NOT NULL,
	`fips` text NOT NULL,
	`n` integer NOT NULL,
	PRIMARY KEY(`product`, `use_case`, `cloud`, `layer`, `arch`, `fips`)
) WITHOUT ROWID;
--> statement-breakpoint
-- The backfill: facets.ts's rebuildFacetCountStatements, every version counted, none before.
WITH vs AS (
  SELECT pv.id, pv.pack_name, p.layer, pv.fips, (pv.yanked = 0) AS now_in, 0 AS was_in
  FROM pack_versions pv JOIN packs p ON p.name = pv.pack_name
),
v_product(id, value) AS (
  SELECT id, '' FROM vs
  UNION ALL SELECT x.pack_version_id, x.product_id FROM vs JOIN pack_version_products x ON x.pack_version_id = vs.id
),
v_use_case(id, value) AS (
  SELECT id, '' FROM vs
  UNION ALL SELECT u.pack_version_id, u.use_case FROM vs JOIN pack_version_use_cases u ON u.pack_version_id = vs.id
),
v_cloud(id, value) AS (
  SELECT id, '' FROM vs
  UNION ALL SELECT DISTINCT c.pack_version_id, k.value FROM vs
    JOIN pack_version_clouds c ON c.pack_version_id = vs.id
    JOIN json_each('["aws","azure","gcp","vsphere","openstack","maas","edge-native"]') k ON c.cloud = k.value OR c.cloud = 'all'
),
v_arch(id, value) AS (
  SELECT id, '' FROM vs
  UNION ALL SELECT a.pack_version_id, a.arch FROM vs JOIN pack_version_arches a ON a.pack_version_id = vs.id
),
per_pack AS (
  SELECT vs.pack_name, x.value AS product, u.value AS use_case, c.value AS cloud,
    CASE l.value WHEN 0 THEN '' ELSE vs.layer END AS layer, a.value AS arch,
    CASE f.value WHEN 0 THEN '' ELSE CAST(vs.fips AS TEXT) END AS fips,
    max(vs.now_in) AS now_in, max(vs.was_in) AS was_in
  FROM vs
    JOIN v_product x ON x.id = vs.id
    JOIN v_use_case u ON u.id = vs.id
    JOIN v_cloud c ON c.id = vs.id
    JOIN v_arch a ON a.id = vs.id
    JOIN json_each('[0,1]') l
    JOIN json_each('[0,1]') f
  WHERE vs.now_in OR vs.was_in
  GROUP BY 1, 2, 3, 4, 5, 6, 7
)
INSERT INTO pack_facet_counts (product, use_case, cloud, layer, arch, fips, n)
SELECT product, use_case, cloud, layer, arch, fips, sum(now_in) - sum(was_in) FROM per_pack
WHERE true GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(now_in) <> sum(was_in);
