// What a verified release lists, as the layers above name it: the sync parses release.json with its
// zod schema (sync/release-manifest.ts, which must fit these shapes) and the publish batch
// (db/publish-batch.ts) writes them. Plain types and the few pure rules both sides share, so the data layer
// needs nothing of the sync.
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

export type ListedPackFile = ListedFile & { kind: "pack"; pack: ListedPack };
export type ListedInstallerFile = ListedFile & { kind: InstallerKind; product: string; productVersion: string };

/** A product as a release introduces or changes it. */
export type ListedProduct = { id: string; name: string; applianceName: string; fips: boolean; sortOrder: number };

export type ListedRelease = {
  releaseId: string;
  keyId: string;
  products: ListedProduct[];
  files: (ListedPackFile | ListedInstallerFile)[];
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
