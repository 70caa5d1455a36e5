// Why a pack version left the catalog, said wherever a user meets its absence: the pack API (its
// yanked versions; 410 for one asked by name), the pack page, an old bundle link and a grant made
// before the yank. One wording, so a user reads the same reason and time everywhere.
import type { Db } from "../db/client";
import { yankedVersionsOf, yankRecords } from "../db/yank";
import { type YankRecord, yankWords } from "../domain/yank-words";
import { type PackRef, packRefId } from "../domain/vocabulary";
import { ApiError, NotFound } from "../errors";
import { getPack, getPackVersion, type PackVersionDetail, type PackWithVersions } from "./pack-search";

/** As the API lists it: version, ISO time (null when the row predates recording it) and reason. */
export type YankedVersion = { version: string; yankedAt: string | null; reason: string | null };

export const yankedVersion = (r: YankRecord): YankedVersion => ({
  version: r.version,
  yankedAt: r.yankedAt === null ? null : new Date(r.yankedAt).toISOString(),
  reason: r.yankReason,
});

/** The 410 for a pack or version asked for by name that was yanked: when and why, in the message and the details. */
export function yankedError(name: string, records: YankRecord[]): ApiError {
  const subject = records.length === 1 ? `${name} ${records[0].version} was` : `every version of ${name} was`;
  const why = records.length === 1 ? yankWords(records[0]).slice("yanked".length) : "";
  return new ApiError(
    410,
    "yanked",
    `${subject} yanked${why}`,
    records.map((r) => ({ ...yankedVersion(r), message: `${r.name} ${r.version} ${yankWords(r)}` })),
  );
}

/** A pack with its published versions and its yanked ones; a pack whose every version is yanked is a 410 saying why. */
export async function packWithYanks(db: Db, name: string): Promise<PackWithVersions & { yanked: YankRecord[] }> {
  const [pack, yanked] = await Promise.all([
    getPack(db, name).catch((err: unknown) => err),
    yankedVersionsOf(db, name),
  ]);
  if (pack instanceof NotFound && yanked.length) throw yankedError(name, yanked);
  if (pack instanceof Error) throw pack;
  return { ...(pack as PackWithVersions), yanked };
}

/** One published version; a yanked one is a 410 with when and why. */
export async function packVersionOrYank(db: Db, name: string, version: string): Promise<PackVersionDetail> {
  try {
    return await getPackVersion(db, name, version);
  } catch (err) {
    if (!(err instanceof NotFound)) throw err;
    const [record] = await yankRecords(db, [packRefId({ name, version })]);
    throw record ? yankedError(name, [record]) : err;
  }
}

/** Chosen pack versions no longer published, each with its yank record when it was yanked (not removed). */
export async function explainMissing<T extends { missing: readonly PackRef[] }>(
  db: Db,
  found: T,
): Promise<T & { missing: MissingPack[] }> {
  const records = await yankRecords(db, found.missing.map(packRefId));
  const byId = new Map(records.map((r) => [packRefId(r), r]));
  return { ...found, missing: found.missing.map((ref) => ({ ...ref, yank: byId.get(packRefId(ref)) })) };
}

export type MissingPack = PackRef & { yank?: YankRecord };
