// Lists sort by what people read: display names, case- and accent-insensitive, ties broken by the
// internal name. The API, the browse page, the wizard's layers and add-on only agree, and paging by
// cursor visits every pack exactly once in that order. Keys written by migration 0015's ASCII fold
// become exact with the admin recount.
import { env, exports } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { encodeCursor } from "../../worker/catalog/filters";
import { compareSortKeys, displaySortKey, foldDisplayName } from "../../worker/domain/display-sort";
import type { Layer } from "../../worker/domain/vocabulary";
import { type FixturePack, seedCatalog } from "./support/catalog-fixture";

const get = (path: string) => exports.default.fetch(`http://studio.test${path}`);

const pack = (name: string, displayName: string, layer: Layer): FixturePack => ({
  name,
  displayName,
  layer,
  versions: [
    {
      version: "1.0.0",
      arches: ["amd64"],
      clouds: ["all"],
      useCases: ["controller", "agent"],
      products: [{ product: "palette-enterprise" }],
    },
  ],
});

// Internal names deliberately out of step with what people read.
const PACKS = [
  pack("cert-manager", "Cert Manager", "addon"),
  pack("a-cert", "CERT MANAGER", "addon"),
  pack("cert-manager-legacy", "cert manager", "addon"),
  pack("antrea", "Antrea", "cni"),
  pack("aws-vpc-cni", "AWS VPC CNI", "cni"),
  pack("emile", "Émile", "addon"),
  pack("aws-ebs-csi", "ebs", "csi"),
  pack("aaa-zulu", "Zulu", "addon"),
  pack("zz-alpha", "Alpha", "addon"),
];

/** The display order: folded names, then internal names for the three "cert manager"s. */
const ORDER = [
  "zz-alpha",
  "antrea",
  "aws-vpc-cni",
  "a-cert",
  "cert-manager",
  "cert-manager-legacy",
  "aws-ebs-csi",
  "emile",
  "aaa-zulu",
];

type Page = { items: { name: string }[]; nextCursor: string | null };
type Compatible = { offered: { name: string }[]; hidden: { name: string }[]; nextCursor: string | null };

async function json<T>(path: string): Promise<T> {
  const res = await get(path);
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
}

/** Every page of a paged listing, following nextCursor; the names in the order they came. */
async function walk(first: string, namesOf: (page: Page & Compatible) => string[]): Promise<string[]> {
  const names: string[] = [];
  let path: string | undefined = first;
  for (let pages = 0; path && pages < 20; pages++) {
    const page: Page & Compatible = await json(path);
    names.push(...namesOf(page));
    path = page.nextCursor ? `${first}&cursor=${page.nextCursor}` : undefined;
  }
  return names;
}

beforeEach(() => seedCatalog(PACKS));

describe("the sort key", () => {
  it("folds case, accents and compatibility forms, and ends with the internal name", () => {
    expect(foldDisplayName("Émile")).toBe("emile");
    expect(foldDisplayName("  AWS\tVPC  CNI ")).toBe("aws vpc cni");
    expect(foldDisplayName("Straße")).toBe(foldDisplayName("STRASSE"));
    expect(foldDisplayName("ﬁle")).toBe("file");
    expect(displaySortKey("Cert Manager", "cert-manager") < displaySortKey("cert manager", "cert-manager-legacy")).toBe(
      true,
    );
    // A longer display name sorts after its prefix whatever the internal names.
    expect(displaySortKey("Cert", "zzz") < displaySortKey("Cert Manager", "aaa")).toBe(true);
  });

  it("compares keys as SQLite orders them (a release's new packs are inserted in that order)", async () => {
    // An emoji (a surrogate pair in JavaScript) against a private-use and a CJK compatibility
    // character, which JavaScript's < puts the other way round; and prefixes, equals, the separator.
    const keys = [
      "\u{1F680} rocket",
      "\uE000 private",
      "\uF900 cjk",
      "z",
      "",
      "a\u0001b",
      "a",
      "ab",
      "a\u0001a",
      "é",
      "e",
    ];
    const { results } = await env.DB.prepare("SELECT value FROM json_each(?) ORDER BY value")
      .bind(JSON.stringify(keys))
      .all<{ value: string }>();
    const sqlite = results.map((r) => r.value);
    expect([...keys].sort(compareSortKeys)).toEqual(sqlite);
    expect([...keys].sort()).not.toEqual(sqlite);
  });
});

describe("lists in display order", () => {
  it("browses the API in display order, and pages by cursor through every pack exactly once", async () => {
    const all = await json<Page>("/api/v1/packs?limit=100");
    expect(all.items.map((p) => p.name)).toEqual(ORDER);
    for (const limit of [1, 2, 3]) {
      const names = await walk(`/api/v1/packs?limit=${limit}`, (p) => p.items.map((i) => i.name));
      expect(names, `limit ${limit}`).toEqual(ORDER);
    }
    const addons = await walk("/api/v1/packs?layer=addon&limit=2", (p) => p.items.map((i) => i.name));
    expect(addons).toEqual(ORDER.filter((n) => PACKS.find((p) => p.name === n)!.layer === "addon"));
    const searched = await walk("/api/v1/packs?q=cert&limit=2", (p) => p.items.map((i) => i.name));
    expect(searched).toEqual(["a-cert", "cert-manager", "cert-manager-legacy"]);
  });

  it("shows the browse page in display order", async () => {
    const html = await (await get("/packs")).text();
    const shown = [...new Set([...html.matchAll(/href="\/packs\/([a-z0-9-]+)"/g)].map((m) => m[1]))];
    expect(shown, html).toEqual(ORDER);
  });

  it("offers a layer's packs in display order on /api/v1/compatible, page by page", async () => {
    const base = "/api/v1/compatible?product=palette-enterprise&version=4.7.3&useCase=controller&cloud=aws";
    const addonOrder = ORDER.filter((n) => PACKS.find((p) => p.name === n)!.layer === "addon");
    for (const limit of [1, 2, 100]) {
      const sizes: number[] = [];
      const names = await walk(`${base}&layer=addon&limit=${limit}`, (p) => {
        sizes.push(p.offered.length);
        return [...p.offered.map((o) => o.name), ...p.hidden.map((h) => h.name)];
      });
      expect(names, `limit ${limit}`).toEqual(addonOrder);
      // Each page ends at its limit-th pack in display order (every add-on here fits): not sooner, not later.
      expect(
        sizes.slice(0, -1).every((n) => n === limit),
        `limit ${limit}: ${sizes}`,
      ).toBe(true);
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(addonOrder.length);
    }
    const cnis = await json<Compatible>(`${base}&layer=cni`);
    expect(cnis.offered.map((o) => o.name)).toEqual(["antrea", "aws-vpc-cni"]);
  });

  it("offers every layer in display order on the wizard's add-on only step", async () => {
    const res = await get("/bundle/layers/addon?product=palette-enterprise&version=4.7.3&useCase=addon");
    const html = await res.text();
    expect(res.status, html).toBe(200);
    const offered = [...html.matchAll(/name="pick" value="([a-z0-9-]+)@/g)].map((m) => m[1]);
    expect(offered, html).toEqual(ORDER);
  });

  it("refuses a cursor it did not write, naming the field", async () => {
    const forge = (value: unknown) =>
      btoa(JSON.stringify(value)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
    for (const cursor of [
      "nonsense",
      forge({ after: "antrea" }), // the old name-only form
      forge({ k: "antrea", n: "Not A Name" }),
      forge({ k: "antrea\u0001x", n: "antrea" }),
      forge({ k: "a".repeat(121), n: "antrea" }),
      forge({ k: 7, n: "antrea" }),
    ]) {
      for (const path of [
        `/api/v1/packs?cursor=${cursor}`,
        `/api/v1/compatible?product=palette-enterprise&version=4.7.3&useCase=controller&layer=addon&cursor=${cursor}`,
      ]) {
        const res = await get(path);
        expect(res.status, `${path}`).toBe(400);
        const body = (await res.json()) as { error: { details: { field: string }[] } };
        expect(body.error.details.map((d) => d.field)).toContain("cursor");
      }
    }
    // A well-formed cursor names a place in the order, whatever pack it names: the page after it.
    const page = await json<Page>(
      `/api/v1/packs?cursor=${encodeCursor(displaySortKey("Cert Manager", "cert-manager"))}`,
    );
    expect(page.items.map((p) => p.name)).toEqual(ORDER.slice(ORDER.indexOf("cert-manager") + 1));
  });
});

describe("keys from migration 0015's ASCII fold", () => {
  const TOKEN = "test-admin-token-0123456789abcdef";

  it("are made exact by the admin recount, which puts accented names in place", async () => {
    // What the migration's backfill writes: SQLite's lower() leaves "É" as it is, after every ASCII letter.
    await env.DB.prepare("UPDATE packs SET display_sort_key = lower(trim(display_name)) || char(1) || name").run();
    const before = await json<Page>("/api/v1/packs?limit=100&_=before");
    expect(before.items.map((p) => p.name).at(-1)).toBe("emile");

    const res = await exports.default.fetch("http://studio.test/api/v1/admin/catalog/recount", {
      method: "POST",
      headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
      body: JSON.stringify({ reason: "exact sort keys after migration 0015" }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { sortKeysRewritten: number }).sortKeysRewritten).toBe(1);
    const after = await json<Page>("/api/v1/packs?limit=100&_=after");
    expect(after.items.map((p) => p.name)).toEqual(ORDER);
    const keys = await env.DB.prepare("SELECT name, display_name, display_sort_key FROM packs").all<{
      name: string;
      display_name: string;
      display_sort_key: string;
    }>();
    for (const row of keys.results) expect(row.display_sort_key).toBe(displaySortKey(row.display_name, row.name));
  });
});
