// The kept facet counts (worker/db/counts/facets.ts) on a generated catalog of a few thousand versions,
// published through publishStatements in several releases: every total, facet and page of
// /api/v1/packs equals a plain recount of the generated data, after the first publish, after a yank,
// after a second publish that adds versions to existing packs and after a key incident's yank, with
// and without search text; the counts and profiles kept batch by batch equal a full recount, and so
// do the migrations' backfills. A search counts its first COUNTED_MATCHES full-text matches: its
// counts equal the recount of exactly those packs, marked "gte" when it read that many.
import { env, exports } from "cloudflare:workers";
import { type SQL, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { beforeAll, describe, expect, it } from "vitest";
import type { PackSearchResult } from "../../worker/catalog/pack-search";
import { runBatch, query as rawQuery } from "../../worker/db/batch";
import { COUNTED_MATCHES } from "../../worker/db/counts/search-counts";
import { ftsQuery } from "../../worker/db/search-text";
import {
  type Arch,
  ARCHES,
  type Cloud,
  CLOUDS,
  type Layer,
  LAYERS,
  USE_CASES,
  type UseCase,
  compareVersions,
  versionSortKey,
} from "../../worker/domain/vocabulary";
import { profileRows, rangeRows, rebuildFacetCountStatements } from "../../worker/db/counts/facets";
import { yankSignedByKey } from "../../worker/db/key-incidents";
import { publishStatements } from "../../worker/db/publish-batch";
import { yankPackVersion } from "../../worker/db/yank";
import * as schema from "../../worker/db/schema";
import type { PackFile, ReleaseManifest } from "../../worker/sync/release-manifest";
import { clearCatalog } from "./support/catalog-fixture";
import { storedAsIf } from "./support/releases";
import { type SeededRandom, seededRandom } from "../../scripts/seeded-random";

const db = () => drizzle(env.DB, { schema });
const get = (path: string) => exports.default.fetch(`http://studio.test${path}`);

const PRODUCTS = [
  { id: "palette-enterprise", name: "Palette Enterprise", applianceName: "PE Appliance", fips: false, sortOrder: 0 },
  { id: "palette-vertex", name: "Palette VerteX", applianceName: "PV Appliance", fips: true, sortOrder: 1 },
];

/** The generated catalog as plain data: what a straightforward recount reads. */
type ModelVersion = {
  version: string;
  fips: boolean;
  clouds: (Cloud | "all")[];
  arches: Arch[];
  useCases: UseCase[];
  products: ModelProduct[];
  yanked: boolean;
};
/** A product a version is published for, within product versions `min`..`max` (either end open). */
type ModelProduct = { product: string; min?: string; max?: string };
/** `word` is in the pack's description: what a search for it finds. */
type ModelPack = { name: string; layer: Layer; word: string; common: boolean; versions: ModelVersion[] };

/** None is a prefix of another token the packs hold (search matches prefixes). */
const SEARCH_WORDS = ["aurora", "basalt", "cobalt"];
/** Three packs in four hold this word too (`common`): a search that matches most of the catalog, not all of it. */
const COMMON_WORD = "granite";

const model = new Map<string, ModelPack>();

function packFile(pack: ModelPack, v: ModelVersion): PackFile {
  const file = `${pack.name}-${v.version}.zst`;
  return {
    kind: "pack",
    file,
    signature: `${pack.name}-${v.version}.sig.bin`,
    size: 1000,
    sha256: "0".repeat(64),
    pack: {
      name: pack.name,
      displayName: `Pack ${pack.name}`,
      version: v.version,
      layer: pack.layer,
      description: `generated ${pack.layer} pack ${pack.word}${pack.common ? ` ${COMMON_WORD}` : ""}`,
      cloudTypes: v.clouds,
      annotations: { source: "spectrocloud" },
      constraints: { dependencies: [] },
      architectures: v.arches,
      fips: v.fips,
      useCases: v.useCases,
      products: v.products.map(({ product, min, max }) => ({ product, minVersion: min, maxVersion: max })),
    },
  };
}

/** The product version range ends the first catalog's versions pick from (either end may be open). */
const RANGE_ENDS = { min: ["4.5.0", "4.6.0", "4.6.12", "4.7.0"], max: ["4.6.11", "4.6.12", "4.7.99"] };

/**
 * `count` versions spread over new packs and (from `existing`) new versions of packs already
 * published, their product ranges ending at `ends`.
 */
function generate(random: SeededRandom, count: number, prefix: string, existing: ModelPack[] = [], ends = RANGE_ENDS) {
  const added: [ModelPack, ModelVersion][] = [];
  for (let i = 0; added.length < count; i++) {
    const reuse = existing.length > 0 && random.next() < 0.3;
    const pack: ModelPack = reuse
      ? random.pick(existing)
      : {
          name: `${prefix}-${String(i).padStart(4, "0")}`,
          layer: random.pick(LAYERS),
          word: SEARCH_WORDS[i % SEARCH_WORDS.length],
          common: i % 4 !== 0,
          versions: [],
        };
    const versions = reuse ? 1 : 1 + Math.floor(random.next() * 4);
    const arches: Arch[] = random.next() < 0.6 ? [...ARCHES] : ["amd64"];
    const clouds: (Cloud | "all")[] = random.next() < 0.2 ? ["all"] : random.some(CLOUDS, 3);
    for (let v = 0; v < versions; v++) {
      const fips = random.next() < 0.4;
      const version: ModelVersion = {
        version: `${prefix === "b" ? 9 : 1}.${pack.versions.length}.${Math.floor(random.next() * 20)}`,
        fips,
        clouds: random.next() < 0.2 ? random.some([...CLOUDS, "all" as const], 2) : clouds,
        arches,
        useCases: random.some(USE_CASES, 3),
        products: (fips ? PRODUCTS.map((p) => p.id) : ["palette-enterprise"]).map((product) => ({
          product,
          ...(random.next() < 0.3 && { min: random.pick(ends.min) }),
          ...(random.next() < 0.2 && { max: random.pick(ends.max) }),
        })),
        yanked: false,
      };
      if (pack.versions.some((x) => x.version === version.version)) continue;
      pack.versions.push(version);
      added.push([pack, version]);
    }
    model.set(pack.name, pack);
  }
  return added;
}

async function publish(
  releaseId: string,
  added: [ModelPack, ModelVersion][],
  products: typeof PRODUCTS = [],
  keyId = "test-ec",
) {
  const files = added.map(([pack, v]) => packFile(pack, v));
  const entries = products.map((p) => ({ ...p, change: "create" as const }));
  const release: ReleaseManifest = {
    schemaVersion: 1,
    releaseId,
    keyId,
    audience: "production",
    expiresAt: "2099-01-01T00:00:00Z",
    products: entries,
    files,
  };
  const statements = publishStatements(db(), {
    release,
    keyId,
    stored: storedAsIf(release),
    newPacks: files,
    newInstallers: [],
    productWrites: entries.map((entry) => ({ entry, change: entry.change })),
    runId: `run-${releaseId}`,
    now: Date.now(),
    details: null,
  });
  await db().batch(statements);
}

// ---- the recount -----------------------------------------------------------------------------------

type Filter = {
  q?: string;
  product?: string;
  version?: string;
  useCase?: UseCase;
  cloud?: Cloud;
  layer?: Layer;
  arch?: Arch;
  fips?: boolean;
};

const inRange = ({ min, max }: ModelProduct, version?: string) =>
  !version || ((!min || compareVersions(min, version) <= 0) && (!max || compareVersions(version, max) <= 0));

/** The words the full-text index holds for the pack (name, display name and description; packFile). */
const tokensOf = (pack: ModelPack) => [
  "generated",
  pack.layer,
  "pack",
  pack.word,
  ...(pack.common ? [COMMON_WORD] : []),
  ...pack.name.split(/[^a-z0-9]+/),
];

/** Every word of `q` is a prefix of one of the pack's words, as the packs search matches. */
const searchFinds = (pack: ModelPack, q: string) =>
  q.split(" ").every((w) => tokensOf(pack).some((token) => token.startsWith(w)));

const versionMatches = (pack: ModelPack, v: ModelVersion, f: Filter) =>
  !v.yanked &&
  (!f.q || searchFinds(pack, f.q)) &&
  (!f.layer || pack.layer === f.layer) &&
  (!f.product || v.products.some((p) => p.product === f.product && inRange(p, f.version))) &&
  (!f.useCase || v.useCases.includes(f.useCase)) &&
  (!f.cloud || v.clouds.includes(f.cloud) || v.clouds.includes("all")) &&
  (!f.arch || v.arches.includes(f.arch)) &&
  (f.fips === undefined || v.fips === f.fips);

const matchingPacks = (f: Filter) =>
  [...model.values()]
    .filter((p) => p.versions.some((v) => versionMatches(p, v, f)))
    .sort((a, b) => (a.name < b.name ? -1 : 1));

/**
 * Recounted as the API counts: with `counted` (a search's counted matches, when it read
 * COUNTED_MATCHES of them), among those packs only.
 */
function recount(f: Filter, counted?: Set<string>) {
  const count = (g: Filter) => matchingPacks(g).filter((p) => !counted || counted.has(p.name)).length;
  const facet = <K extends keyof Filter>(key: K, values: readonly NonNullable<Filter[K]>[]) =>
    Object.fromEntries(values.map((v) => [String(v), count({ ...f, [key]: v })]));
  // Picking another product drops the version (a version belongs to its product), as the browse page does.
  const products = Object.fromEntries(PRODUCTS.map((p) => [p.id, count({ ...f, product: p.id, version: undefined })]));
  return {
    total: count(f),
    facets: {
      product: products,
      useCase: facet("useCase", USE_CASES),
      cloud: facet("cloud", CLOUDS),
      layer: facet("layer", LAYERS),
      arch: facet("arch", ARCHES),
      fips: facet("fips", [true, false]),
    },
  };
}

const query = (f: Filter, extra: Record<string, string> = {}) =>
  new URLSearchParams({
    ...Object.fromEntries(Object.entries(f).map(([k, v]) => [k, String(v)])),
    ...extra,
  }).toString();

async function search(f: Filter, extra: Record<string, string> = {}): Promise<PackSearchResult> {
  const res = await get(`/api/v1/packs?${query(f, extra)}`);
  expect(res.status).toBe(200);
  return (await res.json()) as PackSearchResult;
}

const FILTERS: Filter[] = [
  {},
  { layer: "addon" },
  { cloud: "aws" },
  { product: "palette-vertex" },
  { fips: true },
  { useCase: "agent", arch: "arm64" },
  { product: "palette-enterprise", cloud: "aws", arch: "amd64", fips: true },
  { layer: "os", cloud: "maas", fips: false, useCase: "controller" },
  { product: "palette-vertex", useCase: "addon", cloud: "edge-native", layer: "cni", arch: "arm64", fips: true },
  { q: "cobalt" },
  { q: COMMON_WORD },
  { q: "aurora", layer: "cni" },
  { q: COMMON_WORD, arch: "arm64" },
  { q: "cobalt", cloud: "aws", fips: true },
  { q: "basalt", product: "palette-vertex", useCase: "agent", layer: "addon" },
  { q: "aurora", product: "palette-enterprise", arch: "arm64", cloud: "maas", fips: false, useCase: "controller" },
  { q: "basalt", product: "palette-enterprise", version: "4.6.12", cloud: "gcp" },
  { product: "palette-vertex", version: "4.6.12" },
  { product: "palette-enterprise", version: "4.7.3", layer: "addon", fips: false },
  { q: COMMON_WORD, product: "palette-enterprise", version: "4.5.23", arch: "arm64" },
];

/**
 * The packs a search counts, read from the full-text index itself (its first COUNTED_MATCHES
 * matches by rowid), when there are that many; undefined when it counts every match.
 */
async function countedPacks(q: string | undefined): Promise<Set<string> | undefined> {
  if (!q) return undefined;
  const [rows] = await runBatch(db(), [
    rawQuery<{
      name: string;
    }>(sql`SELECT p.name FROM (SELECT rowid FROM pack_search WHERE pack_search MATCH ${ftsQuery(q)}
      ORDER BY rowid LIMIT ${COUNTED_MATCHES}) h JOIN packs p ON p.rowid = h.rowid`),
  ]);
  return rows.length >= COUNTED_MATCHES ? new Set(rows.map((r) => r.name)) : undefined;
}

/** The API's counts for `f` equal the recount, exact or over the counted matches, and say which. */
async function expectCounts(f: Filter) {
  const body = await search(f, { limit: "1" });
  const counted = await countedPacks(f.q);
  expect({ total: body.total, facets: body.facets, totalRelation: body.totalRelation }, JSON.stringify(f)).toEqual({
    ...recount(f, counted),
    totalRelation: counted ? "gte" : "eq",
  });
}

async function expectCountsMatch() {
  for (const f of FILTERS) await expectCounts(f);
}

/** Versions on, between, just before and just past every range end the generated catalogs use, and outside them all. */
const PROBED_VERSIONS = [
  "4.4.0",
  "4.5.0",
  "4.5.9",
  "4.5.10",
  "4.6.0",
  "4.6.3",
  "4.6.4",
  "4.6.5",
  "4.6.11",
  "4.6.12-rc.1",
  "4.6.12",
  "4.6.13",
  "4.7.0",
  "4.7.99",
  "4.7.100",
  "4.8.0",
  "5.0.0",
];

/** Every product at every probed version, alone and with other filters, counts as recounted. */
async function expectProductVersionsMatch() {
  for (const product of PRODUCTS.map((p) => p.id))
    for (const version of PROBED_VERSIONS)
      for (const other of [
        {},
        { cloud: "aws", fips: true },
        { layer: "addon", arch: "arm64", useCase: "agent" },
      ] as Filter[]) {
        await expectCounts({ product, version, ...other });
      }
}

async function expectPagesMatch(f: Filter) {
  const seen: { name: string; versions: string[] }[] = [];
  let cursor: string | null = null;
  do {
    const body: PackSearchResult = await search(f, { limit: "100", ...(cursor ? { cursor } : {}) });
    seen.push(...body.items.map((i) => ({ name: i.name, versions: i.versions.map((v) => v.version) })));
    cursor = body.nextCursor;
  } while (cursor);
  const expected = matchingPacks(f).map((p) => ({
    name: p.name,
    versions: p.versions
      .filter((v) => versionMatches(p, v, f))
      .sort((a, b) => (versionSortKey(a.version) < versionSortKey(b.version) ? 1 : -1))
      .map((v) => v.version),
  }));
  expect(seen).toEqual(expected);
}

/** The kept tables as sorted text rows, to compare with a recount of them. */
async function keptCounts(): Promise<string[]> {
  const rows = await db().all<Record<string, unknown>>(
    sql`SELECT product, use_case, cloud, layer, arch, fips, n FROM pack_facet_counts`,
  );
  return rows.map((r) => Object.values(r).join("|")).sort();
}
async function keptProfiles(): Promise<string[]> {
  const rows = await db().all<Record<string, unknown>>(
    sql`SELECT p.name, s.mask, s.products FROM pack_facet_profiles s JOIN packs p ON p.rowid = s.pack_rowid`,
  );
  return rows.map((r) => Object.values(r).join("|")).sort();
}

async function keptSummaries(): Promise<string[]> {
  const rows = await db().all<Record<string, unknown>>(
    sql`SELECT p.name, s.mask, s.products FROM pack_facet_summaries s JOIN packs p ON p.rowid = s.pack_rowid`,
  );
  return rows.map((r) => Object.values(r).join("|")).sort();
}

async function keptRanges(): Promise<string[]> {
  const rows = await db().all<Record<string, unknown>>(
    sql`SELECT p.name, r.product_id, r.mask, r.min_key, r.max_key FROM pack_product_ranges r JOIN packs p ON p.rowid = r.pack_rowid`,
  );
  return rows.map((r) => Object.values(r).join("|")).sort();
}

/**
 * The kept product version counts as what they answer: for each product, the counts ("bits|n",
 * sorted) at the first key of each kept interval. A yank leaves intervals cut (a full recount does
 * not cut them), so counts are compared at every key either side cut at, not interval by interval.
 */
async function keptProductVersionCounts(atKeys: string[] = []): Promise<string[]> {
  const intervals = await db().all<{ product_id: string; from_key: string }>(
    sql`SELECT product_id, from_key FROM product_version_intervals`,
  );
  const counts = await db().all<{ product_id: string; from_key: string; bits: number; n: number }>(
    sql`SELECT product_id, from_key, bits, n FROM product_version_counts`,
  );
  const keys = [...new Set([...intervals.map((i) => `${i.product_id}|${i.from_key}`), ...atKeys])];
  return keys
    .map((at) => {
      const [product, key] = at.split("|");
      const from = intervals
        .filter((i) => i.product_id === product && i.from_key <= key)
        .map((i) => i.from_key)
        .sort()
        .at(-1);
      const here = counts.filter((c) => c.product_id === product && c.from_key === from).map((c) => `${c.bits}|${c.n}`);
      return `${at}: ${here.sort().join(" ")}`;
    })
    .sort();
}

const keptIntervals = async () =>
  (await db().all<{ at: string }>(sql`SELECT product_id || '|' || from_key AS at FROM product_version_intervals`)).map(
    (r) => r.at,
  );

async function expectKeptEqualsRebuilt() {
  const [counts, profiles, summaries, ranges, versionCounts] = [
    await keptCounts(),
    await keptProfiles(),
    await keptSummaries(),
    await keptRanges(),
    await keptProductVersionCounts(),
  ];
  const cutBefore = await keptIntervals();
  expect(ranges.length).toBeGreaterThan(0);
  expect(profiles.length).toBeGreaterThan(0);
  expect(summaries.length).toBe(new Set(profiles.map((p) => p.split("|")[0])).size);
  const [first, ...rest] = rebuildFacetCountStatements(db());
  await db().batch([first, ...rest]);
  expect(await keptCounts()).toEqual(counts);
  expect(await keptProfiles()).toEqual(profiles);
  expect(await keptSummaries()).toEqual(summaries);
  expect(await keptRanges()).toEqual(ranges);
  expect(await keptProductVersionCounts(cutBefore)).toEqual(versionCounts);
}

beforeAll(async () => {
  await clearCatalog();
  model.clear();
  const random = seededRandom(9);
  const first = generate(random, 2400, "a");
  for (let i = 0; i < first.length; i += 600)
    await publish(`facets-a-${i / 600}`, first.slice(i, i + 600), i === 0 ? PRODUCTS : []);
}, 60_000);

// Thousands of versions recounted several times: give each test more than the default 5 s on a busy machine.
describe("kept facet counts", { timeout: 60_000 }, () => {
  it("equal a recount for every filter combination tried, after publishing in several releases", async () => {
    expect([...model.values()].reduce((n, p) => n + p.versions.length, 0)).toBeGreaterThanOrEqual(2400);
    await expectCountsMatch();
    await expectProductVersionsMatch();
    await expectKeptEqualsRebuilt();
  });

  it("page through exactly the recounted packs and versions", async () => {
    await expectPagesMatch({});
    await expectPagesMatch({ q: "cobalt", cloud: "aws" });
    // A word with few matches and a common one, read from the ordered index page after page.
    await expectPagesMatch({ q: "cobalt cni" });
    await expectPagesMatch({ q: COMMON_WORD, fips: false });
    await expectPagesMatch({ product: "palette-enterprise", cloud: "aws", arch: "amd64", fips: true });
  });

  it("say on the browse page when a search's counts are lower bounds, and only then", async () => {
    const counted = await (await get(`/packs?q=${COMMON_WORD}`)).text();
    expect(counted).toContain(
      `${COUNTED_MATCHES}+ packs match: this search finds more packs than it counts, so the numbers shown are lower bounds.`,
    );
    const api = await search({ q: COMMON_WORD, layer: "cni" });
    expect(api.totalRelation).toBe("gte");
    const cni = await (await get(`/packs?q=${COMMON_WORD}&layer=cni`)).text();
    expect(cni).toContain(`${Math.max(api.total, api.items.length)}+ packs match`);
    const cniCount = api.facets.layer.cni;
    expect(cni).toContain(cniCount ? `>Network (${cniCount}+)</option>` : ">Network</option>");
    // A value with none among the counted matches may still have packs past them: no number, not "(0+)".
    const filters: Filter[] = [
      { q: COMMON_WORD, layer: "cni" },
      { q: COMMON_WORD, layer: "os", fips: true },
      { q: COMMON_WORD, product: "palette-vertex", fips: false },
    ];
    let zeroShown = 0;
    for (const f of filters) {
      const counts = await search(f);
      if (counts.totalRelation !== "gte") continue;
      const zeros = Object.values(counts.facets).flatMap((values) => Object.values(values).filter((n) => n === 0));
      if (!zeros.length) continue;
      zeroShown++;
      const html = await (await get(`/packs?${query(f)}`)).text();
      expect(html, JSON.stringify(f)).not.toContain("(0+)");
      expect(html, JSON.stringify(f)).not.toContain("(0)");
    }
    expect(zeroShown, "a bounded search with a value counted 0").toBeGreaterThan(0);
    const exact = await (await get("/packs?q=cobalt%20cni")).text();
    expect(exact).toMatch(/\d+ packs match</);
    expect(exact).not.toMatch(/\(\d+\+\)/);
  });

  it("let a page read D1 rows in proportion to the page, not to the catalog, and say how many", async () => {
    const rowsRead = async (path: string) => {
      const res = await get(path);
      await res.arrayBuffer();
      expect(res.status).toBe(200);
      return Number(res.headers.get("X-D1-Rows-Read"));
    };
    const versions = [...model.values()].reduce((n, p) => n + p.versions.length, 0);
    const small = await rowsRead("/api/v1/packs?limit=5&_=rows-small");
    const large = await rowsRead("/api/v1/packs?limit=50&_=rows-large");
    const filtered = await rowsRead("/api/v1/packs?limit=5&cloud=aws&arch=arm64&fips=true&_=rows-filtered");
    expect(small).toBeGreaterThan(0);
    expect(large).toBeGreaterThan(small);
    for (const n of [small, filtered]) expect(n).toBeLessThan(versions / 4);
    // Counting for a product version reads a row a count, kept for the version's interval, not the
    // product's ranges (a row or two a pack) nor every version with its child lists.
    const counted = await rowsRead("/api/v1/packs?limit=5&product=palette-enterprise&version=4.7.3&_=rows-counted");
    const productPacks = matchingPacks({ product: "palette-enterprise" }).length;
    expect(counted - small).toBeLessThan(productPacks / 4);
    const etag = (await get("/api/v1/packs?limit=5")).headers.get("ETag")!;
    const revalidated = await exports.default.fetch("http://studio.test/api/v1/packs?limit=5", {
      headers: { "If-None-Match": etag },
    });
    expect(revalidated.status).toBe(304);
    expect(revalidated.headers.get("X-D1-Rows-Read")).toBe("1");
  });

  it("follow a yank, and a second yank of the same version changes nothing", async () => {
    const pack = [...model.values()].find((p) => p.versions.length === 1 && p.layer === "cni")!;
    const only = pack.versions[0];
    const yanked = await yankPackVersion(db(), pack.name, only.version, "test: facets", Date.now());
    expect(yanked?.changed).toBe(true);
    only.yanked = true;
    await expectCountsMatch();
    await expectProductVersionsMatch();
    const again = await yankPackVersion(db(), pack.name, only.version, "test: facets", Date.now() + 1);
    expect(again?.changed).toBe(false);
    await expectCountsMatch();
    await expectKeptEqualsRebuilt();
  });

  it("follow a second publish that adds versions to packs already published", async () => {
    const random = seededRandom(11);
    // New range ends inside the first catalog's intervals: the kept product version counts must cut them.
    const ends = { min: [...RANGE_ENDS.min, "4.6.5"], max: [...RANGE_ENDS.max, "4.6.3"] };
    const second = generate(random, 500, "b", [...model.values()], ends);
    expect(second.some(([pack]) => pack.name.startsWith("a-"))).toBe(true);
    const newEnds = second.flatMap(([, v]) => v.products.flatMap((p) => [p.min, p.max]));
    expect(newEnds).toContain("4.6.5");
    expect(newEnds).toContain("4.6.3");
    await publish("facets-b", second);
    await expectCountsMatch();
    await expectProductVersionsMatch();
    await expectPagesMatch({ layer: "addon", useCase: "agent" });
    await expectPagesMatch({ q: "basalt", fips: true });
    await expectKeptEqualsRebuilt();
  });

  it("follow a key incident that yanks every version signed under a key, new packs and new versions of old ones", async () => {
    const ends = { min: [...RANGE_ENDS.min, "4.8.0"], max: [...RANGE_ENDS.max, "4.5.9"] };
    const leaked = generate(seededRandom(13), 300, "k", [...model.values()], ends);
    expect(leaked.some(([pack]) => pack.name.startsWith("a-"))).toBe(true);
    await publish("facets-leaked-key", leaked, [], "leaked-ec");
    await expectCountsMatch();
    await expectProductVersionsMatch();
    const yank = await yankSignedByKey(db(), "leaked-ec", "test: key leaked", Date.now());
    expect(yank.packVersionsYanked).toBe(leaked.length);
    for (const [, version] of leaked) version.yanked = true;
    await expectCountsMatch();
    await expectProductVersionsMatch();
    await expectKeptEqualsRebuilt();
  });

  it("compute each version's mask as an integer, as the kept tables hold it, so an unchanged pack compares equal", async () => {
    // D1 binds a JS number as a REAL: a mask summed from a bound bit reads 131080.0, the kept one 131080.
    const maskTypes = async (rows: SQL, columns: string) =>
      (
        await db().all<{ t: string }>(
          sql`WITH r(${sql.raw(columns)}) AS (${rows}) SELECT DISTINCT typeof(mask) AS t FROM r`,
        )
      ).map((r) => r.t);
    expect(await maskTypes(profileRows(sql`1`), "pack_rowid, mask, products")).toEqual(["integer"]);
    expect(await maskTypes(rangeRows(sql`1`), "pack_rowid, product_id, mask, min_key, max_key")).toEqual(["integer"]);
  });

  it("are what the migration's backfill computes for a catalog published before it", async () => {
    const kept = await keptCounts();
    const migration = env.TEST_MIGRATIONS.find((m) => m.name.startsWith("0005_"));
    const backfill = migration?.queries.find((q) => q.includes("INSERT INTO pack_facet_counts"));
    expect(backfill).toBeDefined();
    await env.DB.batch([env.DB.prepare("DELETE FROM pack_facet_counts"), env.DB.prepare(backfill!)]);
    expect(await keptCounts()).toEqual(kept);
  });

  it("are the profiles, summaries and ranges the search-masks migration's backfill computes for a catalog published before it", async () => {
    const [profiles, summaries, ranges] = [await keptProfiles(), await keptSummaries(), await keptRanges()];
    const migration = env.TEST_MIGRATIONS.find((m) => m.name.startsWith("0010_"));
    const tables = ["pack_facet_profiles", "pack_facet_summaries", "pack_product_ranges"];
    const backfills = tables.map((table) => migration?.queries.find((q) => q.includes(`INSERT INTO ${table}`)));
    expect(backfills.every(Boolean)).toBe(true);
    await env.DB.batch([
      ...tables.map((table) => env.DB.prepare(`DELETE FROM ${table}`)),
      ...backfills.map((q) => env.DB.prepare(q!)),
    ]);
    expect(await keptProfiles()).toEqual(profiles);
    expect(await keptSummaries()).toEqual(summaries);
    expect(await keptRanges()).toEqual(ranges);
  });

  it("are the product version counts the product-version-counts migration's backfill computes for a catalog published before it", async () => {
    const [kept, cut] = [await keptProductVersionCounts(), await keptIntervals()];
    const migration = env.TEST_MIGRATIONS.find((m) => m.name.startsWith("0011_"));
    const tables = ["product_version_intervals", "product_version_counts"];
    const backfills = tables.map((table) => migration?.queries.find((q) => q.includes(`INSERT INTO ${table}`)));
    expect(backfills.every(Boolean)).toBe(true);
    await env.DB.batch([
      ...tables.map((table) => env.DB.prepare(`DELETE FROM ${table}`)),
      ...backfills.map((q) => env.DB.prepare(q!)),
    ]);
    expect(await keptProductVersionCounts(cut)).toEqual(kept);
  });
});
