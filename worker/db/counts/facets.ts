// Pack counts per filter combination, kept with the catalog so that browsing never counts the whole
// catalog. `pack_facet_counts` holds, for every combination of product, use case, cloud, layer, arch
// and FIPS (each either a value or '' for "any") that some pack matches, how many packs have a
// non-yanked version matching all of it. A page's total is then one row and each facet value one
// more: `/api/v1/packs` reads a few dozen rows whatever the catalog's size.
//
// The counts change only where packs change, so a publish or yank adds its statements to its own
// batch (the same transaction, the same catalog generation), after its own writes: for the packs it
// touches, one applies the difference between the combinations of their kept profiles (below, as
// the catalog was) and those of their versions now, one drops emptied combinations, the product
// version counts do the same from the kept ranges, and the rest rebuild the touched packs' rows.
//
// Search text and product versions cannot use those counts (a search's matches are any set of
// packs; version ranges are not a dimension), so the same batches also keep, per touched pack and
// rebuilt from its non-yanked versions, rows keyed by the pack's rowid (the id its full-text match
// holds), each version's facet values as one bit mask (FACET_BITS):
// - `pack_facet_profiles`: its distinct (mask, products), a row or two a pack;
// - `pack_facet_summaries`: one row, the union of those (what a search with no other filter reads);
// - `pack_product_ranges`: its distinct (product, mask, product version range).
// Counting a search then reads a row or two per matching pack and tests bits, instead of every
// matching version with its four child lists (see searchCountsStatement). A product version without
// search text reads counts kept per product version interval, from the touched packs' ranges (see
// product-version-counts.ts). Packs rows are never deleted or rebuilt, so a pack's rowid is stable
// (the full-text index relies on it too).
import { eq, type SQL, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "../client";
import {
  auditEvents,
  catalogState,
  packFacetCounts,
  packFacetProfiles,
  packFacetSummaries,
  packProductRanges,
} from "../schema";
import { bumpGeneration } from "../change-log";
import { keepAssessedStatement } from "../layer-candidates";
import { query, runBatch } from "../batch";
import type { CatalogFilter } from "../pack-versions";
import { combinationsOf, FACET_BITS, OPEN_MAX, OPEN_MIN } from "./facet-bits";
import { productVersionCountStatements, rebuildProductVersionCounts } from "./product-version-counts";

type Statement = BatchItem<"sqlite">;

/** The value a combination holds for a dimension nobody filters on. */
export const ANY = "";

/** One filter combination, the key of a kept count; every dimension is a value or ANY. fips is "1", "0" or ANY. */
type FacetCombo = {
  product: string;
  useCase: string;
  cloud: string;
  layer: string;
  arch: string;
  fips: string;
};

export const COMBO_DIMENSIONS = ["product", "useCase", "cloud", "layer", "arch", "fips"] as const;

/**
 * What changes pack_facet_counts (rows in its column order, to add) when the kept profiles on `s`
 * that `before` selects become `after` (rows in pack_facet_profiles' column order). A version's
 * combinations are a product or '' and at most one of its bits a facet ("all" clouds have every
 * cloud's bit, as the cloud filter reads them), and a pack counts once per combination however many
 * of its versions have it, so the counting goes by a pack's set of profiles: sets that did not
 * change are skipped, equal sets that come and go cancel, and each remaining set is split into its
 * combinations once. Splitting every version instead took 51 s for a 100,000-version catalog (D1
 * stops a statement at 30 s); by set, under 2 s.
 */
export function facetDifferenceRows(before: SQL, after: SQL): SQL {
  const combinations = combinationsOf(sql`(j.value ->> 0)`);
  const profiles = sql`json_group_array(json_array(mask, json(products)))`;
  // Sorted within a pack and side, equal sets serialize equally; were they not, the difference
  // would only cost more (both sides counted), not come out wrong.
  return sql`WITH r(pack_rowid, mask, products) AS (${after}),
    sides AS (
      SELECT -1 AS side, s.pack_rowid, s.mask, s.products FROM pack_facet_profiles s WHERE ${before}
      UNION ALL SELECT 1, pack_rowid, mask, products FROM r
    ),
    per_pack AS (
      SELECT ${profiles} FILTER (WHERE side < 0) AS old_profiles, ${profiles} FILTER (WHERE side > 0) AS new_profiles
      FROM (SELECT DISTINCT pack_rowid, side, mask, products FROM sides ORDER BY 1, 2, 3, 4) GROUP BY pack_rowid
    ),
    changed(profiles, sign) AS (
      SELECT old_profiles, -1 FROM per_pack WHERE old_profiles <> new_profiles AND old_profiles <> '[]'
      UNION ALL
      SELECT new_profiles, 1 FROM per_pack WHERE old_profiles <> new_profiles AND new_profiles <> '[]'
    ),
    sets AS MATERIALIZED (
      SELECT row_number() OVER () AS id, profiles, sum(sign) AS n FROM changed GROUP BY profiles HAVING sum(sign) <> 0
    ),
    set_combos AS (
      SELECT DISTINCT grp.id, x.value AS product, ${combinations.bits} AS bits
      FROM sets grp CROSS JOIN json_each(grp.profiles) j
        CROSS JOIN json_each(json_insert(j.value -> 1, '$[#]', '')) x
        ${combinations.joins}
    ),
    combo AS (
      SELECT c.product, c.bits, sum(grp.n) AS n FROM set_combos c JOIN sets grp ON grp.id = c.id GROUP BY 1, 2 HAVING sum(grp.n) <> 0
    )
    SELECT combo.product, ${comboValue(FACET_BITS.useCase)}, ${comboValue(FACET_BITS.cloud)}, ${comboValue(FACET_BITS.layer)},
      ${comboValue(FACET_BITS.arch)}, ${comboValue({ 1: FACET_BITS.fips.true, 0: FACET_BITS.fips.false })}, combo.n
    FROM combo WHERE true`;
}

/** The text a combination holds for the one bit of `bits` it has among `values` ('' for none). */
const comboValue = (values: Record<string, number>) =>
  sql.raw(
    `CASE ${Object.entries(values)
      .map(([name, bit]) => `WHEN combo.bits & ${bit} THEN '${name}'`)
      .join(" ")} ELSE '' END`,
  );

// Query builders, not db.run(sql): drizzle's D1 batch cannot bind a raw statement's parameters.
const addDifference = (db: Db, rows: SQL) =>
  db
    .insert(packFacetCounts)
    .select(rows)
    .onConflictDoUpdate({
      target: [
        packFacetCounts.product,
        packFacetCounts.useCase,
        packFacetCounts.cloud,
        packFacetCounts.layer,
        packFacetCounts.arch,
        packFacetCounts.fips,
      ],
      set: { n: sql`${packFacetCounts.n} + excluded.n` },
    });
const dropEmpty = (db: Db) => db.delete(packFacetCounts).where(eq(packFacetCounts.n, 0));

/** The packs a catalog batch changes: the ones it names, or every pack with a version signed under a key. */
export type TouchedPacks = { packs: string[] } | { signedUnder: string };

/** Their names, as a subquery. */
const touchedNames = (touched: TouchedPacks): SQL =>
  "packs" in touched
    ? sql`SELECT value FROM json_each(${JSON.stringify(touched.packs)})`
    : sql`SELECT k.pack_name FROM pack_versions k WHERE ${signedUnder("k", touched.signedUnder)}`;

/** Versions signed under a key, on alias `alias`: by their own signature or by their release's manifest. */
const signedUnder = (alias: string, keyId: string) =>
  sql`(${sql.raw(alias)}.key_id = ${keyId} OR ${sql.raw(alias)}.release_id IN (SELECT id FROM releases WHERE key_id = ${keyId}))`;

/**
 * The statements to append to a publish or yank batch, after its own writes, so the kept counts,
 * profiles and ranges commit with it. Each count table takes the difference between the touched
 * packs' kept rows and what their versions now give, so it runs before those rows are rebuilt.
 */
export function facetCountStatements(db: Db, touched: TouchedPacks): Statement[] {
  if ("packs" in touched && !touched.packs.length) return [];
  const names = touchedNames(touched);
  const rowids = sql`SELECT rowid FROM packs WHERE name IN (${names})`;
  const versions = sql`pv.pack_name IN (${names})`;
  return [
    addDifference(db, facetDifferenceRows(sql`s.pack_rowid IN (${rowids})`, profileRows(versions))),
    dropEmpty(db),
    ...productVersionCountStatements(db, rowids, rangeRows(versions)),
    ...profileStatements(db, names, rowids),
  ];
}

/**
 * A bit written into the SQL, not bound: D1 binds a JS number as a REAL, and a mask summed from one
 * is a REAL too, which concatenates as "131080.0" where the kept INTEGER column reads "131080".
 */
const bitText = (bits: number) => sql.raw(String(Math.trunc(bits)));

const ALL_CLOUDS = bitText(Object.values(FACET_BITS.cloud).reduce((all, bit) => all | bit, 0));

/** The bits of a version's values in one child table (each value is listed once there, so a sum is their union). */
const childBits = (table: string, column: string, bits: Record<string, number>) =>
  sql`coalesce((SELECT sum(${JSON.stringify(bits)} ->> ${sql.raw(column)}) FROM ${sql.raw(table)} WHERE pack_version_id = pv.id), 0)`;

/** The mask of the version on alias `pv` of the pack on alias `p`. */
const versionMask = sql`(${childBits("pack_version_use_cases", "use_case", FACET_BITS.useCase)}
      + (SELECT CASE WHEN max(cloud = 'all') THEN ${ALL_CLOUDS} ELSE coalesce(sum(${JSON.stringify(FACET_BITS.cloud)} ->> cloud), 0) END
         FROM pack_version_clouds WHERE pack_version_id = pv.id)
      + (${JSON.stringify(FACET_BITS.layer)} ->> p.layer)
      + ${childBits("pack_version_arches", "arch", FACET_BITS.arch)}
      + CASE pv.fips WHEN 1 THEN ${bitText(FACET_BITS.fips.true)} ELSE ${bitText(FACET_BITS.fips.false)} END)`;

/** The products of the version on alias `pv`, as a JSON array, sorted. */
const versionProducts = sql`(SELECT json_group_array(product_id) FROM (SELECT product_id FROM pack_version_products WHERE pack_version_id = pv.id ORDER BY product_id))`;

/**
 * The distinct profiles of the non-yanked versions `scope` selects (in pack_facet_profiles' column
 * order). The same text, its parameters written in, is migration 0010's backfill.
 */
export function profileRows(scope: SQL): SQL {
  return sql`SELECT DISTINCT p.rowid, ${versionMask}, ${versionProducts}
    FROM pack_versions pv JOIN packs p ON p.name = pv.pack_name
    WHERE pv.yanked = 0 AND ${scope}`;
}

/** Replaces the touched packs' profiles with those of their versions as the batch leaves them. */
function profileStatements(db: Db, touched: SQL, touchedRowids: SQL): Statement[] {
  return [
    db.delete(packFacetProfiles).where(sql`${packFacetProfiles.packRowid} IN (${touchedRowids})`),
    db.insert(packFacetProfiles).select(profileRows(sql`pv.pack_name IN (${touched})`)),
    db.delete(packFacetSummaries).where(sql`${packFacetSummaries.packRowid} IN (${touchedRowids})`),
    db.insert(packFacetSummaries).select(summaryRows(sql`s.pack_rowid IN (${touchedRowids})`)),
    db.delete(packProductRanges).where(sql`${packProductRanges.packRowid} IN (${touchedRowids})`),
    db.insert(packProductRanges).select(rangeRows(sql`pv.pack_name IN (${touched})`)),
  ];
}

/**
 * The distinct (pack, product, mask, range) of the non-yanked versions `scope` selects (in
 * pack_product_ranges' column order). The same text, its parameters written in, is migration 0010's
 * backfill.
 */
export function rangeRows(scope: SQL): SQL {
  return sql`SELECT DISTINCT p.rowid, x.product_id, ${versionMask},
      coalesce(x.min_version_key, ${OPEN_MIN}), coalesce(x.max_version_key, ${OPEN_MAX})
    FROM pack_versions pv JOIN packs p ON p.name = pv.pack_name JOIN pack_version_products x ON x.pack_version_id = pv.id
    WHERE pv.yanked = 0 AND ${scope}`;
}

/** Every bit of any of a pack's profiles: SQLite has no bitwise-OR aggregate, so one max() a bit. */
const unionOfMasks = sql.join(
  Object.values(FACET_BITS).flatMap((bits) => Object.values(bits).map((bit) => sql`max(s.mask & ${bit})`)),
  sql` | `,
);

/**
 * Each pack's summary from its profiles on alias `s` that `scope` selects (in pack_facet_summaries'
 * column order): the union of their masks, and their products, each once, sorted. The same text,
 * its parameters written in, is migration 0010's backfill.
 */
export function summaryRows(scope: SQL): SQL {
  return sql`SELECT s.pack_rowid, ${unionOfMasks},
      (SELECT json_group_array(value) FROM (SELECT DISTINCT j.value FROM pack_facet_profiles t, json_each(t.products) j
        WHERE t.pack_rowid = s.pack_rowid ORDER BY 1))
    FROM pack_facet_profiles s WHERE ${scope} GROUP BY s.pack_rowid`;
}

/** Recounts everything from the catalog as it stands (an admin's recount, a seeded test catalog). */
export function rebuildFacetCountStatements(db: Db): Statement[] {
  return [
    db.delete(packFacetProfiles),
    db.insert(packFacetProfiles).select(profileRows(sql`1`)),
    db.delete(packFacetCounts),
    addDifference(db, facetDifferenceRows(sql`0`, sql`SELECT pack_rowid, mask, products FROM pack_facet_profiles`)),
    db.delete(packFacetSummaries),
    db.insert(packFacetSummaries).select(summaryRows(sql`1`)),
    db.delete(packProductRanges),
    db.insert(packProductRanges).select(rangeRows(sql`1`)),
    ...rebuildProductVersionCounts(
      db,
      sql`SELECT pack_rowid, product_id, mask, min_key, max_key FROM pack_product_ranges`,
    ),
  ];
}

/** What each kept table holds after a recount. */
export type Recount = {
  generation: number;
  auditId: string;
  rows: {
    facetCounts: number;
    facetProfiles: number;
    facetSummaries: number;
    productRanges: number;
    productVersionIntervals: number;
    productVersionCounts: number;
  };
};

/**
 * An admin's repair: every kept count, profile and range recounted from the versions in one batch,
 * each version's kept child lists (pack_versions.assessed) rewritten from its lists,
 * a new catalog generation (cached answers start afresh) and an audit event. The batches keep the
 * kept tables by difference, so they stay wrong once a change reached the catalog without them, e.g.
 * from a worker deployed before its migration or after it was rolled back.
 */
export async function recountCatalog(db: Db, reason: string, now: number): Promise<Recount> {
  const auditId = crypto.randomUUID();
  const results = await db.batch([
    ...(rebuildFacetCountStatements(db) as [Statement, ...Statement[]]),
    keepAssessedStatement(db, sql`1`),
    bumpGeneration(db),
    db.insert(auditEvents).values({ id: auditId, at: now, action: "recount-catalog", subject: "catalog", reason }),
    db.select({ generation: catalogState.generation }).from(catalogState).where(eq(catalogState.id, 1)),
  ]);
  const [{ generation }] = results.at(-1) as { generation: number }[];
  const [[row]] = await runBatch(db, [
    query<
      Record<keyof Recount["rows"], number>
    >(sql`SELECT (SELECT count(*) FROM pack_facet_counts) AS facetCounts, (SELECT count(*) FROM pack_facet_profiles) AS facetProfiles,
      (SELECT count(*) FROM pack_facet_summaries) AS facetSummaries, (SELECT count(*) FROM pack_product_ranges) AS productRanges,
      (SELECT count(*) FROM product_version_intervals) AS productVersionIntervals,
      (SELECT count(*) FROM product_version_counts) AS productVersionCounts`),
  ]);
  const rows = Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Number(v)])) as Recount["rows"];
  return { generation, auditId, rows };
}

/** A filter as the combination its kept count is filed under (search text and product versions are not dimensions). */
function comboOf(f: CatalogFilter): FacetCombo {
  return {
    product: f.product ?? ANY,
    useCase: f.useCase ?? ANY,
    cloud: f.cloud ?? ANY,
    layer: f.layer ?? ANY,
    arch: f.arch ?? ANY,
    fips: f.fips === undefined ? ANY : f.fips ? "1" : "0",
  };
}

export type ComboCountRow = { i: number; n: number };
export type ProductCountRow = { id: string; n: number };

/** Reads the kept counts of the given filters' combinations, in their order (0 for a combination no pack matches). */
export function comboCountsStatement(filters: CatalogFilter[]) {
  const list = JSON.stringify(filters.map(comboOf).map((c) => COMBO_DIMENSIONS.map((d) => c[d])));
  return query<ComboCountRow>(sql`SELECT CAST(j.key AS INTEGER) AS i, coalesce(c.n, 0) AS n FROM json_each(${list}) j
    LEFT JOIN pack_facet_counts c ON c.product = j.value ->> 0 AND c.use_case = j.value ->> 1 AND c.cloud = j.value ->> 2
      AND c.layer = j.value ->> 3 AND c.arch = j.value ->> 4 AND c.fips = j.value ->> 5`);
}

/** Each product's kept count for the filter's combination with its product set to that product, in display order. */
export function productComboCountsStatement(f: CatalogFilter) {
  const combo = comboOf(f);
  return query<ProductCountRow>(sql`SELECT p.id AS id, coalesce(c.n, 0) AS n FROM products p
    LEFT JOIN pack_facet_counts c ON c.product = p.id AND c.use_case = ${combo.useCase} AND c.cloud = ${combo.cloud}
      AND c.layer = ${combo.layer} AND c.arch = ${combo.arch} AND c.fips = ${combo.fips}
    ORDER BY p.sort_order, p.name`);
}
