// Grant retention: a grant stays in D1 for GRANT_RETENTION_DAYS after it expires (the admin API,
// support questions), then the scheduled job moves it to R2 as an audit record and deletes it, so
// D1 holds about retention days of grants instead of every grant ever issued (docs/capacity.md).
// Nothing is lost: each run writes its archive object first, reads back that R2 stored exactly
// those bytes (size and sha256), and only then deletes exactly the grants the object holds, in one
// batch with an audit event naming the object. A failure at any step deletes nothing and the next
// run tries again. Each run does a bounded batch, so a backlog drains over several runs instead of
// one run that never ends.
import { primary } from "../db/client";
import { type ArchivedGrant, archivedGrantRows, deleteArchivedGrants, grantsPastRetention } from "../db/grant-archive";
import { hex, sha256Hex } from "../encoding";
import { config } from "../env";
import { grantArchiveKey } from "../storage";

const DAY_MS = 86_400_000;

/**
 * Grants a run archives at most. A run reads them, serialises them and sends the ids to D1 as one
 * JSON parameter (~50 KB) of one DELETE; 2,000 rows keep each statement far under D1's 30 s per
 * query and the run's CPU to tens of ms, while the cron's 144 runs a day can move 288,000
 * grants a day: ~3x the 100k a day of docs/capacity.md, so a backlog still drains.
 */
export const GRANTS_PER_RUN = 2000;

/**
 * Bytes of grant JSON a run archives at most (the first grant always goes). A 5-pack grant is ~3.4 KB but a
 * 500-pack grant holds ~300 KB of files: without a byte bound 2,000 of those would be ~600 MB,
 * far over a Worker's 128 MB; 8 MiB (a few times that in memory while serialised) fits with room.
 */
export const ARCHIVE_BYTES_PER_RUN = 8 * 1024 * 1024;

export type RetentionLimits = { rows: number; bytes: number };

export type RetentionResult = {
  /** Grants whose expiry is before this (ms) are past retention. */
  cutoff: number;
  /** Grants archived and deleted by this run. */
  archived: number;
  /** The archive object written, when there was anything to archive. */
  key?: string;
  sha256?: string;
  /** Whether more grants past retention wait for the next run. */
  more: boolean;
};

/** One bounded retention batch: archive to R2, check the stored object, then delete exactly those grants. */
export async function archiveExpiredGrants(
  env: Env,
  now: number,
  limits: RetentionLimits = { rows: GRANTS_PER_RUN, bytes: ARCHIVE_BYTES_PER_RUN },
): Promise<RetentionResult> {
  const cutoff = now - config(env).GRANT_RETENTION_DAYS * DAY_MS;
  const db = primary(env);
  const candidates = await grantsPastRetention(db, cutoff, limits.rows);
  const chosen = batchOf(candidates, limits.bytes);
  const rows = chosen.length ? await archivedGrantRows(db, chosen) : [];
  const more = candidates.length === limits.rows || chosen.length < candidates.length;
  if (!rows.length) return { cutoff, archived: 0, more };

  const ids = rows.map((r) => r.id);
  const body = new TextEncoder().encode(ndjson(rows));
  const sha256 = await sha256Hex(body);
  const key = grantArchiveKey(new Date(rows[0].expiresAt), ids[0], ids[ids.length - 1]);
  // R2 refuses the put if the bytes it received do not hash to sha256, and (write-once) if the key
  // holds an object already: a second run over the same grants (the cron and the admin endpoint at
  // once) never replaces what the first recorded. The head then shows the bytes are there to read
  // back, as written. Only then may the rows go.
  await env.ARTIFACTS.put(key, body, {
    onlyIf: { etagDoesNotMatch: "*" },
    sha256,
    httpMetadata: { contentType: "application/x-ndjson; charset=utf-8" },
    customMetadata: { grants: String(rows.length), firstId: ids[0], lastId: ids[ids.length - 1] },
  });
  const stored = await env.ARTIFACTS.head(key);
  const storedSha = stored?.checksums.sha256 ? hex(stored.checksums.sha256) : undefined;
  if (!stored || stored.size !== body.byteLength || storedSha !== sha256)
    throw new Error(
      `grant archive ${key} is not stored as written (${stored ? "changed" : "missing"}); nothing deleted`,
    );

  const archive = { key, sha256, firstId: ids[0], lastId: ids[ids.length - 1], count: rows.length };
  const archived = await deleteArchivedGrants(db, ids, cutoff, archive, now);
  return { cutoff, archived, key, sha256, more };
}

/**
 * The grants of this run: one UTC expiry day (the first's, so an object's path names the day each of
 * its grants expired) and within the byte budget (the first always, so one huge grant still moves).
 */
function batchOf(candidates: { id: string; expiresAt: number; bytes: number }[], budget: number): string[] {
  if (!candidates.length) return [];
  const day = Math.floor(candidates[0].expiresAt / DAY_MS);
  const ids: string[] = [];
  let bytes = 0;
  for (const c of candidates) {
    if (Math.floor(c.expiresAt / DAY_MS) !== day || (ids.length && bytes + c.bytes > budget)) break;
    ids.push(c.id);
    bytes += c.bytes;
  }
  return ids;
}

/**
 * One grant per line, as GET /api/v1/admin/grants/{id} showed it (times in ms since the epoch).
 * JSON.stringify escapes newlines in client-written fields (the user agent); U+2028/U+2029, which it
 * leaves raw and some line readers split on, are escaped too, so a line is always one grant.
 */
const LINE_SEPARATORS = /[\u2028\u2029]/g;
const jsonLine = (row: ArchivedGrant) =>
  `${JSON.stringify(row).replace(LINE_SEPARATORS, (c) => `\\u${c.charCodeAt(0).toString(16)}`)}\n`;
const ndjson = (rows: ArchivedGrant[]) => rows.map(jsonLine).join("");

/**
 * The scheduled job's retention step: never throws, so it cannot fail the sync's run; a failure is
 * logged and the same grants are tried again next run (nothing was deleted).
 */
export async function retainGrants(env: Env, now = Date.now()): Promise<RetentionResult | { error: string }> {
  try {
    const result = await archiveExpiredGrants(env, now);
    if (result.archived) console.log(`grant retention: ${JSON.stringify(result)}`);
    return result;
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    console.error(`grant retention failed (retried next run): ${error}`);
    return { error };
  }
}
