// Test helper: runs the real sync and then waits until every release it handed to a Workflow has an
// outcome, so a test reads the catalog as it is once verification is done. The waiting polls the
// Workflow's status (bounded); it measures nothing.
import { env as testEnv } from "cloudflare:workers";
import type { SyncTrigger } from "../../../worker/db/schema";
import { runSync, type SyncSummary } from "../../../worker/sync/run";
import { releaseRow } from "./releases";

export type SettledSummary = SyncSummary & { published: string[] };

const FINISHED = new Set(["complete", "errored", "terminated"]);

/** Waits for one Workflow instance to finish (at most ~60 s), and returns its final status. */
export async function workflowFinished(workflowId: string): Promise<string> {
  const instance = await testEnv.VERIFY_RELEASE.get(workflowId);
  for (let i = 0; i < 3000; i++) {
    const { status } = await instance.status();
    if (FINISHED.has(status)) return status;
    await scheduler.wait(20);
  }
  throw new Error(`workflow ${workflowId} did not finish`);
}

/** Waits until a release handed to a Workflow is no longer processing. */
export async function releaseSettled(releaseId: string): Promise<void> {
  const row = await releaseRow(testEnv, releaseId);
  if (row?.status === "processing" && row.workflowId) await workflowFinished(row.workflowId);
}

/** runSync, then the outcome of every release it handed to a Workflow. */
export async function syncAndSettle(
  env: Env = testEnv,
  opts: { trigger?: SyncTrigger; now?: number } = {},
): Promise<SettledSummary> {
  const summary = await runSync(env, { trigger: opts.trigger ?? "admin", now: opts.now });
  const published: string[] = [];
  const quarantined = [...summary.quarantined];
  for (const releaseId of summary.verifying) {
    await releaseSettled(releaseId);
    const row = await releaseRow(testEnv, releaseId);
    if (row?.status === "published") published.push(releaseId);
    else if (row?.status === "quarantined") quarantined.push({ releaseId, reason: row.reason ?? "" });
  }
  return { ...summary, published, quarantined };
}
