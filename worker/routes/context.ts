// What the feature modules need from a request, read off Hono's Context in one place so that they
// take plain values: the origin the client reached, its address, the storage a download streams
// from, and a grant's manifest as a download response.
import type { Context } from "hono";
import { edgeCache } from "../edge-cache";
import type { GrantRecord } from "../db/grant-queries";
import { grantManifest, type Requester } from "../downloads/issue";
import type { ManifestEntry, ManifestFormat } from "../downloads/manifest-formats";
import { DEFAULT_MAX_CACHE_BYTES, type ServeDeps } from "../downloads/serve";

// Any sub-app's context: these read only the bindings and the request.
// biome-ignore lint/suspicious/noExplicitAny: the variables differ per sub-app and are not used here
type AnyContext = Context<any>;

export const originOf = (c: AnyContext) => new URL(c.req.url).origin;

export const clientIp = (c: AnyContext): string | undefined => c.req.header("CF-Connecting-IP") ?? undefined;

/** R2, the edge cache and the invocation's waitUntil, as a download streams them. */
export function storageDeps(c: AnyContext): ServeDeps {
  return {
    bucket: c.env.ARTIFACTS,
    cache: edgeCache(),
    waitUntil: (p) => c.executionCtx.waitUntil(p),
    maxCacheBytes: DEFAULT_MAX_CACHE_BYTES,
  };
}

/** Who asks for a grant: origin, address, country, user agent, credentials. */
export function requesterOf(c: AnyContext): Requester {
  return {
    origin: originOf(c),
    hostname: new URL(c.req.url).hostname,
    ip: clientIp(c),
    country: (c.req.raw.cf as { country?: string } | undefined)?.country,
    userAgent: c.req.header("User-Agent"),
    authorization: c.req.header("Authorization"),
    waitUntil: (p) => c.executionCtx.waitUntil(p),
  };
}

/**
 * A grant's manifest as a download. `entries` is called only for the formats that list signed URLs;
 * extraHeaders add to the common ones.
 */
export async function manifestResponse(
  c: AnyContext,
  format: ManifestFormat,
  grant: GrantRecord,
  entries: () => Promise<ManifestEntry[]>,
  extraHeaders: Record<string, string> = {},
): Promise<Response> {
  const { body, contentType } = await grantManifest(c.env, originOf(c), storageDeps(c), format, grant, entries);
  return c.body(body, 200, {
    "Content-Type": contentType,
    "Content-Disposition": `attachment; filename="${format}"`,
    "Cache-Control": "private, no-store",
    ...extraHeaders,
  });
}
