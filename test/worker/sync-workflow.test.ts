// Verification on Cloudflare Workflows: one instance per release attempt and one step per file. A
// step that fails is retried by the engine with backoff; one that fails every retry ends as a
// quarantine (the dead-letter path); a multi-file release publishes in one batch; a Workflow that
// died without an outcome is taken back by the next sync; an admin can retry or abandon a release.
import { introspectWorkflowInstance } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { and, count, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { catalogGeneration } from "../../worker/catalog/generation";
import { primaryWriter } from "../../worker/db/client";
import { claimRelease, reclaimFromWorkflow } from "../../worker/db/releases";
import { auditEvents, packVersions, releases } from "../../worker/db/schema";
import { runSync, workflowIdOf } from "../../worker/sync/run";
import { FILE_STEP_RETRIES, fileStepName } from "../../worker/sync/workflow";
import { dropRelease, releaseRow } from "./support/releases";
import { releaseSettled, workflowFinished } from "./support/sync";
import { ADMIN_JSON } from "./support/studio";

const db = () => primaryWriter(env);
const admin = (path: string, body?: unknown) =>
  exports.default.fetch(
    new Request(`http://studio.test/api/v1/admin${path}`, {
      method: body === undefined ? "GET" : "POST",
      headers: ADMIN_JSON,
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
  );

describe("release verification on Workflows", () => {
  it("hands a release to a Workflow and publishes all its files in one batch", async () => {
    const packs = Array.from({ length: 12 }, (_, i) => ({ name: `addon-fanout-${i}`, version: "1.0.0" }));
    await dropRelease(env, "fanout", { packs });
    const generation = await catalogGeneration(db());

    const summary = await runSync(env, { trigger: "admin" });
    expect(summary.verifying).toEqual(["fanout"]);
    expect((await releaseRow(env, "fanout"))!.workflowId).toBe(workflowIdOf("fanout", 1));
    await releaseSettled("fanout");

    expect(await releaseRow(env, "fanout")).toMatchObject({ status: "published", fileCount: 12 });
    const [{ n }] = await db().select({ n: count() }).from(packVersions).where(eq(packVersions.releaseId, "fanout"));
    expect(n).toBe(12);
    expect(await catalogGeneration(db())).toBe(generation + 1);
  });

  it("leaves a release its live Workflow owns alone, whatever the lease says", async () => {
    await dropRelease(env, "owned", { packs: [{ name: "addon-owned", version: "1.0.0" }] });
    await using instance = await introspectWorkflowInstance(env.VERIFY_RELEASE, workflowIdOf("owned", 1));
    await instance.modify(async (m) => {
      await m.mockStepError({ name: fileStepName("addon-owned-1.0.0.zst") }, new Error("R2 is slow"), 1);
    });
    // A stall bound of a day (worker/sync/watch.ts), so only the lease could take the release.
    const patient = { ...env, VERIFY_STALL_FLOOR_SECONDS: "86400" } as unknown as Env;
    expect((await runSync(patient, { trigger: "admin" })).verifying).toEqual(["owned"]);
    // The failed step now waits out its 10 s backoff. Far past the lease, a lease-based sync would
    // take the release over; the engine owns it instead.
    const later = await runSync(env, { trigger: "admin", now: Date.now() + 60 * 60 * 1000 });
    expect(later.verifying).toContain("owned");
    expect((await releaseRow(env, "owned"))!).toMatchObject({
      status: "processing",
      attempts: 1,
      workflowId: workflowIdOf("owned", 1),
    });
    await (await env.VERIFY_RELEASE.get(workflowIdOf("owned", 1))).terminate();
  });

  it("the claim SQL itself never takes a release a Workflow owns, however old its claim", async () => {
    await db()
      .insert(releases)
      .values({ id: "owned-sql", status: "processing", runId: "old-run", claimedAt: 0, workflowId: "owned-sql--a1" });
    expect(await claimRelease(db(), "owned-sql", "new-run", Date.now())).toBe(false);
    expect(await reclaimFromWorkflow(db(), "owned-sql", "new-run", Date.now(), "some-other-workflow")).toBeNull();
    expect(await reclaimFromWorkflow(db(), "owned-sql", "new-run", Date.now(), "owned-sql--a1")).toMatchObject({
      attempts: 1,
    });
  });

  it("retries a file step that fails, with backoff, and publishes when it succeeds", async () => {
    await dropRelease(env, "flaky-file", { packs: [{ name: "addon-flaky", version: "1.0.0" }] });
    await using instance = await introspectWorkflowInstance(env.VERIFY_RELEASE, workflowIdOf("flaky-file", 1));
    await instance.modify(async (m) => {
      await m.disableRetryDelays();
      await m.mockStepError({ name: fileStepName("addon-flaky-1.0.0.zst") }, new Error("R2 is unavailable"), 2);
    });
    await runSync(env, { trigger: "admin" });
    await instance.waitForStatus("complete");
    expect(await instance.getOutput()).toEqual({ status: "published" });
    expect((await releaseRow(env, "flaky-file"))!.status).toBe("published");
  });

  it("quarantines a release whose file step fails every retry, with the reason (dead letter)", async () => {
    await dropRelease(env, "dead-letter", { packs: [{ name: "addon-dead", version: "1.0.0" }] });
    await using instance = await introspectWorkflowInstance(env.VERIFY_RELEASE, workflowIdOf("dead-letter", 1));
    await instance.modify(async (m) => {
      await m.disableRetryDelays();
      await m.mockStepError(
        { name: fileStepName("addon-dead-1.0.0.zst") },
        new Error("worker exceeded its CPU time"),
        FILE_STEP_RETRIES + 1,
      );
    });
    await runSync(env, { trigger: "admin" });
    await instance.waitForStatus("complete");
    expect(await releaseRow(env, "dead-letter")).toMatchObject({
      status: "quarantined",
      reason: `verification failed after ${FILE_STEP_RETRIES} retries: worker exceeded its CPU time`,
    });
    expect(await db().select().from(packVersions).where(eq(packVersions.id, "addon-dead@1.0.0")).get()).toBeUndefined();
  });

  it("takes back a release whose Workflow died without an outcome, and verifies it again", async () => {
    await dropRelease(env, "crashed", { packs: [{ name: "addon-crashed", version: "1.0.0" }] });
    await using instance = await introspectWorkflowInstance(env.VERIFY_RELEASE, workflowIdOf("crashed", 1));
    await instance.modify(async (m) => {
      await m.mockStepError({ name: fileStepName("addon-crashed-1.0.0.zst") }, new Error("isolate crashed"), 1);
    });
    await runSync(env, { trigger: "admin" });
    // As if the instance were killed mid-verification.
    await (await env.VERIFY_RELEASE.get(workflowIdOf("crashed", 1))).terminate();
    await workflowFinished(workflowIdOf("crashed", 1));

    const next = await runSync(env, { trigger: "admin" });
    expect(next.verifying).toEqual(expect.arrayContaining(["crashed"]));
    expect((await releaseRow(env, "crashed"))!).toMatchObject({ attempts: 2, workflowId: workflowIdOf("crashed", 2) });
    await releaseSettled("crashed");
    expect((await releaseRow(env, "crashed"))!.status).toBe("published");
  });

  it("lets an admin abandon a stuck release at once, and retry another", async () => {
    await dropRelease(env, "stuck-abandon", { packs: [{ name: "addon-stuck-a", version: "1.0.0" }] });
    await dropRelease(env, "stuck-retry", { packs: [{ name: "addon-stuck-r", version: "1.0.0" }] });
    await using abandoned = await introspectWorkflowInstance(env.VERIFY_RELEASE, workflowIdOf("stuck-abandon", 1));
    await using retried = await introspectWorkflowInstance(env.VERIFY_RELEASE, workflowIdOf("stuck-retry", 1));
    for (const [instance, file] of [
      [abandoned, "addon-stuck-a-1.0.0.zst"],
      [retried, "addon-stuck-r-1.0.0.zst"],
    ] as const) {
      await instance.modify(async (m) => {
        await m.mockStepError({ name: fileStepName(file) }, new Error("R2 timed out"), 1);
      });
    }
    await runSync(env, { trigger: "admin" });

    const abandon = await admin("/releases/stuck-abandon/abandon", { reason: "bad upload, will re-drop" });
    expect(abandon.status).toBe(200);
    expect(await releaseRow(env, "stuck-abandon")).toMatchObject({
      status: "quarantined",
      reason: "abandoned by an admin: bad upload, will re-drop",
    });

    const retry = await admin("/releases/stuck-retry/retry", {});
    expect(retry.status).toBe(200);
    expect(((await retry.json()) as { verifying: string[] }).verifying).toContain("stuck-retry");
    expect((await releaseRow(env, "stuck-retry"))!.workflowId).toBe(workflowIdOf("stuck-retry", 2));
    await releaseSettled("stuck-retry");
    expect((await releaseRow(env, "stuck-retry"))!.status).toBe("published");

    expect((await admin("/releases/stuck-retry/retry", {})).status).toBe(409);
  });

  it("lets an admin re-queue a release an incoming/ writer got quarantined first; it is verified from scratch", async () => {
    // Someone who can write incoming/ signs a release.json under the publisher's next id with a key we do not trust.
    await dropRelease(env, "squatted", {
      packs: [{ name: "addon-squat", version: "1.0.0" }],
      signManifestWith: "untrusted",
    });
    await runSync(env, { trigger: "admin" });
    expect((await releaseRow(env, "squatted"))!.status).toBe("quarantined");
    // The publisher's real release lands in the same folder; the sync alone leaves the quarantine be.
    await dropRelease(env, "squatted", { packs: [{ name: "addon-squat", version: "1.0.0" }] });
    expect((await runSync(env, { trigger: "admin" })).verifying).not.toContain("squatted");

    const retry = await admin("/releases/squatted/retry", {});
    expect(retry.status).toBe(200);
    expect(((await retry.json()) as { verifying: string[] }).verifying).toContain("squatted");
    await releaseSettled("squatted");
    expect(await releaseRow(env, "squatted")).toMatchObject({ status: "published", attempts: 2, retriedAtAttempt: 1 });
    const [audit] = await primaryWriter(env)
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.subject, "squatted"), eq(auditEvents.action, "retry-release")));
    expect((audit.details as { quarantineReason: string }).quarantineReason).toMatch(
      /release.json.sig.bin does not verify/,
    );
    expect((await admin("/releases/squatted/retry", {})).status).toBe(409);
    expect((await admin("/releases/never-seen/retry", {})).status).toBe(404);
  });

  it("checks expiresAt again at publish: a manifest that expired while its files verified is quarantined", async () => {
    const dayAgo = new Date(Date.now() - 86_400_000).toISOString();
    await dropRelease(env, "expired-midway", {
      packs: [{ name: "addon-expired-midway", version: "1.0.0" }],
      releaseJson: (m) => ({ ...m, expiresAt: dayAgo }),
    });
    // The gate runs on a clock two days back, when the manifest was still fresh; the Workflow on today's.
    const summary = await runSync(env, { trigger: "admin", now: Date.now() - 2 * 86_400_000 });
    expect(summary.verifying).toContain("expired-midway");
    await releaseSettled("expired-midway");
    expect(await releaseRow(env, "expired-midway")).toMatchObject({
      status: "quarantined",
      reason: `release.json expired at ${dayAgo}; sign a fresh manifest to publish it`,
    });
  });

  it("re-queues a quarantined release with a fresh poison budget, and a bad one is quarantined again", async () => {
    await dropRelease(env, "still-bad", {
      packs: [{ name: "addon-still-bad", version: "1.0.0" }],
      signManifestWith: "untrusted",
    });
    await runSync(env, { trigger: "admin" });
    await primaryWriter(env).update(releases).set({ attempts: 5 }).where(eq(releases.id, "still-bad"));
    expect((await admin("/releases/still-bad/retry", {})).status).toBe(200);
    const row = (await releaseRow(env, "still-bad"))!;
    expect(row).toMatchObject({ status: "quarantined", attempts: 6, retriedAtAttempt: 5 });
    expect(row.reason).not.toMatch(/gave up after/);
  });
});
