// Incremental mirroring: which artifacts came in or went out after a catalog generation. Every
// publish or yank batch bumps the generation and then stamps the rows it changed with it, in the
// same transaction, so "published after generation g" is exact and answered from an index.
import { eq, sql } from "drizzle-orm";
import type { GrantFile } from "./grant-queries";
import { query, runBatch } from "./batch";
import { type CatalogFilter, versionConditions } from "./pack-versions";
import type { Db } from "./client";
import { signedFile } from "./grant-queries";
import { catalogState, packVersions, releaseArtifacts } from "./schema";
import type { InstallerKind } from "../domain/vocabulary";

const current = sql`(SELECT generation FROM catalog_state WHERE id = 1)`;

/** The statement a publish or yank adds to its batch, so the bump commits with the change. */
export const bumpGeneration = (db: Db) =>
  db
    .update(catalogState)
    .set({ generation: sql`${catalogState.generation} + 1`, updatedAt: Date.now() })
    .where(eq(catalogState.id, 1));

/** Added to a publish or yank batch after bumpGeneration: stamps the rows it just published or yanked. */
export const stampGenerations = (db: Db) =>
  [packVersions, releaseArtifacts].flatMap((table) => [
    db.update(table).set({ publishedGeneration: current }).where(sql`${table.publishedGeneration} IS NULL`),
    db
      .update(table)
      .set({ yankedGeneration: current })
      .where(sql`${table.yanked} = 1 AND ${table.yankedGeneration} IS NULL`),
  ]);

export type Changes = {
  since: number;
  generation: number;
  published: {
    packs: (GrantFile & { layer: string; generation: number })[];
    installers: (GrantFile & { generation: number })[];
  };
  yanked: {
    packs: { name: string; version: string; file: string; generation: number; reason: string | null }[];
    installers: {
      product: string;
      version: string;
      kind: InstallerKind;
      file: string;
      generation: number;
      reason: string | null;
    }[];
  };
};

const and = (parts: ReturnType<typeof sql>[]) => sql.join(parts, sql` AND `);

/** The stored-file columns of a pack_versions or release_artifacts row, as `SELECT *` names them. */
type StoredFileRow = {
  file_name: string;
  object_key: string;
  object_etag: string;
  signature_etag: string;
  size: number;
  sha256: string;
  signature_file_name: string;
  signature_key: string;
  signature_size: number;
  key_id: string;
  published_at: number;
  release_id: string;
};
type PublishedPackRow = StoredFileRow & {
  id: string;
  pack_name: string;
  version: string;
  layer: string;
  published_generation: number;
};
type PublishedInstallerRow = StoredFileRow & {
  product_id: string;
  version: string;
  kind: InstallerKind;
  published_generation: number;
};
type YankedPackRow = {
  pack_name: string;
  version: string;
  file_name: string;
  yanked_generation: number;
  yank_reason: string | null;
};
type YankedInstallerRow = Omit<YankedPackRow, "pack_name"> & { product_id: string; kind: InstallerKind };

/** The WHERE parts for packs and for installers, as changesSince applies them. */
function changeFilters(f: CatalogFilter) {
  const packFilter = versionConditions(f).slice(1); // without "not yanked": the yanked list needs them too
  if (f.layer) packFilter.push(sql`pv.pack_name IN (SELECT name FROM packs WHERE layer = ${f.layer})`);
  const packOnly = Boolean(f.useCase || f.cloud || f.layer || f.arch || f.fips !== undefined);
  const installerFilter = [
    f.product ? sql`ra.product_id = ${f.product}` : sql`1`,
    f.version ? sql`ra.version = ${f.version}` : sql`1`,
    packOnly ? sql`0` : sql`1`,
  ];
  return { packFilter, installerFilter };
}

/** The stored-file columns of a pack_versions or release_artifacts row. */
const storedFileOf = (r: StoredFileRow) => ({
  fileName: String(r.file_name),
  objectKey: String(r.object_key),
  objectEtag: String(r.object_etag),
  signatureEtag: String(r.signature_etag),
  size: Number(r.size),
  sha256: String(r.sha256),
  signatureFileName: String(r.signature_file_name),
  signatureKey: String(r.signature_key),
  signatureSize: Number(r.signature_size),
  keyId: String(r.key_id),
  publishedAt: Number(r.published_at),
  releaseId: String(r.release_id),
});

/** Published rows as the changes feed lists them, each with its generation. */
function publishedOf(packs: PublishedPackRow[], installers: PublishedInstallerRow[]): Changes["published"] {
  return {
    packs: packs.map((r) => ({
      kind: "pack" as const,
      name: String(r.pack_name),
      version: String(r.version),
      ...signedFile(storedFileOf(r)),
      packVersionId: String(r.id),
      layer: String(r.layer),
      generation: Number(r.published_generation),
    })),
    installers: installers.map((r) => ({
      kind: r.kind,
      name: String(r.product_id),
      version: String(r.version),
      ...signedFile(storedFileOf(r)),
      generation: Number(r.published_generation),
    })),
  };
}

/** Yanked rows: what a mirror should drop, and why. */
function yankedOf(packs: YankedPackRow[], installers: YankedInstallerRow[]): Changes["yanked"] {
  return {
    packs: packs.map((r) => ({
      name: String(r.pack_name),
      version: String(r.version),
      file: String(r.file_name),
      generation: Number(r.yanked_generation),
      reason: r.yank_reason ?? null,
    })),
    installers: installers.map((r) => ({
      product: String(r.product_id),
      version: String(r.version),
      kind: r.kind,
      file: String(r.file_name),
      generation: Number(r.yanked_generation),
      reason: r.yank_reason ?? null,
    })),
  };
}

/** What was yanked after `since` (packs, then installers), in the filters' scope; read through the yanked_generation indexes. */
function yankedStatements(since: number, { packFilter, installerFilter }: ReturnType<typeof changeFilters>) {
  return [
    query<YankedPackRow>(sql`SELECT pv.pack_name, pv.version, pv.file_name, pv.yanked_generation, pv.yank_reason FROM pack_versions pv
        WHERE ${and([sql`pv.yanked_generation > ${since}`, ...packFilter])} ORDER BY pv.yanked_generation, pv.id`),
    query<YankedInstallerRow>(sql`SELECT ra.product_id, ra.version, ra.kind, ra.file_name, ra.yanked_generation, ra.yank_reason FROM release_artifacts ra
        WHERE ${and([sql`ra.yanked_generation > ${since}`, ...installerFilter])} ORDER BY ra.yanked_generation, ra.file_name`),
  ] as const;
}

/**
 * What was published (and is still offered) and what was yanked after `since`, up to the current
 * generation, read in one batch so the generation and the rows agree. Pack filters apply to packs;
 * installers are filtered by product and version only, and left out when a pack-only filter is set.
 */
export async function changesSince(db: Db, since: number, f: CatalogFilter): Promise<Changes> {
  const filters = changeFilters(f);
  const { packFilter, installerFilter } = filters;
  const [[state], packs, installers, yankedPacks, yankedInstallers] = await runBatch(db, [
    generationStatement(),
    query<PublishedPackRow>(sql`SELECT pv.*, p.layer AS layer FROM pack_versions pv JOIN packs p ON p.name = pv.pack_name
        WHERE ${and([sql`pv.published_generation > ${since}`, sql`pv.yanked = 0`, ...packFilter])}
        ORDER BY pv.published_generation, pv.id`),
    query<PublishedInstallerRow>(sql`SELECT ra.* FROM release_artifacts ra
        WHERE ${and([sql`ra.published_generation > ${since}`, sql`ra.yanked = 0`, ...installerFilter])}
        ORDER BY ra.published_generation, ra.file_name`),
    ...yankedStatements(since, filters),
  ]);
  return {
    since,
    generation: Number(state?.generation ?? 0),
    published: publishedOf(packs, installers),
    yanked: yankedOf(yankedPacks, yankedInstallers),
  };
}

/**
 * Only what was yanked after `since`, with the generation: what mirror.sh asks every night from 0
 * (every file it holds is checked again), so the rows read follow the yanks, not the catalog.
 */
export async function yankedSince(
  db: Db,
  since: number,
  f: CatalogFilter,
): Promise<Pick<Changes, "generation" | "yanked">> {
  const [[state], yankedPacks, yankedInstallers] = await runBatch(db, [
    generationStatement(),
    ...yankedStatements(since, changeFilters(f)),
  ]);
  return { generation: Number(state?.generation ?? 0), yanked: yankedOf(yankedPacks, yankedInstallers) };
}

/** The catalog generation (one row, 1 once anything was published). */
const generationStatement = () => query<{ generation: number }>(sql`SELECT generation FROM catalog_state WHERE id = 1`);

/** The current generation; read as a batch so a metered session counts its rows. */
export async function readGeneration(db: Db): Promise<number> {
  const [rows] = await runBatch(db, [generationStatement()]);
  return Number(rows[0]?.generation ?? 0);
}
