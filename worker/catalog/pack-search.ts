// Browsing the pack catalog: a filtered, searched, faceted page of packs, and the detail of one
// pack or one pack version. Yanked versions never appear; a pack whose every version is yanked is
// as absent as one never published.
import type { Db } from "../db/client";
import type { Facets } from "../db/counts/pack-counts";
import { readFirstPack, readPackPage } from "../db/pack-page";
import { type PackInfo, type PackVersionInfo, type PackWithVersions, readPack } from "../db/pack-versions";
import { packRefId } from "../domain/vocabulary";
import { notFound } from "../errors";
import { encodeCursor, type PackFilters } from "./filters";

export type { Facets, PackWithVersions };
export type PackSearchResult = {
  items: PackWithVersions[];
  facets: Facets;
  total: number;
  /** "gte": a search with more matches than it counts; `total` and every facet count are lower bounds. */
  totalRelation: "eq" | "gte";
  nextCursor: string | null;
};

export async function searchPacks(db: Db, filters: PackFilters): Promise<PackSearchResult> {
  const {
    packs: items,
    total,
    facets,
    exact,
    nextAfter,
  } = await readPackPage(db, filters, filters.cursor, filters.limit);
  return {
    items,
    facets: {
      product: facets.product,
      useCase: facets.useCase,
      cloud: facets.cloud,
      layer: facets.layer,
      arch: facets.arch,
      fips: facets.fips,
    },
    total,
    totalRelation: exact ? "eq" : "gte",
    nextCursor: nextAfter === null ? null : encodeCursor(nextAfter),
  };
}

/** The newest published version of the first pack in display order (a real file name for examples), if any. */
export async function firstPackVersion(db: Db): Promise<PackVersionInfo | undefined> {
  return (await readFirstPack(db))?.versions[0];
}

/** A pack with all its published versions, newest first. */
export async function getPack(db: Db, name: string): Promise<PackWithVersions> {
  const pack = await readPack(db, name);
  if (!pack) throw notFound(`pack ${name}`);
  return pack;
}

export type PackVersionDetail = PackInfo & PackVersionInfo & { otherVersions: string[] };

/** One published version of a pack, with the other published versions for navigation. */
export async function getPackVersion(db: Db, name: string, version: string): Promise<PackVersionDetail> {
  const pack = await readPack(db, name);
  const found = pack?.versions.find((v) => v.version === version);
  if (!pack || !found) throw notFound(`pack ${packRefId({ name, version })}`);
  const { versions, ...info } = pack;
  return { ...info, ...found, otherVersions: versions.map((v) => v.version).filter((v) => v !== version) };
}
