// Uploads into incoming/<release-id>/ through the R2 binding: one request for a small object, the
// multipart API for a large one, every request body under MAX_PART_BYTES so it passes the smallest
// plan's request limit (100 MB). Objects are write-once: an existing key is never overwritten. None
// of this is trusted: the sync verifies every byte against release.json and the signatures.
import type { Db } from "../db/client";
import { getRelease } from "../db/releases";
import { ApiError, badField } from "../errors";
import { releaseFolder } from "../storage";
import { RELEASE_JSON, RELEASE_JSON_SIGNATURE } from "../sync/release-manifest";

/** Under Cloudflare's smallest request body limit (100 MB on Free and Pro) with room for headers. */
export const MAX_PART_BYTES = 95 * 1024 * 1024;
/** R2: every part but the last at least 5 MiB. */
export const MIN_PART_BYTES = 5 * 1024 * 1024;
export const MAX_PARTS = 10_000;

export type StoredObject = { name: string; size: number; sha256: string | null; uploaded: string };

const conflict = (message: string, details?: Record<string, unknown>) =>
  new ApiError(409, "conflict", message, details);

/** A release the sync has claimed is closed: its folder is what was (or is being) verified. */
export async function assertOpenForUploads(db: Db, releaseId: string): Promise<void> {
  const release = await getRelease(db, releaseId);
  if (release)
    throw conflict(`releaseId: release ${releaseId} is already ${release.status}; publish under a new release id`, {
      field: "releaseId",
      status: release.status,
    });
}

/** What the release folder holds, with the sha256 R2 checked (single puts) or the uploader declared (multipart). */
export async function listReleaseObjects(bucket: R2Bucket, releaseId: string): Promise<StoredObject[]> {
  const folder = releaseFolder(releaseId);
  const objects: StoredObject[] = [];
  let cursor: string | undefined;
  do {
    const page = await bucket.list({ prefix: folder, cursor, include: ["customMetadata"] });
    for (const o of page.objects) objects.push(describe(o, folder));
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return objects;
}

const checksumOf = (o: R2Object) => {
  const sha = o.checksums?.sha256;
  return sha ? [...new Uint8Array(sha)].map((b) => b.toString(16).padStart(2, "0")).join("") : undefined;
};

export const describe = (o: R2Object, folder: string): StoredObject => ({
  name: o.key.slice(folder.length),
  size: o.size,
  sha256: checksumOf(o) ?? o.customMetadata?.sha256 ?? null,
  uploaded: o.uploaded.toISOString(),
});

async function assertAbsent(bucket: R2Bucket, releaseId: string, name: string): Promise<void> {
  const existing = await bucket.head(releaseFolder(releaseId) + name);
  if (existing)
    throw conflict(`name: ${name} is already uploaded to release ${releaseId}; objects are write-once`, {
      field: "name",
      existing: describe(existing, releaseFolder(releaseId)),
    });
}

/** The manifest's signature is the "release complete" signal, so it may only follow release.json. */
export async function assertOrder(bucket: R2Bucket, releaseId: string, name: string): Promise<void> {
  if (name !== RELEASE_JSON_SIGNATURE) return;
  if (!(await bucket.head(releaseFolder(releaseId) + RELEASE_JSON)))
    throw conflict(`name: upload ${RELEASE_JSON} before ${RELEASE_JSON_SIGNATURE}; the signature comes last`, {
      field: "name",
    });
}

/** The body length a request declares, within the part limit. */
export function bodyLength(
  header: string | undefined,
  max = MAX_PART_BYTES,
  instead = "use a multipart upload",
): number {
  const length = Number(header);
  if (!header || !Number.isSafeInteger(length) || length < 0)
    throw new ApiError(411, "length_required", "Content-Length: a body of known length is required", [
      { field: "Content-Length", message: "required" },
    ]);
  if (length > max)
    throw new ApiError(
      413,
      "payload_too_large",
      `Content-Length: ${length} bytes is more than the ${max} a request may carry; ${instead}`,
      [{ field: "Content-Length", message: `at most ${max}` }],
    );
  return length;
}

const exactly = (body: ReadableStream | null, length: number) =>
  (body ?? new Blob([]).stream()).pipeThrough(new FixedLengthStream(length));

/** One object in one request; R2 checks the body against the declared sha256 before it stores it. */
export async function putObject(
  bucket: R2Bucket,
  target: { releaseId: string; name: string },
  body: ReadableStream | null,
  length: number,
  sha256: string,
): Promise<StoredObject> {
  await assertAbsent(bucket, target.releaseId, target.name);
  await assertOrder(bucket, target.releaseId, target.name);
  const folder = releaseFolder(target.releaseId);
  let stored: R2Object | null;
  try {
    stored = await bucket.put(folder + target.name, exactly(body, length), {
      sha256,
      onlyIf: { etagDoesNotMatch: "*" },
    });
  } catch (err) {
    if (/sha-?256|checksum|digest/i.test(String(err)))
      throw badField("X-Content-SHA256", "does not match the sha256 of the body");
    throw err;
  }
  if (!stored) await assertAbsent(bucket, target.releaseId, target.name); // lost a race: say who won
  return describe(stored as R2Object, folder);
}

/** Starts a multipart upload of a new object; its declared size and sha256 go with it. */
export async function startUpload(
  bucket: R2Bucket,
  target: { releaseId: string; name: string },
  declared: { size: number; sha256: string },
): Promise<{ uploadId: string }> {
  await assertAbsent(bucket, target.releaseId, target.name);
  await assertOrder(bucket, target.releaseId, target.name);
  const upload = await bucket.createMultipartUpload(releaseFolder(target.releaseId) + target.name, {
    customMetadata: { sha256: declared.sha256, size: String(declared.size) },
  });
  return { uploadId: upload.uploadId };
}

export async function putPart(
  bucket: R2Bucket,
  target: { releaseId: string; name: string; uploadId: string; partNumber: number },
  body: ReadableStream | null,
  length: number,
): Promise<{ partNumber: number; etag: string }> {
  const upload = bucket.resumeMultipartUpload(releaseFolder(target.releaseId) + target.name, target.uploadId);
  try {
    const part = await upload.uploadPart(target.partNumber, exactly(body, length));
    return { partNumber: part.partNumber, etag: part.etag };
  } catch (err) {
    if (/upload.*(not exist|not found)|NoSuchUpload/i.test(String(err)))
      throw badField("uploadId", `no multipart upload ${target.uploadId} for ${target.name}`, 404);
    throw err;
  }
}

/** Completes an upload, write-once; parts that add up to another size than declared leave nothing behind. */
export async function completeUpload(
  bucket: R2Bucket,
  target: { releaseId: string; name: string; uploadId: string },
  parts: R2UploadedPart[],
): Promise<StoredObject> {
  const key = releaseFolder(target.releaseId) + target.name;
  const upload = bucket.resumeMultipartUpload(key, target.uploadId);
  await assertAbsent(bucket, target.releaseId, target.name);
  let stored: R2Object;
  try {
    stored = await upload.complete(parts);
  } catch (err) {
    throw badField("parts", `the upload could not be completed: ${err instanceof Error ? err.message : String(err)}`);
  }
  const declared = Number(stored.customMetadata?.size);
  if (stored.size !== declared) {
    await bucket.delete(key);
    throw badField("parts", `the parts add up to ${stored.size} bytes; ${declared} were declared`);
  }
  return describe(stored, releaseFolder(target.releaseId));
}
