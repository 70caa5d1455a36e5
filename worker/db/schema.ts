// The catalog's D1 schema. drizzle-kit turns this file into the flat SQL files in migrations/,
// which wrangler applies locally and in production and the tests apply inside workerd.
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { ARCHES, DEPENDENCY_TYPES, INSTALLER_KINDS, LAYERS, USE_CASES } from "../domain/vocabulary";

const now = sql`(unixepoch('subsec') * 1000)`;

/**
 * Where a published artifact's verified bytes live: object_key and signature_key are immutable,
 * content-addressed keys (blobs/sha256/<hex>), and the etags are those R2 gave the verified copies.
 * Every read names the etag (onlyIf), so bytes that changed since verification are never served.
 */
const pinnedObjects = () => ({
  objectEtag: text("object_etag").notNull().default(""),
  signatureEtag: text("signature_etag").notNull().default(""),
});

/**
 * The catalog generation whose publish or yank brought the artifact in or took it out (set in the
 * same batch that bumps the generation), so /api/v1/changes can list what changed after a generation.
 */
const generationColumns = () => ({
  publishedGeneration: integer("published_generation"),
  yankedGeneration: integer("yanked_generation"),
});

/**
 * A yanked artifact leaves the catalog and downloads refuse it; its row stays for the record.
 * `withdrawnByKey` names the key whose revocation or yank withdrew it (NULL for a yank by hand): a
 * re-signed release brings such a version back (worker/db/key-trust.ts).
 */
const yankColumns = () => ({
  yanked: integer("yanked", { mode: "boolean" }).notNull().default(false),
  yankedAt: integer("yanked_at"),
  yankReason: text("yank_reason"),
  withdrawnByKey: text("withdrawn_by_key"),
});

/** Palette Enterprise, Palette VerteX. */
export const products = sqliteTable("products", {
  id: text("id").primaryKey(), // slug, e.g. "palette-enterprise"
  name: text("name").notNull(), // "Palette Enterprise"
  applianceName: text("appliance_name").notNull(), // "Palette Enterprise Appliance"
  fips: integer("fips", { mode: "boolean" }).notNull().default(false),
  sortOrder: integer("sort_order").notNull().default(0),
});

export const productVersions = sqliteTable(
  "product_versions",
  {
    productId: text("product_id")
      .notNull()
      .references(() => products.id),
    version: text("version").notNull(),
    /** Zero-padded numeric key (see versionSortKey) so SQL can order and compare versions. */
    versionKey: text("version_key").notNull(),
    releaseId: text("release_id").notNull(),
    publishedAt: integer("published_at").notNull().default(now),
  },
  (t) => [
    primaryKey({ columns: [t.productId, t.version] }),
    index("product_versions_by_key").on(t.productId, t.versionKey),
  ],
);

/** A product version's installers: content bundle (.tar.zst), appliance ISO, Helm chart; each signed. */
export const releaseArtifacts = sqliteTable(
  "release_artifacts",
  {
    productId: text("product_id").notNull(),
    version: text("version").notNull(),
    kind: text("kind", { enum: INSTALLER_KINDS }).notNull(),
    fileName: text("file_name").notNull(),
    objectKey: text("object_key").notNull(),
    size: integer("size").notNull(),
    sha256: text("sha256").notNull(),
    signatureFileName: text("signature_file_name").notNull(),
    signatureKey: text("signature_key").notNull(),
    signatureSize: integer("signature_size").notNull(),
    keyId: text("key_id").notNull(),
    releaseId: text("release_id").notNull(),
    publishedAt: integer("published_at").notNull().default(now),
    ...pinnedObjects(),
    ...yankColumns(),
    ...generationColumns(),
  },
  (t) => [
    primaryKey({ columns: [t.productId, t.version, t.kind] }),
    uniqueIndex("release_artifacts_file_name").on(t.fileName),
    index("release_artifacts_by_key").on(t.keyId),
    index("release_artifacts_by_published_generation").on(t.publishedGeneration),
    // Partial (migration 0018): only stamped rows, so a stamp's "IS NULL" takes the index below.
    index("release_artifacts_by_yanked_generation").on(t.yankedGeneration).where(sql`yanked_generation IS NOT NULL`),
    index("release_artifacts_unstamped_yanks").on(t.fileName).where(sql`yanked = 1 AND yanked_generation IS NULL`),
    index("release_artifacts_by_signature_file_name").on(t.signatureFileName),
    index("release_artifacts_by_release").on(t.releaseId),
  ],
);

/** One row per pack name; the version-independent part of pack.json. */
export const packs = sqliteTable(
  "packs",
  {
    name: text("name").primaryKey(),
    displayName: text("display_name").notNull(),
    layer: text("layer", { enum: LAYERS }).notNull(),
    addonType: text("addon_type"),
    description: text("description").notNull().default(""),
    source: text("source").notNull().default("spectrocloud"), // annotations.source
    /**
     * Where the pack sits in every list: its display name folded for ordering, then its name
     * (displaySortKey in domain/display-sort.ts, the only writer). Unique, so a listing pages by it alone.
     */
    displaySortKey: text("display_sort_key").notNull(),
    /**
     * The same place as an integer with gaps, the rowid of the pack's entry in pack_search_ordered,
     * so a search reads its matches in display order. Written by migration 0019's triggers only.
     */
    displayRank: integer("display_rank"),
  },
  (t) => [
    index("packs_by_layer").on(t.layer, t.name),
    uniqueIndex("packs_by_display").on(t.displaySortKey),
    uniqueIndex("packs_by_display_rank").on(t.displayRank),
    index("packs_by_layer_display").on(t.layer, t.displaySortKey),
  ],
);

/** One published, signed pack artifact `<name>-<version>.zst`. Never changes once published. */
export const packVersions = sqliteTable(
  "pack_versions",
  {
    id: text("id").primaryKey(), // `${name}@${version}`: a natural key lets one batch insert children
    packName: text("pack_name")
      .notNull()
      .references(() => packs.name),
    version: text("version").notNull(),
    versionKey: text("version_key").notNull(),
    kernel: text("kernel"),
    eol: text("eol"), // ISO date, when the pack reaches end of life
    fips: integer("fips", { mode: "boolean" }).notNull().default(false),
    fileName: text("file_name").notNull(),
    objectKey: text("object_key").notNull(),
    size: integer("size").notNull(),
    sha256: text("sha256").notNull(),
    signatureFileName: text("signature_file_name").notNull(),
    signatureKey: text("signature_key").notNull(),
    signatureSize: integer("signature_size").notNull(),
    keyId: text("key_id").notNull(),
    releaseId: text("release_id").notNull(),
    publishedAt: integer("published_at").notNull().default(now),
    /** sha256 of its signed release.json entry without keys and pack-wide fields (see entryDigest). */
    entrySha256: text("entry_sha256"),
    /**
     * Its child lists as the compatibility check reads them, in one value (layer-candidates.ts
     * assessedFromChildLists; migration 0020), written in the batch that writes them.
     */
    assessed: text("assessed"),
    ...pinnedObjects(),
    ...yankColumns(),
    ...generationColumns(),
  },
  (t) => [
    uniqueIndex("pack_versions_name_version").on(t.packName, t.version),
    index("pack_versions_by_published_generation").on(t.publishedGeneration),
    index("pack_versions_by_yanked_generation").on(t.yankedGeneration).where(sql`yanked_generation IS NOT NULL`),
    index("pack_versions_unstamped_yanks").on(t.id).where(sql`yanked = 1 AND yanked_generation IS NULL`),
    index("pack_versions_by_signature_file_name").on(t.signatureFileName),
    uniqueIndex("pack_versions_file_name").on(t.fileName),
    index("pack_versions_by_key").on(t.keyId),
    index("pack_versions_by_pack").on(t.packName, t.yanked, t.versionKey),
    index("pack_versions_by_fips").on(t.fips, t.packName),
    // A key incident finds the versions its leaked key's releases brought in (key-incidents.ts).
    index("pack_versions_by_release").on(t.releaseId),
  ],
);

export const packVersionClouds = sqliteTable(
  "pack_version_clouds",
  {
    packVersionId: text("pack_version_id")
      .notNull()
      .references(() => packVersions.id),
    cloud: text("cloud").notNull(), // a Cloud, or "all"
  },
  (t) => [primaryKey({ columns: [t.packVersionId, t.cloud] }), index("clouds_by_cloud").on(t.cloud, t.packVersionId)],
);

export const packVersionArches = sqliteTable(
  "pack_version_arches",
  {
    packVersionId: text("pack_version_id")
      .notNull()
      .references(() => packVersions.id),
    arch: text("arch", { enum: ARCHES }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.packVersionId, t.arch] }), index("arches_by_arch").on(t.arch, t.packVersionId)],
);

export const packVersionUseCases = sqliteTable(
  "pack_version_use_cases",
  {
    packVersionId: text("pack_version_id")
      .notNull()
      .references(() => packVersions.id),
    useCase: text("use_case", { enum: USE_CASES }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.packVersionId, t.useCase] }),
    index("use_cases_by_use_case").on(t.useCase, t.packVersionId),
  ],
);

/** The products, and the product-version range (inclusive, either end open), a pack version is published for. */
export const packVersionProducts = sqliteTable(
  "pack_version_products",
  {
    packVersionId: text("pack_version_id")
      .notNull()
      .references(() => packVersions.id),
    productId: text("product_id").notNull(),
    minVersion: text("min_version"),
    maxVersion: text("max_version"),
    minVersionKey: text("min_version_key"),
    maxVersionKey: text("max_version_key"),
  },
  (t) => [
    primaryKey({ columns: [t.packVersionId, t.productId] }),
    index("products_by_product").on(t.productId, t.packVersionId),
  ],
);

/** pack.json constraints.dependencies[]. Without min/max no version check is made. */
export const packDependencies = sqliteTable(
  "pack_dependencies",
  {
    packVersionId: text("pack_version_id")
      .notNull()
      .references(() => packVersions.id),
    packName: text("pack_name").notNull(),
    layer: text("layer", { enum: LAYERS }).notNull(),
    minVersion: text("min_version"),
    maxVersion: text("max_version"),
    type: text("type", { enum: DEPENDENCY_TYPES }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.packVersionId, t.packName, t.type] }),
    index("dependencies_by_target").on(t.packName),
  ],
);

/**
 * The container images a pack version ships (pack.json content.images, from its signed release
 * manifest): `repository[:tag]@sha256:<hex>`, indexed by repository (and tag), tag and digest so
 * "which pack versions ship image X?" is an index lookup.
 */
export const packVersionImages = sqliteTable(
  "pack_version_images",
  {
    packVersionId: text("pack_version_id")
      .notNull()
      .references(() => packVersions.id),
    reference: text("reference").notNull(), // repository[:tag]@sha256:<hex>, as declared
    repository: text("repository").notNull(), // in full, as container tools read it (docker.io/library/nginx)
    tag: text("tag"),
    digest: text("digest").notNull(), // sha256:<hex>
  },
  (t) => [
    primaryKey({ columns: [t.packVersionId, t.reference] }),
    index("images_by_repository").on(t.repository, t.tag),
    index("images_by_tag").on(t.tag),
    index("images_by_digest").on(t.digest),
  ],
);

/** A single row whose generation each publish or yank bumps; catalog ETags derive from it. */
export const catalogState = sqliteTable("catalog_state", {
  id: integer("id").primaryKey(),
  generation: integer("generation").notNull().default(0),
  updatedAt: integer("updated_at").notNull().default(now),
});

export const RELEASE_STATUSES = ["processing", "published", "quarantined"] as const;
export type ReleaseStatus = (typeof RELEASE_STATUSES)[number];
/** What started a sync run: the Cron Trigger or POST /api/v1/admin/sync. */
export const SYNC_TRIGGERS = ["cron", "admin"] as const;
export type SyncTrigger = (typeof SYNC_TRIGGERS)[number];

/** Every release folder the sync has claimed, with its outcome; the quarantine lives here. */
export const releases = sqliteTable(
  "releases",
  {
    id: text("id").primaryKey(), // the folder name under incoming/
    status: text("status", { enum: RELEASE_STATUSES }).notNull(),
    reason: text("reason"), // why it was quarantined, one line
    details: text("details", { mode: "json" }), // per-file findings
    fileCount: integer("file_count"),
    totalBytes: integer("total_bytes"),
    runId: text("run_id").notNull(),
    claimedAt: integer("claimed_at").notNull(),
    finishedAt: integer("finished_at"),
    /** How many runs have claimed it; a release that keeps failing is quarantined (poison). */
    attempts: integer("attempts").notNull().default(0),
    /**
     * `attempts` when an admin last re-queued it from quarantine: the poison budget counts from here,
     * while attempts keep numbering the Workflow instances (their ids must never repeat).
     */
    retriedAtAttempt: integer("retried_at_attempt").notNull().default(0),
    /** The trusted key whose signature over release.json verified. */
    keyId: text("key_id"),
    /** The Workflow instance verifying it (worker/sync/workflow.ts); the engine, not a lease, owns it. */
    workflowId: text("workflow_id"),
    /**
     * The verified release.json and release.json.sig.bin, kept as immutable blobs (pinned by etag)
     * so grants can ship the signed manifests that cover their files.
     */
    manifestKey: text("manifest_key"),
    manifestEtag: text("manifest_etag"),
    manifestSize: integer("manifest_size"),
    manifestSignatureKey: text("manifest_signature_key"),
    manifestSignatureEtag: text("manifest_signature_etag"),
    manifestSignatureSize: integer("manifest_signature_size"),
    /** When a step of its Workflow last showed progress, and what it was doing (worker/sync/watch.ts). */
    progressAt: integer("progress_at"),
    progress: text("progress"),
    /** How long its Workflow may show no progress before it counts as stalled (from the largest file). */
    stallAfterMs: integer("stall_after_ms"),
  },
  (t) => [index("releases_by_status").on(t.status, t.claimedAt), index("releases_by_key").on(t.keyId)],
);

/** Admin actions that change what the catalog offers in bulk (e.g. yanking all a key signed). */
export const auditEvents = sqliteTable(
  "audit_events",
  {
    id: text("id").primaryKey(),
    at: integer("at").notNull(),
    action: text("action").notNull(),
    subject: text("subject").notNull(),
    reason: text("reason"),
    details: text("details", { mode: "json" }),
  },
  (t) => [index("audit_events_by_at").on(t.at)],
);

export const DISTRUST_CAUSES = ["revoked", "yanked"] as const;

/**
 * Keys the catalog no longer trusts: "revoked" as TRUSTED_PUBLIC_KEYS said when the catalog was last
 * reconciled with it, "yanked" by an admin's key yank (worker/db/key-trust.ts).
 */
export const distrustedKeys = sqliteTable(
  "distrusted_keys",
  {
    keyId: text("key_id").notNull(),
    cause: text("cause", { enum: DISTRUST_CAUSES }).notNull(),
    at: integer("at").notNull(),
    reason: text("reason"),
  },
  (t) => [primaryKey({ columns: [t.keyId, t.cause] })],
);

/**
 * Every product-level and pack-level metadata state with the release, and its manifest's key, that
 * wrote it (NULL for the baseline that predates the history), so a key yank can restore each one.
 */
export const metadataHistory = sqliteTable(
  "metadata_history",
  {
    seq: integer("seq").primaryKey({ autoIncrement: true }),
    subjectKind: text("subject_kind", { enum: ["product", "pack"] }).notNull(),
    subjectId: text("subject_id").notNull(),
    releaseId: text("release_id"),
    keyId: text("key_id"),
    data: text("data", { mode: "json" }).notNull(),
    at: integer("at").notNull(),
  },
  (t) => [
    index("metadata_history_by_subject").on(t.subjectKind, t.subjectId, t.seq),
    index("metadata_history_by_key").on(t.keyId),
  ],
);

export const syncRuns = sqliteTable(
  "sync_runs",
  {
    id: text("id").primaryKey(),
    trigger: text("trigger", { enum: SYNC_TRIGGERS }).notNull(),
    startedAt: integer("started_at").notNull(),
    finishedAt: integer("finished_at"),
    /** Releases published by the run itself (runs before verification moved to Workflows). */
    published: integer("published").notNull().default(0),
    /** Releases the run handed to a verifying Workflow, or found one still verifying. */
    verifying: integer("verifying").notNull().default(0),
    quarantined: integer("quarantined").notNull().default(0),
    uploading: integer("uploading").notNull().default(0), // folders without release.json, left alone
    skipped: integer("skipped").notNull().default(0), // already done by an earlier run
    error: text("error"),
  },
  (t) => [index("sync_runs_by_start").on(t.startedAt)],
);
/** Folders under incoming/ still without release.json, and when the sync first saw each (worker/sync/folders.ts). */
export const uploadFolders = sqliteTable("upload_folders", {
  id: text("id").primaryKey(),
  firstSeenAt: integer("first_seen_at").notNull(),
});

/** Where the paged listing of incoming/ resumes: the last folder the previous run looked at (one row, id 1). */
export const syncCursor = sqliteTable("sync_cursor", {
  id: integer("id").primaryKey(),
  after: text("after"),
  updatedAt: integer("updated_at").notNull(),
});
export * from "./downloads-schema";
export * from "./counts/facets-schema";
export * from "./publish-schema";
