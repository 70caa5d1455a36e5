// Benchmarks that cannot rot: every benchmark script runs at a tiny size (scripts/bench-smoke.ts) and
// must finish and end with its JSON line. Nothing is timed or compared. A new scripts/bench-* script
// fails the first test until bench-smoke.ts runs it (SMOKE_RUNS) or names what drives it (COVERED_BY).
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { COVERED_BY, runSmoke, SMOKE_RUNS } from "../../scripts/bench-smoke";
import { ROOT } from "../../scripts/studio";

/** scripts/bench-*.ts and the .ts files of scripts/bench-*\/ folders. */
async function benchmarkScripts(): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(join(ROOT, "scripts"), { withFileTypes: true })) {
    if (!entry.name.startsWith("bench-")) continue;
    if (entry.isFile() && entry.name.endsWith(".ts")) found.push(`scripts/${entry.name}`);
    if (entry.isDirectory())
      for (const inner of await readdir(join(ROOT, "scripts", entry.name)))
        if (inner.endsWith(".ts")) found.push(`scripts/${entry.name}/${inner}`);
  }
  return found.sort();
}

describe("benchmark smoke runs", () => {
  it("covers every benchmark script", async () => {
    const covered = new Set([...SMOKE_RUNS.map((r) => r.script), ...Object.keys(COVERED_BY)]);
    const scripts = await benchmarkScripts();
    expect(scripts).toContain("scripts/bench-downloads.ts");
    expect(scripts.filter((s) => !covered.has(s))).toEqual([]);
  });

  it("runs every benchmark at a tiny size to its JSON line", async () => {
    const results = await runSmoke(() => {});
    expect(Object.keys(results)).toEqual(SMOKE_RUNS.map((r) => r.script));
    expect(results["scripts/bench-catalog.ts"]).toMatchObject({ faults: { junkFolders: 600 } });
  }, 3_600_000);
});
