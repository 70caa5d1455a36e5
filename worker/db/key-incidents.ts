// Incident response for a signing key ("key X leaked, pull everything it signed"): list what the
// catalog holds under a key, and yank all of it in one batch with an audit record. A file counts as
// signed by a key if its own .sig.bin was made with it or if its release's manifest was.
import { and, eq, sql } from "drizzle-orm";
import { bumpGeneration } from "./change-log";
import { stampGenerations } from "./change-log";
import type { Db } from "./client";
import { incidentStatements, installersUnder, packsUnder } from "./key-trust";
import { auditEvents, packVersions, releaseArtifacts, releases } from "./schema";

const releasesSignedBy = (db: Db, keyId: string) =>
  db.select({ id: releases.id }).from(releases).where(eq(releases.keyId, keyId));

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

export type KeyYank = {
  keyId: string;
  auditId: string;
  packVersionsYanked: number;
  installersYanked: number;
  /** Products and packs put back to the last metadata a trusted key wrote. */
  metadataRestored: { products: string[]; packs: string[] };
};

/**
 * Yanks every pack version and installer signed under a key, restores the product and pack metadata
 * it wrote, and records the key as distrusted, in one transaction with an audit record. A re-signed
 * release by a trusted key brings the versions back (see key-reconcile.ts).
 */
export async function yankSignedByKey(db: Db, keyId: string, reason: string, now: number): Promise<KeyYank> {
  const auditId = crypto.randomUUID();
  const [packs, installers, , , productsBack, packsBack] = await db.batch(
    incidentStatements(db, { keyId, cause: "yanked", reason, now, auditId, action: "yank-key" }),
  );
  // A second yank of the same key writes no second audit record; its answer names the first.
  const audit = await db
    .select({ id: auditEvents.id })
    .from(auditEvents)
    .where(and(eq(auditEvents.action, "yank-key"), eq(auditEvents.subject, keyId)))
    .orderBy(sql`${auditEvents.at} DESC`)
    .get();
  return {
    keyId,
    auditId: audit?.id ?? auditId,
    packVersionsYanked: packs.length,
    installersYanked: installers.length,
    metadataRestored: { products: productsBack.map((p) => p.id), packs: packsBack.map((p) => p.name) },
  };
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
