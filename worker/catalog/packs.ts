// Browsing the pack catalog: a filtered, searched, faceted page of packs, and the detail of one
// pack or one pack version. Yanked versions never appear; a pack whose every version is yanked is
// as absent as one never published.
import type { SQL } from "drizzle-orm";
import type { Db } from "../db/client";
import {
  type CatalogFilter,
  type Facet,
  type PackInfo,
  type PackVersionInfo,
  pageStatement,
  readSearchCounts,
  readVersionRow,
  type Row,
  runBatch,
  searchCountsStatement,
  productVersionCountsStatement,
  versionsOfStatement,
} from "../db/catalog-queries";
import { ANY, comboCountsStatement, type FacetCombo, productComboCountsStatement } from "../db/facets";
import { ARCHES, CLOUDS, LAYERS, packRefId, USE_CASES } from "../domain/vocabulary";
import { notFound } from "../errors";
import { encodeCursor, type PackFilters } from "./filters";
import { ftsQuery } from "../db/search-text";

export type PackWithVersions = PackInfo & { versions: PackVersionInfo[] };
export type Facets = Record<Facet, Record<string, number>>;
export type PackSearchResult = { items: PackWithVersions[]; facets: Facets; total: number; nextCursor: string | null };

export function catalogFilter(filters: Omit<PackFilters, "cursor" | "limit">): CatalogFilter {
  return {
    product: filters.product,
    version: filters.version,
    useCase: filters.useCase,
    cloud: filters.cloud,
    layer: filters.layer,
    arch: filters.arch,
    fips: filters.fips,
    match: ftsQuery(filters.q),
  };
}

/** Rows ordered by pack then version, folded into one item per pack. */
export function groupByPack(rows: Row[]): PackWithVersions[] {
  const items: PackWithVersions[] = [];
  for (const row of rows) {
    const { pack, version } = readVersionRow(row);
    const last = items.at(-1);
    if (last?.name === pack.name) last.versions.push(version);
    else items.push({ ...pack, versions: [version] });
  }
  return items;
}

type Counts = { total: number; facets: Facets };

/** The filter as a combination of the kept counts (which hold neither search text nor product versions). */
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

// The facets the kept counts answer by value lists (products come from the products table).
const LISTED = [
  ["useCase", USE_CASES],
  ["cloud", CLOUDS],
  ["layer", LAYERS],
  ["arch", ARCHES],
  ["fips", ["true", "false"]],
] as const;
const comboValue = (facet: Facet, value: string) => (facet === "fips" ? (value === "true" ? "1" : "0") : value);

/**
 * Total and facets from the kept counts: the filter's own combination, then, per facet, the
 * combination with that facet set to each value (so every other active filter applies).
 */
function countsFromCombos(combo: FacetCombo) {
  const combos = [
    combo,
    ...LISTED.flatMap(([facet, values]) => values.map((v) => ({ ...combo, [facet]: comboValue(facet, v) }))),
  ];
  return {
    statements: [comboCountsStatement(combos), productComboCountsStatement(combo)],
    read([listed, byProduct]: Row[][]): Counts {
      const n = listed.map((r) => Number(r.n));
      let i = 1;
      const facets = { product: productFacet(byProduct) } as Facets;
      for (const [facet, values] of LISTED) facets[facet] = Object.fromEntries(values.map((v) => [v, n[i++]]));
      return { total: n[0], facets };
    },
  };
}

/** Total and facets counted in the catalog itself, in one pass: what search text needs. */
function countsFromCatalog(f: CatalogFilter & { match: string; version?: undefined }) {
  return {
    statements: [searchCountsStatement(f)],
    read: ([[row]]: Row[][]): Counts => readSearchCounts(row) as Counts,
  };
}

/**
 * Total and facets for a product version, which the kept counts do not hold: every facet but the
 * product's from the product's kept ranges. The product facet drops the product and its version:
 * the kept per-product counts answer it, or with search text the search's own count.
 */
function countsForProductVersion(f: CatalogFilter & { product: string; version: string }) {
  const withoutProduct = { ...f, product: undefined, version: undefined };
  const byProduct = withoutProduct.match
    ? countsFromCatalog({ ...withoutProduct, match: withoutProduct.match })
    : productCountsFromCombo(comboOf(withoutProduct));
  return {
    statements: [productVersionCountsStatement(f), ...byProduct.statements],
    read([[row], ...rest]: Row[][]): Counts {
      const { total, facets } = readSearchCounts(row) as Counts;
      return { total, facets: { ...facets, product: byProduct.read(rest).facets.product } };
    },
  };
}

/** The product facet alone from the kept counts (what countsForProductVersion reads of it). */
function productCountsFromCombo(combo: FacetCombo) {
  return {
    statements: [productComboCountsStatement(combo)],
    read: ([byProduct]: Row[][]) => ({ facets: { product: productFacet(byProduct) } }),
  };
}

const productFacet = (rows: Row[]) => Object.fromEntries(rows.map((r) => [r.id as string, Number(r.n)]));

function countsFor(f: CatalogFilter): { statements: SQL[]; read(rows: Row[][]): Counts } {
  if (f.product && f.version) return countsForProductVersion({ ...f, product: f.product, version: f.version });
  return f.match ? countsFromCatalog({ ...f, match: f.match, version: undefined }) : countsFromCombos(comboOf(f));
}

export async function searchPacks(db: Db, filters: PackFilters): Promise<PackSearchResult> {
  const f = catalogFilter(filters);
  const counts = countsFor(f);
  const [pageRows, ...countRows] = await runBatch(db, [
    pageStatement(f, filters.cursor, filters.limit),
    ...counts.statements,
  ]);
  const packs = groupByPack(pageRows);
  const items = packs.slice(0, filters.limit);
  const { total, facets } = counts.read(countRows);
  return {
    items,
    facets: {
      product: facets.product,
      useCase: facets.useCase,
      cloud: facets.cloud,
      layer: facets.layer,
      arch: facets.arch,
      fips: facets.fips,
    },
    total,
    nextCursor: packs.length > filters.limit ? encodeCursor(items[items.length - 1].name) : null,
  };
}

/** The newest published version of the first pack by name (a real file name for examples), if any. */
export async function firstPackVersion(db: Db): Promise<PackVersionInfo | undefined> {
  const [rows] = await runBatch(db, [pageStatement(catalogFilter({}), undefined, 1)]);
  return groupByPack(rows)[0]?.versions[0];
}

/** A pack with all its published versions, newest first. */
export async function getPack(db: Db, name: string): Promise<PackWithVersions> {
  const [rows] = await runBatch(db, [versionsOfStatement(name)]);
  const [pack] = groupByPack(rows);
  if (!pack) throw notFound(`pack ${name}`);
  return pack;
}

export type PackVersionDetail = PackInfo & PackVersionInfo & { otherVersions: string[] };

/** One published version of a pack, with the other published versions for navigation. */
export async function getPackVersion(db: Db, name: string, version: string): Promise<PackVersionDetail> {
  const [rows] = await runBatch(db, [versionsOfStatement(name)]);
  const [pack] = groupByPack(rows);
  const found = pack?.versions.find((v) => v.version === version);
  if (!pack || !found) throw notFound(`pack ${packRefId({ name, version })}`);
  const { versions, ...info } = pack;
  return { ...info, ...found, otherVersions: versions.map((v) => v.version).filter((v) => v !== version) };
}
