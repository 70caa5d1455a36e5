// The catalog sync, one plain function that the Cron Trigger and POST /api/v1/admin/sync both call.
// It first looks at every release a Workflow is verifying (worker/sync/watch.ts: a stalled one is
// retried), then at this run's page of folders under incoming/ (worker/sync/folders.ts: abandoned
// uploads are quarantined), claims each new release, and does the cheap checks itself:
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
  startSyncRun,
} from "../db/releases";
import type { SyncTrigger } from "../db/schema";
import { config, type TrustedKey } from "../env";
import { reconcileRevocations } from "../key-reconcile";
import type { syncSummarySchema } from "./admin-schemas";
import { releaseFolder } from "../storage";
import { forgetUploading } from "../db/sync-folders";
import { nextFolderPage, settleUploading } from "./folders";
import { checkRelease } from "./check-release";
import { quarantineDetails, reasonLine, type Finding } from "./plan";
import { presenceFindings } from "./release-checks";
import { fileKeyId, releaseTotals } from "../domain/release-files";
import { releaseIdProblem, type ReleaseManifest } from "./release-manifest";
import { RELEASE_JSON, RELEASE_JSON_SIGNATURE } from "./signed-manifest";
import { stallAfterMs, watchWorkflows } from "./watch";
import type { VerifyReleaseParams } from "./workflow";

export type SyncSummary = z.infer<typeof syncSummarySchema>;

/** A release.json still without its signature this long after upload is refused as unsigned. */
export const MANIFEST_SIGNATURE_GRACE_MS = 10 * 60 * 1000;
/** Runs that may fail on a release (an outage, a crash) before it is quarantined as poison. */
export const MAX_ATTEMPTS = 3;

type Outcome = { status: "verifying" } | { status: "quarantined"; reason: string };
type Clock = () => number;
type Run = { env: Env; db: Db; runId: string; keys: readonly TrustedKey[]; audience: string; clock: Clock };

/** `only`: this one release id, as a publisher's "sync my release now" asks; others wait for their turn. */
export async function runSync(
  env: Env,
  opts: { trigger: SyncTrigger; now?: number; only?: string },
): Promise<SyncSummary> {
  // `now` shifts the run's clock (tests use it to step past a claim's lease); time still passes.
  const offset = opts.now === undefined ? 0 : opts.now - Date.now();
  const clock: Clock = () => Date.now() + offset;
  const db = primary(env);
  // The scheduled run reconciles revocations too, so a quiet catalog still withdraws at once.
  await reconcileRevocations(env);
  const summary = emptySummary(opts.trigger, clock());
  await startSyncRun(db, { id: summary.runId, trigger: summary.trigger, startedAt: summary.startedAt });

  let runError: string | null = null;
  try {
    const { TRUSTED_PUBLIC_KEYS: keys, RELEASE_AUDIENCE: audience } = config(env);
    const run: Run = { env, db, runId: summary.runId, keys, audience, clock };
    await watchVerifying(run, summary);
    await takeFolders(run, summary, opts.only);
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

/** Every release a Workflow owns: reported while it moves, taken back for a new attempt once it stalled or ended. */
async function watchVerifying(run: Run, summary: SyncSummary): Promise<void> {
  const watched = await watchWorkflows(run.env, run.db, run.runId, run.clock());
  summary.stillVerifying = watched.stillVerifying;
  summary.verifying.push(...watched.stillVerifying.map((r) => r.releaseId));
  summary.stalled = watched.stalled;
  for (const { releaseId, claim } of watched.claims) await settleClaim(run, releaseId, claim, summary);
}

/**
 * This run's page of folders under incoming/ (worker/sync/folders.ts): new releases are claimed and
 * checked. `only` (a publisher's "sync my release now") takes that one folder and leaves the paged
 * listing's place where it was.
 */
async function takeFolders(run: Run, summary: SyncSummary, only?: string): Promise<void> {
  const ids = only === undefined ? await nextFolderPage(run.env.ARTIFACTS, run.db, run.clock()) : [only];
  summary.listed = ids.length;
  const known = await knownReleases(run.db, ids);
  const claimed: string[] = [];
  for (const releaseId of ids) {
    const seen = known.get(releaseId);
    if (seen?.status === "processing" && seen.workflowId) continue; // watched above
    const turn = await takeTurn(run, releaseId, seen);
    if ("claim" in turn) {
      claimed.push(releaseId);
      await settleClaim(run, releaseId, turn.claim, summary);
    } else if (turn.left === "skipped") summary.skipped++;
    else summary.uploading.push(releaseId);
  }
  await forgetUploading(run.db, claimed);
  const { abandoned, reason } = await settleUploading(run.env, run.db, summary.uploading, {
    runId: run.runId,
    now: run.clock(),
  });
  const gone = new Set(abandoned);
  summary.uploading = summary.uploading.filter((id) => !gone.has(id));
  summary.quarantined.push(...abandoned.map((releaseId) => ({ releaseId, reason })));
}

function emptySummary(trigger: SyncTrigger, startedAt: number): SyncSummary {
  return {
    runId: crypto.randomUUID(),
    trigger,
    startedAt,
    finishedAt: 0,
    verifying: [],
    stillVerifying: [],
    stalled: [],
    quarantined: [],
    uploading: [],
    skipped: 0,
    listed: 0,
    failed: [],
  };
}

/** What an earlier run left on a release. */
type Seen = Parameters<typeof isClaimable>[0];
/** A release's turn in this run: a claim on it, or why it is left alone this time. */
type Turn = { claim: Claim } | { left: "uploading" | "skipped" };

async function takeTurn(run: Run, releaseId: string, seen: Seen | undefined): Promise<Turn> {
  const { env, db, runId, clock } = run;
  if (seen && !isClaimable(seen, clock())) return { left: "skipped" };
  if (await stillUploading(env.ARTIFACTS, releaseId, clock())) return { left: "uploading" };
  const claim = await claimAttempt(db, releaseId, runId, clock());
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
  // One head for a folder without release.json (most junk), two for one with it.
  const manifest = await bucket.head(folder + RELEASE_JSON);
  if (!manifest) return true;
  if (manifest.uploaded.getTime() <= now - MANIFEST_SIGNATURE_GRACE_MS) return false;
  return !(await bucket.head(folder + RELEASE_JSON_SIGNATURE));
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
  const badId = releaseIdProblem(releaseId);
  if (badId) return quarantine(run, releaseId, [{ problem: badId }]);
  const checked = await checkRelease(db, env.ARTIFACTS, releaseId, {
    keys: run.keys,
    audience: run.audience,
    now: clock(),
  });
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
  // The release names its Workflow before the instance exists, so the first step's progress note
  // (which only the owning Workflow may write) is never lost. If create fails, the next run finds no
  // such instance and takes the release back as a new attempt.
  await handToWorkflow(db, releaseId, run.runId, workflowId, {
    now: clock(),
    stallAfterMs: stallAfterMs(
      env,
      params.files.map((f) => f.size),
    ),
  });
  await env.VERIFY_RELEASE.create({ id: workflowId, params });
  return { status: "verifying" };
}

/** One Workflow instance per release attempt; ids are unique, so a retry never collides. */
export const workflowIdOf = (releaseId: string, attempt: number) => `${releaseId}--a${attempt}`;

/** Cheap checks first, so a half-copied or mislabelled release is refused before any byte is hashed. */
async function checkPresence(bucket: R2Bucket, folder: string, release: ReleaseManifest): Promise<Finding[]> {
  const sizes = new Map<string, number>();
  for (const f of release.files) {
    const [object, signature] = await Promise.all([bucket.head(folder + f.file), bucket.head(folder + f.signature)]);
    if (object) sizes.set(f.file, object.size);
    if (signature) sizes.set(f.signature, signature.size);
  }
  return presenceFindings(release, sizes);
}
