// What a verified release lists, as the layers above name it: the sync parses release.json with its
// zod schema (sync/release-manifest.ts, which must fit these shapes), plans it (sync/plan.ts) and the
// publish batch (db/publish-batch.ts) reads the catalog's facts and writes the plan. Plain types and the
// few pure rules both sides share, so the data layer needs nothing of the sync.
import { createHash } from "node:crypto";
import { normalizeRepository } from "./image-names";
import type { Arch, Cloud, DependencyType, ImageRef, InstallerKind, Layer, UseCase } from "./vocabulary";

/** What every listed file carries: its name, the signature beside it, and what it must measure. */
export type ListedFile = { file: string; signature: string; size: number; sha256: string; keyId?: string };

/** pack.json as a release lists it, plus what the catalog adds. */
export type ListedPack = {
  name: string;
  displayName: string;
  version: string;
  layer: Layer;
  kernel?: string;
  addonType?: string;
  description: string;
  cloudTypes: (Cloud | "all")[];
  annotations: { source: string };
  eol?: string;
  constraints: {
    dependencies: { packName: string; layer: Layer; minVersion?: string; maxVersion?: string; type: DependencyType }[];
  };
  content?: { images: { image: string }[] };
  architectures: Arch[];
  fips: boolean;
  useCases: UseCase[];
  products: { product: string; minVersion?: string; maxVersion?: string }[];
};

/** `change: "update"`: this release deliberately changes the pack's shared fields (packWideFields). */
export type ListedPackFile = ListedFile & { kind: "pack"; change?: "create" | "update"; pack: ListedPack };
export type ListedInstallerFile = ListedFile & { kind: InstallerKind; product: string; productVersion: string };

/** A product as a release introduces or changes it. */
export type ListedProduct = { id: string; name: string; applianceName: string; fips: boolean; sortOrder: number };

export type ListedRelease = {
  releaseId: string;
  keyId: string;
  products: ListedProduct[];
  files: (ListedPackFile | ListedInstallerFile)[];
};

/**
 * A published file as the plan weighs it: its bytes, and the keys its trust rests on (its own and its
 * release's), and the key whose incident withdrew it, if one did.
 */
export type PublishedFile = {
  sha256: string;
  size: number;
  keyId?: string;
  releaseKeyId?: string | null;
  withdrawnByKey?: string | null;
};

/** A published product's fields that a release may not silently change. */
export type ProductRecord = { name: string; applianceName: string; fips: boolean; sortOrder: number };

/** What the catalog already holds for the names a release touches (db reads it, the sync's plan weighs it). */
export type CatalogFacts = {
  /** Published pack versions by `${name}@${version}`, with the digest of their signed entry. */
  packVersions: Map<string, PublishedFile & { entrySha256?: string | null }>;
  packLayers: Map<string, Layer>;
  /** Published installers by `${product}@${version}/${kind}`. */
  artifacts: Map<string, PublishedFile>;
  /** Published products by id, with the fields a release may not silently change. */
  products: Map<string, ProductRecord>;
  /** Published file names (packs and installers share one name space) and what owns each. */
  fileNames: Map<string, string>;
  /** Keys the catalog distrusts (distrusted_keys) and why: no new drop may rest on one. */
  distrustedKeys?: ReadonlyMap<string, string>;
};

/** A product row to insert (new) or update (an explicit, signed "update" entry). */
export type ProductWrite = { entry: ListedProduct; change: "create" | "update" };

/** The pack-wide fields of pack.json: one row per pack name, shown by every version. */
export const packWideFields = (
  pack: Pick<ListedPack, "displayName" | "addonType" | "description" | "annotations">,
) => ({
  displayName: pack.displayName,
  addonType: pack.addonType ?? null,
  description: pack.description,
  source: pack.annotations.source,
});

/** A pack row (its pack-wide fields) to insert (a new pack) or update (a signed "change": "update"). */
export type PackWrite = {
  name: string;
  fields: ReturnType<typeof packWideFields>;
  layer: Layer;
  change: "create" | "update";
};

/** A verified file's immutable copy and its signature's (blobs pinned by etag). */
export type StoredFile = {
  objectKey: string;
  objectEtag: string;
  signatureKey: string;
  signatureEtag: string;
  signatureSize: number;
};

/** The one installer of a kind a product version may have. */
export const installerSlot = (product: string, version: string, kind: string) => `${product}@${version}/${kind}`;

/** The key a file is signed with: its own, else the release's. */
export const fileKeyId = (release: Pick<ListedRelease, "keyId">, file: Pick<ListedFile, "keyId">) =>
  file.keyId ?? release.keyId;

/** What a release adds up to, as the releases table records it. */
export const releaseTotals = (release: { files: Pick<ListedFile, "size">[] }) => ({
  fileCount: release.files.length,
  totalBytes: release.files.reduce((sum, f) => sum + f.size, 0),
});

/** JSON with object keys sorted at every level, so equal values give equal text. */
const canonicalJson = (value: unknown): string =>
  JSON.stringify(value, (_key, v) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );

/**
 * What a release says about one pack version, as a sha256: its entry without the keys (a re-signed
 * release names a new one) and without the pack-wide fields (kept per pack, with their history). A
 * re-signed release may move a version to its key only if this is unchanged.
 */
export function entryDigest(file: ListedPackFile): string {
  const { keyId: _key, change: _change, pack, ...entry } = file;
  const { displayName: _d, addonType: _a, description: _t, annotations: _s, ...versionFields } = pack;
  return createHash("sha256")
    .update(canonicalJson({ ...entry, pack: versionFields }))
    .digest("hex");
}

/**
 * A container image reference pinned by digest: `repository[:tag]@sha256:<64 hex>`, where the
 * repository is an optional registry host (with port) and lower-case path components, as the
 * distribution spec names them. Only pinned references: a tag alone can be moved.
 */
export const IMAGE_REFERENCE =
  /^((?:[a-z0-9]+(?:[.-][a-z0-9]+)*(?::[0-9]{1,5})?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)(?::([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?@(sha256:[0-9a-f]{64})$/;

export function parseImageReference(reference: string): ImageRef | undefined {
  const m = IMAGE_REFERENCE.exec(reference);
  if (!m || reference.length > 512) return undefined;
  // The reference stays as signed; the repository is stored as container tools name it in full
  // (calico/node is docker.io/calico/node), so a search for either spelling finds it.
  return { reference, repository: normalizeRepository(m[1]), tag: m[2] ?? null, digest: m[3] };
}
