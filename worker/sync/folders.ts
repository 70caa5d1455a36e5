// A sync that cannot freeze. Each run lists at most FOLDERS_PER_RUN release folders under incoming/,
// resuming after the last folder the previous run listed (the cursor is kept in D1) and starting over
// once it reaches the end, so a run's R2 list and head calls are bounded whatever lies in the bucket.
// A folder still without release.json ABANDONED_UPLOAD_HOURS after the sync first saw it is quarantined
// as an abandoned upload: from then on it is a finished release, skipped unread like any other. An
// upload job failing in a loop can then slow the discovery of new releases (one pass over the bucket
// takes folders / FOLDERS_PER_RUN runs) but can no longer stop the catalog from updating.
import type { Db } from "../db/client";
import { listingCursor, noteUploading, quarantineAbandoned, saveListingCursor } from "../db/sync-folders";
import { config } from "../env";
import { INCOMING_PREFIX } from "../storage";

/** Folders one run looks at: one R2 list call, and at most two heads each for the ones not finished. */
export const FOLDERS_PER_RUN = 500;
/** R2 may answer a list with fewer entries than asked; a run lists at most this many pages. */
const MAX_LIST_CALLS = 5;

/**
 * The next page of release ids, in the bucket's (lexicographic) order, after the stored cursor; the
 * cursor moves to the page's last folder, or back to the start when the listing reached the end.
 */
export async function nextFolderPage(
  bucket: R2Bucket,
  db: Db,
  now: number,
  limit = FOLDERS_PER_RUN,
): Promise<string[]> {
  const after = await listingCursor(db);
  // Every key of folder X starts "incoming/X/"; "X0" sorts right after all of them ("0" follows "/").
  const startAfter = after === null ? undefined : `${INCOMING_PREFIX}${after}0`;
  const ids: string[] = [];
  let cursor: string | undefined;
  let truncated = false;
  for (let calls = 0; calls < MAX_LIST_CALLS && ids.length < limit; calls++) {
    const page = await bucket.list({
      prefix: INCOMING_PREFIX,
      delimiter: "/",
      limit: limit - ids.length,
      ...(cursor ? { cursor } : { startAfter }),
    });
    for (const prefix of page.delimitedPrefixes) ids.push(prefix.slice(INCOMING_PREFIX.length, -1));
    truncated = page.truncated;
    if (!page.truncated) break;
    cursor = page.cursor;
  }
  const found = ids.filter((id) => id.length > 0);
  await saveListingCursor(db, truncated ? (found.at(-1) ?? after) : null, now);
  return found;
}

/**
 * Folders this run found without release.json: remembered with when they were first seen, and the
 * ones past ABANDONED_UPLOAD_HOURS quarantined. Returns the ids quarantined and their reason.
 */
export async function settleUploading(
  env: Env,
  db: Db,
  ids: string[],
  run: { runId: string; now: number },
): Promise<{ abandoned: string[]; reason: string }> {
  const hours = config(env).ABANDONED_UPLOAD_HOURS;
  const reason = `abandoned upload: no signed release.json ${hours} h after the sync first saw the folder (ABANDONED_UPLOAD_HOURS)`;
  if (!ids.length) return { abandoned: [], reason };
  const overdue = await noteUploading(db, ids, run.now, run.now - hours * 3600 * 1000);
  if (!overdue.length) return { abandoned: [], reason };
  return { abandoned: await quarantineAbandoned(db, overdue, { ...run, reason }), reason };
}
