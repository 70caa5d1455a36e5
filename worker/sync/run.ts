// The catalog sync, one plain function that the Cron Trigger and POST /api/v1/admin/sync both call.
// It finds release folders under incoming/, claims each new one, and does the cheap checks itself:
// the manifest's signature (before anything in it is believed), the plan against the catalog, and
// that every listed file is there with its size. A release that passes is handed to a Workflow
// (worker/sync/workflow.ts) that verifies its files, ten at a time, and publishes it in one batch;
// one that fails is quarantined here with its reason. Re-running it is harmless: finished releases
// are skipped unread, and a release a live Workflow owns is left to it.
import type { z } from "zod";
import { primary, type Db } from "../db/client";
import {
  type Claim,
  claimAttempt,
  finishSyncRun,
  handToWorkflow,
  isClaimable,
  knownReleases,
  noteReleaseError,
  quarantineRelease,
  reclaimFromWorkflow,
  startSyncRun,
} from "../db/releases";
import type { SyncTrigger } from "../db/schema";
import { config, type TrustedKey } from "../env";
import type { syncSummarySchema } from "./api-schemas";
import { releaseFolder } from "../storage";
import { listReleaseIds } from "./discover";
import { checkRelease } from "./check-release";
import { quarantineDetails, reasonLine, type Finding } from "./plan";
import { fileKeyId, RELEASE_ID_PATTERN, releaseTotals, type ReleaseManifest } from "./release-manifest";
import { MAX_SIGNATURE_BYTES, RELEASE_JSON, RELEASE_JSON_SIGNATURE } from "./signed-manifest";
import type { VerifyReleaseParams } from "./workflow";

export type SyncSummary = z.infer<typeof syncSummarySchema>;

/** A release.json still without its signature this long after upload is refused as unsigned. */
export const MANIFEST_SIGNATURE_GRACE_MS = 10 * 60 * 1000;
/** Runs that may fail on a release (an outage, a crash) before it is quarantined as poison. */
export const MAX_ATTEMPTS = 3;

type Outcome = { status: "verifying" } | { status: "quarantined"; reason: string };
type Clock = () => number;
type Run = { env: Env; db: Db; runId: string; keys: readonly TrustedKey[]; clock: Clock };

export async function runSync(env: Env, opts: { trigger: SyncTrigger; now?: number }): Promise<SyncSummary> {
  // `now` shifts the run's clock (tests use it to step past a claim's lease); time still passes.
  const offset = opts.now === undefined ? 0 : opts.now - Date.now();
  const clock: Clock = () => Date.now() + offset;
  const db = primary(env);
  const summary = emptySummary(opts.trigger, clock());
  await startSyncRun(db, { id: summary.runId, trigger: summary.trigger, startedAt: summary.startedAt });

  let runError: string | null = null;
  try {
    const run: Run = { env, db, runId: summary.runId, keys: config(env).TRUSTED_PUBLIC_KEYS, clock };
    const ids = await listReleaseIds(env.ARTIFACTS);
    const known = await knownReleases(db, ids);
    for (const releaseId of ids) {
      const turn = await takeTurn(run, releaseId, known.get(releaseId));
      if ("claim" in turn) await settleClaim(run, releaseId, turn.claim, summary);
      else if (turn.left === "skipped") summary.skipped++;
      else summary[turn.left].push(releaseId);
    }
    if (summary.failed.length) runError = summary.failed.map((f) => `${f.releaseId}: ${f.error}`).join("; ");
    return summary;
  } catch (err) {
    runError = err instanceof Error ? err.message : String(err);
    throw err;
  } finally {
    summary.finishedAt = clock();
    await finishSyncRun(db, summary.runId, {
      finishedAt: summary.finishedAt,
      verifying: summary.verifying.length,
      quarantined: summary.quarantined.length,
      uploading: summary.uploading.length,
      skipped: summary.skipped,
      error: runError,
    });
  }
}

function emptySummary(trigger: SyncTrigger, startedAt: number): SyncSummary {
  return {
    runId: crypto.randomUUID(),
    trigger,
    startedAt,
    finishedAt: 0,
    verifying: [],
    quarantined: [],
    uploading: [],
    skipped: 0,
    failed: [],
  };
}

/** What an earlier run left on a release. */
type Seen = Parameters<typeof isClaimable>[0];
/** A release's turn in this run: a claim on it, or why it is left alone this time. */
type Turn = { claim: Claim } | { left: "verifying" | "uploading" | "skipped" };

async function takeTurn(run: Run, releaseId: string, seen: Seen | undefined): Promise<Turn> {
  const { env, db, runId, clock } = run;
  let claim: Claim | null;
  if (seen?.status === "processing" && seen.workflowId) {
    // The engine retries a live Workflow's steps itself; only one that ended without an outcome is taken back.
    if (await workflowIsLive(env, seen.workflowId)) return { left: "verifying" };
    claim = await reclaimFromWorkflow(db, releaseId, runId, clock(), seen.workflowId);
  } else {
    if (seen && !isClaimable(seen, clock())) return { left: "skipped" };
    if (await stillUploading(env.ARTIFACTS, releaseId, clock())) return { left: "uploading" };
    claim = await claimAttempt(db, releaseId, runId, clock());
  }
  return claim ? { claim } : { left: "skipped" };
}

/**
 * Checks a claimed release (or quarantines it as poison after MAX_ATTEMPTS), noting the outcome in
 * the summary; an error is kept on the release for the next run to retry.
 */
async function settleClaim(run: Run, releaseId: string, claim: Claim, summary: SyncSummary): Promise<void> {
  try {
    const outcome =
      claim.attempts - claim.retriedAtAttempt > MAX_ATTEMPTS
        ? await quarantine(run, releaseId, [
            { problem: `gave up after ${MAX_ATTEMPTS} failed attempts; last error: ${claim.lastError ?? "none"}` },
          ])
        : await processRelease(run, releaseId, claim.attempts);
    if (outcome.status === "verifying") summary.verifying.push(releaseId);
    else summary.quarantined.push({ releaseId, reason: outcome.reason });
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    console.error(`sync ${summary.runId}: release ${releaseId} failed`, err);
    summary.failed.push({ releaseId, error });
    await noteReleaseError(run.db, releaseId, summary.runId, `sync error (will retry): ${error}`);
  }
}

/**
 * The pipeline writes release.json and then its signature, last. A folder without release.json is
 * still uploading; so is one whose release.json is younger than the grace period and not yet signed.
 * After that, an unsigned manifest is claimed and refused.
 */
async function stillUploading(bucket: R2Bucket, releaseId: string, now: number): Promise<boolean> {
  const folder = releaseFolder(releaseId);
  const [manifest, signature] = await Promise.all([
    bucket.head(folder + RELEASE_JSON),
    bucket.head(folder + RELEASE_JSON_SIGNATURE),
  ]);
  if (!manifest) return true;
  return !signature && manifest.uploaded.getTime() > now - MANIFEST_SIGNATURE_GRACE_MS;
}

async function quarantine(
  run: Run,
  releaseId: string,
  findings: Finding[],
  release?: ReleaseManifest,
  keyId?: string,
): Promise<Outcome> {
  const reason = reasonLine(findings);
  await quarantineRelease(run.db, releaseId, run.runId, {
    reason,
    details: quarantineDetails(findings),
    ...(release && releaseTotals(release)),
    keyId,
    now: run.clock(),
  });
  return { status: "quarantined", reason };
}

/**
 * The cheap checks of one claimed release; a release that passes them goes to its Workflow, which
 * verifies every file and publishes or quarantines it.
 */
async function processRelease(run: Run, releaseId: string, attempt: number): Promise<Outcome> {
  const { env, db, clock } = run;
  if (!RELEASE_ID_PATTERN.test(releaseId)) {
    return quarantine(run, releaseId, [
      { problem: `the release folder name '${releaseId}' is not a release id (a lower-case slug)` },
    ]);
  }
  const checked = await checkRelease(db, env.ARTIFACTS, releaseId, { keys: run.keys, now: clock() });
  if (!checked.ok) return quarantine(run, releaseId, checked.findings, checked.release, checked.keyId);
  const { signed, release, keyId } = checked;

  const folder = releaseFolder(releaseId);
  const presence = await checkPresence(env.ARTIFACTS, folder, release);
  if (presence.length) return quarantine(run, releaseId, presence, release, keyId);

  const workflowId = workflowIdOf(releaseId, attempt);
  const params: VerifyReleaseParams = {
    releaseId,
    runId: run.runId,
    manifestSha256: signed.manifestSha256,
    manifestKeyId: keyId,
    files: release.files.map((f) => ({
      file: f.file,
      signature: f.signature,
      size: f.size,
      sha256: f.sha256,
      keyId: fileKeyId(release, f),
    })),
  };
  await env.VERIFY_RELEASE.create({ id: workflowId, params });
  await handToWorkflow(db, releaseId, run.runId, workflowId);
  return { status: "verifying" };
}

/** One Workflow instance per release attempt; ids are unique, so a retry never collides. */
export const workflowIdOf = (releaseId: string, attempt: number) => `${releaseId}--a${attempt}`;

/** Workflow states in which the engine still owns the release. */
const LIVE_WORKFLOW_STATES = new Set(["queued", "running", "paused", "waiting", "waitingForPause", "rollingBack"]);

async function workflowIsLive(env: Env, workflowId: string): Promise<boolean> {
  try {
    const { status } = await (await env.VERIFY_RELEASE.get(workflowId)).status();
    return LIVE_WORKFLOW_STATES.has(status);
  } catch {
    return false; // no such instance (it was never created, or has expired): take the release back
  }
}

/** Cheap checks first, so a half-copied or mislabelled release is refused before any byte is hashed. */
async function checkPresence(bucket: R2Bucket, folder: string, release: ReleaseManifest): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const f of release.files) {
    const [object, signature] = await Promise.all([bucket.head(folder + f.file), bucket.head(folder + f.signature)]);
    if (!object) findings.push({ file: f.file, problem: "listed in release.json but missing from the release folder" });
    else if (object.size !== f.size)
      findings.push({ file: f.file, problem: `size ${object.size} does not match release.json size ${f.size}` });
    if (!signature) findings.push({ file: f.file, problem: `missing signature file ${f.signature}` });
    else if (signature.size === 0 || signature.size > MAX_SIGNATURE_BYTES)
      findings.push({ file: f.file, problem: `signature file ${f.signature} has implausible size ${signature.size}` });
  }
  return findings;
}
