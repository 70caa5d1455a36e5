// The sync's faults, measured (the `faults` section of `npm run bench`), on one local studio:
//   killed verify: a signed pack of --faults-mib MiB is dropped, the studio's sync hands it to its
//     Workflow, and wrangler dev's process group (wrangler, workerd) is killed with SIGKILL while the
//     step streams the file; the studio is started again on the same state. Timed from the kill until
//     the release is published (restart, stall detection, the new attempt's verification). The stall
//     bound is shortened through .dev.vars (VERIFY_STALL_FLOOR_SECONDS=5, 20 MiB/s), reported with it:
//     in production the bound is at least ten minutes, and the cron runs every ten.
//   junk folders: a scheduled sync run's time with none, then with --faults-junk empty folders under
//     incoming/ (the median run over one pass of the paged listing, while they are still young), then
//     once they are quarantined as abandoned uploads (ABANDONED_UPLOAD_HOURS is shortened to ~2 s).
//     Ratios are against the run without junk, measured in the same run.
// Usage: npx tsx scripts/bench-faults.ts [--mib 256] [--junk 5000] [--port 8810]; prints one JSON line.
import { execFile } from "node:child_process";
import { appendFile, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs, promisify } from "node:util";
import { ensureDemoKey, ensureDevVars, openLocalPlatform, parseDevVars } from "./demo-catalog";
import { dropSignedRelease } from "./signed-drop";
import {
  ensurePortFree,
  freePort,
  localReleaseProgress,
  startStudio,
  type Studio,
  toolEnv,
  triggerScheduledSync,
  wranglerDevGroup,
} from "./studio";

const exec = promisify(execFile);
const MiB = 1024 * 1024;
const RELEASE = "faults-big";
/** Folders one sync run looks at (worker/sync/folders.ts's FOLDERS_PER_RUN). */
const FOLDERS_PER_RUN = 500;

export type FaultFigures = {
  fileMib: number;
  stallFloorSeconds: number;
  publishAfterKillMs: number;
  attemptsAfterKill: number;
  junkFolders: number;
  syncNoJunkMs: number;
  syncYoungJunkMs: number;
  syncAbandonedJunkMs: number;
  youngJunkRatio: number;
  abandonedJunkRatio: number;
};

type Setup = { dir: string; persistTo: string; devVarsPath: string; keysDir: string; token: string; port: number };

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function release(setup: Setup): Promise<{ status?: string; progress?: string; attempts?: number }> {
  try {
    const res = await fetch(`http://127.0.0.1:${setup.port}/api/v1/admin/releases/${RELEASE}`, {
      headers: { Authorization: `Bearer ${setup.token}` },
    });
    return res.ok ? ((await res.json()) as { status: string; progress: string; attempts: number }) : {};
  } catch {
    return {};
  }
}

const studioOptions = (s: Setup) => ({
  port: s.port,
  persistTo: s.persistTo,
  devVarsPath: s.devVarsPath,
  keysDir: s.keysDir,
  demoDir: join(s.dir, "demo"),
  logFile: join(s.dir, "wrangler.log"),
  quiet: true,
});

/** Starts the studio, kills it mid-verify, starts it again; ms from the kill until published. */
async function killedVerify(setup: Setup): Promise<{ ms: number; attempts: number; studio: Studio }> {
  const firstStart = new AbortController();
  const first = startStudio({ ...studioOptions(setup), signal: firstStart.signal }).catch((err: unknown) => err);
  // From the local D1 file: workerd answers no request while the step hashes (scripts/studio.ts).
  const verifying = async () =>
    (await localReleaseProgress(setup.persistTo, RELEASE))?.progress?.startsWith("verifying") ?? false;
  for (let i = 0; i < 6000 && !(await verifying()); i++) await sleep(100);
  if (!(await verifying())) throw new Error("the verify never started");
  process.kill(-(await wranglerDevGroup(setup.persistTo)), "SIGKILL");
  const killedAt = performance.now();
  firstStart.abort(new Error("killed"));
  await first;
  // The killed workerd may hold its port for a moment after its group is gone.
  for (
    let i = 0;
    i < 100 &&
    !(await ensurePortFree(setup.port).then(
      () => true,
      () => false,
    ));
    i++
  )
    await sleep(100);
  const studio = await startStudio(studioOptions(setup));
  const after = await release(setup);
  if (after.status !== "published") throw new Error(`after the restart the release is ${after.status}`);
  return { ms: performance.now() - killedAt, attempts: after.attempts ?? 0, studio };
}

async function runTimes(studio: Studio, runs: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await triggerScheduledSync(studio.url));
  return times;
}

async function dropJunk(setup: Setup, junk: number): Promise<void> {
  const platform = await openLocalPlatform(setup.persistTo, setup.devVarsPath);
  try {
    for (let i = 0; i < junk; i += 100)
      await Promise.all(
        Array.from({ length: Math.min(100, junk - i) }, (_, j) =>
          platform.bucket.put(`incoming/000-junk-${String(i + j).padStart(5, "0")}/part-0001.bin`, Buffer.from("x")),
        ),
      );
  } finally {
    await platform.dispose();
  }
}

async function prepare(work: string, fileMib: number, port: number): Promise<Setup> {
  const dir = await mkdtemp(join(work, "faults-"));
  const setup = {
    dir,
    persistTo: join(dir, "state"),
    devVarsPath: join(dir, ".dev.vars"),
    keysDir: join(dir, "keys"),
    port,
    token: "",
  };
  const key = await ensureDemoKey(setup.keysDir);
  await ensureDevVars(setup.devVarsPath, key);
  await appendFile(
    setup.devVarsPath,
    "VERIFY_STALL_FLOOR_SECONDS='5'\nVERIFY_STALL_MIB_PER_SECOND='20'\nABANDONED_UPLOAD_HOURS='0.0005'\n",
  );
  setup.token = parseDevVars(await readFile(setup.devVarsPath, "utf8")).ADMIN_TOKEN;
  await exec("wrangler", ["d1", "migrations", "apply", "DB", "--local", "--persist-to", setup.persistTo], {
    env: toolEnv({ CI: "true" }),
  });
  await dropSignedRelease({
    ...setup,
    key,
    releaseId: RELEASE,
    packs: [{ name: RELEASE, seed: 9, size: fileMib * MiB }],
  });
  return setup;
}

/** Both fault figures (see the module header); `work` is a directory the caller removes. */
export async function faultsBenchmark(opts: { work: string; fileMib: number; junk: number; port: number }) {
  const setup = await prepare(opts.work, opts.fileMib, opts.port);
  const killed = await killedVerify(setup);
  const none = await runTimes(killed.studio, 5);
  await killed.studio.stop();
  await dropJunk(setup, opts.junk);
  const studio = await startStudio(studioOptions(setup));
  try {
    const pass = Math.ceil((opts.junk + 1) / FOLDERS_PER_RUN);
    const young = await runTimes(studio, pass);
    await sleep(2500); // past ABANDONED_UPLOAD_HOURS: the next pass quarantines them
    await runTimes(studio, pass);
    const abandoned = await runTimes(studio, 5);
    const figures: FaultFigures = {
      fileMib: opts.fileMib,
      stallFloorSeconds: 5,
      publishAfterKillMs: Math.round(killed.ms),
      attemptsAfterKill: killed.attempts,
      junkFolders: opts.junk,
      syncNoJunkMs: Math.round(median(none)),
      syncYoungJunkMs: Math.round(median(young)),
      syncAbandonedJunkMs: Math.round(median(abandoned)),
      youngJunkRatio: Number((median(young) / median(none)).toFixed(2)),
      abandonedJunkRatio: Number((median(abandoned) / median(none)).toFixed(2)),
    };
    return figures;
  } finally {
    await studio.stop();
  }
}

if (import.meta.url === pathToFileURL(resolve(process.argv[1] ?? "")).href) {
  const { values } = parseArgs({
    options: {
      mib: { type: "string", default: "256" },
      junk: { type: "string", default: "5000" },
      port: { type: "string" },
    },
  });
  const work = await mkdtemp(join(tmpdir(), "bench-faults-"));
  try {
    const figures = await faultsBenchmark({
      work,
      fileMib: Number(values.mib),
      junk: Number(values.junk),
      port: values.port ? Number(values.port) : await freePort(),
    });
    console.log(
      `killed verify of ${figures.fileMib} MiB: published ${(figures.publishAfterKillMs / 1000).toFixed(1)} s after the kill (attempt ${figures.attemptsAfterKill}, stall floor ${figures.stallFloorSeconds} s)`,
    );
    console.log(
      `sync run: ${figures.syncNoJunkMs} ms without junk, ${figures.syncYoungJunkMs} ms with ${figures.junkFolders} young junk folders (×${figures.youngJunkRatio}), ${figures.syncAbandonedJunkMs} ms once abandoned (×${figures.abandonedJunkRatio})`,
    );
    console.log(JSON.stringify({ faults: figures }));
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
