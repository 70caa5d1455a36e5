// A release of ten files, before and after the fan-out (issue 9's "Done when"), in one run:
//   fanOut: a fresh local studio (scripts/studio.ts) whose start-up sync, the real scheduled handler,
//     hands the release to VerifyReleaseWorkflow: one step per file, ten at a time, then the publish
//     batch. Timed from the sync's trigger until no release is being verified (studio's syncMs).
//   sequential: the same ten files verified one after another by the same verifyFile in one
//     invocation of the ingest benchmark's Worker (scripts/bench-ingest/worker.ts, /sequential): what
//     the sync did per release before the fan-out (without its publish batch, a few milliseconds).
// Both read the same bytes from local R2 and write the same verified blob copies. The release is
// signed in-process with node:crypto (scripts/bench-catalog-data.ts's nodeSigner) by a key made for
// the run; everything lives in `work`, which the caller removes.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { nodeSigner, syntheticPackManifests } from "./bench-catalog-data";
import {
  dropIntoBucket,
  ensureDemoKey,
  ensureDevVars,
  openLocalPlatform,
  packFileWith,
  writeDemoReleases,
} from "./demo-catalog";
import type { PlannedRelease } from "./demo-catalog";
import { startStudio } from "./studio";

const exec = promisify(execFile);
const FILES = 10;
const RELEASE_ID = "bench-release10";

export type Release10Figures = {
  fileMib: number;
  files: number;
  sequentialMs: number;
  fanOutMs: number;
  ratio: number;
};

/**
 * Ten packs of about `fileMib` MiB each: real zstd tars carrying their pack.json (the demo's
 * packFileWith), as `release init` reads them, each with `fileMib` MiB of random bytes in it, which
 * zstd cannot shrink, so each file is that size and has its own bytes (and its own blob copy).
 */
function plannedRelease(fileMib: number): PlannedRelease {
  const manifests = syntheticPackManifests(FILES, 20261129).slice(0, FILES);
  return {
    releaseId: RELEASE_ID,
    products: [],
    files: manifests.map((pack) =>
      packFileWith(pack, [{ path: "payload.bin", data: randomBytes(fileMib * 1024 * 1024) }]),
    ),
  };
}

/**
 * Runs both ways and prints them. `ingestUrl` is the ingest benchmark's running Worker (its own
 * local R2); `studioPort` is where the studio for the fan-out starts.
 */
export async function release10Benchmark(opts: {
  fileMib: number;
  work: string;
  ingestUrl: string;
  studioPort: number;
}): Promise<Release10Figures> {
  const dir = join(opts.work, "release10");
  const persistTo = join(dir, "state");
  await mkdir(persistTo, { recursive: true });
  const key = await ensureDemoKey(join(dir, "keys"));
  const devVarsPath = join(dir, ".dev.vars");
  await ensureDevVars(devVarsPath, key);
  const [release] = await writeDemoReleases(join(dir, "releases"), key, [plannedRelease(opts.fileMib)], nodeSigner());
  const listed = release.manifest.files.map(({ file, signature, size, sha256 }) => ({ file, signature, size, sha256 }));

  // Before: one invocation, file after file.
  for (const f of listed)
    for (const name of [f.file, f.signature])
      await exec("curl", [
        "-fsS",
        "-T",
        join(release.dir, name),
        `${opts.ingestUrl}/objects/incoming/${RELEASE_ID}/${name}`,
      ]);
  const started = performance.now();
  const res = await fetch(`${opts.ingestUrl}/sequential/incoming/${RELEASE_ID}`, {
    method: "POST",
    body: JSON.stringify({ pem: key.publicKeyPem, files: listed }),
  });
  const body = (await res.json()) as { verdicts?: { file: string; stored?: unknown; problem?: string }[] };
  const sequentialMs = performance.now() - started;
  const refused = body.verdicts?.filter((v) => !v.stored) ?? [];
  if (!res.ok || body.verdicts?.length !== FILES || refused.length)
    throw new Error(`sequential verification failed: ${JSON.stringify(body)}`);

  // After: the release dropped before the studio starts, so its start-up sync is the one that publishes it.
  const platform = await openLocalPlatform(persistTo, devVarsPath);
  try {
    await dropIntoBucket(platform.bucket, [release]);
  } finally {
    await platform.dispose();
  }
  const studio = await startStudio({
    port: opts.studioPort,
    persistTo,
    devVarsPath,
    keysDir: join(dir, "keys"),
    demoDir: join(dir, "demo"),
    logFile: join(dir, "studio.log"),
    quiet: true,
  });
  let fanOutMs: number;
  try {
    const { releases, syncMs } = studio.summary;
    if (releases.published !== 1 || releases.publishedFiles !== FILES)
      throw new Error(`the sync did not publish the ten-file release: ${JSON.stringify(studio.summary)}`);
    fanOutMs = syncMs;
  } finally {
    await studio.stop();
  }
  const figures = {
    fileMib: opts.fileMib,
    files: FILES,
    sequentialMs: Math.round(sequentialMs),
    fanOutMs: Math.round(fanOutMs),
    ratio: Math.round((sequentialMs / fanOutMs) * 100) / 100,
  };
  console.log(
    `release of ${FILES} × ${opts.fileMib} MiB: verified one after another in one invocation ${figures.sequentialMs} ms; ` +
      `synced through VerifyReleaseWorkflow (fan-out) ${figures.fanOutMs} ms; ratio (before / after) ${figures.ratio}`,
  );
  return figures;
}
