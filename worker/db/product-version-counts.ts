// Pack counts per product version, kept with the catalog like pack_facet_counts (see facets.ts), so
// that the product version filter reads a few dozen rows whatever the catalog's size. A product's
// version keys are cut into intervals at every end of every kept range for it (a range's min, and
// the key just past its max). Within one interval each range holds every key or none, so one
// interval's counts answer any version in it, published or not. Per interval, the counts are kept
// per combination of facet values written as the bits a version needs (at most one a facet: the
// same bits a filter asks for), so a page's total and each facet value are one row each.
//
// A batch keeps them from the kept ranges (pack_product_ranges) of the packs it touches, whatever
// the change: it subtracts what those packs count before their ranges are rebuilt, cuts intervals at
// the rebuilt ranges' new ends (a new interval starts with the counts of the one it is cut from,
// since no other pack's range ends inside that), adds what the packs count after, and drops emptied
// rows. Intervals are never merged back: a yank leaves two intervals with equal counts.
import { type SQL, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "./client";
import { productVersionCounts, productVersionIntervals } from "./schema";
import { FACET_BITS, OPEN_MAX } from "./facet-bits";

type Statement = BatchItem<"sqlite">;

/** The first key past a range's max: no version key (letters, digits, '.', '-', '~') lies between a key and itself followed by char(1). */
const pastMax = (maxKey: SQL) => sql`${maxKey} || char(1)`;

/** Where the kept ranges on `x` that `scope` selects cut their products' keys, '' included (in product_version_intervals' column order). */
function cutsOf(scope: SQL): SQL {
  return sql`SELECT x.product_id AS product_id, '' AS from_key FROM pack_product_ranges x WHERE ${scope}
    UNION SELECT x.product_id, x.min_key FROM pack_product_ranges x WHERE ${scope}
    UNION SELECT x.product_id, ${pastMax(sql`x.max_key`)} FROM pack_product_ranges x WHERE ${scope} AND x.max_key <> ${OPEN_MAX}`;
}

/** Each facet's bits with 0 for "any value", as JSON: what a version's mask is split into. */
const choices = (bits: Record<string, number>) => JSON.stringify([0, ...Object.values(bits)]);

/**
 * The counts (in product_version_counts' column order, each times `sign`) of the packs whose kept
 * ranges on `x` `scope` selects, over the intervals as they stand. A pack counts once per
 * combination however many of its versions have it, so packs are first grouped by the set of masks
 * they have in an interval, and each set is split into its combinations once: far fewer sets than
 * packs (about 3,500 an interval for 40,000 packs in the 100,000-version benchmark catalog).
 */
export function intervalCountRows(scope: SQL, sign: 1 | -1): SQL {
  // CROSS JOIN keeps this order: each set's masks, then each facet's choices tested against the mask
  // (left to itself, SQLite crosses the constant lists first and tests their every product).
  const split = (alias: string, bits: Record<string, number>) =>
    sql`CROSS JOIN json_each(${choices(bits)}) ${sql.raw(alias)} ON ${sql.raw(alias)}.value = 0 OR m.value & ${sql.raw(alias)}.value`;
  return sql`WITH per_pack AS (
      SELECT product_id, from_key, group_concat(mask) AS masks FROM (
        SELECT DISTINCT x.product_id, b.from_key, x.pack_rowid, x.mask
        FROM pack_product_ranges x JOIN product_version_intervals b
          ON b.product_id = x.product_id AND b.from_key BETWEEN x.min_key AND x.max_key
        WHERE ${scope} ORDER BY 1, 2, 3, 4)
      GROUP BY product_id, from_key, pack_rowid
    ),
    sets AS MATERIALIZED (
      SELECT row_number() OVER () AS id, product_id, from_key, masks, count(*) AS n FROM per_pack GROUP BY 2, 3, 4
    ),
    set_bits AS (
      SELECT DISTINCT s.id, u.value + c.value + l.value + a.value + f.value AS bits
      FROM sets s CROSS JOIN json_each('[' || s.masks || ']') m
        ${split("u", FACET_BITS.useCase)}
        ${split("c", FACET_BITS.cloud)}
        ${split("l", FACET_BITS.layer)}
        ${split("a", FACET_BITS.arch)}
        ${split("f", FACET_BITS.fips)}
    )
    SELECT s.product_id, s.from_key, b.bits, ${sql.raw(String(sign))} * sum(s.n)
    FROM set_bits b JOIN sets s ON s.id = b.id GROUP BY 1, 2, 3`;
}

const addCounts = (db: Db, rows: SQL) =>
  db
    .insert(productVersionCounts)
    .select(rows)
    .onConflictDoUpdate({
      target: [productVersionCounts.productId, productVersionCounts.fromKey, productVersionCounts.bits],
      set: { n: sql`${productVersionCounts.n} + excluded.n` },
    });

const touching = (touchedRowids: SQL) => sql`x.pack_rowid IN (${touchedRowids})`;

/** Before the touched packs' ranges are rebuilt: take away what they counted. */
export function subtractTouched(db: Db, touchedRowids: SQL): Statement[] {
  return [addCounts(db, intervalCountRows(touching(touchedRowids), -1))];
}

/**
 * After the touched packs' ranges are rebuilt: cut the intervals their new ends fall in (each new
 * interval copies the counts of the interval it was part of), add what they count now, and drop
 * what emptied.
 */
export function addTouched(db: Db, touchedRowids: SQL): Statement[] {
  const cuts = cutsOf(touching(touchedRowids));
  return [
    db.insert(productVersionCounts).select(
      sql`SELECT cut.product_id, cut.from_key, c.bits, c.n FROM (${cuts}) cut
        JOIN product_version_counts c ON c.product_id = cut.product_id AND c.from_key = (
          SELECT max(b.from_key) FROM product_version_intervals b WHERE b.product_id = cut.product_id AND b.from_key < cut.from_key)
        WHERE NOT EXISTS (SELECT 1 FROM product_version_intervals b WHERE b.product_id = cut.product_id AND b.from_key = cut.from_key)`,
    ),
    db.insert(productVersionIntervals).select(cuts).onConflictDoNothing(),
    addCounts(db, intervalCountRows(touching(touchedRowids), 1)),
    db.delete(productVersionCounts).where(sql`${productVersionCounts.n} = 0`),
  ];
}

/** Recounts everything from the kept ranges (run after they are rebuilt). */
export function rebuildProductVersionCounts(db: Db): Statement[] {
  return [
    db.delete(productVersionCounts),
    db.delete(productVersionIntervals),
    db.insert(productVersionIntervals).select(cutsOf(sql`1`)),
    db.insert(productVersionCounts).select(intervalCountRows(sql`1`, 1)),
  ];
}

/** The interval of `product` that holds the version key `key` (NULL when no pack lists the product). */
export const intervalOf = (product: string, key: string) =>
  sql`(SELECT max(from_key) FROM product_version_intervals WHERE product_id = ${product} AND from_key <= ${key})`;
