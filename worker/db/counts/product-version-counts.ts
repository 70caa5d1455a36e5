// Pack counts per product version, kept with the catalog like pack_facet_counts (see facets.ts), so
// that the product version filter reads a few dozen rows whatever the catalog's size. A product's
// version keys are cut into intervals at every end of every kept range for it (a range's min, and
// the key just past its max). Within one interval each range holds every key or none, so one
// interval's counts answer any version in it, published or not. Per interval, the counts are kept
// per combination of facet values written as the bits a version needs (at most one a facet: the
// same bits a filter asks for), so a page's total and each facet value are one row each.
//
// A batch keeps them by difference, like pack_facet_counts, whatever the change: it first cuts the
// intervals at the touched packs' new range ends (a new interval starts with the counts of the one
// it is cut from: no range ended inside that one), then, per touched pack and interval, compares the
// set of masks its kept ranges had with the set its versions have now and, where they differ, takes
// away what the old set counted and adds what the new one counts, then drops emptied rows. A new
// version with the facets and range its pack already has changes no set and costs no count.
// Intervals are never merged back: a yank leaves two intervals with equal counts.
import { type SQL, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "../client";
import { productVersionCounts, productVersionIntervals } from "../schema";
import { combinationsOf, OPEN_MAX } from "./facet-bits";

type Statement = BatchItem<"sqlite">;

/** The first key past a range's max: no version key (letters, digits, '.', '-', '~') lies between a key and itself followed by char(1). */
const pastMax = (maxKey: SQL) => sql`${maxKey} || char(1)`;

/** Names the columns of `ranges`, rows in pack_product_ranges' column order, for the statement that follows. */
const named = (ranges: SQL) => sql`r(pack_rowid, product_id, mask, min_key, max_key) AS (${ranges})`;

/** Where `ranges` (rows in pack_product_ranges' column order) cut their products' keys, '' included (in product_version_intervals' column order). */
function cutsOf(ranges: SQL): SQL {
  return sql`WITH ${named(ranges)} SELECT product_id, '' AS from_key FROM r
    UNION SELECT product_id, min_key FROM r
    UNION SELECT product_id, ${pastMax(sql`max_key`)} FROM r WHERE max_key <> ${OPEN_MAX}`;
}

/**
 * What changes the counts (rows in product_version_counts' column order, to add) when the packs'
 * kept ranges on `x` that `before` selects become `after` (rows in pack_product_ranges' column
 * order), over the intervals as they stand. A pack counts once per combination however many of its
 * versions have it, so the counting goes by the set of masks a pack has in an interval: sets that
 * did not change are skipped, equal sets that come and go cancel, and each remaining set is split
 * into its combinations once (far fewer sets than packs: about 3,500 an interval for the 40,000
 * packs of the 100,000-version benchmark catalog).
 */
export function differenceRows(before: SQL, after: SQL): SQL {
  const combinations = combinationsOf(sql`m.value`);
  // Sorted by mask within a pack and side, equal sets concatenate equally; were they not, the
  // difference would only cost more (both sides counted), not come out wrong.
  return sql`WITH ${named(after)},
    sides AS (
      SELECT -1 AS side, x.pack_rowid, x.product_id, x.mask, x.min_key, x.max_key FROM pack_product_ranges x WHERE ${before}
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
      SELECT DISTINCT grp.id, ${combinations.bits} AS bits
      FROM sets grp CROSS JOIN json_each('[' || grp.masks || ']') m
        ${combinations.joins}
    )
    SELECT grp.product_id, grp.from_key, b.bits, sum(grp.n) FROM set_bits b JOIN sets grp ON grp.id = b.id
    GROUP BY 1, 2, 3 HAVING sum(grp.n) <> 0`;
}

/** Adds `rows` (differenceRows' or a copy's) to the kept counts. */
export const addCounts = (db: Db, rows: SQL) =>
  db
    .insert(productVersionCounts)
    .select(rows)
    .onConflictDoUpdate({
      target: [productVersionCounts.productId, productVersionCounts.fromKey, productVersionCounts.bits],
      set: { n: sql`${productVersionCounts.n} + excluded.n` },
    });

/**
 * Before the touched packs' kept ranges are rebuilt: cut the intervals their new ranges (`after`,
 * rows in pack_product_ranges' column order) end in, each new interval with a copy of the counts of
 * the interval it was part of, then apply the difference from their kept ranges to `after`.
 */
export function productVersionCountStatements(db: Db, touchedRowids: SQL, after: SQL): Statement[] {
  const cuts = cutsOf(after);
  return [
    db.insert(productVersionCounts).select(
      sql`SELECT cut.product_id, cut.from_key, c.bits, c.n FROM (${cuts}) cut
        CROSS JOIN product_version_counts c ON c.product_id = cut.product_id AND c.from_key = (
          SELECT max(b.from_key) FROM product_version_intervals b WHERE b.product_id = cut.product_id AND b.from_key < cut.from_key)
        WHERE NOT EXISTS (SELECT 1 FROM product_version_intervals b WHERE b.product_id = cut.product_id AND b.from_key = cut.from_key)`,
    ),
    db.insert(productVersionIntervals).select(cuts).onConflictDoNothing(),
    addCounts(db, differenceRows(sql`x.pack_rowid IN (${touchedRowids})`, after)),
    db.delete(productVersionCounts).where(sql`${productVersionCounts.n} = 0`),
  ];
}

/** Recounts everything from `ranges`, every pack's ranges (rows in pack_product_ranges' column order). */
export function rebuildProductVersionCounts(db: Db, ranges: SQL): Statement[] {
  return [
    db.delete(productVersionCounts),
    db.delete(productVersionIntervals),
    db.insert(productVersionIntervals).select(cutsOf(ranges)),
    addCounts(db, differenceRows(sql`0`, ranges)),
  ];
}

/** The interval of `product` that holds the version key `key` (NULL when no pack ever listed the product). */
export const intervalOf = (product: string, key: string) =>
  sql`(SELECT max(from_key) FROM product_version_intervals WHERE product_id = ${product} AND from_key <= ${key})`;
