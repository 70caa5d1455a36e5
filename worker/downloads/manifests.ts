// The manifest formats of a grant, as pure functions of its entries: urls.txt, bundle.curl (a curl
// config), manifest.json, SHA256SUMS, download.sh (download, resume, verify, log), and the docs'
// verify-signatures.sh that the single-file tar carries.
import type { GrantFile } from "../db/grants";
import { VERIFY_BUNDLE_SCRIPT } from "./verify-bundle";

export type ManifestEntry = {
  kind: string;
  name: string;
  version: string;
  file: string;
  size: number;
  sha256: string;
  url: string;
  sigFile: string;
  sigSize: number;
  sigUrl: string;
  keyId: string;
};

export type ManifestGrant = { id: string; expiresAt: number };

/** A signed release manifest that covers some of the grant's files, with its signature (provenance.ts). */
export type ProofEntry = {
  releaseId: string;
  /** releases/<release-id>/release.json */
  file: string;
  size: number;
  sha256: string;
  url: string;
  sigFile: string;
  sigSize: number;
  sigSha256: string;
  sigUrl: string;
};

export const MANIFEST_FORMATS = [
  "urls.txt",
  "bundle.curl",
  "manifest.json",
  "SHA256SUMS",
  "download.sh",
  "images.txt",
  "verify-images.sh",
] as const;
export type ManifestFormat = (typeof MANIFEST_FORMATS)[number];

export const urlsTxt = (entries: ManifestEntry[], proofs: ProofEntry[] = []) =>
  `${[...entries, ...proofs].flatMap((e) => [e.url, e.sigUrl]).join("\n")}\n`;

const curlQuote = (s: string) => `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;

/** For `curl --parallel --fail --remote-time -K bundle.curl`: each URL written under its documented name. */
export function bundleCurl(grant: ManifestGrant, entries: ManifestEntry[], proofs: ProofEntry[] = []): string {
  const lines = [
    `# Artifact Studio grant ${grant.id}; links expire ${new Date(grant.expiresAt).toISOString()}.`,
    "# Usage: curl --parallel --fail --remote-time -K bundle.curl",
  ];
  // The signed release manifests go to releases/<release-id>/ (for verify-bundle.sh).
  if (proofs.length) lines.push("create-dirs");
  for (const e of [...entries, ...proofs]) {
    for (const [url, file] of [
      [e.url, e.file],
      [e.sigUrl, e.sigFile],
    ]) {
      lines.push(`url = ${curlQuote(url)}`, `output = ${curlQuote(file)}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

export function manifestJson(grant: ManifestGrant, entries: ManifestEntry[], proofs: ProofEntry[] = []) {
  const expires = new Date(grant.expiresAt).toISOString();
  return {
    grant: grant.id,
    expires,
    files: entries.map((e) => ({
      kind: e.kind,
      name: e.name,
      version: e.version,
      file: e.file,
      size: e.size,
      sha256: e.sha256,
      url: e.url,
      sigFile: e.sigFile,
      sigSize: e.sigSize,
      sigUrl: e.sigUrl,
      keyId: e.keyId,
      expires,
    })),
    releases: proofs.map((p) => ({ ...p, expires })),
  };
}

type SummedProof = Pick<ProofEntry, "file" | "sha256" | "sigFile" | "sigSha256">;

/** `sha256sum -c SHA256SUMS`: the artifacts and their signatures, then the signed release manifests. */
export function sha256Sums(
  entries: Pick<GrantFile, "file" | "sigFile" | "sha256">[],
  signatureSha256: ReadonlyMap<string, string>,
  proofs: SummedProof[] = [],
): string {
  return `${[
    ...entries.flatMap((e) => {
      const sig = signatureSha256.get(e.sigFile);
      if (!sig) throw new Error(`no checksum for ${e.sigFile}`);
      return [`${e.sha256}  ${e.file}`, `${sig}  ${e.sigFile}`];
    }),
    ...proofs.flatMap((p) => [`${p.sha256}  ${p.file}`, `${p.sigSha256}  ${p.sigFile}`]),
  ].join("\n")}\n`;
}

/** SHA256SUMS's length depends only on the file names (hex digests have a fixed length). */
export const sha256SumsLength = (
  entries: Pick<GrantFile, "file" | "sigFile">[],
  proofs: Pick<ProofEntry, "file" | "sigFile">[] = [],
) => [...entries, ...proofs].reduce((n, e) => n + 2 * (64 + 2 + 1) + utf8Length(e.file) + utf8Length(e.sigFile), 0);

const utf8Length = (s: string) => new TextEncoder().encode(s).byteLength;

const shQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export type PublicKeyRef = { keyId: string; file: string; url: string };

/** Which key file verifies each entry: the default key as spectro_public_key.pem, others by id. */
export function publicKeyRefs(entries: ManifestEntry[], defaultKeyId: string, origin: string): PublicKeyRef[] {
  const ids = [...new Set(entries.map((e) => e.keyId))];
  return ids.map((keyId) =>
    keyId === defaultKeyId
      ? { keyId, file: "spectro_public_key.pem", url: `${origin}/spectro_public_key.pem` }
      : { keyId, file: `${keyId}.pem`, url: `${origin}/keys/${encodeURIComponent(keyId)}.pem` },
  );
}

/**
 * download.sh's fixed part, the same for every grant: its shell functions (logging, checksums, a
 * resuming fetch, the key to verify with, one file's download and checks in `item`) and the check
 * that curl and openssl are there.
 */
const DOWNLOAD_SH_FUNCTIONS = `log() { printf '%s %s\\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >> "$LOG"; }
say() { printf '%s\\n' "$*"; log "$*"; }
sha256_of() { if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1"; else shasum -a 256 "$1"; fi | cut -d ' ' -f 1; }
size_of() { wc -c < "$1" | tr -d ' '; }

for tool in curl openssl; do
  command -v "$tool" >/dev/null 2>&1 || { echo "download.sh: $tool is required" >&2; exit 2; }
done

# fetch URL FILE SIZE: skip a complete file, resume a partial one.
fetch() {
  if [ -f "$2" ] && [ "$(size_of "$2")" = "$3" ]; then log "$2: already complete ($3 bytes)"; return 0; fi
  log "$2: downloading"
  curl --fail --silent --show-error --location --remote-time --retry 3 -C - -o "$2" "$1" 2>>"$LOG" && [ "$(size_of "$2")" = "$3" ]
}

# key KEYFILE URL: the key to verify with, fetched unless one was given.
key() {
  if [ -n "$GIVEN_KEY" ]; then printf '%s' "$GIVEN_KEY"; return 0; fi
  if [ ! -s "$1" ]; then curl --fail --silent --show-error --location -o "$1" "$2" 2>>"$LOG" || return 1; fi
  printf '%s' "$1"
}

# item FILE SIZE SHA256 URL SIGFILE SIGSIZE SIGURL KEYFILE
item() {
  if ! fetch "$4" "$1" "$2" || ! fetch "$7" "$5" "$6"; then
    say "$1: ❌ Download failed"; failures=$((failures + 1)); return
  fi
  actual=$(sha256_of "$1")
  if [ "$actual" != "$3" ]; then
    say "$1: ❌ Checksum mismatch (got $actual, expected $3)"; failures=$((failures + 1)); return
  fi
  if openssl dgst -sha256 -verify "$8" -signature "$5" "$1" >/dev/null 2>>"$LOG"; then
    say "$1: ✅ Signature valid"
    log "$1: sha256 $3, signature $5 verified with $8 (key sha256 $(sha256_of "$8"))"
  else
    say "$1: ❌ Signature invalid"; failures=$((failures + 1))
  fi
}
`;

/**
 * A POSIX sh script: download with resume, check SHA-256 and signature, one line per file, a log;
 * then the signed release manifests and verify-bundle.sh over the whole download.
 */
export function downloadSh(
  grant: ManifestGrant,
  entries: ManifestEntry[],
  keys: PublicKeyRef[],
  proofs: ProofEntry[] = [],
): string {
  const total = entries.reduce((n, e) => n + e.size + e.sigSize, 0);
  const expires = new Date(grant.expiresAt).toISOString();
  return `#!/bin/sh
# Artifact Studio download script for grant ${grant.id}: ${entries.length} files (${total} bytes with signatures).
# The links expire ${expires}.
#
# Usage: sh download.sh [path/to/spectro_public_key.pem]
#
# Downloads every file and its .sig.bin into the current folder (partial files are resumed with
# curl -C -), checks each file's SHA-256 and its signature with
#   openssl dgst -sha256 -verify <key> -signature <file>.sig.bin <file>
# prints "<file>: ✅ Signature valid" or "<file>: ❌ <reason>" per file, and appends everything to
# artifact-studio-${grant.id}.log for your records. Exits 1 if any file failed.
# Without an argument the public key is fetched from the studio; pass a key you obtained
# independently to verify against that instead.
set -u

GRANT=${shQuote(grant.id)}
LOG="artifact-studio-$GRANT.log"
GIVEN_KEY="\${1:-}"
failures=0

${DOWNLOAD_SH_FUNCTIONS}
log "grant $GRANT: ${entries.length} files, links expire ${expires}"
${keys
  .map(
    (k) =>
      `${keyVar(keys, k.keyId)}=$(key ${shQuote(k.file)} ${shQuote(k.url)}) || { say "${k.file}: ❌ could not fetch the public key"; exit 1; }`,
  )
  .join("\n")}
${entries
  .map(
    (e) =>
      `item ${shQuote(e.file)} ${e.size} ${e.sha256} ${shQuote(e.url)} ${shQuote(e.sigFile)} ${e.sigSize} ${shQuote(e.sigUrl)} "$${keyVar(keys, e.keyId)}"`,
  )
  .join("\n")}
${provenanceSteps(grant, entries, keys, proofs)}
log "finished: ${entries.length} files, $failures failed"
if [ "$failures" -ne 0 ]; then
  echo "$failures of ${entries.length} files failed; see $LOG" >&2
  exit 1
fi
`;
}

/**
 * download.sh's last step: fetch the signed release manifests into releases/<id>/, then check the
 * whole download against them with verify-bundle.sh (written next to the files).
 */
function provenanceSteps(grant: ManifestGrant, entries: ManifestEntry[], keys: PublicKeyRef[], proofs: ProofEntry[]) {
  if (!proofs.length) return "";
  const list = `artifact-studio-${grant.id}.files`;
  return `# The publisher's signed release manifests, and the whole download checked against them.
${proofs
  .map(
    (p) =>
      `mkdir -p ${shQuote(p.file.slice(0, p.file.lastIndexOf("/")))}
if ! fetch ${shQuote(p.url)} ${shQuote(p.file)} ${p.size} || ! fetch ${shQuote(p.sigUrl)} ${shQuote(p.sigFile)} ${p.sigSize}; then
  say "${p.file}: ❌ Download failed"; failures=$((failures + 1))
fi`,
  )
  .join("\n")}
GRANT_CHECK="artifact-studio-$GRANT.verify-bundle.log"
cat > ${shQuote(list)} <<'ARTIFACT_STUDIO_FILES'
${entries.flatMap((e) => [e.file, e.sigFile]).join("\n")}
ARTIFACT_STUDIO_FILES
cat > verify-bundle.sh <<'ARTIFACT_STUDIO_VERIFY_BUNDLE'
${VERIFY_BUNDLE_SCRIPT}ARTIFACT_STUDIO_VERIFY_BUNDLE
if REQUIRED=${shQuote(list)} PUBKEY="${keys.map((k) => `$${keyVar(keys, k.keyId)}`).join(" ")}" sh verify-bundle.sh . > "$GRANT_CHECK" 2>&1; then
  say "release manifests: ✅ every file matches a signed release manifest"
else
  cat "$GRANT_CHECK"; say "release manifests: ❌ see verify-bundle.sh above"; failures=$((failures + 1))
fi
cat "$GRANT_CHECK" >> "$LOG"; rm -f "$GRANT_CHECK"`;
}

/** The script's variable for a key: by position, since ids such as a-b and a.b would collide as names. */
const keyVar = (keys: PublicKeyRef[], keyId: string) => `KEY_${keys.findIndex((k) => k.keyId === keyId)}`;
