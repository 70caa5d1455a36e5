// What a key incident does to the catalog, as statements for one audited batch. A key the catalog
// no longer trusts (revoked in TRUSTED_PUBLIC_KEYS, or yanked by an admin) withdraws every pack
// version and installer whose trust rests on it (its own .sig.bin, or its release's manifest) and
// names itself on them, so a re-signed release can bring them back; and it restores every product and
// pack it wrote metadata for to the last state a trusted key wrote (metadata_history).
import { and, eq, inArray, isNotNull, or, type SQL, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { bumpGeneration, stampGenerations } from "./change-log";
import type { Db } from "./client";
import { facetCountStatements } from "./counts/facets";
import {
  auditEvents,
  distrustedKeys,
  metadataHistory,
  packs,
  packVersions,
  products,
  releaseArtifacts,
  releases,
} from "./schema";

type Statement = BatchItem<"sqlite">;

/** Every key the catalog no longer trusts, as a subquery. */
const DISTRUSTED = sql`(SELECT key_id FROM distrusted_keys)`;

const releasesSignedBy = (db: Db, keyId: string) =>
  db.select({ id: releases.id }).from(releases).where(eq(releases.keyId, keyId));

/** Pack versions whose trust rests on a key: their own signature or their release's manifest. */
export const packsUnder = (db: Db, keyId: string) =>
  or(eq(packVersions.keyId, keyId), inArray(packVersions.releaseId, releasesSignedBy(db, keyId)))!;
export const installersUnder = (db: Db, keyId: string) =>
  or(eq(releaseArtifacts.keyId, keyId), inArray(releaseArtifacts.releaseId, releasesSignedBy(db, keyId)))!;

/**
 * Withdraws what rests on a key and is still offered, naming the key (what a yank by hand never
 * does), with the reason the changes feed and the pages show.
 */
export function withdrawStatements(db: Db, keyId: string, reason: string, now: number) {
  const withdrawn = { yanked: true, yankedAt: now, yankReason: reason, withdrawnByKey: keyId };
  return [
    db
      .update(packVersions)
      .set(withdrawn)
      .where(and(packsUnder(db, keyId), eq(packVersions.yanked, false)))
      .returning({ id: packVersions.id, packName: packVersions.packName }),
    db
      .update(releaseArtifacts)
      .set(withdrawn)
      .where(and(installersUnder(db, keyId), eq(releaseArtifacts.yanked, false)))
      .returning({ fileName: releaseArtifacts.fileName }),
  ] as const;
}

/** Neither the row's own key nor its release's key is distrusted. */
const trustedAgain = (table: typeof packVersions | typeof releaseArtifacts) =>
  sql`${table.keyId} NOT IN ${DISTRUSTED} AND ${table.releaseId} NOT IN (SELECT id FROM releases WHERE key_id IN ${DISTRUSTED})`;

const restored = {
  yanked: false,
  yankedAt: null,
  yankReason: null,
  withdrawnByKey: null,
  yankedGeneration: null,
  // Stamped again by stampGenerations: a mirror sees it (and its new signature) as published anew.
  publishedGeneration: null,
};

/**
 * Brings back what a key incident withdrew once nothing it rests on is distrusted any more (moved
 * to a new key by a re-signed release); `scope` narrows the rows.
 * A version yanked by hand (withdrawn_by_key NULL) stays yanked.
 */
export function restoreStatements(db: Db, scope: { packs: SQL; installers: SQL }) {
  return [
    db
      .update(packVersions)
      .set(restored)
      .where(and(isNotNull(packVersions.withdrawnByKey), trustedAgain(packVersions), scope.packs))
      .returning({ id: packVersions.id }),
    db
      .update(releaseArtifacts)
      .set(restored)
      .where(and(isNotNull(releaseArtifacts.withdrawnByKey), trustedAgain(releaseArtifacts), scope.installers))
      .returning({ fileName: releaseArtifacts.fileName }),
  ] as const;
}

type Subject = "product" | "pack";

/** The newest history row of the subject on `idColumn` written by a key still trusted (or before history). */
const latestTrusted = (kind: Subject, idColumn: SQL | typeof products.id | typeof packs.name) =>
  sql`(SELECT max(h.seq) FROM metadata_history h WHERE h.subject_kind = ${kind} AND h.subject_id = ${idColumn}
    AND (h.key_id IS NULL OR h.key_id NOT IN ${DISTRUSTED}))`;

const restoredField = (kind: Subject, idColumn: typeof products.id | typeof packs.name, path: string) =>
  sql`(SELECT json_extract(t.data, ${path}) FROM metadata_history t WHERE t.seq = ${latestTrusted(kind, idColumn)})`;

/** Subjects a key ever wrote metadata for. */
const writtenBy = (kind: Subject, keyId: string) =>
  sql`(SELECT subject_id FROM metadata_history WHERE subject_kind = ${kind} AND key_id = ${keyId})`;

/**
 * Puts every product and pack a now distrusted key wrote metadata for back to the last state a
 * trusted key wrote (a subject the key created has none, and keeps its row, with nothing offered
 * under it). Runs after the key is recorded in distrusted_keys, in the same batch. The packs_search
 * triggers re-index what changes, so search no longer finds the key's text.
 */
export function metadataRestoreStatements(db: Db, keyId: string) {
  const product = (path: string) => restoredField("product", products.id, path);
  const pack = (path: string) => restoredField("pack", packs.name, path);
  return [
    db
      .update(products)
      .set({
        name: product("$.name"),
        applianceName: product("$.applianceName"),
        fips: product("$.fips"),
        sortOrder: product("$.sortOrder"),
      })
      .where(
        and(sql`${products.id} IN ${writtenBy("product", keyId)}`, isNotNull(latestTrusted("product", products.id))),
      )
      .returning({ id: products.id }),
    db
      .update(packs)
      .set({
        displayName: pack("$.displayName"),
        addonType: pack("$.addonType"),
        description: pack("$.description"),
        source: pack("$.source"),
        // History written before display sort keys: SQL's ASCII fold (an admin recount makes it exact).
        displaySortKey: sql`coalesce(${pack("$.displaySortKey")}, lower(trim(${pack("$.displayName")})) || char(1) || ${packs.name})`,
      })
      .where(and(sql`${packs.name} IN ${writtenBy("pack", keyId)}`, isNotNull(latestTrusted("pack", packs.name))))
      .returning({ name: packs.name }),
  ] as const;
}

export type ProductMetadata = { name: string; applianceName: string; fips: boolean; sortOrder: number };
export type PackMetadata = {
  displayName: string;
  addonType: string | null;
  description: string;
  source: string;
  /** Kept since migration 0015, so a restore puts the pack back in its place (domain/display-sort.ts). */
  displaySortKey?: string;
};

/** The history rows a publish adds for the product and pack metadata it writes. */
export function historyStatements(
  db: Db,
  written: {
    releaseId: string;
    keyId: string;
    now: number;
    products: { id: string; data: ProductMetadata }[];
    packs: { name: string; data: PackMetadata }[];
  },
): Statement[] {
  const rows = [
    ...written.products.map((p) => ({ subjectKind: "product" as const, subjectId: p.id, data: p.data })),
    ...written.packs.map((p) => ({ subjectKind: "pack" as const, subjectId: p.name, data: p.data })),
  ].map((r) => ({ ...r, releaseId: written.releaseId, keyId: written.keyId, at: written.now }));
  // Seven columns a row: 14 rows stay under D1's 100 bound parameters.
  const statements: Statement[] = [];
  for (let i = 0; i < rows.length; i += 14) statements.push(db.insert(metadataHistory).values(rows.slice(i, i + 14)));
  return statements;
}

export type KeyIncident = {
  keyId: string;
  cause: "revoked" | "yanked";
  reason: string;
  now: number;
  auditId: string;
  action: string;
};

/**
 * The whole incident as one batch: withdraw, record the key as distrusted, restore metadata, the
 * audit record (only the first time this key and cause are recorded, so a racing second reconcile
 * leaves no second record), the new generation and the kept counts.
 */
export function incidentStatements(db: Db, incident: KeyIncident) {
  const { keyId, cause, reason, now } = incident;
  const [packsOut, installersOut] = withdrawStatements(db, keyId, reason, now);
  const [productsBack, packsBack] = metadataRestoreStatements(db, keyId);
  const firstTime = sql`NOT EXISTS (SELECT 1 FROM distrusted_keys WHERE key_id = ${keyId} AND cause = ${cause})`;
  const details = sql`json_object(
      'packVersions', (SELECT json_group_array(id) FROM pack_versions WHERE withdrawn_by_key = ${keyId} AND yanked_generation IS NULL),
      'installers', (SELECT json_group_array(file_name) FROM release_artifacts WHERE withdrawn_by_key = ${keyId} AND yanked_generation IS NULL))`;
  return [
    packsOut,
    installersOut,
    db
      .insert(auditEvents)
      .select(
        sql`SELECT ${incident.auditId}, ${now}, ${incident.action}, ${keyId}, ${reason}, ${details} WHERE ${firstTime}`,
      ),
    db.insert(distrustedKeys).values({ keyId, cause, at: now, reason }).onConflictDoNothing(),
    productsBack,
    packsBack,
    bumpGeneration(db),
    ...stampGenerations(db),
    ...facetCountStatements(db, { signedUnder: keyId }),
  ] as const;
}

/** The keys recorded as revoked when the catalog was last reconciled with TRUSTED_PUBLIC_KEYS. */
export async function revokedOnRecord(db: Db): Promise<string[]> {
  const rows = await db
    .select({ keyId: distrustedKeys.keyId })
    .from(distrustedKeys)
    .where(eq(distrustedKeys.cause, "revoked"));
  return rows.map((r) => r.keyId).sort();
}

/** Records a key incident and everything it withdraws, in one batch (one transaction). */
export async function recordIncident(db: Db, incident: KeyIncident): Promise<void> {
  await db.batch(incidentStatements(db, incident));
}
