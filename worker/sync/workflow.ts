// Verifying a release on Cloudflare Workflows: one instance per release attempt, one step per file.
// Ten files verify at a time; each step has its own invocation limits and is retried with
// exponential backoff when it fails (an R2 hiccup, a crashed isolate), while a verdict such as a bad
// signature is returned, not thrown, so it is never retried. When every file has a verdict the
// release is published in one D1 batch, or quarantined with its reason. A file whose step fails all
// its retries ends the same way, quarantined (the dead-letter path), so nothing is left half-done.
// Every step notes its progress on the release, so the sync can retry a Workflow that stopped moving.
import { WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from "cloudflare:workers";
import { primary } from "../db/client";
import { type ManifestCopies, publishRelease } from "../db/publish-batch";
import { quarantineRelease } from "../db/releases";
import { noteProgress } from "../db/sync-watch";
import { releaseTotals } from "../domain/release-files";
import { config } from "../env";
import { keyStatus } from "../key-status";
import { releaseFolder } from "../storage";
import { checkRelease } from "./check-release";
import { quarantineDetails, reasonLine, type Finding } from "./plan";
import { keyNoLongerCurrent } from "./release-checks";
import { fileStepTimeoutMs } from "./watch";
import { type FileVerdict, storeSmallBlob, verifyFile } from "./verify-files";

/** What the sync hands a Workflow: the release it claimed, and what its signed manifest lists. */
export type VerifyReleaseParams = {
  releaseId: string;
  runId: string;
  /** sha256 of the release.json bytes whose signature the sync verified; later reads must match. */
  manifestSha256: string;
  /** The trusted key that signed release.json. */
  manifestKeyId: string;
  files: { file: string; signature: string; size: number; sha256: string; keyId: string }[];
};

export const FILES_AT_ONCE = 10;
/** Retries of one file's step, with exponential backoff from 10 s (10, 20, 40 s). */
export const FILE_STEP_RETRIES = 3;
/** A file's step: retried with backoff, each attempt ended at a timeout derived from the file's size. */
const fileStep = (env: Env, size: number) =>
  ({
    retries: { limit: FILE_STEP_RETRIES, delay: "10 seconds", backoff: "exponential" },
    timeout: fileStepTimeoutMs(env, size),
  }) as const;
const BOOKKEEPING_STEP = { retries: { limit: 5, delay: "5 seconds", backoff: "exponential" } } as const;

export const fileStepName = (file: string) => `verify ${file}`;

export type ReleaseOutcome = { status: "published" } | { status: "quarantined"; reason: string };

export class VerifyReleaseWorkflow extends WorkflowEntrypoint<Env, VerifyReleaseParams> {
  async run(event: Readonly<WorkflowEvent<VerifyReleaseParams>>, step: WorkflowStep): Promise<ReleaseOutcome> {
    const params = event.payload;
    const folder = releaseFolder(params.releaseId);
    const progress = (what: string) => noteStep(this.env, params.releaseId, event.instanceId, what);
    let verdicts: FileVerdict[];
    try {
      verdicts = await inBatches(params.files, FILES_AT_ONCE, (f, i) =>
        step.do(fileStepName(f.file), fileStep(this.env, f.size), async () => {
          await progress(`verifying file ${i + 1} of ${params.files.length}: ${f.file}`);
          const key = config(this.env).TRUSTED_PUBLIC_KEYS.find((k) => k.id === f.keyId);
          if (!key || keyStatus(key, Date.now()) !== "current") {
            return { file: f.file, problem: keyNoLongerCurrent(f.keyId) };
          }
          return verifyFile(this.env.ARTIFACTS, folder, f, key);
        }),
      );
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const problem = `verification failed after ${FILE_STEP_RETRIES} retries: ${message}`;
      return step.do("quarantine after retries", BOOKKEEPING_STEP, () => quarantine(this.env, params, [{ problem }]));
    }

    const findings: Finding[] = verdicts.flatMap((v) => ("problem" in v ? [{ file: v.file, problem: v.problem }] : []));
    if (findings.length) return step.do("quarantine", BOOKKEEPING_STEP, () => quarantine(this.env, params, findings));
    return step.do("publish", BOOKKEEPING_STEP, async () => {
      await progress(`publishing ${params.files.length} verified files`);
      return publish(this.env, params, verdicts);
    });
  }
}

/** Runs `work` over `items`, `size` at a time, keeping their order. */
async function inBatches<T, R>(items: T[], size: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += size)
    results.push(...(await Promise.all(items.slice(i, i + size).map((item, j) => work(item, i + j)))));
  return results;
}

/**
 * Notes on the release that a step is at work (one D1 write a step), so the sync can tell a slow
 * Workflow from one that stopped moving (worker/sync/watch.ts). Advisory: a failed note never fails
 * the step.
 */
async function noteStep(env: Env, releaseId: string, workflowId: string, what: string): Promise<void> {
  try {
    await noteProgress(primary(env), releaseId, workflowId, what, Date.now());
  } catch (err) {
    console.warn(`progress of ${workflowId} not noted`, err);
  }
}

async function quarantine(env: Env, params: VerifyReleaseParams, findings: Finding[]): Promise<ReleaseOutcome> {
  const reason = reasonLine(findings);
  await quarantineRelease(primary(env), params.releaseId, params.runId, {
    reason,
    details: quarantineDetails(findings),
    fileCount: params.files.length,
    totalBytes: params.files.reduce((sum, f) => sum + f.size, 0),
    keyId: params.manifestKeyId,
    now: Date.now(),
  });
  return { status: "quarantined", reason };
}

/**
 * Publishes from the manifest the sync verified: checkRelease reads it again (it must be the same
 * bytes) and plans it again against the catalog as it is now.
 */
async function publish(env: Env, params: VerifyReleaseParams, verdicts: FileVerdict[]): Promise<ReleaseOutcome> {
  const db = primary(env);
  const now = Date.now();
  const { TRUSTED_PUBLIC_KEYS: keys, RELEASE_AUDIENCE: audience } = config(env);
  const checked = await checkRelease(db, env.ARTIFACTS, params.releaseId, {
    keys,
    audience,
    now,
    expectSha256: params.manifestSha256,
  });
  if (!checked.ok) return quarantine(env, params, checked.findings);
  const { signed, release, keyId, plan } = checked;
  const stored = new Map(verdicts.flatMap((v) => ("stored" in v ? [[v.file, v.stored] as const] : [])));
  await publishRelease(db, {
    release,
    keyId,
    manifest: await keepSignedManifest(env.ARTIFACTS, signed.bytes, signed.signatureBytes),
    stored,
    newPacks: plan.newPacks,
    newInstallers: plan.newInstallers,
    resigned: plan.resigned,
    productWrites: plan.productWrites,
    packWrites: plan.packWrites,
    runId: params.runId,
    now,
    details: {
      verified: params.files.map((f) => ({ file: f.file, bytes: f.size, sha256: f.sha256, keyId: f.keyId })),
      alreadyPublished: plan.alreadyPublished,
      resigned: plan.resigned.map((f) => f.file),
      products: plan.productWrites,
      packs: plan.packWrites.map((w) => ({ name: w.name, change: w.change })),
      totals: releaseTotals(release),
    },
  });
  return { status: "published" };
}

/**
 * Keeps the bytes of release.json and release.json.sig.bin that verified here and hash to the
 * sync's manifestSha256 (never re-read from incoming/) as immutable blobs, so every grant can carry
 * the signed manifests covering its files.
 */
async function keepSignedManifest(
  bucket: R2Bucket,
  bytes: Uint8Array,
  signatureBytes: Uint8Array,
): Promise<ManifestCopies> {
  const manifest = await storeSmallBlob(bucket, bytes.slice());
  const signature = await storeSmallBlob(bucket, signatureBytes.slice());
  return {
    manifestKey: manifest.key,
    manifestEtag: manifest.etag,
    manifestSize: bytes.byteLength,
    manifestSignatureKey: signature.key,
    manifestSignatureEtag: signature.etag,
    manifestSignatureSize: signatureBytes.byteLength,
  };
}
