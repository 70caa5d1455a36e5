// Verifying one file of a release and keeping the verified bytes. Each file is read once: measured
// (size, sha256), checked against its own .sig.bin, and written as it is read to its immutable blob.
// A blob that already holds the same verified bytes (an identical file published before) is re-read
// and re-verified instead of rewritten, so its etag, which older rows pin, never changes.
import { hex } from "../encoding";
import { blobKey } from "../storage";
import { type BlobLimits, openBlobWriter } from "./blobs";
import type { StoredFile } from "../domain/release-files";
import type { ReleaseManifest } from "./release-manifest";
import { measurementProblem } from "./release-checks";
import { measureAndVerify } from "./measure-and-verify";

/** Where a verified file and its signature now live, and the etags R2 gave those copies. */
export type { StoredFile };

type ReleaseFile = Pick<ReleaseManifest["files"][number], "file" | "signature" | "size" | "sha256">;
type Measured = { bytes: number; sha256: string; signatureValid: boolean };

/** A file's verdict: its verified copies, or the one problem that refuses it. */
export type FileVerdict = { file: string; stored: StoredFile } | { file: string; problem: string };

/**
 * Verifies one listed file with the key it names (`keyId`, shown in the problem) and keeps its
 * verified copy and its signature's. Problems are verdicts; storage errors are thrown (retried).
 */
export async function verifyFile(
  bucket: R2Bucket,
  folder: string,
  f: ReleaseFile,
  key: { id: string; pem: string },
  limits?: BlobLimits,
): Promise<FileVerdict> {
  const signature = await bucket.get(folder + f.signature);
  if (!signature) return { file: f.file, problem: "vanished from the release folder during verification" };
  const signatureBytes = new Uint8Array(await signature.arrayBuffer());
  const outcome = await verifyIntoBlob(bucket, folder, f, signatureBytes, key.pem, limits);
  if ("problem" in outcome) return { file: f.file, problem: outcome.problem.replace("{key}", key.id) };
  const signatureBlob = await storeSmallBlob(bucket, signatureBytes);
  return {
    file: f.file,
    stored: {
      objectKey: outcome.key,
      objectEtag: outcome.etag,
      signatureKey: signatureBlob.key,
      signatureEtag: signatureBlob.etag,
      signatureSize: signatureBytes.byteLength,
    },
  };
}

async function verifyIntoBlob(
  bucket: R2Bucket,
  folder: string,
  f: ReleaseFile,
  signature: Uint8Array,
  pem: string,
  limits?: BlobLimits,
): Promise<{ key: string; etag: string } | { problem: string }> {
  const key = blobKey(f.sha256);
  const existing = await bucket.get(key);
  if (existing && existing.size === f.size) {
    const measured = await measureAndVerify(existing.body, signature, pem);
    const problem = measurementProblem(measured, f);
    if (!problem) return { key, etag: existing.etag };
    // A signature that fails over the right bytes fails over the dropped copy too.
    if (measured.sha256 === f.sha256) return { problem };
    // Otherwise the blob holds other bytes than its name says: replace it from the release folder.
  } else await existing?.body.cancel();

  const source = await bucket.get(folder + f.file);
  if (!source) return { problem: "vanished from the release folder during verification" };
  if (source.size !== f.size) {
    await source.body.cancel();
    return { problem: `size ${source.size} does not match release.json size ${f.size}` };
  }
  const blob = openBlobWriter(bucket, key, f, limits);
  let measured: Measured;
  try {
    measured = await measureAndVerify(source.body, signature, pem, blob.writer);
  } catch (err) {
    await blob.abandon(err);
    throw err;
  }
  const problem = measurementProblem(measured, f);
  if (problem) {
    await blob.abandon(problem);
    return { problem };
  }
  const stored = await blob.finish();
  return { key, etag: stored.etag };
}

/** A small file's immutable copy; an existing blob is kept when it already holds these bytes. */
export async function storeSmallBlob(
  bucket: R2Bucket,
  bytes: Uint8Array<ArrayBuffer>,
): Promise<{ key: string; etag: string }> {
  const sha256 = hex(await crypto.subtle.digest("SHA-256", bytes));
  const key = blobKey(sha256);
  const existing = await bucket.get(key);
  if (existing) {
    const held = await existing.bytes();
    if (held.byteLength === bytes.byteLength && held.every((b, i) => b === bytes[i]))
      return { key, etag: existing.etag };
  }
  const stored = await bucket.put(key, bytes, { sha256 });
  return { key, etag: stored.etag };
}
