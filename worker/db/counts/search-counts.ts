// The counts kept combinations cannot answer, in one row each: search text (a search's matches are
// any set of packs) and product versions (a version range is not a combination). They test the kept
// profiles, summaries and ranges bit by bit (see README.md), never a version and its child lists.
// A search counts its first COUNTED_MATCHES full-text matches at most, so its cost is bounded
// whatever the catalog's size; when it reads that many, its counts are lower bounds (`exact: false`).
// pack-counts.ts decides when each is used.
import { type SQL, sql } from "drizzle-orm";
import { ARCHES, CLOUDS, LAYERS, USE_CASES, versionSortKey } from "../../domain/vocabulary";
import { type Query, query } from "../batch";
import { and, type CatalogFilter, type Facet } from "../pack-versions";
import { FACET_BITS } from "./facet-bits";
import { intervalOf } from "./product-version-counts";
import { bitsText, inRange, profileMatches, requiredBits } from "./profile-match";

type ListedFacet = Exclude<Facet, "product">;

/**
 * How many of a search's full-text matches (in the index's rowid order) its counts read at most: a
 * search reads a row or two per match counted, so without a bound a common word's counts would grow
 * with the catalog. Reading this many means there may be more: the counts are then lower bounds.
 */
export const COUNTED_MATCHES = 500;

/**
 * The one row of searchCountsStatement or productVersionCountsStatement: the total, then a column
 * `<facet>_<i>` per listed value (the i-th of the vocabulary's list). With search text, `counted`:
 * the full-text matches read (COUNTED_MATCHES when there may be more). With searchCountsStatement,
 * `productIds` (every product, in display order, as a JSON list) and `productLists` (a JSON list
 * holding, per match of every filter but the product, the products it lists, else null).
 */
export type SearchCountsRow = { total: number; counted?: number; productIds?: string; productLists?: string } & {
  [column: `${ListedFacet}_${number}`]: number;
};

/** At most COUNTED_MATCHES of the full-text matches, by rowid, as `hits(rowid)`. */
const hitsOf = (match: string) =>
  sql`(SELECT rowid FROM pack_search WHERE pack_search MATCH ${match} ORDER BY rowid LIMIT ${COUNTED_MATCHES}) AS hits`;

/** Each listed facet's values with their bits, in the order readSearchCounts numbers them. */
const LISTED_BITS: [ListedFacet, number[]][] = [
  ["useCase", USE_CASES.map((v) => FACET_BITS.useCase[v])],
  ["cloud", CLOUDS.map((v) => FACET_BITS.cloud[v])],
  ["layer", LAYERS.map((v) => FACET_BITS.layer[v])],
  ["arch", ARCHES.map((v) => FACET_BITS.arch[v])],
  ["fips", [FACET_BITS.fips.true, FACET_BITS.fips.false]],
];

/**
 * The tests a search count makes of one row (alias `alias`, with its mask): the total's, then each
 * listed value's (every filter but the value's own facet, and the value's bit), with their column names.
 */
function countTests(matches: (except?: Facet) => SQL, alias: string): [SQL, string][] {
  const perValue = LISTED_BITS.flatMap(([facet, bits]) =>
    bits.map((bit, i): [SQL, string] => [
      sql`${matches(facet)} AND ${sql.raw(alias)}.mask & ${bitsText(bit)} <> 0`,
      `${facet}_${i}`,
    ]),
  );
  return [[matches(), "total"], ...perValue];
}

/**
 * Every product's id in display order, and what each match of every filter but the product (`lists`,
 * its JSON product list, else NULL) lists: the products are counted from these (readSearchCounts), in
 * the same pass, rather than by reading the matches again per product.
 */
const productColumns = (lists: SQL) =>
  sql`(SELECT json_group_array(id) FROM (SELECT id FROM products ORDER BY sort_order, name)) AS productIds,
    json_group_array(${lists}) AS productLists`;

/**
 * The total and every facet in one pass, for search text (a product version is counted by
 * productVersionCountsStatement). Every count is a plain sum of bit tests over the matching packs;
 * which rows stand for a pack depends on the filter:
 *
 * - Search text alone, or with the layer (which a pack has, not a version): each match's summary,
 *   one row (pack_facet_summaries), since a pack then matches a value when any profile has it.
 * - With other filters: each match's profiles (pack_facet_profiles), joined to the full-text matches
 *   by rowid. A pack matches when one of its versions does, and a version matches exactly when its
 *   profile does, so each pack's rows are folded into one (GROUP BY pack, max() of each test).
 *
 * Read the row with readSearchCounts.
 */
export function searchCountsStatement(
  f: CatalogFilter & { version?: undefined },
  match: string,
): Query<SearchCountsRow> {
  if (!f.product && !f.useCase && !f.cloud && !f.arch && f.fips === undefined) return summaryCounts(f, match);
  // A counted match without a profile (every version yanked) still has a row, for `counted`; its NULL
  // mask and products make every test below NULL, so it counts for nothing.
  const matches = (except?: Facet) => profileMatches(f, "r", except);
  const tests = countTests(matches, "r");
  // The profiles come in rowid order (the full-text index's or their own key), so the grouping
  // streams. A pack counts for a product when a profile matching every other filter lists it:
  // `products` gathers those profiles' lists (NULL when none).
  return query<SearchCountsRow>(sql`WITH r AS (${profileRowsOf(match)}),
    per AS (SELECT r.pack, group_concat(CASE WHEN ${matches("product")} THEN r.products END) AS products,
      ${sql.join(
        tests.map(([test, name]) => sql`max(${test}) AS ${sql.raw(name)}`),
        sql`, `,
      )}
      FROM r GROUP BY r.pack)
    SELECT count(*) AS counted, ${sql.join(
      tests.map(([, name]) => sql`coalesce(sum(${sql.raw(name)}), 0) AS ${sql.raw(name)}`),
      sql`, `,
    )}, ${productColumns(sql`json('[' || per.products || ']')`)}
    FROM per`);
}

/**
 * The total and every facet but the product's for a product version, in one row (read it with
 * readSearchCounts). The product facet drops the product and its version, so it is counted as for
 * the same filter without them.
 *
 * - Without search text: each count is one row kept for the version's interval
 *   (product_version_counts, see product-version-counts.ts), found by the bits it needs.
 * - With search text: from the matches' kept ranges (pack_product_ranges), since a version range is
 *   not in a profile. Each pack's ranges for the product are folded into one, as profiles are.
 */
export function productVersionCountsStatement(
  f: CatalogFilter & { product: string; version: string },
  match: string | undefined,
): Query<SearchCountsRow> {
  if (!match) return keptProductVersionCounts(f);
  // Grouped by the key the rows arrive in (the full-text index's rowid), the grouping streams. Each
  // match counted has a row (LEFT JOIN: a pack without a range for the product matches nothing).
  const rows = sql`SELECT hits.rowid AS pack, x.mask AS mask, ${inRange("x", f.version)} AS in_range
    FROM ${hitsOf(match)} LEFT JOIN pack_product_ranges x ON x.pack_rowid = hits.rowid AND x.product_id = ${f.product}`;
  const matches = (except?: Facet) => and([profileMatches({ ...f, product: undefined }, "r", except), sql`r.in_range`]);
  const tests = countTests(matches, "r");
  return query<SearchCountsRow>(sql`WITH r AS (${rows}),
    per AS (SELECT ${sql.join(
      tests.map(([test, name]) => sql`max(${test}) AS ${sql.raw(name)}`),
      sql`, `,
    )} FROM r GROUP BY r.pack)
    SELECT count(*) AS counted, ${sql.join(
      tests.map(([, name]) => sql`coalesce(sum(${sql.raw(name)}), 0) AS ${sql.raw(name)}`),
      sql`, `,
    )} FROM per`);
}

/** productVersionCountsStatement without search text: each column one kept row of the version's interval, by its bits. */
function keptProductVersionCounts(f: CatalogFilter & { product: string; version: string }) {
  const columns: [number, string][] = [
    [requiredBits(f), "total"],
    ...LISTED_BITS.flatMap(([facet, bits]) =>
      bits.map((bit, i): [number, string] => [requiredBits(f, facet) | bit, `${facet}_${i}`]),
    ),
  ];
  const count = (bits: number) =>
    sql`coalesce((SELECT c.n FROM iv CROSS JOIN product_version_counts c
      ON c.product_id = iv.product_id AND c.from_key = iv.from_key AND c.bits = ${bitsText(bits)}), 0)`;
  return query<SearchCountsRow>(sql`WITH iv(product_id, from_key) AS (SELECT ${f.product}, ${intervalOf(f.product, versionSortKey(f.version))})
    SELECT ${sql.join(
      columns.map(([bits, name]) => sql`${count(bits)} AS ${sql.raw(name)}`),
      sql`, `,
    )}`);
}

/** searchCountsStatement for search text alone or with a layer: one summary row a match counted, in one pass. */
function summaryCounts(f: CatalogFilter, match: string) {
  // A counted match without a summary (every version yanked) still has a row, for `counted`, and matches nothing.
  const matches = (except?: Facet) => and([sql`m.mask IS NOT NULL`, profileMatches(f, "m", except)]);
  return query<SearchCountsRow>(sql`WITH m AS (SELECT u.mask AS mask, u.products AS products
      FROM ${hitsOf(match)} LEFT JOIN pack_facet_summaries u ON u.pack_rowid = hits.rowid)
    SELECT count(*) AS counted, ${sql.join(
      countTests(matches, "m").map(([test, name]) => sql`coalesce(sum(${test}), 0) AS ${sql.raw(name)}`),
      sql`, `,
    )}, ${productColumns(sql`CASE WHEN ${matches("product")} THEN json(m.products) END`)}
    FROM m`);
}

/** searchCountsStatement's rows: the kept profiles of the search's counted matches, by rowid. */
function profileRowsOf(match: string): SQL {
  return sql`SELECT hits.rowid AS pack, s.mask AS mask, s.products AS products
    FROM ${hitsOf(match)} LEFT JOIN pack_facet_profiles s ON s.pack_rowid = hits.rowid`;
}

/**
 * Each product's count: a match counts once for each product any of its lists holds. Products no
 * longer in the products table are not counted, as the kept counts do not.
 */
function productCountsOf(ids: string[], lists: (string[] | string[][] | null)[]): Record<string, number> {
  const counts = new Map(ids.map((id) => [id, 0]));
  for (const list of lists) {
    if (!list) continue;
    for (const id of new Set(list.flat())) {
      const n = counts.get(id);
      if (n !== undefined) counts.set(id, n + 1);
    }
  }
  return Object.fromEntries(counts);
}

/**
 * searchCountsStatement's (or productVersionCountsStatement's) one row as the total and the facets,
 * every known value listed (no product facet from the latter), and whether they are exact: false when
 * the search read COUNTED_MATCHES matches, so there may be more and every count is a lower bound.
 */
export function readSearchCounts(row: SearchCountsRow): {
  total: number;
  facets: Record<Facet, Record<string, number>>;
  exact: boolean;
} {
  const values: Record<ListedFacet, readonly string[]> = {
    useCase: USE_CASES,
    cloud: CLOUDS,
    layer: LAYERS,
    arch: ARCHES,
    fips: ["true", "false"],
  };
  const products =
    row.productIds === undefined
      ? {}
      : productCountsOf(JSON.parse(row.productIds) as string[], JSON.parse(row.productLists ?? "[]"));
  const facets = { product: products } as Record<Facet, Record<string, number>>;
  for (const [facet, list] of Object.entries(values) as [ListedFacet, readonly string[]][])
    facets[facet] = Object.fromEntries(list.map((value, i) => [value, Number(row[`${facet}_${i}`])]));
  return {
    total: Number(row.total),
    facets,
    exact: row.counted === undefined || Number(row.counted) < COUNTED_MATCHES,
  };
}
