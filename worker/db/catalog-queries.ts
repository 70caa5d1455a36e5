// The catalog's read queries, as SQL built with drizzle's `sql` template (every value from outside
// a bound parameter; the facet bits, fixed numbers, are written in, since D1 binds at most 100
// parameters a statement). The browse page needs a page of packs, six facet counts and a total;
// expressed as separate statements they go to D1 in one batch, so one round trip answers a request.
// A page checks versions through the child tables' keys; counts read the kept tables of facets.ts
// (bit masks of each pack's facet values), never a version.
import { type SQL, sql } from "drizzle-orm";
import { SQLiteAsyncDialect } from "drizzle-orm/sqlite-core";
import { FACET_BITS } from "./facet-bits";
import { intervalOf } from "./product-version-counts";
import { ftsQuery } from "./search-text";
import {
  type Arch,
  ARCHES,
  type Cloud,
  CLOUDS,
  type DependencyType,
  type Layer,
  LAYERS,
  USE_CASES,
  type UseCase,
  versionSortKey,
} from "../domain/vocabulary";
import type { Db } from "./client";

const dialect = new SQLiteAsyncDialect();

export type Row = Record<string, unknown>;

/** Runs statements in one D1 batch through the request's session (drizzle's batch cannot bind raw SQL). */
export async function runBatch(db: Db, statements: SQL[]): Promise<Row[][]> {
  const client = db.$client;
  const prepared = statements.map((statement) => {
    const query = dialect.sqlToQuery(statement);
    return client.prepare(query.sql).bind(...query.params);
  });
  const results = await client.batch<Row>(prepared);
  return results.map((r) => r.results);
}

export const toQuery = (statement: SQL) => dialect.sqlToQuery(statement);

/** What a catalog filter can constrain; `version` only ever narrows `product`. */
export type CatalogFilter = {
  product?: string;
  version?: string;
  useCase?: UseCase;
  cloud?: Cloud;
  layer?: Layer;
  arch?: Arch;
  fips?: boolean;
  /** An FTS5 MATCH expression, already made safe (see ftsQuery). */
  match?: string;
};

export const FACETS = ["product", "useCase", "cloud", "layer", "arch", "fips"] as const;
export type Facet = (typeof FACETS)[number];

const and = (conditions: SQL[]) => (conditions.length ? sql.join(conditions, sql` AND `) : sql`1`);

/**
 * How a child-table condition is written. "list" (`pv.id IN (SELECT … WHERE <value> = ?)`) reads
 * the value's whole list from its (value, pack_version_id) index: right for a count that must see
 * every match. "lookup" (`EXISTS (… WHERE pack_version_id = pv.id AND <value> = ?)`) checks one
 * version through the child's primary key: right for a walk that stops after a page, which must
 * not read a list as long as the catalog.
 */
type ChildCheck = "list" | "lookup";

function childCondition(check: ChildCheck, table: string, condition: SQL): SQL {
  return check === "list"
    ? sql`pv.id IN (SELECT pack_version_id FROM ${sql.raw(table)} WHERE ${condition})`
    : sql`EXISTS (SELECT 1 FROM ${sql.raw(table)} WHERE pack_version_id = pv.id AND ${condition})`;
}

/** Conditions on the `pv` (pack_versions) alias; yanked versions never match. */
export function versionConditions(f: CatalogFilter, except?: Facet, check: ChildCheck = "list"): SQL[] {
  const out: SQL[] = [sql`pv.yanked = 0`];
  if (f.product && except !== "product") {
    const key = f.version ? versionSortKey(f.version) : undefined;
    const range = key
      ? sql` AND (min_version_key IS NULL OR min_version_key <= ${key}) AND (max_version_key IS NULL OR max_version_key >= ${key})`
      : sql``;
    out.push(childCondition(check, "pack_version_products", sql`product_id = ${f.product}${range}`));
  }
  if (f.useCase && except !== "useCase")
    out.push(childCondition(check, "pack_version_use_cases", sql`use_case = ${f.useCase}`));
  if (f.cloud && except !== "cloud")
    out.push(childCondition(check, "pack_version_clouds", sql`cloud IN (${f.cloud}, 'all')`));
  if (f.arch && except !== "arch") out.push(childCondition(check, "pack_version_arches", sql`arch = ${f.arch}`));
  if (f.fips !== undefined && except !== "fips") out.push(sql`pv.fips = ${f.fips ? 1 : 0}`);
  return out;
}

const hasMatchingVersion = (f: CatalogFilter, except?: Facet, check: ChildCheck = "list") =>
  sql`EXISTS (SELECT 1 FROM pack_versions pv WHERE pv.pack_name = p.name AND ${and(versionConditions(f, except, check))})`;

/**
 * Whether a search's match fits the other filters: by its kept facet profiles (a row or two per
 * pack, see facets.ts) rather than its versions and their child lists; with a product version, by
 * the product's kept ranges, which also hold the mask of the versions they came from.
 */
function hasMatchingProfile(f: CatalogFilter): SQL {
  if (f.product && f.version)
    return sql`EXISTS (SELECT 1 FROM pack_product_ranges x WHERE x.pack_rowid = p.rowid AND x.product_id = ${f.product}
      AND ${and([profileMatches({ ...f, product: undefined }, "x"), inRange("x", f.version)])})`;
  return sql`EXISTS (SELECT 1 FROM pack_facet_profiles s WHERE s.pack_rowid = p.rowid AND ${profileMatches(f, "s")})`;
}

/** A kept range (on `alias`) holds the product version: open ends are stored as sentinels (see packProductRanges). */
const inRange = (alias: string, version: string) => {
  const key = versionSortKey(version);
  return sql`${sql.raw(alias)}.min_key <= ${key} AND ${sql.raw(alias)}.max_key >= ${key}`;
};

/** Mask bits written into the SQL (a number of ours, never input): bound, 19 values' tests would near D1's 100 parameters. */
const bitsText = (bits: number) => sql.raw(String(Math.trunc(bits)));

/** The mask bits a profile needs to match the filter's facets but `except` (product is a list, checked apart). */
function requiredBits(f: CatalogFilter, except?: Facet): number {
  let bits = 0;
  if (f.useCase && except !== "useCase") bits |= FACET_BITS.useCase[f.useCase];
  if (f.cloud && except !== "cloud") bits |= FACET_BITS.cloud[f.cloud];
  if (f.layer && except !== "layer") bits |= FACET_BITS.layer[f.layer];
  if (f.arch && except !== "arch") bits |= FACET_BITS.arch[f.arch];
  if (f.fips !== undefined && except !== "fips") bits |= FACET_BITS.fips[f.fips ? "true" : "false"];
  return bits;
}

/** Whether the profile (or version row) on `alias`, with its mask and products, matches the filter but `except`. */
function profileMatches(f: CatalogFilter, alias: string, except?: Facet): SQL {
  const bits = requiredBits(f, except);
  const conditions = bits ? [sql`(${sql.raw(alias)}.mask & ${bitsText(bits)}) = ${bitsText(bits)}`] : [];
  if (f.product && except !== "product") conditions.push(hasProduct(alias, f.product));
  return and(conditions);
}

/** A product in a JSON product list: ids are slugs, so the quoted id matches one element exactly. */
const hasProduct = (alias: string, product: string) => sql`instr(${sql.raw(alias)}.products, ${`"${product}"`}) > 0`;

/** The columns every pack-version listing returns; children come back as JSON arrays. */
const versionColumns = sql`
  p.name AS name, p.display_name AS displayName, p.layer AS layer, p.addon_type AS addonType,
  p.description AS description, p.source AS source,
  pv.version AS version, pv.version_key AS versionKey, pv.kernel AS kernel, pv.eol AS eol, pv.fips AS fips,
  pv.file_name AS fileName, pv.size AS size, pv.sha256 AS sha256, pv.signature_file_name AS signatureFileName,
  pv.signature_size AS signatureSize, pv.key_id AS keyId, pv.published_at AS publishedAt,
  (SELECT json_group_array(arch) FROM pack_version_arches WHERE pack_version_id = pv.id) AS arches,
  (SELECT json_group_array(cloud) FROM pack_version_clouds WHERE pack_version_id = pv.id) AS clouds,
  (SELECT json_group_array(use_case) FROM pack_version_use_cases WHERE pack_version_id = pv.id) AS useCases,
  (SELECT json_group_array(json_object('product', product_id, 'minVersion', min_version, 'maxVersion', max_version))
     FROM pack_version_products WHERE pack_version_id = pv.id) AS products,
  (SELECT json_group_array(json_object('packName', pack_name, 'layer', layer, 'type', type, 'minVersion', min_version, 'maxVersion', max_version))
     FROM pack_dependencies WHERE pack_version_id = pv.id) AS dependencies`;

/**
 * One page of packs (by name, after `after`), with every version of each that matches; `limit + 1`
 * packs tell whether more follow. The walk checks each version by lookups and the page's rows are
 * joined in a fixed order (CROSS JOIN), so the rows read follow the page, not the catalog.
 */
export function pageStatement(f: CatalogFilter, after: string | undefined, limit: number): SQL {
  const conditions = [...(f.layer ? [sql`p.layer = ${f.layer}`] : []), ...(after ? [sql`p.name > ${after}`] : [])];
  const page = f.match
    ? searchPage(f.match, [...conditions, hasMatchingProfile(f)], limit + 1)
    : sql`SELECT p.name FROM packs p WHERE ${and([...conditions, hasMatchingVersion(f, undefined, "lookup")])}
        ORDER BY p.name LIMIT ${limit + 1}`;
  return sql`WITH page AS (${page})
    SELECT ${versionColumns}
    FROM page CROSS JOIN packs p ON p.name = page.name CROSS JOIN pack_versions pv ON pv.pack_name = p.name
    WHERE ${and(versionConditions(f, undefined, "lookup"))}
    ORDER BY p.name, pv.version_key DESC`;
}

/** From how many full-text matches a search's page walks the packs by name instead of sorting its matches. */
export const WALK_FROM_MATCHES = 500;

/**
 * The names of a search's page. Full-text matches come by rowid, not by name, so there are two
 * ways to the first `limit` by name, and the cheaper one depends on how many matches there are:
 * few are each read and sorted (three rows a match); many become a rowid list that the walk of the
 * packs' name index tests each pack against, stopping at the page's end (a row a match for the list,
 * plus the packs walked). Both branches are in the statement; a LIMIT of 0, decided once from a
 * count that stops at WALK_FROM_MATCHES, keeps the other from running.
 */
function searchPage(match: string, conditions: SQL[], limit: number): SQL {
  const limitWhen = (walk: boolean) =>
    sql`CASE WHEN (SELECT many FROM match_count) THEN ${walk ? limit : 0} ELSE ${walk ? 0 : limit} END`;
  return sql`WITH match_count(many) AS (SELECT count(*) >= ${WALK_FROM_MATCHES}
        FROM (SELECT 1 FROM pack_search WHERE pack_search MATCH ${match} LIMIT ${WALK_FROM_MATCHES}))
    SELECT name FROM (SELECT p.name FROM pack_search CROSS JOIN packs p ON p.rowid = pack_search.rowid
      WHERE ${and([sql`pack_search MATCH ${match}`, ...conditions])} ORDER BY p.name LIMIT ${limitWhen(false)})
    UNION ALL
    SELECT name FROM (SELECT p.name FROM packs p
      WHERE ${and([sql`+p.rowid IN (SELECT rowid FROM pack_search WHERE pack_search MATCH ${match})`, ...conditions])}
      ORDER BY p.name LIMIT ${limitWhen(true)})`;
}

/** Each listed facet's values with their bits, in the order readSearchCounts numbers them. */
const LISTED_BITS: [Exclude<Facet, "product">, number[]][] = [
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
export function searchCountsStatement(f: CatalogFilter & { match: string; version?: undefined }): SQL {
  if (!f.product && !f.useCase && !f.cloud && !f.arch && f.fips === undefined) return summaryCounts(f);
  const matches = (except?: Facet) => profileMatches(f, "r", except);
  const tests = countTests(matches, "r");
  // The profiles come in rowid order (the full-text index's or their own key), so the grouping
  // streams. `per` is kept (MATERIALIZED) because each product's count reads it again: a pack
  // counts for a product when a profile matching every other filter lists it.
  return sql`WITH r AS (${profileRowsOf(f.match)}),
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
    FROM per`;
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
export function productVersionCountsStatement(f: CatalogFilter & { product: string; version: string }): SQL {
  if (!f.match) return keptProductVersionCounts(f);
  // Grouped by the key the rows arrive in (the full-text index's rowid), the grouping streams.
  const rows = sql`SELECT pack_search.rowid AS pack, x.mask AS mask, ${inRange("x", f.version)} AS in_range
    FROM pack_search CROSS JOIN pack_product_ranges x ON x.pack_rowid = pack_search.rowid AND x.product_id = ${f.product}
    WHERE pack_search MATCH ${f.match}`;
  const matches = (except?: Facet) => and([profileMatches({ ...f, product: undefined }, "r", except), sql`r.in_range`]);
  const tests = countTests(matches, "r");
  return sql`WITH r AS (${rows}),
    per AS (SELECT ${sql.join(
      tests.map(([test, name]) => sql`max(${test}) AS ${sql.raw(name)}`),
      sql`, `,
    )} FROM r GROUP BY r.pack)
    SELECT ${sql.join(
      tests.map(([, name]) => sql`coalesce(sum(${sql.raw(name)}), 0) AS ${sql.raw(name)}`),
      sql`, `,
    )} FROM per`;
}

/** productVersionCountsStatement without search text: each column one kept row of the version's interval, by its bits. */
function keptProductVersionCounts(f: CatalogFilter & { product: string; version: string }): SQL {
  const columns: [number, string][] = [
    [requiredBits(f), "total"],
    ...LISTED_BITS.flatMap(([facet, bits]) =>
      bits.map((bit, i): [number, string] => [requiredBits(f, facet) | bit, `${facet}_${i}`]),
    ),
  ];
  const count = (bits: number) =>
    sql`coalesce((SELECT c.n FROM iv CROSS JOIN product_version_counts c
      ON c.product_id = iv.product_id AND c.from_key = iv.from_key AND c.bits = ${bitsText(bits)}), 0)`;
  return sql`WITH iv(product_id, from_key) AS (SELECT ${f.product}, ${intervalOf(f.product, versionSortKey(f.version))})
    SELECT ${sql.join(
      columns.map(([bits, name]) => sql`${count(bits)} AS ${sql.raw(name)}`),
      sql`, `,
    )}`;
}

/** searchCountsStatement for search text alone or with a layer: one summary row a match, kept (MATERIALIZED) for the products' counts. */
function summaryCounts(f: CatalogFilter & { match: string }): SQL {
  const matches = (except?: Facet) => profileMatches(f, "m", except);
  return sql`WITH m AS MATERIALIZED (SELECT u.mask AS mask, u.products AS products
      FROM pack_search CROSS JOIN pack_facet_summaries u ON u.pack_rowid = pack_search.rowid WHERE pack_search MATCH ${f.match})
    SELECT ${sql.join(
      countTests(matches, "m").map(([test, name]) => sql`coalesce(sum(${test}), 0) AS ${sql.raw(name)}`),
      sql`, `,
    )}, ${productCounts(sql`(SELECT count(*) FROM m WHERE ${and([matches("product"), listsProduct("m")])})`)}
    FROM m`;
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
export function readSearchCounts(row: Row): { total: number; facets: Record<Facet, Record<string, number>> } {
  const values: Record<Exclude<Facet, "product">, readonly string[]> = {
    useCase: USE_CASES,
    cloud: CLOUDS,
    layer: LAYERS,
    arch: ARCHES,
    fips: ["true", "false"],
  };
  const products = "products" in row ? (JSON.parse(row.products as string) as [string, number][]) : [];
  const facets = { product: Object.fromEntries(products) } as Record<Facet, Record<string, number>>;
  for (const [facet, list] of Object.entries(values) as [Exclude<Facet, "product">, readonly string[]][])
    facets[facet] = Object.fromEntries(list.map((value, i) => [value, Number(row[`${facet}_${i}`])]));
  return { total: Number(row.total), facets };
}

/** Every non-yanked version of the named pack, newest first. */
export function versionsOfStatement(name: string): SQL {
  return sql`SELECT ${versionColumns} FROM pack_versions pv JOIN packs p ON p.name = pv.pack_name
    WHERE pv.pack_name = ${name} AND pv.yanked = 0 ORDER BY pv.version_key DESC`;
}

/** Every non-yanked version of each named pack (one bound JSON list), by name and newest first: an upgrade's candidates. */
export function versionsOfPacksStatement(names: string[]): SQL {
  return sql`SELECT ${versionColumns} FROM pack_versions pv JOIN packs p ON p.name = pv.pack_name
    WHERE pv.pack_name IN (SELECT value FROM json_each(${JSON.stringify(names)})) AND pv.yanked = 0
    ORDER BY pv.pack_name, pv.version_key DESC`;
}

/**
 * How many versions one row of versionsInLayerStatement carries: a few hundred kilobytes of JSON,
 * far below D1's 2 MB limit on a single value, however large the layer grows.
 */
export const LAYER_CHUNK = 200;

/**
 * Every non-yanked version in one layer (or, with `range`, in one stretch of it by pack name): the
 * candidates the compatibility check assesses. A large layer holds thousands of versions, and as one
 * D1 row each (19 columns plus five child lists) moving and materialising the rows costs more than
 * the query; so SQLite folds them into a few rows of one JSON array each (at most LAYER_CHUNK
 * versions, by rowid: no window to compute), positional fields, which the worker parses natively.
 * The enum lists come as comma-joined text, cheaper for SQLite to build than JSON; the sync admits
 * only enum values there, none holding a comma. Read the rows with readLayerRows, which also
 * restores the order.
 */
export function versionsInLayerStatement(layer: LayerScope, range?: LayerRange): SQL {
  const inRange = range
    ? // The stretch is a range of the index (an open end is the last code point, after every name):
      // written as "stop IS NULL OR name <= stop", SQLite would walk the layer to its end instead.
      sql` AND p.name > (SELECT start FROM bounds) AND p.name <= coalesce((SELECT stop FROM bounds), char(1114111))${packWords(range)}`
    : sql``;
  return sql`${range ? rangeBounds(layer, range) : sql``}SELECT json_group_array(json_array(
      p.name, p.display_name, p.layer, p.addon_type, p.description, p.source,
      pv.version, pv.version_key, pv.kernel, pv.eol, pv.fips, pv.file_name, pv.size, pv.sha256,
      pv.signature_file_name, pv.signature_size, pv.key_id, pv.published_at,
      (SELECT group_concat(arch) FROM pack_version_arches WHERE pack_version_id = pv.id),
      (SELECT group_concat(cloud) FROM pack_version_clouds WHERE pack_version_id = pv.id),
      (SELECT group_concat(use_case) FROM pack_version_use_cases WHERE pack_version_id = pv.id),
      json((SELECT json_group_array(json_array(product_id, min_version, max_version)) FROM pack_version_products WHERE pack_version_id = pv.id)),
      json((SELECT json_group_array(json_array(pack_name, layer, type, min_version, max_version)) FROM pack_dependencies WHERE pack_version_id = pv.id))
    )) AS versions
    FROM packs p CROSS JOIN pack_versions pv ON pv.pack_name = p.name
    WHERE ${inLayer(layer, range)}pv.yanked = 0${inRange}
    GROUP BY pv.rowid / ${sql.raw(String(LAYER_CHUNK))}`;
}

/**
 * A layer, or "every" layer at once (add-on only's parts list): then the walk follows the packs'
 * primary key by name, not a layer's index, and the stretch spans every layer.
 */
export type LayerScope = Layer | "every";

/**
 * The layer condition. With search words the packs come from the words' full-text matches (a list
 * as long as the matches), so the layer is then only checked (`+` keeps SQLite from walking the
 * layer's index, which would read every pack of the layer up to the page's end to find them).
 */
const inLayer = (layer: LayerScope, range?: LayerRange) => {
  if (layer === "every") return sql``;
  return range && searches(range) ? sql`+p.layer = ${layer} AND ` : sql`p.layer = ${layer} AND `;
};

const searches = (range: LayerRange) => range.words.some((w) => ftsQuery(w) !== undefined);

/**
 * One page of a layer for the compatibility check: the stretch of packs by name after `after` that
 * holds the next `limit` packs with a version the filter admits (skipping `offset` such packs
 * first), together with every other pack of the layer in between, so each hidden version is on
 * exactly one page. `filter` only finds where the stretch ends; what is offered is decided by
 * assessing every version in it. `words` (lower case) must each match a pack's name, display
 * name, description or add-on type as the packs search does (a word is a prefix of a word there).
 */
export type LayerRange = {
  filter: CatalogFilter;
  /** A condition on `pv` the filter cannot express (the compatibility check's FIPS rule). */
  extra?: SQL;
  after?: string;
  offset: number;
  limit: number;
  words: string[];
  /**
   * How each layer is named to people: a word also matches a pack whose layer's name holds it
   * ("network" finds the CNIs when every layer is searched).
   */
  layerNames?: Partial<Record<Layer, string>>;
};

/**
 * Each word as a condition on `p`: the pack is among the word's full-text matches (the packs
 * search's index and prefix rule, see ftsQuery), or among the packs of a layer whose name holds it.
 * As a list of rowids the query can start from, a search reads its matches, not every pack of the
 * layer up to the page's end, as a text test per pack would.
 */
function packWords({ words, layerNames = {} }: Pick<LayerRange, "words" | "layerNames">): SQL {
  return sql.join(
    words.flatMap((w) => {
      const match = ftsQuery(w);
      // A word with nothing to search by (punctuation only) narrows nothing.
      if (!match) return [];
      // The layers' names are few and fixed: which ones hold the word is decided here, not per row.
      const named = (Object.entries(layerNames) as [Layer, string][])
        .filter(([, name]) => name.toLowerCase().includes(w))
        .map(([layer]) => layer);
      const inNamedLayer = named.length
        ? sql` UNION ALL SELECT rowid FROM packs WHERE layer IN (${sql.join(named, sql`, `)})`
        : sql``;
      return [sql` AND p.rowid IN (SELECT rowid FROM pack_search WHERE pack_search MATCH ${match}${inNamedLayer})`];
    }),
    sql``,
  );
}

/**
 * The packs that bound a LayerRange, by name: `offset + limit + 1` at most, walked in the layer's
 * index. With search words the walk is the words' matches instead, sorted by name first and only
 * then checked version by version until enough are found (`LIMIT -1` keeps SQLite from folding
 * the sort into the outer query, which would check every match before sorting; the outer ORDER BY
 * states the order, and SQLite sees the subquery already has it). A word that names a layer
 * matches all of it, and without that order a page would check every pack of that layer.
 */
function rangeCandidates(layer: LayerScope, range: LayerRange): SQL {
  const conditions = [...versionConditions(range.filter, undefined, "lookup"), ...(range.extra ? [range.extra] : [])];
  const fits = (alias: string) =>
    sql`EXISTS (SELECT 1 FROM pack_versions pv INDEXED BY pack_versions_by_pack WHERE pv.pack_name = ${sql.raw(alias)}.name AND ${and(conditions)})`;
  const limit = range.offset + range.limit + 1;
  if (!searches(range))
    return sql`SELECT p.name FROM packs p WHERE ${inLayer(layer, range)}p.name > ${range.after ?? ""} AND ${fits("p")}
      ORDER BY p.name LIMIT ${limit}`;
  return sql`SELECT matched.name FROM (SELECT p.name FROM packs p
        WHERE ${inLayer(layer, range)}p.name > ${range.after ?? ""}${packWords(range)} ORDER BY p.name LIMIT -1) AS matched
    WHERE ${fits("matched")} ORDER BY matched.name LIMIT ${limit}`;
}

/** `bounds(start, stop, more)`: the stretch is (start, stop]; stop is null when it runs to the layer's end. */
function rangeBounds(layer: LayerScope, range: LayerRange): SQL {
  const nth = (n: number) => sql`(SELECT name FROM candidates ORDER BY name LIMIT 1 OFFSET ${n})`;
  const start = range.offset > 0 ? sql`coalesce(${nth(range.offset - 1)}, char(1114111))` : sql`${range.after ?? ""}`;
  return sql`WITH candidates AS (${rangeCandidates(layer, range)}),
    bounds AS (SELECT ${start} AS start,
      CASE WHEN (SELECT count(*) FROM candidates) > ${range.offset + range.limit} THEN ${nth(range.offset + range.limit - 1)} END AS stop)
    `;
}

/** Where a LayerRange ends: `stop` (the next page's cursor) when more candidates follow, else null. */
export function layerRangeStatement(layer: LayerScope, range: LayerRange): SQL {
  return sql`${rangeBounds(layer, range)}SELECT start, stop FROM bounds`;
}

/** Specific non-yanked pack versions by their `${name}@${version}` ids (one bound JSON list: D1 caps bound parameters at 100). */
export function versionsByIdStatement(ids: string[]): SQL {
  return sql`SELECT ${versionColumns} FROM pack_versions pv JOIN packs p ON p.name = pv.pack_name
    WHERE pv.id IN (SELECT value FROM json_each(${JSON.stringify(ids)})) AND pv.yanked = 0`;
}

export type PackInfo = {
  name: string;
  displayName: string;
  layer: Layer;
  addonType: string | null;
  description: string;
  source: string;
};

export type ProductRange = { product: string; minVersion: string | null; maxVersion: string | null };
export type Dependency = {
  packName: string;
  layer: Layer;
  type: DependencyType;
  minVersion: string | null;
  maxVersion: string | null;
};

/** What the catalog shows of any signed artifact (a pack version or an installer). */
export type SignedArtifactInfo = {
  fileName: string;
  size: number;
  sha256: string;
  signatureFileName: string;
  signatureSize: number;
  keyId: string;
  publishedAt: string;
};

export type PackVersionInfo = SignedArtifactInfo & {
  version: string;
  kernel: string | null;
  eol: string | null;
  fips: boolean;
  arches: Arch[];
  clouds: string[];
  useCases: UseCase[];
  products: ProductRange[];
  dependencies: Dependency[];
};

const jsonList = <T>(value: unknown): T[] => (typeof value === "string" ? (JSON.parse(value) as T[]) : []);
const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const archOrder = (a: string) => ARCHES.indexOf(a as Arch);
const cloudOrder = (c: string) => (c === "all" ? -1 : CLOUDS.indexOf(c as Cloud));

// Child lists come back in no particular order; these fix one. (Most hold one item: skip the sort call.)
const sorted = <T>(list: T[], compare: (a: T, b: T) => number) => (list.length > 1 ? list.sort(compare) : list);
const sortArches = (arches: Arch[]) => sorted(arches, (a, b) => archOrder(a) - archOrder(b));
const sortClouds = (clouds: string[]) => sorted(clouds, (a, b) => cloudOrder(a) - cloudOrder(b));
const sortUseCases = (useCases: UseCase[]) => sorted(useCases, (a, b) => USE_CASES.indexOf(a) - USE_CASES.indexOf(b));
const sortProducts = (products: ProductRange[]) => sorted(products, (a, b) => byText(a.product, b.product));
const sortDependencies = (dependencies: Dependency[]) =>
  sorted(dependencies, (a, b) => byText(a.packName, b.packName) || byText(a.type, b.type));

/** One row of `versionColumns` as the pack it belongs to and the version's own fields. */
export function readVersionRow(row: Row): { pack: PackInfo; version: PackVersionInfo } {
  return {
    pack: {
      name: row.name as string,
      displayName: row.displayName as string,
      layer: row.layer as Layer,
      addonType: (row.addonType as string | null) ?? null,
      description: row.description as string,
      source: row.source as string,
    },
    version: {
      version: row.version as string,
      kernel: (row.kernel as string | null) ?? null,
      eol: (row.eol as string | null) ?? null,
      fips: Boolean(row.fips),
      arches: sortArches(jsonList<Arch>(row.arches)),
      clouds: sortClouds(jsonList<string>(row.clouds)),
      useCases: sortUseCases(jsonList<UseCase>(row.useCases)),
      products: sortProducts(jsonList<ProductRange>(row.products)),
      dependencies: sortDependencies(jsonList<Dependency>(row.dependencies)),
      fileName: row.fileName as string,
      size: row.size as number,
      sha256: row.sha256 as string,
      signatureFileName: row.signatureFileName as string,
      signatureSize: row.signatureSize as number,
      keyId: row.keyId as string,
      publishedAt: new Date(row.publishedAt as number).toISOString(),
    },
  };
}

/** One version as versionsInLayerStatement's json_array lays it out. */
type LayerVersionTuple = [
  name: string,
  displayName: string,
  layer: Layer,
  addonType: string | null,
  description: string,
  source: string,
  version: string,
  versionKey: string,
  kernel: string | null,
  eol: string | null,
  fips: number,
  fileName: string,
  size: number,
  sha256: string,
  signatureFileName: string,
  signatureSize: number,
  keyId: string,
  publishedAt: number,
  arches: string | null,
  clouds: string | null,
  useCases: string | null,
  products: [product: string, minVersion: string | null, maxVersion: string | null][],
  dependencies: [
    packName: string,
    layer: Layer,
    type: DependencyType,
    minVersion: string | null,
    maxVersion: string | null,
  ][],
];

const byNameThenNewest = (a: LayerVersionTuple, b: LayerVersionTuple) =>
  byText(a[0], b[0]) || byText(b[7], a[7]) || byText(b[6], a[6]);
const commaList = <T extends string>(text: string | null): T[] => (text ? (text.split(",") as T[]) : []);

const productRanges = (products: LayerVersionTuple[21]) =>
  sortProducts(products.map(([product, minVersion, maxVersion]) => ({ product, minVersion, maxVersion })));

const dependencyList = (dependencies: LayerVersionTuple[22]) =>
  sortDependencies(
    dependencies.map(([packName, layer, type, minVersion, maxVersion]) => ({
      packName,
      layer,
      type,
      minVersion,
      maxVersion,
    })),
  );

/** One tuple as a flat pack-and-version record; `publishedText` formats the publish time. */
function layerVersionOf(tuple: LayerVersionTuple, publishedText: (ms: number) => string): PackInfo & PackVersionInfo {
  const [
    name,
    displayName,
    layer,
    addonType,
    description,
    source,
    version,
    ,
    kernel,
    eol,
    fips,
    fileName,
    size,
    sha256,
    signatureFileName,
    signatureSize,
    keyId,
    publishedAt,
    arches,
    clouds,
    useCases,
    products,
    dependencies,
  ] = tuple;
  return {
    name,
    displayName,
    layer,
    addonType: addonType ?? null,
    description,
    source,
    version,
    kernel: kernel ?? null,
    eol: eol ?? null,
    fips: Boolean(fips),
    arches: sortArches(commaList<Arch>(arches)),
    clouds: sortClouds(commaList(clouds)),
    useCases: sortUseCases(commaList<UseCase>(useCases)),
    products: productRanges(products),
    dependencies: dependencyList(dependencies),
    fileName,
    size,
    sha256,
    signatureFileName,
    signatureSize,
    keyId,
    publishedAt: publishedText(publishedAt),
  };
}

/**
 * versionsInLayerStatement's rows as flat pack-and-version records, fields in readVersionRow's
 * order, by pack name and newest version first. Flat, because thousands of them are assessed and
 * serialised per request and every spread into a new object shows in the time.
 */
export function readLayerRows(rows: Row[]): (PackInfo & PackVersionInfo)[] {
  const tuples = rows
    .flatMap((row) => JSON.parse(row.versions as string) as LayerVersionTuple[])
    .sort(byNameThenNewest);
  // Versions published together share a timestamp: format each one once, not once per version.
  const published = new Map<number, string>();
  const publishedText = (ms: number) => published.get(ms) ?? published.set(ms, new Date(ms).toISOString()).get(ms)!;
  return tuples.map((tuple) => layerVersionOf(tuple, publishedText));
}
