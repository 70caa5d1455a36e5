// Reading a release's manifest the only way it may be read: release.json's bytes are checked against
// release.json.sig.bin with the trusted keys before a single field of it is believed. The key that
// verifies must be current and must be the keyId the manifest names; the manifest must name its own
// folder, so a signed manifest copied elsewhere is refused.
import { hex } from "../encoding";
import type { TrustedKey } from "../env";
import { keyRefusal } from "../keys";
import type { Finding } from "./plan";
import { RELEASE_JSON, RELEASE_JSON_SIGNATURE, releaseManifest, type ReleaseManifest } from "./release-manifest";

export { RELEASE_JSON, RELEASE_JSON_SIGNATURE };
import { verifyBytes } from "./verify";

// release.json is metadata; anything bigger is not a release we should read into memory.
export const MAX_RELEASE_JSON_BYTES = 4 * 1024 * 1024;
// A DER ECDSA signature is ~72 bytes and an RSA-4096 one 512; this leaves ample room.
export const MAX_SIGNATURE_BYTES = 16 * 1024;

export type SignedManifest =
  | {
      ok: true;
      release: ReleaseManifest;
      keyId: string;
      manifestSha256: string;
      /** The exact bytes that verified, so publishing can keep them without reading incoming/ again. */
      bytes: Uint8Array;
      signatureBytes: Uint8Array;
    }
  | { ok: false; findings: Finding[]; keyId?: string };

type Refused = Extract<SignedManifest, { ok: false }>;

const refused = (problem: string, keyId?: string): Refused => ({ ok: false, findings: [{ problem }], keyId });

/** The refusal of a release.json or signature too big to read, if either is. */
export function manifestSizeProblem(manifestSize: number, signatureSize: number): Refused | null {
  if (manifestSize > MAX_RELEASE_JSON_BYTES)
    return refused(`release.json is ${manifestSize} bytes, more than the ${MAX_RELEASE_JSON_BYTES} allowed`);
  if (signatureSize > MAX_SIGNATURE_BYTES)
    return refused(`${RELEASE_JSON_SIGNATURE} is ${signatureSize} bytes, not a signature`);
  return null;
}

/** The refusal of a release.json whose signature file is absent. */
export const unsignedManifest = (): Refused =>
  refused(`release.json is not signed: ${RELEASE_JSON_SIGNATURE} is missing`);

/** release.json and its signature, whole, if both are there and of a plausible size. */
async function readManifestBytes(
  bucket: R2Bucket,
  folder: string,
): Promise<{ ok: true; bytes: Uint8Array<ArrayBuffer>; signatureBytes: Uint8Array<ArrayBuffer> } | Refused> {
  const [manifest, signature] = await Promise.all([
    bucket.get(folder + RELEASE_JSON),
    bucket.get(folder + RELEASE_JSON_SIGNATURE),
  ]);
  if (!manifest) {
    await signature?.body.cancel();
    throw new Error(`${folder}${RELEASE_JSON} vanished after it was listed`);
  }
  if (!signature) {
    await manifest.body.cancel();
    return unsignedManifest();
  }
  const tooBig = manifestSizeProblem(manifest.size, signature.size);
  if (tooBig) {
    await Promise.all([manifest.body.cancel(), signature.body.cancel()]);
    return tooBig;
  }
  const [bytes, signatureBytes] = await Promise.all([manifest.arrayBuffer(), signature.arrayBuffer()]).then((buffers) =>
    buffers.map((b) => new Uint8Array(b)),
  );
  return { ok: true, bytes, signatureBytes };
}

/**
 * The verified bytes as a release: valid JSON, valid against the schema, naming its own folder and
 * the key that signed it.
 */
function parseRelease(
  bytes: Uint8Array,
  releaseId: string,
  signerId: string,
): { ok: true; release: ReleaseManifest } | Refused {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (err) {
    return refused(`release.json is not valid JSON: ${err instanceof Error ? err.message : String(err)}`, signerId);
  }
  const result = releaseManifest.safeParse(json);
  if (!result.success) {
    return {
      ok: false,
      keyId: signerId,
      findings: result.error.issues.map((issue) => ({
        problem: `release.json: ${issue.path.join(".") || "(root)"}: ${issue.message}`,
      })),
    };
  }
  const release = result.data;
  if (release.releaseId !== releaseId) {
    return refused(`release.json: releaseId '${release.releaseId}' does not match its folder '${releaseId}'`, signerId);
  }
  if (release.keyId !== signerId) {
    return refused(`release.json names key ${release.keyId} but is signed by key ${signerId}`, signerId);
  }
  return { ok: true, release };
}

export async function readSignedManifest(
  bucket: R2Bucket,
  folder: string,
  releaseId: string,
  keys: readonly TrustedKey[],
  now: number,
): Promise<SignedManifest> {
  const read = await readManifestBytes(bucket, folder);
  if (!read.ok) return read;
  return checkSignedManifest(read.bytes, read.signatureBytes, releaseId, keys, now);
}

/**
 * The manifest checks on bytes in hand, shared by the sync and the publisher's `release check`: the
 * signature with a trusted, current key first, and only then the JSON, the schema, its folder and key.
 */
export async function checkSignedManifest(
  bytes: Uint8Array,
  signatureBytes: Uint8Array,
  releaseId: string,
  keys: readonly TrustedKey[],
  now: number,
): Promise<SignedManifest> {
  const signer = keys.find((k) => verifyBytes(bytes, signatureBytes, k.pem));
  if (!signer) return refused(`${RELEASE_JSON_SIGNATURE} does not verify with any trusted key`);
  const refusal = keyRefusal(signer, now);
  if (refusal) return refused(`release.json is signed by ${refusal}`, signer.id);

  // Only now is anything in the manifest believed.
  const parsed = parseRelease(bytes, releaseId, signer.id);
  if (!parsed.ok) return parsed;
  const manifestSha256 = hex(await crypto.subtle.digest("SHA-256", bytes.slice()));
  return { ok: true, release: parsed.release, keyId: signer.id, manifestSha256, bytes, signatureBytes };
}
