// The facet-count table (see facets.ts): pack counts per filter combination, '' meaning "any".
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
