// The checks of a release that need no catalog and no bucket, as plain functions over what was
// measured, so the sync and the publisher's `npm run release -- check` (scripts/release/) run the
// very same code and word their findings the same way.
import type { Finding } from "./plan";
import type { ReleaseManifest } from "./release-manifest";
import { MAX_SIGNATURE_BYTES } from "./signed-manifest";

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
