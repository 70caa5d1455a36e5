// Incident response for a signing key ("key X leaked, pull everything it signed"): list what the
// catalog holds under a key, and yank all of it in one batch with an audit record. A file counts as
// signed by a key if its own .sig.bin was made with it or if its release's manifest was.
import { and, eq, inArray, or, sql } from "drizzle-orm";
import { bumpGeneration } from "./changes";
import { stampGenerations } from "./changes";
import type { Db } from "./client";
import { facetCountStatements } from "./counts/facets";
import { auditEvents, packVersions, releaseArtifacts, releases } from "./schema";

const releasesSignedBy = (db: Db, keyId: string) =>
  db.select({ id: releases.id }).from(releases).where(eq(releases.keyId, keyId));

const packsUnder = (db: Db, keyId: string) =>
  or(eq(packVersions.keyId, keyId), inArray(packVersions.releaseId, releasesSignedBy(db, keyId)));
const installersUnder = (db: Db, keyId: string) =>
  or(eq(releaseArtifacts.keyId, keyId), inArray(releaseArtifacts.releaseId, releasesSignedBy(db, keyId)));

export type SignedByKey = {
  keyId: string;
  releases: string[];
  packVersions: { id: string; fileName: string; yanked: boolean }[];
  installers: { product: string; version: string; kind: string; fileName: string; yanked: boolean }[];
};

export async function publishedUnderKey(db: Db, keyId: string): Promise<SignedByKey> {
  const [releaseRows, packRows, installerRows] = await db.batch([
    releasesSignedBy(db, keyId),
    db
      .select({ id: packVersions.id, fileName: packVersions.fileName, yanked: packVersions.yanked })
      .from(packVersions)
      .where(packsUnder(db, keyId))
      .orderBy(packVersions.id),
    db
      .select({
        product: releaseArtifacts.productId,
        version: releaseArtifacts.version,
        kind: releaseArtifacts.kind,
        fileName: releaseArtifacts.fileName,
        yanked: releaseArtifacts.yanked,
      })
      .from(releaseArtifacts)
      .where(installersUnder(db, keyId))
      .orderBy(releaseArtifacts.fileName),
  ]);
  return { keyId, releases: releaseRows.map((r) => r.id), packVersions: packRows, installers: installerRows };
}

export type KeyYank = { keyId: string; auditId: string; packVersionsYanked: number; installersYanked: number };

/** Yanks every pack version and installer signed under a key, in one transaction, and audits it. */
export async function yankSignedByKey(db: Db, keyId: string, reason: string, now: number): Promise<KeyYank> {
  const auditId = crypto.randomUUID();
  const yank = { yanked: true, yankedAt: now, yankReason: reason };
  const [packs, installers] = await db.batch([
    db
      .update(packVersions)
      .set(yank)
      .where(and(packsUnder(db, keyId), eq(packVersions.yanked, false)))
      .returning({ id: packVersions.id }),
    db
      .update(releaseArtifacts)
      .set(yank)
      .where(and(installersUnder(db, keyId), eq(releaseArtifacts.yanked, false)))
      .returning({ fileName: releaseArtifacts.fileName }),
    bumpGeneration(db),
    ...stampGenerations(db),
    // The pack counts move with the yank, in the same transaction (see facets.ts).
    ...facetCountStatements(db, { signedUnder: keyId }),
  ]);
  const result = { keyId, auditId, packVersionsYanked: packs.length, installersYanked: installers.length };
  await db.insert(auditEvents).values({
    id: auditId,
    at: now,
    action: "yank-key",
    subject: keyId,
    reason,
    details: { packVersions: packs.map((p) => p.id), installers: installers.map((i) => i.fileName) },
  });
  return result;
}

/** Yanks one installer (it leaves the product page, downloads refuse it); null if unknown. */
export async function yankInstaller(
  db: Db,
  installer: { product: string; version: string; kind: (typeof releaseArtifacts.$inferSelect)["kind"] },
  reason: string,
  now: number,
): Promise<{ fileName: string; yanked: true; yankedAt: number; yankReason: string; changed: boolean } | null> {
  const where = and(
    eq(releaseArtifacts.productId, installer.product),
    eq(releaseArtifacts.version, installer.version),
    eq(releaseArtifacts.kind, installer.kind),
  );
  const [updated] = await db.batch([
    db
      .update(releaseArtifacts)
      .set({ yanked: true, yankedAt: now, yankReason: reason })
      .where(and(where, eq(releaseArtifacts.yanked, false)))
      .returning({ fileName: releaseArtifacts.fileName }),
    bumpGeneration(db),
    ...stampGenerations(db),
  ]);
  const row = await db
    .select({
      fileName: releaseArtifacts.fileName,
      yankedAt: releaseArtifacts.yankedAt,
      yankReason: releaseArtifacts.yankReason,
    })
    .from(releaseArtifacts)
    .where(where)
    .get();
  if (!row) return null;
  return {
    fileName: row.fileName,
    yanked: true,
    yankedAt: row.yankedAt ?? now,
    yankReason: row.yankReason ?? reason,
    changed: updated.length === 1,
  };
}

export const auditTrail = (db: Db, limit: number) =>
  db.select().from(auditEvents).orderBy(sql`${auditEvents.at} DESC`).limit(limit);
