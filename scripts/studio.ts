// A complete local Artifact Studio: migrations applied, the signed demo catalog dropped into local R2
// when the catalog is empty, `wrangler dev` started, and the real scheduled handler run so the
// catalog is published through the sync. Used by `npm start` and by the e2e tests' global setup.
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, type WriteStream } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { get as httpGet } from "node:http";
import { createServer } from "node:net";
import { delimiter, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  catalogIsEmpty,
  dropIntoBucket,
  ensureDemoKey,
  ensureDevVars,
  openLocalPlatform,
  writeDemoReleases,
} from "./demo-catalog";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

export type StudioOptions = {
  port: number;
  /** wrangler's --persist-to: local D1 and R2 live in <persistTo>/v3. */
  persistTo: string;
  /** Defaults to the repo's .dev.vars. */
  devVarsPath?: string;
  /** Where the demo signing key lives; defaults to .data/keys. */
  keysDir?: string;
  /** Where the generated demo releases are written; defaults to .data/demo. */
  demoDir?: string;
  /** Send wrangler's output to this file instead of the console. */
  logFile?: string;
  quiet?: boolean;
  /** Aborting stops the start-up at whatever step it is in and ends every process it started. */
  signal?: AbortSignal;
};

export type CatalogSummary = {
  /** Releases a Workflow was still verifying when the start-up stopped waiting. */
  stillVerifying?: StillVerifying[];
  products?: number;
  productVersions?: number;
  packs?: number;
  releases: { published: number; quarantined: number; processing: number; publishedFiles: number };
  syncMs: number;
};

export type Studio = {
  url: string;
  adminToken: string;
  devVarsPath: string;
  demoDir: string;
  publicKeyPath: string;
  /** True when this start dropped the demo releases (the catalog was empty). */
  seeded: boolean;
  summary: CatalogSummary;
  stop(): Promise<void>;
};

/** wrangler needs Node 22, which npm puts in node_modules/.bin; the system Node may be older. */
export const toolEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
  ...process.env,
  PATH: [join(ROOT, "node_modules", ".bin"), process.env.PATH ?? ""].join(delimiter),
  WRANGLER_SEND_METRICS: "false",
  // Airgapped machines cannot reach workers.cloudflare.com for the Request.cf sample; use the placeholder.
  CLOUDFLARE_CF_FETCH_ENABLED: process.env.CLOUDFLARE_CF_FETCH_ENABLED ?? "false",
  ...extra,
});

export async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? done(address.port) : fail(new Error("no port"))));
    });
  });
}

/**
 * wrangler in a process group of its own (it runs node, which runs workerd), so that stopping it ends
 * all of them and nothing else. The group is ended when `signal` aborts and when this process exits.
 */
class WranglerGroup {
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
  private ended = false;
  private readonly killOnExit = () => this.signal("SIGTERM");
  private readonly stopOnAbort = () => void this.stop();

  constructor(
    args: string[],
    env: NodeJS.ProcessEnv,
    private readonly abort?: AbortSignal,
  ) {
    this.child = spawn("wrangler", args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    this.exited = new Promise((done) => this.child.once("exit", () => done()));
    // A parent that exits without stop() (an uncaught error, a test runner interrupted) still takes it down.
    process.once("exit", this.killOnExit);
    abort?.addEventListener("abort", this.stopOnAbort, { once: true });
  }

  private signal(name: NodeJS.Signals): void {
    if (this.child.pid === undefined || this.ended) return;
    try {
      process.kill(-this.child.pid, name);
    } catch {
      // the group is gone
    }
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGTERM to the group, SIGKILL after 10 s; resolves once wrangler has exited and its group is gone. */
  async stop(): Promise<void> {
    if (this.running) {
      this.signal("SIGTERM");
      const timer = setTimeout(() => this.signal("SIGKILL"), 10_000);
      await this.exited;
      clearTimeout(timer);
    }
    // workerd may outlive wrangler by a moment: the group's last members get the same end, once.
    this.signal("SIGKILL");
    this.ended = true;
    process.off("exit", this.killOnExit);
    this.abort?.removeEventListener("abort", this.stopOnAbort);
  }
}

/**
 * The wrangler dev holding `persistTo`: the leader of its own process group (WranglerGroup), which
 * workerd shares. Tests and the faults benchmark kill the group to crash the studio mid-work.
 */
export async function wranglerDevGroup(persistTo: string): Promise<number> {
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = (await readFile(`/proc/${entry}/cmdline`, "utf8")).split("\0");
      const stat = await readFile(`/proc/${entry}/stat`, "utf8");
      const pgrp = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
      if (cmd.includes("dev") && cmd.includes(persistTo) && pgrp === Number(entry)) return pgrp;
    } catch {
      // it ended while we looked
    }
  }
  throw new Error(`no wrangler dev process group holds ${persistTo}`);
}

/**
 * A release's progress as the local D1 holds it, read straight from wrangler dev's SQLite file: while a
 * Workflow step hashes a large file, local workerd answers no request (one isolate), but each step's
 * progress note is already on disk. Null when the release is not there (yet).
 */
export async function localReleaseProgress(
  persistTo: string,
  releaseId: string,
): Promise<{ status: string; progress: string | null; workflowId: string | null } | null> {
  return readLocalCatalog(
    persistTo,
    (db) =>
      db.prepare("SELECT status, progress, workflow_id AS workflowId FROM releases WHERE id = ?").get(releaseId) as
        | { status: string; progress: string | null; workflowId: string | null }
        | undefined,
  );
}

/**
 * Where the sync's paged listing of incoming/ resumes (worker/sync/folders.ts): a folder id while
 * the last run stopped at its page's end with more folders after it, null once a run reached the end.
 */
async function localListingCursor(persistTo: string): Promise<string | null> {
  const row = await readLocalCatalog(
    persistTo,
    (db) => db.prepare("SELECT after FROM sync_cursor").get() as { after: string | null } | undefined,
  );
  return row?.after ?? null;
}

/**
 * node:sqlite without the "SQLite is an experimental feature" warning it prints when first loaded:
 * `npm start` reads its own local database with it, and the warning would be the only line of
 * alarm in a healthy start.
 */
function quietSqlite(): Promise<typeof import("node:sqlite")> {
  sqliteModule ??= (async () => {
    const emit = process.emitWarning;
    process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
      if (!String(warning).includes("SQLite")) (emit as (...a: unknown[]) => void).call(process, warning, ...rest);
    }) as typeof process.emitWarning;
    try {
      return await import("node:sqlite");
    } finally {
      process.emitWarning = emit;
    }
  })();
  return sqliteModule;
}
/** Loaded once, so two reads at once never wrap process.emitWarning twice. */
let sqliteModule: Promise<typeof import("node:sqlite")> | undefined;

/** Reads the local catalog database under `persistTo` (read-only, beside the running studio). */
async function readLocalCatalog<T>(
  persistTo: string,
  read: (db: import("node:sqlite").DatabaseSync) => T | undefined,
): Promise<T | null> {
  const { DatabaseSync } = await quietSqlite();
  const dir = join(persistTo, "v3", "d1", "miniflare-D1DatabaseObject");
  for (const file of await readdir(dir).catch(() => [] as string[])) {
    if (!file.endsWith(".sqlite") || file === "metadata.sqlite") continue;
    const db = new DatabaseSync(join(dir, file), { readOnly: true });
    try {
      const row = read(db);
      if (row) return row;
    } catch {
      // not the catalog's database, or not migrated yet
    } finally {
      db.close();
    }
  }
  return null;
}

function runTool(args: string[], log: (text: string) => void, abort?: AbortSignal): Promise<void> {
  abort?.throwIfAborted();
  // CI=true: wrangler takes "yes" for its confirmation prompts instead of waiting on a TTY.
  const tool = new WranglerGroup(args, toolEnv({ CI: "true" }), abort);
  return new Promise((done, fail) => {
    let output = "";
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      log(chunk.toString());
    };
    tool.child.stdout?.on("data", collect);
    tool.child.stderr?.on("data", collect);
    tool.child.once("error", fail);
    tool.child.once("exit", (code) => {
      // Whatever it left in its group goes with it.
      void tool.stop().then(() => {
        if (abort?.aborted) fail(abort.reason);
        else if (code === 0) done();
        else fail(new Error(`wrangler ${args.join(" ")} exited with ${code}:\n${output.slice(-4000)}`));
      });
    });
  });
}

/** Refuses a port something already listens on, before anything starts (wrangler's own error is buried). */
export async function ensurePortFree(port: number, host = "127.0.0.1"): Promise<void> {
  await new Promise<void>((done, fail) => {
    const server = createServer();
    server.once("error", (err: NodeJS.ErrnoException) =>
      fail(
        err.code === "EADDRINUSE"
          ? new Error(
              `port ${port} is already in use (another npm start or wrangler dev?): stop it, or start on another port with --port or PORT`,
            )
          : err,
      ),
    );
    server.listen(port, host, () => server.close(() => done()));
  });
}

/** "applied 11 migrations" from `wrangler d1 migrations apply` (which redraws its table once per migration). */
export function migrationSummary(output: string): string {
  const applied = new Set([...output.matchAll(/(\d{4}_[\w-]+\.sql)\s*│\s*✅/g)].map((m) => m[1]));
  return applied.size
    ? `local D1: applied ${applied.size} migration${applied.size === 1 ? "" : "s"}`
    : "local D1: schema up to date";
}

// What a healthy local start prints and nobody has to act on: CAPTCHA_SECRET is unset because the
// local captcha is off, and Workflows run locally without a script_name.
const EXPECTED_WARNINGS = [/Missing required secrets: CAPTCHA_SECRET\./, /Workflows without a script_name/];
// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI colour codes are what is stripped
const plain = (line: string) => line.replace(/\x1b\[[0-9;]*m/g, "");

/** A wrangler line worth showing during start-up: a warning or error that is not one of the expected ones. */
export function isWorthShowing(line: string): boolean {
  const text = plain(line);
  if (!/\[(WARNING|ERROR)\]|✘/.test(text)) return false;
  return !EXPECTED_WARNINGS.some((re) => re.test(text));
}

/** Passes whole lines that `keep` accepts on to a sink. */
class LineFilter {
  private partial = "";
  constructor(private readonly keep: (line: string) => boolean) {}
  push(chunk: string, sink: (text: string) => void) {
    const lines = (this.partial + chunk).split("\n");
    this.partial = lines.pop() ?? "";
    for (const line of lines) if (this.keep(line)) sink(`${line}\n`);
  }
}

/** Keeps the tail of a process's output so a failed start can say why. */
class OutputTail {
  private text = "";
  constructor(private readonly sink: (text: string) => void) {}
  push(chunk: string) {
    this.text = (this.text + chunk).slice(-8000);
    this.sink(chunk);
  }
  toString() {
    return this.text;
  }
}

async function waitForWorker(
  url: string,
  dev: WranglerGroup,
  tail: OutputTail,
  abort?: AbortSignal,
  timeoutMs = 180_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    abort?.throwIfAborted();
    if (!dev.running) throw new Error(`wrangler dev exited with ${dev.child.exitCode}:\n${tail}`);
    try {
      const res = await fetch(`${url}/spectro_public_key.pem`, { signal: AbortSignal.timeout(5000) });
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`wrangler dev did not answer on ${url} within ${timeoutMs / 1000} s:\n${tail}`);
}

/**
 * Runs the Worker's real scheduled handler. Miniflare's trigger endpoint answers after the handler
 * settles, with outcome "ok" only if runSync resolved.
 */
const SYNC_RETRIES = 3;

export async function triggerScheduledSync(url: string, abort?: AbortSignal): Promise<number> {
  const started = performance.now();
  const { status, body } = await getAndWait(
    `${url}/cdn-cgi/local/scheduled?format=json&cron=${encodeURIComponent("*/10 * * * *")}`,
    abort,
  );
  if (status < 200 || status > 299) throw new Error(`the scheduled sync failed (${status}): ${body}`);
  return performance.now() - started;
}

/**
 * A GET that waits as long as the answer takes. Node's fetch (undici) gives up on response headers
 * after 300 s ("fetch failed"), and one scheduled run over a 100,000-version drop takes longer.
 */
function getAndWait(url: string, abort?: AbortSignal): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpGet(url, { signal: abort }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        body += chunk;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      res.on("error", reject);
    });
    req.on("error", reject);
  });
}

async function getJson<T>(url: string, token?: string): Promise<T | undefined> {
  try {
    const res = await fetch(url, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
    return res.ok ? ((await res.json()) as T) : undefined;
  } catch {
    return undefined;
  }
}

type ReleaseRow = {
  id: string;
  status: "processing" | "published" | "quarantined";
  fileCount: number | null;
  workflowId?: string | null;
  claimedAt?: number;
  progressAt?: number | null;
  progress?: string | null;
  stallAfterMs?: number | null;
};

/** A release a Workflow is still verifying: since when, and what it last did. */
export type StillVerifying = { id: string; since: number; progressAt: number | null; progress: string | null };

const clockTime = (ms: number) => new Date(ms).toISOString().slice(11, 19);

/** "big-release since 06:31:02 UTC (last progress 06:31:05: verifying file 1 of 1: big.zst)" */
export const describeVerifying = (r: StillVerifying) =>
  `${r.id} since ${clockTime(r.since)} UTC` +
  (r.progressAt ? ` (last progress ${clockTime(r.progressAt)}: ${r.progress ?? "?"})` : "");

/** How often the wait says which releases are still verifying. */
const REPORT_EVERY_MS = 15_000;
/** At most one extra scheduled run this often while a release is past its stall bound. */
const RERUN_EVERY_MS = 10_000;

/**
 * The sync hands each release to a Workflow that verifies its files; waits (at most `timeoutMs`)
 * until no release is being verified, so the summary shows outcomes, not work in flight, and says
 * which releases are still verifying and since when every 15 s. wrangler dev fires no Cron Trigger by
 * itself, so while a release's Workflow is past its stall bound this runs the scheduled sync again,
 * as the cron would: that run retries it (worker/sync/watch.ts). Returns what is still verifying.
 */
export async function waitForVerification(
  url: string,
  adminToken: string,
  opts: { abort?: AbortSignal; timeoutMs?: number; say?: (text: string) => void } = {},
): Promise<StillVerifying[]> {
  const { abort, timeoutMs = 300_000, say } = opts;
  const deadline = Date.now() + timeoutMs;
  let verifying: StillVerifying[] = [];
  let reported = Date.now();
  let reran = 0;
  while (Date.now() < deadline) {
    abort?.throwIfAborted();
    const page = await getJson<{ releases: ReleaseRow[] }>(
      `${url}/api/v1/admin/releases?status=processing&limit=100`,
      adminToken,
    );
    const rows = page?.releases.filter((r) => r.workflowId) ?? [];
    verifying = rows.map((r) => ({
      id: r.id,
      since: r.claimedAt ?? 0,
      progressAt: r.progressAt ?? null,
      progress: r.progress ?? null,
    }));
    if (page && !rows.length) return [];
    if (say && Date.now() - reported >= REPORT_EVERY_MS) {
      reported = Date.now();
      say(`still verifying: ${verifying.map(describeVerifying).join("; ")}`);
    }
    const stalled = rows.some((r) => Date.now() > (r.progressAt ?? r.claimedAt ?? 0) + (r.stallAfterMs ?? Infinity));
    if (stalled && Date.now() - reran >= RERUN_EVERY_MS) {
      reran = Date.now();
      say?.("a release's Workflow stopped moving: running the scheduled sync again to retry it…");
      await triggerScheduledSync(url, abort).catch((err) => say?.(`the scheduled sync failed: ${err}`));
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return verifying;
}

/** Counts read through the public and admin APIs, i.e. what a user of this studio would see. */
export async function summarizeCatalog(url: string, adminToken: string, syncMs: number): Promise<CatalogSummary> {
  const [products, packs] = await Promise.all([
    getJson<{ items: { versions: unknown[] }[] }>(`${url}/api/v1/products`),
    getJson<{ total?: number }>(`${url}/api/v1/packs?limit=1`),
  ]);
  const releases: ReleaseRow[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
    const page: { releases: ReleaseRow[]; nextCursor: string | null } | undefined = await getJson(
      `${url}/api/v1/admin/releases?limit=100${query}`,
      adminToken,
    );
    releases.push(...(page?.releases ?? []));
    cursor = page?.nextCursor ?? null;
  } while (cursor);
  const count = (status: ReleaseRow["status"]) => releases.filter((r) => r.status === status).length;
  return {
    products: products?.items.length,
    productVersions: products?.items.reduce((n, p) => n + p.versions.length, 0),
    packs: typeof packs?.total === "number" ? packs.total : undefined,
    releases: {
      published: count("published"),
      quarantined: count("quarantined"),
      processing: count("processing"),
      publishedFiles: releases.filter((r) => r.status === "published").reduce((n, r) => n + (r.fileCount ?? 0), 0),
    },
    syncMs,
  };
}

/**
 * The benchmarks' large catalogs on a busy machine can still be verifying when the start's wait
 * (300 s) ends: waits up to `timeoutMs` more, then counts again, so a slow machine makes a slow run,
 * not a failed one. The sync's time includes the extra wait.
 */
export async function settleSync(studio: Studio, timeoutMs = 30 * 60_000): Promise<CatalogSummary> {
  if (!studio.summary.releases.processing) return studio.summary;
  const started = performance.now();
  const stillVerifying = await waitForVerification(studio.url, studio.adminToken, { timeoutMs });
  const syncMs = studio.summary.syncMs + (performance.now() - started);
  studio.summary = { ...(await summarizeCatalog(studio.url, studio.adminToken, syncMs)), stillVerifying };
  return studio.summary;
}

export function formatSummary(s: CatalogSummary): string {
  const parts: string[] = [];
  if (s.products !== undefined) parts.push(`${s.products} products (${s.productVersions} versions)`);
  if (s.packs !== undefined) parts.push(`${s.packs} packs`);
  parts.push(`${s.releases.published} releases published (${s.releases.publishedFiles} signed files)`);
  parts.push(`${s.releases.quarantined} quarantined`);
  const verifying = s.stillVerifying?.length ?? 0;
  if (verifying) parts.push(`${verifying} still verifying`);
  if (s.releases.processing > verifying) parts.push(`${s.releases.processing - verifying} to retry`);
  parts.push(`sync took ${(s.syncMs / 1000).toFixed(1)} s`);
  return parts.join(", ");
}

type Say = (text: string) => void;

/**
 * Adds the demo releases when the catalog is empty; true when it did. The proxy and wrangler dev must
 * not hold the same local state at once, so this runs through one proxy, closed before wrangler dev
 * starts (and at once on abort, which fails whatever it was doing).
 */
async function seedIfEmpty(
  paths: { persistTo: string; devVarsPath: string; demoDir: string },
  key: Awaited<ReturnType<typeof ensureDemoKey>>,
  say: Say,
  abort?: AbortSignal,
): Promise<boolean> {
  const platform = await openLocalPlatform(paths.persistTo, paths.devVarsPath);
  let disposed: Promise<void> | undefined;
  const dispose = () => (disposed ??= platform.dispose());
  abort?.addEventListener("abort", dispose, { once: true });
  try {
    abort?.throwIfAborted();
    if (!(await catalogIsEmpty(platform.db, platform.bucket))) return false;
    say("catalog is empty: generating and dropping the signed demo releases…");
    const releases = await writeDemoReleases(paths.demoDir, key);
    abort?.throwIfAborted();
    const dropped = await dropIntoBucket(platform.bucket, releases);
    say(`dropped ${releases.length} releases (${dropped.objects} objects) into local R2 under incoming/`);
    return true;
  } catch (err) {
    throw abort?.aborted ? abort.reason : err;
  } finally {
    abort?.removeEventListener("abort", dispose);
    await dispose();
  }
}

/**
 * Secrets only DOWNLOAD_SIGNER=r2 needs. wrangler.toml cannot declare them: [secrets].required would make
 * every deploy demand them, and [vars] would clash with the secrets of the same name. Undeclared, wrangler
 * dev drops them from .dev.vars and the environment, so they are passed on with --var (the environment
 * wins over .dev.vars, as in wrangler).
 */
const OPTIONAL_SECRETS = ["R2_ACCESS_KEY_ID", "R2_SECRET_ACCESS_KEY"];

const optionalSecretsOf = (devVars: Record<string, string>): [string, string][] =>
  OPTIONAL_SECRETS.flatMap((name) => {
    const value = process.env[name] || devVars[name];
    return value ? [[name, value]] : [];
  });

function startWranglerDev(
  port: number,
  inspectorPort: number,
  paths: { persistTo: string; devVarsPath: string },
  optionalSecrets: [string, string][],
  tail: OutputTail,
  abort?: AbortSignal,
): WranglerGroup {
  const dev = new WranglerGroup(
    [
      "dev",
      "--ip",
      "127.0.0.1",
      "--port",
      String(port),
      "--inspector-port",
      String(inspectorPort),
      "--persist-to",
      paths.persistTo,
      "--env-file",
      paths.devVarsPath,
      "--test-scheduled",
      "--show-interactive-dev-session=false",
      ...optionalSecrets.flatMap(([name, value]) => ["--var", `${name}:${value}`]),
    ],
    toolEnv(),
    abort,
  );
  dev.child.stdout?.on("data", (chunk: Buffer) => tail.push(chunk.toString()));
  dev.child.stderr?.on("data", (chunk: Buffer) => tail.push(chunk.toString()));
  return dev;
}

/**
 * A studio of its own in a fresh temp dir: state/, .dev.vars, keys/, demo/ and wrangler.log inside
 * `work`, which the caller removes when done (the e2e files that change the catalog or keys, the
 * publish bench).
 */
export async function startStudioInTemp(prefix: string): Promise<{ work: string; studio: Studio }> {
  const work = await mkdtemp(join(tmpdir(), prefix));
  const studio = await startStudio({
    port: await freePort(),
    persistTo: join(work, "state"),
    devVarsPath: join(work, ".dev.vars"),
    keysDir: join(work, "keys"),
    demoDir: join(work, "demo"),
    logFile: join(work, "wrangler.log"),
    quiet: true,
  });
  return { work, studio };
}

/** Runs one start makes to list a large drop: 200 pages of 500 folders. */
const MAX_LISTING_RUNS = 200;

/**
 * Runs the scheduled handler until its paged listing has been through every folder, again while
 * releases hit errors (not verdicts), and counts the catalog.
 */
async function syncCatalog(url: string, adminToken: string, persistTo: string, say: Say, abort?: AbortSignal) {
  // The sync hands each release to a Workflow; the time counts until every Workflow has an outcome.
  let stillVerifying: StillVerifying[] = [];
  const syncOnce = async () => {
    const started = performance.now();
    // A run looks at one page of folders (FOLDERS_PER_RUN) and the next resumes after it; a larger
    // drop takes the runs the Cron Trigger would make over the next half hour, made here one after
    // the other. A listing left mid-way (an interrupted start) is finished, then gone through whole.
    const passes = (await localListingCursor(persistTo)) === null ? 1 : 2;
    let runs = 0;
    for (let pass = 0; pass < passes; pass++) {
      do {
        if (++runs > MAX_LISTING_RUNS)
          throw new Error(`the sync's listing did not reach the end in ${MAX_LISTING_RUNS} runs`);
        if (runs === 2) say("more release folders than one sync run lists; running it again until it reaches the end…");
        await triggerScheduledSync(url, abort);
      } while ((await localListingCursor(persistTo)) !== null);
    }
    stillVerifying = await waitForVerification(url, adminToken, { abort, say });
    return performance.now() - started;
  };
  let syncMs = await syncOnce();
  let summary = await summarizeCatalog(url, adminToken, syncMs);
  const failed = () => summary.releases.processing - stillVerifying.length;
  // A release that hit an error is given back for the next run; on a busy machine a local D1 or R2
  // hiccup should not leave the demo half-published, so run again, a few times.
  for (let retry = 1; retry <= SYNC_RETRIES && failed() > 0; retry++) {
    say(`${failed()} release(s) hit a sync error; running the sync again (${retry}/${SYNC_RETRIES})…`);
    syncMs += await syncOnce();
    summary = await summarizeCatalog(url, adminToken, syncMs);
  }
  abort?.throwIfAborted();
  return { ...summary, stillVerifying };
}

export async function startStudio(options: StudioOptions): Promise<Studio> {
  const { signal: abort } = options;
  const persistTo = resolve(options.persistTo);
  const devVarsPath = resolve(options.devVarsPath ?? join(ROOT, ".dev.vars"));
  const keysDir = resolve(options.keysDir ?? join(ROOT, ".data", "keys"));
  const demoDir = resolve(options.demoDir ?? join(ROOT, ".data", "demo"));
  await ensurePortFree(options.port);
  let logStream: WriteStream | undefined;
  if (options.logFile) {
    await mkdir(dirname(resolve(options.logFile)), { recursive: true });
    logStream = createWriteStream(resolve(options.logFile), { flags: "a" });
  }
  const log = (text: string) =>
    logStream ? logStream.write(text) : options.quiet ? undefined : process.stdout.write(text);
  const say = (text: string) => (options.quiet ? logStream?.write(`${text}\n`) : console.log(text));

  let dev: WranglerGroup | undefined;
  const stop = async () => {
    await dev?.stop();
    logStream?.end();
  };
  try {
    const key = await ensureDemoKey(keysDir);
    const vars = await ensureDevVars(devVarsPath, key);
    await mkdir(persistTo, { recursive: true });

    let migrationOutput = "";
    await runTool(
      ["d1", "migrations", "apply", "DB", "--local", "--persist-to", persistTo],
      (text) => {
        migrationOutput += text;
        if (logStream) log(text);
      },
      abort,
    );
    say(migrationSummary(migrationOutput));
    const seeded = await seedIfEmpty({ persistTo, devVarsPath, demoDir }, key, say, abort);

    const url = `http://127.0.0.1:${options.port}`;
    // Until the studio is ready, wrangler's chatter (banner, bindings, the start-up's own requests) is
    // kept for a failed start's message; only warnings that say something is wrong get through.
    let ready = false;
    const quietUntilReady = new LineFilter((line) => ready || isWorthShowing(line));
    const tail = new OutputTail((text) => (logStream || ready ? log(text) : quietUntilReady.push(text, log)));
    abort?.throwIfAborted();
    const secrets = optionalSecretsOf(vars);
    dev = startWranglerDev(options.port, await freePort(), { persistTo, devVarsPath }, secrets, tail, abort);
    say(`starting wrangler dev on ${url}…`);
    await waitForWorker(url, dev, tail, abort);
    say("running the scheduled catalog sync…");
    const summary = await syncCatalog(url, vars.ADMIN_TOKEN, persistTo, say, abort);
    ready = true;
    return {
      url,
      adminToken: vars.ADMIN_TOKEN,
      devVarsPath,
      demoDir,
      publicKeyPath: key.publicKeyPath,
      seeded,
      summary,
      stop,
    };
  } catch (err) {
    await stop();
    throw abort?.aborted ? abort.reason : err;
  }
}
