// A grant's downloadable documents: the manifest formats (with the signatures' checksums read from
// storage, since the catalog records only the artifacts'), and the single-file tar of everything.
import type { TrustedKey } from "../env";
import type { GrantRecord } from "../db/grants";
import { sha256Hex } from "../encoding";
import { artifactOf, signatureOf } from "./files";
import {
  bundleCurl,
  downloadSh,
  type ManifestEntry,
  type ManifestFormat,
  manifestJson,
  publicKeyRefs,
  sha256Sums,
  sha256SumsLength,
  urlsTxt,
} from "./manifests";
import { VERIFY_SCRIPT } from "./verify-script";
import { openWhole, type ServeDeps } from "./serve";
import { type TarEntry, tarLength, tarStream } from "./tar";

type StorageDeps = Pick<ServeDeps, "bucket" | "cache" | "maxCacheBytes">;

/** Signatures are a few hundred bytes; reading one whole is fine (artifacts never are). */
const MAX_SIGNATURE_BYTES = 64 * 1024;

async function readSignature(
  grantFile: GrantRecord["files"][number],
  deps: StorageDeps,
): Promise<Uint8Array<ArrayBuffer>> {
  const sig = signatureOf(grantFile);
  if (sig.size > MAX_SIGNATURE_BYTES) throw new Error(`${sig.file} is ${sig.size} bytes; not a signature`);
  const bytes = new Uint8Array(await new Response(await openWhole(sig, deps)).arrayBuffer());
  if (bytes.byteLength !== sig.size)
    throw new Error(`${sig.file}: ${bytes.byteLength} bytes in storage, the catalog says ${sig.size}`);
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
  ctx: { origin: string; defaultKeyId: string; deps: StorageDeps },
): Promise<{ body: string; contentType: string }> {
  if (format === "SHA256SUMS")
    return { body: sha256Sums(grant.files, await signatureChecksums(grant, ctx.deps)), contentType: TEXT };
  const entries = await signedEntries();
  switch (format) {
    case "urls.txt":
      return { body: urlsTxt(entries), contentType: TEXT };
    case "bundle.curl":
      return { body: bundleCurl(grant, entries), contentType: TEXT };
    case "manifest.json":
      return {
        body: JSON.stringify(manifestJson(grant, entries), null, 2) + "\n",
        contentType: "application/json; charset=utf-8",
      };
    case "download.sh":
      return {
        body: downloadSh(grant, entries, publicKeyRefs(entries, ctx.defaultKeyId, ctx.origin)),
        contentType: "text/x-shellscript; charset=utf-8",
      };
  }
}

export const tarFolder = (grant: Pick<GrantRecord, "id">) => `artifact-studio-${grant.id}`;

const encoder = new TextEncoder();

const pemBytes = (pem: string) => encoder.encode(pem.endsWith("\n") ? pem : `${pem}\n`);

/**
 * The grant as one ustar archive under artifact-studio-<id>/: each file and its signature, then
 * SHA256SUMS, the public key(s) and the docs' verify-signatures.sh. Signatures are hashed as they
 * pass, so SHA256SUMS (whose length is known up front) needs no extra reads.
 */
export const grantTar = (grant: GrantRecord, keys: TrustedKey[], deps: StorageDeps) =>
  tarStream(grantTarEntries(grant, keys, deps));

/** The archive's size, without touching storage (for the page and for Content-Length). */
export const grantTarLength = (grant: GrantRecord, keys: TrustedKey[]) =>
  tarLength(grantTarEntries(grant, keys, null as unknown as StorageDeps).map((e) => e.size));

function grantTarEntries(grant: GrantRecord, keys: TrustedKey[], deps: StorageDeps): TarEntry[] {
  const folder = tarFolder(grant);
  const mtime = grant.createdAt;
  const sigSums = new Map<string, string>();
  const entries: TarEntry[] = [];
  for (const f of grant.files) {
    entries.push({
      path: `${folder}/${f.file}`,
      size: f.size,
      mtime: f.publishedAt,
      open: () => openWhole(artifactOf(f), deps),
    });
    entries.push({
      path: `${folder}/${f.sigFile}`,
      size: f.sigSize,
      mtime: f.publishedAt,
      open: async () => {
        const bytes = await readSignature(f, deps);
        sigSums.set(f.sigFile, await sha256Hex(bytes));
        return bytes;
      },
    });
  }
  entries.push({
    path: `${folder}/SHA256SUMS`,
    size: sha256SumsLength(grant.files),
    mtime,
    open: async () => encoder.encode(sha256Sums(grant.files, sigSums)),
  });
  const [defaultKey, ...others] = keys;
  const usedKeyIds = new Set(grant.files.map((f) => f.keyId));
  entries.push({
    path: `${folder}/spectro_public_key.pem`,
    size: pemBytes(defaultKey.pem).byteLength,
    mtime,
    open: async () => pemBytes(defaultKey.pem),
  });
  for (const key of others.filter((k) => usedKeyIds.has(k.id))) {
    entries.push({
      path: `${folder}/${key.id}.pem`,
      size: pemBytes(key.pem).byteLength,
      mtime,
      open: async () => pemBytes(key.pem),
    });
  }
  const script = encoder.encode(VERIFY_SCRIPT);
  entries.push({
    path: `${folder}/verify-signatures.sh`,
    size: script.byteLength,
    mtime,
    mode: 0o755,
    open: async () => script,
  });
  return entries;
}
