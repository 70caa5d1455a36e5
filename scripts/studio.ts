// A complete local Artifact Studio: migrations applied, the signed demo catalog dropped into local R2
// when the catalog is empty, `wrangler dev` started, and the real scheduled handler run so the
// catalog is published through the sync. Used by `npm start` and by the e2e tests' global setup.
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, type WriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
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
};

export type CatalogSummary = {
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

function runTool(args: string[], log: (text: string) => void): Promise<void> {
  return new Promise((done, fail) => {
    // CI=true: wrangler takes "yes" for its confirmation prompts instead of waiting on a TTY.
    const child = spawn("wrangler", args, {
      cwd: ROOT,
      env: toolEnv({ CI: "true" }),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      log(chunk.toString());
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    child.once("error", fail);
    child.once("exit", (code) =>
      code === 0 ? done() : fail(new Error(`wrangler ${args.join(" ")} exited with ${code}:\n${output.slice(-4000)}`)),
    );
  });
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

async function waitForWorker(url: string, child: ChildProcess, tail: OutputTail, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with ${child.exitCode}:\n${tail}`);
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

export async function triggerScheduledSync(url: string): Promise<number> {
  const started = performance.now();
  const res = await fetch(`${url}/cdn-cgi/local/scheduled?format=json&cron=${encodeURIComponent("*/10 * * * *")}`);
  const body = await res.text();
  if (!res.ok) throw new Error(`the scheduled sync failed (${res.status}): ${body}`);
  return performance.now() - started;
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
};

/**
 * The sync hands each release to a Workflow that verifies its files; waits (at most `timeoutMs`)
 * until no release is being verified, so the summary shows outcomes, not work in flight.
 */
export async function waitForVerification(url: string, adminToken: string, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const page = await getJson<{ releases: ReleaseRow[] }>(
      `${url}/api/v1/admin/releases?status=processing&limit=100`,
      adminToken,
    );
    if (page && !page.releases.some((r) => r.workflowId)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
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

export function formatSummary(s: CatalogSummary): string {
  const parts: string[] = [];
  if (s.products !== undefined) parts.push(`${s.products} products (${s.productVersions} versions)`);
  if (s.packs !== undefined) parts.push(`${s.packs} packs`);
  parts.push(`${s.releases.published} releases published (${s.releases.publishedFiles} signed files)`);
  parts.push(`${s.releases.quarantined} quarantined`);
  if (s.releases.processing) parts.push(`${s.releases.processing} still processing`);
  parts.push(`sync took ${(s.syncMs / 1000).toFixed(1)} s`);
  return parts.join(", ");
}

export async function startStudio(options: StudioOptions): Promise<Studio> {
  const persistTo = resolve(options.persistTo);
  const devVarsPath = resolve(options.devVarsPath ?? join(ROOT, ".dev.vars"));
  const keysDir = resolve(options.keysDir ?? join(ROOT, ".data", "keys"));
  const demoDir = resolve(options.demoDir ?? join(ROOT, ".data", "demo"));
  let logStream: WriteStream | undefined;
  if (options.logFile) {
    await mkdir(dirname(resolve(options.logFile)), { recursive: true });
    logStream = createWriteStream(resolve(options.logFile), { flags: "a" });
  }
  const log = (text: string) =>
    logStream ? logStream.write(text) : options.quiet ? undefined : process.stdout.write(text);
  const say = (text: string) => (options.quiet ? logStream?.write(`${text}\n`) : console.log(text));

  const key = await ensureDemoKey(keysDir);
  const vars = await ensureDevVars(devVarsPath, key);
  await mkdir(persistTo, { recursive: true });

  say("applying local D1 migrations…");
  await runTool(["d1", "migrations", "apply", "DB", "--local", "--persist-to", persistTo], log);

  // The proxy and wrangler dev must not hold the same local state at once: check and seed first,
  // through one proxy that is closed before wrangler dev starts.
  const platform = await openLocalPlatform(persistTo, devVarsPath);
  let empty: boolean;
  try {
    empty = await catalogIsEmpty(platform.db, platform.bucket);
    if (empty) {
      say("catalog is empty: generating and dropping the signed demo releases…");
      const releases = await writeDemoReleases(demoDir, key);
      const dropped = await dropIntoBucket(platform.bucket, releases);
      say(`dropped ${releases.length} releases (${dropped.objects} objects) into local R2 under incoming/`);
    }
  } finally {
    await platform.dispose();
  }

  const url = `http://127.0.0.1:${options.port}`;
  const inspectorPort = await freePort();
  const child = spawn(
    "wrangler",
    [
      "dev",
      "--ip",
      "127.0.0.1",
      "--port",
      String(options.port),
      "--inspector-port",
      String(inspectorPort),
      "--persist-to",
      persistTo,
      "--env-file",
      devVarsPath,
      "--test-scheduled",
      "--show-interactive-dev-session=false",
    ],
    // Its own process group, so stop() ends wrangler and the workerd it starts, and nothing else.
    { cwd: ROOT, env: toolEnv(), stdio: ["ignore", "pipe", "pipe"], detached: true },
  );
  const tail = new OutputTail(log);
  child.stdout?.on("data", (chunk: Buffer) => tail.push(chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => tail.push(chunk.toString()));
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  // wrangler runs in its own process group, so a parent that exits without calling stop() (a test
  // runner interrupted, an uncaught error) must still take it down rather than leave it serving.
  const killOnExit = () => {
    if (child.exitCode === null && child.pid) {
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        // already gone
      }
    }
  };
  process.once("exit", killOnExit);

  const stop = async () => {
    if (child.exitCode === null && child.pid) {
      killOnExit();
      const killed = await Promise.race([
        exited.then(() => true),
        new Promise<boolean>((r) => setTimeout(() => r(false), 10_000)),
      ]);
      if (!killed) {
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {
          // already gone
        }
        await exited;
      }
    }
    process.off("exit", killOnExit);
    logStream?.end();
  };

  try {
    say(`starting wrangler dev on ${url}…`);
    await waitForWorker(url, child, tail);
    say("running the scheduled catalog sync…");
    const syncStarted = performance.now();
    await triggerScheduledSync(url);
    await waitForVerification(url, vars.ADMIN_TOKEN);
    let syncMs = performance.now() - syncStarted;
    let summary = await summarizeCatalog(url, vars.ADMIN_TOKEN, syncMs);
    // A release that hit an error (not a verdict) is given back for the next run; on a busy machine
    // a local D1 or R2 hiccup should not leave the demo half-published, so run again, a few times.
    for (let retry = 1; retry <= SYNC_RETRIES && summary.releases.processing > 0; retry++) {
      say(
        `${summary.releases.processing} release(s) hit a sync error; running the sync again (${retry}/${SYNC_RETRIES})…`,
      );
      const again = performance.now();
      await triggerScheduledSync(url);
      await waitForVerification(url, vars.ADMIN_TOKEN);
      syncMs += performance.now() - again;
      summary = await summarizeCatalog(url, vars.ADMIN_TOKEN, syncMs);
    }
    return {
      url,
      adminToken: vars.ADMIN_TOKEN,
      devVarsPath,
      demoDir,
      publicKeyPath: key.publicKeyPath,
      seeded: empty,
      summary,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
