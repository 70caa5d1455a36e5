// A drop larger than one sync run lists is whole when `npm start`'s studio says it is ready. The sync
// looks at FOLDERS_PER_RUN folders a run and resumes after them the next run (worker/sync/folders.ts);
// the Cron Trigger would reach a folder past the first page ten minutes later, so the start runs the
// sync back to back until its listing reaches the end (scripts/studio.ts). Here 500 unfinished
// uploads sort before a signed release: the first run's page holds only them. And a start that finds
// the listing left mid-way (an interrupted start) finishes it, then goes through every folder.
import { execFile } from "node:child_process";
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { openLocalPlatform, parseDevVars } from "../../scripts/demo-catalog";
import { dropSignedRelease } from "../../scripts/signed-drop";
import { type Studio, startStudio, toolEnv } from "../../scripts/studio";
import { freshFolder, studioOptions } from "./support/studio-folder";

const RELEASE = "zz-after-the-first-page";
/** FOLDERS_PER_RUN in worker/sync/folders.ts (a Worker module); the log check below fails if it grows past this. */
const FOLDERS_PER_RUN = 500;

const exec = promisify(execFile);

async function releaseStatus(studio: Studio, devVarsPath: string, releaseId: string) {
  const token = parseDevVars(await readFile(devVarsPath, "utf8")).ADMIN_TOKEN;
  const res = await fetch(`${studio.url}/api/v1/admin/releases/${releaseId}`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  return res.ok ? ((await res.json()) as { status: string }).status : `HTTP ${res.status}`;
}

describe("npm start on a drop of more folders than one sync run lists", () => {
  const dirs: string[] = [];
  const studios: Studio[] = [];
  afterAll(async () => {
    for (const studio of studios) await studio.stop();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it("goes through every folder when an earlier start left the listing mid-way", async () => {
    const folder = await freshFolder("artifact-studio-cursor-");
    const { dir, persistTo, devVarsPath, key } = folder;
    dirs.push(dir);
    await exec("wrangler", ["d1", "migrations", "apply", "DB", "--local", "--persist-to", persistTo], {
      env: toolEnv({ CI: "true" }),
    });
    await dropSignedRelease({
      persistTo,
      devVarsPath,
      key,
      releaseId: "aa-before-the-cursor",
      packs: [{ name: "aa-before-the-cursor", seed: 5, size: 4096 }],
    });
    // Where an interrupted start's listing stopped: after "mm", past the release.
    const platform = await openLocalPlatform(persistTo, devVarsPath);
    try {
      await platform.db.prepare("INSERT INTO sync_cursor (id, after, updated_at) VALUES (1, 'mm', 0)").first();
    } finally {
      await platform.dispose();
    }
    const studio = await startStudio(await studioOptions(folder));
    studios.push(studio);
    expect(await releaseStatus(studio, devVarsPath, "aa-before-the-cursor")).toBe("published");
  }, 900_000);

  it("publishes a release that sorts after the first run's page", async () => {
    const folder = await freshFolder("artifact-studio-listing-");
    const { dir, persistTo, devVarsPath, key } = folder;
    dirs.push(dir);
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
    const studio = await startStudio(await studioOptions(folder));
    studios.push(studio);
    // The first run's page was the uploads alone, so the start ran the sync again.
    expect(await readFile(join(dir, "wrangler.log"), "utf8")).toContain("more release folders than one sync run lists");
    expect(await releaseStatus(studio, devVarsPath, RELEASE)).toBe("published");
  }, 900_000);
});
