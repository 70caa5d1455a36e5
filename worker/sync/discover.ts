// Finding release folders: every "incoming/<release-id>/" prefix in the artifacts bucket.
import { INCOMING_PREFIX } from "../storage";

/** Release ids in the bucket's (lexicographic) order; lists by delimiter, so each page is small. */
export async function listReleaseIds(bucket: R2Bucket): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await bucket.list({ prefix: INCOMING_PREFIX, delimiter: "/", cursor });
    for (const prefix of page.delimitedPrefixes) ids.push(prefix.slice(INCOMING_PREFIX.length, -1));
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return ids.filter((id) => id.length > 0);
}
