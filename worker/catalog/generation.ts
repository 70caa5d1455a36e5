// Catalog ETags. Each publish or yank bumps catalog_state.generation, so one indexed read tells
// whether anything a catalog response shows can have changed; repeat visits then get a 304. The
// deployed version's id is part of the tag too: new code may render the same catalog differently.
// The same tag keys an edge-cache copy of each response, so a repeated query in a location (from
// any user) costs one indexed read instead of the page and facet queries.
import { createMiddleware } from "hono/factory";
import type { RequestIdVariables } from "hono/request-id";
import { readGeneration } from "../db/change-log";
import { type Db, meteredCatalogReader, type RowsReadMeter } from "../db/client";
import { edgeCache } from "../edge-cache";

/** The current generation (the tag's source). */
export const catalogGeneration = (db: Db): Promise<number> => readGeneration(db);

function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const weak = (tag: string) => tag.trim().replace(/^W\//, "");
  return ifNoneMatch.split(",").some((tag) => tag.trim() === "*" || weak(tag) === weak(etag));
}

export const catalogEtagValue = (generation: number, versionId = "") =>
  `W/"catalog-${generation}${versionId ? `-${versionId.slice(0, 8)}` : ""}"`;

/**
 * The edge-cache key of a catalog response: the tag, the path and the query with its parameters in
 * a stable order (repeated parameters keep theirs), so equivalent URLs share one copy and a publish
 * or deploy starts afresh. The host is never resolved; it only names the key space.
 */
export function catalogCacheKey(url: string, etag: string): string {
  const { pathname, searchParams } = new URL(url);
  const params = [...searchParams].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const tag = etag.replace(/^W\//, "").replaceAll('"', "");
  return `https://catalog-cache.internal/${tag}${pathname}?${new URLSearchParams(params)}`;
}

// Copies live as long as their generation is current; a new generation never reads old keys.
const EDGE_COPY_TTL_SECONDS = 24 * 60 * 60;

export type CatalogVariables = { catalog: Db };

/** The header that carries the D1 rows a catalog response read (`meta.rows_read`, what D1 bills). */
export const ROWS_READ_HEADER = "X-D1-Rows-Read";

/**
 * Server-Timing's `d1` metric: the ms the response's statements spent in D1 (`meta.duration`), so a
 * browser's network panel or the benchmark can tell the database's time from the Worker's.
 */
const serverTiming = (meter: RowsReadMeter) => `d1;dur=${meter.d1Ms.toFixed(1)}`;

/**
 * Opens the read session for the request, answers 304 when the catalog has not changed, and
 * otherwise serves (or fills) the edge-cache copy for this catalog generation. Every answer says
 * how many D1 rows it read, an edge-cache copy only those of its generation check.
 */
export const catalogEtag = createMiddleware<{
  Bindings: Env;
  Variables: CatalogVariables & RequestIdVariables;
}>(async (c, next) => {
  const { db, meter } = meteredCatalogReader(c.env);
  c.set("catalog", db);
  const etag = catalogEtagValue(await catalogGeneration(db), c.env.CF_VERSION_METADATA.id);
  const clientHeaders = () => ({
    ETag: etag,
    "Cache-Control": "no-cache",
    [ROWS_READ_HEADER]: String(meter.rowsRead),
    "Server-Timing": serverTiming(meter),
  });
  if (matches(c.req.header("If-None-Match"), etag)) {
    return c.body(null, 304, clientHeaders());
  }
  const key = catalogCacheKey(c.req.url, etag);
  const cached = await edgeCache().match(key);
  if (cached) {
    const res = new Response(cached.body, cached);
    for (const [name, value] of Object.entries(clientHeaders())) res.headers.set(name, value);
    res.headers.set("X-Catalog-Cache", "hit");
    res.headers.set("X-Request-Id", c.get("requestId"));
    return res;
  }
  await next();
  if (c.res.status !== 200) return;
  const copy = new Response(c.res.clone().body, c.res);
  copy.headers.set("Cache-Control", `public, max-age=${EDGE_COPY_TTL_SECONDS}`);
  copy.headers.delete("X-Request-Id"); // the filling request's, not the next reader's
  c.executionCtx.waitUntil(edgeCache().put(key, copy));
  for (const [name, value] of Object.entries(clientHeaders())) c.res.headers.set(name, value);
  c.res.headers.set("X-Catalog-Cache", "miss");
});
