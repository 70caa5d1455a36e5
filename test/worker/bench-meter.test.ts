// The capacity benchmark's meter (worker/bench-meter.ts): counts D1 rows read and written on every
// statement path drizzle uses (all, run, raw, first, batch, sessions) and R2 class A/B operations,
// and hands the bindings over untouched unless BENCH_METER=on with ENVIRONMENT=local.
import { env } from "cloudflare:workers";
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { meteredEnv, takeTotals } from "../../worker/bench-meter";

const on = () => meteredEnv({ ...env, BENCH_METER: "on", ENVIRONMENT: "local" } as unknown as Env);
const totals = async () => (await takeTotals().json()) as Record<string, number>;

describe("bench meter", () => {
  it("counts rows read and written through all, run, raw, first, batch and sessions", async () => {
    const { DB } = on();
    await DB.prepare("CREATE TABLE IF NOT EXISTS meter_probe (id INTEGER PRIMARY KEY, v TEXT)").run();
    await totals();
    await DB.prepare("INSERT INTO meter_probe (v) VALUES (?), (?), (?)").bind("a", "b", "c").run();
    expect(await totals()).toMatchObject({ d1Queries: 1, d1RowsWritten: 3, d1Unmetered: 0 });
    const session = DB.withSession("first-unconstrained");
    const rows = await session.prepare("SELECT id, v, v AS v2 FROM meter_probe ORDER BY id").raw();
    expect(rows).toEqual([
      [1, "a", "a"],
      [2, "b", "b"],
      [3, "c", "c"],
    ]);
    expect(await DB.prepare("SELECT v FROM meter_probe WHERE id = ?").bind(2).first("v")).toBe("b");
    expect(await DB.prepare("SELECT v FROM meter_probe WHERE id = 9").first()).toBeNull();
    await DB.batch([DB.prepare("SELECT * FROM meter_probe"), DB.prepare("SELECT count(*) FROM meter_probe")]);
    expect(await totals()).toMatchObject({ d1Queries: 5, d1RowsRead: 3 + 1 + 1 + 3 + 3, d1Unmetered: 0 });
  });

  it("names the statements that read the most rows, on every path, with their counts", async () => {
    const { DB } = on();
    await DB.prepare("CREATE TABLE IF NOT EXISTS meter_heavy (id INTEGER PRIMARY KEY, v TEXT)").run();
    await DB.prepare("DELETE FROM meter_heavy").run();
    await DB.prepare("INSERT INTO meter_heavy (v) VALUES ('a'), ('b'), ('c'), ('d')").run();
    await totals();
    const scan = "SELECT   v FROM meter_heavy\n ORDER BY id";
    await DB.prepare(scan).all();
    await DB.prepare(scan).raw();
    await DB.batch([DB.prepare(scan), DB.prepare("SELECT v FROM meter_heavy WHERE id = ?").bind(1)]);
    await DB.prepare("SELECT v FROM meter_heavy WHERE id = ?").bind(2).first();
    const taken = (await takeTotals().json()) as { heaviest: { sql: string; statements: number; rowsRead: number }[] };
    expect(taken.heaviest).toEqual([
      { sql: "SELECT v FROM meter_heavy ORDER BY id", statements: 3, rowsRead: 12 },
      { sql: "SELECT v FROM meter_heavy WHERE id = ?", statements: 2, rowsRead: 2 },
    ]);
    expect(((await takeTotals().json()) as { heaviest: unknown[] }).heaviest).toEqual([]);
  });

  it("counts R2 class A and B operations and the bytes they move", async () => {
    const { ARTIFACTS } = on();
    await totals();
    await ARTIFACTS.put("meter/probe", "0123456789");
    await ARTIFACTS.head("meter/probe");
    await (await ARTIFACTS.get("meter/probe", { range: { offset: 2, length: 4 } }))?.text();
    await ARTIFACTS.list({ prefix: "meter/" });
    await ARTIFACTS.delete("meter/probe");
    expect(await totals()).toMatchObject({ r2ClassA: 2, r2ClassB: 2, r2Free: 1, r2BytesIn: 10, r2BytesOut: 4 });
  });

  it("leaves the bindings alone unless the meter is on under ENVIRONMENT=local", async () => {
    const production = { ...env, BENCH_METER: "on", ENVIRONMENT: "production" } as unknown as Env;
    expect(meteredEnv(production)).toBe(production);
    expect((await exports.default.fetch("http://studio.test/__bench/meter")).status).toBe(404);
  });
});
