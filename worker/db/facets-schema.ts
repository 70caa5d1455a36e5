// The facet tables (see facets.ts): pack counts per filter combination, '' meaning "any"; and each
// pack's distinct facet profiles, what counting a search reads instead of every version.
import { integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

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
 * One row per distinct (layer, fips, products, use cases, clouds, arches) among a pack's non-yanked
 * versions. The lists are the values sorted and comma-joined with a comma on each side (",aws,gcp,"),
 * so a value is tested with instr(list, ',aws,'); a pack's versions mostly share one or two profiles.
 */
export const packFacetProfiles = sqliteTable(
  "pack_facet_profiles",
  {
    packName: text("pack_name").notNull(),
    layer: text("layer").notNull(),
    fips: integer("fips").notNull(),
    products: text("products").notNull(),
    useCases: text("use_cases").notNull(),
    clouds: text("clouds").notNull(),
    arches: text("arches").notNull(),
  },
  (t) => [primaryKey({ columns: [t.packName, t.layer, t.fips, t.products, t.useCases, t.clouds, t.arches] })],
);
