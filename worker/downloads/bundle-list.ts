// The signed bundle list (TUF's snapshot role): every file of a grant with its size and sha256, signed
// by the studio's own online key (STUDIO_SIGNING_KEYS), so a user proves offline that nothing was
// dropped, added or swapped on the way. The publisher's signatures prove each file; only this list
// proves the set. It travels as studio/bundle-list.txt and studio/bundle-list.txt.sig.bin (a DER
// ECDSA signature: `openssl dgst -sha256 -verify <id>.pem -signature …sig.bin …txt`), in a folder
// of its own so the docs' `*.sig.bin` loop never meets it.
// Signatures are deterministic (RFC 6979), so every part of one grant's archive agrees on the bytes.
import { createHash } from "node:crypto";
import { p256 } from "@noble/curves/nist.js";
import type { GrantRecord } from "../db/grant-queries";
import { type Config, ConfigError, type StudioSigningKey } from "../env";
import { sha256Hex } from "../encoding";
import { sha256OfBlobKey } from "../storage";
import type { Downloadable } from "./files";
import type { ReleaseProof } from "./provenance";
import type { SigningKey } from "./settings";
import { workerSigner } from "./signers";

export const BUNDLE_LIST_FOLDER = "studio";
export const BUNDLE_LIST = `${BUNDLE_LIST_FOLDER}/bundle-list.txt`;
export const BUNDLE_LIST_SIGNATURE = `${BUNDLE_LIST}.sig.bin`;

export type ListedFile = { file: string; size: number; sha256: string };

/** The list and its signature as served, and the studio key (id and public PEM) that signed it. */
export type BundleListDocs = {
  list: Uint8Array<ArrayBuffer>;
  signature: Uint8Array<ArrayBuffer>;
  key: { id: string; pem: string };
};

/** STUDIO_SIGNING_KEYS, demanded: a grant's downloads cannot be offered without a list to sign. */
export function studioKeys(cfg: Pick<Config, "STUDIO_SIGNING_KEYS">): StudioSigningKey[] {
  if (!cfg.STUDIO_SIGNING_KEYS?.length)
    throw new ConfigError("worker misconfigured: STUDIO_SIGNING_KEYS is required to sign the grants' bundle lists");
  return cfg.STUDIO_SIGNING_KEYS;
}

/**
 * The list's text: a header of `key value` lines, then one `file <sha256> <size> <name>` line per
 * file. Names never hold a line break (release file names are validated), so a line is a record.
 */
export function bundleListText(
  grant: Pick<GrantRecord, "id" | "createdAt" | "expiresAt">,
  keyId: string,
  files: ListedFile[],
): string {
  return `${[
    `# Artifact Studio bundle list: every file of grant ${grant.id}, signed by the studio key ${keyId}.`,
    `# openssl dgst -sha256 -verify ${keyId}.pem -signature ${BUNDLE_LIST_SIGNATURE} ${BUNDLE_LIST}`,
    "format artifact-studio-bundle-list/1",
    `grant ${grant.id}`,
    `issued ${new Date(grant.createdAt).toISOString()}`,
    `expires ${new Date(grant.expiresAt).toISOString()}`,
    `key ${keyId}`,
    `files ${files.length}`,
    ...files.map((f) => `file ${f.sha256} ${f.size} ${f.file}`),
  ].join("\n")}\n`;
}

/** DER ECDSA P-256 over sha256(bytes), as `openssl dgst -sha256 -sign` writes it, but deterministic. */
export const signBundleList = (bytes: Uint8Array, key: StudioSigningKey): Uint8Array<ArrayBuffer> =>
  new Uint8Array(p256.sign(bytes, key.scalar, { prehash: true, format: "der", extraEntropy: false }));

type GrantFile = GrantRecord["files"][number];

/**
 * The list's files in its order: each artifact and its signature, then the signed release manifests.
 * A signature's sha256 is its blob key's content address; a row published before blobs were
 * content-addressed has none here (`unsummed`: its signature must be read).
 */
const listOrder = (
  grant: Pick<GrantRecord, "files">,
  proofs: ReleaseProof[],
): { file: string; size: number; sha256: string | null; unsummed?: GrantFile }[] => [
  ...grant.files.flatMap((f) => [
    { file: f.file, size: f.size, sha256: f.sha256 },
    { file: f.sigFile, size: f.sigSize, sha256: sha256OfBlobKey(f.sigKey), unsummed: f },
  ]),
  ...proofs.flatMap((p) => [p.manifest, p.signature].map(({ file, size, sha256 }) => ({ file, size, sha256 }))),
];

/** Every file of the grant with its sha256, reading the signatures whose blob key does not name it. */
export async function grantListedFiles(
  grant: Pick<GrantRecord, "files">,
  proofs: ReleaseProof[],
  readSignatureSha256: (f: GrantFile) => Promise<string>,
): Promise<ListedFile[]> {
  const files: ListedFile[] = [];
  for (const f of listOrder(grant, proofs)) {
    files.push({ file: f.file, size: f.size, sha256: f.sha256 ?? (await readSignatureSha256(f.unsummed!)) });
  }
  return files;
}

const encoder = new TextEncoder();

/** A DER ECDSA P-256 signature is at most 72 bytes (two 33-byte integers and their headers). */
export const LIST_SIGNATURE_MAX_BYTES = 72;

/** What an archive's layout needs of the list before it is signed: the key, and the two documents' sizes. */
export type BundleListSizes = { key: BundleListDocs["key"]; listSize: number; signatureSize: number };

/**
 * The list's and its signature's sizes, with nothing read or signed: the list's text from its files'
 * names and sizes (every sha256 is 64 hex digits), the signature at most LIST_SIGNATURE_MAX_BYTES
 * (any size up to 512 fills the same one tar block, so an archive's length is exact).
 */
export function bundleListSizes(
  cfg: Pick<Config, "STUDIO_SIGNING_KEYS">,
  grant: Pick<GrantRecord, "id" | "createdAt" | "expiresAt" | "files">,
  proofs: ReleaseProof[],
): BundleListSizes {
  const key = studioKeys(cfg)[0];
  const files = listOrder(grant, proofs).map(({ file, size }) => ({ file, size, sha256: "0".repeat(64) }));
  return {
    key: { id: key.id, pem: key.publicPem },
    listSize: encoder.encode(bundleListText(grant, key.id, files)).byteLength,
    signatureSize: LIST_SIGNATURE_MAX_BYTES,
  };
}

/** The grant's list, signed with the first studio key. */
export async function bundleListDocs(
  cfg: Pick<Config, "STUDIO_SIGNING_KEYS">,
  grant: Pick<GrantRecord, "id" | "createdAt" | "expiresAt" | "files">,
  proofs: ReleaseProof[],
  readSignature: (f: GrantFile) => Promise<Uint8Array<ArrayBuffer>>,
): Promise<BundleListDocs> {
  const key = studioKeys(cfg)[0];
  const files = await grantListedFiles(grant, proofs, async (f) => sha256Hex(await readSignature(f)));
  const list = encoder.encode(bundleListText(grant, key.id, files));
  return { list, signature: signBundleList(list, key), key: { id: key.id, pem: key.publicPem } };
}

/**
 * The list and its signature as things a /dl URL can name. They are made per request, not stored:
 * the object key is a name for the URL's HMAC only, under no prefix storage uses.
 */
export function bundleListDownloadable(
  grant: Pick<GrantRecord, "id" | "createdAt">,
  name: string,
): Downloadable | undefined {
  if (name !== BUNDLE_LIST && name !== BUNDLE_LIST_SIGNATURE) return undefined;
  return {
    file: name,
    objectKey: `generated:${grant.id}/${name}`,
    storedEtag: "",
    size: 0,
    etag: `${grant.id}-${name}`,
    publishedAt: grant.createdAt,
  };
}

/**
 * The keys that sign the list's /dl URLs: HMAC secrets derived from the studio keys (domain-separated,
 * so the ECDSA key signs nothing but lists), which exist whichever DOWNLOAD_SIGNER is set: R2 cannot
 * serve what is not stored, so the worker serves the list under either strategy.
 */
export function listUrlKeys(cfg: Pick<Config, "STUDIO_SIGNING_KEYS">): SigningKey[] {
  const keys = studioKeys(cfg);
  let derived = derivedKeys.get(keys);
  if (!derived) {
    derived = keys.map((k) => ({
      id: `s${createHash("sha256").update(k.id).digest("hex").slice(0, 16)}`,
      secret: new Uint8Array(
        createHash("sha256").update("artifact-studio/bundle-list-url\0").update(k.scalar).digest(),
      ),
    }));
    derivedKeys.set(keys, derived);
  }
  return derived;
}
const derivedKeys = new WeakMap<StudioSigningKey[], SigningKey[]>();

/** Signed /dl URLs of the grant's list and its signature. */
export async function bundleListUrls(
  cfg: Pick<Config, "STUDIO_SIGNING_KEYS">,
  origin: string,
  grant: Pick<GrantRecord, "id" | "createdAt" | "expiresAt">,
): Promise<{ url: string; sigUrl: string; keyId: string; keyUrl: string }> {
  const signer = workerSigner(listUrlKeys(cfg), origin);
  const doc = (name: string) => signer.sign(grant, bundleListDownloadable(grant, name)!);
  const keyId = studioKeys(cfg)[0].id;
  return {
    url: await doc(BUNDLE_LIST),
    sigUrl: await doc(BUNDLE_LIST_SIGNATURE),
    keyId,
    keyUrl: `${origin}/keys/${encodeURIComponent(keyId)}.pem`,
  };
}
