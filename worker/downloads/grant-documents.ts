// A grant's downloadable documents: the manifest formats (with the signatures' checksums read from
// storage, since the catalog records only the artifacts'), and the single-file tar of everything.
import type { TrustedKey } from "../env";
import { defaultKey } from "../key-status";
import type { GrantRecord } from "../db/grant-queries";
import { sha256Hex } from "../encoding";
import { artifactOf, signatureOf } from "./files";
import {
  bundleCurl,
  downloadSh,
  type ManifestEntry,
  type ListRef,
  type ManifestFormat,
  manifestJson,
  type ProofEntry,
  publicKeyRefs,
  sha256Sums,
  sha256SumsLength,
  urlsTxt,
} from "./manifest-formats";
import { VERIFY_SCRIPT } from "./verify-script";
import { VERIFY_BUNDLE_SCRIPT } from "./verify-bundle";
import { verifyImagesSh } from "./verify-images";
import type { ReleaseProof } from "./provenance";
import type { Downloadable } from "./files";
import { imagesTxt } from "../db/image-index";
import type { ImageRef } from "../domain/vocabulary";
import { assertAllStored, IntegrityError, openWhole, readVerified, type ServeDeps } from "./serve";
import {
  BUNDLE_LIST,
  BUNDLE_LIST_SIGNATURE,
  type BundleListDocs,
  bundleListDocs,
  type BundleListSizes,
} from "./bundle-list";
import type { Config } from "../env";
import { type ByteRange, type TarEntry, tarLength, tarStream } from "./tar";

type StorageDeps = Pick<ServeDeps, "bucket" | "cache" | "maxCacheBytes">;

/** Signatures are a few hundred bytes; reading one whole is fine (artifacts never are). */
const MAX_SIGNATURE_BYTES = 64 * 1024;

export async function readSignature(
  grantFile: GrantRecord["files"][number],
  deps: StorageDeps,
): Promise<Uint8Array<ArrayBuffer>> {
  const sig = signatureOf(grantFile);
  if (sig.size > MAX_SIGNATURE_BYTES) throw new IntegrityError(`${sig.file} is ${sig.size} bytes; not a signature`);
  const bytes = new Uint8Array(await new Response(await openWhole(sig, deps)).arrayBuffer());
  if (bytes.byteLength !== sig.size)
    throw new IntegrityError(`${sig.file}: ${bytes.byteLength} bytes in storage, the catalog says ${sig.size}`);
  return bytes;
}

/** sigFile → sha256 of every signature in the grant, 16 reads at a time. */
async function signatureChecksums(grant: GrantRecord, deps: StorageDeps): Promise<Map<string, string>> {
  const sums = new Map<string, string>();
  const queue = [...grant.files];
  const worker = async () => {
    for (let f = queue.shift(); f; f = queue.shift()) {
      sums.set(f.sigFile, await sha256Hex(await readSignature(f, deps)));
    }
  };
  await Promise.all(Array.from({ length: Math.min(16, queue.length) }, worker));
  return sums;
}

const TEXT = "text/plain; charset=utf-8";

/**
 * One manifest format of the grant. The entries (the signed URLs) are asked for only by the formats
 * that list URLs: SHA256SUMS needs none.
 */
export async function manifestBody(
  format: ManifestFormat,
  grant: GrantRecord,
  signedEntries: () => Promise<ManifestEntry[]>,
  ctx: {
    origin: string;
    defaultKeyId: string;
    deps: StorageDeps;
    proofs: ReleaseProof[];
    sign: (file: Downloadable) => Promise<string>;
    /** The container images the grant's pack versions ship (images.txt). */
    images: () => Promise<ImageRef[]>;
    /** The signed bundle list's URLs (studio/bundle-list.txt and its signature) and the studio key. */
    list: () => Promise<ListRef>;
  },
): Promise<{ body: string; contentType: string }> {
  if (format === "images.txt") return { body: imagesTxt(await ctx.images()), contentType: TEXT };
  if (format === "verify-images.sh")
    return { body: verifyImagesSh(grant, await ctx.images()), contentType: "text/x-shellscript; charset=utf-8" };
  if (format === "SHA256SUMS")
    return {
      body: sha256Sums(grant.files, await signatureChecksums(grant, ctx.deps), ctx.proofs.map(summedProof)),
      contentType: TEXT,
    };
  if (format === "urls.txt") return { body: urlsTxt(await signedEntries()), contentType: TEXT };
  const [entries, proofs, list] = await Promise.all([signedEntries(), signedProofs(ctx.proofs, ctx.sign), ctx.list()]);
  switch (format) {
    case "bundle.curl":
      return { body: bundleCurl(grant, entries, proofs, list), contentType: TEXT };
    case "manifest.json":
      return {
        body: `${JSON.stringify(manifestJson(grant, entries, proofs, list), null, 2)}\n`,
        contentType: "application/json; charset=utf-8",
      };
    case "download.sh":
      return {
        body: downloadSh(grant, entries, publicKeyRefs(entries, ctx.defaultKeyId, ctx.origin), proofs, list),
        contentType: "text/x-shellscript; charset=utf-8",
      };
  }
}

const summedProof = (p: ReleaseProof) => ({
  file: p.manifest.file,
  sha256: p.manifest.sha256,
  sigFile: p.signature.file,
  sigSha256: p.signature.sha256,
});

export const signedProofs = (proofs: ReleaseProof[], sign: (file: Downloadable) => Promise<string>) =>
  Promise.all(
    proofs.map(
      async (p): Promise<ProofEntry> => ({
        releaseId: p.releaseId,
        file: p.manifest.file,
        size: p.manifest.size,
        sha256: p.manifest.sha256,
        url: await sign(p.manifest),
        sigFile: p.signature.file,
        sigSize: p.signature.size,
        sigSha256: p.signature.sha256,
        sigUrl: await sign(p.signature),
      }),
    ),
  );

export const tarFolder = (grant: Pick<GrantRecord, "id">) => `artifact-studio-${grant.id}`;

const encoder = new TextEncoder();

const pemBytes = (pem: string) => encoder.encode(pem.endsWith("\n") ? pem : `${pem}\n`);

/** What a grant's archive is made of: the grant, the keys, its release manifests and its signed bundle list. */
export type TarInputs = {
  grant: GrantRecord;
  keys: TrustedKey[];
  proofs: ReleaseProof[];
  studio: BundleListDocs;
};

/** What the archive's length needs: the same, with the bundle list's sizes enough (bundleListSizes). */
export type TarLayout = Omit<TarInputs, "studio"> & { studio: BundleListDocs | BundleListSizes };

/** The grant's signed bundle list (signatures whose sha256 their blob key does not name are read). */
export const grantBundleList = (
  cfg: Pick<Config, "STUDIO_SIGNING_KEYS">,
  grant: GrantRecord,
  proofs: ReleaseProof[],
  deps: StorageDeps,
) => bundleListDocs(cfg, grant, proofs, (f) => readSignature(f, deps));

/** Every stored object an archive of the grant reads: artifacts, signatures, release manifests. */
export const grantObjects = (grant: GrantRecord, proofs: ReleaseProof[]): Downloadable[] => [
  ...grant.files.flatMap((f) => [artifactOf(f), signatureOf(f)]),
  ...proofs.flatMap((p) => [p.manifest, p.signature]),
];

/** Throws IntegrityError (503) unless every object of the archive is stored as verified. */
export const assertGrantStored = (grant: GrantRecord, proofs: ReleaseProof[], deps: StorageDeps) =>
  assertAllStored(deps.bucket, grantObjects(grant, proofs));

/**
 * The grant as one ustar archive under artifact-studio-<id>/: each file and its signature, the
 * signed release manifests under releases/<release-id>/, then SHA256SUMS, the signed bundle list
 * under studio/, the public key(s) (the studio's too), the docs' verify-signatures.sh and
 * verify-bundle.sh. Signatures are hashed as they pass, so SHA256SUMS (whose length is known up
 * front) needs no extra reads when the whole archive streams; a part that starts after them reads
 * them again. `range` streams only those bytes (a part).
 */
export const grantTar = (inputs: TarInputs, deps: StorageDeps, range?: { start: number; end: number }) =>
  tarStream(grantTarEntries(inputs, deps), range);

/**
 * The archive's size from its entries' names and sizes, without touching storage or signing the list
 * (the page's sizes and parts, and Content-Length).
 */
export const grantTarLength = (layout: TarLayout) => tarLength(grantTarEntries(layout, null as unknown as StorageDeps));

/** A verified file's bytes for the tar: whole (the edge cache or R2), or one range of it from R2. */
async function openStored(file: Downloadable, deps: StorageDeps, range?: ByteRange) {
  if (!range) return openWhole(file, deps);
  const read = await readVerified(deps.bucket, file, range);
  if (!read.ok) throw new IntegrityError(`${file.file} cannot be served: ${read.problem}`);
  return read.object.body;
}

/** Each granted file and its signature; a signature's checksum is noted in `sigSums` as it passes. */
function fileEntries(grant: GrantRecord, folder: string, deps: StorageDeps, sigSums: Map<string, string>): TarEntry[] {
  return grant.files.flatMap((f): TarEntry[] => [
    {
      path: `${folder}/${f.file}`,
      size: f.size,
      mtime: f.publishedAt,
      open: (range) => openStored(artifactOf(f), deps, range),
    },
    {
      path: `${folder}/${f.sigFile}`,
      size: f.sigSize,
      mtime: f.publishedAt,
      open: async () => {
        const bytes = await readSignature(f, deps);
        sigSums.set(f.sigFile, await sha256Hex(bytes));
        return bytes;
      },
    },
  ]);
}

/** The signed release manifests and their signatures. */
const proofEntries = (proofs: ReleaseProof[], folder: string, deps: StorageDeps): TarEntry[] =>
  proofs.flatMap((p) =>
    [p.manifest, p.signature].map((file) => ({
      path: `${folder}/${file.file}`,
      size: file.size,
      mtime: file.publishedAt,
      open: (range?: ByteRange) => openStored(file, deps, range),
    })),
  );

/** SHA256SUMS, from the signatures' checksums noted as they passed (or read again for a later part). */
function sumsEntry(
  grant: GrantRecord,
  proofs: ReleaseProof[],
  folder: string,
  deps: StorageDeps,
  sigSums: Map<string, string>,
): TarEntry {
  return {
    path: `${folder}/SHA256SUMS`,
    size: sha256SumsLength(grant.files, proofs.map(summedProof)),
    mtime: grant.createdAt,
    open: async () => {
      // A part that starts after the signatures never saw them pass.
      const sums = grant.files.every((f) => sigSums.has(f.sigFile)) ? sigSums : await signatureChecksums(grant, deps);
      return encoder.encode(sha256Sums(grant.files, sums, proofs.map(summedProof)));
    },
  };
}

/** The default key as spectro_public_key.pem, any other key that signed a granted file, and the studio's key. */
function keyEntries(grant: GrantRecord, keys: TrustedKey[], studio: Pick<BundleListDocs, "key">, folder: string) {
  const mtime = grant.createdAt;
  // The key the studio serves as /spectro_public_key.pem, chosen as of the grant so every part of
  // one archive agrees on the layout (a key expiring mid-download must not move the bytes).
  const primary = defaultKey(keys, grant.createdAt);
  const usedKeyIds = new Set(grant.files.map((f) => f.keyId));
  const pems: [string, string][] = [
    ["spectro_public_key.pem", primary.pem],
    ...keys.filter((k) => k !== primary && usedKeyIds.has(k.id)).map((k): [string, string] => [`${k.id}.pem`, k.pem]),
    [`${studio.key.id}.pem`, studio.key.pem],
  ];
  return pems.map(([name, pem]) => ({
    path: `${folder}/${name}`,
    size: pemBytes(pem).byteLength,
    mtime,
    open: async () => pemBytes(pem),
  }));
}

/** studio/bundle-list.txt and its signature (only their sizes, not to be opened, when a length is all that is asked). */
const listEntries = (grant: GrantRecord, studio: BundleListDocs | BundleListSizes, folder: string): TarEntry[] =>
  (
    [
      [BUNDLE_LIST, "list" in studio ? studio.list : studio.listSize],
      [BUNDLE_LIST_SIGNATURE, "list" in studio ? studio.signature : studio.signatureSize],
    ] as const
  ).map(([name, doc]) => ({
    path: `${folder}/${name}`,
    size: typeof doc === "number" ? doc : doc.byteLength,
    mtime: grant.createdAt,
    open: async () => {
      if (typeof doc === "number") throw new Error(`${name} is not signed yet: sizes alone give a length, not bytes`);
      return doc;
    },
  }));

/** verify-signatures.sh and verify-bundle.sh, executable. */
const scriptEntries = (folder: string, mtime: number): TarEntry[] =>
  (
    [
      ["verify-signatures.sh", VERIFY_SCRIPT],
      ["verify-bundle.sh", VERIFY_BUNDLE_SCRIPT],
    ] as const
  ).map(([name, text]) => {
    const script = encoder.encode(text);
    return { path: `${folder}/${name}`, size: script.byteLength, mtime, mode: 0o755, open: async () => script };
  });

function grantTarEntries({ grant, keys, proofs, studio }: TarLayout, deps: StorageDeps): TarEntry[] {
  const folder = tarFolder(grant);
  const sigSums = new Map<string, string>();
  return [
    ...fileEntries(grant, folder, deps, sigSums),
    ...proofEntries(proofs, folder, deps),
    sumsEntry(grant, proofs, folder, deps, sigSums),
    ...listEntries(grant, studio, folder),
    ...keyEntries(grant, keys, studio, folder),
    ...scriptEntries(folder, grant.createdAt),
  ];
}
