// Yanking one pack version (the admin API): it leaves the catalog and downloads refuse it, in the
// same batch that bumps the catalog generation and its facet counts; the row stays for the record.
import { and, desc, eq, inArray, sql } from "drizzle-orm";
import { packRefId } from "../domain/vocabulary";
import type { YankRecord } from "../domain/yank-words";
import { bumpGeneration, stampGenerations } from "./change-log";
import type { Db } from "./client";
import { facetCountStatements } from "./counts/facets";
import { packVersions } from "./schema";

/** What a yank answers (the admin API's YankedPackVersion). */
export type YankedPackVersion = {
  name: string;
  version: string;
  yanked: true;
  yankedAt: number;
  yankReason: string;
  changed: boolean;
};

/** Yanks a pack version (it leaves the catalog, downloads refuse it, the row stays); null if unknown. */
export async function yankPackVersion(
  db: Db,
  name: string,
  version: string,
  reason: string,
  now: number,
): Promise<YankedPackVersion | null> {
  const id = packRefId({ name, version });
  const current = async () =>
    db
      .select({ yanked: packVersions.yanked, yankedAt: packVersions.yankedAt, yankReason: packVersions.yankReason })
      .from(packVersions)
      .where(eq(packVersions.id, id))
      .get();
  const before = await current();
  if (!before) return null;
  let after: { yankedAt: number | null; yankReason: string | null } | undefined = before;
  let changed = false;
  if (!before.yanked) {
    const [update] = await db.batch([
      db
        .update(packVersions)
        .set({ yanked: true, yankedAt: now, yankReason: reason })
        .where(and(eq(packVersions.id, id), eq(packVersions.yanked, false)))
        .returning({ id: packVersions.id }),
      bumpGeneration(db),
      ...stampGenerations(db),
      ...facetCountStatements(db, { packs: [name] }),
    ]);
    changed = update.length === 1;
    // Not changed here means a concurrent yank won the race: its time and reason stand, so read them back.
    after = changed ? { yankedAt: now, yankReason: reason } : await current();
  }
  return {
    name,
    version,
    yanked: true,
    yankedAt: after?.yankedAt ?? now,
    yankReason: after?.yankReason ?? reason,
    changed,
  };
}

const yankColumns = {
  name: packVersions.packName,
  version: packVersions.version,
  yankedAt: packVersions.yankedAt,
  yankReason: packVersions.yankReason,
};

/** A pack's yanked versions, newest yank first. */
export async function yankedVersionsOf(db: Db, name: string): Promise<YankRecord[]> {
  return db
    .select(yankColumns)
    .from(packVersions)
    .where(and(eq(packVersions.packName, name), eq(packVersions.yanked, true)))
    .orderBy(desc(packVersions.yankedAt));
}

/** The yank records of these `name@version` ids (those not yanked are left out). */
export async function yankRecords(db: Db, ids: readonly string[]): Promise<YankRecord[]> {
  if (!ids.length) return [];
  return db
    .select(yankColumns)
    .from(packVersions)
    .where(
      and(
        inArray(packVersions.id, sql`(SELECT value FROM json_each(${JSON.stringify(ids)}))`),
        eq(packVersions.yanked, true),
      ),
    );
}
