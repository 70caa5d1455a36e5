// The sync's catalog writes: what the catalog already holds for a release's names, and the single
// batch (one D1 transaction) that publishes a verified release. It takes the release and the plan as
// the domain names them (domain/release-files.ts); the sync decides what to publish (sync/plan.ts).
import { compareSortKeys, displaySortKey } from "../domain/display-sort";
import { and, eq, getTableColumns, inArray, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import { bumpGeneration, stampGenerations } from "./change-log";
import {
  type CatalogFacts,
  entryDigest,
  fileKeyId,
  installerSlot,
  type ListedInstallerFile as InstallerFile,
  type ListedPackFile as PackFile,
  type ListedRelease as ReleaseManifest,
  type PackWrite,
  type ProductWrite,
  packWideFields,
  parseImageReference,
  releaseTotals,
  type StoredFile,
} from "../domain/release-files";
import { packRefId, versionSortKey } from "../domain/vocabulary";
import { historyStatements, restoreStatements } from "./key-trust";
import { chunksOf, D1_MAX_PARAMS, type Db } from "./client";
import { facetCountStatements } from "./counts/facets";
import { keepAssessedStatement } from "./layer-candidates";
import {
  distrustedKeys,
  packDependencies,
  packVersionArches,
  packVersionClouds,
  packVersionImages,
  packVersionProducts,
  packVersions,
  packVersionUseCases,
  packs,
  products,
  productVersions,
  releaseArtifacts,
  releases,
} from "./schema";

type Statement = BatchItem<"sqlite">;

// drizzle binds every column of every inserted row, so a multi-row INSERT takes fewer rows per statement.
const chunksFor = <T>(table: SQLiteTable, rows: T[]) =>
  chunksOf(rows, Math.max(1, Math.floor(D1_MAX_PARAMS / Object.keys(getTableColumns(table)).length)));

const unique = <T>(items: T[]) => [...new Set(items)];

/** Reads, at the primary, what the catalog holds for the packs, installers and products a release names. */
export async function loadCatalogFacts(db: Db, release: ReleaseManifest): Promise<CatalogFacts> {
  const packFiles = release.files.filter((f): f is PackFile => f.kind === "pack");
  const installerFiles = release.files.filter((f): f is InstallerFile => f.kind !== "pack");
  const facts: CatalogFacts = {
    packVersions: new Map(),
    packLayers: new Map(),
    artifacts: new Map(),
    products: new Map(),
    fileNames: new Map(),
    distrustedKeys: await distrustedKeyCauses(db),
  };

  for (const ids of chunksOf(unique(packFiles.map((f) => packRefId(f.pack))))) {
    const rows = await db
      .select({ id: packVersions.id, entrySha256: packVersions.entrySha256, ...trustColumns(packVersions) })
      .from(packVersions)
      .leftJoin(releases, eq(releases.id, packVersions.releaseId))
      .where(inArray(packVersions.id, ids));
    for (const { id, ...r } of rows) facts.packVersions.set(id, r);
  }
  for (const names of chunksOf(unique(packFiles.map((f) => f.pack.name)))) {
    const rows = await db
      .select({ name: packs.name, layer: packs.layer })
      .from(packs)
      .where(inArray(packs.name, names));
    for (const r of rows) facts.packLayers.set(r.name, r.layer);
  }
  const productIds = unique([...installerFiles.map((f) => f.product), ...release.products.map((p) => p.id)]);
  for (const ids of chunksOf(productIds)) {
    const known = await db
      .select({
        id: products.id,
        name: products.name,
        applianceName: products.applianceName,
        fips: products.fips,
        sortOrder: products.sortOrder,
      })
      .from(products)
      .where(inArray(products.id, ids));
    for (const { id, ...record } of known) facts.products.set(id, record);
    const rows = await db
      .select({
        productId: releaseArtifacts.productId,
        version: releaseArtifacts.version,
        kind: releaseArtifacts.kind,
        ...trustColumns(releaseArtifacts),
      })
      .from(releaseArtifacts)
      .leftJoin(releases, eq(releases.id, releaseArtifacts.releaseId))
      .where(inArray(releaseArtifacts.productId, ids));
    for (const { productId, version, kind, ...r } of rows)
      facts.artifacts.set(installerSlot(productId, version, kind), r);
  }
  await loadFileNameOwners(db, release, facts);
  return facts;
}

/** A published row's bytes and the keys its trust rests on (its own, its release's), as the plan weighs them. */
const trustColumns = (table: typeof packVersions | typeof releaseArtifacts) => ({
  sha256: table.sha256,
  size: table.size,
  keyId: table.keyId,
  releaseKeyId: releases.keyId,
  withdrawnByKey: table.withdrawnByKey,
});

/** The keys the catalog distrusts, and why: yanked by an admin, or recorded as revoked (which no settings undo). */
async function distrustedKeyCauses(db: Db): Promise<Map<string, string>> {
  const rows = await db.select({ keyId: distrustedKeys.keyId, cause: distrustedKeys.cause }).from(distrustedKeys);
  const causes = new Map<string, string>();
  for (const r of rows) causes.set(r.keyId, r.cause === "yanked" ? "an admin yanked it" : "it was revoked");
  return causes;
}

/**
 * The published pack versions and installers that use any of these file or signature names. Each
 * side of the OR is answered from its own index (migration 0018), so the cost follows the names.
 */
export const fileNameOwnersStatements = (db: Db, names: string[]) =>
  [
    db
      .select({
        id: packVersions.id,
        fileName: packVersions.fileName,
        signatureFileName: packVersions.signatureFileName,
      })
      .from(packVersions)
      .where(sql`${inArray(packVersions.fileName, names)} OR ${inArray(packVersions.signatureFileName, names)}`),
    db
      .select({
        productId: releaseArtifacts.productId,
        version: releaseArtifacts.version,
        kind: releaseArtifacts.kind,
        fileName: releaseArtifacts.fileName,
        signatureFileName: releaseArtifacts.signatureFileName,
      })
      .from(releaseArtifacts)
      .where(
        sql`${inArray(releaseArtifacts.fileName, names)} OR ${inArray(releaseArtifacts.signatureFileName, names)}`,
      ),
  ] as const;

/** Which published artifacts already use the file and signature names a release lists. */
async function loadFileNameOwners(db: Db, release: ReleaseManifest, facts: CatalogFacts): Promise<void> {
  const names = unique(release.files.flatMap((f) => [f.file, f.signature]));
  for (const slice of chunksOf(names, Math.floor((D1_MAX_PARAMS - 1) / 2))) {
    const [packRows, installerRows] = await db.batch(fileNameOwnersStatements(db, slice));
    for (const r of packRows) for (const n of [r.fileName, r.signatureFileName]) facts.fileNames.set(n, `pack ${r.id}`);
    for (const r of installerRows) {
      const owner = `the ${r.kind} of ${r.productId} ${r.version}`;
      for (const n of [r.fileName, r.signatureFileName]) facts.fileNames.set(n, owner);
    }
  }
}

/** Where the verified release.json and its signature were kept (blobs pinned by etag). */
export type ManifestCopies = Pick<
  typeof releases.$inferInsert,
  | "manifestKey"
  | "manifestEtag"
  | "manifestSize"
  | "manifestSignatureKey"
  | "manifestSignatureEtag"
  | "manifestSignatureSize"
>;

type PublishInput = {
  release: ReleaseManifest;
  /** The key whose signature over release.json verified. */
  keyId: string;
  manifest?: ManifestCopies;
  /** Each verified file's immutable copy and its signature's, by file name. */
  stored: ReadonlyMap<string, StoredFile>;
  newPacks: PackFile[];
  newInstallers: InstallerFile[];
  /** Published files this release re-signs: moved to its keys, brought back if a key incident withdrew them. */
  resigned?: (PackFile | InstallerFile)[];
  productWrites: ProductWrite[];
  /** Pack rows to create or (signed "change": "update") rewrite; without it, packs are written only when new. */
  packWrites?: PackWrite[];
  runId: string;
  now: number;
  details: unknown;
};

/** A releases row as SELECT values in the table's column order (NULL where not given). */
function claimRowValues(row: Partial<typeof releases.$inferInsert>) {
  const columns = Object.keys(getTableColumns(releases)) as (keyof typeof releases.$inferInsert)[];
  return sql.join(
    columns.map((key) => (key in row ? sql`${row[key]}` : sql`NULL`)),
    sql`, `,
  );
}

/**
 * The claim check: if this run's claim lapsed and another run took the release over, this insert hits
 * the release's primary key and the whole batch rolls back: only the claim holder can publish.
 */
function claimStatement(db: Db, releaseId: string, runId: string, now: number): Statement {
  return db.insert(releases).select(
    sql`SELECT ${claimRowValues({ id: releaseId, status: "processing", runId, claimedAt: now, attempts: 1, retriedAtAttempt: 0 })}
        WHERE NOT EXISTS (SELECT 1 FROM releases WHERE id = ${releaseId} AND run_id = ${runId} AND status = 'processing')`,
  );
}

/** The columns every signed file's row shares: names, size, checksum, its stored copies and signing key. */
const signedColumns =
  ({ release, stored, now }: PublishInput) =>
  (f: PackFile | InstallerFile) => ({
    fileName: f.file,
    size: f.size,
    sha256: f.sha256,
    signatureFileName: f.signature,
    ...stored.get(f.file)!,
    keyId: fileKeyId(release, f),
    releaseId: release.releaseId,
    publishedAt: now,
  });

type Signed = ReturnType<typeof signedColumns>;

/** Planned: a "create" inserts a new product, an explicit "update" changes one; nothing else does. */
function productStatements(db: Db, productWrites: PublishInput["productWrites"]): Statement[] {
  return productWrites.map(({ entry, change }) => {
    const row = { name: entry.name, applianceName: entry.applianceName, fips: entry.fips, sortOrder: entry.sortOrder };
    return change === "create"
      ? db.insert(products).values({ id: entry.id, ...row })
      : db.update(products).set(row).where(eq(products.id, entry.id));
  });
}

/** The new installers' product versions and release_artifacts rows. */
function installerStatements(db: Db, { release, newInstallers, now }: PublishInput, signed: Signed): Statement[] {
  const statements: Statement[] = [];
  const versionRows = new Map<string, typeof productVersions.$inferInsert>();
  for (const f of newInstallers) {
    versionRows.set(`${f.product}@${f.productVersion}`, {
      productId: f.product,
      version: f.productVersion,
      versionKey: versionSortKey(f.productVersion),
      releaseId: release.releaseId,
      publishedAt: now,
    });
  }
  // A product version may gain installers over several releases; the first release keeps it.
  for (const rows of chunksFor(productVersions, [...versionRows.values()]))
    statements.push(db.insert(productVersions).values(rows).onConflictDoNothing());
  for (const rows of chunksFor(
    releaseArtifacts,
    newInstallers.map((f) => ({ productId: f.product, version: f.productVersion, kind: f.kind, ...signed(f) })),
  )) {
    statements.push(db.insert(releaseArtifacts).values(rows));
  }
  return statements;
}

/**
 * The packs rows a release writes: a new pack's row, or a pack's shared fields where a file says
 * "change": "update". Without packWrites (callers that plan nothing), the new packs' rows are created.
 */
function packWritesOf(input: PublishInput): NonNullable<PublishInput["packWrites"]> {
  if (input.packWrites) return input.packWrites;
  const writes = new Map<string, NonNullable<PublishInput["packWrites"]>[number]>();
  for (const { pack } of input.newPacks)
    writes.set(pack.name, { name: pack.name, layer: pack.layer, fields: packWideFields(pack), change: "create" });
  return [...writes.values()];
}

/** A pack write's row fields with its place in lists, kept with it wherever a display name is written. */
const keyedFields = ({ name, fields }: NonNullable<PublishInput["packWrites"]>[number]) => ({
  ...fields,
  displaySortKey: displaySortKey(fields.displayName, name),
});

/**
 * Creates new packs rows (a pack that exists keeps its row) and applies signed updates; the layer never
 * changes. In display order: a release's new packs that land between the same two then each take the
 * next step of the gap after the one before (migration 0019), where out of order they would halve it.
 */
function packStatements(db: Db, writes: NonNullable<PublishInput["packWrites"]>): Statement[] {
  const keyed = writes.map((write) => ({ write, key: keyedFields(write).displaySortKey }));
  keyed.sort((a, b) => compareSortKeys(a.key, b.key));
  return keyed.map(({ write }) =>
    write.change === "update"
      ? db.update(packs).set(keyedFields(write)).where(eq(packs.name, write.name))
      : db
          .insert(packs)
          .values({ name: write.name, layer: write.layer, ...keyedFields(write) })
          .onConflictDoNothing({ target: packs.name }),
  );
}

/** Every product and pack metadata state this release writes, kept with it (key-reconcile.ts restores from these). */
function metadataHistoryStatements(db: Db, input: PublishInput, writes: NonNullable<PublishInput["packWrites"]>) {
  return historyStatements(db, {
    releaseId: input.release.releaseId,
    keyId: input.keyId,
    now: input.now,
    products: input.productWrites.map(({ entry }) => ({
      id: entry.id,
      data: { name: entry.name, applianceName: entry.applianceName, fips: entry.fips, sortOrder: entry.sortOrder },
    })),
    packs: writes.map((w) => ({ name: w.name, data: keyedFields(w) })),
  });
}

/**
 * Rotation: published files this release re-signs move to its key, release and signature (the
 * bytes, their blob and their metadata stay); each is stamped as published again so a mirror fetches
 * its new signature, and one a key incident withdrew comes back if nothing it rests on is distrusted.
 */
function resignStatements(db: Db, input: PublishInput): Statement[] {
  const resigned = input.resigned ?? [];
  if (!resigned.length) return [];
  const moved = (f: PackFile | InstallerFile) => {
    const copy = input.stored.get(f.file)!;
    return {
      keyId: fileKeyId(input.release, f),
      releaseId: input.release.releaseId,
      signatureKey: copy.signatureKey,
      signatureEtag: copy.signatureEtag,
      signatureSize: copy.signatureSize,
      publishedGeneration: null,
    };
  };
  const packIds = resigned.flatMap((f) => (f.kind === "pack" ? [packRefId(f.pack)] : []));
  const installerNames = resigned.flatMap((f) => (f.kind === "pack" ? [] : [f.file]));
  return [
    ...resigned.map((f) =>
      f.kind === "pack"
        ? db
            .update(packVersions)
            .set({ ...moved(f), entrySha256: entryDigest(f) })
            .where(eq(packVersions.id, packRefId(f.pack)))
        : db.update(releaseArtifacts).set(moved(f)).where(eq(releaseArtifacts.fileName, f.file)),
    ),
    ...restoreStatements(db, {
      packs: inArray(packVersions.id, sql`(SELECT value FROM json_each(${JSON.stringify(packIds)}))`),
      installers: inArray(
        releaseArtifacts.fileName,
        sql`(SELECT value FROM json_each(${JSON.stringify(installerNames)}))`,
      ),
    }),
  ];
}

/** The new pack_versions rows. */
function packVersionStatements(db: Db, newPacks: PackFile[], signed: Signed): Statement[] {
  const versionRowsForPacks = newPacks.map((f) => ({
    id: packRefId(f.pack),
    packName: f.pack.name,
    version: f.pack.version,
    versionKey: versionSortKey(f.pack.version),
    kernel: f.pack.kernel ?? null,
    eol: f.pack.eol ?? null,
    fips: f.pack.fips,
    yanked: false,
    entrySha256: entryDigest(f),
    ...signed(f),
  }));
  return chunksFor(packVersions, versionRowsForPacks).map((rows) => db.insert(packVersions).values(rows));
}

/** Each new pack version's clouds, architectures, use cases, products, dependencies and images, and their kept value. */
function packChildStatements(db: Db, newPacks: PackFile[]): Statement[] {
  const statements: Statement[] = [];
  const children = <T>(rowsOf: (f: PackFile, id: string) => T[]) =>
    newPacks.flatMap((f) => rowsOf(f, packRefId(f.pack)));
  const clouds = children((f, id) => unique(f.pack.cloudTypes).map((cloud) => ({ packVersionId: id, cloud })));
  const arches = children((f, id) => unique(f.pack.architectures).map((arch) => ({ packVersionId: id, arch })));
  const useCases = children((f, id) => unique(f.pack.useCases).map((useCase) => ({ packVersionId: id, useCase })));
  const targets = children((f, id) =>
    f.pack.products.map((p) => ({
      packVersionId: id,
      productId: p.product,
      minVersion: p.minVersion ?? null,
      maxVersion: p.maxVersion ?? null,
      minVersionKey: p.minVersion ? versionSortKey(p.minVersion) : null,
      maxVersionKey: p.maxVersion ? versionSortKey(p.maxVersion) : null,
    })),
  );
  const deps = children((f, id) =>
    f.pack.constraints.dependencies.map((d) => ({
      packVersionId: id,
      packName: d.packName,
      layer: d.layer,
      minVersion: d.minVersion ?? null,
      maxVersion: d.maxVersion ?? null,
      type: d.type,
    })),
  );
  for (const rows of chunksFor(packVersionClouds, clouds)) statements.push(db.insert(packVersionClouds).values(rows));
  for (const rows of chunksFor(packVersionArches, arches)) statements.push(db.insert(packVersionArches).values(rows));
  for (const rows of chunksFor(packVersionUseCases, useCases))
    statements.push(db.insert(packVersionUseCases).values(rows));
  for (const rows of chunksFor(packVersionProducts, targets))
    statements.push(db.insert(packVersionProducts).values(rows));
  for (const rows of chunksFor(packDependencies, deps)) statements.push(db.insert(packDependencies).values(rows));
  const images = children((f, id) =>
    (f.pack.content?.images ?? []).map((img) => ({ packVersionId: id, ...parseImageReference(img.image)! })),
  );
  for (const rows of chunksFor(packVersionImages, images)) statements.push(db.insert(packVersionImages).values(rows));
  // What the compatibility check reads of them, kept in one value from the rows just written.
  const ids = JSON.stringify(newPacks.map((f) => packRefId(f.pack)));
  statements.push(keepAssessedStatement(db, inArray(packVersions.id, sql`(SELECT value FROM json_each(${ids}))`)));
  return statements;
}

/** Marks the release published, with its key, manifest copies and totals (only this run's claim matches). */
function finishStatement(db: Db, input: PublishInput): Statement {
  const { release, runId, now } = input;
  return db
    .update(releases)
    .set({
      status: "published",
      reason: null,
      details: input.details,
      keyId: input.keyId,
      ...input.manifest,
      ...releaseTotals(release),
      finishedAt: now,
    })
    .where(and(eq(releases.id, release.releaseId), eq(releases.runId, runId)));
}

/**
 * Every statement that publishes a verified release, for one db.batch, which only the run holding
 * the release's claim can commit. pack_versions and
 * release_artifacts are plain INSERTs: if a racing run published the same name first, the whole
 * batch (a transaction) fails and nothing of this release lands.
 */
export function publishStatements(db: Db, input: PublishInput): [Statement, ...Statement[]] {
  const { release, runId, now } = input;
  const signed = signedColumns(input);
  const packWrites = packWritesOf(input);
  const touchedPacks = unique(
    [...input.newPacks, ...(input.resigned ?? [])].flatMap((f) => (f.kind === "pack" ? [f.pack.name] : [])),
  );
  return [
    claimStatement(db, release.releaseId, runId, now),
    ...productStatements(db, input.productWrites),
    ...installerStatements(db, input, signed),
    ...packStatements(db, packWrites),
    ...packVersionStatements(db, input.newPacks, signed),
    ...packChildStatements(db, input.newPacks),
    ...resignStatements(db, input),
    ...metadataHistoryStatements(db, input, packWrites),
    finishStatement(db, input),
    bumpGeneration(db),
    ...stampGenerations(db),
    ...facetCountStatements(db, { packs: touchedPacks }),
  ];
}

export async function publishRelease(db: Db, input: PublishInput): Promise<void> {
  await db.batch(publishStatements(db, input));
}
