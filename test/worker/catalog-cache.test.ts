// The catalog's edge cache: a repeated catalog query in a location is answered from the Cache API
// copy kept for the current generation, whatever the order of its parameters; a publish (a new
// generation) makes the next request read D1 again.
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { catalogCacheKey } from "../../worker/catalog/generation";
import { edgeCache } from "../../worker/edge-cache";
import { bumpCatalogGeneration, seedCatalog } from "./support/catalog-fixture";

const get = (path: string) => exports.default.fetch(`http://studio.test${path}`);

/** The copy is written after the response (waitUntil); wait for it, a bounded number of times. */
async function cachedCopyOf(res: Response, url: string): Promise<Response | undefined> {
  const key = catalogCacheKey(url, res.headers.get("ETag")!);
  for (let attempt = 0; attempt < 50; attempt++) {
    const copy = await edgeCache().match(key);
    if (copy) return copy;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return undefined;
}

type PackPage = { items: { name: string; displayName: string }[] };

describe("catalog edge cache", () => {
  it("serves a repeated query from the cache, keyed by generation, not by parameter order", async () => {
    await seedCatalog();
    const first = await get("/api/v1/packs?layer=cni&cloud=aws");
    expect(first.headers.get("X-Catalog-Cache")).toBe("miss");
    const firstBody = (await first.json()) as PackPage;
    expect(firstBody.items.length).toBeGreaterThan(0);
    const copy = await cachedCopyOf(first, "http://studio.test/api/v1/packs?layer=cni&cloud=aws");
    expect(copy).toBeDefined();
    // The database's time of this request, and none in the kept copy (each reader gets its own).
    expect(first.headers.get("Server-Timing")).toMatch(/^d1;dur=\d+\.\d$/);
    expect(copy?.headers.get("Server-Timing")).toBeNull();

    // Change a row behind the catalog's back (no publish): the cached answer still stands.
    const renamed = firstBody.items[0].name;
    await env.DB.prepare("UPDATE packs SET display_name = 'Renamed behind the cache' WHERE name = ?")
      .bind(renamed)
      .run();
    const second = await get("/api/v1/packs?cloud=aws&layer=cni");
    expect(second.headers.get("X-Catalog-Cache")).toBe("hit");
    expect(second.headers.get("ETag")).toBe(first.headers.get("ETag"));
    expect(second.headers.get("Cache-Control")).toBe("no-cache");
    // Each answer carries its own request's id, never the one of the request that filled the cache.
    expect(second.headers.get("X-Request-Id")).toMatch(/.+/);
    expect(second.headers.get("X-Request-Id")).not.toBe(first.headers.get("X-Request-Id"));
    expect(second.headers.get("Server-Timing")).toMatch(/^d1;dur=\d+\.\d$/);
    expect(await second.json()).toEqual(firstBody);

    // A publish bumps the generation: the next request misses and shows the new state.
    await bumpCatalogGeneration();
    const third = await get("/api/v1/packs?cloud=aws&layer=cni");
    expect(third.headers.get("X-Catalog-Cache")).toBe("miss");
    expect(third.headers.get("ETag")).not.toBe(first.headers.get("ETag"));
    const thirdBody = (await third.json()) as PackPage;
    expect(thirdBody.items.find((p) => p.name === renamed)?.displayName).toBe("Renamed behind the cache");
  });

  it("keys equivalent URLs alike and different queries apart", () => {
    const tag = 'W/"catalog-7-0123abcd"';
    expect(catalogCacheKey("http://a.test/api/v1/packs?b=2&a=1", tag)).toBe(
      catalogCacheKey("http://b.test/api/v1/packs?a=1&b=2", tag),
    );
    expect(catalogCacheKey("http://a.test/api/v1/packs?a=1", tag)).not.toBe(
      catalogCacheKey("http://a.test/api/v1/packs?a=2", tag),
    );
    expect(catalogCacheKey("http://a.test/api/v1/packs?a=1", tag)).not.toBe(
      catalogCacheKey("http://a.test/api/v1/packs?a=1", 'W/"catalog-8-0123abcd"'),
    );
    // Repeated parameters keep their order: it can matter (e.g. packs chosen layer by layer).
    expect(catalogCacheKey("http://a.test/x?p=2&p=1", tag)).not.toBe(catalogCacheKey("http://a.test/x?p=1&p=2", tag));
  });
});
