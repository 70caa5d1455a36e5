// The R2 key layout in one place. Publishers drop releases under incoming/<release-id>/ (the files,
// their .sig.bin, then release.json and release.json.sig.bin last); the sync keeps the verified copy
// of every published file at an immutable, content-addressed key, blobs/sha256/<hex>, which is all
// downloads ever read. Grants past their retention are archived under audit/grants/ (one object per
// retention run, one JSON line per grant; docs/operations.md says how to read them back).
export const INCOMING_PREFIX = "incoming/";
export const BLOB_PREFIX = "blobs/sha256/";
export const RELEASE_MANIFEST = "release.json";
export const RELEASE_MANIFEST_SIGNATURE = "release.json.sig.bin";

export const releaseFolder = (releaseId: string) => `${INCOMING_PREFIX}${releaseId}/`;
export const blobKey = (sha256Hex: string) => `${BLOB_PREFIX}${sha256Hex}`;
/** The sha256 a blob key names (its content address), or null for a key outside blobs/. */
export const sha256OfBlobKey = (key: string) => (key.startsWith(BLOB_PREFIX) ? key.slice(BLOB_PREFIX.length) : null);

export const GRANT_ARCHIVE_PREFIX = "audit/grants/";

/**
 * audit/grants/YYYY/MM/DD/<first-id>-<last-id>.ndjson: the UTC day every grant in the object expired
 * (a run archives one expiry day at most), then the first and last grant id it holds (ids are 22
 * characters, so the name splits unambiguously even though ids may contain "-").
 */
export function grantArchiveKey(expiryDay: Date, firstId: string, lastId: string): string {
  const day = expiryDay.toISOString().slice(0, 10).replaceAll("-", "/");
  return `${GRANT_ARCHIVE_PREFIX}${day}/${firstId}-${lastId}.ndjson`;
}
