// Query functions of the download handoff: resolving a selection to catalog files, the grant audit
// trail, and API tokens. Plain functions taking the db.
import { and, desc, eq, getTableColumns, inArray, isNull, lt, sql } from "drizzle-orm";
import type { Db } from "./client";
import { apiTokens, grants } from "./downloads-schema";
import { packVersions, productVersions, releaseArtifacts, releases } from "./schema";
import { INSTALLER_KINDS, type InstallerKind } from "../domain/vocabulary";

/** What a grant hands out: an artifact and its signature as the catalog recorded them. */
export type GrantFile = {
  kind: "pack" | InstallerKind;
  /** Pack name, or the product id for installers. */
  name: string;
  version: string;
  /** The documented file name, e.g. cni-calico-3.29.2.zst. */
  file: string;
  /** The verified copy (blobs/sha256/<hex>) and the R2 etag it had when verified. */
  objectKey: string;
  objectEtag?: string;
  size: number;
  sha256: string;
  sigFile: string;
  sigKey: string;
  sigEtag?: string;
  sigSize: number;
  keyId: string;
  /** ms since epoch; the Last-Modified of both files. */
  publishedAt: number;
  /** Set for packs, so a yank after the grant still stops the download. */
  packVersionId?: string;
  /** The release whose signed manifest lists the file (absent in grants issued before it was kept). */
  releaseId?: string;
};

type SignedFileColumns = Pick<
  typeof releaseArtifacts.$inferSelect,
  | "fileName"
  | "objectKey"
  | "objectEtag"
  | "signatureEtag"
  | "size"
  | "sha256"
  | "signatureFileName"
  | "signatureKey"
  | "signatureSize"
  | "keyId"
  | "publishedAt"
  | "releaseId"
>;

/** The artifact columns installers and pack versions share, as a grant lists them. */
export const signedFile = (r: SignedFileColumns) => ({
  file: r.fileName,
  objectKey: r.objectKey,
  objectEtag: r.objectEtag,
  size: r.size,
  sha256: r.sha256,
  sigFile: r.signatureFileName,
  sigKey: r.signatureKey,
  sigEtag: r.signatureEtag,
  sigSize: r.signatureSize,
  keyId: r.keyId,
  publishedAt: r.publishedAt,
  releaseId: r.releaseId,
});

export type InstallerLookup = {
  productExists: boolean;
  files: GrantFile[];
  /** The version's installers that are yanked (by hand or by a key incident), with why. */
  yanked: { file: string; reason: string | null }[];
};

export async function findInstallerFiles(
  db: Db,
  productId: string,
  version: string,
  kinds?: InstallerKind[],
): Promise<InstallerLookup> {
  const [versions, rows] = await db.batch([
    db
      .select({ version: productVersions.version })
      .from(productVersions)
      .where(and(eq(productVersions.productId, productId), eq(productVersions.version, version))),
    db
      .select()
      .from(releaseArtifacts)
      .where(
        and(
          eq(releaseArtifacts.productId, productId),
          eq(releaseArtifacts.version, version),
          kinds?.length ? inArray(releaseArtifacts.kind, kinds) : undefined,
        ),
      ),
  ]);
  const yanked = rows.filter((r) => r.yanked).map((r) => ({ file: r.fileName, reason: r.yankReason }));
  const files = rows
    .filter((r) => !r.yanked)
    .sort((a, b) => INSTALLER_KINDS.indexOf(a.kind) - INSTALLER_KINDS.indexOf(b.kind))
    .map((r): GrantFile => ({ kind: r.kind, name: r.productId, version: r.version, ...signedFile(r) }));
  return { productExists: versions.length > 0, files, yanked };
}

export type PackRow = GrantFile & { yanked: boolean; yankReason: string | null };

/**
 * Matches pack version ids bound as one JSON list: D1 binds at most 100 parameters a statement, so
 * a list of any length is one parameter.
 */
const packVersionIdIn = (ids: string[]) =>
  inArray(packVersions.id, sql`(SELECT value FROM json_each(${JSON.stringify(ids)}))`);

/** The pack versions named `name@version`, in one statement however many there are. */
export async function findPackFiles(db: Db, ids: string[]): Promise<Map<string, PackRow>> {
  const found = new Map<string, PackRow>();
  if (!ids.length) return found;
  for (const r of await db.select().from(packVersions).where(packVersionIdIn(ids))) {
    found.set(r.id, {
      kind: "pack",
      name: r.packName,
      version: r.version,
      ...signedFile(r),
      packVersionId: r.id,
      yanked: r.yanked,
      yankReason: r.yankReason,
    });
  }
  return found;
}

export type KeptManifest = {
  releaseId: string;
  manifestKey: string;
  manifestEtag: string;
  manifestSize: number;
  signatureKey: string;
  signatureEtag: string;
  signatureSize: number;
  finishedAt: number;
  /** The key whose signature over release.json verified. */
  keyId: string | null;
};

/**
 * These releases, found by id alone: with "status = 'published'" in the WHERE the planner read every
 * published release through releases_by_status (107 rows a call at 9,979 versions), so callers check it.
 */
export const releasesByIdStatement = (db: Db, releaseIds: string[]) =>
  db
    .select()
    .from(releases)
    .where(inArray(releases.id, sql`(SELECT value FROM json_each(${JSON.stringify(releaseIds)}))`));

/** The kept release.json copies of these published releases (releases published before they were kept have none). */
export async function findKeptManifests(db: Db, releaseIds: string[]): Promise<KeptManifest[]> {
  if (!releaseIds.length) return [];
  const rows = await releasesByIdStatement(db, releaseIds);
  return rows.flatMap((r) =>
    r.status === "published" && r.manifestKey && r.manifestEtag && r.manifestSignatureKey && r.manifestSignatureEtag
      ? [
          {
            releaseId: r.id,
            manifestKey: r.manifestKey,
            manifestEtag: r.manifestEtag,
            manifestSize: r.manifestSize ?? 0,
            signatureKey: r.manifestSignatureKey,
            signatureEtag: r.manifestSignatureEtag,
            signatureSize: r.manifestSignatureSize ?? 0,
            finishedAt: r.finishedAt ?? 0,
            keyId: r.keyId,
          },
        ]
      : [],
  );
}

export async function productVersionExists(db: Db, productId: string, version: string): Promise<boolean> {
  const rows = await db
    .select({ version: productVersions.version })
    .from(productVersions)
    .where(and(eq(productVersions.productId, productId), eq(productVersions.version, version)));
  return rows.length > 0;
}

/** Which of these pack versions have been yanked since (a grant outlives nothing that is yanked). */
export async function yankedAmong(db: Db, packVersionIds: string[]): Promise<Set<string>> {
  if (!packVersionIds.length) return new Set();
  const rows = await db
    .select({ id: packVersions.id })
    .from(packVersions)
    .where(and(packVersionIdIn(packVersionIds), eq(packVersions.yanked, true)));
  return new Set(rows.map((r) => r.id));
}

/**
 * A grant's files yanked (or gone) since it listed them, as pack version ids (name@version) or
 * installer file names, and those re-signed under another key or release.
 */
/** A file's pack version or installer yanked since the grant listed it, with when and why (null: unknown now). */
export type DriftYank = { id: string; yankedAt: number | null; yankReason: string | null };
export type GrantDrift = { yanked: DriftYank[]; resigned: { file: string; keyId: string }[] };

/**
 * How a grant's files stand now, in one batch: a file is yanked if its row is yanked or gone, and
 * re-signed if its row now rests on another key or release than the grant recorded (the grant
 * would hand out the old signature, by a key the catalog moved away from).
 */
export async function grantDrift(db: Db, files: GrantFile[]): Promise<GrantDrift> {
  const packIds = files.flatMap((f) => (f.packVersionId ? [f.packVersionId] : []));
  const installerNames = files.flatMap((f) => (f.kind === "pack" ? [] : [f.file]));
  const state = {
    fileName: packVersions.fileName,
    yanked: packVersions.yanked,
    yankedAt: packVersions.yankedAt,
    yankReason: packVersions.yankReason,
    keyId: packVersions.keyId,
  };
  const [packRows, installerRows] = await db.batch([
    db
      .select({ ...state, releaseId: packVersions.releaseId })
      .from(packVersions)
      .where(packVersionIdIn(packIds)),
    db
      .select({
        fileName: releaseArtifacts.fileName,
        yanked: releaseArtifacts.yanked,
        yankedAt: releaseArtifacts.yankedAt,
        yankReason: releaseArtifacts.yankReason,
        keyId: releaseArtifacts.keyId,
        releaseId: releaseArtifacts.releaseId,
      })
      .from(releaseArtifacts)
      .where(inArray(releaseArtifacts.fileName, sql`(SELECT value FROM json_each(${JSON.stringify(installerNames)}))`)),
  ]);
  const now = new Map([...packRows, ...installerRows].map((r) => [r.fileName, r]));
  const drift: GrantDrift = { yanked: [], resigned: [] };
  for (const f of files) {
    if (f.kind === "pack" && !f.packVersionId) continue;
    const row = now.get(f.file);
    if (!row || row.yanked)
      drift.yanked.push({
        id: f.packVersionId ?? f.file,
        yankedAt: row?.yankedAt ?? null,
        yankReason: row?.yankReason ?? null,
      });
    else if (row.keyId !== f.keyId || (f.releaseId !== undefined && row.releaseId !== f.releaseId))
      drift.resigned.push({ file: f.file, keyId: row.keyId });
  }
  return drift;
}

/** Whether an installer was yanked (or is unknown) since a grant listed it. */
export async function installerYanked(
  db: Db,
  installer: { product: string; version: string; kind: InstallerKind },
): Promise<boolean> {
  const row = await db
    .select({ yanked: releaseArtifacts.yanked })
    .from(releaseArtifacts)
    .where(
      and(
        eq(releaseArtifacts.productId, installer.product),
        eq(releaseArtifacts.version, installer.version),
        eq(releaseArtifacts.kind, installer.kind),
      ),
    )
    .get();
  return row?.yanked ?? true;
}

export type GrantRecord = typeof grants.$inferSelect & { files: GrantFile[] };
export type NewGrant = typeof grants.$inferInsert;

export async function insertGrant(db: Db, grant: NewGrant): Promise<void> {
  await db.insert(grants).values(grant);
}

export async function getGrant(db: Db, id: string): Promise<GrantRecord | undefined> {
  const [row] = await db.select().from(grants).where(eq(grants.id, id));
  return row as GrantRecord | undefined;
}

/** The grant whose capability hashes to this (the capability itself is never stored). */
export async function getGrantByCapabilityHash(db: Db, capabilityHash: string): Promise<GrantRecord | undefined> {
  const [row] = await db.select().from(grants).where(eq(grants.capabilityHash, capabilityHash));
  return row as GrantRecord | undefined;
}

export type GrantSummary = Omit<GrantRecord, "files" | "capabilityHash">;

/** Newest first; `before` is the createdAt of the last row of the previous page. */
export async function listGrants(db: Db, limit: number, before?: number): Promise<GrantSummary[]> {
  const { files: _files, capabilityHash: _hash, ...columns } = getTableColumns(grants);
  return db
    .select(columns)
    .from(grants)
    .where(before === undefined ? undefined : lt(grants.createdAt, before))
    .orderBy(desc(grants.createdAt), desc(grants.id))
    .limit(limit) as Promise<GrantSummary[]>;
}

export async function revokeGrant(db: Db, id: string, now: number): Promise<boolean> {
  const rows = await db
    .update(grants)
    .set({ revoked: true, revokedAt: now })
    .where(and(eq(grants.id, id), eq(grants.revoked, false)))
    .returning({ id: grants.id });
  return rows.length > 0;
}

export type ApiTokenRecord = typeof apiTokens.$inferSelect;

export async function insertApiToken(db: Db, token: typeof apiTokens.$inferInsert): Promise<ApiTokenRecord> {
  const [row] = await db.insert(apiTokens).values(token).returning();
  return row;
}

export async function findActiveTokenByHash(db: Db, tokenHash: string): Promise<ApiTokenRecord | undefined> {
  const [row] = await db
    .select()
    .from(apiTokens)
    .where(and(eq(apiTokens.tokenHash, tokenHash), isNull(apiTokens.revokedAt)));
  return row;
}

export async function listApiTokens(db: Db): Promise<Omit<ApiTokenRecord, "tokenHash">[]> {
  const { tokenHash: _hash, ...columns } = getTableColumns(apiTokens);
  return db.select(columns).from(apiTokens).orderBy(desc(apiTokens.createdAt));
}

export async function revokeApiToken(db: Db, id: string, now: number): Promise<boolean> {
  const rows = await db
    .update(apiTokens)
    .set({ revokedAt: now })
    .where(and(eq(apiTokens.id, id), isNull(apiTokens.revokedAt)))
    .returning({ id: apiTokens.id });
  return rows.length > 0;
}

export async function touchApiToken(db: Db, id: string, now: number): Promise<void> {
  await db.update(apiTokens).set({ lastUsedAt: now }).where(eq(apiTokens.id, id));
}
