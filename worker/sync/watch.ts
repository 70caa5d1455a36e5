// A sync that cannot stick. Every step of a release's Workflow notes its progress on the release; each
// run looks at every release a Workflow owns: one still live and moving is reported (since when, doing
// what), one that ended without an outcome is taken back, and one that is live but has shown no
// progress for longer than its slowest legitimate step is terminated and taken back too, for a new
// attempt that counts toward the poison limit. The engine resumes instances after a crash on the
// platform, but an instance can still report itself running and never move again (seen under
// wrangler dev after a kill -9): without this the release would stay "processing" for ever.
import type { Db } from "../db/client";
import { reclaimFromWorkflow, type Claim } from "../db/releases";
import { type InFlight, inFlightReleases, reclaimStalled } from "../db/sync-watch";
import { config } from "../env";

/** Workflow states in which the engine still owns the release. */
const LIVE_WORKFLOW_STATES = new Set(["queued", "running", "paused", "waiting", "waitingForPause", "rollingBack"]);
/** Live states that never count as stalled: an admin paused the instance on purpose. */
const PAUSED_STATES = new Set(["paused", "waitingForPause"]);

const MiB = 1024 * 1024;
/** Longer than the longest wait between two attempts of a step (the third retry's 40 s backoff). */
const BETWEEN_ATTEMPTS_MS = 60_000;

/**
 * The longest one attempt to verify a file of `size` bytes may take (its step's timeout): the file at
 * a pace no healthy verification is slower than, plus a floor for the step's small work and queueing.
 */
export function fileStepTimeoutMs(env: Env, size: number): number {
  const { VERIFY_STALL_FLOOR_SECONDS, VERIFY_STALL_MIB_PER_SECOND } = config(env);
  return Math.ceil(VERIFY_STALL_FLOOR_SECONDS * 1000 + (size / MiB / VERIFY_STALL_MIB_PER_SECOND) * 1000);
}

/**
 * How long a release's Workflow may show no progress. Every attempt of every step notes progress when
 * it starts, and the engine ends an attempt at its timeout, so a healthy Workflow is never quiet for
 * longer than the largest file's step timeout plus the wait before the next attempt.
 */
export function stallAfterMs(env: Env, fileSizes: readonly number[]): number {
  return fileStepTimeoutMs(env, Math.max(0, ...fileSizes)) + BETWEEN_ATTEMPTS_MS;
}

const minutes = (ms: number) => `${(ms / 60000).toFixed(1)} min`;

/** Why a live release counts as stalled at `now`, or null while it is within its bound. */
export function stallReason(env: Env, release: InFlight, now: number): string | null {
  const since = release.progressAt ?? release.claimedAt;
  const limit = release.stallAfterMs ?? stallAfterMs(env, []);
  if (now - since <= limit) return null;
  const last = release.progress ? `; last progress: ${release.progress}` : "";
  return `Workflow ${release.workflowId} showed no progress for ${minutes(now - since)} (the bound is ${minutes(limit)}${last}); terminated, retried as a new attempt`;
}

/** Why a release whose Workflow is in the live `state` counts as stalled, or null; a paused one never does. */
export const liveStallReason = (env: Env, state: string, release: InFlight, now: number): string | null =>
  PAUSED_STATES.has(state) ? null : stallReason(env, release, now);

/** A release still verifying, for the sync's answer and `npm start`. */
export type StillVerifying = {
  releaseId: string;
  workflowId: string;
  since: number;
  progressAt: number | null;
  progress: string | null;
  stalledAt: number;
};

/** What the watch found: releases still verifying, stalled ones taken back, and claims for new attempts. */
export type Watched = {
  stillVerifying: StillVerifying[];
  stalled: { releaseId: string; workflowId: string; reason: string }[];
  claims: { releaseId: string; claim: Claim }[];
};

/** Looks at every release a Workflow owns (see the module header). */
export async function watchWorkflows(env: Env, db: Db, runId: string, now: number): Promise<Watched> {
  const watched: Watched = { stillVerifying: [], stalled: [], claims: [] };
  for (const release of await inFlightReleases(db)) {
    const state = await workflowState(env, release.workflowId);
    let claim: Claim | null;
    if (LIVE_WORKFLOW_STATES.has(state)) {
      const reason = liveStallReason(env, state, release, now);
      if (!reason) {
        watched.stillVerifying.push(stillVerifying(env, release));
        continue;
      }
      await terminate(env, release.workflowId);
      claim = await reclaimStalled(db, release, runId, now, reason);
      if (claim) watched.stalled.push({ releaseId: release.id, workflowId: release.workflowId, reason });
    } else claim = await reclaimFromWorkflow(db, release.id, runId, now, release.workflowId);
    if (claim) watched.claims.push({ releaseId: release.id, claim });
  }
  return watched;
}

function stillVerifying(env: Env, release: InFlight): StillVerifying {
  const lastMove = release.progressAt ?? release.claimedAt;
  return {
    releaseId: release.id,
    workflowId: release.workflowId,
    since: release.claimedAt,
    progressAt: release.progressAt,
    progress: release.progress,
    stalledAt: lastMove + (release.stallAfterMs ?? stallAfterMs(env, [])),
  };
}

/** The instance's status, or "gone" when the engine does not know it (never created, or expired). */
async function workflowState(env: Env, workflowId: string): Promise<string> {
  try {
    return (await (await env.VERIFY_RELEASE.get(workflowId)).status()).status;
  } catch {
    return "gone";
  }
}

/** Stops a stalled instance; one that ended meanwhile is fine (the claim below decides who owns the release). */
async function terminate(env: Env, workflowId: string): Promise<void> {
  try {
    await (await env.VERIFY_RELEASE.get(workflowId)).terminate();
  } catch (err) {
    console.warn(`stalled workflow ${workflowId} was not terminated`, err);
  }
}
