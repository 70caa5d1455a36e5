// Which counts answer a catalog filter's total and facets, beside the statements that count them.
// The statements go into the page's own batch (readPackPage), so one round trip answers a request:
// - no search text and no product version: the kept combinations (pack_facet_counts), a row per
//   value, whatever the catalog's size;
// - search text: one pass over the matches' kept profiles (searchCountsStatement);
// - a product version: the version's kept interval counts, or with search text the matches' kept
//   ranges (productVersionCountsStatement); its product facet is counted as without the version.
import type { Query, RowsOf } from "../batch";
import type { CatalogFilter, Facet } from "../pack-versions";
import { ARCHES, CLOUDS, LAYERS, USE_CASES } from "../../domain/vocabulary";
import { ftsQuery } from "../search-text";
import { comboCountsStatement, type ProductCountRow, productComboCountsStatement } from "./facets";
import { productVersionCountsStatement, readSearchCounts, searchCountsStatement } from "./search-counts";

export type Facets = Record<Facet, Record<string, number>>;
/** `exact`: false when a search counted only its first matches (COUNTED_MATCHES): every count is then a lower bound. */
type Counts = { total: number; facets: Facets; exact: boolean };

/** Statements for one batch and how to read their rows into counts. */
type CountsPlan<R = Counts> = { statements: Query<unknown>[]; read(rows: unknown[][]): R };

/** Pairs statements with their reader, typed by the statements' rows (the one place the rows are untyped). */
const plan = <const Q extends readonly Query<unknown>[], R>(
  statements: Q,
  read: (rows: RowsOf<Q>) => R,
): CountsPlan<R> => ({
  statements: [...statements],
  read: (rows) => read(rows as RowsOf<Q>),
});

// The facets the kept counts answer by value lists (products come from the products table).
const LISTED = [
  ["useCase", USE_CASES],
  ["cloud", CLOUDS],
  ["layer", LAYERS],
  ["arch", ARCHES],
  ["fips", [true, false]],
] as const;

/**
 * Total and facets from the kept counts: the filter's own combination, then, per facet, the
 * combination with that facet set to each value (so every other active filter applies).
 */
function countsFromCombos(f: CatalogFilter) {
  const filters = [f, ...LISTED.flatMap(([facet, values]) => values.map((v) => ({ ...f, [facet]: v })))];
  return plan([comboCountsStatement(filters), productComboCountsStatement(f)], ([listed, byProduct]): Counts => {
    const n = listed.map((r) => Number(r.n));
    let i = 1;
    const facets = { product: productFacet(byProduct) } as Facets;
    for (const [facet, values] of LISTED) facets[facet] = Object.fromEntries(values.map((v) => [String(v), n[i++]]));
    return { total: n[0], facets, exact: true };
  });
}

/** Total and facets counted in the catalog itself, in one pass: what search text needs. */
function countsFromCatalog(f: CatalogFilter & { version?: undefined }, match: string) {
  return plan([searchCountsStatement(f, match)], ([[row]]): Counts => readSearchCounts(row));
}

/**
 * Total and facets for a product version, which the kept counts do not hold: every facet but the
 * product's from the product's kept ranges. The product facet drops the product and its version:
 * the kept per-product counts answer it, or with search text the search's own count.
 */
function countsForProductVersion(f: CatalogFilter & { product: string; version: string }, match: string | undefined) {
  const withoutProduct = { ...f, product: undefined, version: undefined };
  const byProduct: CountsPlan<{ facets: { product: Record<string, number> }; exact: boolean }> = match
    ? countsFromCatalog(withoutProduct, match)
    : productCountsFromCombo(withoutProduct);
  return plan([productVersionCountsStatement(f, match), ...byProduct.statements], ([[row], ...rest]): Counts => {
    const { total, facets, exact } = readSearchCounts(row);
    const products = byProduct.read(rest);
    return { total, facets: { ...facets, product: products.facets.product }, exact: exact && products.exact };
  });
}

/** The product facet alone from the kept counts (what countsForProductVersion reads of it). */
function productCountsFromCombo(f: CatalogFilter) {
  return plan([productComboCountsStatement(f)], ([byProduct]) => ({
    facets: { product: productFacet(byProduct) },
    exact: true,
  }));
}

const productFacet = (rows: ProductCountRow[]) => Object.fromEntries(rows.map((r) => [r.id, Number(r.n)]));

/** The statements that count `f`'s total and facets, and how to read their rows. */
export function packCounts(f: CatalogFilter): CountsPlan {
  const match = ftsQuery(f.q);
  if (f.product && f.version) return countsForProductVersion({ ...f, product: f.product, version: f.version }, match);
  return match ? countsFromCatalog({ ...f, version: undefined }, match) : countsFromCombos(f);
}
