// Pack versions as the catalog reads them: the one filter shape every catalog query takes, the
// conditions it puts on a version (`pv`), the columns a listing returns and the typed row they come
// back as, and the statements that list one pack's, several packs' or chosen versions. Yanked
// versions never match: a pack whose every version is yanked is as absent as one never published.
import { type SQL, sql } from "drizzle-orm";
import {
  type Arch,
  ARCHES,
  type Cloud,
  CLOUDS,
  type DependencyType,
  type Layer,
  USE_CASES,
  type UseCase,
  versionSortKey,
} from "../domain/vocabulary";
import { type Query, query, runBatch } from "./batch";
import type { Db } from "./client";

/**
 * What a catalog query can be narrowed by; `version` only ever narrows `product`. /api/v1/packs's
 * parsed query (PackFilters) is one, as it comes.
 */
export type CatalogFilter = {
  product?: string;
  version?: string;
  useCase?: UseCase;
  cloud?: Cloud;
  layer?: Layer;
  arch?: Arch;
  fips?: boolean;
  /** Words to find (the packs search's prefix match; see ftsQuery). */
  q?: string;
};

export const FACETS = ["product", "useCase", "cloud", "layer", "arch", "fips"] as const;
export type Facet = (typeof FACETS)[number];

export const and = (conditions: SQL[]) => (conditions.length ? sql.join(conditions, sql` AND `) : sql`1`);

/**
 * How a child-table condition is written. "list" (`pv.id IN (SELECT … WHERE <value> = ?)`) reads
 * the value's whole list from its (value, pack_version_id) index: right for a count that must see
 * every match. "lookup" (`EXISTS (… WHERE pack_version_id = pv.id AND <value> = ?)`) checks one
 * version through the child's primary key: right for a walk that stops after a page, which must
 * not read a list as long as the catalog.
 */
export type ChildCheck = "list" | "lookup";

function childCondition(check: ChildCheck, table: string, condition: SQL): SQL {
  return check === "list"
    ? sql`pv.id IN (SELECT pack_version_id FROM ${sql.raw(table)} WHERE ${condition})`
    : sql`EXISTS (SELECT 1 FROM ${sql.raw(table)} WHERE pack_version_id = pv.id AND ${condition})`;
}

/** Conditions on the `pv` (pack_versions) alias; yanked versions never match. */
export function versionConditions(f: CatalogFilter, except?: Facet, check: ChildCheck = "list"): SQL[] {
  const out: SQL[] = [sql`pv.yanked = 0`];
  if (f.product && except !== "product") {
    const key = f.version ? versionSortKey(f.version) : undefined;
    const range = key
      ? sql` AND (min_version_key IS NULL OR min_version_key <= ${key}) AND (max_version_key IS NULL OR max_version_key >= ${key})`
      : sql``;
    out.push(childCondition(check, "pack_version_products", sql`product_id = ${f.product}${range}`));
  }
  if (f.useCase && except !== "useCase")
    out.push(childCondition(check, "pack_version_use_cases", sql`use_case = ${f.useCase}`));
  if (f.cloud && except !== "cloud")
    out.push(childCondition(check, "pack_version_clouds", sql`cloud IN (${f.cloud}, 'all')`));
  if (f.arch && except !== "arch") out.push(childCondition(check, "pack_version_arches", sql`arch = ${f.arch}`));
  if (f.fips !== undefined && except !== "fips") out.push(sql`pv.fips = ${f.fips ? 1 : 0}`);
  return out;
}

export const hasMatchingVersion = (f: CatalogFilter, except?: Facet, check: ChildCheck = "list") =>
  sql`EXISTS (SELECT 1 FROM pack_versions pv WHERE pv.pack_name = p.name AND ${and(versionConditions(f, except, check))})`;

/** The columns every pack-version listing returns; children come back as JSON arrays. */
export const versionColumns = sql`
  p.name AS name, p.display_name AS displayName, p.layer AS layer, p.addon_type AS addonType,
  p.description AS description, p.source AS source,
  pv.version AS version, pv.version_key AS versionKey, pv.kernel AS kernel, pv.eol AS eol, pv.fips AS fips,
  pv.file_name AS fileName, pv.size AS size, pv.sha256 AS sha256, pv.signature_file_name AS signatureFileName,
  pv.signature_size AS signatureSize, pv.key_id AS keyId, pv.published_at AS publishedAt,
  (SELECT json_group_array(arch) FROM pack_version_arches WHERE pack_version_id = pv.id) AS arches,
  (SELECT json_group_array(cloud) FROM pack_version_clouds WHERE pack_version_id = pv.id) AS clouds,
  (SELECT json_group_array(use_case) FROM pack_version_use_cases WHERE pack_version_id = pv.id) AS useCases,
  (SELECT json_group_array(json_object('product', product_id, 'minVersion', min_version, 'maxVersion', max_version))
     FROM pack_version_products WHERE pack_version_id = pv.id) AS products,
  (SELECT json_group_array(json_object('packName', pack_name, 'layer', layer, 'type', type, 'minVersion', min_version, 'maxVersion', max_version))
     FROM pack_dependencies WHERE pack_version_id = pv.id) AS dependencies`;

/** Every non-yanked version of the named pack, newest first. */
export function versionsOfStatement(name: string): Query<VersionRow> {
  return query<VersionRow>(sql`SELECT ${versionColumns} FROM pack_versions pv JOIN packs p ON p.name = pv.pack_name
    WHERE pv.pack_name = ${name} AND pv.yanked = 0 ORDER BY pv.version_key DESC`);
}

/** Every non-yanked version of each named pack (one bound JSON list), by name and newest first: an upgrade's candidates. */
export function versionsOfPacksStatement(names: string[]): Query<VersionRow> {
  return query<VersionRow>(sql`SELECT ${versionColumns} FROM pack_versions pv JOIN packs p ON p.name = pv.pack_name
    WHERE pv.pack_name IN (SELECT value FROM json_each(${JSON.stringify(names)})) AND pv.yanked = 0
    ORDER BY pv.pack_name, pv.version_key DESC`);
}

/** Specific non-yanked pack versions by their `${name}@${version}` ids (one bound JSON list: D1 caps bound parameters at 100). */
export function versionsByIdStatement(ids: string[]): Query<VersionRow> {
  return query<VersionRow>(sql`SELECT ${versionColumns} FROM pack_versions pv JOIN packs p ON p.name = pv.pack_name
    WHERE pv.id IN (SELECT value FROM json_each(${JSON.stringify(ids)})) AND pv.yanked = 0`);
}

export type PackInfo = {
  name: string;
  displayName: string;
  layer: Layer;
  addonType: string | null;
  description: string;
  source: string;
};

export type ProductRange = { product: string; minVersion: string | null; maxVersion: string | null };
export type Dependency = {
  packName: string;
  layer: Layer;
  type: DependencyType;
  minVersion: string | null;
  maxVersion: string | null;
};

/** What the catalog shows of any signed artifact (a pack version or an installer). */
export type SignedArtifactInfo = {
  fileName: string;
  size: number;
  sha256: string;
  signatureFileName: string;
  signatureSize: number;
  keyId: string;
  publishedAt: string;
};

export type PackVersionInfo = SignedArtifactInfo & {
  version: string;
  kernel: string | null;
  eol: string | null;
  fips: boolean;
  arches: Arch[];
  clouds: string[];
  useCases: UseCase[];
  products: ProductRange[];
  dependencies: Dependency[];
};

/** One row of `versionColumns`: the child lists are JSON arrays (text), published_at milliseconds. */
export type VersionRow = PackInfo & {
  version: string;
  versionKey: string;
  kernel: string | null;
  eol: string | null;
  fips: number;
  fileName: string;
  size: number;
  sha256: string;
  signatureFileName: string;
  signatureSize: number;
  keyId: string;
  publishedAt: number;
  arches: string;
  clouds: string;
  useCases: string;
  products: string;
  dependencies: string;
};

const jsonList = <T>(value: string | null): T[] => (typeof value === "string" ? (JSON.parse(value) as T[]) : []);
export const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const archOrder = (a: string) => ARCHES.indexOf(a as Arch);
const cloudOrder = (c: string) => (c === "all" ? -1 : CLOUDS.indexOf(c as Cloud));

// Child lists come back in no particular order; these fix one. (Most hold one item: skip the sort call.)
const sorted = <T>(list: T[], compare: (a: T, b: T) => number) => (list.length > 1 ? list.sort(compare) : list);
export const sortArches = (arches: Arch[]) => sorted(arches, (a, b) => archOrder(a) - archOrder(b));
export const sortClouds = (clouds: string[]) => sorted(clouds, (a, b) => cloudOrder(a) - cloudOrder(b));
export const sortUseCases = (useCases: UseCase[]) =>
  sorted(useCases, (a, b) => USE_CASES.indexOf(a) - USE_CASES.indexOf(b));
export const sortProducts = (products: ProductRange[]) => sorted(products, (a, b) => byText(a.product, b.product));
export const sortDependencies = (dependencies: Dependency[]) =>
  sorted(dependencies, (a, b) => byText(a.packName, b.packName) || byText(a.type, b.type));

/** One row of `versionColumns` as the pack it belongs to and the version's own fields. */
export function readVersionRow(row: VersionRow): { pack: PackInfo; version: PackVersionInfo } {
  return {
    pack: {
      name: row.name,
      displayName: row.displayName,
      layer: row.layer,
      addonType: row.addonType ?? null,
      description: row.description,
      source: row.source,
    },
    version: {
      version: row.version,
      kernel: row.kernel ?? null,
      eol: row.eol ?? null,
      fips: Boolean(row.fips),
      arches: sortArches(jsonList<Arch>(row.arches)),
      clouds: sortClouds(jsonList<string>(row.clouds)),
      useCases: sortUseCases(jsonList<UseCase>(row.useCases)),
      products: sortProducts(jsonList<ProductRange>(row.products)),
      dependencies: sortDependencies(jsonList<Dependency>(row.dependencies)),
      fileName: row.fileName,
      size: row.size,
      sha256: row.sha256,
      signatureFileName: row.signatureFileName,
      signatureSize: row.signatureSize,
      keyId: row.keyId,
      publishedAt: new Date(row.publishedAt).toISOString(),
    },
  };
}

export type PackWithVersions = PackInfo & { versions: PackVersionInfo[] };

/** Rows ordered by pack then version, folded into one item per pack. */
export function groupByPack(rows: VersionRow[]): PackWithVersions[] {
  const items: PackWithVersions[] = [];
  for (const row of rows) {
    const { pack, version } = readVersionRow(row);
    const last = items.at(-1);
    if (last?.name === pack.name) last.versions.push(version);
    else items.push({ ...pack, versions: [version] });
  }
  return items;
}

/** A pack with all its published versions, newest first; undefined when none is published. */
export async function readPack(db: Db, name: string): Promise<PackWithVersions | undefined> {
  const [rows] = await runBatch(db, [versionsOfStatement(name)]);
  return groupByPack(rows)[0];
}
