// What a grant hands out. A GrantFile is an artifact and its signature as the catalog recorded them;
// a Downloadable is either of the two, which is what /dl, the tar and the edge cache deal in.
import type { InstallerKind } from "../domain/vocabulary";
import type { GrantFile } from "../db/grant-queries";

export type Downloadable = {
  file: string;
  objectKey: string;
  /** The R2 etag of the verified bytes; every read must match it ("" for rows published unpinned). */
  storedEtag: string;
  size: number;
  /**
   * Opaque, immutable validator: the artifact's sha256; its signature's is "sig-" + the signature's
   * own blob hash, so a re-signed file (rotation) never answers 304 to a client holding the old one.
   */
  etag: string;
  publishedAt: number;
  packVersionId?: string;
  /** Set for installers, so a yank after the grant still stops the download. */
  installer?: { product: string; version: string; kind: InstallerKind };
  /** The key that signed it (a file's .sig.bin, a release manifest): a revoked one stops the download. */
  keyId?: string;
};

export const installerOf = (f: GrantFile) =>
  f.kind === "pack" ? undefined : { product: f.name, version: f.version, kind: f.kind };

export const artifactOf = (f: GrantFile): Downloadable => ({
  file: f.file,
  objectKey: f.objectKey,
  storedEtag: f.objectEtag ?? "",
  size: f.size,
  etag: f.sha256,
  publishedAt: f.publishedAt,
  packVersionId: f.packVersionId,
  installer: installerOf(f),
  keyId: f.keyId,
});

export const signatureOf = (f: GrantFile): Downloadable => ({
  file: f.sigFile,
  objectKey: f.sigKey,
  storedEtag: f.sigEtag ?? "",
  size: f.sigSize,
  etag: `sig-${f.sigKey.slice(f.sigKey.lastIndexOf("/") + 1)}`,
  publishedAt: f.publishedAt,
  packVersionId: f.packVersionId,
  installer: installerOf(f),
  keyId: f.keyId,
});

/** The file a /dl path names inside a grant: an artifact or its signature, or nothing. */
export function findDownloadable(files: GrantFile[], fileName: string): Downloadable | undefined {
  for (const f of files) {
    if (f.file === fileName) return artifactOf(f);
    if (f.sigFile === fileName) return signatureOf(f);
  }
  return undefined;
}

export const totalBytes = (files: GrantFile[]) => files.reduce((sum, f) => sum + f.size + f.sigSize, 0);
