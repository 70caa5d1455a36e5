// Products, their versions and each version's installers as the catalog reads them. The product
// statements are raw SQL (with named rows) where they join a raw batch; the listings use drizzle.
import { and, asc, desc, eq, sql } from "drizzle-orm";
import { type Query, query } from "./batch";
import type { Db } from "./client";
import { productVersions, products, releaseArtifacts } from "./schema";

export type ProductRow = { id: string; name: string; fips: number };

/** The product by id: none when there is no such product. */
export const productStatement = (id: string): Query<ProductRow> =>
  query(sql`SELECT id, name, fips FROM products WHERE id = ${id}`);

/** The product version, if the product publishes it. */
export const productVersionStatement = (productId: string, version: string): Query<{ version: string }> =>
  query(sql`SELECT version FROM product_versions WHERE product_id = ${productId} AND version = ${version}`);

/** Every version the product publishes. */
export const productVersionsStatement = (productId: string): Query<{ version: string }> =>
  query(sql`SELECT version FROM product_versions WHERE product_id = ${productId}`);

/**
 * Every product version by product, newest first, with how many installers it has, how many are still
 * offered, and a reason one was yanked or withdrawn: one grouped join on the installers' primary key
 * (three rows a version at most), no query per version.
 */
export const productVersionRows = (db: Db) =>
  db
    .select({
      productId: productVersions.productId,
      version: productVersions.version,
      publishedAt: productVersions.publishedAt,
      installers: sql<number>`count(${releaseArtifacts.kind})`,
      offered: sql<number>`coalesce(sum(${releaseArtifacts.yanked} = 0), 0)`,
      yankReason: sql<string | null>`max(${releaseArtifacts.yankReason})`,
    })
    .from(productVersions)
    .leftJoin(
      releaseArtifacts,
      and(
        eq(releaseArtifacts.productId, productVersions.productId),
        eq(releaseArtifacts.version, productVersions.version),
      ),
    )
    .groupBy(productVersions.productId, productVersions.version)
    .orderBy(asc(productVersions.productId), desc(productVersions.versionKey));

/** Every product in display order, and every product version (productVersionRows). */
export async function readProductsAndVersions(db: Db) {
  const [productRows, versionRows] = await db.batch([
    db.select().from(products).orderBy(asc(products.sortOrder), asc(products.name)),
    productVersionRows(db),
  ]);
  return { productRows, versionRows };
}

/** A product, one of its versions and that version's non-yanked installers (each undefined or empty when absent). */
export async function readInstallerRows(db: Db, productId: string, version: string) {
  const [[product], [productVersion], artifacts] = await db.batch([
    db.select().from(products).where(eq(products.id, productId)),
    db
      .select()
      .from(productVersions)
      .where(and(eq(productVersions.productId, productId), eq(productVersions.version, version))),
    db
      .select()
      .from(releaseArtifacts)
      .where(
        and(
          eq(releaseArtifacts.productId, productId),
          eq(releaseArtifacts.version, version),
          eq(releaseArtifacts.yanked, false),
        ),
      ),
  ]);
  return { product, productVersion, artifacts };
}
