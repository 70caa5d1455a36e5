// The checks of a release that need no catalog and no bucket, as plain functions over what was
// measured, so the sync and the publisher's `npm run release -- check` (scripts/release/) run the
// very same code and word their findings the same way.
import { hex } from "../encoding";
import { keyRefusal } from "../key-status";
import type { Finding } from "./plan";
import { RELEASE_JSON, RELEASE_JSON_SIGNATURE, releaseManifest, type ReleaseManifest } from "./release-manifest";
import { readSignedJson } from "./signed-json";
import { verifyBytes } from "./signatures";

/** A trusted key as the checks need it (env.ts's TrustedKey; the publish API's config answer). */
type CheckKey = { id: string; pem: string; revoked: boolean; revokedAt?: string; notAfter?: string };

type ListedFile = Pick<ReleaseManifest["files"][number], "size" | "sha256">;
export type Measured = { bytes: number; sha256: string; signatureValid: boolean };

/** What is missing or mis-sized in a release folder, given the size of each object in it. */
export function presenceFindings(release: ReleaseManifest, sizes: ReadonlyMap<string, number>): Finding[] {
  const findings: Finding[] = [];
  for (const f of release.files) {
    const size = sizes.get(f.file);
    const signatureSize = sizes.get(f.signature);
    if (size === undefined)
      findings.push({ file: f.file, problem: "listed in release.json but missing from the release folder" });
    else if (size !== f.size)
      findings.push({ file: f.file, problem: `size ${size} does not match release.json size ${f.size}` });
    if (signatureSize === undefined) findings.push({ file: f.file, problem: `missing signature file ${f.signature}` });
    else if (signatureSize === 0 || signatureSize > MAX_SIGNATURE_BYTES)
      findings.push({ file: f.file, problem: `signature file ${f.signature} has implausible size ${signatureSize}` });
  }
  return findings;
}

/** Why one file's measured bytes refuse it ("{key}" stands for the key id), or null when they match and verify. */
export function measurementProblem(measured: Measured, f: ListedFile): string | null {
  if (measured.bytes !== f.size) return `size ${measured.bytes} does not match release.json size ${f.size}`;
  if (measured.sha256 !== f.sha256)
    return `checksum mismatch: sha256 ${measured.sha256}, release.json says ${f.sha256}`;
  if (!measured.signatureValid) return "signature does not verify with key {key}";
  return null;
}

/** The Workflow's word for a file whose key stopped being current between the plan and its step. */
export const keyNoLongerCurrent = (keyId: string) => `key ${keyId} is no longer current`;

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

export type Refused = Extract<SignedManifest, { ok: false }>;

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

/**
 * The verified bytes as a release: valid JSON that repeats no key, valid against the schema, naming
 * its own folder and the key that signed it.
 */
function parseRelease(
  bytes: Uint8Array,
  releaseId: string,
  signerId: string,
): { ok: true; release: ReleaseManifest } | Refused {
  // The one reading every tool shares: strict UTF-8, JSON.parse, no repeated key (readers disagree on its value).
  const read = readSignedJson(RELEASE_JSON, bytes);
  if (!read.ok) return refused(read.problem, signerId);
  const result = releaseManifest.safeParse(read.json);
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

/**
 * The manifest checks on bytes in hand, shared by the sync and the publisher's `release check`: the
 * signature with a trusted, current key first, and only then the JSON, the schema, its folder and key.
 */
export async function checkSignedManifest(
  bytes: Uint8Array,
  signatureBytes: Uint8Array,
  releaseId: string,
  keys: readonly CheckKey[],
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
