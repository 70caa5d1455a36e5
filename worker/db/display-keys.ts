// Rewrites packs' display sort keys with the worker's folding (domain/display-sort.ts). Migration
// 0015 could only fold ASCII in SQL, and a key-yank restore of metadata written before 0015 does the
// same; the admin recount calls this first, so every list is in exact order again.
import { sql } from "drizzle-orm";
import { displaySortKey } from "../domain/display-sort";
import { query, runBatch } from "./batch";
import type { Db } from "./client";
import { packs } from "./schema";

/** Packs a statement rekeys: one bound JSON list each, well under D1's limits on a value. */
const REKEY_CHUNK = 500;

/** Rewrites every pack whose stored key is not the exact one; returns how many were rewritten. */
export async function rekeyDisplayNames(db: Db): Promise<number> {
  const rows = await db
    .select({ name: packs.name, displayName: packs.displayName, stored: packs.displaySortKey })
    .from(packs);
  const changed = rows
    .map((r) => [r.name, displaySortKey(r.displayName, r.name), r.stored] as const)
    .filter(([, exact, stored]) => exact !== stored)
    .map(([name, exact]) => [name, exact]);
  const statements = [];
  for (let i = 0; i < changed.length; i += REKEY_CHUNK) {
    const list = JSON.stringify(changed.slice(i, i + REKEY_CHUNK));
    // Keys end with the pack's unique name, so no new key can meet another pack's old one in the index.
    statements.push(
      query(
        sql`UPDATE packs SET display_sort_key = j.value ->> 1 FROM json_each(${list}) j WHERE packs.name = j.value ->> 0`,
      ),
    );
  }
  if (statements.length) await runBatch(db, statements);
  return changed.length;
}
