-- Product version counts (worker/db/product-version-counts.ts): each product's version keys cut into
-- intervals at every end of every kept range (pack_product_ranges), and per interval the packs per
-- combination of facet values, written as the bits a version needs (FACET_BITS). The product
-- version filter then reads one row per count instead of every range of the product. Derived data,
-- backfilled here from the kept ranges.
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
-- The backfill: product-version-counts.ts's cutsOf over every kept range.
INSERT INTO product_version_intervals (product_id, from_key)
SELECT x.product_id AS product_id, '' AS from_key FROM pack_product_ranges x WHERE 1
    UNION SELECT x.product_id, x.min_key FROM pack_product_ranges x WHERE 1
    UNION SELECT x.product_id, x.max_key || char(1) FROM pack_product_ranges x WHERE 1 AND x.max_key <> char(1114111);
--> statement-breakpoint
-- The backfill: product-version-counts.ts's intervalCountRows over every kept range, its bits written in.
INSERT INTO product_version_counts (product_id, from_key, bits, n)
WITH per_pack AS (
      SELECT product_id, from_key, group_concat(mask) AS masks FROM (
        SELECT DISTINCT x.product_id, b.from_key, x.pack_rowid, x.mask
        FROM pack_product_ranges x JOIN product_version_intervals b
          ON b.product_id = x.product_id AND b.from_key BETWEEN x.min_key AND x.max_key
        WHERE 1 ORDER BY 1, 2, 3, 4)
      GROUP BY product_id, from_key, pack_rowid
    ),
    sets AS MATERIALIZED (
      SELECT row_number() OVER () AS id, product_id, from_key, masks, count(*) AS n FROM per_pack GROUP BY 2, 3, 4
    ),
    set_bits AS (
      SELECT DISTINCT s.id, u.value + c.value + l.value + a.value + f.value AS bits
      FROM sets s CROSS JOIN json_each('[' || s.masks || ']') m
        CROSS JOIN json_each('[0,1,2,4]') u ON u.value = 0 OR m.value & u.value
        CROSS JOIN json_each('[0,8,16,32,64,128,256,512]') c ON c.value = 0 OR m.value & c.value
        CROSS JOIN json_each('[0,1024,2048,4096,8192,16384]') l ON l.value = 0 OR m.value & l.value
        CROSS JOIN json_each('[0,32768,65536]') a ON a.value = 0 OR m.value & a.value
        CROSS JOIN json_each('[0,131072,262144]') f ON f.value = 0 OR m.value & f.value
    )
    SELECT s.product_id, s.from_key, b.bits, 1 * sum(s.n)
    FROM set_bits b JOIN sets s ON s.id = b.id GROUP BY 1, 2, 3;
