// Temporary: times the kept-count statements of a publish touching N packs on a kept 100k catalog (a no-op change).
import { getPlatformProxy } from "wrangler";
import { drizzle } from "drizzle-orm/d1";
import * as schema from "../worker/db/schema";
import { facetCountStatements } from "../worker/db/facets";
const proxy = await getPlatformProxy<{ DB: D1Database }>({
  configPath: "wrangler.toml",
  persist: { path: "/tmp/exp-state2/v3" },
});
const db = drizzle(proxy.env.DB, { schema });
const names = (
  await proxy.env.DB.prepare("SELECT name FROM packs ORDER BY random() LIMIT ?")
    .bind(Number(process.argv[2] ?? 100))
    .all<{ name: string }>()
).results.map((r) => r.name);
const all = facetCountStatements(db, { releaseId: "no-such-release", packs: names });
const isNew = (s: unknown) => /product_version_/.test((s as { toSQL(): { sql: string } }).toSQL().sql);
const time = async (label: string, list: typeof all) => {
  const ms: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    await db.batch(list as [(typeof list)[0]]);
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  console.log(`${label}: ${list.length} statements, median ${ms[2].toFixed(0)} ms (min ${ms[0].toFixed(0)})`);
};
await time("all kept-count statements", all);
for (const s of all.filter(isNew))
  await time((s as { toSQL(): { sql: string } }).toSQL().sql.slice(0, 70).replace(/\s+/g, " "), [s]);
await time(
  "without the product version ones",
  all.filter((s) => !isNew(s)),
);
await time("product version ones only", all.filter(isNew));
await proxy.dispose();
