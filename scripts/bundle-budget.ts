// The deploy check: bundles the Worker as `wrangler deploy` would (--dry-run: nothing is uploaded, no
// account needed) and holds its gzip size, as wrangler measures it for Cloudflare's size limit, to a
// budget. Exits 1 when the bundle does not build or is over budget.
//
//   tsx scripts/bundle-budget.ts [--budget-kib 400] [--outdir <dir>]
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { promisify } from "node:util";
import { ROOT, toolEnv } from "./studio";

const { values } = parseArgs({
  options: { "budget-kib": { type: "string", default: "400" }, outdir: { type: "string" } },
});
const budgetKib = Number(values["budget-kib"]);
const outdir = values.outdir ?? (await mkdtemp(join(tmpdir(), "worker-bundle-")));

let output: string;
try {
  const { stdout, stderr } = await promisify(execFile)("wrangler", ["deploy", "--dry-run", "--outdir", outdir], {
    cwd: ROOT,
    env: toolEnv(),
    maxBuffer: 16 * 1024 * 1024,
  });
  output = stdout + stderr;
} catch (err) {
  const { stdout = "", stderr = "" } = err as { stdout?: string; stderr?: string };
  console.error(`wrangler deploy --dry-run failed:\n${stdout}${stderr}`);
  process.exit(1);
} finally {
  if (!values.outdir) await rm(outdir, { recursive: true, force: true });
}

// e.g. "Total Upload: 1357.39 KiB / gzip: 264.12 KiB"
const sizes = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(output);
if (!sizes) {
  console.error(`no "Total Upload" line in wrangler's output:\n${output}`);
  process.exit(1);
}
const [total, gzip] = [Number(sizes[1]), Number(sizes[2])];
const verdict = gzip <= budgetKib ? "within" : "OVER";
console.log(
  `worker bundle: ${total.toFixed(0)} KiB, ${gzip.toFixed(0)} KiB gzip (${verdict} the ${budgetKib} KiB gzip budget)`,
);
if (gzip > budgetKib) process.exit(1);
