// The manifest formats of a grant, as pure functions of its entries: urls.txt, bundle.curl (a curl
// config), manifest.json, SHA256SUMS, download.sh (download, resume, verify, log, the whole bundle
// checked against the studio's signed bundle list), and the docs' verify-signatures.sh that the
// single-file tar carries.
import type { GrantFile } from "../db/grant-queries";
import { BUNDLE_LIST, BUNDLE_LIST_SIGNATURE } from "./bundle-list";
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

/** The grant's signed bundle list: where to fetch it and its signature, and the studio key that signed it. */
export type ListRef = { url: string; sigUrl: string; keyId: string; keyUrl: string };

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

/**
 * One signed URL a line, each file then its signature, for `wget -i`, `aria2c -i` or a download
 * manager: flat, under the documented names, so the docs' loop over *.sig.bin sees only them. The
 * release manifests and the bundle list need their folders (releases/<id>/, studio/): bundle.curl,
 * download.sh and the .tar carry those.
 */
export const urlsTxt = (entries: ManifestEntry[]) => `${entries.flatMap((e) => [e.url, e.sigUrl]).join("\n")}\n`;

const curlQuote = (s: string) => `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;

/**
 * For `curl --parallel --fail --remote-time -K bundle.curl`: each URL written under its documented
 * name; the signed release manifests under releases/<release-id>/ and the bundle list under studio/
 * (for verify-bundle.sh), and the studio's key beside them.
 */
export function bundleCurl(
  grant: ManifestGrant,
  entries: ManifestEntry[],
  proofs: ProofEntry[] = [],
  list?: ListRef,
): string {
  const lines = [
    `# Artifact Studio grant ${grant.id}; links expire ${new Date(grant.expiresAt).toISOString()}.`,
    "# Usage: curl --parallel --fail --remote-time -K bundle.curl",
  ];
  if (proofs.length || list) lines.push("create-dirs");
  const pairs: [string, string][] = [...entries, ...proofs].flatMap((e): [string, string][] => [
    [e.url, e.file],
    [e.sigUrl, e.sigFile],
  ]);
  if (list)
    pairs.push([list.url, BUNDLE_LIST], [list.sigUrl, BUNDLE_LIST_SIGNATURE], [list.keyUrl, `${list.keyId}.pem`]);
  for (const [url, file] of pairs) lines.push(`url = ${curlQuote(url)}`, `output = ${curlQuote(file)}`);
  return `${lines.join("\n")}\n`;
}

export function manifestJson(
  grant: ManifestGrant,
  entries: ManifestEntry[],
  proofs: ProofEntry[] = [],
  list?: ListRef,
) {
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
    ...(list && {
      bundleList: {
        file: BUNDLE_LIST,
        url: list.url,
        sigFile: BUNDLE_LIST_SIGNATURE,
        sigUrl: list.sigUrl,
        keyId: list.keyId,
        keyUrl: list.keyUrl,
        expires,
      },
    }),
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

/**
 * Which key file verifies each entry: the default key (if any is served) saved as
 * spectro_public_key.pem, others by id. Each is fetched by its id, never as /spectro_public_key.pem:
 * once the grant's key is yanked or revoked that URL serves another key (or a 410), and the script
 * must hear how the key that signed its files stands.
 */
export function publicKeyRefs(
  entries: ManifestEntry[],
  defaultKeyId: string | undefined,
  origin: string,
): PublicKeyRef[] {
  const ids = [...new Set(entries.map((e) => e.keyId))];
  return ids.map((keyId) => ({
    keyId,
    file: keyId === defaultKeyId ? "spectro_public_key.pem" : `${keyId}.pem`,
    url: `${origin}/keys/${encodeURIComponent(keyId)}.pem`,
  }));
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

# key KEYFILE URL [GIVEN]: asks the studio how the key stands (X-Key-Status) and answers the key to
# verify with: GIVEN if set, else the studio's copy saved as KEYFILE. Exit 3: the studio reports it
# revoked (exit 4: yanked, everything it signed withdrawn), so it verifies nothing here, and no copy
# of it is left in the folder for a later openssl loop to pick up.
key() {
  headers="$KEY_HEADERS"
  curl --fail --silent --show-error --location -D "$headers" -o "$KEY_HEADERS.pem" "$2" 2>>"$LOG" || return 1
  status=$(tr -d '\\r' < "$headers" | awk 'tolower($1) == "x-key-status:" { s = $2 } END { print s }')
  log "$1: the studio reports key status '$status'"
  [ "$status" != revoked ] || return 3
  [ "$status" != yanked ] || return 4
  if [ -n "\${3:-}" ]; then printf '%s' "$3"; else mv "$KEY_HEADERS.pem" "$1" && printf '%s' "$1"; fi
}

# refuse_key STATUS KEYFILE KEYID: stops the script: a key the studio reports revoked or yanked (or
# cannot say) verifies nothing. Names the key and what to do instead. A revoked or yanked key's copy
# from an earlier run goes too, so verify-bundle.sh run here later cannot trust it offline.
refuse_key() {
  instead="do not use files it verified before; make a new grant at the studio, which offers only what current keys signed"
  case "$1" in 3 | 4) rm -f -- "$2" ;; esac
  if [ "$1" = 3 ]; then say "$2: ❌ the studio reports this key as revoked; refusing to verify anything with it (key $3: $instead)"
  elif [ "$1" = 4 ]; then say "$2: ❌ the studio reports this key as yanked (what it signed was withdrawn); refusing to verify anything with it (key $3: $instead)"
  else say "$2: ❌ could not fetch the public key and its status (key $3; see $LOG)"; fi
  exit 1
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
 * then the signed release manifests and the studio's signed bundle list, and verify-bundle.sh over
 * the whole download.
 */
export function downloadSh(
  grant: ManifestGrant,
  entries: ManifestEntry[],
  keys: PublicKeyRef[],
  proofs: ProofEntry[] = [],
  list?: ListRef,
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
# artifact-studio-${grant.id}.log for your records. Then it fetches the publisher's signed release
# manifests (releases/) and the studio's signed bundle list (studio/), and checks the whole folder
# with verify-bundle.sh: a file missing, extra or changed is named. Exits 1 if anything failed.
# Without an argument the public key is fetched from the studio; pass a key you obtained
# independently to verify against that instead. A key the studio reports as revoked or yanked is refused.
set -u

GRANT=${shQuote(grant.id)}
LOG="artifact-studio-$GRANT.log"
GIVEN_KEY="\${1:-}"
failures=0
KEY_HEADERS=$(mktemp) || exit 2
trap 'rm -f "$KEY_HEADERS" "$KEY_HEADERS.pem"' EXIT

${DOWNLOAD_SH_FUNCTIONS}
log "grant $GRANT: ${entries.length} files, links expire ${expires}"
${keys.map((k) => `${keyVar(keys, k.keyId)}=$(key ${shQuote(k.file)} ${shQuote(k.url)} "$GIVEN_KEY") || refuse_key $? ${shQuote(k.file)} ${shQuote(k.keyId)}`).join("\n")}
${entries
  .map(
    (e) =>
      `item ${shQuote(e.file)} ${e.size} ${e.sha256} ${shQuote(e.url)} ${shQuote(e.sigFile)} ${e.sigSize} ${shQuote(e.sigUrl)} "$${keyVar(keys, e.keyId)}"`,
  )
  .join("\n")}
${bundleSteps(keys, proofs, list)}
log "finished: ${entries.length} files, $failures failed"
if [ "$failures" -ne 0 ]; then
  echo "$failures of ${entries.length} files failed; see $LOG" >&2
  exit 1
fi
`;
}

/**
 * download.sh's last step: fetch the signed release manifests into releases/<id>/ and the studio's
 * signed bundle list into studio/ (with the studio's key), then check the whole folder against them
 * with verify-bundle.sh (written next to the files). EXTRA=note (mirror.sh sets it) notes files of
 * earlier downloads instead of failing on them.
 */
function bundleSteps(keys: PublicKeyRef[], proofs: ProofEntry[], list?: ListRef) {
  if (!list) return "";
  return `# The publisher's signed release manifests, the studio's signed bundle list, and the whole download checked against them.
${proofs
  .map(
    (p) =>
      `mkdir -p ${shQuote(p.file.slice(0, p.file.lastIndexOf("/")))}
if ! fetch ${shQuote(p.url)} ${shQuote(p.file)} ${p.size} || ! fetch ${shQuote(p.sigUrl)} ${shQuote(p.sigFile)} ${p.sigSize}; then
  say "${p.file}: ❌ Download failed"; failures=$((failures + 1))
fi`,
  )
  .join("\n")}
STUDIO_KEY=$(key ${shQuote(`${list.keyId}.pem`)} ${shQuote(list.keyUrl)}) || refuse_key $? ${shQuote(`${list.keyId}.pem`)} ${shQuote(list.keyId)}
mkdir -p studio
rm -f ${shQuote(BUNDLE_LIST)} ${shQuote(BUNDLE_LIST_SIGNATURE)}
if ! curl --fail --silent --show-error --location -o ${shQuote(BUNDLE_LIST)} ${shQuote(list.url)} 2>>"$LOG" ||
  ! curl --fail --silent --show-error --location -o ${shQuote(BUNDLE_LIST_SIGNATURE)} ${shQuote(list.sigUrl)} 2>>"$LOG"; then
  say "${BUNDLE_LIST}: ❌ Download failed"; failures=$((failures + 1))
fi
GRANT_CHECK="artifact-studio-$GRANT.verify-bundle.log"
cat > verify-bundle.sh <<'ARTIFACT_STUDIO_VERIFY_BUNDLE'
${VERIFY_BUNDLE_SCRIPT}ARTIFACT_STUDIO_VERIFY_BUNDLE
if STUDIO_PUBKEY="$STUDIO_KEY" PUBKEY="${keys.map((k) => `$${keyVar(keys, k.keyId)}`).join(" ")}" sh verify-bundle.sh . > "$GRANT_CHECK" 2>&1; then
  say "bundle: ✅ $(tail -n 1 "$GRANT_CHECK" | sed 's/^verify-bundle.sh: //') (studio/bundle-list.txt, signed)"
else
  cat "$GRANT_CHECK"; say "bundle: ❌ see verify-bundle.sh above"; failures=$((failures + 1))
fi
cat "$GRANT_CHECK" >> "$LOG"; rm -f "$GRANT_CHECK"`;
}

/** The script's variable for a key: by position, since ids such as a-b and a.b would collide as names. */
const keyVar = (keys: PublicKeyRef[], keyId: string) => `KEY_${keys.findIndex((k) => k.keyId === keyId)}`;
