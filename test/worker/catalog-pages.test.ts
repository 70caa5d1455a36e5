// Cursor pagination over a catalog of many packs: walking every page, with and without filters,
// gives each matching pack exactly once, in display order (docs/api.md), and the last page says so.
import { exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor } from "../../worker/catalog/filters";
import { displaySortKey } from "../../worker/domain/display-sort";
import type { PackSearchResult } from "../../worker/catalog/pack-search";
import { FIXTURE_PACKS, manyAddons, seedCatalog } from "./support/catalog-fixture";

const ADDONS = manyAddons(61);

type Named = { name: string; displayName: string };
const keyOf = (p: Named) => displaySortKey(p.displayName, p.name);
/** Names in the order the API lists them: by display sort key (SQLite compares these ASCII keys as JS does). */
const inDisplayOrder = (packs: Named[]) =>
  [...packs].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0)).map((p) => p.name);

async function page(query: string): Promise<PackSearchResult> {
  const res = await exports.default.fetch(`http://studio.test/api/v1/packs?${query}`);
  expect(res.status).toBe(200);
  return (await res.json()) as PackSearchResult;
}

async function walk(query: string, limit: number): Promise<{ names: string[]; pages: number; totals: Set<number> }> {
  const names: string[] = [];
  const totals = new Set<number>();
  let cursor: string | null = null;
  let pages = 0;
  do {
    const params = new URLSearchParams(query);
    params.set("limit", String(limit));
    if (cursor) params.set("cursor", cursor);
    const r = await page(params.toString());
    expect(r.items.length).toBeLessThanOrEqual(limit);
    names.push(...r.items.map((i) => i.name));
    totals.add(r.total);
    cursor = r.nextCursor;
    pages++;
    expect(pages).toBeLessThan(200);
  } while (cursor);
  return { names, pages, totals };
}

beforeAll(async () => {
  await seedCatalog([...FIXTURE_PACKS, ...ADDONS]);
});

describe("cursor pagination", () => {
  it.each([1, 7, 24, 76, 100])("walks every pack exactly once in display order with limit %i", async (limit) => {
    const expected = inDisplayOrder([...FIXTURE_PACKS.filter((p) => p.name !== "retired-logger"), ...ADDONS]);
    const { names, pages, totals } = await walk("", limit);
    expect(names).toEqual(expected);
    expect(new Set(names).size).toBe(names.length);
    expect(pages).toBe(Math.max(1, Math.ceil(expected.length / limit)));
    expect([...totals]).toEqual([expected.length]);
  });

  it("walks a filtered list the same way", async () => {
    const expected = inDisplayOrder(ADDONS.filter((_, i) => i % 3 === 0));
    const { names } = await walk("q=generated&cloud=aws&arch=arm64", 4);
    expect(names).toEqual(expected);
  });

  it("gives a null cursor on the last page and an empty page after the end", async () => {
    const k8s = FIXTURE_PACKS.filter((p) => p.layer === "k8s");
    const [firstName, lastName] = inDisplayOrder(k8s);
    expect(k8s).toHaveLength(2);
    const first = await page("layer=k8s&limit=1");
    expect(first.items.map((i) => i.name)).toEqual([firstName]);
    const second = await page(`layer=k8s&limit=1&cursor=${first.nextCursor}`);
    expect(second.items.map((i) => i.name)).toEqual([lastName]);
    expect(second.nextCursor).toBeNull();
    const last = k8s.find((p) => p.name === lastName)!;
    const past = await page(`layer=k8s&limit=1&cursor=${encodeCursor(keyOf(last))}`);
    expect(past.items).toEqual([]);
    expect(past.nextCursor).toBeNull();
  });

  it("uses the default limit of 24", async () => {
    const r = await page("");
    expect(r.items).toHaveLength(24);
    expect(r.nextCursor).not.toBeNull();
  });
});

describe("cursor encoding", () => {
  it("round-trips and refuses anything else", () => {
    const key = displaySortKey("Généré add-on 007", "addon-007");
    expect(decodeCursor(encodeCursor(key))).toBe(key);
    expect(encodeCursor(key)).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor("")).toBeUndefined();
    expect(decodeCursor("%%%")).toBeUndefined();
    expect(decodeCursor(btoa(JSON.stringify({ after: 42 })))).toBeUndefined();
    expect(decodeCursor(btoa("not json"))).toBeUndefined();
  });
});
