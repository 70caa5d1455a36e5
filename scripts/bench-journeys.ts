// What each user journey costs on the platform, measured (`npm run bench:journeys`): the figures
// docs/capacity.md multiplies out. For each catalog size a local studio is fed the demo products plus
// N synthetic packs (scripts/bench-catalog-data.ts) through the real sync, with BENCH_METER=on
// (worker/bench-meter.ts), and these journeys run against it the way users run them:
//   - browse: catalog views (HTML browse pages, a pack page, a filtered API page), cold (an edge-cache
//     miss) and warm (the edge-cache copy);
//   - bundle: every wizard step of a controller bundle (OS, K8s, CNI, CSI, one add-on), review,
//     confirm, and Confirm's POST, which issues the grant (captcha off locally: on the platform one
//     siteverify call more);
//   - download: that 5-pack grant's download.sh, run with sh (files, signatures, release manifests,
//     the signed bundle list, keys), first with a cold edge cache, then again warm;
//   - publish: `npm run release -- push` of a release of --publish-files files, the scheduled sync,
//     and its verifying Workflow, until the release is published;
//   - mirror: the nightly mirror.sh on a night with nothing new, then on the night after that publish;
//   - cronIdle: one scheduled sync run with nothing new to publish.
// Each journey's figures are the meter's totals over the journey (Worker requests, D1 queries, rows
// read and written, R2 class A/B operations and bytes, Workflow instances and steps) plus workerd's
// process CPU time (utime + stime from /proc): an upper bound on Worker CPU, since it includes the
// runtime, the local D1 (SQLite) and R2 simulators. The last line printed is one JSON object.
//
//   npm run bench:journeys -- [--sizes 400,4000] [--publish-files 200] [--file-kib 64] [--port 8830] [--keep]
//                             [--large-from <dir kept by npm run bench -- --keep>]
//
// --sizes are pack counts (about 2.5 versions each: 4000 packs ≈ 10,000 versions).
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs, promisify } from "node:util";
import { nodeSigner, syntheticPackManifests, syntheticPackReleases } from "./bench-catalog-data";
import {
  dropIntoBucket,
  ensureDemoKey,
  ensureDevVars,
  openLocalPlatform,
  planDemoReleases,
  writeDemoReleases,
} from "./demo-catalog";
import {
  localReleaseProgress,
  ROOT,
  type Studio,
  settleSync,
  startStudio,
  toolEnv,
  triggerScheduledSync,
  wranglerDevGroup,
} from "./studio";

const exec = promisify(execFile);
const PRODUCT = "palette-enterprise";

/**
 * The meter's totals (worker/bench-meter.ts's BenchTotals, repeated because this Node script cannot
 * load the Worker's runtime types) plus workerd's CPU over the same span.
 */
export type JourneyCost = {
  requests: number;
  cpuMs: number;
  d1Queries: number;
  d1RowsRead: number;
  d1RowsWritten: number;
  d1Unmetered: number;
  r2ClassA: number;
  r2ClassB: number;
  r2Free: number;
  r2BytesIn: number;
  r2BytesOut: number;
  workflowsCreated: number;
  workflowSteps: number;
};

/** A statement's text and the rows it read over a journey (worker/bench-meter.ts's HeavyStatement). */
export type HeavyStatement = { sql: string; statements: number; rowsRead: number };

/** A journey's cost with the statements that read the most rows: where to look when rows grow. */
export type Measured = JourneyCost & { heaviest: HeavyStatement[] };

export type Run = { url: string; persistTo: string; group: number };

// ---- Measuring ------------------------------------------------------------------------------------

const CLOCK_TICKS_PER_SECOND = 100; // Linux's USER_HZ

/** utime + stime of every workerd in wrangler dev's process group, in ms. */
export async function workerdCpuMs(group: number): Promise<number> {
  let ticks = 0;
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const text = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => "");
    const close = text.lastIndexOf(")");
    if (close < 0 || !text.slice(text.indexOf("(") + 1, close).startsWith("workerd")) continue;
    const fields = text.slice(close + 2).split(" ");
    if (Number(fields[2]) === group) ticks += Number(fields[11]) + Number(fields[12]);
  }
  return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
}

async function takeMeter(url: string): Promise<Omit<Measured, "cpuMs">> {
  const res = await fetch(`${url}/__bench/meter`);
  if (!res.ok) throw new Error(`GET /__bench/meter: ${res.status} (is BENCH_METER=on reaching wrangler dev?)`);
  return (await res.json()) as Omit<Measured, "cpuMs">;
}

/** Runs `journey` between two meter readings; `extraRequests` adds Worker invocations the meter cannot see (a cron run). */
export async function measure(run: Run, journey: () => Promise<unknown>, extraRequests = 0): Promise<Measured> {
  await takeMeter(run.url);
  const cpuBefore = await workerdCpuMs(run.group);
  await journey();
  // Cache fills run in waitUntil after the response: let them land inside the span.
  await new Promise((r) => setTimeout(r, 300));
  const cpuMs = (await workerdCpuMs(run.group)) - cpuBefore;
  const totals = await takeMeter(run.url);
  return { ...totals, requests: totals.requests + extraRequests, cpuMs };
}

/** Each figure divided by `n` (per view, per file), one decimal; the heaviest statements stay the span's. */
export const per = ({ heaviest, ...cost }: Measured, n: number): Measured => ({
  ...(Object.fromEntries(Object.entries(cost).map(([k, v]) => [k, Math.round((v / n) * 10) / 10])) as JourneyCost),
  heaviest,
});

async function get(url: string, init?: RequestInit): Promise<string> {
  const res = await fetch(url, init);
  const body = await res.text();
  if (!res.ok) throw new Error(`${init?.method ?? "GET"} ${url}: ${res.status} ${body.slice(0, 300)}`);
  return body;
}

// ---- The journeys -----------------------------------------------------------------------------------

type Setup = {
  version: string;
  query: string;
  picks: string[];
  detail: string;
  apiToken: string;
  publisherToken: string;
};

/** The views a browsing user opens; `_` keeps each cold request off the edge-cache copy (the API ignores it). */
export const browseViews = (s: Setup) => [
  "/packs",
  "/packs?layer=addon&cloud=aws",
  "/packs?q=monitoring",
  `/packs/${s.detail}`,
  `/api/v1/packs?product=${PRODUCT}&cloud=aws&arch=amd64&fips=true`,
];

const tag = (path: string, t: string) => `${path}${path.includes("?") ? "&" : "?"}_=${t}`;

export async function browse(url: string, s: Setup, t: string) {
  for (const view of browseViews(s)) await get(url + tag(view, t));
}

/** Every page of the wizard for the setup's picks, then Confirm's POST; returns the grant's capability. */
export async function buildBundle(url: string, s: Setup): Promise<string> {
  const base = `product=${PRODUCT}&version=${s.version}`;
  const pages = [
    "/bundle/product",
    `/bundle/version?product=${PRODUCT}`,
    `/bundle/use-case?${base}`,
    `/bundle/cloud?${base}&useCase=controller`,
    ...["os", "k8s", "cni", "csi", "addon"].map(
      (layer, i) => `/bundle/layers/${layer}?${s.query}&packs=${s.picks.slice(0, i).join(",")}`,
    ),
    `/bundle/review?${s.query}&packs=${s.picks.join(",")}`,
    `/bundle/confirm?${s.query}&packs=${s.picks.join(",")}`,
  ];
  for (const page of pages) await get(url + page);
  const html = await get(`${url}/bundle/confirm?${s.query}&packs=${s.picks.join(",")}`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: "download=1",
  });
  const capability = /\/api\/v1\/grants\/([^/"?]+)\/download\.sh/.exec(html)?.[1];
  if (!capability) throw new Error(`Confirm's POST showed no grant links: ${html.slice(0, 500)}`);
  return capability;
}

/** The grant's download.sh, fetched and run with sh in `dir`, as the docs tell a user to. */
export async function download(url: string, capability: string, dir: string) {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "download.sh"), await get(`${url}/api/v1/grants/${capability}/download.sh`));
  const { stdout } = await exec("sh", ["download.sh"], { cwd: dir, env: toolEnv(), maxBuffer: 16 << 20 });
  if (!/✅ \d+ files verified/.test(stdout)) throw new Error(`download.sh did not verify:\n${stdout}`);
}

/** mirror.sh, kept in `dir` between nights as a cron job keeps it. */
export async function mirror(url: string, token: string, dir: string) {
  await mkdir(dir, { recursive: true });
  if (!existsSync(join(dir, "mirror.sh")))
    await writeFile(join(dir, "mirror.sh"), await get(`${url}/api/v1/changes/mirror.sh`));
  const { stdout } = await exec("sh", ["mirror.sh"], {
    cwd: dir,
    env: toolEnv({ ARTIFACT_STUDIO_TOKEN: token }),
    maxBuffer: 64 << 20,
  });
  return stdout;
}

const release = (...args: string[]) =>
  exec(process.execPath, ["--import", "tsx", "scripts/release/main.ts", ...args], {
    cwd: ROOT,
    env: toolEnv(),
    maxBuffer: 64 << 20,
  });

/** A release folder of `files` installers, initialised and signed (not measured: it is the publisher's own machine). */
export async function prepareRelease(dir: string, files: number, fileKib: number, keyPath: string) {
  await mkdir(dir, { recursive: true });
  const names = Array.from({ length: files }, (_, i) => `capacity-${String(i).padStart(3, "0")}.iso`);
  for (const [i, name] of names.entries())
    await writeFile(join(dir, name), Buffer.alloc(fileKib * 1024, (i % 250) + 1));
  const installers = names.flatMap((n, i) => ["--installer", `${n}=iso:${PRODUCT}:8.${i}.0`]);
  await release("init", dir, "--key-id", "demo-ec-p256", ...installers);
  await release("sign", dir, "--key", keyPath);
  return JSON.parse(await readFile(join(dir, "release.json"), "utf8")).releaseId as string;
}

/**
 * The publisher's one command: push uploads the release, asks the studio to sync that folder now and
 * follows it to its verdict. (Waiting for the Cron Trigger instead would take a catalog of more than
 * FOLDERS_PER_RUN release folders several runs to list the new one.) Published is then checked in
 * the local D1 file, not through the Worker.
 */
export async function publish(run: Run, dir: string, releaseId: string, token: string) {
  await release("push", dir, "--studio", run.url, "--token", token, "--wait", "600");
  for (const deadline = Date.now() + 600_000; Date.now() < deadline; ) {
    const row = await localReleaseProgress(run.persistTo, releaseId);
    if (row?.status === "published") return;
    if (row?.status === "quarantined") throw new Error(`${releaseId} was quarantined: ${row.progress}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${releaseId} not published within 10 minutes`);
}

// ---- A studio per catalog size ------------------------------------------------------------------------

/**
 * The demo's products plus `packs` synthetic packs, signed, dropped into fresh local R2 and synced,
 * metered. With `from`, a folder `npm run bench -- --keep` left with the same catalog (its
 * large-state, keys and .dev.vars), the state is copied from there instead: a 100,000-version
 * catalog takes most of an hour to sign, drop and sync, and the journeys change their copy only.
 */
export async function startCatalogStudio(work: string, packs: number, port: number, from?: string) {
  const keysDir = join(work, "keys");
  const devVars = join(work, ".dev.vars");
  const persistTo = join(work, `state-${packs}`);
  const manifests = syntheticPackManifests(packs);
  if (from) await copyKeptCatalog(from, work, persistTo, manifests.length);
  const key = await ensureDemoKey(keysDir);
  await ensureDevVars(devVars, key);
  const vars = await readFile(devVars, "utf8");
  if (!/^BENCH_METER=/m.test(vars)) await writeFile(devVars, `${vars}BENCH_METER=on\n`);
  if (!from) {
    const plan = [...planDemoReleases().filter((r) => r.products.length > 0), ...syntheticPackReleases(manifests)];
    const releases = await writeDemoReleases(join(work, `releases-${packs}`), key, plan, nodeSigner());
    const platform = await openLocalPlatform(persistTo, devVars);
    try {
      await dropIntoBucket(platform.bucket, releases);
    } finally {
      await platform.dispose();
    }
  }
  const studio = await startStudio({
    port,
    persistTo,
    devVarsPath: devVars,
    keysDir,
    demoDir: join(work, `demo-${packs}`),
    logFile: join(work, `wrangler-${packs}.log`),
    quiet: true,
  });
  try {
    if ((await settleSync(studio)).releases.processing)
      throw new Error(`${packs} packs: releases still processing 30 minutes after the sync`);
    const run: Run = { url: studio.url, persistTo, group: await wranglerDevGroup(resolve(persistTo)) };
    return { studio, run, versions: manifests.length, keyPath: key.privateKeyPath };
  } catch (err) {
    await studio.stop();
    throw err;
  }
}

/** Copies a kept bench catalog (scripts/bench-catalog.ts --keep) into the run, refusing one of another size. */
async function copyKeptCatalog(from: string, work: string, persistTo: string, versions: number) {
  const kept = Number(await readFile(join(from, "large-versions.txt"), "utf8").catch(() => "0"));
  if (kept !== versions)
    throw new Error(`--large-from ${from}: its catalog has ${kept} versions, this size ${versions}`);
  await cp(join(from, "large-state"), persistTo, { recursive: true });
  await cp(join(from, "keys"), join(work, "keys"), { recursive: true });
  await cp(join(from, ".dev.vars"), join(work, ".dev.vars"));
}

async function mint(studio: Studio, path: string, body: unknown): Promise<string> {
  const text = await get(`${studio.url}${path}`, {
    method: "POST",
    headers: { Authorization: `Bearer ${studio.adminToken}`, "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  return (JSON.parse(text) as { token: string }).token;
}

/** Tokens, the newest product version, and one offered pack per layer, found through the API (not measured). */
async function setUp(studio: Studio): Promise<Setup> {
  const products = JSON.parse(await get(`${studio.url}/api/v1/products`)) as {
    items: { id: string; versions: { version: string }[] }[];
  };
  const version = products.items.find((p) => p.id === PRODUCT)?.versions[0]?.version;
  if (!version) throw new Error(`${PRODUCT} has no versions`);
  const query = `product=${PRODUCT}&version=${version}&useCase=controller&cloud=aws&arch=amd64`;
  const picks: string[] = [];
  for (const layer of ["os", "k8s", "cni", "csi", "addon"]) {
    const answer = JSON.parse(
      await get(`${studio.url}/api/v1/compatible?${query}&layer=${layer}&packs=${picks.join(",")}`),
    ) as { offered: { name: string; version: string }[] };
    const pick = answer.offered[0];
    if (!pick) throw new Error(`no ${layer} pack offered for ${query}`);
    picks.push(`${pick.name}@${pick.version}`);
  }
  return {
    version,
    query,
    picks,
    detail: picks[4].split("@")[0],
    apiToken: await mint(studio, "/api/v1/admin/tokens", {
      name: "capacity",
      scopes: ["manifests:read", "grants:create"],
    }),
    publisherToken: await mint(studio, "/api/v1/admin/publisher-tokens", { name: "capacity" }),
  };
}

/** The local D1's size on disk (SQLite pages, what D1's database size limit counts). */
async function databaseBytes(persistTo: string): Promise<number> {
  const dir = join(persistTo, "v3", "d1", "miniflare-D1DatabaseObject");
  let bytes = 0;
  for (const file of await readdir(dir))
    if (file.endsWith(".sqlite") && file !== "metadata.sqlite") bytes += (await stat(join(dir, file))).size;
  return bytes;
}

export type SizeFigures = {
  packs: number;
  versions: number;
  databaseBytes: number;
  views: number;
  bundleFiles: number;
  publishFiles: number;
  journeys: Record<string, JourneyCost>;
  /** Per journey, the statements that read the most rows over it. */
  heaviest: Record<string, HeavyStatement[]>;
};

/** Every journey against one catalog size, in the order a day would see them. */
export async function journeysAt(
  work: string,
  packs: number,
  port: number,
  opts: { publishFiles: number; fileKib: number; log: (line: string) => void; from?: string },
): Promise<SizeFigures> {
  const { studio, run, versions, keyPath } = await startCatalogStudio(work, packs, port, opts.from);
  try {
    opts.log(`${packs} packs (${versions} versions): ${studio.summary.releases.published} releases synced`);
    const s = await setUp(studio);
    opts.log(`${packs} packs: picks ${s.picks.join(", ")}`);
    const views = browseViews(s).length;
    const journeys: Record<string, JourneyCost> = {};
    const heaviest: Record<string, HeavyStatement[]> = {};
    const step = async (name: string, journey: () => Promise<Measured>) => {
      ({ heaviest: heaviest[name], ...journeys[name] } = await journey());
      opts.log(`${packs} packs: ${name}: ${JSON.stringify(journeys[name])}`);
    };
    await step("browseCold", async () => per(await measure(run, () => browse(run.url, s, "views")), views));
    await step("browseWarm", async () => per(await measure(run, () => browse(run.url, s, "views")), views));
    let capability = "";
    await step("bundle", () =>
      measure(run, async () => {
        capability = await buildBundle(run.url, s);
      }),
    );
    await step("downloadCold", () => measure(run, () => download(run.url, capability, join(work, `dl-${packs}-a`))));
    await step("downloadWarm", () => measure(run, () => download(run.url, capability, join(work, `dl-${packs}-b`))));
    const mirrorDir = join(work, `mirror-${packs}`);
    await mkdir(mirrorDir, { recursive: true });
    // A mirror already current: the state file says a generation past the catalog's; the run records the catalog's.
    await writeFile(join(mirrorDir, ".artifact-studio-generation"), "999999999\n");
    await step("mirrorQuiet", () => measure(run, () => mirror(run.url, s.apiToken, mirrorDir)));
    const releaseDir = join(work, `release-${packs}`);
    const releaseId = await prepareRelease(releaseDir, opts.publishFiles, opts.fileKib, keyPath);
    await step("publish", () => measure(run, () => publish(run, releaseDir, releaseId, s.publisherToken)));
    await step("mirrorNightly", () => measure(run, () => mirror(run.url, s.apiToken, mirrorDir)));
    // The Cron Trigger's run when nothing new was dropped (144 a day at */10).
    await step("cronIdle", () => measure(run, () => triggerScheduledSync(run.url), 1));
    return {
      packs,
      versions,
      databaseBytes: await databaseBytes(run.persistTo),
      views,
      bundleFiles: 5,
      publishFiles: opts.publishFiles,
      journeys,
      heaviest,
    };
  } finally {
    await studio.stop();
  }
}

function printTable(sizes: SizeFigures[]) {
  const keys: (keyof JourneyCost)[] = [
    "requests",
    "cpuMs",
    "d1Queries",
    "d1RowsRead",
    "d1RowsWritten",
    "r2ClassA",
    "r2ClassB",
    "r2BytesIn",
    "r2BytesOut",
    "workflowSteps",
  ];
  for (const size of sizes) {
    console.log(
      `\n${size.packs} packs, ${size.versions} versions, D1 ${(size.databaseBytes / 1048576).toFixed(1)} MiB`,
    );
    console.log(["journey".padEnd(14), ...keys.map((k) => k.padStart(14))].join(""));
    for (const [name, cost] of Object.entries(size.journeys))
      console.log([name.padEnd(14), ...keys.map((k) => String(cost[k]).padStart(14))].join(""));
  }
  for (const size of sizes) printHeaviest(size);
  if (sizes.some((s) => Object.values(s.journeys).some((j) => j.d1Unmetered)))
    console.log("note: some D1 statements carried no meta (d1Unmetered in the JSON); their rows are not counted");
}

/** Where each journey's rows went: its three heaviest statements, rows read over the whole journey. */
function printHeaviest(size: SizeFigures) {
  console.log(`\nheaviest statements at ${size.packs} packs (rows read over the journey, statements run)`);
  for (const [name, statements] of Object.entries(size.heaviest))
    for (const { sql, statements: runs, rowsRead } of statements.slice(0, 3))
      console.log(
        `${name.padEnd(14)}${String(rowsRead).padStart(10)}${String(runs).padStart(6)}  ${sql.slice(0, 110)}`,
      );
}

/** Rows read at the largest size over the smallest, per journey. */
export function rowsGrowth(sizes: SizeFigures[]): Record<string, number> {
  const [small, large] = [sizes[0], sizes.at(-1)!];
  return Object.fromEntries(
    Object.keys(large.journeys).map((name) => [
      name,
      Math.round((Math.max(1, large.journeys[name].d1RowsRead) / Math.max(1, small.journeys[name].d1RowsRead)) * 100) /
        100,
    ]),
  );
}

// ---- The day, multiplied out (docs/capacity.md) --------------------------------------------------------

/**
 * Cloudflare's list prices on Workers Paid (USD), as published on 2026-12-06: Workers and Workflows
 * (developers.cloudflare.com/workers/platform/pricing, /workflows/reference/pricing), D1
 * (/d1/platform/pricing), R2 (/r2/pricing). Included amounts are per month.
 */
export const PRICES = {
  baseMonthly: 5,
  requests: { included: 10e6, perMillion: 0.3 },
  cpuMs: { included: 30e6, perMillion: 0.02 },
  d1RowsRead: { included: 25e9, perMillion: 0.001 },
  d1RowsWritten: { included: 50e6, perMillion: 1 },
  r2ClassA: { included: 1e6, perMillion: 4.5 },
  r2ClassB: { included: 10e6, perMillion: 0.36 },
} as const;

/** The day the model is asked about: each bundle download also builds its bundle (wizard, grant). */
export const DAY = { catalogViews: 1e6, bundleDownloads: 1e5, mirrors: 1000, releases: 1, idleCronRuns: 143 };

type Billed = keyof typeof PRICES & keyof JourneyCost;
const BILLED: Billed[] = ["requests", "cpuMs", "d1RowsRead", "d1RowsWritten", "r2ClassA", "r2ClassB"];

/** Every figure of a journey with D1 rows read and CPU scaled by `factor` (a catalog size step). */
const scaled = (cost: JourneyCost, rows: number, cpu: number): JourneyCost => ({
  ...cost,
  d1RowsRead: Math.round(cost.d1RowsRead * rows),
  cpuMs: Math.round(cost.cpuMs * cpu),
});

/**
 * One catalog size's day: the journeys a day holds, summed, then a 30-day month's bill. `cold`:
 * every view and download misses the edge cache (the upper bound).
 */
export function dayAt(j: Record<string, JourneyCost>, cold = true) {
  const views = cold ? j.browseCold : j.browseWarm;
  const download = cold ? j.downloadCold : j.downloadWarm;
  const parts: [JourneyCost, number][] = [
    [views, DAY.catalogViews],
    [j.bundle, DAY.bundleDownloads],
    [download, DAY.bundleDownloads],
    [j.mirrorNightly, DAY.mirrors],
    [j.publish, DAY.releases],
    ...(j.cronIdle ? ([[j.cronIdle, DAY.idleCronRuns]] as [JourneyCost, number][]) : []),
  ];
  const day = Object.fromEntries(
    BILLED.map((k) => [k, Math.round(parts.reduce((sum, [cost, n]) => sum + cost[k] * n, 0))]),
  ) as Record<Billed, number>;
  const monthly = Object.fromEntries(
    BILLED.map((k) => {
      const over = Math.max(0, day[k] * 30 - PRICES[k].included);
      return [k, Math.round((over / 1e6) * PRICES[k].perMillion * 100) / 100];
    }),
  ) as Record<Billed, number>;
  const total = PRICES.baseMonthly + Object.values(monthly).reduce((a, b) => a + b, 0);
  return { day, monthlyUsd: { base: PRICES.baseMonthly, ...monthly, total: Math.round(total * 100) / 100 } };
}

/**
 * The day at the measured sizes, and at 100,000 versions projected from the largest size by the
 * growth its D1 rows and CPU showed from the smaller size, per tenfold (so a read that grew 1.3× from
 * 1k to 10k versions is taken to grow 1.3× again to 100k: an assumption, said as such in the doc).
 */
export function dailyModel(sizes: SizeFigures[]) {
  const [small, large] = [sizes[0], sizes.at(-1)!];
  const tenfolds = Math.log10(100_000 / large.versions);
  const steps = Math.log10(large.versions / small.versions) || 1;
  const growth = (name: string, k: "d1RowsRead" | "cpuMs") =>
    (Math.max(1, large.journeys[name][k]) / Math.max(1, small.journeys[name][k])) ** (tenfolds / steps);
  const projected = Object.fromEntries(
    Object.entries(large.journeys).map(([name, cost]) => [
      name,
      scaled(cost, growth(name, "d1RowsRead"), growth(name, "cpuMs")),
    ]),
  );
  return {
    measured: sizes.map((s) => ({ versions: s.versions, cold: dayAt(s.journeys), warm: dayAt(s.journeys, false) })),
    projected100k: { journeys: projected, cold: dayAt(projected), warm: dayAt(projected, false) },
  };
}

async function main() {
  const { values } = parseArgs({
    options: {
      sizes: { type: "string", default: "400,4000" },
      "publish-files": { type: "string", default: "200" },
      "file-kib": { type: "string", default: "64" },
      port: { type: "string", default: "8830" },
      keep: { type: "boolean", default: false },
      // A kept `npm run bench -- --keep` folder holding the largest size's catalog (startCatalogStudio).
      "large-from": { type: "string" },
    },
  });
  const sizes = values.sizes.split(",").map(Number);
  if (sizes.some((n) => !Number.isInteger(n) || n < 1))
    throw new Error(`--sizes must be pack counts, not ${values.sizes}`);
  const work = await mkdtemp(join(tmpdir(), "bench-journeys-"));
  const figures: SizeFigures[] = [];
  try {
    for (const [i, packs] of sizes.entries())
      figures.push(
        await journeysAt(work, packs, Number(values.port) + i, {
          publishFiles: Number(values["publish-files"]),
          fileKib: Number(values["file-kib"]),
          log: console.log,
          from: i === sizes.length - 1 ? values["large-from"] : undefined,
        }),
      );
  } finally {
    if (values.keep) console.error(`kept ${work}`);
    else await rm(work, { recursive: true, force: true });
  }
  printTable(figures);
  const model = dailyModel(figures);
  console.log(`\na day (${JSON.stringify(DAY)}), every view and download cold; a 30-day month in USD:`);
  for (const m of model.measured) console.log(`  ${m.versions} versions: ${JSON.stringify(m.cold)}`);
  if (figures.length > 1) console.log(`  100,000 versions (projected): ${JSON.stringify(model.projected100k.cold)}`);
  console.log(JSON.stringify({ bench: "journeys", sizes: figures, rowsGrowth: rowsGrowth(figures), model }));
}

if (import.meta.url === pathToFileURL(resolve(process.argv[1] ?? "")).href) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  });
}
