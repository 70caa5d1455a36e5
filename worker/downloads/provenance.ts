// Provenance that travels: the signed release manifests (release.json + release.json.sig.bin, the
// very bytes the sync verified, kept as pinned blobs) that cover a grant's files. Every download
// format carries them under releases/<release-id>/, so verify-bundle.sh can check the bundle as a
// whole against the publisher's key on the far side of the air gap.
import type { Db } from "../db/client";
import { findKeptManifests, type GrantRecord } from "../db/grant-queries";
import { BLOB_PREFIX } from "../storage";
import { RELEASE_JSON, RELEASE_JSON_SIGNATURE } from "../sync/release-manifest";
import type { Downloadable } from "./files";

/** A release manifest and its signature as a grant hands them out. */
export type ReleaseProof = {
  releaseId: string;
  manifest: Downloadable & { sha256: string };
  signature: Downloadable & { sha256: string };
};

export const PROOF_FOLDER = "releases";
export const proofPath = (releaseId: string, name: string) => `${PROOF_FOLDER}/${releaseId}/${name}`;

const sha256OfBlob = (key: string) => key.slice(BLOB_PREFIX.length);

/** The releases whose manifests list the grant's files, in the order the files first name them. */
export const grantReleaseIds = (grant: Pick<GrantRecord, "files">) => [
  ...new Set(grant.files.flatMap((f) => (f.releaseId ? [f.releaseId] : []))),
];

export async function grantProofs(db: Db, grant: Pick<GrantRecord, "files">): Promise<ReleaseProof[]> {
  const ids = grantReleaseIds(grant);
  const kept = new Map((await findKeptManifests(db, ids)).map((k) => [k.releaseId, k]));
  return ids.flatMap((releaseId) => {
    const k = kept.get(releaseId);
    if (!k) return [];
    const file = (name: string, key: string, etag: string, size: number) => ({
      file: proofPath(releaseId, name),
      objectKey: key,
      storedEtag: etag,
      size,
      sha256: sha256OfBlob(key),
      etag: sha256OfBlob(key),
      publishedAt: k.finishedAt,
      keyId: k.keyId ?? undefined,
    });
    return [
      {
        releaseId,
        manifest: file(RELEASE_JSON, k.manifestKey, k.manifestEtag, k.manifestSize),
        signature: file(RELEASE_JSON_SIGNATURE, k.signatureKey, k.signatureEtag, k.signatureSize),
      },
    ];
  });
}

/** The proof file a /dl path names (releases/<id>/release.json or its .sig.bin), if the grant has it. */
export function findProofFile(proofs: ReleaseProof[], path: string): Downloadable | undefined {
  for (const p of proofs) {
    if (p.manifest.file === path) return p.manifest;
    if (p.signature.file === path) return p.signature;
  }
  return undefined;
}
