// The catalog sync, one plain function that the Cron Trigger and POST /api/v1/admin/sync both call.
// It finds release folders under incoming/, claims each new one, verifies every listed file
// (streaming SHA-256 and signature), and publishes a good release in one D1 batch or quarantines a
// bad one with its reason. Re-running it is harmless: finished releases are skipped unread.
import type { z } from "zod";
import { primaryWriter, type Db } from "../db/client";
import { loadCatalogFacts, publishRelease } from "../db/publish";
import {
  claimRelease,
  finishSyncRun,
  isClaimable,
  knownReleases,
  noteReleaseError,
  quarantineRelease,
  startSyncRun,
} from "../db/releases";
import type { SyncTrigger } from "../db/schema";
import { config } from "../env";
import type { syncSummarySchema } from "./api-schemas";
import { listReleaseIds, releaseFolder } from "./discover";
import { planRelease, reasonLine, type Finding } from "./plan";
import { fileKeyId, releaseManifest, releaseTotals, type ReleaseManifest } from "./release-manifest";
import { measureAndVerify } from "./verify";

export type SyncSummary = z.infer<typeof syncSummarySchema>;

const RELEASE_JSON = "release.json";
// release.json is metadata; anything bigger is not a release we should read into memory.
const MAX_RELEASE_JSON_BYTES = 4 * 1024 * 1024;
// A DER ECDSA signature is ~72 bytes and an RSA-4096 one 512; this leaves ample room.
const MAX_SIGNATURE_BYTES = 16 * 1024;

type Outcome = { status: "published" } | { status: "quarantined"; reason: string };
type Clock = () => number;

export async function runSync(env: Env, opts: { trigger: SyncTrigger; now?: number }): Promise<SyncSummary> {
  // `now` shifts the run's clock (tests use it to step past a claim's lease); time still passes.
  const offset = opts.now === undefined ? 0 : opts.now - Date.now();
  const clock: Clock = () => Date.now() + offset;
  const db = primaryWriter(env);
  const summary: SyncSummary = {
    runId: crypto.randomUUID(),
    trigger: opts.trigger,
    startedAt: clock(),
    finishedAt: 0,
    published: [],
    quarantined: [],
    uploading: [],
    skipped: 0,
    failed: [],
  };
  await startSyncRun(db, { id: summary.runId, trigger: summary.trigger, startedAt: summary.startedAt });

  let runError: string | null = null;
  try {
    const trustedKeys = new Map(config(env).TRUSTED_PUBLIC_KEYS.map((k) => [k.id, k.pem]));
    const ids = await listReleaseIds(env.ARTIFACTS);
    const known = await knownReleases(db, ids);
    for (const releaseId of ids) {
      const seen = known.get(releaseId);
      if (seen && !isClaimable(seen, clock())) {
        summary.skipped++;
        continue;
      }
      if (!(await env.ARTIFACTS.head(releaseFolder(releaseId) + RELEASE_JSON))) {
        summary.uploading.push(releaseId);
        continue;
      }
      if (!(await claimRelease(db, releaseId, summary.runId, clock()))) {
        summary.skipped++;
        continue;
      }
      try {
        const outcome = await processRelease(env, db, releaseId, summary.runId, trustedKeys, clock);
        if (outcome.status === "published") summary.published.push(releaseId);
        else summary.quarantined.push({ releaseId, reason: outcome.reason });
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err);
        console.error(`sync ${summary.runId}: release ${releaseId} failed`, err);
        summary.failed.push({ releaseId, error });
        await noteReleaseError(db, releaseId, summary.runId, `sync error (will retry): ${error}`);
      }
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
      published: summary.published.length,
      quarantined: summary.quarantined.length,
      uploading: summary.uploading.length,
      skipped: summary.skipped,
      error: runError,
    });
  }
}

/** Verifies one claimed release and either publishes all of it or quarantines it. */
async function processRelease(
  env: Env,
  db: Db,
  releaseId: string,
  runId: string,
  trustedKeys: Map<string, string>,
  clock: Clock,
): Promise<Outcome> {
  const folder = releaseFolder(releaseId);
  const quarantine = async (findings: Finding[], release?: ReleaseManifest): Promise<Outcome> => {
    const reason = reasonLine(findings);
    await quarantineRelease(db, releaseId, runId, {
      reason,
      details: { findings },
      ...(release && releaseTotals(release)),
      now: clock(),
    });
    return { status: "quarantined", reason };
  };

  const parsed = await readReleaseJson(env.ARTIFACTS, folder + RELEASE_JSON);
  if (!parsed.ok) return quarantine(parsed.findings);
  const release = parsed.release;
  if (release.releaseId !== releaseId) {
    return quarantine(
      [{ problem: `release.json: releaseId '${release.releaseId}' does not match its folder '${releaseId}'` }],
      release,
    );
  }

  const plan = planRelease(release, await loadCatalogFacts(db, release), new Set(trustedKeys.keys()));
  if (plan.findings.length) return quarantine(plan.findings, release);

  // Cheap checks first, so a half-copied or mislabelled release is refused before any byte is hashed.
  const signatureSizes = new Map<string, number>();
  const presence: Finding[] = [];
  for (const f of release.files) {
    const [object, signature] = await Promise.all([
      env.ARTIFACTS.head(folder + f.file),
      env.ARTIFACTS.head(folder + f.signature),
    ]);
    if (!object) presence.push({ file: f.file, problem: "listed in release.json but missing from the release folder" });
    else if (object.size !== f.size)
      presence.push({ file: f.file, problem: `size ${object.size} does not match release.json size ${f.size}` });
    if (!signature) presence.push({ file: f.file, problem: `missing signature file ${f.signature}` });
    else if (signature.size === 0 || signature.size > MAX_SIGNATURE_BYTES)
      presence.push({ file: f.file, problem: `signature file ${f.signature} has implausible size ${signature.size}` });
    else signatureSizes.set(f.signature, signature.size);
  }
  if (presence.length) return quarantine(presence, release);

  // Every file is verified, even after a failure, so the publisher sees all bad files at once.
  const verification: Finding[] = [];
  const verified: { file: string; bytes: number; sha256: string; keyId: string }[] = [];
  for (const f of release.files) {
    const keyId = fileKeyId(release, f);
    const signature = await env.ARTIFACTS.get(folder + f.signature);
    const object = await env.ARTIFACTS.get(folder + f.file);
    if (!signature || !object) {
      await object?.body.cancel();
      verification.push({ file: f.file, problem: "vanished from the release folder during verification" });
      continue;
    }
    const measured = await measureAndVerify(
      object.body,
      new Uint8Array(await signature.arrayBuffer()),
      trustedKeys.get(keyId)!,
    );
    if (measured.bytes !== f.size)
      verification.push({ file: f.file, problem: `size ${measured.bytes} does not match release.json size ${f.size}` });
    else if (measured.sha256 !== f.sha256)
      verification.push({
        file: f.file,
        problem: `checksum mismatch: sha256 ${measured.sha256}, release.json says ${f.sha256}`,
      });
    else if (!measured.signatureValid)
      verification.push({ file: f.file, problem: `signature does not verify with key ${keyId}` });
    else verified.push({ file: f.file, bytes: measured.bytes, sha256: measured.sha256, keyId });
  }
  if (verification.length) return quarantine(verification, release);

  await publishRelease(db, {
    release,
    folder,
    newPacks: plan.newPacks,
    newInstallers: plan.newInstallers,
    signatureSizes,
    runId,
    now: clock(),
    details: { verified, alreadyPublished: plan.alreadyPublished },
  });
  return { status: "published" };
}

type ParsedRelease = { ok: true; release: ReleaseManifest } | { ok: false; findings: Finding[] };

async function readReleaseJson(bucket: R2Bucket, key: string): Promise<ParsedRelease> {
  const object = await bucket.get(key);
  if (!object) throw new Error(`${key} vanished after it was listed`);
  if (object.size > MAX_RELEASE_JSON_BYTES) {
    await object.body.cancel();
    return {
      ok: false,
      findings: [{ problem: `release.json is ${object.size} bytes, more than the ${MAX_RELEASE_JSON_BYTES} allowed` }],
    };
  }
  let json: unknown;
  try {
    json = JSON.parse(await object.text());
  } catch (err) {
    return {
      ok: false,
      findings: [{ problem: `release.json is not valid JSON: ${err instanceof Error ? err.message : String(err)}` }],
    };
  }
  const result = releaseManifest.safeParse(json);
  if (!result.success) {
    return {
      ok: false,
      findings: result.error.issues.map((issue) => ({
        problem: `release.json: ${issue.path.join(".") || "(root)"}: ${issue.message}`,
      })),
    };
  }
  return { ok: true, release: result.data };
}
