// A crash mid-verify does not leave a release stuck: a large signed pack is dropped, `npm start`'s
// studio begins verifying it, and wrangler dev's process group (wrangler, workerd) is killed with
// SIGKILL while the Workflow's step streams the file. Started again on the same local state, the
// studio publishes the release by itself: the scheduled sync (no admin call) retries a Workflow that
// stopped moving. The stall bound is made short through .dev.vars (a 5 s floor), so nothing waits
// out production's ten minutes; the test only waits, bounded, and times nothing.
import { execFile } from "node:child_process";
import { appendFile, readFile, rm } from "node:fs/promises";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { openLocalPlatform, parseDevVars } from "../../scripts/demo-catalog";
import { dropSignedRelease } from "../../scripts/signed-drop";
import { localReleaseProgress, type Studio, startStudio, toolEnv, wranglerDevGroup } from "../../scripts/studio";
import { freshFolder, studioOptions } from "./support/studio-folder";

const exec = promisify(execFile);
const MiB = 1024 * 1024;
/** Large enough that verifying it takes a while here (SHA-256, signature and blob copy of every byte). */
const FILE_MIB = Number(process.env.CRASH_FILE_MIB ?? 512);
const RELEASE = "crash-big";

type Row = {
  status: string;
  attempts: number;
  workflowId: string | null;
  progress: string | null;
  reason: string | null;
};

async function releaseOf(url: string, token: string): Promise<Row | undefined> {
  try {
    const res = await fetch(`${url}/api/v1/admin/releases/${RELEASE}`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    return res.ok ? ((await res.json()) as Row) : undefined;
  } catch {
    return undefined;
  }
}

describe("workerd killed mid-verify", () => {
  let dir = "";
  let studio: Studio | undefined;
  afterAll(async () => {
    await studio?.stop();
    if (dir && !process.env.KEEP_E2E_STATE) await rm(dir, { recursive: true, force: true });
  });

  it("publishes the release after a restart on the same state, without an admin call", async () => {
    const folder = await freshFolder("artifact-studio-crash-");
    const { persistTo, devVarsPath, key } = folder;
    dir = folder.dir;
    await appendFile(devVarsPath, "VERIFY_STALL_FLOOR_SECONDS='5'\nVERIFY_STALL_MIB_PER_SECOND='20'\n");
    const token = parseDevVars(await readFile(devVarsPath, "utf8")).ADMIN_TOKEN;
    await exec("wrangler", ["d1", "migrations", "apply", "DB", "--local", "--persist-to", persistTo], {
      env: toolEnv({ CI: "true" }),
    });
    await dropSignedRelease({
      persistTo,
      devVarsPath,
      key,
      releaseId: RELEASE,
      packs: [{ name: RELEASE, seed: 7, size: FILE_MIB * MiB }],
    });
    const options = await studioOptions(folder);
    const url = `http://127.0.0.1:${options.port}`;

    // First start: its sync hands the release to a Workflow; once the step streams the file, kill -9.
    const firstStart = new AbortController();
    const first = startStudio({ ...options, signal: firstStart.signal }).catch((err: unknown) => err);
    // (Read from the local D1 file: workerd answers no request while the step hashes.)
    const verifying = async () => (await localReleaseProgress(persistTo, RELEASE))?.progress?.startsWith("verifying");
    for (let i = 0; i < 3000 && !(await verifying()); i++) await new Promise((r) => setTimeout(r, 100));
    expect((await localReleaseProgress(persistTo, RELEASE))?.progress).toMatch(/^verifying file 1 of 1/);
    process.kill(-(await wranglerDevGroup(persistTo)), "SIGKILL");
    firstStart.abort(new Error("killed"));
    await first;

    // Killed mid-verify: the release is still processing on its first Workflow.
    const platform = await openLocalPlatform(persistTo, devVarsPath);
    const killed = await platform.db
      .prepare(`SELECT status, attempts, workflow_id AS workflowId FROM releases WHERE id = '${RELEASE}'`)
      .first<{ status: string; attempts: number; workflowId: string }>();
    await platform.dispose();
    expect(killed).toEqual({ status: "processing", attempts: 1, workflowId: `${RELEASE}--a1` });

    // Second start on the same state: its scheduled sync, re-run while a Workflow is past its stall
    // bound (as the cron would), publishes the release.
    studio = await startStudio(options);
    expect(studio.summary.stillVerifying).toEqual([]);
    const published = await releaseOf(url, token);
    expect(published).toMatchObject({ status: "published" });
    console.log(`after the restart: attempts ${published?.attempts}, last reason ${published?.reason ?? "none"}`);
  }, 900_000);
});
