// The candidates of one layer (or every layer) for the compatibility check: every non-yanked version,
// or one page of the layer in display order (domain/display-sort.ts) with where it ends, folded into few rows and read back as
// flat pack-and-version records. readCompatibilityInputs reads the product, its version, the chosen
// packs and (when known) the layer in one D1 batch.
import { type SQL, sql } from "drizzle-orm";
import { type Layer, type PackRef, packRefId } from "../domain/vocabulary";
import { type Query, query, runBatch } from "./batch";
import type { Db } from "./client";
import { packVersions } from "./schema";
import {
  and,
  byText,
  type CatalogFilter,
  type PackInfo,
  type PackVersionInfo,
  readVersionRow,
  sortArches,
  sortClouds,
  sortDependencies,
  sortProducts,
  sortUseCases,
  versionConditions,
  type VersionRow,
  versionsByIdStatement,
} from "./pack-versions";
import { type ProductRow, productStatement, productVersionStatement } from "./product-rows";
import { ftsQuery, matchesInDisplayOrder } from "./search-text";
import { FACET_BITS } from "./counts/facet-bits";
import { bitsText, inRange, profileMatches } from "./counts/profile-match";
import type { Arch, DependencyType, UseCase } from "../domain/vocabulary";

/**
 * How many versions one row of versionsInLayerStatement carries: a few hundred kilobytes of JSON,
 * far below D1's 2 MB limit on a single value, however large the layer grows.
 */
export const LAYER_CHUNK = 200;

/**
 * Every non-yanked version in one layer (or, with `range`, in one stretch of it in display order): the
 * candidates the compatibility check assesses. A large layer holds thousands of versions, and as one
 * D1 row each (19 columns plus five child lists) moving and materialising the rows costs more than
 * the query; so SQLite folds them into a few rows of one JSON array each (at most LAYER_CHUNK
 * versions, by rowid: no window to compute), positional fields, which the worker parses natively.
 * The enum lists come as comma-joined text, cheaper for SQLite to build than JSON; the sync admits
 * only enum values there, none holding a comma. Read the rows with readLayerRows, which also
 * restores the order. With `range`, each row also carries where the stretch ends (`stop`), so one
 * walk of the layer finds the stretch and reads it.
 */
export function versionsInLayerStatement(layer: LayerScope, range?: LayerRange): Query<LayerVersionsRow> {
  const searched = range && searches(range);
  // The stretch is a range of the index (an open end is the last code point, after every name):
  // written as "stop IS NULL OR name <= stop", SQLite would walk the layer to its end instead.
  const inStretch = sql`p.display_sort_key > (SELECT start FROM bounds) AND p.display_sort_key <= coalesce((SELECT stop FROM bounds), char(1114111))`;
  // A searched stretch reads the packs its words find between both ends (searchedPacks), never a
  // list of every match nor a walk of every layer's packs in between.
  const from = searched
    ? sql`(${searchedPacks(layer, range, { after: sql`(SELECT start FROM bounds)`, upTo: sql`(SELECT stop FROM bounds)` })}) AS member CROSS JOIN packs p ON p.rowid = member.rowid`
    : sql`packs p`;
  const where = searched
    ? sql`pv.yanked = 0`
    : sql`${inLayer(layer)}pv.yanked = 0${range ? sql` AND ${inStretch}` : sql``}`;
  // Only a pack the stretch's walk found may fit (a candidate) needs its details: the rest of the
  // stretch, most of a page, comes as what names a version and what assessPack reads. That is kept
  // in one value (pack_versions.assessed): one row a version, not its five child lists' ten or so.
  // A version without it (written by a worker older than migration 0020) is read from the lists;
  // coalesce evaluates its second argument only then.
  const assessed = sql`p.name, p.display_name, p.layer, pv.version, pv.version_key, pv.fips,
      json(coalesce(pv.assessed, ${assessedFromChildLists(sql`pv.id`)})), p.display_sort_key`;
  const detailed = sql`json_array(${assessed}, p.addon_type, p.description, p.source, pv.kernel, pv.eol,
      pv.file_name, pv.size, pv.sha256, pv.signature_file_name, pv.signature_size, pv.key_id, pv.published_at)`;
  const tuple = range
    ? sql`CASE WHEN p.display_sort_key IN (SELECT key FROM candidates WHERE fits) THEN ${detailed} ELSE json_array(${assessed}) END`
    : detailed;
  return query<LayerVersionsRow>(sql`${range ? rangeBounds(layer, range) : sql``}SELECT json_group_array(${tuple}) AS versions${range ? sql`, (SELECT stop FROM bounds) AS stop` : sql``}
    FROM ${from} CROSS JOIN pack_versions pv ON pv.pack_name = p.name
    WHERE ${where}
    GROUP BY pv.rowid / ${sql.raw(String(LAYER_CHUNK))}`);
}

/**
 * What the compatibility check reads of the version whose id is `versionId`, from its child lists,
 * as pack_versions.assessed keeps it: its architectures, clouds and use cases as comma-joined text
 * (cheaper for SQLite to build than JSON; the sync admits only enum values there, none holding a
 * comma), its product ranges and its dependencies. Migration 0020's backfill is the same text.
 */
export const assessedFromChildLists = (versionId: SQL) => sql`json_array(
      (SELECT group_concat(arch) FROM pack_version_arches WHERE pack_version_id = ${versionId}),
      (SELECT group_concat(cloud) FROM pack_version_clouds WHERE pack_version_id = ${versionId}),
      (SELECT group_concat(use_case) FROM pack_version_use_cases WHERE pack_version_id = ${versionId}),
      json((SELECT json_group_array(json_array(product_id, min_version, max_version)) FROM pack_version_products WHERE pack_version_id = ${versionId})),
      json((SELECT json_group_array(json_array(pack_name, layer, type, min_version, max_version)) FROM pack_dependencies WHERE pack_version_id = ${versionId})))`;

/** Keeps `assessed` for the versions `scope` selects, from their child lists as they stand (after their rows are written). */
export const keepAssessedStatement = (db: Db, scope: SQL) =>
  db
    .update(packVersions)
    .set({ assessed: assessedFromChildLists(sql`pack_versions.id`) })
    .where(scope);

/**
 * A layer, or "every" layer at once (add-on only's parts list): then the walk follows the packs'
 * display-order index, not a layer's, and the stretch spans every layer.
 */
export type LayerScope = Layer | "every";

/** The layer condition (none for every layer). */
const inLayer = (layer: LayerScope) => (layer === "every" ? sql`` : sql`p.layer = ${layer} AND `);

const searches = (range: LayerRange) => range.words.some((w) => ftsQuery(w) !== undefined);

/**
 * One page of a layer for the compatibility check: the stretch of packs in display order after the
 * sort key `after` that holds the next `limit` packs with a version the filter admits (skipping
 * `offset` such packs first), together with every other pack of the layer in between, so each
 * hidden version is on exactly one page; or, with `everyPack`, the next `limit` packs whether they
 * may fit or not, so a page's size is bounded whatever share of the layer fits. `filter` finds
 * where the stretch ends and which packs' details to read; what is offered is decided by
 * assessing every version in it. `words` (lower case) must each match a pack's name, display
 * name, description or add-on type as the packs search does (a word is a prefix of a word there).
 */
export type LayerRange = {
  filter: CatalogFilter;
  /**
   * The compatibility check's FIPS rule, which the filter cannot express: FIPS builds only when
   * `asked`, or when the product requires FIPS (Palette VerteX).
   */
  fipsRule?: { product: string; asked: boolean };
  after?: string;
  offset: number;
  limit: number;
  /**
   * `limit` (and `offset`) count every pack of the layer with a published version, not only those
   * that may fit. Not with search words.
   */
  everyPack?: boolean;
  words: string[];
  /**
   * How each layer is named to people: a word also matches a pack whose layer's name holds it
   * ("network" finds the CNIs when every layer is searched).
   */
  layerNames?: Partial<Record<Layer, string>>;
};

/** A search word: its full-text match (the packs search's index and prefix rule, see ftsQuery), and the layers whose names hold it. */
type SearchWord = { match: string; namedLayers: Layer[] };

/** The range's words that search by something (punctuation alone narrows nothing). */
function searchWords({ words, layerNames = {} }: Pick<LayerRange, "words" | "layerNames">): SearchWord[] {
  return words.flatMap((w) => {
    const match = ftsQuery(w);
    if (!match) return [];
    // The layers' names are few and fixed: which ones hold the word is decided here, not per row.
    const namedLayers = (Object.entries(layerNames) as [Layer, string][])
      .filter(([, name]) => name.toLowerCase().includes(w))
      .map(([layer]) => layer);
    return [{ match, namedLayers }];
  });
}

/** The pack on `p` is found by the word: a full-text match (looked up by rowid), or in a layer named by it. */
function foundBy({ match, namedLayers }: SearchWord): SQL {
  const inNamedLayer = namedLayers.length ? sql` OR p.layer IN (${sql.join(namedLayers, sql`, `)})` : sql``;
  return sql`(EXISTS (SELECT 1 FROM pack_search WHERE pack_search MATCH ${match} AND pack_search.rowid = p.rowid)${inNamedLayer})`;
}

/**
 * The packs (rowid, key) a searched range's words find in scope, in display order, between the sort
 * keys `after` (exclusive) and `upTo` (inclusive; NULL: to the end): each must be found by every
 * word. The first word leads, two ways at once:
 * - its full-text matches in display order (matchesInDisplayOrder), so a page reads the matches it
 *   lists and those turned away, not every match nor every pack in between;
 * - each layer its name holds, walked in that layer's display-order index, so a word naming a
 *   layer ("network") reads the packs of the page, not the whole layer.
 * `fits` and `limit` stop each at the page's end.
 */
function searchedPacks(
  layer: LayerScope,
  range: Pick<LayerRange, "words" | "layerNames">,
  { after, upTo, fits, limit = -1 }: { after: SQL; upTo?: SQL; fits?: (alias: string) => SQL; limit?: number },
): SQL {
  const [lead, ...others] = searchWords(range);
  const inKeys = [
    sql`p.display_sort_key > ${after}`,
    ...(upTo ? [sql`p.display_sort_key <= coalesce(${upTo}, char(1114111))`] : []),
  ];
  const scoped = [
    ...(layer === "every" ? [] : [sql`p.layer = ${layer}`]),
    ...inKeys,
    ...others.map(foundBy),
    ...(fits ? [fits("p")] : []),
  ];
  const matched = matchesInDisplayOrder(lead.match, { after, upTo });
  const branches = [
    sql`SELECT p.rowid AS rowid, p.display_sort_key AS key FROM ${matched.from}
      WHERE ${and([...matched.conditions, ...scoped])} ORDER BY ${matched.order} LIMIT ${limit}`,
    ...lead.namedLayers
      .filter((named) => layer === "every" || named === layer)
      .map(
        (named) => sql`SELECT p.rowid AS rowid, p.display_sort_key AS key FROM packs p
          WHERE ${and([sql`p.layer = ${named}`, ...scoped])} ORDER BY p.display_sort_key LIMIT ${limit}`,
      ),
  ];
  return sql`SELECT rowid, key FROM (${sql.join(
    branches.map((branch) => sql`SELECT rowid, key FROM (${branch})`),
    sql` UNION `,
  )}) ORDER BY key LIMIT ${limit}`;
}

/**
 * The packs that bound a LayerRange, by sort key, each with whether it may fit (`fits`, by its kept
 * ranges): `offset + limit + 1` at most, walked in the layer's display-order index, keeping only
 * those that may fit, or with `everyPack` those with a published version; with search words, the
 * packs the words find (searchedPacks), in that order until enough are found.
 */
function rangeCandidates(layer: LayerScope, range: LayerRange): SQL {
  const fits = (alias: string) => mayFit(range, alias);
  const limit = range.offset + range.limit + 1;
  const after = sql`p.display_sort_key > ${range.after ?? ""}`;
  if (range.everyPack) {
    // Nothing pages every pack of a search; a page that did would need its own walk and test.
    if (searches(range)) throw new Error("a page of every pack is not searched");
    // A pack whose every version is yanked (or withdrawn with a key) lists nothing: counted, a page
    // of such packs would read no rows, and with them where the layer goes on.
    const published = sql`EXISTS (SELECT 1 FROM pack_versions pv INDEXED BY pack_versions_by_pack WHERE pv.pack_name = p.name AND pv.yanked = 0)`;
    return sql`SELECT p.display_sort_key AS key, ${fits("p")} AS fits FROM packs p
      WHERE ${inLayer(layer)}${after} AND ${published} ORDER BY p.display_sort_key LIMIT ${limit}`;
  }
  if (!searches(range))
    return sql`SELECT p.display_sort_key AS key, 1 AS fits FROM packs p WHERE ${inLayer(layer)}${after} AND ${fits("p")}
      ORDER BY p.display_sort_key LIMIT ${limit}`;
  return sql`SELECT key, 1 AS fits FROM (${searchedPacks(layer, range, { after: sql`${range.after ?? ""}`, fits, limit })})`;
}

/**
 * Whether the pack on `alias` (its name and rowid) has a version the range's filter and FIPS rule
 * admit. With a product version (every compatibility check has one), the pack's kept product
 * ranges answer it (counts/README.md): a row or two a pack, each holding a version's facet mask
 * and product version range together, so the walk reads the packs it passes, not their versions
 * and their child lists. Without one, the versions are looked up.
 */
function mayFit(range: LayerRange, alias: string): SQL {
  const { filter, fipsRule } = range;
  if (filter.product && filter.version) {
    const rule = fipsRule ? [fipsRuleOn(fipsRule, sql`(x.mask & ${bitsText(FACET_BITS.fips.true)}) <> 0`)] : [];
    return sql`EXISTS (SELECT 1 FROM pack_product_ranges x WHERE x.pack_rowid = ${sql.raw(alias)}.rowid
      AND x.product_id = ${filter.product} AND ${and([
        profileMatches({ ...filter, product: undefined, version: undefined }, "x"),
        inRange("x", filter.version),
        ...rule,
      ])})`;
  }
  const conditions = [
    ...versionConditions(filter, undefined, "lookup"),
    ...(fipsRule ? [fipsRuleOn(fipsRule, sql`pv.fips = 1`)] : []),
  ];
  return sql`EXISTS (SELECT 1 FROM pack_versions pv INDEXED BY pack_versions_by_pack WHERE pv.pack_name = ${sql.raw(alias)}.name AND ${and(conditions)})`;
}

/** The FIPS rule, given the test that a version (or kept row) is a FIPS build. */
function fipsRuleOn({ product, asked }: { product: string; asked: boolean }, isFips: SQL): SQL {
  const fipsOnly = asked ? sql`1` : sql`EXISTS (SELECT 1 FROM products WHERE id = ${product} AND fips = 1)`;
  return sql`(${isFips} OR NOT ${fipsOnly})`;
}

/** `bounds(start, stop, more)`: the stretch is (start, stop]; stop is null when it runs to the layer's end. */
function rangeBounds(layer: LayerScope, range: LayerRange): SQL {
  const nth = (n: number) => sql`(SELECT key FROM candidates ORDER BY key LIMIT 1 OFFSET ${n})`;
  const start = range.offset > 0 ? sql`coalesce(${nth(range.offset - 1)}, char(1114111))` : sql`${range.after ?? ""}`;
  // Kept (MATERIALIZED): both ends and the count read it, and a union is not materialised unasked.
  return sql`WITH candidates AS MATERIALIZED (${rangeCandidates(layer, range)}),
    bounds AS (SELECT ${start} AS start,
      CASE WHEN (SELECT count(*) FROM candidates) > ${range.offset + range.limit} THEN ${nth(range.offset + range.limit - 1)} END AS stop)
    `;
}

/**
 * One row of versionsInLayerStatement: up to LAYER_CHUNK versions as a JSON array of
 * LayerVersionTuple, and for a range, where its stretch ends: `stop`, the next page's cursor, when
 * more candidates follow, else null. A stretch that ends early holds a candidate, so a page with
 * no rows is the last.
 */
export type LayerVersionsRow = { versions: string; stop?: string | null };

/** pack_versions.assessed: a version's child lists, as assessedFromChildLists builds them. */
type AssessedLists = [
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

/** What every tuple of versionsInLayerStatement holds: what names a version, and what assessPack reads. */
type AssessedTuple = [
  name: string,
  displayName: string,
  layer: Layer,
  version: string,
  versionKey: string,
  fips: number,
  lists: AssessedLists,
  sortKey: string,
];

/** What a candidate pack's version carries after the assessed fields: its details. */
type DetailFields = [
  addonType: string | null,
  description: string,
  source: string,
  kernel: string | null,
  eol: string | null,
  fileName: string,
  size: number,
  sha256: string,
  signatureFileName: string,
  signatureSize: number,
  keyId: string,
  publishedAt: number,
];
type DetailedTuple = [...AssessedTuple, ...DetailFields];

type LayerVersionTuple = AssessedTuple | DetailedTuple;
const ASSESSED_FIELDS = 8;

const inListOrderThenNewest = (a: LayerVersionTuple, b: LayerVersionTuple) =>
  byText(a[7], b[7]) || byText(b[4], a[4]) || byText(b[3], a[3]);
const commaList = <T extends string>(text: string | null): T[] => (text ? (text.split(",") as T[]) : []);

const productRanges = (products: AssessedLists[3]) =>
  sortProducts(products.map(([product, minVersion, maxVersion]) => ({ product, minVersion, maxVersion })));

const dependencyList = (dependencies: AssessedLists[4]) =>
  sortDependencies(
    dependencies.map(([packName, layer, type, minVersion, maxVersion]) => ({
      packName,
      layer,
      type,
      minVersion,
      maxVersion,
    })),
  );

/**
 * A version read without its details: its pack was not found to fit (pack_product_ranges), so it is
 * expected to be hidden; if assessPack offers it anyway, readDetails fetches the rest.
 */
export type UndetailedVersion = Pick<
  PackInfo & PackVersionInfo,
  "name" | "displayName" | "layer" | "version" | "fips" | "arches" | "clouds" | "useCases" | "products" | "dependencies"
> & { undetailed: true };
export type LayerVersion = (PackInfo & PackVersionInfo) | UndetailedVersion;
export const isUndetailed = (v: LayerVersion): v is UndetailedVersion => "undetailed" in v;

/** The fields assessPack reads, from any tuple. */
const assessedFields = (tuple: LayerVersionTuple) => {
  const [arches, clouds, useCases, products, dependencies] = tuple[6];
  return {
    fips: Boolean(tuple[5]),
    arches: sortArches(commaList<Arch>(arches)),
    clouds: sortClouds(commaList(clouds)),
    useCases: sortUseCases(commaList<UseCase>(useCases)),
    products: productRanges(products),
    dependencies: dependencyList(dependencies),
  };
};

/** One tuple as a flat pack-and-version record; `publishedText` formats the publish time. */
function layerVersionOf(tuple: LayerVersionTuple, publishedText: (ms: number) => string): LayerVersion {
  const [name, displayName, layer, version] = tuple;
  if (tuple.length === ASSESSED_FIELDS)
    return { name, displayName, layer, version, ...assessedFields(tuple), undetailed: true };
  const [
    addonType,
    description,
    source,
    kernel,
    eol,
    fileName,
    size,
    sha256,
    signatureFileName,
    signatureSize,
    keyId,
    publishedAt,
  ] = tuple.slice(ASSESSED_FIELDS) as DetailFields;
  const { fips, arches, clouds, useCases, products, dependencies } = assessedFields(tuple);
  // In readVersionRow's order, so every answer lists a version's fields alike.
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
    fips,
    arches,
    clouds,
    useCases,
    products,
    dependencies,
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
 * order, in display order and newest version first. Flat, because thousands of them are assessed and
 * serialised per request and every spread into a new object shows in the time.
 */
export function readLayerRows(rows: LayerVersionsRow[]): LayerVersion[] {
  const tuples = rows.flatMap((row) => JSON.parse(row.versions) as LayerVersionTuple[]).sort(inListOrderThenNewest);
  // Versions published together share a timestamp: format each one once, not once per version.
  const published = new Map<number, string>();
  const publishedText = (ms: number) => published.get(ms) ?? published.set(ms, new Date(ms).toISOString()).get(ms)!;
  return tuples.map((tuple) => layerVersionOf(tuple, publishedText));
}

/** Which candidates to read: a layer (or every layer), whole or one page of it. */
export type LayerRequest = { scope: LayerScope; range?: LayerRange };

/** The candidates read, and where the page's stretch ends (the next page starts after it), if more follow. */
export type LayerCandidates = { candidates: LayerVersion[]; stop: string | null };

/** The statement that reads a layer's candidates: the whole layer, or one page of it with where it ends. */
const layerStatement = ({ scope, range }: LayerRequest) => versionsInLayerStatement(scope, range);

function layerCandidates(versionRows: LayerVersionsRow[]): LayerCandidates {
  const stop = versionRows[0]?.stop;
  return { candidates: readLayerRows(versionRows), stop: typeof stop === "string" ? stop : null };
}

/** A layer's candidates in one round trip. */
export async function readLayer(db: Db, request: LayerRequest): Promise<LayerCandidates> {
  const [versionRows] = await runBatch(db, [layerStatement(request)]);
  return layerCandidates(versionRows);
}

export type CompatibilityInputs = {
  product: ProductRow | undefined;
  /** Whether the product publishes the version. */
  hasVersion: boolean;
  /** The chosen versions the catalog still publishes, by `name@version`. */
  chosen: Map<string, PackInfo & PackVersionInfo>;
  /** The layer's candidates, when `layer` was given. */
  layer?: LayerCandidates;
};

/** The product, its version, the chosen packs and (when given) a layer's candidates, in one D1 batch. */
export async function readCompatibilityInputs(
  db: Db,
  input: { product: string; version: string; chosen: PackRef[]; layer?: LayerRequest },
): Promise<CompatibilityInputs> {
  const [productRows, versionRows, chosenRows, layerRows] = await runBatch(db, [
    productStatement(input.product),
    productVersionStatement(input.product, input.version),
    versionsByIdStatement(input.chosen.map(packRefId)),
    ...(input.layer ? [layerStatement(input.layer)] : ([] as const)),
  ]);
  return {
    product: productRows[0],
    hasVersion: versionRows.length > 0,
    chosen: versionsById(chosenRows),
    layer: layerRows ? layerCandidates(layerRows as LayerVersionsRow[]) : undefined,
  };
}

/** Published versions by `name@version`, from versionsByIdStatement's rows. */
function versionsById(rows: VersionRow[]): Map<string, PackInfo & PackVersionInfo> {
  return new Map(
    rows.map((row) => {
      const { pack, version } = readVersionRow(row);
      return [packRefId({ name: pack.name, version: version.version }), { ...pack, ...version }];
    }),
  );
}

/**
 * The details of versions read undetailed (see UndetailedVersion), in one round trip; only needed
 * when a pack's kept ranges disagree with assessPack, so normally never. A version yanked since is
 * missing from the map.
 */
export async function readDetails(db: Db, versions: PackRef[]): Promise<Map<string, PackInfo & PackVersionInfo>> {
  const [rows] = await runBatch(db, [versionsByIdStatement(versions.map(packRefId))]);
  return versionsById(rows);
}
