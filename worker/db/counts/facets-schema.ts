// The facet tables (see facets.ts): pack counts per filter combination, '' meaning "any"; per pack,
// its facet profiles, their summary and its product ranges as bit masks: what counting a search
// reads instead of every version; and pack counts per product version interval (see
// product-version-counts.ts), what the product version filter reads.
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const packFacetCounts = sqliteTable(
  "pack_facet_counts",
  {
    product: text("product").notNull(),
    useCase: text("use_case").notNull(),
    cloud: text("cloud").notNull(),
    layer: text("layer").notNull(),
    arch: text("arch").notNull(),
    fips: text("fips").notNull(),
    n: integer("n").notNull(),
  },
  (t) => [primaryKey({ columns: [t.product, t.useCase, t.cloud, t.layer, t.arch, t.fips] })],
);

/**
 * One row per distinct facet profile among a pack's non-yanked versions: the pack's rowid (the same
 * rowid the full-text index holds, so a search joins its matches here without reading `packs`), the
 * version's layer, use cases, clouds, arches and FIPS flag as one bit mask (FACET_BITS in facets.ts),
 * and its products as a sorted JSON array. A pack's versions mostly share one or two profiles.
 */
export const packFacetProfiles = sqliteTable(
  "pack_facet_profiles",
  {
    packRowid: integer("pack_rowid").notNull(),
    mask: integer("mask").notNull(),
    products: text("products").notNull(),
  },
  (t) => [primaryKey({ columns: [t.packRowid, t.mask, t.products] })],
);

/**
 * One row per pack with a non-yanked version: the union of its profiles (every bit any of them has,
 * every product any lists). A search with no filter but the pack-level layer counts from these,
 * one row a match, since then a pack matches a value exactly when one of its profiles has it.
 */
export const packFacetSummaries = sqliteTable("pack_facet_summaries", {
  packRowid: integer("pack_rowid").primaryKey(),
  mask: integer("mask").notNull(),
  products: text("products").notNull(),
});

/**
 * One row per distinct (pack, product, version mask, product version range) among a pack's
 * non-yanked versions: what a product version filter needs and a profile lacks. Open ends are
 * stored as '' (min) and the last code point (max), which every version key sorts between, so the
 * range test is two comparisons. Keyed by pack: the batches rebuild a pack's rows, a searched
 * product version reads its matches' rows, and the product version counts are kept from them.
 */
export const packProductRanges = sqliteTable(
  "pack_product_ranges",
  {
    packRowid: integer("pack_rowid").notNull(),
    productId: text("product_id").notNull(),
    mask: integer("mask").notNull(),
    minKey: text("min_key").notNull(),
    maxKey: text("max_key").notNull(),
  },
  (t) => [primaryKey({ columns: [t.packRowid, t.productId, t.mask, t.minKey, t.maxKey] })],
);

/**
 * Each product's version keys cut into intervals at every end of every kept range for it: one row
 * per interval, its first key ('' for the first, so every key has one). Within an interval every
 * range holds all keys or none.
 */
export const productVersionIntervals = sqliteTable(
  "product_version_intervals",
  {
    productId: text("product_id").notNull(),
    fromKey: text("from_key").notNull(),
  },
  (t) => [primaryKey({ columns: [t.productId, t.fromKey] })],
);

/**
 * Per product version interval and per combination of facet values (the bits a version needs, at
 * most one a facet, 0 for none: FACET_BITS in facets.ts), how many packs have a non-yanked version
 * for a product version in the interval with those bits. A combination no pack matches has no row.
 */
export const productVersionCounts = sqliteTable(
  "product_version_counts",
  {
    productId: text("product_id").notNull(),
    fromKey: text("from_key").notNull(),
    bits: integer("bits").notNull(),
    n: integer("n").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.productId, t.fromKey, t.bits] }),
    // Rows emptied by a batch exist only inside it; this lets the batch's last step find them without a scan.
    index("product_version_counts_emptied").on(t.n).where(sql`${t.n} = 0`),
  ],
);
