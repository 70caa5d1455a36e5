// Migration 0019: each pack's display rank (an integer with gaps, in display order) is the rowid of
// its entry in pack_search_ordered, so a search reads its matches in the order it lists them. The
// triggers are the rank's only writers: a new pack takes the middle of its gap, a renamed one moves,
// a gap that runs out spaces every pack out again, and the ordered index follows each of them.
import { env, exports } from "cloudflare:workers";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { encodeCursor } from "../../worker/catalog/filters";
import type { PackSearchResult } from "../../worker/catalog/pack-search";
import { displaySortKey } from "../../worker/domain/display-sort";
import { clearCatalog, FIXTURE_PACKS, manyAddons, seedCatalog } from "./support/catalog-fixture";
import { dropRelease, PALETTE_ENTERPRISE, type PackSpec } from "./support/releases";
import { syncAndSettle } from "./support/sync";

type Ranked = { name: string; rank: number | null; key: string };

const ranked = async () =>
  (
    await env.DB.prepare(
      "SELECT name, display_rank AS rank, display_sort_key AS key FROM packs ORDER BY display_sort_key",
    ).all<Ranked>()
  ).results;

/** Every pack ranked, ranks rising with the keys, and the ordered index holding each pack's text at its rank, and nothing else. */
async function expectRanksInStep() {
  const rows = await ranked();
  expect(rows.every((r) => r.rank !== null)).toBe(true);
  const ranks = rows.map((r) => r.rank as number);
  expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
  expect(new Set(ranks).size).toBe(ranks.length);
  const { results: indexed } = await env.DB.prepare(
    "SELECT rowid AS rank, name, display_name AS displayName FROM pack_search_ordered ORDER BY rowid",
  ).all<{ rank: number; name: string; displayName: string }>();
  const { results: packs } = await env.DB.prepare(
    "SELECT display_rank AS rank, name, display_name AS displayName FROM packs ORDER BY display_rank",
  ).all<{ rank: number; name: string; displayName: string }>();
  expect(indexed).toEqual(packs);
  for (const index of ["pack_search_ordered", "pack_search"])
    await env.DB.prepare(`INSERT INTO ${index}(${index}) VALUES ('integrity-check')`).run();
  return rows;
}

const insertPack = (name: string, displayName: string, description = "Hand-written.") =>
  env.DB.prepare(
    "INSERT INTO packs (name, display_name, layer, description, display_sort_key) VALUES (?, ?, 'addon', ?, ?)",
  )
    .bind(name, displayName, description, displaySortKey(displayName, name))
    .run();

const ordered = async (word: string) =>
  (
    await env.DB.prepare(
      "SELECT p.name FROM pack_search_ordered CROSS JOIN packs p ON p.display_rank = pack_search_ordered.rowid WHERE pack_search_ordered MATCH ? ORDER BY pack_search_ordered.rowid",
    )
      .bind(`"${word}"*`)
      .all<{ name: string }>()
  ).results.map((r) => r.name);

/**
 * Ranks 2^32 apart in display order, as migration 0019 leaves a catalog (the fixture inserts its packs
 * out of display order, each halving a gap).
 */
async function rankAsMigrated() {
  await env.DB.prepare("UPDATE packs SET display_rank = -display_rank - 1").run();
  await env.DB.prepare(
    "UPDATE packs SET display_rank = r.n * 4294967296 FROM (SELECT rowid AS id, row_number() OVER (ORDER BY display_sort_key) AS n FROM packs) AS r WHERE packs.rowid = r.id",
  ).run();
}

/** Sets packs' ranks by name, in one statement. */
const setRanks = (ranks: [string, number][]) =>
  env.DB.prepare("UPDATE packs SET display_rank = j.value ->> 1 FROM json_each(?) j WHERE packs.name = j.value ->> 0")
    .bind(JSON.stringify(ranks))
    .run();

describe("display ranks", () => {
  beforeEach(async () => {
    await seedCatalog([...FIXTURE_PACKS, ...manyAddons(40)]);
  });

  it("rank every pack in display order, with the ordered index in step", async () => {
    const rows = await expectRanksInStep();
    expect(rows.length).toBe(FIXTURE_PACKS.length + 40);
  });

  it("place a new pack between its neighbours, and before the first and after the last", async () => {
    const before = await ranked();
    await insertPack("addon-first", "0 First");
    await insertPack("addon-last", "zz Last");
    await insertPack("addon-between", `${before[3].key.split("\u0001")[0]} and more`);
    const after = await expectRanksInStep();
    expect(after[0].name).toBe("addon-first");
    expect(after.at(-1)!.name).toBe("addon-last");
    // No pack that was there moved.
    for (const row of before) expect(after.find((r) => r.name === row.name)!.rank).toBe(row.rank);
  });

  it("space every pack out again when a gap runs out in a catalog no larger than a window", async () => {
    await seedCatalog(FIXTURE_PACKS);
    const before = await ranked();
    // Each lands just after the first pack, in the gap the one before it took: a step, then about 20
    // halvings empty it.
    for (let i = 40; i > 0; i--)
      await insertPack(`addon-squeeze-${i}`, `${before[0].key.split("\u0001")[0]} ${String(i).padStart(2, "0")}`);
    const after = await expectRanksInStep();
    expect(after.length).toBe(before.length + 40);
    // The spacing is new and above every rank used before it.
    expect(Math.min(...after.map((r) => r.rank as number))).toBeGreaterThan(
      Math.max(...before.map((r) => r.rank as number)),
    );
  });

  it("space them out below the lowest rank when the highest nears 2^62, so no rank overflows", async () => {
    await seedCatalog(FIXTURE_PACKS);
    const before = await ranked();
    // The last pack where many respaces of a large catalog would have taken the top.
    await env.DB.prepare("UPDATE packs SET display_rank = ? WHERE name = ?")
      .bind(4_611_686_018_427_387_000n.toString(), before.at(-1)!.name)
      .run();
    for (let i = 40; i > 0; i--)
      await insertPack(`addon-squeeze-${i}`, `${before[0].key.split("\u0001")[0]} ${String(i).padStart(2, "0")}`);
    const after = await expectRanksInStep();
    expect(Math.max(...after.map((r) => r.rank as number))).toBeLessThan(0);
    const { results } = await env.DB.prepare(
      "SELECT count(*) AS n FROM packs WHERE typeof(display_rank) <> 'integer'",
    ).all<{ n: number }>();
    expect(results[0].n).toBe(0);
  });

  it("keep every pack's index entry when a renamed pack's gap runs out and its old rank goes to another", async () => {
    await seedCatalog(FIXTURE_PACKS);
    await rankAsMigrated();
    const before = await ranked();
    // No room between the first two; the last pack renamed into that gap sets off a respace, whose
    // first new rank, the highest left plus 2^32, is the renamed pack's old one.
    await setRanks([[before[1].name, (before[0].rank as number) + 1]]);
    const last = before.at(-1)!;
    const between = `${before[0].key.split("\u0001")[0]} 0`;
    await env.DB.prepare("UPDATE packs SET display_name = ?, display_sort_key = ? WHERE name = ?")
      .bind(between, displaySortKey(between, last.name), last.name)
      .run();
    const after = await expectRanksInStep();
    expect(after[1].name).toBe(last.name);
    expect(after[0].rank).toBe(last.rank);
  });

  it("keep a pack's rank when an update rewrites its key unchanged, and index a new description", async () => {
    const before = await ranked();
    const row = before[5];
    await env.DB.prepare("UPDATE packs SET display_sort_key = ?, description = ? WHERE name = ?")
      .bind(row.key, "Now says quokka.", row.name)
      .run();
    const after = await expectRanksInStep();
    expect(after.find((r) => r.name === row.name)!.rank).toBe(row.rank);
    expect(await ordered("quokka")).toEqual([row.name]);
  });

  it("keep every rank in order through one update that reverses the packs' order", async () => {
    // As the admin recount (db/display-keys.ts) rewrites many keys in one statement.
    const names = Array.from({ length: 40 }, (_, i) => `addon-${String(i).padStart(3, "0")}`);
    const keys = names.map((name, i) => [name, `zz ${String(99 - i).padStart(2, "0")}\u0001${name}`]);
    await env.DB.prepare(
      "UPDATE packs SET display_sort_key = j.value ->> 1 FROM json_each(?) j WHERE packs.name = j.value ->> 0",
    )
      .bind(JSON.stringify(keys))
      .run();
    const rows = await expectRanksInStep();
    expect(rows.slice(-40).map((r) => r.name)).toEqual([...names].reverse());
  });

  it("rank a pack an older worker inserts without a key, once migration 0015's trigger gives it one", async () => {
    await env.DB.prepare(
      "INSERT INTO packs (name, display_name, layer, description, display_sort_key) VALUES (?, ?, 'addon', '', '')",
    )
      .bind("addon-keyless", "Mmm Keyless")
      .run();
    const rows = await expectRanksInStep();
    expect(rows.find((r) => r.name === "addon-keyless")!.key).toBe("mmm keyless\u0001addon-keyless");
  });

  it("move a renamed pack, which its new words find at its new place", async () => {
    await env.DB.prepare("UPDATE packs SET display_name = ?, display_sort_key = ? WHERE name = ?")
      .bind("Zzz Renamed", displaySortKey("Zzz Renamed", "addon-007"), "addon-007")
      .run();
    const rows = await expectRanksInStep();
    expect(rows.at(-1)!.name).toBe("addon-007");
    expect(await ordered("renamed")).toEqual(["addon-007"]);
    expect((await ordered("number")).at(-1)).toBe("addon-007");
  });

  it("drop a deleted pack's entry", async () => {
    await insertPack("addon-gone", "Gone Soon", "Removed before it ships.");
    expect(await ordered("gone")).toEqual(["addon-gone"]);
    await env.DB.prepare("DELETE FROM packs WHERE name = ?").bind("addon-gone").run();
    await expectRanksInStep();
    expect(await ordered("gone")).toEqual([]);
  });
});

describe("display ranks in a catalog larger than a window", () => {
  beforeEach(async () => {
    await seedCatalog([...FIXTURE_PACKS, ...manyAddons(300)]);
    await rankAsMigrated();
  });

  /** Inserts `count` packs each just after `after`'s key, each before the one before it: each halves the gap. */
  const squeezeAfter = async (after: Ranked, count: number) => {
    for (let i = count; i > 0; i--)
      await insertPack(`addon-squeeze-${i}`, `${after.key.split("\u0001")[0]} ${String(i).padStart(2, "0")}`);
  };
  /** The indexes (in `before`) of the packs whose rank changed. */
  const movedIndexes = (before: Ranked[], after: Ranked[]) =>
    before.flatMap((row, i) => (after.find((r) => r.name === row.name)!.rank === row.rank ? [] : [i]));

  it("space out only the 64 packs either side when a gap runs out in the middle", async () => {
    const before = await ranked();
    const middle = 150;
    await squeezeAfter(before[middle], 60);
    const after = await expectRanksInStep();
    expect(after.length).toBe(before.length + 60);
    const moved = movedIndexes(before, after);
    expect(moved.length).toBeGreaterThan(0);
    for (const i of moved) expect(Math.abs(i - middle), before[i].name).toBeLessThanOrEqual(64);
  });

  it("space out the first packs, into whole gaps below them, when the gap after the first runs out", async () => {
    const before = await ranked();
    await squeezeAfter(before[0], 60);
    const after = await expectRanksInStep();
    const moved = movedIndexes(before, after);
    expect(moved).toContain(0);
    expect(Math.max(...moved)).toBeLessThanOrEqual(64);
    expect(Math.min(...after.map((r) => r.rank as number))).toBeLessThan(before[0].rank as number);
  });

  it("move the window's packs out of the way before placing them, where a neighbour still holds a place", async () => {
    // Ranks laid out so that the 66th of the window holds no gap after the new pack, and each pack
    // after it already sits on the place of the one before it: placed in order without moving them
    // away first, the 66th would take the 67th's rank.
    const before = await ranked();
    const step = 2 ** 20;
    const low = before[86].rank as number;
    const layout: [string, number][] = [[before[87].name, low + 1]];
    for (let p = 2; p <= 64; p++) layout.push([before[86 + p].name, low + (p - 1) * step]);
    layout.push([before[151].name, low + 63 * step + 1]);
    for (let p = 67; p <= 129; p++) layout.push([before[85 + p].name, low + (p - 1) * step]);
    layout.push([before[215].name, low + 130 * step]);
    await env.DB.prepare(
      "UPDATE packs SET display_rank = j.value ->> 1 FROM json_each(?) j WHERE packs.name = j.value ->> 0",
    )
      .bind(JSON.stringify(layout))
      .run();
    const laid = await expectRanksInStep();
    await squeezeAfter(before[150], 1);
    const after = await expectRanksInStep();
    // The window and nothing else: the 64 packs before the new one and the 64 after it.
    const moved = movedIndexes(laid, after);
    expect([moved.length, Math.min(...moved), Math.max(...moved)]).toEqual([128, 87, 214]);
  });

  it("park the window's packs above its top when the window reaches past the last pack", async () => {
    // A window at the top end reaches a whole gap past the last pack, above the highest rank: parked
    // just above the highest, the last pack would sit on the place of the one before it.
    const before = await ranked();
    const count = before.length;
    const middle = count - 10;
    const { rowid } = (await env.DB.prepare("SELECT rowid FROM packs WHERE name = ?")
      .bind(before.at(-1)!.name)
      .first<{ rowid: number }>())!;
    await setRanks([
      [before[middle].name, (before[middle + 1].rank as number) - 1],
      [before.at(-1)!.name, count * 2 ** 32 - rowid],
    ]);
    const laid = await expectRanksInStep();
    await squeezeAfter(before[middle], 1);
    const after = await expectRanksInStep();
    const moved = movedIndexes(laid, after);
    expect(Math.min(...moved)).toBeGreaterThanOrEqual(middle - 63);
    expect(Math.max(...moved)).toBe(count - 1);
  });

  it("space every pack out again when the packs around the gap have no room either", async () => {
    // Ranks 1, 2, 3 ...: no window has 2^20 a pack.
    await env.DB.prepare("UPDATE packs SET display_rank = -display_rank - 1").run();
    await env.DB.prepare(
      "UPDATE packs SET display_rank = r.n FROM (SELECT rowid AS id, row_number() OVER (ORDER BY display_sort_key) AS n FROM packs) AS r WHERE packs.rowid = r.id",
    ).run();
    const before = await expectRanksInStep();
    await squeezeAfter(before[150], 1);
    const after = await expectRanksInStep();
    expect(Math.min(...after.map((r) => r.rank as number))).toBeGreaterThan(before.length);
  });
});

describe("a release's new packs", () => {
  it("take steps of one gap in display order, however the release lists them: nothing is spaced out again", async () => {
    await clearCatalog();
    const pack = (name: string, displayName: string): PackSpec => ({ name, version: "1.0.0", displayName });
    await dropRelease(env, "2026-12-rank-a", {
      products: [PALETTE_ENTERPRISE],
      packs: [pack("alpha", "Alpha"), pack("zulu", "Zulu")],
    });
    expect((await syncAndSettle(env)).published).toEqual(["2026-12-rank-a"]);
    const ends = await ranked();
    // 40 packs between Alpha and Zulu, listed last first: inserted in that order, each would land
    // before the one before it and halve the gap, which runs out after about 20; in display order,
    // each takes a step after the one before, where halving would run out after 32.
    const family = Array.from({ length: 40 }, (_, i) =>
      pack(`mid-${i}`, `Mid ${String(i).padStart(2, "0")}`),
    ).reverse();
    await dropRelease(env, "2026-12-rank-b", { packs: family });
    expect((await syncAndSettle(env)).published).toEqual(["2026-12-rank-b"]);
    const rows = await expectRanksInStep();
    expect(rows.map((r) => r.name)).toEqual(["alpha", ...family.map((p) => p.name).reverse(), "zulu"]);
    for (const end of ends) expect(rows.find((r) => r.name === end.name)!.rank).toBe(end.rank);
  });
});

describe("a search's pages", () => {
  beforeAll(async () => {
    await seedCatalog([...FIXTURE_PACKS, ...manyAddons(40)]);
  });

  it("list every match once, in display order, page after page", async () => {
    const names: string[] = [];
    let cursor: string | null = null;
    do {
      const params = new URLSearchParams({ q: "generated", limit: "7", ...(cursor ? { cursor } : {}) });
      const res = await exports.default.fetch(`http://studio.test/api/v1/packs?${params}`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as PackSearchResult;
      names.push(...body.items.map((i) => i.name));
      cursor = body.nextCursor;
    } while (cursor && names.length <= 1000);
    const expected = (await ranked()).filter((r) => /^addon-\d+$/.test(r.name)).map((r) => r.name);
    expect(names).toEqual(expected);
  });

  it("go on after a cursor whose pack is gone, and end after a cursor past the last pack", async () => {
    const page = async (cursor: string) => {
      const params = new URLSearchParams({ q: "generated", limit: "3", cursor });
      const res = await exports.default.fetch(`http://studio.test/api/v1/packs?${params}`);
      expect(res.status).toBe(200);
      return ((await res.json()) as PackSearchResult).items.map((i) => i.name);
    };
    const generated = (await ranked()).filter((r) => /^addon-\d+$/.test(r.name));
    // A key between two packs' (as a deleted pack's cursor would carry): the page starts at the next.
    const between = `${generated[4].key}0`;
    expect(await page(encodeCursor(between))).toEqual(generated.slice(5, 8).map((r) => r.name));
    expect(await page(encodeCursor(`\u{10FFFF}\u0001zzz`))).toEqual([]);
  });
});
