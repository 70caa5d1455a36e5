// The compatibility check's candidate read: a whole layer folded by SQLite into a few JSON rows
// (versionsInLayerStatement) and unfolded by readLayerRows must give exactly what the per-version
// read (versionsOfStatement + readVersionRow) gives, in the same order, however many rows it spans;
// a page of it carries details only for the packs that may fit.
import { displaySortKey, splitSortKey } from "../../worker/domain/display-sort";
import { env, exports } from "cloudflare:workers";
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { beforeAll, describe, expect, it } from "vitest";
import { type CompatibleResult, compatiblePacksTolerant } from "../../worker/catalog/compatibility";
import { runBatch, toQuery } from "../../worker/db/batch";
import {
  isUndetailed,
  keepAssessedStatement,
  LAYER_CHUNK,
  type LayerVersionsRow,
  readLayerRows,
  versionsInLayerStatement,
} from "../../worker/db/layer-candidates";
import { readVersionRow, versionsOfStatement } from "../../worker/db/pack-versions";
import { LAYERS, type Layer } from "../../worker/domain/vocabulary";
import * as schema from "../../worker/db/schema";
import { FIXTURE_PACKS, manyAddons, seedCatalog } from "./support/catalog-fixture";

const db = () => drizzle(env.DB, { schema });

// More add-on versions than one folded row holds, so the add-on layer spans several rows.
const ADDONS = manyAddons(320);
const addonVersions = ADDONS.reduce((n, p) => n + p.versions.length, 0);

/** The layer's versions read one row per version, as the pack pages read them. */
async function perVersionRead(layer: Layer) {
  const names = [...FIXTURE_PACKS, ...ADDONS]
    .filter((p) => p.layer === layer)
    .map((p) => displaySortKey(p.displayName, p.name))
    .sort()
    .map((key) => splitSortKey(key)!.name);
  const results = await runBatch(
    db(),
    names.map((name) => versionsOfStatement(name)),
  );
  return results.flat().map((row) => {
    const { pack, version } = readVersionRow(row);
    return { ...pack, ...version };
  });
}

beforeAll(async () => {
  await seedCatalog([...FIXTURE_PACKS, ...ADDONS]);
});

describe("versionsInLayerStatement + readLayerRows", () => {
  it.each(LAYERS)("reads the %s layer exactly as the per-version read does", async (layer) => {
    const [rows] = await runBatch(db(), [versionsInLayerStatement(layer)]);
    const expected = await perVersionRead(layer);
    expect(expected.length).toBeGreaterThan(0);
    expect(readLayerRows(rows)).toEqual(expected);
  });

  it("folds a large layer into several bounded rows and loses no version", async () => {
    expect(addonVersions).toBeGreaterThan(LAYER_CHUNK);
    const [rows] = await runBatch(db(), [versionsInLayerStatement("addon")]);
    expect(rows.length).toBeGreaterThan(1);
    for (const row of rows)
      expect((JSON.parse(row.versions as string) as unknown[]).length).toBeLessThanOrEqual(LAYER_CHUNK);
    const ids = readLayerRows(rows).map((v) => `${v.name}@${v.version}`);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(
      addonVersions +
        FIXTURE_PACKS.filter((p) => p.layer === "addon").flatMap((p) => p.versions.filter((v) => !v.yanked)).length,
    );
  });

  it("keeps the catalog order: packs in display order, each newest version first", async () => {
    const [rows] = await runBatch(db(), [versionsInLayerStatement("addon")]);
    const read = readLayerRows(rows);
    const keys = read.map((v) => displaySortKey(v.displayName, v.name));
    expect(keys).toEqual([...keys].sort());
    // "Add-on 10" after "Add-on 1", not where its internal name addon-010 would put it.
    const names = [...new Set(read.map((v) => v.name))];
    expect(names.indexOf("addon-010")).toBe(names.indexOf("addon-001") + 1);
    expect(read.filter((v) => v.name === "addon-000").map((v) => v.version)).toEqual(["1.1.0", "1.0.0"]);
  });

  it.each([
    { pages: "limit packs that may fit (the wizard's)", everyPack: false },
    { pages: "limit packs, fitting or not (the API's)", everyPack: true },
  ])("reads details only for the packs that may fit, on a page of $pages", async ({ everyPack }) => {
    // On arm64, only every third generated add-on has a build (1.1.0): the others are hidden whole.
    const context = {
      product: "palette-enterprise",
      version: "4.7.3",
      useCase: "controller" as const,
      cloud: "aws" as const,
      arch: "arm64" as const,
    };
    const { result: page } = await compatiblePacksTolerant(
      db(),
      { ...context, layer: "addon", packs: [] },
      { page: { limit: 7, everyPack } },
    );
    const range = {
      filter: context,
      fipsRule: { product: "palette-enterprise", asked: false },
      offset: 0,
      limit: 7,
      everyPack,
      words: [],
    };
    const [rows] = await runBatch(db(), [versionsInLayerStatement("addon", range)]);
    const read = readLayerRows(rows);
    // The same stretch as the page: every version offered or hidden there, no other.
    expect(read.map((v) => `${v.name}@${v.version}`).sort()).toEqual(
      [...page.offered, ...page.hidden].map((v) => `${v.name}@${v.version}`).sort(),
    );
    // With nothing chosen, the packs that may fit are the ones with a version offered.
    const detailed = new Set(read.filter((v) => !isUndetailed(v)).map((v) => v.name));
    expect(page.offered.length).toBeGreaterThan(0);
    expect([...detailed].sort()).toEqual([...new Set(page.offered.map((v) => v.name))].sort());
    expect(read.filter(isUndetailed).length).toBeGreaterThan(page.offered.length);
  });

  it("reads a version's kept child lists in one row, and a version without them (an older worker's) from its lists, alike", async () => {
    const expected = await perVersionRead("addon");
    const read = async () => {
      const { sql: text, params } = toQuery(versionsInLayerStatement("addon"));
      const result = await env.DB.prepare(text)
        .bind(...params)
        .all();
      return { versions: readLayerRows(result.results as LayerVersionsRow[]), rowsRead: result.meta.rows_read };
    };
    const kept = await read();
    expect(kept.versions).toEqual(expected);
    await env.DB.prepare("UPDATE pack_versions SET assessed = NULL WHERE pack_name LIKE 'addon-%'").run();
    try {
      const lists = await read();
      expect(lists.versions).toEqual(expected);
      // The five child lists are ten or so rows a version; the kept value, none beyond the version's own.
      expect(lists.rowsRead - kept.rowsRead).toBeGreaterThan(5 * addonVersions);
    } finally {
      await db().batch([keepAssessedStatement(db(), sql`1`)]);
    }
  });

  it("is backfilled by migration 0020 exactly as the publish batch keeps it", async () => {
    const kept = () =>
      env.DB.prepare("SELECT id, assessed FROM pack_versions ORDER BY id").all<{
        id: string;
        assessed: string | null;
      }>();
    await db().batch([keepAssessedStatement(db(), sql`1`)]);
    const published = (await kept()).results;
    expect(published.every((v) => v.assessed !== null)).toBe(true);
    const backfill = env.TEST_MIGRATIONS.find((m) => m.name.startsWith("0020_"))!.queries.find((q) =>
      q.includes("UPDATE `pack_versions` SET `assessed`"),
    );
    expect(backfill).toBeDefined();
    await env.DB.prepare("UPDATE pack_versions SET assessed = NULL").run();
    await env.DB.prepare(backfill!).run();
    expect((await kept()).results).toEqual(published);
  });

  it("reads an empty layer as no versions", () => {
    expect(readLayerRows([])).toEqual([]);
  });
});

describe("GET /api/v1/compatible over a large add-on layer", () => {
  it("offers or hides every add-on version: offered ones with full details, hidden ones with only their names and why", async () => {
    // Every page of the layer (a page is at most 100 packs, fitting or not).
    const body: Pick<CompatibleResult, "offered" | "hidden"> = { offered: [], hidden: [] };
    let cursor = "";
    do {
      const res = await exports.default.fetch(
        `http://studio.test/api/v1/compatible?product=palette-enterprise&version=4.7.3&useCase=controller&cloud=gcp&arch=arm64&layer=addon&packs=kubernetes@1.31.2&limit=100${cursor}`,
      );
      expect(res.status).toBe(200);
      const page = (await res.json()) as CompatibleResult;
      body.offered.push(...page.offered);
      body.hidden.push(...page.hidden);
      cursor = page.nextCursor ? `&cursor=${page.nextCursor}` : "";
    } while (cursor);
    const everyVersion = await perVersionRead("addon");
    expect([...body.offered, ...body.hidden].length).toBe(everyVersion.length);
    // The generated add-ons' 1.0.0 builds are amd64 only; their 1.1.0 builds are for aws only.
    const amd64Only = body.hidden.find((v) => v.name === "addon-001" && v.version === "1.0.0");
    expect(amd64Only?.reasons).toEqual(["no arm64 build"]);
    const awsOnly = body.hidden.find((v) => v.name === "addon-003" && v.version === "1.1.0");
    expect(awsOnly?.reasons).toEqual(["not published for gcp"]);
    expect(awsOnly).toEqual({
      name: "addon-003",
      displayName: "Add-on 3",
      version: "1.1.0",
      layer: "addon",
      reasons: ["not published for gcp"],
    });
    for (const hidden of body.hidden) {
      expect(Object.keys(hidden).sort(), `${hidden.name}@${hidden.version}`).toEqual([
        "displayName",
        "layer",
        "name",
        "reasons",
        "version",
      ]);
      expect(hidden.reasons.length, `${hidden.name}@${hidden.version}`).toBeGreaterThan(0);
    }
    expect(body.offered.length).toBeGreaterThan(0);
    for (const offered of body.offered) {
      expect(offered, `${offered.name}@${offered.version}`).toEqual(
        everyVersion.find((v) => v.name === offered.name && v.version === offered.version),
      );
    }
  });
});
