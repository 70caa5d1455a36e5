-- Product version counts (worker/db/product-version-counts.ts): each product's version keys cut into
-- intervals at every end of every kept range (pack_product_ranges), and per interval the packs per
-- combination of facet values, written as the bits a version needs (FACET_BITS). The product
-- version filter then reads one row per count instead of every range of the product. Derived data,
-- backfilled here from the kept ranges (migration 0010).
CREATE TABLE `product_version_intervals` (
	`product_id` text NOT NULL,
	`from_key` text NOT NULL,
	PRIMARY KEY(`product_id`, `from_key`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `product_version_counts` (
	`product_id` text NOT NULL,
	`from_key` text NOT NULL,
	`bits` integer NOT NULL,
	`n` integer NOT NULL,
	PRIMARY KEY(`product_id`, `from_key`, `bits`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE INDEX `product_version_counts_emptied` ON `product_version_counts` (`n`) WHERE `n` = 0;
--> statement-breakpoint
-- A product's ranges were read through this index to count a product version; nothing reads them by
-- product any more (each read and batch comes by pack), so it is only written.
DROP INDEX `product_ranges_by_product`;
--> statement-breakpoint
-- The backfill: product-version-counts.ts's cutsOf over every kept range, its bits written in.
INSERT INTO product_version_intervals (product_id, from_key)
WITH r(pack_rowid, product_id, mask, min_key, max_key) AS (SELECT pack_rowid, product_id, mask, min_key, max_key FROM pack_product_ranges) SELECT product_id, '' AS from_key FROM r
    UNION SELECT product_id, min_key FROM r
    UNION SELECT product_id, max_key || char(1) FROM r WHERE max_key <> char(1114111);
--> statement-breakpoint
-- The backfill: product-version-counts.ts's differenceRows from no ranges to every kept range, its bits written in.
INSERT INTO product_version_counts (product_id, from_key, bits, n)
WITH r(pack_rowid, product_id, mask, min_key, max_key) AS (SELECT pack_rowid, product_id, mask, min_key, max_key FROM pack_product_ranges),
    sides AS (
      SELECT -1 AS side, x.pack_rowid, x.product_id, x.mask, x.min_key, x.max_key FROM pack_product_ranges x WHERE 0
      UNION ALL SELECT 1, pack_rowid, product_id, mask, min_key, max_key FROM r
    ),
    per_pack AS (
      SELECT product_id, from_key, group_concat(CASE WHEN side < 0 THEN mask END) AS old_masks,
        group_concat(CASE WHEN side > 0 THEN mask END) AS new_masks
      FROM (SELECT DISTINCT d.product_id, b.from_key, d.pack_rowid, d.side, d.mask
        FROM sides d JOIN product_version_intervals b ON b.product_id = d.product_id AND b.from_key BETWEEN d.min_key AND d.max_key
        ORDER BY 1, 2, 3, 4, 5)
      GROUP BY product_id, from_key, pack_rowid
    ),
    changed(product_id, from_key, masks, sign) AS (
      SELECT product_id, from_key, old_masks, -1 FROM per_pack WHERE old_masks IS NOT new_masks AND old_masks IS NOT NULL
      UNION ALL
      SELECT product_id, from_key, new_masks, 1 FROM per_pack WHERE old_masks IS NOT new_masks AND new_masks IS NOT NULL
    ),
    sets AS MATERIALIZED (
      SELECT row_number() OVER () AS id, product_id, from_key, masks, sum(sign) AS n FROM changed
      GROUP BY 2, 3, 4 HAVING sum(sign) <> 0
    ),
    set_bits AS (
      SELECT DISTINCT grp.id, u.value + c.value + l.value + a.value + f.value AS bits
      FROM sets grp CROSS JOIN json_each('[' || grp.masks || ']') m
        CROSS JOIN json_each('[0,1,2,4]') u ON u.value = 0 OR m.value & u.value
        CROSS JOIN json_each('[0,8,16,32,64,128,256,512]') c ON c.value = 0 OR m.value & c.value
        CROSS JOIN json_each('[0,1024,2048,4096,8192,16384]') l ON l.value = 0 OR m.value & l.value
        CROSS JOIN json_each('[0,32768,65536]') a ON a.value = 0 OR m.value & a.value
        CROSS JOIN json_each('[0,131072,262144]') f ON f.value = 0 OR m.value & f.value
    )
    SELECT grp.product_id, grp.from_key, b.bits, sum(grp.n) FROM set_bits b JOIN sets grp ON grp.id = b.id
    GROUP BY 1, 2, 3 HAVING sum(grp.n) <> 0 on conflict ("product_version_counts"."product_id", "product_version_counts"."from_key", "product_version_counts"."bits") do update set "n" = "product_version_counts"."n" + excluded.n;
