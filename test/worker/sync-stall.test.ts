// A sync that cannot stick: every step of a verifying Workflow notes its progress on the release, and a
// release whose Workflow shows none for longer than its bound (derived from its largest file) is
// terminated and retried by the next run as a new attempt, counted toward the poison limit, with the
// reason in its history. The clock is injected (runSync's `now`); nothing here is timed.
import { introspectWorkflowInstance } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { primaryWriter } from "../../worker/db/client";
import { releases } from "../../worker/db/schema";
import { noteProgress, stallHistory } from "../../worker/db/sync-watch";
import { MAX_ATTEMPTS, runSync, workflowIdOf } from "../../worker/sync/run";
import { liveStallReason, stallAfterMs } from "../../worker/sync/watch";
import { FILE_STEP_RETRIES, fileStepName } from "../../worker/sync/workflow";
import { dropRelease, releaseRow } from "./support/releases";
import { releaseSettled, workflowFinished } from "./support/sync";

const MINUTE = 60_000;

/** Makes the given attempt's file step fail every try, so its Workflow sits in backoff (live, not moving). */
async function hang(releaseId: string, attempt: number, file: string) {
  const instance = await introspectWorkflowInstance(env.VERIFY_RELEASE, workflowIdOf(releaseId, attempt));
  await instance.modify(async (m) => {
    await m.mockStepError({ name: fileStepName(file) }, new Error("R2 is slow"), FILE_STEP_RETRIES + 1);
  });
  return instance;
}

/** The moment the release's Workflow last showed progress. */
async function lastMove(releaseId: string): Promise<number> {
  const row = (await releaseRow(env, releaseId))!;
  return row.progressAt ?? row.claimedAt;
}

describe("a verifying Workflow that stops moving", () => {
  it("derives the bound from the largest file: a floor, the file at a conservative pace, the wait between attempts", () => {
    const GiB = 1024 ** 3;
    // wrangler.toml: a 600 s floor and 10 MiB/s, so 3 GiB adds 307.2 s; then one minute between attempts.
    expect(stallAfterMs(env, [3 * GiB])).toBe(600_000 + 307_200 + 60_000);
    expect(stallAfterMs(env, [2048, 3 * GiB, GiB])).toBe(stallAfterMs(env, [3 * GiB]));
    expect(stallAfterMs(env, [])).toBe(660_000);
  });

  it("is reported while within its bound, then terminated and retried as a new attempt with the reason kept", async () => {
    await dropRelease(env, "stalls", { packs: [{ name: "addon-stalls", version: "1.0.0" }] });
    await using first = await hang("stalls", 1, "addon-stalls-1.0.0.zst");
    expect((await runSync(env, { trigger: "admin" })).verifying).toEqual(["stalls"]);
    const handed = (await releaseRow(env, "stalls"))!;
    expect(handed.stallAfterMs).toBe(stallAfterMs(env, [2048]));

    const within = await runSync(env, {
      trigger: "admin",
      now: (await lastMove("stalls")) + handed.stallAfterMs! - 1000,
    });
    expect(within.stalled).toEqual([]);
    expect(within.verifying).toEqual(["stalls"]);
    expect(within.stillVerifying).toEqual([
      expect.objectContaining({ releaseId: "stalls", workflowId: workflowIdOf("stalls", 1), since: handed.claimedAt }),
    ]);
    expect((await releaseRow(env, "stalls"))!.workflowId).toBe(workflowIdOf("stalls", 1));

    const past = await runSync(env, {
      trigger: "admin",
      now: (await lastMove("stalls")) + handed.stallAfterMs! + MINUTE,
    });
    expect(past.stalled).toEqual([
      {
        releaseId: "stalls",
        workflowId: workflowIdOf("stalls", 1),
        reason: expect.stringMatching(/showed no progress/),
      },
    ]);
    expect(past.verifying).toEqual(["stalls"]);
    expect(await workflowFinished(workflowIdOf("stalls", 1))).toBe("terminated");
    expect(await releaseRow(env, "stalls")).toMatchObject({ attempts: 2, workflowId: workflowIdOf("stalls", 2) });
    const [history] = await stallHistory(primaryWriter(env), "stalls");
    expect(history).toMatchObject({
      reason: past.stalled[0].reason,
      details: { workflowId: workflowIdOf("stalls", 1) },
    });

    await releaseSettled("stalls");
    expect((await releaseRow(env, "stalls"))!.status).toBe("published");
    void first;
  });

  it("counts stalls toward the poison limit: the third one quarantines the release with the stall as its last error", async () => {
    const file = "addon-stuck-3-1.0.0.zst";
    await dropRelease(env, "stuck-3", { packs: [{ name: "addon-stuck-3", version: "1.0.0" }] });
    const instances = [];
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) instances.push(await hang("stuck-3", attempt, file));
    let now = Date.now();
    await runSync(env, { trigger: "admin", now });
    for (let stall = 1; stall <= MAX_ATTEMPTS; stall++) {
      now += stallAfterMs(env, [2048]) + 10 * MINUTE;
      const run = await runSync(env, { trigger: "admin", now });
      expect(run.stalled.map((s) => s.workflowId)).toEqual([workflowIdOf("stuck-3", stall)]);
    }
    const row = (await releaseRow(env, "stuck-3"))!;
    expect(row).toMatchObject({ status: "quarantined", attempts: MAX_ATTEMPTS + 1 });
    expect(row.reason).toMatch(
      new RegExp(
        `^gave up after ${MAX_ATTEMPTS} failed attempts; last error: Workflow ${workflowIdOf("stuck-3", 3)} showed no progress`,
      ),
    );
    expect(await stallHistory(primaryWriter(env), "stuck-3")).toHaveLength(MAX_ATTEMPTS);
    for (const instance of instances) await instance[Symbol.asyncDispose]();
  });

  it("counts progress only from the Workflow that owns the release, not from a terminated one", async () => {
    const db = primaryWriter(env);
    await db.insert(releases).values({
      id: "zombie",
      status: "processing",
      runId: "run-2",
      claimedAt: 1000,
      workflowId: workflowIdOf("zombie", 2),
      progressAt: 1000,
    });
    await noteProgress(db, "zombie", workflowIdOf("zombie", 1), "verifying file 1 of 1: old.zst", 5000);
    expect(await releaseRow(env, "zombie")).toMatchObject({ progressAt: 1000, progress: null });
    await noteProgress(db, "zombie", workflowIdOf("zombie", 2), "verifying file 1 of 1: new.zst", 6000);
    expect(await releaseRow(env, "zombie")).toMatchObject({
      progressAt: 6000,
      progress: "verifying file 1 of 1: new.zst",
    });
  });

  it("never counts a paused Workflow as stalled: an admin paused it on purpose", () => {
    // (Local workerd aborts a paused instance's running step, so the rule is checked on its own.)
    const release = {
      id: "paused",
      workflowId: workflowIdOf("paused", 1),
      attempts: 1,
      claimedAt: 0,
      progressAt: 0,
      progress: "verifying file 1 of 1: addon-paused-1.0.0.zst",
      stallAfterMs: 660_000,
    };
    const dayLater = 24 * 60 * MINUTE;
    for (const state of ["paused", "waitingForPause"])
      expect(liveStallReason(env, state, release, dayLater)).toBeNull();
    for (const state of ["running", "waiting", "queued"])
      expect(liveStallReason(env, state, release, dayLater)).toMatch(/showed no progress for 1440.0 min/);
    expect(liveStallReason(env, "running", release, 660_000)).toBeNull();
  });
});
