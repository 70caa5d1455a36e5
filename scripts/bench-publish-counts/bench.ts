// What keeping the catalog counts costs a publish, on a catalog kept by `npm run bench -- --keep`:
// the kept-count statements of a publish batch (facets.ts's facetCountStatements) for `--packs`
// packs picked at random, timed as D1 runs them, against the same statements without the product
// version ones (product-version-counts.ts), measured in the same run:
//   unchanged: a release none of the packs' versions came from, so no mask set changes: the
//     statements look at every touched pack and count nothing (what a new version with its pack's
//     usual facets and range costs);
//   all changed: the touched packs' product version counts taken away and added back, every mask
//     set split into its combinations twice (what a publish costs when every touched pack's facets
//     or ranges change, less the few milliseconds of cutting intervals and dropping emptied rows).
// The catalog is left as it was: each "all changed" round adds back what it took away, in one batch.
//
//   npx tsx scripts/bench-publish-counts/bench.ts --state /tmp/bench-catalog-XXXX/large-state [--packs 100] [--reps 7]
//
// It imports the Worker's own statements, so it is typechecked with the Worker (tsconfig.json).
import { parseArgs } from "node:util";
import { sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { drizzle } from "drizzle-orm/d1";
import * as schema from "../../worker/db/schema";
import { facetCountStatements, rangeRows } from "../../worker/db/counts/facets";
import { addCounts, differenceRows } from "../../worker/db/counts/product-version-counts";
import { join, resolve } from "node:path";
import { getPlatformProxy } from "wrangler";

type Statement = BatchItem<"sqlite">;

const { values } = parseArgs({
  options: {
    state: { type: "string" },
    packs: { type: "string", default: "100" },
    reps: { type: "string", default: "7" },
  },
});
if (!values.state) throw new Error("--state <a kept bench catalog's large-state> is required");

// wrangler dev keeps its state in <persist-to>/v3, the path the platform proxy takes.
const platform = await getPlatformProxy<{ DB: D1Database }>({
  configPath: resolve(import.meta.dirname, "../../wrangler.toml"),
  persist: { path: join(resolve(values.state), "v3") },
});
const d1 = platform.env.DB;
const db = drizzle(d1, { schema });

const median = (ms: number[]) => [...ms].sort((a, b) => a - b)[Math.floor(ms.length / 2)];
async function time(statements: Statement[]): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < Number(values.reps); i++) {
    const started = performance.now();
    await db.batch(statements as [Statement, ...Statement[]]);
    ms.push(performance.now() - started);
  }
  return median(ms);
}

try {
  const { results } = await d1
    .prepare("SELECT name FROM packs ORDER BY random() LIMIT ?")
    .bind(Number(values.packs))
    .all<{ name: string }>();
  const names = results.map((r) => r.name);
  const all = facetCountStatements(db, { packs: names });
  const keepsVersionCounts = (s: Statement) =>
    /product_version_/.test((s as unknown as { toSQL(): { sql: string } }).toSQL().sql);
  const others = all.filter((s) => !keepsVersionCounts(s));

  const touched = sql`SELECT value FROM json_each(${JSON.stringify(names)})`;
  const kept = sql`x.pack_rowid IN (SELECT rowid FROM packs WHERE name IN (${touched}))`;
  const current = rangeRows(sql`pv.pack_name IN (${touched})`);
  // Away (from the kept ranges to none) and back (from none to the versions' ranges): every set twice.
  const awayAndBack = [
    addCounts(db, differenceRows(kept, sql`SELECT 0, '', 0, '', '' WHERE 0`)),
    addCounts(db, differenceRows(sql`0`, current)),
  ];

  const baseline = await time(others);
  const unchanged = await time(all);
  const allChanged = await time([...others, ...awayAndBack]);
  const figures = {
    packs: names.length,
    baselineMs: Math.round(baseline),
    unchangedMs: Math.round(unchanged),
    unchangedRatio: Number((unchanged / baseline).toFixed(2)),
    allChangedMs: Math.round(allChanged),
    allChangedRatio: Number((allChanged / baseline).toFixed(2)),
  };
  console.log(
    `kept-count statements of a publish touching ${names.length} packs, median of ${values.reps}:\n` +
      `  without the product version counts (baseline): ${figures.baselineMs} ms\n` +
      `  with them, no mask set changed:                 ${figures.unchangedMs} ms (${figures.unchangedRatio}×)\n` +
      `  with them, every mask set changed:              ${figures.allChangedMs} ms (${figures.allChangedRatio}×)`,
  );
  console.log(JSON.stringify(figures));
} finally {
  await platform.dispose();
}
