// The container images pack versions ship: per pack (for the pack page and API), per grant (for
// images.txt), and the incident question "which pack versions ship image X?" answered through the
// repository, tag and digest indexes, never a scan.
import { and, asc, eq, gte, inArray, lt, or, type SQL, sql } from "drizzle-orm";
import type { ImageRef } from "../domain/vocabulary";
import type { Db } from "./client";
import { packs, packVersionImages, packVersions } from "./schema";

const imageColumns = {
  reference: packVersionImages.reference,
  repository: packVersionImages.repository,
  tag: packVersionImages.tag,
  digest: packVersionImages.digest,
};

/** version → its images, for every version of a pack. */
export async function imagesOfPack(db: Db, name: string): Promise<Map<string, ImageRef[]>> {
  const rows = await db
    .select({ version: packVersions.version, ...imageColumns })
    .from(packVersionImages)
    .innerJoin(packVersions, eq(packVersions.id, packVersionImages.packVersionId))
    .where(eq(packVersions.packName, name))
    .orderBy(asc(packVersionImages.reference));
  const byVersion = new Map<string, ImageRef[]>();
  for (const { version, ...image } of rows) byVersion.set(version, [...(byVersion.get(version) ?? []), image]);
  return byVersion;
}

/** Every image of these pack versions, once each, as `repository@sha256:digest` (what mirroring tools pull). */
export async function imagesOfPackVersions(db: Db, ids: string[]): Promise<ImageRef[]> {
  if (!ids.length) return [];
  return db
    .select(imageColumns)
    .from(packVersionImages)
    .where(inArray(packVersionImages.packVersionId, sql`(SELECT value FROM json_each(${JSON.stringify(ids)}))`))
    .orderBy(asc(packVersionImages.repository), asc(packVersionImages.digest));
}

export type ImageQuery = {
  repository?: string;
  tag?: string;
  digest?: string;
  /** Also every repository under this prefix (`docker.io/calico/`), walked in the repository index. */
  namespace?: string;
};

/** The repository condition: the one repository, or it and every one under the namespace (an index range). */
function repositoryCondition(q: ImageQuery): SQL | undefined {
  if (!q.repository) return undefined;
  if (!q.namespace) return eq(packVersionImages.repository, q.repository);
  // "/" + 1 is "0": [prefix, prefix with its last "/" as "0") holds exactly the names under the prefix.
  const end = `${q.namespace.slice(0, -1)}0`;
  return or(
    eq(packVersionImages.repository, q.repository),
    and(gte(packVersionImages.repository, q.namespace), lt(packVersionImages.repository, end)),
  );
}

export type ImageHit = ImageRef & {
  pack: string;
  displayName: string;
  version: string;
  yanked: boolean;
};

/** Pack versions (yanked ones too: an incident needs them) shipping an image, by repository, tag and/or digest; per repository in display order. */
export async function findImages(db: Db, q: ImageQuery, limit = 200): Promise<ImageHit[]> {
  const where: SQL[] = [];
  const repository = repositoryCondition(q);
  if (repository) where.push(repository);
  if (q.tag) where.push(eq(packVersionImages.tag, q.tag));
  if (q.digest) where.push(eq(packVersionImages.digest, q.digest));
  return db
    .select({
      ...imageColumns,
      pack: packVersions.packName,
      displayName: packs.displayName,
      version: packVersions.version,
      yanked: packVersions.yanked,
    })
    .from(packVersionImages)
    .innerJoin(packVersions, eq(packVersions.id, packVersionImages.packVersionId))
    .innerJoin(packs, eq(packs.name, packVersions.packName))
    .where(and(...where))
    .orderBy(asc(packVersionImages.repository), asc(packs.displaySortKey), asc(packVersions.versionKey))
    .limit(limit);
}

/** images.txt: one `repository@sha256:digest` a line, for skopeo, crane, Hauler or Zarf. */
export const imagesTxt = (images: ImageRef[]) =>
  [...new Set(images.map((i) => `${i.repository}@${i.digest}`))].join("\n") + (images.length ? "\n" : "");
