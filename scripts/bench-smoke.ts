// Every benchmark at a tiny size, so none can rot unnoticed: each must finish and end with its JSON
// line (nothing is timed or compared). CI runs it through test/e2e/bench-smoke.test.ts, which also
// fails when a scripts/bench-* script is not covered here.
//
// HOOK for a new benchmark: add an entry to SMOKE_RUNS (its script, tiny arguments, and the JSON keys
// its last line must have), or, if another run already drives it, name it in COVERED_BY.
//
//   npx tsx scripts/bench-smoke.ts      (prints one line per run, then one JSON line)
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { ROOT, toolEnv } from "./studio";

const exec = promisify(execFile);

export type SmokeContext = { work: string; port: number; keptCatalog?: string };

export type SmokeRun = {
  /** The script, relative to the repo root. */
  script: string;
  args: (ctx: SmokeContext) => string[];
  /** Keys the last line's JSON object must have. */
  expect: string[];
  /** Reads what the run left for later runs (e.g. a kept catalog). */
  after?: (output: { stdout: string; stderr: string }, ctx: SmokeContext) => void;
};

export const SMOKE_RUNS: SmokeRun[] = [
  {
    // Also drives bench-ingest (ingest), bench-release10 (release10) and bench-faults (faults).
    script: "scripts/bench-catalog.ts",
    args: ({ port }) => [
      ...["--packs", "30", "--reps", "1", "--warmup", "1", "--port", String(port), "--keep"],
      ...["--ingest-mib", "1", "--release10-mib", "1", "--faults-mib", "16", "--faults-junk", "600"],
    ],
    expect: ["packs", "versions", "cold", "warm", "ingest", "release10", "faults"],
    after: ({ stderr }, ctx) => {
      ctx.keptCatalog = /kept (\S+)/.exec(stderr)?.[1];
    },
  },
  {
    script: "scripts/bench-publish-counts/bench.ts",
    args: ({ keptCatalog }) => [
      "--state",
      join(keptCatalog ?? "missing", "large-state"),
      "--packs",
      "5",
      "--reps",
      "1",
    ],
    expect: [],
  },
  {
    script: "scripts/bench-ingest.ts",
    args: ({ port }) => ["--mib", "1", "--reps", "1", "--release10-mib", "1", "--port", String(port)],
    expect: ["ingest", "release10"],
  },
  {
    script: "scripts/bench-downloads.ts",
    args: ({ work, port }) => [
      ...["--big-mib", "72", "--medium-mib", "8", "--packs", "3"],
      ...["--dir", join(work, "downloads"), "--port", String(port)],
    ],
    expect: ["bigRatio", "mediumCachedRatio", "grantRatio"],
  },
  {
    // One tiny catalog (no growth figure at one size) and a three-file publish.
    script: "scripts/bench-journeys.ts",
    args: ({ port }) => ["--sizes", "30", "--publish-files", "3", "--file-kib", "4", "--port", String(port)],
    expect: ["sizes", "rowsGrowth", "model"],
  },
  {
    script: "scripts/bench-publish.ts",
    args: () => ["--mib", "4", "--small-mib", "2", "--files", "3", "--file-kib", "4"],
    expect: ["bench"],
  },
];

/** Benchmark scripts that have no run of their own: another run drives them. */
export const COVERED_BY: Record<string, string> = {
  "scripts/bench-release10.ts": "scripts/bench-ingest.ts (--release10-mib) and scripts/bench-catalog.ts",
  "scripts/bench-catalog-data.ts": "scripts/bench-catalog.ts (its synthetic catalog; not a benchmark itself)",
  "scripts/bench-ingest/worker.ts": "scripts/bench-ingest.ts (the Worker it starts)",
  "scripts/bench-faults.ts": "scripts/bench-catalog.ts (--faults-mib, --faults-junk)",
  "scripts/bench-smoke.ts": "this file",
};

/** The last line of `stdout`, parsed, with the keys it must have. */
export function lastJson(stdout: string, keys: string[]): Record<string, unknown> {
  const last = stdout.trim().split("\n").at(-1) ?? "";
  const parsed = JSON.parse(last) as Record<string, unknown>;
  const missing = keys.filter((k) => !(k in parsed));
  if (missing.length) throw new Error(`the JSON line lacks ${missing.join(", ")}: ${last}`);
  return parsed;
}

const canListen = (port: number) =>
  new Promise<boolean>((done) => {
    const server = createServer();
    server.once("error", () => done(false));
    server.listen(port, "127.0.0.1", () => server.close(() => done(true)));
  });

/**
 * The first of `count` free ports in a row, below Linux's ephemeral range (32768+): the benchmarks
 * start studios on the ports after --port, and an ephemeral base port's neighbours can be taken
 * meanwhile by any listen(0), wrangler's and workerd's own included.
 */
async function freePortBlock(count = 8): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20000 + Math.floor(Math.random() * 12000);
    let free = true;
    for (let port = base; free && port < base + count; port++) free = await canListen(port);
    if (free) return base;
  }
  throw new Error(`no ${count} free ports in a row between 20000 and 32768`);
}

/** Runs every smoke run in order; returns each one's JSON line. */
export async function runSmoke(log: (line: string) => void = console.log): Promise<Record<string, unknown>> {
  const work = await mkdtemp(join(tmpdir(), "bench-smoke-"));
  const ctx: SmokeContext = { work, port: 0 };
  const results: Record<string, unknown> = {};
  try {
    for (const run of SMOKE_RUNS) {
      ctx.port = await freePortBlock();
      const output = await exec(join(ROOT, "node_modules", ".bin", "tsx"), [run.script, ...run.args(ctx)], {
        cwd: ROOT,
        env: toolEnv(),
        maxBuffer: 64 * 1024 * 1024,
      }).catch((err: { stdout?: string; stderr?: string; message: string }) => {
        throw new Error(
          `${run.script} failed: ${err.message}\n${err.stdout?.slice(-3000)}\n${err.stderr?.slice(-3000)}`,
        );
      });
      results[run.script] = lastJson(output.stdout, run.expect);
      run.after?.(output, ctx);
      log(`${run.script}: finished, JSON line ok`);
    }
    return results;
  } finally {
    if (ctx.keptCatalog) await rm(ctx.keptCatalog, { recursive: true, force: true });
    await rm(work, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(resolve(process.argv[1] ?? "")).href) {
  console.log(JSON.stringify(await runSmoke()));
}
