// The sync's watch over verifying Workflows: each step notes its progress on the release, the sync
// reads every release a Workflow still owns, and takes back one that stalled (with the reason kept
// in the release's history, audit_events) for a new attempt.
import { and, eq, isNotNull, sql } from "drizzle-orm";
import type { Db } from "./client";
import type { Claim } from "./releases";
import { auditEvents, releases } from "./schema";

/**
 * Notes that a step of `workflowId` is at work on the release. Only the Workflow that owns the
 * release counts: a terminated instance the engine still runs cannot make a stalled release look alive.
 */
export async function noteProgress(
  db: Db,
  id: string,
  workflowId: string,
  progress: string,
  now: number,
): Promise<void> {
  await db
    .update(releases)
    .set({ progressAt: now, progress })
    .where(and(eq(releases.id, id), eq(releases.workflowId, workflowId), eq(releases.status, "processing")));
}

/** A release a Workflow is verifying, as the watch sees it. */
export type InFlight = {
  id: string;
  workflowId: string;
  attempts: number;
  claimedAt: number;
  progressAt: number | null;
  progress: string | null;
  stallAfterMs: number | null;
};

/** Every release a Workflow owns (the releases_by_status index; as many rows as releases in flight). */
export async function inFlightReleases(db: Db): Promise<InFlight[]> {
  const rows = await db
    .select({
      id: releases.id,
      workflowId: releases.workflowId,
      attempts: releases.attempts,
      claimedAt: releases.claimedAt,
      progressAt: releases.progressAt,
      progress: releases.progress,
      stallAfterMs: releases.stallAfterMs,
    })
    .from(releases)
    .where(and(eq(releases.status, "processing"), isNotNull(releases.workflowId)));
  return rows.flatMap(({ workflowId, ...r }) => (workflowId ? [{ ...r, workflowId }] : []));
}

/**
 * Takes back a release whose Workflow stalled, for a new attempt (it counts toward the poison limit),
 * keeping why as the release's last error and in its history; only if that Workflow still owns it.
 */
export async function reclaimStalled(
  db: Db,
  release: { id: string; workflowId: string; progressAt: number | null; progress: string | null },
  runId: string,
  now: number,
  reason: string,
): Promise<Claim | null> {
  const owned = and(
    eq(releases.id, release.id),
    eq(releases.status, "processing"),
    eq(releases.workflowId, release.workflowId),
  );
  const [, claimed] = await db.batch([
    db.insert(auditEvents).select(
      db
        .select({
          id: sql`${crypto.randomUUID()}`.as("id"),
          at: sql`${now}`.as("at"),
          action: sql`'release-stalled'`.as("action"),
          subject: releases.id,
          reason: sql`${reason}`.as("reason"),
          details:
            sql`json_object('workflowId', ${release.workflowId}, 'attempt', ${releases.attempts}, 'progressAt', ${release.progressAt}, 'progress', ${release.progress})`.as(
              "details",
            ),
        })
        .from(releases)
        .where(owned),
    ),
    db
      .update(releases)
      .set({ runId, claimedAt: now, workflowId: null, reason, attempts: sql`attempts + 1` })
      .where(owned)
      .returning({
        attempts: releases.attempts,
        retriedAtAttempt: releases.retriedAtAttempt,
        lastError: releases.reason,
      }),
  ]);
  return claimed[0] ?? null;
}

/** The release's history of stalls, newest first (audit_events with action release-stalled). */
export async function stallHistory(db: Db, id: string) {
  return db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.action, "release-stalled"), eq(auditEvents.subject, id)))
    .orderBy(sql`${auditEvents.at} DESC`);
}
