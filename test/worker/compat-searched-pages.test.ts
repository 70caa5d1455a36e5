// A searched wizard step a page at a time (add-on only searches every layer): the pages add up to
// exactly the whole answer's packs that every word finds, in the same order, each version once,
// whichever way the first word leads (db/layer-candidates.ts, searchedPacks): its full-text matches
// in display order, few or many, or a layer its name holds, walked in that layer's order.
import { env } from "cloudflare:workers";
import { drizzle } from "drizzle-orm/d1";
import { beforeAll, describe, expect, it } from "vitest";
import { type CompatibleResult, compatiblePacksTolerant } from "../../worker/catalog/compatibility";
import * as schema from "../../worker/db/schema";
import type { Layer } from "../../worker/domain/vocabulary";
import { LAYER_LABELS } from "../../web/lib/format";
import { FIXTURE_PACKS, type FixturePack, manyAddons, seedCatalog, plainVersion } from "./support/catalog-fixture";

const db = () => drizzle(env.DB, { schema });
const QUERY = { product: "palette-enterprise", version: "4.7.3", useCase: "addon" as const, packs: [] };
const PER_PAGE = 7;
/** A CNI whose text does not say "network": only its layer's name does. */
const PLAIN_CNI: FixturePack = {
  name: "cni-plain",
  displayName: "Plain",
  layer: "cni",
  description: "Pod links without an overlay.",
  versions: [plainVersion()],
};
// "Generated add-on number N.", half of them logging: many matches for a word, next to the fixture's few.
const PACKS = [...FIXTURE_PACKS, PLAIN_CNI, ...manyAddons(320)];

/** Whether every word finds the pack, as the packs search does (a prefix of one of its words) or by its layer's name. */
function foundByEvery(words: string[], name: string): boolean {
  const pack = PACKS.find((p) => p.name === name)!;
  const tokens = [pack.name, pack.displayName, pack.description ?? "", pack.addonType ?? ""]
    .join(" ")
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u);
  return words.every(
    (w) => tokens.some((t) => t.startsWith(w)) || LAYER_LABELS[pack.layer as Layer].toLowerCase().includes(w),
  );
}

async function pagesOf(words: string[]): Promise<CompatibleResult[]> {
  const pages: CompatibleResult[] = [];
  for (let offset = 0; pages.length < 200; offset += PER_PAGE) {
    const page = { offset, limit: PER_PAGE, words, layerNames: LAYER_LABELS };
    const { result } = await compatiblePacksTolerant(db(), QUERY, { everyLayer: true, page });
    pages.push(result);
    if (result.nextCursor === null) return pages;
  }
  throw new Error("more than 200 pages");
}

beforeAll(async () => {
  await seedCatalog(PACKS);
});

describe("a searched step's pages", { timeout: 120_000 }, () => {
  it.each([
    // "network" names the CNI layer; Plain is found by that name alone, the other CNIs by their text too.
    [["network"], "a layer's name"],
    // "7" starts a dozen display names: few matches.
    [["7"], "few full-text matches"],
    // Half the generated add-ons are "logging": many.
    [["logging"], "many full-text matches"],
    // The first word leads, the others are looked up pack by pack.
    [["generated", "7"], "many matches, then another word"],
    [["storage", "aws"], "a layer's name, then a word"],
    // A later word that names a layer is looked up pack by pack, its layer included.
    [["aws", "storage"], "a word, then a layer's name"],
  ])("add up to the whole answer's packs that %j finds (%s)", async (words) => {
    const { result: whole } = await compatiblePacksTolerant(db(), QUERY, { everyLayer: true });
    const offered = whole.offered.filter((v) => foundByEvery(words, v.name));
    const hidden = whole.hidden.filter((v) => foundByEvery(words, v.name));
    expect(offered.length, "the search finds packs that fit").toBeGreaterThan(0);
    const pages = await pagesOf(words);
    for (const page of pages) expect(new Set(page.offered.map((v) => v.name)).size).toBeLessThanOrEqual(PER_PAGE);
    expect(pages.flatMap((p) => p.offered)).toEqual(offered);
    expect(pages.flatMap((p) => p.hidden)).toEqual(hidden);
  });

  it("finds a CNI by its layer's name alone", async () => {
    const { result } = await compatiblePacksTolerant(db(), QUERY, {
      everyLayer: true,
      page: { offset: 0, limit: 100, words: ["network"], layerNames: LAYER_LABELS },
    });
    expect(result.offered.map((v) => v.name)).toContain("cni-plain");
  });
});
