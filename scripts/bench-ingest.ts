// Ingest benchmark: how fast the sync verifies a file, against the least any verifier must do, in
// the same workerd and the same run. One object of --mib MiB (default 256) is put into local R2
// under `wrangler dev` (scripts/bench-ingest/), then read --reps times (default 5) each way:
//   digest: a bare DigestStream pass over the object (the baseline);
//   verify: the sync's single-pass measureAndVerify (one hash, the ECDSA signature over the digest);
//   ingest: the sync's whole per-file step (verify while writing the immutable blob copy);
//   two-hashes: the verifier before this round (a DigestStream and createVerify over every byte).
// Each way's median wall time gives MiB/s and a ratio of throughput to the baseline; workerd's CPU
// time per GiB comes from /proc (utime + stime of the workerd processes), and its peak resident
// memory is sampled during each pass (flat memory: it must not grow with the file).
// Then, with --release10-mib above 0 (default 64), a release of ten files of that size: verified one
// after another in one invocation (before the fan-out) and published by the real sync through
// VerifyReleaseWorkflow (after), on the next port (scripts/bench-release10.ts).
// Usage: npx tsx scripts/bench-ingest.ts [--mib 256] [--reps 5] [--port 8806] [--release10-mib 64]
// Prints a table, then one JSON line: {"ingest":{"ratio":…,"mibPerS":…,"cpuSecondsPerGiB":…,…},
// "release10":{"sequentialMs":…,"fanOutMs":…,"ratio":…}}; `npm run bench` runs it after the catalog
// benchmark and puts the same figures in its summary line.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { createHash, createSign, generateKeyPairSync } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs, promisify } from "node:util";
import { release10Benchmark, type Release10Figures } from "./bench-release10";

const exec = promisify(execFile);
const KEY = "incoming/bench-ingest/bench-file.zst";
const CLOCK_TICKS_PER_S = 100;

/** Deterministic bytes in 1 MiB chunks. */
function* chunks(size: number): Generator<Buffer> {
  const block = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < block.length; i += 4) block.writeUInt32LE(Math.imul(i + 7, 2654435761) >>> 0, i);
  for (let offset = 0, n = 0; offset < size; offset += block.length, n++) {
    const chunk = Buffer.from(block.subarray(0, Math.min(block.length, size - offset)));
    chunk.writeUInt32LE(n, 0);
    yield chunk;
  }
}

/** Every process below `pid` (wrangler's workerd children). */
async function descendants(pid: number): Promise<number[]> {
  const parents = new Map<number, number[]>();
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
    } catch {}
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const child of parents.get(p) ?? []) {
      out.push(child);
      walk(child);
    }
  };
  walk(pid);
  return out;
}

async function workerdPids(root: number): Promise<number[]> {
  const pids: number[] = [];
  for (const pid of await descendants(root)) {
    const cmd = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
    if (cmd.includes("workerd")) pids.push(pid);
  }
  return pids;
}

async function cpuTicks(pids: number[]): Promise<number> {
  let total = 0;
  for (const pid of pids) {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    total += Number(fields[11] ?? 0) + Number(fields[12] ?? 0); // utime, stime
  }
  return total;
}

async function rssMiB(pids: number[]): Promise<number> {
  let kib = 0;
  for (const pid of pids) {
    const status = await readFile(`/proc/${pid}/status`, "utf8").catch(() => "");
    kib += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  }
  return kib / 1024;
}

async function waitForWorker(child: ChildProcess, BASE: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error("wrangler dev exited");
    try {
      await fetch(`${BASE}/`);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error("wrangler dev did not start");
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export type IngestFigures = {
  mib: number;
  ratio: number;
  mibPerS: number;
  cpuSecondsPerGiB: number;
  withBlobCopy: { ratio: number; mibPerS: number; cpuSecondsPerGiB: number };
  baseline: { mibPerS: number; cpuSecondsPerGiB: number };
  twoHashesBefore: { ratio: number; mibPerS: number; cpuSecondsPerGiB: number };
  peakRssMiB: number;
  /** The ten-file release, before and after the fan-out (when asked for). */
  release10?: Release10Figures;
};

/** Runs the benchmark (prints its table) and returns the figures of the summary line. */
export async function ingestBenchmark(opts: {
  mib: number;
  reps: number;
  port: number;
  /** MiB per file of the ten-file release; 0 skips it. Its studio starts on port + 1. */
  release10Mib?: number;
}): Promise<IngestFigures> {
  const SIZE = opts.mib * 1024 * 1024;
  const REPS = opts.reps;
  const PORT = opts.port;
  const BASE = `http://127.0.0.1:${PORT}`;
  const work = await mkdtemp(join(tmpdir(), "bench-ingest-"));
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const pem = publicKey.export({ type: "spki", format: "pem" }).toString();
  const file = join(work, "bench-file.zst");
  const hash = createHash("sha256");
  const signer = createSign("sha256");
  const out = createWriteStream(file);
  for (const chunk of chunks(SIZE)) {
    hash.update(chunk);
    signer.update(chunk);
    if (!out.write(chunk)) await new Promise<void>((r) => out.once("drain", () => r()));
  }
  await new Promise<void>((r) => out.end(() => r()));
  const sha256 = hash.digest("hex");
  const sig = signer.sign(privateKey).toString("base64");

  const wrangler = spawn(
    "wrangler",
    [
      "dev",
      "-c",
      resolve("scripts/bench-ingest/wrangler.toml"),
      "--port",
      String(PORT),
      "--ip",
      "127.0.0.1",
      "--persist-to",
      join(work, "state"),
    ],
    { stdio: ["ignore", "ignore", "inherit"], detached: true },
  );
  const stop = () => {
    try {
      process.kill(-wrangler.pid!, "SIGTERM");
    } catch {}
  };
  process.on("exit", stop);
  try {
    await waitForWorker(wrangler, BASE);
    await exec("curl", ["-fsS", "-T", file, `${BASE}/objects/${KEY}`]);
    const pids = await workerdPids(wrangler.pid!);
    const query = new URLSearchParams({ sig, pem, sha256 }).toString();
    const ways = ["digest", "two-hashes", "verify", "ingest"] as const;
    const figures = Object.fromEntries(ways.map((w) => [w, { ms: [] as number[], cpu: [] as number[], rss: 0 }]));
    for (let rep = 0; rep <= REPS; rep++) {
      for (const way of ways) {
        const ticks = await cpuTicks(pids);
        let peak = 0;
        let sampling = true;
        const sampler = (async () => {
          while (sampling) {
            peak = Math.max(peak, await rssMiB(pids));
            await new Promise((r) => setTimeout(r, 100));
          }
        })();
        const started = performance.now();
        const res = await fetch(`${BASE}/${way}/${KEY}?${query}`, { method: "POST" });
        const body = (await res.json()) as Record<string, unknown>;
        const ms = performance.now() - started;
        sampling = false;
        await sampler;
        if (!res.ok) throw new Error(`${way}: ${JSON.stringify(body)}`);
        if (way === "two-hashes" && body.signatureValid !== true) throw new Error("two-hashes did not verify");
        if (way === "verify" && (body.sha256 !== sha256 || body.signatureValid !== true))
          throw new Error(`verify did not verify: ${JSON.stringify(body)}`);
        if (way === "ingest" && !("stored" in body)) throw new Error(`ingest refused: ${JSON.stringify(body)}`);
        if (rep === 0) continue; // warm-up
        figures[way].ms.push(ms);
        figures[way].cpu.push(((await cpuTicks(pids)) - ticks) / CLOCK_TICKS_PER_S);
        figures[way].rss = Math.max(figures[way].rss, peak);
      }
    }
    const gib = SIZE / 1024 ** 3;
    const base = median(figures.digest.ms);
    const rows = ways.map((way) => {
      const ms = median(figures[way].ms);
      return {
        way,
        medianMs: Math.round(ms),
        mibPerS: Math.round((SIZE / 1024 / 1024 / (ms / 1000)) * 10) / 10,
        ratio: Math.round((base / ms) * 100) / 100,
        cpuSecondsPerGiB: Math.round((median(figures[way].cpu) / gib) * 100) / 100,
        peakRssMiB: Math.round(figures[way].rss),
      };
    });
    console.log(
      `ingest benchmark: ${opts.mib} MiB object, ${REPS} reps (+1 warm-up), ratio = throughput / bare DigestStream`,
    );
    console.table(rows);
    const verify = rows.find((r) => r.way === "verify")!;
    const before = rows.find((r) => r.way === "two-hashes")!;
    const ingest = rows.find((r) => r.way === "ingest")!;
    const release10 = opts.release10Mib
      ? await release10Benchmark({ fileMib: opts.release10Mib, work, ingestUrl: BASE, studioPort: PORT + 1 })
      : undefined;
    return {
      mib: opts.mib,
      ratio: verify.ratio,
      mibPerS: verify.mibPerS,
      cpuSecondsPerGiB: verify.cpuSecondsPerGiB,
      withBlobCopy: { ratio: ingest.ratio, mibPerS: ingest.mibPerS, cpuSecondsPerGiB: ingest.cpuSecondsPerGiB },
      baseline: { mibPerS: rows[0].mibPerS, cpuSecondsPerGiB: rows[0].cpuSecondsPerGiB },
      twoHashesBefore: { ratio: before.ratio, mibPerS: before.mibPerS, cpuSecondsPerGiB: before.cpuSecondsPerGiB },
      peakRssMiB: Math.max(...rows.map((r) => r.peakRssMiB)),
      ...(release10 && { release10 }),
    };
  } finally {
    stop();
    await rm(work, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const { values } = parseArgs({
    options: {
      mib: { type: "string", default: "256" },
      reps: { type: "string", default: "5" },
      port: { type: "string", default: "8806" },
      "release10-mib": { type: "string", default: "64" },
    },
  });
  const { release10, ...ingest } = await ingestBenchmark({
    mib: Number(values.mib),
    reps: Number(values.reps),
    port: Number(values.port),
    release10Mib: Number(values["release10-mib"]),
  });
  console.log(JSON.stringify({ ingest, ...(release10 && { release10 }) }));
}
