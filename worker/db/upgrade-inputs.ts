// What an upgrade plan reads, in one D1 batch: the product, its versions, the site's packs, every
// published version of them and what the catalog recorded of the site's own versions (yanked or not).
import { sql } from "drizzle-orm";
import { type Layer, type PackRef, packRefId } from "../domain/vocabulary";
import { query, runBatch } from "./batch";
import type { Db } from "./client";
import { type PackInfo, type PackVersionInfo, readVersionRow, versionsOfPacksStatement } from "./pack-versions";
import { type ProductRow, productStatement, productVersionsStatement } from "./product-rows";

export type NamedPack = { name: string; displayName: string; layer: Layer };
export type RecordedVersion = { yanked: boolean; yankReason: string | null };

export type UpgradeInputs = {
  product: ProductRow | undefined;
  /** The versions the product publishes. */
  published: Set<string>;
  packs: Map<string, NamedPack>;
  /** Each pack's non-yanked versions, newest first. */
  versions: Map<string, (PackInfo & PackVersionInfo)[]>;
  /** Every version of the site's that the catalog ever published, by `name@version`, yanked or not. */
  recorded: Map<string, RecordedVersion>;
};

type RecordedRow = { id: string; yanked: number; yankReason: string | null };

export async function readUpgradeInputs(db: Db, productId: string, sitePacks: PackRef[]): Promise<UpgradeInputs> {
  const names = [...new Set(sitePacks.map((p) => p.name))];
  const ids = [...new Set(sitePacks.map(packRefId))];
  const [productRows, versionRows, packRows, candidateRows, recordedRows] = await runBatch(db, [
    productStatement(productId),
    productVersionsStatement(productId),
    query<NamedPack>(
      sql`SELECT name, display_name AS displayName, layer FROM packs WHERE name IN (SELECT value FROM json_each(${JSON.stringify(names)}))`,
    ),
    versionsOfPacksStatement(names),
    query<RecordedRow>(
      sql`SELECT id, yanked, yank_reason AS yankReason FROM pack_versions WHERE id IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`,
    ),
  ]);
  const versions = new Map<string, (PackInfo & PackVersionInfo)[]>();
  for (const row of candidateRows) {
    const { pack, version } = readVersionRow(row);
    versions.set(pack.name, [...(versions.get(pack.name) ?? []), { ...pack, ...version }]);
  }
  return {
    product: productRows[0],
    published: new Set(versionRows.map((r) => r.version)),
    packs: new Map(packRows.map((r) => [r.name, r])),
    versions,
    recorded: new Map(recordedRows.map((r) => [r.id, { yanked: Boolean(r.yanked), yankReason: r.yankReason ?? null }])),
  };
}
