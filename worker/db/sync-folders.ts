// The sync's memory of incoming/: where the paged listing resumes, and when each folder still without
// release.json was first seen, so one that never gets a signed release.json is quarantined as an
// abandoned upload once (worker/sync/folders.ts) and costs nothing in R2 after that.
import { and, eq, lte, sql } from "drizzle-orm";
import type { Db } from "./client";
import { syncCursor, uploadFolders } from "./schema";

const CURSOR_ROW = 1;

/** The last folder the previous run listed, or null to start from the beginning. */
export async function listingCursor(db: Db): Promise<string | null> {
  const row = await db.select({ after: syncCursor.after }).from(syncCursor).where(eq(syncCursor.id, CURSOR_ROW)).get();
  return row?.after ?? null;
}

export async function saveListingCursor(db: Db, after: string | null, now: number): Promise<void> {
  await db
    .insert(syncCursor)
    .values({ id: CURSOR_ROW, after, updatedAt: now })
    .onConflictDoUpdate({ target: syncCursor.id, set: { after, updatedAt: now } });
}

/** One bound parameter for a whole list of ids (SQLite's json_each), whatever its length. */
const idsIn = (ids: string[]) => sql`(SELECT value FROM json_each(${JSON.stringify(ids)}))`;

/**
 * Records the folders seen without release.json (the first sighting stands) and returns those first
 * seen at or before `seenBefore`.
 */
export async function noteUploading(db: Db, ids: string[], now: number, seenBefore: number): Promise<string[]> {
  // "WHERE true" lets SQLite tell the upsert's ON CONFLICT from a join's ON.
  await db.run(sql`INSERT INTO upload_folders (id, first_seen_at)
    SELECT value, ${now} FROM json_each(${JSON.stringify(ids)}) WHERE true ON CONFLICT (id) DO NOTHING`);
  const rows = await db
    .select({ id: uploadFolders.id })
    .from(uploadFolders)
    .where(and(sql`${uploadFolders.id} IN ${idsIn(ids)}`, lte(uploadFolders.firstSeenAt, seenBefore)));
  return rows.map((r) => r.id);
}

/**
 * Quarantines folders as abandoned uploads in one statement (a new row, or one an admin re-queued that
 * no Workflow owns), and forgets their first sighting. Returns the ids it quarantined.
 */
export async function quarantineAbandoned(
  db: Db,
  ids: string[],
  outcome: { runId: string; reason: string; now: number },
): Promise<string[]> {
  const { runId, reason, now } = outcome;
  const quarantined = await db.all<{
    id: string;
  }>(sql`INSERT INTO releases (id, status, reason, run_id, claimed_at, finished_at)
    SELECT value, 'quarantined', ${reason}, ${runId}, ${now}, ${now} FROM json_each(${JSON.stringify(ids)}) WHERE true
    ON CONFLICT (id) DO UPDATE SET status = 'quarantined', reason = excluded.reason, run_id = excluded.run_id,
      finished_at = excluded.finished_at
    WHERE releases.status = 'processing' AND releases.workflow_id IS NULL
    RETURNING id`);
  // A sighting left behind by a failure here is harmless: a quarantined folder is never looked at again.
  await forgetUploading(db, ids);
  return quarantined.map((r) => r.id);
}

/** Forgets the first sighting of folders that now have a release.json (claimed by this run). */
export async function forgetUploading(db: Db, ids: string[]): Promise<void> {
  if (ids.length) await db.delete(uploadFolders).where(sql`${uploadFolders.id} IN ${idsIn(ids)}`);
}
