// The grant retention job's SQL (worker/downloads/grant-retention.ts): find the grants whose expiry
// is older than the retention cutoff, oldest first along grants_by_expiry (migration 0017), and
// delete exactly the ones an archive object holds, with the audit event that says where they went,
// in one batch.
import { and, asc, getTableColumns, inArray, lt, sql } from "drizzle-orm";
import type { Db } from "./client";
import { grants } from "./downloads-schema";
import type { GrantFile } from "./grant-queries";
import { auditEvents } from "./schema";

/** A grant as its archive line holds it: every column but the capability's hash (which opens nothing once expired). */
export type ArchivedGrant = Omit<typeof grants.$inferSelect, "capabilityHash" | "files"> & { files: GrantFile[] };

/**
 * The next grants past the cutoff, oldest expiry first, with each row's stored size (for the run's
 * byte budget): read along grants_by_expiry, so a run reads only its batch whatever the table holds.
 */
export const pastRetentionQuery = (db: Db, cutoff: number, limit: number) =>
  db
    .select({
      id: grants.id,
      expiresAt: grants.expiresAt,
      // Nearly all of a row's size (a 5-pack grant: 3,109 bytes of files, 228 of request, 101 of user agent).
      bytes: sql<number>`length(CAST(${grants.files} AS BLOB)) + length(CAST(${grants.request} AS BLOB)) + coalesce(length(CAST(${grants.userAgent} AS BLOB)), 0)`,
    })
    .from(grants)
    .where(lt(grants.expiresAt, cutoff))
    .orderBy(asc(grants.expiresAt), asc(grants.id))
    .limit(limit);

export const grantsPastRetention = async (db: Db, cutoff: number, limit: number) =>
  await pastRetentionQuery(db, cutoff, limit);

/** A list of ids bound as one JSON parameter (D1 binds at most 100 parameters a statement). */
const idIn = (ids: string[]) => inArray(grants.id, sql`(SELECT value FROM json_each(${JSON.stringify(ids)}))`);

/** These grants in full, in the archive's order (oldest expiry first). */
export async function archivedGrantRows(db: Db, ids: string[]): Promise<ArchivedGrant[]> {
  const { capabilityHash: _hash, ...columns } = getTableColumns(grants);
  const rows = await db.select(columns).from(grants).where(idIn(ids)).orderBy(asc(grants.expiresAt), asc(grants.id));
  return rows as ArchivedGrant[];
}

export type ArchiveRecord = { key: string; sha256: string; firstId: string; lastId: string; count: number };

/**
 * Deletes exactly the archived grants (by id, and only while still past the cutoff) and records
 * where they went, in one batch: either both happen or neither. Returns how many rows left D1.
 */
export async function deleteArchivedGrants(
  db: Db,
  ids: string[],
  cutoff: number,
  archive: ArchiveRecord,
  now: number,
): Promise<number> {
  const [deleted] = await db.batch([
    db
      .delete(grants)
      .where(and(idIn(ids), lt(grants.expiresAt, cutoff)))
      .returning({ id: grants.id }),
    db.insert(auditEvents).values({
      id: crypto.randomUUID(),
      at: now,
      action: "grants-archived",
      subject: archive.key,
      reason: `${archive.count} grants past retention archived to R2`,
      details: archive,
    }),
  ]);
  return deleted.length;
}
