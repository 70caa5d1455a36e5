// A drop larger than one sync run lists is whole when `npm start`'s studio says it is ready. The sync
// looks at FOLDERS_PER_RUN folders a run and resumes after them the next run (worker/sync/folders.ts);
// the Cron Trigger would reach a folder past the first page ten minutes later, so the start runs the
// sync back to back until its listing reaches the end (scripts/studio.ts). Here 500 unfinished
// uploads sort before a signed release: the first run's page holds only them.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ensureDemoKey, ensureDevVars, openLocalPlatform, parseDevVars } from "../../scripts/demo-catalog";
import { dropSignedRelease } from "../../scripts/signed-drop";
import { freePort, type Studio, startStudio } from "../../scripts/studio";

const RELEASE = "zz-after-the-first-page";
/** FOLDERS_PER_RUN in worker/sync/folders.ts (a Worker module); the log check below fails if it grows past this. */
const FOLDERS_PER_RUN = 500;

describe("npm start on a drop of more folders than one sync run lists", () => {
  let dir = "";
  let studio: Studio | undefined;
  afterAll(async () => {
    await studio?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("publishes a release that sorts after the first run's page", async () => {
    dir = await mkdtemp(join(tmpdir(), "artifact-studio-listing-"));
    const persistTo = join(dir, "state");
    const devVarsPath = join(dir, ".dev.vars");
    const keysDir = join(dir, "keys");
    const key = await ensureDemoKey(keysDir);
    await ensureDevVars(devVarsPath, key);
    const platform = await openLocalPlatform(persistTo, devVarsPath);
    try {
      // Uploads still in progress (no release.json): listed, left alone, never published.
      for (let i = 0; i < FOLDERS_PER_RUN; i++)
        await platform.bucket.put(`incoming/000-uploading-${String(i).padStart(4, "0")}/part.bin`, Buffer.from("x"));
    } finally {
      await platform.dispose();
    }
    await dropSignedRelease({
      persistTo,
      devVarsPath,
      key,
      releaseId: RELEASE,
      packs: [{ name: RELEASE, seed: 3, size: 4096 }],
    });
    studio = await startStudio({
      port: await freePort(),
      persistTo,
      devVarsPath,
      keysDir,
      demoDir: join(dir, "demo"),
      logFile: join(dir, "wrangler.log"),
      quiet: true,
    });
    // The first run's page was the uploads alone, so the start ran the sync again.
    expect(await readFile(join(dir, "wrangler.log"), "utf8")).toContain("more release folders than one sync run lists");
    const token = parseDevVars(await readFile(devVarsPath, "utf8")).ADMIN_TOKEN;
    const res = await fetch(`${studio.url}/api/v1/admin/releases/${RELEASE}`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "published" });
  }, 900_000);
});
