// The sync's memory of incoming/: where the paged listing resumes, and when each folder still without
// release.json was first seen, so one that never gets a signed release.json is quarantined as an
// abandoned upload once (worker/sync/folders.ts) and costs nothing in R2 after that.
import { and, eq, inArray, lt, sql } from "drizzle-orm";
import { chunksOf, type Db } from "./client";
import { releases, syncCursor, uploadFolders } from "./schema";

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

/**
 * Records the folders seen without release.json (the first sighting stands) and returns those first
 * seen at or before `seenBefore`.
 */
export async function noteUploading(db: Db, ids: string[], now: number, seenBefore: number): Promise<string[]> {
  const overdue: string[] = [];
  // Two bound parameters a row, under D1's 100 per statement.
  for (const slice of chunksOf(ids, 45)) {
    await db
      .insert(uploadFolders)
      .values(slice.map((id) => ({ id, firstSeenAt: now })))
      .onConflictDoNothing();
    const rows = await db
      .select({ id: uploadFolders.id })
      .from(uploadFolders)
      .where(and(inArray(uploadFolders.id, slice), lt(uploadFolders.firstSeenAt, seenBefore + 1)));
    overdue.push(...rows.map((r) => r.id));
  }
  return overdue;
}

/**
 * Quarantines folders as abandoned uploads in one batch (a new row, or one an admin re-queued that
 * no Workflow owns), and forgets their first sighting. Returns the ids it quarantined.
 */
export async function quarantineAbandoned(
  db: Db,
  ids: string[],
  outcome: { runId: string; reason: string; now: number },
): Promise<string[]> {
  const done: string[] = [];
  // Six bound parameters a row and four for the update, under D1's 100 per statement.
  for (const slice of chunksOf(ids, 15)) {
    const [quarantined] = await db.batch([
      db
        .insert(releases)
        .values(
          slice.map((id) => ({
            id,
            status: "quarantined" as const,
            reason: outcome.reason,
            runId: outcome.runId,
            claimedAt: outcome.now,
            finishedAt: outcome.now,
          })),
        )
        .onConflictDoUpdate({
          target: releases.id,
          set: {
            status: "quarantined",
            reason: outcome.reason,
            runId: outcome.runId,
            finishedAt: outcome.now,
          },
          setWhere: sql`${releases.status} = 'processing' AND ${releases.workflowId} IS NULL`,
        })
        .returning({ id: releases.id }),
      db.delete(uploadFolders).where(inArray(uploadFolders.id, slice)),
    ]);
    done.push(...quarantined.map((r) => r.id));
  }
  return done;
}

/** Forgets the first sighting of folders that now have a release.json (claimed by this run). */
export async function forgetUploading(db: Db, ids: string[]): Promise<void> {
  for (const slice of chunksOf(ids)) await db.delete(uploadFolders).where(inArray(uploadFolders.id, slice));
}
