// Catalog read benchmark (`npm run bench`): does the catalog stay fast, and cheap in D1 rows read,
// as it grows? Two local studios, both fed only through the real scheduled sync from signed
// releases in local R2:
//   - the normal demo catalog (~70 packs) on port 8807;
//   - a large synthetic catalog (default 2,000 packs, ~5,000 versions; scripts/bench-catalog-data.ts)
//     written by the demo generator and signed in-process with node:crypto, on port 8806.
// The same catalog reads (packs API with filters, search, cursor and 304; pack detail; compatibility;
// the browse and wizard pages) are timed against both, interleaved, after a warm-up, on both paths
// the catalog middleware has: cold (an edge-cache miss, so the D1 queries and rendering run; a
// fresh URL each round through a query parameter the API ignores but the cache key keeps) and warm
// (the edge-cache copy of one URL). Every response's X-Catalog-Cache header is checked, so a run
// cannot silently time the wrong path. Each median is shown as a ratio to the cold
// GET /api/v1/products (the cheapest catalog read) measured alongside it, and as a large/small
// ratio. Every response's X-D1-Rows-Read (D1's meta.rows_read over the request) is reported too.
// Then the ingest benchmark (scripts/bench-ingest.ts, --ingest-mib, 0 to skip) and the sync's faults
// (scripts/bench-faults.ts: publish after a killed verify, a run with junk folders; --faults-mib 0 skips). The last line
// printed is one JSON object for CI:
//   {"packs":N,"versions":N,"cold":{"<request>":{"medianMs","p90Ms","ratio","rowsRead","rowsReadSmall","rowsGrowth"},…},
//    "warm":{…}, "ingest":{"ratio","mibPerS","cpuSecondsPerGiB",…},"release10":{"sequentialMs","fanOutMs","ratio",…},
//    "faults":{"publishAfterKillMs","syncNoJunkMs","syncYoungJunkMs","syncAbandonedJunkMs",…}}
// (the large catalog, ratios against its cold baseline; ingest against a bare DigestStream pass). Everything lives in a fresh temp dir,
// removed at the end; only 127.0.0.1 is contacted.
//
//   npm run bench -- [--versions 10000 | --packs 2000] [--reps 15] [--warmup 3] [--keep] [--reuse <dir>] [--port 8806]
//                    [--ingest-mib 128] [--release10-mib 64] [--faults-mib 256] [--faults-junk 5000]
//
// --keep leaves the temp dir; --reuse <dir> starts both studios on such a kept dir without
// generating, signing or syncing the large catalog again (migrations still apply), e.g. to compare
// two versions of the code on one catalog.
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { nodeSigner, syntheticPackManifests, syntheticPackReleases } from "./bench-catalog-data";
import {
  dropIntoBucket,
  ensureDemoKey,
  ensureDevVars,
  openLocalPlatform,
  planDemoReleases,
  writeDemoReleases,
  type DemoRelease,
} from "./demo-catalog";
import { type FaultFigures, faultsBenchmark } from "./bench-faults";
import { ingestBenchmark } from "./bench-ingest";
import { formatSummary, settleSync, startStudio, type Studio } from "./studio";

const { values } = parseArgs({
  options: {
    packs: { type: "string" },
    // About 2.5 versions per pack: --versions 10000 is 4,000 packs, --versions 100000 40,000.
    versions: { type: "string" },
    reps: { type: "string", default: "15" },
    warmup: { type: "string", default: "3" },
    // Leaves the temp dir (both local D1s) for EXPLAIN QUERY PLAN; the servers are stopped regardless.
    keep: { type: "boolean", default: false },
    reuse: { type: "string" },
    // The large studio's port; the demo's is the next one, the ingest benchmark's the one after.
    port: { type: "string", default: "8806" },
    // The ingest benchmark's object (scripts/bench-ingest.ts), run after the catalog; 0 skips it.
    "ingest-mib": { type: "string", default: "128" },
    // MiB per file of the ingest benchmark's ten-file release (before/after the fan-out); 0 skips it.
    "release10-mib": { type: "string", default: "64" },
    // The faults section (scripts/bench-faults.ts): the pack killed mid-verify (0 skips it) and the junk folders.
    "faults-mib": { type: "string", default: "256" },
    "faults-junk": { type: "string", default: "5000" },
  },
});
const PACKS = values.versions
  ? Math.max(1, Math.round(positive(values.versions, "--versions") / 2.5))
  : positive(values.packs ?? "2000", "--packs");
const REPS = positive(values.reps, "--reps");
const WARMUP = positive(values.warmup, "--warmup");
const LARGE_PORT = positive(values.port, "--port");
const SMALL_PORT = LARGE_PORT + 1;
const INGEST_PORT = LARGE_PORT + 2;
/** The faults benchmark's studio (the ten-file release's takes INGEST_PORT + 1). */
const FAULTS_PORT = LARGE_PORT + 4;
const PRODUCT = "palette-enterprise";
const BASELINE = "GET /api/v1/products (baseline)";

function positive(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} must be a positive whole number, not ${text}`);
  return n;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

// ---- Cleanup: every server and temp dir goes, on success, failure or Ctrl-C ----------------------

const cleanups: (() => Promise<void>)[] = [];

async function cleanUp() {
  for (const step of cleanups.splice(0).reverse()) {
    await step().catch((err) => console.error(`cleanup: ${err instanceof Error ? err.message : err}`));
  }
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => void cleanUp().finally(() => process.exit(130)));
}

// ---- The large catalog -------------------------------------------------------------------------

type Paths = { root: string; keysDir: string; devVars: string };

/** Uploads releases in a few parallel lanes (one release per lane at a time, release.json last). */
async function dropInLanes(persistTo: string, devVars: string, releases: DemoRelease[], lanes = 4) {
  const platform = await openLocalPlatform(persistTo, devVars);
  try {
    const queue = [...releases];
    const perLane = await Promise.all(
      Array.from({ length: lanes }, async () => {
        let objects = 0;
        for (let next = queue.shift(); next; next = queue.shift())
          objects += (await dropIntoBucket(platform.bucket, [next])).objects;
        return objects;
      }),
    );
    return perLane.reduce((a, b) => a + b, 0);
  } finally {
    await platform.dispose();
  }
}

/** Signs and writes the demo's products plus `packs` synthetic packs, drops them into fresh local R2, and lets the studio sync them. */
async function startLargeStudio(paths: Paths): Promise<Studio & { versions: number }> {
  const persistTo = join(paths.root, "large-state");
  const key = await ensureDemoKey(paths.keysDir);
  const versionsFile = join(paths.root, "large-versions.txt");
  if (existsSync(persistTo)) {
    console.log(`large catalog: reusing ${persistTo}`);
    const studio = await startNamedStudio(paths, "large", LARGE_PORT);
    return { ...studio, versions: Number(await readFile(versionsFile, "utf8")) };
  }
  const manifests = syntheticPackManifests(PACKS);
  const plan = [...planDemoReleases().filter((r) => r.products.length > 0), ...syntheticPackReleases(manifests)];
  let started = performance.now();
  const releases = await writeDemoReleases(join(paths.root, "large-releases"), key, plan, nodeSigner());
  console.log(
    `large catalog: ${PACKS} packs, ${manifests.length} pack versions in ${releases.length} releases, signed with node:crypto in ${seconds(performance.now() - started)}`,
  );
  started = performance.now();
  const objects = await dropInLanes(persistTo, paths.devVars, releases);
  console.log(`large catalog: dropped ${objects} objects into local R2 in ${seconds(performance.now() - started)}`);
  await writeFile(versionsFile, String(manifests.length));
  const studio = await startNamedStudio(paths, "large", LARGE_PORT);
  return { ...studio, versions: manifests.length };
}

/** A studio on `<name>-state` under the run's folder, stopped by the cleanup. */
async function startNamedStudio(paths: Paths, name: "large" | "small", port: number): Promise<Studio> {
  const studio = await startStudio({
    port,
    persistTo: join(paths.root, `${name}-state`),
    devVarsPath: paths.devVars,
    keysDir: paths.keysDir,
    demoDir: join(paths.root, `${name}-demo`),
    logFile: join(paths.root, `${name}.log`),
    quiet: true,
  });
  cleanups.push(() => studio.stop());
  return studio;
}

async function reportSync(label: string, studio: Studio) {
  const { syncMs, releases } = await settleSync(studio);
  const filesPerSecond = releases.publishedFiles / (syncMs / 1000);
  console.log(`${label}: ${formatSummary(studio.summary)}; ${filesPerSecond.toFixed(0)} files/s`);
  if (releases.processing) throw new Error(`${label}: ${releases.processing} releases still processing after the sync`);
}

// ---- The requests --------------------------------------------------------------------------------

type Probe = { name: string; path: string; headers?: Record<string, string>; status: number };

async function getJson<T>(url: string): Promise<{ body: T; etag: string }> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url}: ${res.status} ${(await res.text()).slice(0, 300)}`);
  return { body: (await res.json()) as T, etag: res.headers.get("ETag") ?? "" };
}

type PackPage = { items: { name: string; versions: { version: string }[] }[]; nextCursor: string | null };
type Offered = { offered: { name: string; version: string }[] };

/**
 * The wizard's controller path for AWS/amd64 on the newest product version: one offered pack per
 * one-pack layer, picked the way a user would, through /api/v1/compatible itself.
 */
async function wizardPicks(url: string, version: string): Promise<{ query: string; picks: string[] }> {
  const query = `product=${PRODUCT}&version=${version}&useCase=controller&cloud=aws&arch=amd64`;
  const picks: string[] = [];
  for (const layer of ["os", "k8s", "cni", "csi"]) {
    const { body } = await getJson<Offered>(
      `${url}/api/v1/compatible?${query}&layer=${layer}&packs=${picks.join(",")}`,
    );
    const pick = body.offered[0];
    if (!pick) throw new Error(`${url}: no ${layer} pack offered for ${query}`);
    picks.push(`${pick.name}@${pick.version}`);
  }
  return { query, picks };
}

/** The requests to time, with the names, cursor and ETag each catalog needs found through its own API. */
async function probesFor(url: string): Promise<Probe[]> {
  const { body: products } = await getJson<{ items: { id: string; versions: { version: string }[] }[] }>(
    `${url}/api/v1/products`,
  );
  const version = products.items.find((p) => p.id === PRODUCT)?.versions[0]?.version;
  if (!version) throw new Error(`${url}: ${PRODUCT} has no versions`);
  const { body: firstPage, etag } = await getJson<PackPage>(`${url}/api/v1/packs`);
  if (!firstPage.nextCursor) throw new Error(`${url}: the catalog fits on one page; nothing to page through`);
  const { body: addons } = await getJson<PackPage>(`${url}/api/v1/packs?layer=addon&limit=100`);
  const detailed = addons.items.find((p) => p.versions.length > 1) ?? addons.items[0];
  const { query, picks } = await wizardPicks(url, version);
  return [
    { name: BASELINE, path: "/api/v1/products", status: 200 },
    { name: "GET /api/v1/packs", path: "/api/v1/packs", status: 200 },
    { name: "packs, 1 filter (layer)", path: "/api/v1/packs?layer=addon", status: 200 },
    { name: "packs, 4 filters", path: `/api/v1/packs?product=${PRODUCT}&cloud=aws&arch=amd64&fips=true`, status: 200 },
    // The browse page's product version filter: counted from the kept product version intervals.
    { name: "packs, product version", path: `/api/v1/packs?product=${PRODUCT}&version=${version}`, status: 200 },
    { name: "packs, q=monitoring", path: "/api/v1/packs?q=monitoring", status: 200 },
    {
      name: "packs, page 2 (cursor)",
      path: `/api/v1/packs?cursor=${encodeURIComponent(firstPage.nextCursor)}`,
      status: 200,
    },
    { name: "packs, If-None-Match → 304", path: "/api/v1/packs", headers: { "If-None-Match": etag }, status: 304 },
    { name: "GET /api/v1/packs/:name", path: `/api/v1/packs/${detailed.name}`, status: 200 },
    { name: "compatible, k8s layer", path: `/api/v1/compatible?${query}&layer=k8s&packs=${picks[0]}`, status: 200 },
    {
      // A page that is full at every size the bench builds (the default 20 is not at 400 packs, whose
      // k8s layer holds 16: the page is then the whole layer): the cost of one page.
      name: "compatible, k8s layer, limit 5",
      path: `/api/v1/compatible?${query}&layer=k8s&packs=${picks[0]}&limit=5`,
      status: 200,
    },
    {
      name: "compatible, addon layer",
      path: `/api/v1/compatible?${query}&layer=addon&packs=${picks.join(",")}`,
      status: 200,
    },
    {
      // The API's default page size before 1.2 (since 1.3, 50 packs whether they fit or not).
      name: "compatible, addon layer, limit 50",
      path: `/api/v1/compatible?${query}&layer=addon&packs=${picks.join(",")}&limit=50`,
      status: 200,
    },
    { name: "HTML /packs", path: "/packs", status: 200 },
    { name: "HTML /bundle/layers/addon", path: `/bundle/layers/addon?${query}&packs=${picks.join(",")}`, status: 200 },
    {
      // The page the add-on step links to: its hidden versions, each with why.
      name: "HTML add-on step's hidden",
      path: `/bundle/layers/addon/hidden?${query}&packs=${picks.join(",")}`,
      status: 200,
    },
    {
      // Add-on only's one step: a page of every layer, searched in the query.
      name: "HTML add-on only, q=network",
      path: `/bundle/layers/addon?${query.replace("useCase=controller", "useCase=addon")}&packs=${picks.join(",")}&q=network`,
      status: 200,
    },
  ];
}

type CachePath = "cold" | "warm";
const CACHE_PATHS: CachePath[] = ["cold", "warm"];
const WARM_TAG = "warm";
// The copy is stored by waitUntil after the priming response; a few tries give the put time to land.
const FILL_TRIES = 50;

/** The probe's path with `_=<tag>`: the API ignores the parameter, the edge-cache key keeps it. */
function tagged(path: string, tag: string): string {
  return `${path}${path.includes("?") ? "&" : "?"}_=${encodeURIComponent(tag)}`;
}

const cacheTag = (path: CachePath, round: number) => (path === "warm" ? WARM_TAG : `cold-${round}`);

/** What X-Catalog-Cache must say; a 304 is answered from the generation alone, before any cache lookup. */
const expectedCache = (probe: Probe, path: CachePath) =>
  probe.status === 304 ? null : path === "cold" ? "miss" : "hit";

/** One request, timed until its whole body has arrived; the status is checked, the cache header returned. */
async function request(
  url: string,
  probe: Probe,
  tag: string,
): Promise<{ ms: number; cache: string | null; rowsRead: number; body: string }> {
  const started = performance.now();
  const res = await fetch(url + tagged(probe.path, tag), { headers: probe.headers, redirect: "manual" });
  const body = await res.text();
  const ms = performance.now() - started;
  if (res.status !== probe.status)
    throw new Error(`${probe.name} (_=${tag}): ${res.status}, expected ${probe.status}: ${body.slice(0, 300)}`);
  const rowsRead = Number(res.headers.get("X-D1-Rows-Read"));
  if (!Number.isInteger(rowsRead)) throw new Error(`${probe.name}: no X-D1-Rows-Read header`);
  return { ms, cache: res.headers.get("X-Catalog-Cache"), rowsRead, body };
}

async function timeOnce(url: string, probe: Probe, path: CachePath, round: number) {
  const tag = cacheTag(path, round);
  const { ms, cache, rowsRead } = await request(url, probe, tag);
  const expected = expectedCache(probe, path);
  if (cache !== expected)
    throw new Error(
      `${probe.name} (${path}, _=${tag}): X-Catalog-Cache ${cache ?? "absent"}, expected ${expected ?? "absent"}`,
    );
  return { ms, rowsRead };
}

/**
 * Fills the edge-cache copy of every warm URL: one miss, then requests until the first hit. The
 * miss must show exactly what the URL without `_` shows, or the tag would change what is timed.
 */
async function prime(target: Target) {
  for (const probe of target.probes) {
    const first = await request(target.url, probe, WARM_TAG);
    if (first.cache !== expectedCache(probe, "cold"))
      throw new Error(`${probe.name}: priming request was ${first.cache ?? "no cache lookup"}, not a miss`);
    const untagged = await fetch(target.url + probe.path, { headers: probe.headers, redirect: "manual" }).then((res) =>
      res.text(),
    );
    if (untagged !== first.body)
      throw new Error(`${target.label}: ${probe.name} answers differently with _=${WARM_TAG}`);
    if (probe.status === 304) continue;
    for (let tries = 1; (await request(target.url, probe, WARM_TAG)).cache !== "hit"; tries++) {
      if (tries >= FILL_TRIES)
        throw new Error(`${target.label}: ${probe.name} still not in the edge cache after ${FILL_TRIES} requests`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

type Target = {
  label: string;
  url: string;
  probes: Probe[];
  samples: Record<CachePath, number[][]>;
  rowsRead: Record<CachePath, number[][]>;
};

/**
 * Priming, warm-up, then REPS rounds. Each round runs every request against both catalogs back to
 * back, alternating which goes first, so load from other work on the machine falls on both alike.
 * The warm pass comes first in a round, so the cache writes the cold pass leaves behind (after
 * each response) overlap other cold requests, not the hits.
 */
async function measure(targets: Target[]): Promise<number> {
  let checked = 0;
  for (const target of targets) await prime(target);
  for (let round = 0; round < WARMUP + REPS; round++) {
    const order = round % 2 ? [...targets].reverse() : targets;
    for (const path of ["warm", "cold"] as const) {
      for (let i = 0; i < targets[0].probes.length; i++) {
        for (const target of order) {
          const { ms, rowsRead } = await timeOnce(target.url, target.probes[i], path, round);
          checked++;
          if (round >= WARMUP) {
            target.samples[path][i].push(ms);
            target.rowsRead[path][i].push(rowsRead);
          }
        }
      }
    }
  }
  return checked;
}

// ---- The table -------------------------------------------------------------------------------------

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

const median = (t: Target, path: CachePath, i: number) => percentile(t.samples[path][i], 0.5);
/** Rows read are the same every round unless something is wrong; the median shows the usual one. */
const rowsRead = (t: Target, path: CachePath, i: number) => percentile(t.rowsRead[path][i], 0.5);

/** One row per request and path; ×base is always against the cold baseline, the D1 path's floor. */
function printTable(small: Target, large: Target, checked: number) {
  const cells = (t: Target, path: CachePath, i: number) => [
    median(t, path, i).toFixed(1),
    percentile(t.samples[path][i], 0.9).toFixed(1),
    (median(t, path, i) / median(t, "cold", 0)).toFixed(2),
    String(rowsRead(t, path, i)),
  ];
  const columns = [
    "request",
    "path",
    `${small.label} median`,
    "p90",
    "×base",
    "rows",
    `${large.label} median`,
    "p90",
    "×base",
    "rows",
    "large/small",
    "rows large/small",
  ];
  const rows = small.probes.flatMap((probe, i) =>
    CACHE_PATHS.map((path) => [
      path === "cold" ? probe.name : "",
      path,
      ...cells(small, path, i),
      ...cells(large, path, i),
      (median(large, path, i) / median(small, path, i)).toFixed(2),
      rowsGrowth(small, large, path, i).toFixed(2),
    ]),
  );
  const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i > 1 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join("  ");
  console.log(
    `\nms per request: median and p90 of ${REPS} rounds after ${WARMUP} warm-up rounds, both catalogs interleaved`,
  );
  console.log(`  cold = X-Catalog-Cache: miss, a fresh URL each round (_=cold-<round>): D1 queries and rendering`);
  console.log(
    `  warm = X-Catalog-Cache: hit, one URL (_=${WARM_TAG}) repeated after a priming request: the edge-cache copy`,
  );
  console.log(`  ×base = median / cold baseline median; the 304 is answered before any cache lookup on both paths`);
  console.log(`  rows = D1 rows read by the request (X-D1-Rows-Read, D1's meta.rows_read), median`);
  console.log(`  X-Catalog-Cache checked on all ${checked} responses, warm-up included (the 304s carry none)`);
  console.log(line(columns));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const row of rows) console.log(line(row));
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/** D1 rows read by the large catalog over the small one's, for the same request (a read that reads none stays 1). */
const rowsGrowth = (small: Target, large: Target, path: CachePath, i: number) =>
  Math.round((Math.max(1, rowsRead(large, path, i)) / Math.max(1, rowsRead(small, path, i))) * 100) / 100;

function reportFaults(f: FaultFigures) {
  console.log(
    `\nfaults: a ${f.fileMib} MiB verify killed with SIGKILL was published ${(f.publishAfterKillMs / 1000).toFixed(1)} s after the kill (attempt ${f.attemptsAfterKill}; stall floor shortened to ${f.stallFloorSeconds} s)`,
  );
  console.log(
    `faults: a sync run took ${f.syncNoJunkMs} ms without junk, ${f.syncYoungJunkMs} ms with ${f.junkFolders} young junk folders (×${f.youngJunkRatio}), ${f.syncAbandonedJunkMs} ms once they were quarantined as abandoned (×${f.abandonedJunkRatio})`,
  );
}

/**
 * The one-line JSON a CI job tracks: the large catalog's figures, ratios against its own cold
 * baseline, and D1 rows read per request at both sizes with their growth (large / small).
 */
function summary(small: Target, large: Target, packs: number, versions: number) {
  const byRequest = (path: CachePath) =>
    Object.fromEntries(
      large.probes.map((probe, i) => [
        probe.name,
        {
          medianMs: round1(median(large, path, i)),
          p90Ms: round1(percentile(large.samples[path][i], 0.9)),
          ratio: Math.round((median(large, path, i) / median(large, "cold", 0)) * 100) / 100,
          rowsRead: rowsRead(large, path, i),
          rowsReadSmall: rowsRead(small, path, i),
          rowsGrowth: rowsGrowth(small, large, path, i),
        },
      ]),
    );
  return { packs, versions, cold: byRequest("cold"), warm: byRequest("warm") };
}

// ---- Main ------------------------------------------------------------------------------------------

async function main() {
  const root = values.reuse ?? (await mkdtemp(join(tmpdir(), "bench-catalog-")));
  // On stderr: the JSON summary stays the last line of stdout.
  cleanups.push(async () =>
    values.keep || values.reuse ? console.error(`kept ${root}`) : rm(root, { recursive: true, force: true }),
  );
  const paths: Paths = { root, keysDir: join(root, "keys"), devVars: join(root, ".dev.vars") };
  await ensureDevVars(paths.devVars, await ensureDemoKey(paths.keysDir));

  const smallStudio = await startNamedStudio(paths, "small", SMALL_PORT);
  await reportSync(`demo catalog (port ${SMALL_PORT})`, smallStudio);
  const largeStudio = await startLargeStudio(paths);
  await reportSync(`large catalog (port ${LARGE_PORT})`, largeStudio);

  const target = async (studio: Studio): Promise<Target> => {
    const probes = await probesFor(studio.url);
    return {
      label: `${studio.summary.packs} packs`,
      url: studio.url,
      probes,
      samples: { cold: probes.map(() => []), warm: probes.map(() => []) },
      rowsRead: { cold: probes.map(() => []), warm: probes.map(() => []) },
    };
  };
  const small = await target(smallStudio);
  const large = await target(largeStudio);
  const checked = await measure([small, large]);
  printTable(small, large, checked);
  const catalog = summary(small, large, largeStudio.summary.packs ?? PACKS, largeStudio.versions);
  // Ingest: the sync's verifier against a bare DigestStream pass, and the ten-file release before
  // and after the fan-out, whose studio takes the port after the ingest Worker's (scripts/bench-ingest.ts).
  const { release10, ...ingest } =
    Number(values["ingest-mib"]) > 0
      ? await ingestBenchmark({
          mib: Number(values["ingest-mib"]),
          reps: 3,
          port: INGEST_PORT,
          release10Mib: Number(values["release10-mib"]),
        })
      : {};
  const faults =
    Number(values["faults-mib"]) > 0
      ? await faultsBenchmark({
          work: root,
          fileMib: Number(values["faults-mib"]),
          junk: Number(values["faults-junk"]),
          port: FAULTS_PORT,
        })
      : undefined;
  if (faults) reportFaults(faults);
  console.log(
    JSON.stringify({
      ...catalog,
      ...("ratio" in ingest && { ingest }),
      ...(release10 && { release10 }),
      ...(faults && { faults }),
    }),
  );
}

try {
  await main();
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
} finally {
  await cleanUp();
}
