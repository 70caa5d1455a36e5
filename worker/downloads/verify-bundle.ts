// verify-bundle.sh: the whole-bundle check that travels with every grant (in the .tar, beside the
// files fetched with bundle.curl or download.sh). It trusts only the public key: each release's
// signed release.json must verify with openssl, and every file of the download must match a
// manifest's size and sha256 and its own signature; missing, uncovered and renamed files are
// reported. POSIX sh + awk (a small JSON reader for release.json) + openssl, nothing else.
export const VERIFY_BUNDLE_SCRIPT = `#!/bin/sh
# verify-bundle.sh: checks a downloaded bundle as a whole against the publisher's signed release
# manifests, with openssl alone (plus awk, wc and sha256sum or shasum):
#   1. each releases/<release-id>/release.json verifies with the public key (its release.json.sig.bin)
#      and names its own folder;
#   2. each file of this download (the names in $REQUIRED, else in SHA256SUMS, else every file with a .sig.bin)
#      is listed in a verified manifest with the same size and sha256, and its own .sig.bin verifies;
#   3. a listed file that is missing, a file no manifest covers, and a renamed file are reported.
# The manifests list every file of their release; only the files of this download are required.
# Usage: sh verify-bundle.sh [folder]
#   PUBKEY="spectro_public_key.pem other.pem" sh verify-bundle.sh   (default: spectro_public_key.pem;
#   use a key you obtained independently, e.g. curl -O <studio>/spectro_public_key.pem)
# Prints one line per finding and exits 1 if anything failed.
set -u
cd "\${1:-.}" || exit 2
PUBKEY="\${PUBKEY:-spectro_public_key.pem}"
failed=0
fail() { printf '%s: \\342\\235\\214 %s\\n' "$1" "$2"; failed=1; }
ok() { printf '%s: \\342\\234\\205 %s\\n' "$1" "$2"; }
note() { printf '%s: %s\\n' "$1" "$2"; }
sha256_of() { if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1"; else shasum -a 256 "$1"; fi | cut -d ' ' -f 1; }
size_of() { wc -c < "$1" | tr -d ' '; }
# verifies SIGNATURE FILE: true if any of the public keys verifies it
verifies() {
  for key in $PUBKEY; do
    openssl dgst -sha256 -verify "$key" -signature "$1" "$2" >/dev/null 2>&1 && return 0
  done
  return 1
}
# The file entries of a release.json as tab-separated lines: "R <releaseId>" once, then
# "F <file> <size> <sha256> <signature>" per file. A small JSON reader: records are split at
# double quotes, so strings (which never span lines in JSON) alternate with structure.
manifest_rows() {
  awk 'BEGIN { RS = "\\""; depth = 0; instr = 0; pending = "" }
  function value(v) {
    if (depth == 1 && key[1] == "releaseId") print "R\\t" v
    else if (depth == 3 && key[1] == "files" && type[2] == "a" && type[3] == "o") cur[key[3]] = v
  }
  function literal() { if (lit != "") { value(lit); lit = "" } }
  function structure(s,   i, c) {
    for (i = 1; i <= length(s); i++) {
      c = substr(s, i, 1)
      if (c == "{" || c == "[") { literal(); depth++; type[depth] = (c == "{" ? "o" : "a"); iskey[depth] = (c == "{"); key[depth] = ""
        if (depth == 3) { delete cur } }
      else if (c == "}" || c == "]") { literal()
        if (depth == 3 && key[1] == "files" && type[3] == "o") print "F\\t" cur["file"] "\\t" cur["size"] "\\t" cur["sha256"] "\\t" cur["signature"]
        depth-- }
      else if (c == ":") { literal(); iskey[depth] = 0 }
      else if (c == ",") { literal(); if (type[depth] == "o") iskey[depth] = 1 }
      else if (c == " " || c == "\\t" || c == "\\n" || c == "\\r") literal()
      else lit = lit c
    }
  }
  {
    if (!instr) { structure($0); instr = 1; next }
    s = pending $0; n = 0
    while (n < length(s) && substr(s, length(s) - n, 1) == "\\\\") n++
    if (n % 2 == 1) { pending = s "\\""; next }
    pending = ""; instr = 0
    if (type[depth] == "o" && iskey[depth]) key[depth] = s; else value(s)
  }' "$1"
}

for key in $PUBKEY; do
  [ -f "$key" ] || { echo "verify-bundle.sh: public key $key not found; set PUBKEY" >&2; exit 2; }
done
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
: > "$tmp/listed"
manifests=0
for manifest in releases/*/release.json; do
  [ -f "$manifest" ] || continue
  folder=\${manifest%/release.json}
  id=\${folder#releases/}
  if [ ! -f "$manifest.sig.bin" ]; then fail "$manifest" "release.json.sig.bin is missing"; continue; fi
  if ! verifies "$manifest.sig.bin" "$manifest"; then fail "$manifest" "signature invalid: not signed by $PUBKEY"; continue; fi
  manifest_rows "$manifest" > "$tmp/rows"
  named=$(awk -F '\\t' '$1 == "R" { print $2; exit }' "$tmp/rows")
  if [ "$named" != "$id" ]; then fail "$manifest" "names release '$named', not its folder '$id'"; continue; fi
  awk -F '\\t' -v id="$id" 'BEGIN { OFS = "\\t" } $1 == "F" { print $2, $3, $4, $5, id }' "$tmp/rows" >> "$tmp/listed"
  ok "$manifest" "Signature valid (release $id, $(awk -F '\\t' '$1 == "F"' "$tmp/rows" | wc -l | tr -d ' ') files)"
  manifests=$((manifests + 1))
done
[ "$manifests" -gt 0 ] || fail "releases/*/release.json" "no signed release manifest verified"

if [ -n "\${REQUIRED:-}" ]; then
  grep -v '^releases/' "$REQUIRED" > "$tmp/required"
elif [ -f SHA256SUMS ]; then
  awk '{ name = $0; sub(/^[0-9a-f]+ [ *]/, "", name); print name }' SHA256SUMS | grep -v '^releases/' > "$tmp/required"
else
  for sig in *.sig.bin; do
    [ -f "$sig" ] || continue
    base=\${sig%.sig.bin}
    if [ -f "$base.zst" ] || [ ! -f "$base" ]; then echo "$base.zst"; else echo "$base"; fi
    echo "$sig"
  done > "$tmp/required"
fi

# Every file of this download: listed in a verified manifest, same size and sha256, signature valid.
while IFS= read -r name; do
  [ -n "$name" ] || continue
  row=$(awk -F '\\t' -v n="$name" '$1 == n { print; exit }' "$tmp/listed")
  if [ -z "$row" ]; then
    signed_as=$(awk -F '\\t' -v n="$name" '$4 == n { print $1; exit }' "$tmp/listed")
    if [ -n "$signed_as" ]; then [ -f "$name" ] || fail "$name" "missing (the signature of $signed_as)"; continue; fi
    if [ -f "$name" ]; then fail "$name" "not covered by any signed release manifest"; else fail "$name" "missing, and not covered by any signed release manifest"; fi
    continue
  fi
  size=$(printf '%s' "$row" | cut -f 2); sum=$(printf '%s' "$row" | cut -f 3)
  sig=$(printf '%s' "$row" | cut -f 4); release=$(printf '%s' "$row" | cut -f 5)
  if [ ! -f "$name" ]; then fail "$name" "missing (listed in release $release)"; continue; fi
  actual=$(size_of "$name")
  if [ "$actual" != "$size" ]; then fail "$name" "size $actual, release $release's signed manifest says $size"; continue; fi
  actual=$(sha256_of "$name")
  if [ "$actual" != "$sum" ]; then fail "$name" "sha256 $actual, release $release's signed manifest says $sum"; continue; fi
  if [ ! -f "$sig" ]; then fail "$name" "signature $sig is missing"; continue; fi
  if verifies "$sig" "$name"; then ok "$name" "matches release $release's signed manifest; signature valid"; else fail "$name" "signature invalid"; fi
done < "$tmp/required"

# Anything else in the folder: a renamed copy of a signed file, or a file no manifest covers.
for name in *; do
  [ -f "$name" ] || continue
  grep -qxF "$name" "$tmp/required" && continue
  case "$name" in
    SHA256SUMS | PARTS.SHA256SUMS | *.pem | *.sh | *.log | *.files | bundle.curl | urls.txt | manifest.json | *.tar | *.tar.part-[0-9]*) continue ;;
  esac
  sum=$(sha256_of "$name")
  row=$(awk -F '\\t' -v s="$sum" '$3 == s { print; exit }' "$tmp/listed")
  if [ -n "$row" ]; then
    listed=$(printf '%s' "$row" | cut -f 1); release=$(printf '%s' "$row" | cut -f 5)
    if [ "$listed" = "$name" ]; then note "$name" "listed in release $release but not part of this download"
    else fail "$name" "renamed: these are the signed bytes of $listed (release $release)"; fi
  elif awk -F '\\t' -v n="$name" '$4 == n { found = 1 } END { exit !found }' "$tmp/listed"; then
    note "$name" "a signature listed in a release manifest, not part of this download"
  else
    fail "$name" "not covered by any signed release manifest"
  fi
done

if [ "$failed" -ne 0 ]; then echo "verify-bundle.sh: FAILED" >&2; exit 1; fi
echo "verify-bundle.sh: every file matches a signed release manifest"
`;
