// /api/v1/compatible a page at a time over a large add-on layer: following nextCursor gives back
// exactly what assessing the whole layer at once gives (every version once, offered or hidden, with
// the same details and reasons, in the same order), each page covers `limit` packs, fitting or not
// (since 1.3), and a chosen pack that no longer fits is named on every page. The wizard's add-on step pages and
// searches in the query; add-on only's step does the same over every layer; a one-pack layer's step
// pages too, its current choice offered on every page.
import { env, exports } from "cloudflare:workers";
import { drizzle } from "drizzle-orm/d1";
import { beforeAll, describe, expect, it } from "vitest";
import { type CompatibleResult, compatiblePacks, compatiblePacksTolerant } from "../../worker/catalog/compatibility";
import { compatiblePageQuery, encodeCursor } from "../../worker/catalog/filters";
import * as schema from "../../worker/db/schema";
import { LAYER_LABELS } from "../../web/lib/format";
import { matchesSearch } from "../../web/pages/bundle/layer";
import { FIXTURE_PACKS, type FixturePack, manyAddons, seedCatalog } from "./support/catalog-fixture";
import { redirectOf } from "./pages-support";

const db = () => drizzle(env.DB, { schema });
const get = (path: string) => exports.default.fetch(`http://studio.test${path}`);
const ref = (v: { name: string; version: string }) => `${v.name}@${v.version}`;

type Context = {
  product: string;
  version: string;
  useCase: "controller" | "agent";
  cloud?: "aws" | "gcp";
  arch?: "arm64";
};
const CONTEXTS: Context[] = [
  { product: "palette-enterprise", version: "4.7.3", useCase: "controller", cloud: "aws" },
  // FIPS only: the generated add-ons' 1.1.0 builds may fit, their 1.0.0 builds are hidden in between.
  { product: "palette-vertex", version: "4.7.3", useCase: "controller", cloud: "aws" },
  { product: "palette-enterprise", version: "4.6.12", useCase: "agent" },
];

async function walk(query: string, limit: number): Promise<CompatibleResult[]> {
  const pages: CompatibleResult[] = [];
  let cursor: string | null = null;
  do {
    const res = await get(`/api/v1/compatible?${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`);
    const body = (await res.json()) as CompatibleResult;
    expect(res.status, JSON.stringify(body)).toBe(200);
    pages.push(body);
    cursor = body.nextCursor;
  } while (cursor && pages.length < 1000);
  return pages;
}

/** More OS packs than one page of a layer step holds. */
const manyOs = (count: number): FixturePack[] =>
  Array.from({ length: count }, (_, i) => ({
    name: `os-gen-${String(i).padStart(2, "0")}`,
    displayName: `Generated OS ${i}`,
    layer: "os" as const,
    versions: [
      {
        version: "1.0.0",
        arches: ["amd64"],
        clouds: ["all"],
        useCases: ["controller", "agent"],
        products: [{ product: "palette-enterprise" }, { product: "palette-vertex" }],
      },
    ],
  }));

beforeAll(async () => {
  await seedCatalog([...FIXTURE_PACKS, ...manyAddons(320), ...manyOs(30)]);
});

describe("GET /api/v1/compatible pages", () => {
  it.each(CONTEXTS)("add up to the whole layer's answer for %j", async (context) => {
    const { result: whole } = await compatiblePacksTolerant(db(), { ...context, layer: "addon", packs: [] });
    const query = new URLSearchParams({ ...(context as Record<string, string>), layer: "addon" }).toString();
    const pages = await walk(query, 7);
    expect(pages.length).toBeGreaterThan(1);
    for (const [i, page] of pages.entries()) {
      const covered = new Set([...page.offered, ...page.hidden].map((v) => v.name)).size;
      if (i < pages.length - 1) expect(covered).toBe(7);
      else expect(covered).toBeLessThanOrEqual(7);
      expect(page.context).toEqual(whole.context);
    }
    expect(pages.flatMap((p) => p.offered)).toEqual(whole.offered);
    expect(pages.flatMap((p) => p.hidden)).toEqual(whole.hidden);
    expect(pages.at(-1)?.nextCursor).toBeNull();
  });

  it("offers a version in full though its pack's kept ranges say nothing of it fits: assessPack decides", async () => {
    // A page reads details only for the packs its walk found may fit (pack_product_ranges); a pack
    // whose kept ranges are out of step comes undetailed, and must still be offered with every field.
    const context = { ...CONTEXTS[0], layer: "addon" as const, packs: [] };
    const { result: whole } = await compatiblePacksTolerant(db(), context);
    const stale = whole.offered[3];
    const kept = await env.DB.prepare(
      "SELECT * FROM pack_product_ranges WHERE pack_rowid = (SELECT rowid FROM packs WHERE name = ?)",
    )
      .bind(stale.name)
      .all();
    expect(kept.results.length).toBeGreaterThan(0);
    await env.DB.prepare("DELETE FROM pack_product_ranges WHERE pack_rowid = (SELECT rowid FROM packs WHERE name = ?)")
      .bind(stale.name)
      .run();
    try {
      const pages: CompatibleResult[] = [];
      let cursor: string | undefined;
      do {
        const query = compatiblePageQuery.parse({ ...CONTEXTS[0], layer: "addon", limit: "7", cursor });
        pages.push(await compatiblePacks(db(), query));
        cursor = pages.at(-1)?.nextCursor ?? undefined;
      } while (cursor && pages.length < 1000);
      expect(pages.flatMap((p) => p.offered)).toEqual(whole.offered);
      expect(pages.flatMap((p) => p.hidden)).toEqual(whole.hidden);
    } finally {
      for (const row of kept.results) {
        const columns = Object.keys(row);
        await env.DB.prepare(
          `INSERT INTO pack_product_ranges (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`,
        )
          .bind(...Object.values(row))
          .run();
      }
    }
  });

  it("names a chosen add-on that no longer fits on every page, and only once", async () => {
    // addon-003 1.1.0 is published for aws only; chosen, then asked about for gcp.
    const query =
      "product=palette-enterprise&version=4.7.3&useCase=controller&cloud=gcp&layer=addon&packs=addon-003@1.1.0";
    const pages = await walk(query, 5);
    for (const page of pages) {
      const named = page.hidden.filter((v) => ref(v) === "addon-003@1.1.0");
      expect(named.map((v) => v.reasons)).toEqual([["not published for gcp"]]);
    }
  });

  it("answers the whole layer on one page when it is small, as before", async () => {
    const [page] = await walk("product=palette-enterprise&version=4.7.3&useCase=controller&cloud=aws&layer=cni", 50);
    const { result: whole } = await compatiblePacksTolerant(db(), {
      product: "palette-enterprise",
      version: "4.7.3",
      useCase: "controller",
      cloud: "aws",
      layer: "cni",
      packs: [],
    });
    expect(page).toEqual({ ...whole, nextCursor: null });
  });

  it("pages 20 packs by default (since 1.2; it was 50), fitting or not (since 1.3)", async () => {
    const res = await get(
      "/api/v1/compatible?product=palette-enterprise&version=4.7.3&useCase=controller&cloud=aws&layer=addon",
    );
    const page = (await res.json()) as CompatibleResult;
    expect(new Set([...page.offered, ...page.hidden].map((v) => v.name)).size).toBe(20);
    expect(page.nextCursor).not.toBeNull();
  });

  it("skips a pack whose every version is yanked: a page never ends the layer early", async () => {
    // "Retired Logger" lists nothing; a page counting it alone would read no rows and no next cursor.
    const { results: addons } = await env.DB.prepare(
      "SELECT name, display_sort_key AS key FROM packs WHERE layer = 'addon' ORDER BY display_sort_key",
    ).all<{ name: string; key: string }>();
    const retired = addons.findIndex((p) => p.name === "retired-logger");
    expect(retired).toBeGreaterThan(0);
    // The pack after it is the layer's last: the page holds it, and no next page follows.
    expect(retired).toBe(addons.length - 2);
    const query = "product=palette-enterprise&version=4.7.3&useCase=controller&cloud=aws&layer=addon&limit=1";
    const res = await get(`/api/v1/compatible?${query}&cursor=${encodeCursor(addons[retired - 1].key)}`);
    const page = (await res.json()) as CompatibleResult;
    expect(res.status).toBe(200);
    expect([...new Set([...page.offered, ...page.hidden].map((v) => v.name))]).toEqual([addons[retired + 1].name]);
    expect(page.nextCursor).toBeNull();
  });

  it("covers `limit` packs when none of them fits: nothing offered, the rest on later pages", async () => {
    // VerteX takes FIPS builds only, and the generated add-ons' only FIPS builds are for aws: on gcp
    // none of the 320 fits, so a page of them offers nothing and still ends after 5 packs.
    const query = "product=palette-vertex&version=4.7.3&useCase=controller&cloud=gcp&layer=addon";
    const { result: whole } = await compatiblePacksTolerant(db(), {
      product: "palette-vertex",
      version: "4.7.3",
      useCase: "controller",
      cloud: "gcp",
      layer: "addon",
      packs: [],
    });
    const pages = await walk(query, 5);
    const hiddenOnly = pages.filter((p) => p.offered.length === 0 && p.nextCursor !== null);
    expect(hiddenOnly.length).toBeGreaterThan(0);
    for (const page of hiddenOnly) expect(new Set(page.hidden.map((v) => v.name)).size).toBe(5);
    expect(pages.flatMap((p) => p.offered)).toEqual(whole.offered);
    expect(pages.flatMap((p) => p.hidden)).toEqual(whole.hidden);
  });

  it("refuses a limit out of range and a cursor it did not give, naming the field", async () => {
    for (const [param, field] of [
      ["limit=0", "limit"],
      ["limit=101", "limit"],
      ["cursor=nonsense", "cursor"],
    ]) {
      const res = await get(
        `/api/v1/compatible?product=palette-enterprise&version=4.7.3&useCase=controller&layer=addon&${param}`,
      );
      const body = (await res.json()) as { error: { details: { field: string }[] } };
      expect(res.status).toBe(400);
      expect(body.error.details.map((d) => d.field)).toContain(field);
    }
  });
});

describe("the wizard's add-on step", () => {
  const state = "product=palette-enterprise&version=4.7.3&useCase=controller&cloud=aws";

  it("shows one page of add-ons at a time, with a next page while more follow", async () => {
    const first = await (await get(`/bundle/layers/addon?${state}`)).text();
    const second = await (await get(`/bundle/layers/addon?${state}&page=2`)).text();
    const offeredOn = (html: string) => [...html.matchAll(/name="pick" value="([^"]+)"/g)].map((m) => m[1]);
    expect(offeredOn(first).length).toBeGreaterThan(0);
    expect(offeredOn(second).length).toBeGreaterThan(0);
    expect(offeredOn(first).filter((v) => offeredOn(second).includes(v))).toEqual([]);
    expect(first).toContain("Page 1");
    expect(first).toMatch(/value="next-page" class="secondary"(?! disabled)/);
  });

  it("searches the add-ons in the query", async () => {
    const html = await (await get(`/bundle/layers/addon?${state}&q=${encodeURIComponent("Add-on 17")}`)).text();
    const offered = [...html.matchAll(/name="pick" value="([^"]+)"/g)].map((m) => m[1]);
    expect(offered).toContain("addon-017@1.0.0");
    expect(offered).not.toContain("addon-018@1.0.0");
    expect(offered.every((v) => v.split("@")[0].includes("17"))).toBe(true);
  });
});

describe("a layer step's hidden versions", () => {
  // VerteX takes FIPS builds only: two generated add-ons in three have none, and are hidden.
  const state = "product=palette-vertex&version=4.7.3&useCase=controller&cloud=aws";
  const step = `/bundle/layers/addon?${state}&q=add-on&page=2`;

  it("are listed with why on a page of their own: the same page of the step, the same search", async () => {
    const { result } = await compatiblePacksTolerant(
      db(),
      { product: "palette-vertex", version: "4.7.3", useCase: "controller", cloud: "aws", layer: "addon", packs: [] },
      { page: { offset: 20, limit: 20, words: ["add-on"], layerNames: LAYER_LABELS } },
    );
    const expected = result.hidden.filter((v) => matchesSearch(v, "add-on"));
    expect(expected.length).toBeGreaterThan(20);
    const stepHtml = await (await get(step)).text();
    const link =
      /<p class="hidden-packs">(\d+) versions on this page cannot go into this bundle\. <a href="([^"]+)">/.exec(
        stepHtml,
      );
    expect(Number(link?.[1])).toBe(expected.length);
    const href = link![2].replaceAll("&amp;", "&");
    expect(href).toBe(`/bundle/layers/addon/hidden?${state}&q=add-on&page=2`);
    const hiddenHtml = await (await get(href)).text();
    // One entry per pack and reasons: the pack's link, its versions, why.
    const listed = [
      ...hiddenHtml.matchAll(
        /<li><a href="\/packs\/([^"]+)">[^<]*<\/a> ([^<]+)<span class="reasons"> — ([^<]+)<\/span>/g,
      ),
    ];
    expect(
      listed.flatMap(([, name, versions, reasons]) =>
        versions.split(", ").map((version) => ({ name, version, reasons })),
      ),
    ).toEqual(expected.map((v) => ({ name: v.name, version: v.version, reasons: v.reasons.join("; ") })));
    expect(hiddenHtml.replaceAll("&amp;", "&")).toContain(
      `href="/bundle/layers/addon?${state}&q=add-on&page=2">Back to the step`,
    );
  });

  it("are those the search matches by what they carry, their names, as on the step", async () => {
    // "number" is in every generated add-on's description and in no name: the step offers the
    // add-ons that fit, and lists no hidden version, here or on its page.
    const stepHtml = await (await get(`/bundle/layers/addon?${state}&q=number`)).text();
    expect(stepHtml).toContain('name="pick"');
    expect(stepHtml).not.toContain('class="hidden-packs"');
    const hiddenHtml = await (await get(`/bundle/layers/addon/hidden?${state}&q=number`)).text();
    expect(hiddenHtml).toContain("Nothing is hidden here");
    expect(hiddenHtml).not.toContain('class="reasons"');
  });

  it("send a visitor who skipped ahead to the first step missing, and refuse a layer that does not exist", async () => {
    expect(await redirectOf("/bundle/layers/addon/hidden?product=palette-vertex")).toBe(
      "/bundle/version?product=palette-vertex",
    );
    const res = await get(`/bundle/layers/gpu/hidden?${state}`);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("layer");
    for (const [param, field] of [
      ["page=0", "page"],
      ["page=abc", "page"],
      ["page=10001", "page"],
      [`q=${"x".repeat(201)}`, "q"],
    ]) {
      const bad = await get(`/bundle/layers/addon/hidden?${state}&${param}`);
      expect(bad.status, param).toBe(400);
      expect(await bad.text(), param).toContain(`<strong>${field}</strong>`);
    }
  });

  it("say so when the page asked for is past the step's last, and carry a search only where the step has one", async () => {
    const past = await (await get(`/bundle/layers/addon/hidden?${state}&page=999`)).text();
    expect(past).toContain("The step has no page 999.");
    expect(past).not.toContain("Nothing is hidden here");
    // The OS step has no search: a q in its URL narrows nothing, and the page does not claim it does.
    const os = await (await get(`/bundle/layers/os/hidden?${state}&q=zzz`)).text();
    expect(os).not.toContain("zzz");
    expect(os).toContain('class="reasons"');
  });
});

describe("the wizard's one-pack layer steps", () => {
  const state = "product=palette-enterprise&version=4.7.3&useCase=controller&cloud=aws";
  // The "No OS pack" choice's value is empty (rendered as a bare `value`).
  const picksOn = (html: string) => [...html.matchAll(/name="pick" value(?:="([^"]*)")?/g)].map((m) => m[1] ?? "");
  const checkedOn = (html: string) =>
    [...html.matchAll(/name="pick" value(?:="([^"]*)")? checked/g)].map((m) => m[1] ?? "");

  it("show one page of a large layer at a time, each pack on one page", async () => {
    const first = await (await get(`/bundle/layers/os?${state}`)).text();
    const second = await (await get(`/bundle/layers/os?${state}&page=2`)).text();
    const packsOn = (html: string) =>
      new Set(
        picksOn(html)
          .filter(Boolean)
          .map((v) => v.split("@")[0]),
      );
    expect(packsOn(first).size).toBe(20);
    expect(packsOn(second).size).toBeGreaterThan(0);
    expect([...packsOn(first)].filter((name) => packsOn(second).has(name))).toEqual([]);
    expect(first).toMatch(/value="next-page" class="secondary"(?! disabled)/);
    expect(picksOn(first)).toContain("");
  });

  it("offer the current choice on every page, and a pick on another page replaces it", async () => {
    const firstPick = picksOn(await (await get(`/bundle/layers/os?${state}`)).text()).find(Boolean)!;
    const second = await (await get(`/bundle/layers/os?${state}&packs=${firstPick}&page=2`)).text();
    expect(checkedOn(second)).toEqual([firstPick]);
    const other = picksOn(second).find((v) => v && v !== firstPick)!;
    const shown = /name="shown" value="([^"]*)"/.exec(second)![1];
    expect(shown.split(",")).toContain(firstPick);
    const next = await redirectOf(
      `/bundle/next?from=os&${state}&packs=${firstPick}&shown=${encodeURIComponent(shown)}&pick=${other}&page=2&go=stay`,
    );
    const location = new URL(next, "http://studio.test");
    expect(location.searchParams.get("packs")).toBe(other);
  });
});

describe("add-on only's every-layer step", () => {
  const query = { product: "palette-enterprise", version: "4.7.3", useCase: "addon", cloud: "aws" } as const;

  it("pages add up to the answer over every layer, each with at most `limit` packs, whatever use case a pack was built for", async () => {
    const everyLayer = { ...query, layer: "addon" as const, packs: [] };
    const { result: whole } = await compatiblePacksTolerant(db(), everyLayer, { everyLayer: true });
    const pages: CompatibleResult[] = [];
    do {
      const page = { offset: pages.length * 7, limit: 7 };
      pages.push((await compatiblePacksTolerant(db(), everyLayer, { everyLayer: true, page })).result);
    } while (pages.at(-1)?.nextCursor && pages.length < 1000);
    expect(pages.length).toBeGreaterThan(1);
    for (const page of pages) expect(new Set(page.offered.map((v) => v.name)).size).toBeLessThanOrEqual(7);
    expect(pages.flatMap((p) => p.offered)).toEqual(whole.offered);
    expect(pages.flatMap((p) => p.hidden)).toEqual(whole.hidden);
    // A parts list: the controller-only OS packs are offered, beside CNIs, CSIs and add-ons.
    expect(new Set(whole.offered.map((v) => v.layer))).toEqual(new Set(["os", "k8s", "cni", "csi", "addon"]));
  });

  const offeredFor = async (q: string) => {
    const html = await (await get(`/bundle/layers/addon?${new URLSearchParams({ ...query, q })}`)).text();
    return [...html.matchAll(/name="pick" value="([^"]+)"/g)].map((m) => m[1].split("@")[0]);
  };

  it("finds the CNIs for 'network', on the first page of every layer", async () => {
    const offered = await offeredFor("network");
    expect(offered).toContain("cni-calico");
    expect(offered).toContain("cni-cilium");
    expect(offered.every((name) => name.startsWith("cni-"))).toBe(true);
  });

  it("matches a word in a layer's name in the query, as the page's own filter does", async () => {
    // No pack's own text says "additional": only the add-on layer's name, "Additional packs", does.
    const offered = await offeredFor("additional");
    expect(offered).toContain("addon-000");
    expect(offered.some((name) => /^(cni|csi)-/.test(name))).toBe(false);
  });
});
