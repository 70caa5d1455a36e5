// Batch uploads: many small objects of one release in one multipart/form-data request, so a release
// of hundreds of small files (signatures, charts, small packs) costs one token check, one rate-limit
// hit and one audit row per batch instead of per object. Each object stays write-once and R2 checks
// each against its declared sha256 before storing it; none of it is trusted: the sync verifies every
// byte against release.json and the signatures, as for any other drop.
import { ApiError, badField } from "../errors";
import { releaseFolder } from "../storage";
import { RELEASE_JSON_SIGNATURE } from "../sync/release-manifest";
import type { BatchObject } from "./schemas";
import { describe, type StoredObject } from "./uploads";

export type BatchOutcome = StoredObject & { status: "stored" | "unchanged" | "conflict" };

/** One part per entry, of the declared size; the manifest's signature, the "complete" mark, never in a batch. */
export function assertBatchShape(objects: BatchObject[], files: File[]): void {
  if (files.length !== objects.length)
    throw badField("file", `${files.length} file parts for ${objects.length} entries in objects; send one per entry`);
  objects.forEach((entry, i) => {
    if (entry.name === RELEASE_JSON_SIGNATURE)
      throw badField(
        `objects.${i}.name`,
        `send ${RELEASE_JSON_SIGNATURE} on its own after release.json: it marks the release complete`,
      );
    if (files[i].size !== entry.size)
      throw badField(
        `objects.${i}.size`,
        `${entry.name}'s part is ${files[i].size} bytes; ${entry.size} were declared`,
      );
  });
}

/** R2's refusal of a body that is not the declared sha256. */
const SHA256_REFUSED = /sha-?256|checksum|digest/i;

/** Stores one object if its name is free (R2's conditional put: no head first); else says what is there. */
async function storeOne(bucket: R2Bucket, folder: string, entry: BatchObject, part: File) {
  const key = folder + entry.name;
  let stored: R2Object | null;
  try {
    stored = await bucket.put(key, part, { sha256: entry.sha256, onlyIf: { etagDoesNotMatch: "*" } });
  } catch (err) {
    if (SHA256_REFUSED.test(String(err))) return null;
    throw err;
  }
  if (stored) return { ...describe(stored, folder), status: "stored" } satisfies BatchOutcome;
  const existing = await bucket.head(key);
  if (!existing) throw new ApiError(409, "conflict", `name: ${entry.name} changed while it was stored; retry`);
  const there = describe(existing, folder);
  const same = there.size === entry.size && there.sha256 === entry.sha256;
  return { ...there, status: same ? "unchanged" : "conflict" } satisfies BatchOutcome;
}

/**
 * Every object of the batch at once. An object whose bytes are not its declared sha256 is not stored
 * (R2 refuses it); the others are, since each is checked on its own. `refused` lists the entries R2 refused.
 */
export async function putBatch(
  bucket: R2Bucket,
  releaseId: string,
  objects: BatchObject[],
  files: File[],
): Promise<{ outcomes: BatchOutcome[]; refused: number[] }> {
  const folder = releaseFolder(releaseId);
  const results = await Promise.all(objects.map((entry, i) => storeOne(bucket, folder, entry, files[i])));
  return {
    outcomes: results.filter((r): r is BatchOutcome => r !== null),
    refused: results.flatMap((r, i) => (r === null ? [i] : [])),
  };
}

/** A 400 naming each entry whose declared sha256 its part did not match. */
export function assertNoneRefused(objects: BatchObject[], refused: number[]): void {
  if (!refused.length) return;
  const details = refused.map((i) => ({
    field: `objects.${i}.sha256`,
    message: `does not match the sha256 of ${objects[i].name}'s part; it was not stored`,
  }));
  throw new ApiError(400, "invalid_request", `${details[0].field}: ${details[0].message}`, details);
}
