// The counts kept combinations cannot answer, in one row each: search text (a search's matches are
// any set of packs) and product versions (a version range is not a combination). They test the kept
// profiles, summaries and ranges bit by bit (see README.md), never a version and its child lists.
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
 * The one row of searchCountsStatement or productVersionCountsStatement: the total, then a column
 * `<facet>_<i>` per listed value (the i-th of the vocabulary's list), and with searchCountsStatement
 * each product's count as a JSON list of [id, n].
 */
export type SearchCountsRow = { total: number; products?: string } & { [column: `${ListedFacet}_${number}`]: number };

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

/** Each product's count, in display order, as `countOf(id)` counts it. */
const productCounts = (countOf: SQL) =>
  sql`(SELECT json_group_array(json_array(pr.id, ${countOf})) FROM (SELECT id FROM products ORDER BY sort_order, name) pr) AS products`;

/** A row's product list (on `alias`) holds the product `pr.id` of productCounts. */
const listsProduct = (alias: string) => sql`instr(${sql.raw(alias)}.products, '"' || pr.id || '"') > 0`;

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
  const matches = (except?: Facet) => profileMatches(f, "r", except);
  const tests = countTests(matches, "r");
  // The profiles come in rowid order (the full-text index's or their own key), so the grouping
  // streams. `per` is kept (MATERIALIZED) because each product's count reads it again: a pack
  // counts for a product when a profile matching every other filter lists it.
  return query<SearchCountsRow>(sql`WITH r AS (${profileRowsOf(match)}),
    per AS MATERIALIZED (SELECT r.pack, group_concat(CASE WHEN ${matches("product")} THEN r.products END) AS products,
      ${sql.join(
        tests.map(([test, name]) => sql`max(${test}) AS ${sql.raw(name)}`),
        sql`, `,
      )}
      FROM r GROUP BY r.pack)
    SELECT ${sql.join(
      tests.map(([, name]) => sql`coalesce(sum(${sql.raw(name)}), 0) AS ${sql.raw(name)}`),
      sql`, `,
    )}, ${productCounts(sql`(SELECT count(*) FROM per WHERE ${listsProduct("per")})`)}
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
  // Grouped by the key the rows arrive in (the full-text index's rowid), the grouping streams.
  const rows = sql`SELECT pack_search.rowid AS pack, x.mask AS mask, ${inRange("x", f.version)} AS in_range
    FROM pack_search CROSS JOIN pack_product_ranges x ON x.pack_rowid = pack_search.rowid AND x.product_id = ${f.product}
    WHERE pack_search MATCH ${match}`;
  const matches = (except?: Facet) => and([profileMatches({ ...f, product: undefined }, "r", except), sql`r.in_range`]);
  const tests = countTests(matches, "r");
  return query<SearchCountsRow>(sql`WITH r AS (${rows}),
    per AS (SELECT ${sql.join(
      tests.map(([test, name]) => sql`max(${test}) AS ${sql.raw(name)}`),
      sql`, `,
    )} FROM r GROUP BY r.pack)
    SELECT ${sql.join(
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

/** searchCountsStatement for search text alone or with a layer: one summary row a match, kept (MATERIALIZED) for the products' counts. */
function summaryCounts(f: CatalogFilter, match: string) {
  const matches = (except?: Facet) => profileMatches(f, "m", except);
  return query<SearchCountsRow>(sql`WITH m AS MATERIALIZED (SELECT u.mask AS mask, u.products AS products
      FROM pack_search CROSS JOIN pack_facet_summaries u ON u.pack_rowid = pack_search.rowid WHERE pack_search MATCH ${match})
    SELECT ${sql.join(
      countTests(matches, "m").map(([test, name]) => sql`coalesce(sum(${test}), 0) AS ${sql.raw(name)}`),
      sql`, `,
    )}, ${productCounts(sql`(SELECT count(*) FROM m WHERE ${and([matches("product"), listsProduct("m")])})`)}
    FROM m`);
}

/** searchCountsStatement's rows: the kept profiles of the search's matches, by rowid. */
function profileRowsOf(match: string): SQL {
  return sql`SELECT pack_search.rowid AS pack, s.mask AS mask, s.products AS products
    FROM pack_search CROSS JOIN pack_facet_profiles s ON s.pack_rowid = pack_search.rowid WHERE pack_search MATCH ${match}`;
}

/**
 * searchCountsStatement's (or productVersionCountsStatement's) one row as the total and the facets,
 * every known value listed (no product facet from the latter).
 */
export function readSearchCounts(row: SearchCountsRow): {
  total: number;
  facets: Record<Facet, Record<string, number>>;
} {
  const values: Record<ListedFacet, readonly string[]> = {
    useCase: USE_CASES,
    cloud: CLOUDS,
    layer: LAYERS,
    arch: ARCHES,
    fips: ["true", "false"],
  };
  const products = row.products === undefined ? [] : (JSON.parse(row.products) as [string, number][]);
  const facets = { product: Object.fromEntries(products) } as Record<Facet, Record<string, number>>;
  for (const [facet, list] of Object.entries(values) as [ListedFacet, readonly string[]][])
    facets[facet] = Object.fromEntries(list.map((value, i) => [value, Number(row[`${facet}_${i}`])]));
  return { total: Number(row.total), facets };
}
