// Catalog ETags. Each publish or yank bumps catalog_state.generation, so one indexed read tells
// whether anything a catalog response shows can have changed; repeat visits then get a 304. The
// deployed version's id is part of the tag too: new code may render the same catalog differently.
import { eq, sql } from "drizzle-orm";
import { createMiddleware } from "hono/factory";
import { catalogReader, type Db } from "../db/client";
import { catalogState } from "../db/schema";

export async function catalogGeneration(db: Db): Promise<number> {
  const row = await db.select({ generation: catalogState.generation }).from(catalogState).where(eq(catalogState.id, 1)).get();
  return row?.generation ?? 0;
}

/** The statement a publish or yank adds to its batch, so the bump commits with the change. */
export const bumpGeneration = (db: Db) =>
  db
    .update(catalogState)
    .set({ generation: sql`${catalogState.generation} + 1`, updatedAt: Date.now() })
    .where(eq(catalogState.id, 1));

function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const weak = (tag: string) => tag.trim().replace(/^W\//, "");
  return ifNoneMatch.split(",").some((tag) => tag.trim() === "*" || weak(tag) === weak(etag));
}

export const catalogEtagValue = (generation: number, versionId = "") =>
  `W/"catalog-${generation}${versionId ? `-${versionId.slice(0, 8)}` : ""}"`;

export type CatalogVariables = { catalog: Db };

/** Opens the read session for the request, answers 304 when the catalog has not changed. */
export const catalogEtag = createMiddleware<{ Bindings: Env; Variables: CatalogVariables }>(async (c, next) => {
  const db = catalogReader(c.env);
  c.set("catalog", db);
  const etag = catalogEtagValue(await catalogGeneration(db), c.env.CF_VERSION_METADATA.id);
  if (matches(c.req.header("If-None-Match"), etag)) {
    return c.body(null, 304, { ETag: etag, "Cache-Control": "no-cache" });
  }
  await next();
  if (c.res.status === 200) {
    c.res.headers.set("ETag", etag);
    c.res.headers.set("Cache-Control", "no-cache");
  }
});
