// Download benchmarks against a local studio (wrangler dev on port 8805, state in /tmp/dl-dev):
//   1. throughput of a >1 GiB pack through /dl (streamed from R2; too big for the edge cache) and
//      of a 64 MiB pack on its second download (edge cache hit), each as a ratio against reading
//      the same object straight from the R2 binding (wrangler's platform proxy) in the same run;
//   2. grant issuance time for a 100-pack bundle, against a 1-pack grant in the same run;
//   3. workerd's resident memory, sampled from /proc while curl pulls the >1 GiB file.
// Ends with one JSON line of every figure.
// Usage: npx tsx scripts/bench-downloads.ts [--big-mib 1100] [--medium-mib 64] [--packs 100] [--dir /tmp/dl-dev]
//        [--port 8805] [--keep]      (CI's smoke run: --big-mib 80 --medium-mib 40 --packs 5)
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs, promisify } from "node:util";
import { ensureDemoKey, ensureDevVars, openLocalPlatform } from "./demo-catalog";
import { dropSignedRelease } from "./signed-drop";
import { startStudio } from "./studio";

const exec = promisify(execFile);
const { values } = parseArgs({
  options: {
    "big-mib": { type: "string", default: "1100" },
    "medium-mib": { type: "string", default: "64" },
    packs: { type: "string", default: "100" },
    dir: { type: "string", default: "/tmp/dl-dev" },
    port: { type: "string", default: "8805" },
    keep: { type: "boolean", default: false },
  },
});
const ROOT_DIR = values.dir;
const PORT = Number(values.port);
const BIG = Number(values["big-mib"]) * 1024 * 1024;
const MEDIUM = Number(values["medium-mib"]) * 1024 * 1024;
const PACKS = Number(values.packs);
const RELEASE = "bench-downloads-1";

type ProxyBucket = {
  get(
    key: string,
    options?: { range: { offset: number; length: number } },
  ): Promise<{ size: number; body: ReadableStream<Uint8Array> } | null>;
  head(key: string): Promise<{ size: number } | null>;
};

/** The proxy hands each body over whole, so reads go in 64 MiB ranges. */
const PART = 64 * 1024 * 1024;

const smallPackName = (i: number) => `bench-pack-${String(i).padStart(3, "0")}`;

/** The signed release: a big pack, a medium pack and PACKS small packs (scripts/signed-drop.ts). */
async function dropBenchRelease(
  persistTo: string,
  devVarsPath: string,
  key: Awaited<ReturnType<typeof ensureDemoKey>>,
) {
  await dropSignedRelease({
    persistTo,
    devVarsPath,
    key,
    releaseId: RELEASE,
    packs: [
      { name: "bench-big", seed: 1, size: BIG },
      { name: "bench-medium", seed: 2, size: MEDIUM },
      ...Array.from({ length: PACKS }, (_, i) => ({ name: smallPackName(i), seed: 100 + i, size: 4096 })),
    ],
  });
}

/** workerd processes below this script (wrangler dev's), with their resident memory in KiB. */
async function workerdRss(): Promise<Map<number, number>> {
  const parent = new Map<number, number>();
  const name = new Map<number, string>();
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, "utf8");
      const m = /^(\d+) \((.*)\) \S (\d+)/.exec(stat);
      if (m) {
        parent.set(Number(m[1]), Number(m[3]));
        name.set(Number(m[1]), m[2]);
      }
    } catch {
      // exited meanwhile
    }
  }
  const mine = (pid: number) => {
    for (let p = parent.get(pid); p; p = parent.get(p)) if (p === process.pid) return true;
    return false;
  };
  const rss = new Map<number, number>();
  for (const [pid, comm] of name) {
    if (!comm.startsWith("workerd") || !mine(pid)) continue;
    const status = await readFile(`/proc/${pid}/status`, "utf8").catch(() => "");
    const kb = /VmRSS:\s+(\d+) kB/.exec(status);
    if (kb) rss.set(pid, Number(kb[1]));
  }
  return rss;
}

async function curlSpeed(
  url: string,
  extra: string[] = [],
): Promise<{ bytes: number; seconds: number; mibps: number }> {
  const { stdout } = await exec(
    "curl",
    ["--fail", "--silent", "--show-error", "-o", "/dev/null", "-w", "%{size_download} %{time_total}", ...extra, url],
    { maxBuffer: 1 << 20 },
  );
  const [bytes, seconds] = stdout.trim().split(" ").map(Number);
  return { bytes, seconds, mibps: bytes / 1048576 / seconds };
}

async function r2Speed(
  persistTo: string,
  devVars: string,
  key: string,
): Promise<{ bytes: number; seconds: number; mibps: number }> {
  const platform = await openLocalPlatform(persistTo, devVars);
  try {
    const bucket = platform.bucket as unknown as ProxyBucket;
    const started = performance.now();
    const head = await bucket.head(key);
    if (!head) throw new Error(`${key} missing`);
    // Ranged reads of 64 MiB: the proxy hands each body over whole.
    let bytes = 0;
    for (let offset = 0; offset < head.size; offset += PART) {
      const part = await bucket.get(key, { range: { offset, length: Math.min(PART, head.size - offset) } });
      bytes += (await new Response(part!.body).arrayBuffer()).byteLength;
    }
    const seconds = (performance.now() - started) / 1000;
    return { bytes, seconds, mibps: bytes / 1048576 / seconds };
  } finally {
    await platform.dispose();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (n: number, digits = 1) => n.toFixed(digits);

async function main() {
  const persistTo = join(ROOT_DIR, "state");
  const devVars = join(ROOT_DIR, ".dev.vars");
  const keysDir = join(ROOT_DIR, "keys");
  if (!values.keep) await rm(ROOT_DIR, { recursive: true, force: true });
  await mkdir(ROOT_DIR, { recursive: true });
  const key = await ensureDemoKey(keysDir);
  await ensureDevVars(devVars, key);
  const seeded = existsSync(join(ROOT_DIR, "seeded"));
  if (!seeded) {
    // Migrations first (startStudio repeats them harmlessly), then our release, then the studio syncs it.
    await exec("wrangler", ["d1", "migrations", "apply", "DB", "--local", "--persist-to", persistTo], {
      env: { ...process.env, CI: "true" },
    });
    console.log(
      `dropping the bench release (${fmt(BIG / 1048576, 0)} MiB + ${MEDIUM / 1048576} MiB + ${PACKS} small packs)…`,
    );
    await dropBenchRelease(persistTo, devVars, key);
  }
  const studio = await startStudio({
    port: PORT,
    persistTo,
    devVarsPath: devVars,
    keysDir,
    demoDir: join(ROOT_DIR, "demo"),
    logFile: join(ROOT_DIR, "wrangler.log"),
    quiet: true,
  });
  await writeFile(join(ROOT_DIR, "seeded"), "");
  const results: string[] = [];
  let workerSpeeds: { big: number; mediumFirst: number; mediumCached: number; rangeCached: number } | undefined;
  let grantMs: { hundred: number[]; one: number[] } = { hundred: [], one: [] };
  let peakRssMib = 0;
  let bigObjectKey = "";
  let mediumObjectKey = "";
  try {
    const admin = { Authorization: `Bearer ${studio.adminToken}`, "Content-Type": "application/json" };
    const minted = await fetch(`${studio.url}/api/v1/admin/tokens`, {
      method: "POST",
      headers: admin,
      body: JSON.stringify({ name: "bench", scopes: ["grants:create"] }),
    });
    const { token } = (await minted.json()) as { token: string };
    const grant = async (packs: { name: string; version: string }[]) => {
      const started = performance.now();
      const res = await fetch(`${studio.url}/api/v1/grants`, {
        method: "POST",
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
        body: JSON.stringify({ packs }),
      });
      const ms = performance.now() - started;
      if (res.status !== 201) throw new Error(`grant: ${res.status} ${await res.text()}`);
      return { ms, body: (await res.json()) as { id: string; files: { file: string; url: string; size: number }[] } };
    };
    const small = Array.from({ length: PACKS }, (_, i) => ({ name: smallPackName(i), version: "1.0.0" }));

    // 2. Grant issuance: 100 packs vs 1 pack, interleaved, 5 each (the limiter allows 20 a minute).
    const hundred: number[] = [];
    const one: number[] = [];
    grantMs = { hundred, one };
    for (let i = 0; i < 5; i++) {
      one.push((await grant(small.slice(0, 1))).ms);
      hundred.push((await grant(small)).ms);
    }
    results.push(
      `grant issuance: ${PACKS}-pack bundle median ${fmt(median(hundred))} ms (runs ${hundred.map((x) => fmt(x, 0)).join(", ")}), 1-pack median ${fmt(median(one))} ms → ratio ${fmt(median(hundred) / median(one), 2)}x`,
    );

    const { body } = await grant([
      { name: "bench-big", version: "1.0.0" },
      { name: "bench-medium", version: "1.0.0" },
    ]);
    const big = body.files.find((f) => f.file === "bench-big-1.0.0.zst")!;
    const medium = body.files.find((f) => f.file === "bench-medium-1.0.0.zst")!;
    const keys = await fetch(`${studio.url}/api/v1/admin/grants/${body.id}`, { headers: admin });
    const record = (await keys.json()) as { files: { file: string; objectKey: string }[] };
    bigObjectKey = record.files.find((f) => f.file === big.file)!.objectKey;
    mediumObjectKey = record.files.find((f) => f.file === medium.file)!.objectKey;

    // 3 + 1a. The big file through /dl while sampling workerd's memory.
    const before = await workerdRss();
    const peak = new Map(before);
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        for (const [pid, kb] of await workerdRss()) peak.set(pid, Math.max(peak.get(pid) ?? 0, kb));
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const bigRun = await curlSpeed(big.url);
    sampling = false;
    await sampler;
    if (bigRun.bytes !== big.size) throw new Error(`big download: ${bigRun.bytes} bytes, expected ${big.size}`);
    const rssLines = [...peak].map(
      ([pid, kb]) => `pid ${pid}: ${fmt((before.get(pid) ?? 0) / 1024)} MiB before → peak ${fmt(kb / 1024)} MiB`,
    );
    peakRssMib = Math.max(...[...peak.values()].map((kb) => kb / 1024));
    results.push(`memory while streaming ${fmt(big.size / 1048576, 0)} MiB through /dl: ${rssLines.join("; ")}`);

    // 1b. The medium file: first download (R2, fills the edge cache), then the cached second download.
    const mediumFirst = await curlSpeed(medium.url);
    await new Promise((r) => setTimeout(r, 3000)); // the cache fill runs in waitUntil
    const mediumCached = await curlSpeed(medium.url);
    const rangeCached = await curlSpeed(medium.url, ["-r", `1000000-${Math.floor(MEDIUM / 2)}`]);
    workerSpeeds = {
      big: bigRun.mibps,
      mediumFirst: mediumFirst.mibps,
      mediumCached: mediumCached.mibps,
      rangeCached: rangeCached.mibps,
    };
  } finally {
    await studio.stop();
  }

  // 1. Baseline in the same run: the same objects straight from the R2 binding (wrangler dev stopped,
  // since the proxy and wrangler dev must not hold the local state at once).
  const r2Big = await r2Speed(persistTo, devVars, bigObjectKey);
  const r2Medium = await r2Speed(persistTo, devVars, mediumObjectKey);
  const speeds = workerSpeeds!; // set whenever the try block completed, which is the only way here
  results.push(
    `throughput, ${fmt(BIG / 1048576, 0)} MiB via /dl (R2 stream, not cacheable): ${fmt(speeds.big)} MiB/s vs R2 binding ${fmt(r2Big.mibps)} MiB/s → ratio ${fmt(speeds.big / r2Big.mibps, 2)}`,
  );
  results.push(
    `throughput, ${fmt(MEDIUM / 1048576, 0)} MiB via /dl: first ${fmt(speeds.mediumFirst)} MiB/s (ratio ${fmt(speeds.mediumFirst / r2Medium.mibps, 2)}), edge-cache hit ${fmt(speeds.mediumCached)} MiB/s (ratio ${fmt(speeds.mediumCached / r2Medium.mibps, 2)}), cached Range ${fmt(speeds.rangeCached)} MiB/s, vs R2 binding ${fmt(r2Medium.mibps)} MiB/s`,
  );
  console.log(results.join("\n"));
  const ratio = (a: number, b: number) => Number((a / b).toFixed(3));
  console.log(
    JSON.stringify({
      bench: "downloads",
      bigMib: BIG / 1048576,
      mediumMib: MEDIUM / 1048576,
      packs: PACKS,
      bigDlMibps: Number(speeds.big.toFixed(1)),
      bigR2Mibps: Number(r2Big.mibps.toFixed(1)),
      bigRatio: ratio(speeds.big, r2Big.mibps),
      mediumFirstRatio: ratio(speeds.mediumFirst, r2Medium.mibps),
      mediumCachedRatio: ratio(speeds.mediumCached, r2Medium.mibps),
      rangeCachedMibps: Number(speeds.rangeCached.toFixed(1)),
      grantManyMedianMs: Number(median(grantMs.hundred).toFixed(1)),
      grantOneMedianMs: Number(median(grantMs.one).toFixed(1)),
      grantRatio: ratio(median(grantMs.hundred), median(grantMs.one)),
      peakWorkerdRssMib: Number(peakRssMib.toFixed(1)),
    }),
  );
  if (!values.keep) await rm(ROOT_DIR, { recursive: true, force: true });
}

await main();
