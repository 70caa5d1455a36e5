// Whether a kept row matches a filter: the kept profiles, summaries and ranges (see README.md) hold
// each version's facet values as one bit mask and its products as a JSON list, so a filter becomes
// a mask test and a list test. The page of a search and every search count test rows this way.
import { type SQL, sql } from "drizzle-orm";
import { versionSortKey } from "../../domain/vocabulary";
import { and, type CatalogFilter, type Facet } from "../pack-versions";
import { FACET_BITS } from "./facet-bits";

/**
 * Whether a search's match fits the other filters: by its kept facet profiles (a row or two per
 * pack, see facets.ts) rather than its versions and their child lists; with a product version, by
 * the product's kept ranges, which also hold the mask of the versions they came from; with none
 * but the layer, by its one summary row.
 */
export function hasMatchingProfile(f: CatalogFilter): SQL {
  // With no filter but the layer (a pack's, not a version's), the pack's one summary row answers:
  // it exists while the pack has a published version, and its mask holds the layer.
  if (!f.product && !f.useCase && !f.cloud && !f.arch && f.fips === undefined)
    return sql`EXISTS (SELECT 1 FROM pack_facet_summaries u WHERE u.pack_rowid = p.rowid AND ${profileMatches(f, "u")})`;
  if (f.product && f.version)
    return sql`EXISTS (SELECT 1 FROM pack_product_ranges x WHERE x.pack_rowid = p.rowid AND x.product_id = ${f.product}
      AND ${and([profileMatches({ ...f, product: undefined }, "x"), inRange("x", f.version)])})`;
  return sql`EXISTS (SELECT 1 FROM pack_facet_profiles s WHERE s.pack_rowid = p.rowid AND ${profileMatches(f, "s")})`;
}

/** A kept range (on `alias`) holds the product version: open ends are stored as sentinels (see packProductRanges). */
export const inRange = (alias: string, version: string) => {
  const key = versionSortKey(version);
  return sql`${sql.raw(alias)}.min_key <= ${key} AND ${sql.raw(alias)}.max_key >= ${key}`;
};

/** Mask bits written into the SQL (a number of ours, never input): bound, 19 values' tests would near D1's 100 parameters. */
export const bitsText = (bits: number) => sql.raw(String(Math.trunc(bits)));

/** The mask bits a profile needs to match the filter's facets but `except` (product is a list, checked apart). */
export function requiredBits(f: CatalogFilter, except?: Facet): number {
  let bits = 0;
  if (f.useCase && except !== "useCase") bits |= FACET_BITS.useCase[f.useCase];
  if (f.cloud && except !== "cloud") bits |= FACET_BITS.cloud[f.cloud];
  if (f.layer && except !== "layer") bits |= FACET_BITS.layer[f.layer];
  if (f.arch && except !== "arch") bits |= FACET_BITS.arch[f.arch];
  if (f.fips !== undefined && except !== "fips") bits |= FACET_BITS.fips[f.fips ? "true" : "false"];
  return bits;
}

/** Whether the profile (or version row) on `alias`, with its mask and products, matches the filter but `except`. */
export function profileMatches(f: CatalogFilter, alias: string, except?: Facet): SQL {
  const bits = requiredBits(f, except);
  const conditions = bits ? [sql`(${sql.raw(alias)}.mask & ${bitsText(bits)}) = ${bitsText(bits)}`] : [];
  if (f.product && except !== "product") conditions.push(hasProduct(alias, f.product));
  return and(conditions);
}

/** A product in a JSON product list: ids are slugs, so the quoted id matches one element exactly. */
export const hasProduct = (alias: string, product: string) =>
  sql`instr(${sql.raw(alias)}.products, ${`"${product}"`}) > 0`;
