// Reading a release's manifest the only way it may be read: release.json's bytes are checked against
// release.json.sig.bin with the trusted keys before a single field of it is believed. The key that
// verifies must be current and must be the keyId the manifest names; the manifest must name its own
// folder, so a signed manifest copied elsewhere is refused.
import type { TrustedKey } from "../env";
import {
  checkSignedManifest,
  manifestSizeProblem,
  MAX_RELEASE_JSON_BYTES,
  MAX_SIGNATURE_BYTES,
  type Refused,
  type SignedManifest,
  unsignedManifest,
} from "./release-checks";
import { RELEASE_JSON, RELEASE_JSON_SIGNATURE } from "./release-manifest";

export { RELEASE_JSON, RELEASE_JSON_SIGNATURE, MAX_RELEASE_JSON_BYTES, MAX_SIGNATURE_BYTES, type SignedManifest };

/** release.json and its signature, whole, if both are there and of a plausible size. */
async function readManifestBytes(
  bucket: R2Bucket,
  folder: string,
): Promise<{ ok: true; bytes: Uint8Array<ArrayBuffer>; signatureBytes: Uint8Array<ArrayBuffer> } | Refused> {
  const [manifest, signature] = await Promise.all([
    bucket.get(folder + RELEASE_JSON),
    bucket.get(folder + RELEASE_JSON_SIGNATURE),
  ]);
  if (!manifest) {
    await signature?.body.cancel();
    throw new Error(`${folder}${RELEASE_JSON} vanished after it was listed`);
  }
  if (!signature) {
    await manifest.body.cancel();
    return unsignedManifest();
  }
  const tooBig = manifestSizeProblem(manifest.size, signature.size);
  if (tooBig) {
    await Promise.all([manifest.body.cancel(), signature.body.cancel()]);
    return tooBig;
  }
  const [bytes, signatureBytes] = await Promise.all([manifest.arrayBuffer(), signature.arrayBuffer()]).then((buffers) =>
    buffers.map((b) => new Uint8Array(b)),
  );
  return { ok: true, bytes, signatureBytes };
}

export async function readSignedManifest(
  bucket: R2Bucket,
  folder: string,
  releaseId: string,
  keys: readonly TrustedKey[],
  now: number,
): Promise<SignedManifest> {
  const read = await readManifestBytes(bucket, folder);
  if (!read.ok) return read;
  return checkSignedManifest(read.bytes, read.signatureBytes, releaseId, keys, now);
}
