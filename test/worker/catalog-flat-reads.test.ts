// Flat reads (issue 21): the D1 rows a compatibility page and the wizard's layer steps read follow
// the page, not the catalog. The same generated catalog is seeded at one size and then at ten times
// that size, and each request's X-D1-Rows-Read (D1's meta.rows_read over the request) at the large
// size must stay within 2× of the small one. Each small-catalog page is full (the layer holds more
// packs that may fit than the page's limit), as at any real size: a layer smaller than one page is
// read whole, so its rows grow with the layer until it fills one.
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { type Arch, CLOUDS, type Cloud, type Layer, type UseCase } from "../../worker/domain/vocabulary";
import { type FixturePack, type FixtureVersion, seedCatalog } from "./support/catalog-fixture";
import { type SeededRandom, seededRandom } from "../../scripts/seeded-random";

const CONTEXT = "product=palette-enterprise&version=4.7.3&useCase=controller&cloud=aws&arch=amd64";
const LAYER_SHARES: [Layer, number][] = [
  ["os", 0.1],
  ["k8s", 0.1],
  ["cni", 0.1],
  ["csi", 0.1],
  ["addon", 0.6],
];

function layerOf(i: number, count: number): Layer {
  let edge = 0;
  for (const [layer, share] of LAYER_SHARES) {
    edge += share * count;
    if (i < edge) return layer;
  }
  return "addon";
}

/** A version spread like the benchmark's catalog: some clouds, both arches or amd64, FIPS builds also for VerteX. */
function versionOf(random: SeededRandom, layer: Layer, version: string): FixtureVersion {
  const fips = random.next() < 0.4;
  const clouds: (Cloud | "all")[] = random.next() < 0.25 ? ["all"] : [random.pick(CLOUDS), random.pick(CLOUDS)];
  const useCases: UseCase[] =
    layer === "addon" ? random.pick([["controller", "agent", "addon"], ["addon"]] as UseCase[][]) : ["controller"];
  const bounded = random.next() < 0.2 ? { maxVersion: "4.6.12" } : {};
  return {
    version,
    fips,
    clouds: [...new Set(clouds)],
    arches: (random.next() < 0.6 ? ["amd64", "arm64"] : ["amd64"]) as Arch[],
    useCases,
    products: (fips ? ["palette-enterprise", "palette-vertex"] : ["palette-enterprise"]).map((product) => ({
      product,
      ...bounded,
    })),
  };
}

/**
 * `count` packs of one to four versions each. The larger catalog holds the smaller one's packs, and
 * its other packs sort among them (a random word leads each name), as a growing catalog's do.
 */
function catalogOf(count: number): FixturePack[] {
  const random = seededRandom(2112);
  return Array.from({ length: count }, (_, i) => {
    const layer = layerOf(i % 10, 10);
    const word = String(Math.floor(random.next() * 1e6)).padStart(6, "0");
    const versions = 1 + Math.floor(random.next() * 4);
    return {
      name: `${layer}-${word}-${i}`,
      displayName: `Pack ${word} ${i}`,
      layer,
      addonType: layer === "addon" ? "monitoring" : undefined,
      description: `generated ${layer} pack`,
      versions: Array.from({ length: versions }, (_, v) => versionOf(random, layer, `1.${v}.0`)),
    };
  });
}

async function get(path: string): Promise<{ rows: number; body: string }> {
  const res = await exports.default.fetch(`http://studio.test${path}`);
  const body = await res.text();
  expect(res.status, `${path}: ${body.slice(0, 300)}`).toBe(200);
  return { rows: Number(res.headers.get("X-D1-Rows-Read")), body };
}

/** One fitting pack of each one-pack layer, picked through the API as the wizard's user would. */
async function picks(tag: string): Promise<string[]> {
  const chosen: string[] = [];
  for (const layer of ["os", "k8s", "cni", "csi"]) {
    const { body } = await get(`/api/v1/compatible?${CONTEXT}&layer=${layer}&packs=${chosen.join(",")}&_=${tag}`);
    const [first] = (JSON.parse(body) as { offered: { name: string; version: string }[] }).offered;
    chosen.push(`${first.name}@${first.version}`);
  }
  return chosen;
}

/** The rows each request reads, with a tag the API ignores and the edge cache keys on (so none is a cache hit). */
async function rowsRead(tag: string): Promise<Record<string, number>> {
  const chosen = await picks(tag);
  const requests: Record<string, string> = {
    "compatible, k8s layer": `/api/v1/compatible?${CONTEXT}&layer=k8s&limit=3&packs=${chosen[0]}`,
    "compatible, addon layer": `/api/v1/compatible?${CONTEXT}&layer=addon&limit=10&packs=${chosen.join(",")}`,
    "HTML add-on step": `/bundle/layers/addon?${CONTEXT}&packs=${chosen.join(",")}`,
    "HTML add-on only, page 2": `/bundle/layers/addon?${CONTEXT.replace("controller", "addon")}&page=2`,
  };
  const rows: Record<string, number> = {};
  for (const [name, path] of Object.entries(requests)) rows[name] = (await get(`${path}&_=${tag}`)).rows;
  return rows;
}

describe("rows read as the catalog grows ten times", { timeout: 120_000 }, () => {
  it("stay within 2× for each compatibility page and wizard layer step", async () => {
    await seedCatalog(catalogOf(150));
    const small = await rowsRead("small");
    await seedCatalog(catalogOf(1500));
    const large = await rowsRead("large");
    for (const [name, n] of Object.entries(small)) {
      expect(n, name).toBeGreaterThan(0);
      expect(large[name], `${name}: ${n} rows at 150 packs, ${large[name]} at 1,500`).toBeLessThanOrEqual(2 * n);
    }
  });
});
