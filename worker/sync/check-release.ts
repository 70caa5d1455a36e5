// The checks a release passes before anything of it is trusted, and again right before it is
// published: release.json read and its signature verified (the manifest must be the same bytes
// when `expectSha256` is given), not expired, meant for this deployment, and planned against the
// catalog as it is now (another
// release may have published meanwhile; a key may have been revoked). The sync (run.ts) runs them
// when it claims a release, the Workflow (workflow.ts) before it publishes; each quarantines a
// refusal with what it knows of the release.
import type { Db } from "../db/client";
import { loadCatalogFacts } from "../db/publish-batch";
import type { TrustedKey } from "../env";
import { keyStatus } from "../key-status";
import { releaseFolder } from "../storage";
import { type Finding, planRelease, type ReleasePlan } from "./plan";
import { admissionProblem, type ReleaseManifest } from "./release-manifest";
import { readSignedManifest, type SignedManifest } from "./signed-manifest";

export type CheckedRelease =
  | {
      ok: true;
      signed: Extract<SignedManifest, { ok: true }>;
      release: ReleaseManifest;
      keyId: string;
      plan: ReleasePlan;
    }
  /** Refused: why, and the release and its signing key once the signature verified. */
  | { ok: false; findings: Finding[]; release?: ReleaseManifest; keyId?: string };

export async function checkRelease(
  db: Db,
  bucket: R2Bucket,
  releaseId: string,
  opts: { keys: readonly TrustedKey[]; audience: string; now: number; expectSha256?: string },
): Promise<CheckedRelease> {
  const { keys, now, expectSha256 } = opts;
  const signed = await readSignedManifest(bucket, releaseFolder(releaseId), releaseId, keys, now);
  if (!signed.ok) return { ok: false, findings: signed.findings, keyId: signed.keyId };
  const { release, keyId } = signed;
  if (expectSha256 !== undefined && signed.manifestSha256 !== expectSha256)
    return { ok: false, findings: [{ problem: "release.json changed while its files were verified" }], release, keyId };
  // Expiry (and the deployment it is for) is checked at use, as TUF does: a release whose checks
  // ran past expiresAt does not publish.
  const stale = admissionProblem(release, now, opts.audience);
  if (stale) return { ok: false, findings: [{ problem: stale }], release, keyId };
  const keyStatuses = new Map(keys.map((k) => [k.id, keyStatus(k, now)]));
  const plan = planRelease(release, await loadCatalogFacts(db, release), keyStatuses);
  if (plan.findings.length) return { ok: false, findings: plan.findings, release, keyId };
  return { ok: true, signed, release, keyId, plan };
}
