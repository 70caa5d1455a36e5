// The sync's bookkeeping: claiming release folders (with a lease, so a crashed run's claim can be
// re-taken), quarantining refused releases, recording each run, and the admin views of both.
import { and, desc, eq, inArray, isNull, lt, or, sql } from "drizzle-orm";
import type { Db } from "./client";
import { chunksOf } from "./client";
import { auditEvents, releases, syncRuns, type ReleaseStatus, type SyncTrigger } from "./schema";

/** A claim older than this belongs to a run that died; another run may take the release over. */
export const CLAIM_LEASE_MS = 15 * 60 * 1000;

type ClaimState = { status: ReleaseStatus; claimedAt: number; workflowId: string | null };

/**
 * Whether a release the sync has seen may be claimed again: only a "processing" one whose lease ran
 * out and that no Workflow owns (a Workflow's release is retried by the engine, see runSync).
 */
export const isClaimable = (seen: Pick<ClaimState, "status" | "claimedAt" | "workflowId">, now: number) =>
  seen.status === "processing" && !seen.workflowId && seen.claimedAt < now - CLAIM_LEASE_MS;

export type ReleaseRow = typeof releases.$inferSelect;
type SyncRunRow = typeof syncRuns.$inferSelect;

/** Status and claim time of the given release ids that the sync has seen before. */
export async function knownReleases(db: Db, ids: string[]): Promise<Map<string, ClaimState>> {
  const known = new Map<string, ClaimState>();
  for (const slice of chunksOf(ids)) {
    const rows = await db
      .select({
        id: releases.id,
        status: releases.status,
        claimedAt: releases.claimedAt,
        workflowId: releases.workflowId,
      })
      .from(releases)
      .where(inArray(releases.id, slice));
    for (const { id, ...state } of rows) known.set(id, state);
  }
  return known;
}

/** A claim taken: how many runs have now claimed the release, and the error the previous one left. */
export type Claim = { attempts: number; retriedAtAttempt: number; lastError: string | null };

const claimColumns = {
  attempts: releases.attempts,
  retriedAtAttempt: releases.retriedAtAttempt,
  lastError: releases.reason,
};

/**
 * Claims a release for this run: a new row, or a "processing" row whose lease has run out (the
 * isClaimable rule, in SQL). One statement, so two runs racing for the same folder cannot both win.
 * Each claim counts an attempt, so a release that keeps failing can be given up (see MAX_ATTEMPTS).
 */
export async function claimAttempt(db: Db, id: string, runId: string, now: number): Promise<Claim | null> {
  const claimed = await db
    .insert(releases)
    .values({ id, status: "processing", runId, claimedAt: now, attempts: 1 })
    .onConflictDoUpdate({
      target: releases.id,
      set: {
        status: "processing",
        runId,
        claimedAt: now,
        details: null,
        finishedAt: null,
        attempts: sql`attempts + 1`,
      },
      setWhere: and(
        eq(releases.status, "processing"),
        isNull(releases.workflowId),
        lt(releases.claimedAt, now - CLAIM_LEASE_MS),
      ),
    })
    .returning(claimColumns);
  return claimed[0] ?? null;
}

/**
 * Takes back a release whose Workflow ended without an outcome (errored, terminated, or gone), for
 * a new attempt; only if that Workflow still owns it, so two runs cannot both take it.
 */
export async function reclaimFromWorkflow(
  db: Db,
  id: string,
  runId: string,
  now: number,
  workflowId: string,
): Promise<Claim | null> {
  const claimed = await db
    .update(releases)
    .set({ runId, claimedAt: now, workflowId: null, attempts: sql`attempts + 1` })
    .where(and(eq(releases.id, id), eq(releases.status, "processing"), eq(releases.workflowId, workflowId)))
    .returning(claimColumns);
  return claimed[0] ?? null;
}

/**
 * An admin's way out for a release stuck in "processing": give it back for an immediate new attempt
 * (retry), or quarantine it with the admin's reason (abandon). Returns the row as it was, or null
 * when the release is not processing.
 */
export async function releaseStuckRelease(
  db: Db,
  id: string,
  action: { retry: true } | { abandon: string; now: number },
): Promise<ReleaseRow | null> {
  const before = await getRelease(db, id);
  if (before?.status !== "processing") return null;
  const set =
    "retry" in action
      ? { claimedAt: 0, workflowId: null }
      : { status: "quarantined" as const, reason: `abandoned by an admin: ${action.abandon}`, finishedAt: action.now };
  const [changed] = await db
    .update(releases)
    .set(set)
    .where(and(eq(releases.id, id), eq(releases.status, "processing"), eq(releases.runId, before.runId)))
    .returning({ id: releases.id });
  return changed ? before : null;
}

/**
 * Puts a quarantined release back in line for the next run, with a fresh poison budget, and records
 * why it was quarantined in audit_events (the claim overwrites the row's reason). One batch: the
 * audit row is written only if the release was quarantined. Returns false if it was not.
 */
export async function requeueQuarantined(db: Db, id: string, now: number): Promise<boolean> {
  const [, requeued] = await db.batch([
    db.insert(auditEvents).select(
      db
        .select({
          id: sql`${crypto.randomUUID()}`.as("id"),
          at: sql`${now}`.as("at"),
          action: sql`'retry-release'`.as("action"),
          subject: releases.id,
          reason: sql`'an admin re-queued a quarantined release'`.as("reason"),
          details:
            sql`json_object('quarantineReason', ${releases.reason}, 'findings', json(${releases.details}), 'attempts', ${releases.attempts})`.as(
              "details",
            ),
        })
        .from(releases)
        .where(and(eq(releases.id, id), eq(releases.status, "quarantined"))),
    ),
    db
      .update(releases)
      .set({ status: "processing", claimedAt: 0, workflowId: null, finishedAt: null, retriedAtAttempt: sql`attempts` })
      .where(and(eq(releases.id, id), eq(releases.status, "quarantined")))
      .returning({ id: releases.id }),
  ]);
  return requeued.length > 0;
}

/**
 * Hands a claimed release to the Workflow instance that verifies it; its progress clock starts now,
 * and `stallAfterMs` without progress counts as stalled (worker/sync/watch.ts).
 */
export async function handToWorkflow(
  db: Db,
  id: string,
  runId: string,
  workflowId: string,
  watch: { now: number; stallAfterMs: number },
): Promise<void> {
  await db
    .update(releases)
    .set({ workflowId, progressAt: watch.now, progress: "handed to its Workflow", stallAfterMs: watch.stallAfterMs })
    .where(and(eq(releases.id, id), eq(releases.runId, runId), eq(releases.status, "processing")));
}

export const claimRelease = async (db: Db, id: string, runId: string, now: number) =>
  (await claimAttempt(db, id, runId, now)) !== null;

export async function quarantineRelease(
  db: Db,
  id: string,
  runId: string,
  outcome: { reason: string; details: unknown; fileCount?: number; totalBytes?: number; keyId?: string; now: number },
): Promise<void> {
  await db
    .update(releases)
    .set({
      status: "quarantined",
      keyId: outcome.keyId ?? null,
      reason: outcome.reason,
      details: outcome.details,
      fileCount: outcome.fileCount ?? null,
      totalBytes: outcome.totalBytes ?? null,
      finishedAt: outcome.now,
    })
    .where(and(eq(releases.id, id), eq(releases.runId, runId)));
}

/**
 * Records why a release failed unexpectedly (an outage, not a verdict) and gives its claim back at
 * once: the lease guards against runs that died, and this one did not, so the next run retries.
 */
export async function noteReleaseError(db: Db, id: string, runId: string, message: string): Promise<void> {
  await db
    .update(releases)
    .set({ reason: message, claimedAt: 0 })
    .where(and(eq(releases.id, id), eq(releases.runId, runId), eq(releases.status, "processing")));
}

export async function getRelease(db: Db, id: string): Promise<ReleaseRow | undefined> {
  return db.select().from(releases).where(eq(releases.id, id)).get();
}

export type ReleaseCursor = { claimedAt: number; id: string };

/** Newest claim first; keyset pagination on (claimed_at, id). */
export async function listReleases(
  db: Db,
  opts: { status?: ReleaseStatus; limit: number; after?: ReleaseCursor },
): Promise<{ releases: ReleaseRow[]; next: ReleaseCursor | null }> {
  const { after } = opts;
  const rows = await db
    .select()
    .from(releases)
    .where(
      and(
        opts.status ? eq(releases.status, opts.status) : undefined,
        after
          ? or(
              lt(releases.claimedAt, after.claimedAt),
              and(eq(releases.claimedAt, after.claimedAt), lt(releases.id, after.id)),
            )
          : undefined,
      ),
    )
    .orderBy(desc(releases.claimedAt), desc(releases.id))
    .limit(opts.limit + 1);
  const page = rows.slice(0, opts.limit);
  const last = page.at(-1);
  return { releases: page, next: rows.length > opts.limit && last ? { claimedAt: last.claimedAt, id: last.id } : null };
}

export async function startSyncRun(
  db: Db,
  run: { id: string; trigger: SyncTrigger; startedAt: number },
): Promise<void> {
  await db.insert(syncRuns).values(run);
}

export async function finishSyncRun(
  db: Db,
  id: string,
  outcome: {
    finishedAt: number;
    verifying: number;
    quarantined: number;
    uploading: number;
    skipped: number;
    error: string | null;
  },
): Promise<void> {
  await db.update(syncRuns).set(outcome).where(eq(syncRuns.id, id));
}

export async function listSyncRuns(db: Db, limit: number): Promise<SyncRunRow[]> {
  return db.select().from(syncRuns).orderBy(desc(syncRuns.startedAt), desc(sql`rowid`)).limit(limit);
}
