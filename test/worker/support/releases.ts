// Test helper: builds a signed release the way the release pipeline does and drops it into the test
// R2 bucket (artifacts and .sig.bin files under incoming/<id>/, release.json last), so tests can seed
// the catalog through the real sync. Payloads are deterministic; large ones are generated as a
// stream twice (once to upload, once to hash and sign) and are never held in memory.
import { Buffer } from "node:buffer";
import { createSign } from "node:crypto";
import { count, eq } from "drizzle-orm";
import { primary } from "../../../worker/db/client";
import { getRelease } from "../../../worker/db/releases";
import { packVersions, productVersions, releaseArtifacts } from "../../../worker/db/schema";
import type { Arch, Cloud, DependencyType, InstallerKind, Layer, UseCase } from "../../../worker/domain/vocabulary";
import { releaseFolder } from "../../../worker/storage";
import { packFileName, signatureFileName, type ReleaseManifest } from "../../../worker/sync/release-manifest";
import { WorkersCrypto } from "../../../worker/sync/measure-and-verify";

/** Ways to spoil one file of a release, for the quarantine tests. */
export type Tamper =
  | "bad-signature" // signed with the untrusted key instead of the listed one
  | "missing-signature" // the .sig.bin is never written
  | "missing-file" // the artifact is never written
  | "size-mismatch" // release.json lists 100 bytes more than the artifact has
  | "checksum-mismatch"; // one byte flipped after hashing and signing; the size stays right

type Payload = {
  /** Exact bytes; otherwise `size` deterministic bytes derived from the file name. */
  content?: string | Uint8Array;
  /** Default 2048. Above 8 MiB the payload is generated and uploaded as a stream. */
  size?: number;
  /** The key id release.json lists for this file (default: the release's). */
  keyId?: string;
  tamper?: Tamper;
};

export type PackSpec = Payload & {
  name: string;
  version: string;
  layer?: Layer;
  displayName?: string;
  addonType?: string;
  description?: string;
  kernel?: string;
  eol?: string;
  source?: "spectrocloud" | "community";
  cloudTypes?: (Cloud | "all")[];
  architectures?: Arch[];
  useCases?: UseCase[];
  fips?: boolean;
  products?: { product: string; minVersion?: string; maxVersion?: string }[];
  dependencies?: { packName: string; layer: Layer; minVersion?: string; maxVersion?: string; type: DependencyType }[];
};

export type InstallerSpec = Payload & { product: string; productVersion: string; kind: InstallerKind; file?: string };

export type ProductSpec = {
  id: string;
  name: string;
  applianceName: string;
  fips?: boolean;
  sortOrder?: number;
  change?: "create" | "update";
};

export type DropOptions = {
  /** release.json audience (default "production", the studio's RELEASE_AUDIENCE under test). */
  audience?: string;
  /** release.json keyId (default "test-ec"). */
  keyId?: string;
  /** Private key (from TEST_SIGNING_KEYS) that signs the files; default the listed key, else "test-ec". */
  signWith?: string;
  products?: ProductSpec[];
  packs?: PackSpec[];
  installers?: InstallerSpec[];
  /**
   * false: leave release.json out (the release is "still uploading"); a string: write that text
   * instead; a function: write what it returns from the honest manifest.
   */
  releaseJson?: false | string | ((manifest: ReleaseManifest) => unknown);
  /**
   * The private key (from TEST_SIGNING_KEYS) that signs release.json as written; default the
   * release's key. false: write no release.json.sig.bin (an unsigned manifest).
   */
  signManifestWith?: string | false;
};

export type DroppedRelease = {
  releaseId: string;
  manifest: ReleaseManifest;
  /** What was really written (or, for missing-file, would have been). */
  files: Record<string, { size: number; sha256: string }>;
};

export const PALETTE_ENTERPRISE: ProductSpec = {
  id: "palette-enterprise",
  name: "Palette Enterprise",
  applianceName: "Palette Enterprise Appliance",
  sortOrder: 1,
};
export const PALETTE_VERTEX: ProductSpec = {
  id: "palette-vertex",
  name: "Palette VerteX",
  applianceName: "Palette VerteX Appliance",
  fips: true,
  sortOrder: 2,
};

const STREAM_ABOVE = 8 * 1024 * 1024;
const CHUNK = 1024 * 1024;

export const installerFileName = (i: InstallerSpec) =>
  i.file ??
  (i.kind === "content-bundle"
    ? `${i.product}-${i.productVersion}.tar.zst`
    : i.kind === "iso"
      ? `${i.product}-appliance-${i.productVersion}.iso`
      : `${i.product}-${i.productVersion}-chart.tgz`);

export async function dropRelease(env: Cloudflare.Env, releaseId: string, opts: DropOptions): Promise<DroppedRelease> {
  const privateKeys = JSON.parse(env.TEST_SIGNING_KEYS) as Record<string, string>;
  const releaseKeyId = opts.keyId ?? "test-ec";
  const folder = releaseFolder(releaseId);
  const files: DroppedRelease["files"] = {};
  const listed: ReleaseManifest["files"] = [];

  const drop = async (file: string, payload: Payload) => {
    const listedKey = payload.keyId ?? releaseKeyId;
    const signer =
      payload.tamper === "bad-signature"
        ? "untrusted"
        : (opts.signWith ?? (privateKeys[listedKey] ? listedKey : "test-ec"));
    const source = payloadSource(file, payload);
    const { sha256, signature } = await hashAndSign(source.chunks(false), privateKeys[signer]);
    if (payload.tamper !== "missing-file")
      await putChunks(env.ARTIFACTS, folder + file, source.size, source.chunks(payload.tamper === "checksum-mismatch"));
    if (payload.tamper !== "missing-signature") await env.ARTIFACTS.put(folder + signatureFileName(file), signature);
    files[file] = { size: source.size, sha256 };
    const size = payload.tamper === "size-mismatch" ? source.size + 100 : source.size;
    return {
      file,
      signature: signatureFileName(file),
      size,
      sha256,
      ...(payload.keyId ? { keyId: payload.keyId } : {}),
    };
  };

  for (const p of opts.packs ?? []) {
    const file = packFileName(p.name, p.version);
    listed.push({
      ...(await drop(file, p)),
      kind: "pack",
      pack: {
        name: p.name,
        displayName: p.displayName ?? p.name,
        version: p.version,
        layer: p.layer ?? "addon",
        ...(p.kernel ? { kernel: p.kernel } : {}),
        ...(p.addonType ? { addonType: p.addonType } : {}),
        description: p.description ?? `${p.name} ${p.version}`,
        cloudTypes: p.cloudTypes ?? ["all"],
        annotations: { source: p.source ?? "spectrocloud" },
        ...(p.eol ? { eol: p.eol } : {}),
        constraints: { dependencies: p.dependencies ?? [] },
        architectures: p.architectures ?? ["amd64"],
        fips: p.fips ?? false,
        useCases: p.useCases ?? ["addon"],
        products: p.products ?? [{ product: PALETTE_ENTERPRISE.id }],
      },
    });
  }
  for (const i of opts.installers ?? []) {
    listed.push({
      ...(await drop(installerFileName(i), i)),
      kind: i.kind,
      product: i.product,
      productVersion: i.productVersion,
    });
  }

  const manifest: ReleaseManifest = {
    schemaVersion: 1,
    releaseId,
    keyId: releaseKeyId,
    audience: opts.audience ?? "production",
    expiresAt: new Date(Date.now() + 24 * 60 * 60 * 1000).toISOString(),
    products: (opts.products ?? []).map((p) => ({ fips: false, sortOrder: 0, change: "create" as const, ...p })),
    files: listed,
  };
  if (opts.releaseJson !== false) {
    const body = typeof opts.releaseJson === "string" ? opts.releaseJson : (opts.releaseJson?.(manifest) ?? manifest);
    const signer = opts.signManifestWith ?? (privateKeys[releaseKeyId] ? releaseKeyId : "test-ec");
    await writeReleaseJson(env, releaseId, body, signer === false ? false : privateKeys[signer]);
  }
  return { releaseId, manifest, files };
}

/**
 * Writes release.json and then its signature, the pipeline's last steps; a string is written as is.
 * `privateKeyPem` signs the bytes written (openssl dgst -sha256 -sign); false leaves it unsigned.
 */
export async function writeReleaseJson(
  env: Cloudflare.Env,
  releaseId: string,
  manifest: unknown,
  privateKeyPem: string | false = testSigningKey(env, "test-ec"),
): Promise<void> {
  const text = typeof manifest === "string" ? manifest : JSON.stringify(manifest, null, 2);
  await env.ARTIFACTS.put(`${releaseFolder(releaseId)}release.json`, text, {
    httpMetadata: { contentType: "application/json" },
  });
  if (privateKeyPem === false) return;
  await env.ARTIFACTS.put(`${releaseFolder(releaseId)}release.json.sig.bin`, signText(text, privateKeyPem));
}

/** A private key of the test run by its id in TEST_SIGNING_KEYS ("test-ec", "test-rsa", "untrusted", …). */
export const testSigningKey = (env: Cloudflare.Env, id: string) =>
  (JSON.parse(env.TEST_SIGNING_KEYS) as Record<string, string>)[id];

/** What `openssl dgst -sha256 -sign key.pem -out X.sig.bin X` writes for these bytes. */
export const signText = (text: string | Uint8Array, privateKeyPem: string) =>
  new Uint8Array(createSign("sha256").update(text).sign(privateKeyPem));

type PayloadSource = { size: number; chunks: (flipFirstByte: boolean) => Generator<Uint8Array> };

function payloadSource(file: string, payload: Payload): PayloadSource {
  if (payload.content !== undefined) {
    const bytes = typeof payload.content === "string" ? new TextEncoder().encode(payload.content) : payload.content;
    return {
      size: bytes.byteLength,
      *chunks(flip) {
        const copy = bytes.slice();
        if (flip && copy.length) copy[0] ^= 0xff;
        yield copy;
      },
    };
  }
  const size = payload.size ?? 2048;
  return { size, chunks: (flip) => deterministicChunks(file, size, flip) };
}

/** The same bytes every time for the same seed: a pseudo-random block, stamped with the chunk index. */
function* deterministicChunks(seed: string, size: number, flipFirstByte: boolean): Generator<Uint8Array> {
  const block = new Uint8Array(Math.min(CHUNK, Math.max(size, 1)));
  let state = [...seed].reduce((h, ch) => Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0, 2166136261) || 1;
  for (let i = 0; i < block.length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    block[i] = state & 0xff;
  }
  for (let offset = 0, index = 0; offset < size; offset += CHUNK, index++) {
    const chunk = block.slice(0, Math.min(CHUNK, size - offset));
    new DataView(chunk.buffer).setUint32(0, index);
    if (flipFirstByte && index === 0) chunk[0] ^= 0xff;
    yield chunk;
  }
}

async function hashAndSign(
  chunks: Iterable<Uint8Array>,
  privateKeyPem: string,
): Promise<{ sha256: string; signature: Uint8Array }> {
  const digest = new WorkersCrypto.DigestStream("SHA-256");
  const writer = digest.getWriter();
  const signer = createSign("sha256");
  for (const chunk of chunks) {
    signer.update(chunk);
    await writer.write(chunk);
  }
  await writer.close();
  const sha256 = Buffer.from(await digest.digest).toString("hex");
  return { sha256, signature: new Uint8Array(signer.sign(privateKeyPem)) };
}

async function putChunks(bucket: R2Bucket, key: string, size: number, chunks: Iterable<Uint8Array>): Promise<void> {
  if (size <= STREAM_ABOVE) {
    const whole = new Uint8Array(size);
    let offset = 0;
    for (const chunk of chunks) {
      whole.set(chunk, offset);
      offset += chunk.byteLength;
    }
    await bucket.put(key, whole);
    return;
  }
  // R2 needs the length up front for a stream; FixedLengthStream supplies it.
  const { readable, writable } = new FixedLengthStream(size);
  const upload = bucket.put(key, readable);
  const writer = writable.getWriter();
  for (const chunk of chunks) await writer.write(chunk);
  await writer.close();
  await upload;
}

/** How many catalog rows a release contributed; all zero for a refused one. */
export async function rowsPublishedBy(env: Cloudflare.Env, releaseId: string) {
  const db = primary(env);
  const [packs] = await db.select({ n: count() }).from(packVersions).where(eq(packVersions.releaseId, releaseId));
  const [installers] = await db
    .select({ n: count() })
    .from(releaseArtifacts)
    .where(eq(releaseArtifacts.releaseId, releaseId));
  const [versions] = await db
    .select({ n: count() })
    .from(productVersions)
    .where(eq(productVersions.releaseId, releaseId));
  return { packVersions: packs.n, releaseArtifacts: installers.n, productVersions: versions.n };
}

/** The sync's record of a release folder (status, reason, details), or undefined if never claimed. */
export const releaseRow = (env: Cloudflare.Env, id: string) => getRelease(primary(env), id);

/** Blob keys as the sync would store them, for tests that call publishStatements directly. */
export const storedAsIf = (manifest: ReleaseManifest) =>
  new Map(
    manifest.files.map((f) => [
      f.file,
      {
        objectKey: `blobs/sha256/${f.sha256}`,
        objectEtag: "etag-as-if",
        signatureKey: `blobs/sha256/sig-of-${f.sha256}`,
        signatureEtag: "etag-as-if",
        signatureSize: 72,
      },
    ]),
  );

/** A pack version row as a grant holds it. */
export const packGrantFile = (row: typeof packVersions.$inferSelect) => ({
  kind: "pack" as const,
  name: row.packName,
  version: row.version,
  file: row.fileName,
  objectKey: row.objectKey,
  objectEtag: row.objectEtag,
  size: row.size,
  sha256: row.sha256,
  sigFile: row.signatureFileName,
  sigKey: row.signatureKey,
  sigEtag: row.signatureEtag,
  sigSize: row.signatureSize,
  keyId: row.keyId,
  publishedAt: row.publishedAt,
});
