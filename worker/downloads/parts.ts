// Media-sized parts of a grant's single .tar: part n is the plain byte range [(n-1)·size, n·size) of
// the one deterministic archive, so `cat artifact-studio-<id>.tar.part-* > artifact-studio-<id>.tar`
// rejoins it byte for byte. Part sizes: DVD, DVD-DL, BD presets or a custom size. PARTS.SHA256SUMS
// and join-and-verify.sh need each part's sha256, computed in one streamed pass over the archive
// (and kept in the edge cache for the grant), never by holding a part in memory.
import { createHash } from "node:crypto";
import { z } from "zod";
import { edgeCache } from "../edge-cache";
import type { Config } from "../env";
import { PART_PRESETS, type PartPreset, partCount, partSuffix } from "../domain/vocabulary";

export const MIN_PART_BYTES = 64 * 1024 ** 2;
/**
 * Test-only lower bound: with ENVIRONMENT=local (npm start and the tests) a part may be as small as
 * 64 KiB, so the demo's small files can be split into several parts. Production keeps 64 MiB.
 */
export const LOCAL_MIN_PART_BYTES = 64 * 1024;

export const minPartBytes = (cfg: Pick<Config, "ENVIRONMENT">) =>
  cfg.ENVIRONMENT === "local" ? LOCAL_MIN_PART_BYTES : MIN_PART_BYTES;

const UNITS: Record<string, number> = { "": 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, MB: 1e6, GB: 1e9 };

/** `dvd`, `dvd-dl`, `bd`, or a byte count such as `104857600`, `100MiB` or `5GB`. */
export const partSizeParam = (min: number) =>
  z.string({ error: "give size: dvd, dvd-dl, bd or a byte count like 100MiB" }).transform((text, ctx) => {
    if (text in PART_PRESETS) return PART_PRESETS[text as PartPreset];
    const m = /^(\d{1,15})(KiB|MiB|GiB|MB|GB)?$/.exec(text);
    const bytes = m ? Number(m[1]) * UNITS[m[2] ?? ""] : Number.NaN;
    if (!Number.isSafeInteger(bytes) || bytes < min) {
      ctx.addIssue({
        code: "custom",
        message: `must be dvd, dvd-dl, bd or a byte count of at least ${min} (like 100MiB)`,
      });
      return z.NEVER;
    }
    return bytes;
  });

/** The part's byte range [start, end) of an archive of `total` bytes. */
export const partRange = (total: number, size: number, n: number) => ({
  start: (n - 1) * size,
  end: Math.min(n * size, total),
});

/** The part number a `bundle.tar.part-NNN` path names, if it is one of the parts (written as partSuffix writes it). */
export function partNumber(name: string, count: number): number | undefined {
  const m = /^bundle\.tar\.part-(\d+)$/.exec(name);
  if (!m) return undefined;
  const n = Number(m[1]);
  return n >= 1 && n <= count && `bundle.tar.${partSuffix(n, count)}` === name ? n : undefined;
}

export type PartSums = { whole: string; parts: string[] };

/** sha256 of each `size`-byte slice of the stream, and of all of it, in one pass. */
export async function partChecksums(stream: ReadableStream<Uint8Array>, size: number): Promise<PartSums> {
  const whole = createHash("sha256");
  const parts: string[] = [];
  let part = createHash("sha256");
  let inPart = 0;
  const reader = stream.getReader();
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    const chunk = read.value;
    whole.update(chunk);
    for (let offset = 0; offset < chunk.byteLength; ) {
      const take = Math.min(size - inPart, chunk.byteLength - offset);
      part.update(chunk.subarray(offset, offset + take));
      inPart += take;
      offset += take;
      if (inPart === size) {
        parts.push(part.digest("hex"));
        part = createHash("sha256");
        inPart = 0;
      }
    }
  }
  if (inPart > 0 || parts.length === 0) parts.push(part.digest("hex"));
  return { whole: whole.digest("hex"), parts };
}

export const partsSha256Sums = (folder: string, sums: PartSums) =>
  `${sums.parts.map((sum, i) => `${sum}  ${folder}.tar.${partSuffix(i + 1, sums.parts.length)}`).join("\n")}\n`;

const shQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * join-and-verify.sh: checks every part's sha256, rejoins them with cat, checks the whole archive's
 * sha256, untars it, and runs SHA256SUMS and verify-bundle.sh (signatures and signed manifests).
 */
export function joinAndVerifySh(folder: string, size: number, sums: PartSums): string {
  const names = sums.parts.map((_, i) => `${folder}.tar.${partSuffix(i + 1, sums.parts.length)}`);
  return `#!/bin/sh
# Rejoins and verifies ${folder}.tar from its ${names.length} parts of ${size} bytes.
# Usage: sh join-and-verify.sh   (verify-bundle.sh's settings pass through: PUBKEY_SHA256=<sha256>
#   STUDIO_KEY_SHA256=<sha256> pin the keys to the fingerprints on the studio's /verify page; and
#   VERIFY_BUNDLE=/path/to/verify-bundle.sh runs a copy you fetched yourself instead of the bundle's)
# 1. checks each part's sha256; 2. cat parts > ${folder}.tar and checks its sha256;
# 3. tar -xf; 4. sha256sum -c SHA256SUMS and verify-bundle.sh (openssl signatures, signed manifests).
# Exits 1 if anything failed.
set -u
sha256_of() { if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1"; else shasum -a 256 "$1"; fi | cut -d ' ' -f 1; }
failed=0
part() {
  if [ ! -f "$1" ]; then echo "$1: ❌ missing"; failed=1; return; fi
  if [ "$(sha256_of "$1")" = "$2" ]; then echo "$1: ✅ sha256 OK"; else echo "$1: ❌ sha256 mismatch"; failed=1; fi
}
${names.map((n, i) => `part ${shQuote(n)} ${sums.parts[i]}`).join("\n")}
[ "$failed" -eq 0 ] || { echo "join-and-verify.sh: a part is missing or damaged; fetch it again" >&2; exit 1; }
cat ${names.map(shQuote).join(" ")} > ${shQuote(`${folder}.tar`)} || exit 1
if [ "$(sha256_of ${shQuote(`${folder}.tar`)})" != ${sums.whole} ]; then echo "${folder}.tar: ❌ sha256 mismatch after joining" >&2; exit 1; fi
echo "${folder}.tar: ✅ rejoined, sha256 ${sums.whole}"
tar -xf ${shQuote(`${folder}.tar`)} || exit 1
if command -v sha256sum >/dev/null 2>&1; then (cd ${shQuote(folder)} && sha256sum -c --quiet SHA256SUMS) || exit 1; fi
# From here, so that key paths given relative to this folder are read from here (verify-bundle.sh).
sh "\${VERIFY_BUNDLE:-${folder}/verify-bundle.sh}" ${shQuote(folder)} || exit 1
echo "join-and-verify.sh: ${folder} is complete and verified"
`;
}

export type PartsListing = { url: string; output: string }[];

/** Every part, then PARTS.SHA256SUMS and join-and-verify.sh, as URLs under the grant and the names to save them as. */
export function partsListing(grantBase: string, folder: string, size: number, total: number): PartsListing {
  const count = partCount(total, size);
  const q = `?size=${size}`;
  return [
    ...Array.from({ length: count }, (_, i) => ({
      url: `${grantBase}/bundle.tar.${partSuffix(i + 1, count)}${q}`,
      output: `${folder}.tar.${partSuffix(i + 1, count)}`,
    })),
    { url: `${grantBase}/PARTS.SHA256SUMS${q}`, output: "PARTS.SHA256SUMS" },
    { url: `${grantBase}/join-and-verify.sh${q}`, output: "join-and-verify.sh" },
  ];
}

export const partsUrlsTxt = (list: PartsListing) => `${list.map((p) => p.url).join("\n")}\n`;

const curlQuote = (s: string) => `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;

export const partsBundleCurl = (grant: { id: string; expiresAt: number }, list: PartsListing) =>
  `${[
    `# Artifact Studio grant ${grant.id} as ${list.length - 2} parts; links expire ${new Date(grant.expiresAt).toISOString()}.`,
    "# Usage: curl --parallel --fail -K bundle.curl && sh join-and-verify.sh",
    ...list.flatMap((p) => [`url = ${curlQuote(p.url)}`, `output = ${curlQuote(p.output)}`]),
  ].join("\n")}\n`;

/**
 * The part sums of a grant's archive at a size. The archive is deterministic for a grant, so the
 * sums are kept in the edge cache under the grant id, the size and the length; a miss streams it once.
 */
export async function cachedPartChecksums(
  grant: { id: string },
  size: number,
  total: number,
  stream: () => ReadableStream<Uint8Array>,
): Promise<PartSums> {
  const key = `https://parts-cache.internal/${grant.id}/${size}/${total}`;
  const hit = await edgeCache().match(key);
  if (hit) return (await hit.json()) as PartSums;
  const sums = await partChecksums(stream(), size);
  await edgeCache().put(
    key,
    new Response(JSON.stringify(sums), { headers: { "Cache-Control": "private, max-age=604800" } }),
  );
  return sums;
}
