// verify-bundle.sh: the whole-bundle check that travels with every grant (in the .tar, beside the
// files fetched with bundle.curl or download.sh, and at /verify-bundle.sh). It checks the studio's
// signed bundle list first (the set of files: nothing missing, extra or changed, hidden files and
// subfolders included), then the publisher's signed release manifests and each artifact's own
// signature. Files that are not artifacts (logs, grant.json, its own redirected output) are listed as
// ignored, never a failure. Keys can be pinned per role, and the caller's paths are the caller's.
// POSIX sh + awk (a small JSON reader for release.json that takes exactly what the sync's JSON.parse
// takes, numbers included, and applies the schema's rule to each field it uses) + openssl: runs under
// dash, bash and busybox sh, with mawk, gawk or busybox awk (LC_ALL=C: bytes, whatever the locale).
import { RESERVED_FILE_NAMES } from "../sync/release-manifest";

export const VERIFY_BUNDLE_SCRIPT = `#!/bin/sh
# verify-bundle.sh: checks a downloaded bundle as a whole, with openssl alone (plus awk, wc and
# sha256sum or shasum):
#   1. studio/bundle-list.txt, the studio's list of every file of the grant (size and sha256), verifies
#      with the studio's key (its studio/bundle-list.txt.sig.bin): a bundle without a valid list fails;
#   2. each releases/<release-id>/release.json verifies with the publisher's key, names its folder and
#      repeats no key (JSON readers disagree on which of a repeated key's values counts), and is read as
#      the studio's sync reads it: JSON as JSON.parse takes it (a size of 1e3 or 1000.0 is 1000), and
#      each field used here by the schema's rule (whole sizes, lower-case sha256, plain file names);
#   3. every listed file is here with the listed size and sha256; each artifact is also listed in a
#      verified release manifest with the same size and sha256, and its own .sig.bin verifies;
#   4. any other artifact anywhere below the folder (hidden files and subfolders too: a .zst, .iso, .tgz,
#      .sig.bin, or a file with a .sig.bin) is reported as extra (or renamed); a name with a control
#      character fails; other files (logs, grant.json, this script's output) are listed as ignored.
# Usage: sh verify-bundle.sh [folder]
#   PUBKEY="a.pem b.pem"          the publisher's keys (default: spectro_public_key.pem and the folder's
#                                 other <id>.pem files, the studio's excepted)
#   STUDIO_PUBKEY=<id>.pem        the studio's key (default: the folder's <id>.pem, the id the list names)
#   PUBKEY_SHA256="<sha256> …"    pins: each publisher key used must have one of these fingerprints
#   STUDIO_KEY_SHA256="<sha256>"  pins: the studio key must have one of these fingerprints
#                                 (a fingerprint is the SHA-256 of the key's DER form, listed on <studio>/verify)
#   EXTRA=note                    other artifacts (a mirror's earlier downloads) are noted, not failed
#   Key paths you give are read from where you run the script, never from inside the bundle.
#   Whatever travels inside a bundle, keys and this script included, can be swapped along with it: pin
#   the keys, and run a copy of this script you fetched from <studio>/verify-bundle.sh (its sha256 is on
#   <studio>/verify): sh /path/to/verify-bundle.sh <bundle folder>
# Prints one line per finding and a summary; exits 1 if anything failed.
set -u
caller=$(pwd)
# Paths the caller gives are the caller's: resolved before moving into the bundle.
from_caller() { case "$1" in /*) printf '%s' "$1" ;; *) printf '%s/%s' "$caller" "$1" ;; esac; }
given_pubkey="\${PUBKEY:-}"
if [ -n "$given_pubkey" ]; then
  PUBKEY=
  for key in $given_pubkey; do PUBKEY="$PUBKEY $(from_caller "$key")"; done
fi
if [ -n "\${STUDIO_PUBKEY:-}" ]; then STUDIO_PUBKEY=$(from_caller "$STUDIO_PUBKEY"); fi
self_dir=$(cd "$(dirname "$0")" 2>/dev/null && pwd)
cd "\${1:-.}" || exit 2
LIST=studio/bundle-list.txt
failed=0
checked=0
bad=0
ignored=0
fail() { printf '%s: \\342\\235\\214 %s\\n' "$1" "$2"; failed=1; }
ok() { printf '%s: \\342\\234\\205 %s\\n' "$1" "$2"; }
note() { printf '%s: %s\\n' "$1" "$2"; }
sha256_of() { if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1"; else shasum -a 256 "$1"; fi | cut -d ' ' -f 1; }
size_of() { wc -c < "$1" | tr -d ' '; }
# The SHA-256 of a public key's DER form: what the studio lists on /verify and in X-Key-Sha256.
key_sha256() { openssl pkey -pubin -in "$1" -outform DER 2>/dev/null | { if command -v sha256sum >/dev/null 2>&1; then sha256sum; else shasum -a 256; fi; } | cut -d ' ' -f 1; }
# trust_key FILE ROLE PINS VARIABLE: says which key is trusted for ROLE; with PINS set, a key that is
# not one of them stops everything (a pin is for its role only: a publisher key cannot sign the list).
unpinned=
trust_key() {
  fp=$(key_sha256 "$1")
  if [ -z "$3" ]; then
    note "$1" "$2 key, sha256 $fp (not pinned)"
    case " $unpinned " in *" $4 "*) ;; *) unpinned="$unpinned $4" ;; esac
    return 0
  fi
  # Pins as people paste them: spaces or commas between, any case, colons between bytes or not.
  for pin in $(printf '%s' "$3" | tr 'A-F,' 'a-f ' | tr -d ':'); do
    if [ "$pin" = "$fp" ]; then ok "$1" "$2 key, sha256 $fp (pinned)"; return 0; fi
  done
  fail "$1" "$2 key with sha256 $fp, which is not one of $4: not a key you trust"
  echo "verify-bundle.sh: FAILED: $1 is not a $2 key you pinned; nothing was checked" >&2
  exit 1
}
# verifies SIGNATURE FILE: true if any of the publisher's keys verifies it
verifies() {
  for key in $PUBKEY; do
    openssl dgst -sha256 -verify "$key" -signature "$1" "$2" >/dev/null 2>&1 && return 0
  done
  return 1
}
finish() {
  if [ "$failed" -ne 0 ]; then
    if [ "$checked" -eq 0 ]; then echo "verify-bundle.sh: FAILED: the studio's bundle list did not verify; nothing else was checked" >&2
    else echo "verify-bundle.sh: FAILED: $bad of $checked files failed, $ignored other files ignored" >&2; fi
    exit 1
  fi
  [ -z "$unpinned" ] ||
    echo "verify-bundle.sh: not pinned:$unpinned: this proves the bundle agrees with the keys used; set them to the fingerprints on <studio>/verify to prove it against keys you trust"
  [ "$self_dir" != "$(pwd)" ] ||
    echo "verify-bundle.sh: this copy of the script came with the bundle; run one fetched from <studio>/verify-bundle.sh (sha256 on <studio>/verify): sh /path/to/verify-bundle.sh <folder>"
  echo "verify-bundle.sh: $checked files verified, $ignored other files ignored"
  exit 0
}
# The file entries of a release.json as tab-separated lines: "R <releaseId>" once, then
# "F <file> <size> <sha256> <signature>" per file, "D <key>" for a key an object repeats, and
# "E <field>: <problem>" for each field this script reads that the sync's schema refuses (so the
# script never believes what the studio would not have published). A small JSON reader: records are
# split at double quotes, so strings alternate with structure. Strings are read as JSON.parse reads
# them (escapes decoded), so a key spelled with an escape is the same key, as it is to the sync.
# Numbers are read as JSON.parse reads them too: 1e3, 1E+3 and 1000.0 are the size 1000.
manifest_rows() {
  # A NUL byte is no JSON anywhere, and awks differ on one (some end a string there): found first.
  [ "$(tr -d '\\000' < "$1" | wc -c | tr -d ' ')" = "$(wc -c < "$1" | tr -d ' ')" ] ||
    { printf 'E\\tnot JSON as JSON.parse reads it (a NUL byte)\\n'; return; }
  # One quote more at the end: the last record is then always closed by a quote, so a string the
  # document leaves open is one the reader is still in at the end (awk cannot tell EOF from RS).
  { cat "$1"; printf '"'; } | LC_ALL=C awk 'BEGIN { RS = "\\""; depth = 0; instr = 0; pending = ""; objects = 0; entries = 0; want = "value"; bad = ""
    num = "^-?(0|[1-9][0-9]*)([.][0-9]+)?([eE][+-]?[0-9]+)?$"; bom = sprintf("%c%c%c", 239, 187, 191)
    ctl = "[" sprintf("%c", 1) "-" sprintf("%c", 31) "]"; high = "[" sprintf("%c", 128) "-" sprintf("%c", 255) "]"
    for (i = 128; i < 256; i++) b[i] = sprintf("%c", i)
    del = sprintf("%c", 127); c1 = b[194] "[" b[128] "-" b[159] "]"
    valid = "[" b[194] "-" b[223] "][" b[128] "-" b[191] "]|" b[224] "[" b[160] "-" b[191] "][" b[128] "-" b[191] "]|[" b[225] "-" b[236] b[238] b[239] "][" b[128] "-" b[191] "][" b[128] "-" b[191] "]|" b[237] "[" b[128] "-" b[159] "][" b[128] "-" b[191] "]|" b[240] "[" b[144] "-" b[191] "][" b[128] "-" b[191] "][" b[128] "-" b[191] "]|[" b[241] "-" b[243] "][" b[128] "-" b[191] "][" b[128] "-" b[191] "][" b[128] "-" b[191] "]|" b[244] "[" b[128] "-" b[143] "][" b[128] "-" b[191] "][" b[128] "-" b[191] "]"
    words["value"] = "a value"; words["value]"] = "a value or ]"; words["key"] = "a key"; words["key}"] = "a key or }"
    words[":"] = "a colon"; words[","] = "a comma or a closing bracket"; words["end"] = "the end of the document"
    esc["\\""] = 34; esc["\\\\"] = 92; esc["/"] = 47; esc["b"] = 8; esc["f"] = 12; esc["n"] = 10; esc["r"] = 13; esc["t"] = 9
    split("${RESERVED_FILE_NAMES.join(" ")}", taken, " "); for (w in taken) reserved[taken[w]] = 1 }
  function hex4(h,   n, i) {
    n = 0
    for (i = 1; i <= 4; i++) n = n * 16 + index("0123456789abcdef", tolower(substr(h, i, 1))) - 1
    return n
  }
  # A string with its escapes decoded as UTF-8 bytes, as the raw text spells the same characters (a
  # surrogate pair is one character: \\ud83d\\ude00 is the 4 bytes of U+1F600); a control character, a
  # backslash or a lone surrogate, which raw UTF-8 cannot spell, kept as one lower-case \\u escape. So
  # "\\u00e9" and a raw "é" are one key, as they are to JSON.parse: one spelling per string.
  function canon(s,   out, i, c, code, low, len) {
    if (!index(s, "\\\\")) return s
    out = ""; len = length(s)
    for (i = 1; i <= len; i++) {
      c = substr(s, i, 1)
      if (c != "\\\\") { out = out c; continue }
      c = substr(s, ++i, 1)
      if (c == "u") { code = hex4(substr(s, i + 1, 4)); i += 4 } else code = esc[c] + 0
      if (code >= 55296 && code < 56320 && substr(s, i + 1, 2) == "\\\\u") {
        low = hex4(substr(s, i + 3, 4))
        if (low >= 56320 && low < 57344) { code = 65536 + (code - 55296) * 1024 + low - 56320; i += 6 }
      }
      if (code < 32 || code == 92 || (code >= 55296 && code < 57344)) out = out sprintf("\\\\u%04x", code)
      else out = out utf8of(code)
    }
    return out
  }
  # The UTF-8 bytes of a character (LC_ALL=C: sprintf %c writes one byte).
  function utf8of(code) {
    if (code < 128) return sprintf("%c", code)
    if (code < 2048) return sprintf("%c%c", 192 + int(code / 64), 128 + code % 64)
    if (code < 65536) return sprintf("%c%c%c", 224 + int(code / 4096), 128 + int(code / 64) % 64, 128 + code % 64)
    return sprintf("%c%c%c%c", 240 + int(code / 262144), 128 + int(code / 4096) % 64, 128 + int(code / 64) % 64, 128 + code % 64)
  }
  # A size as JSON.parse and the schema read it: any JSON number spelling whose value (the same
  # IEEE double JSON.parse makes, awk converts with strtod too) is a whole number from 0 to 2^53-1,
  # as plain digits; else why not. 1000.0000000000000001 is 1000 to both; -0 is 0.
  function bytes(v, k,   n) {
    if (k != "n" || v !~ num)
      return "must be a JSON number (the size in bytes), not " (k == "s" ? "a string" : k == "" ? "missing" : shown(v))
    n = v + 0
    if (n < 0) return substr(v, 1, 40) " is negative: a size is a whole number of bytes"
    if (n > ${Number.MAX_SAFE_INTEGER}) return substr(v, 1, 40) " is more than ${Number.MAX_SAFE_INTEGER} bytes, beyond what JSON numbers hold exactly"
    if (n != int(n)) return substr(v, 1, 40) " is not a whole number of bytes"
    return n == 0 ? "0" : sprintf("%.0f", n)
  }
  # The schema rule for a file or signature name: a plain name in the release folder (no /, so no ..).
  function plain(s) {
    return s ~ /^[A-Za-z0-9][A-Za-z0-9._+-]*$/ && length(s) <= 100 && !(s in reserved) && s !~ /\\.pem$/
  }
  # Whether a string is UTF-8 as the strict decoder of the sync wants it: split at every well-formed
  # sequence (no overlong, surrogate or cut-short one), no part holds a byte beyond ASCII. Outside
  # strings such a byte is already no JSON value. split, not gsub: gsub in busybox takes time in the
  # square of its matches (minutes on a long string of accented text).
  function utf8(s,   part, n, k) {
    if (s !~ high) return 1
    n = split(s, part, "(" valid ")+")
    for (k = 1; k <= n; k++) if (part[k] ~ high) return 0
    return 1
  }
  # Whether every escape in the text of a string is one JSON has. Split at backslashes (linear in every awk):
  # each part after one starts with the letter of the escape, or is empty for \\\\ (the part after it is text).
  function escapes(s,   part, n, k) {
    if (!index(s, "\\\\")) return 1
    n = split(s, part, "\\\\")
    for (k = 2; k <= n; k++) {
      if (part[k] == "") { if (k++ == n) return 0; continue }
      if (!(substr(part[k], 1, 1) in esc) && part[k] !~ /^u[0-9A-Fa-f][0-9A-Fa-f][0-9A-Fa-f][0-9A-Fa-f]/) return 0
    }
    return 1
  }
  # Whether the string starting here is read (a key, or a value used here), so its text is kept whole.
  function used() {
    if (type[depth] == "o" && iskey[depth]) return 1
    if (depth == 1) return key[1] == "releaseId"
    return depth == 3 && key[1] == "files" && type[2] == "a" && type[3] == "o" && key[3] ~ /^(file|signature|size|sha256)$/
  }
  # Text of the document in a message, its control characters (C0, DEL, C1) shown as ?: a signed
  # manifest cannot write escape sequences to the terminal of whoever checks it. A literal (never text
  # beyond ASCII in JSON) is cut to 40 bytes, a key is shown whole.
  function shown(v) { v = substr(v, 1, 40); gsub(high, "?", v); return visible(v) }
  function visible(v) { gsub(ctl, "?", v); gsub(del, "?", v); gsub(c1, "?", v); return v }
  function refuse(field, problem) { print "E\\t" field " (" (cur["file"] == "" ? "a file entry" : cur["file"]) "): " problem; refused++ }
  # One entry of "files", by the schema rule of each field used here: an F row, or E rows.
  function entry(at,   sig, size) {
    refused = 0; sig = cur["file"]; sub(/\\.zst$/, "", sig); sig = sig ".sig.bin"
    if (kind["file"] != "s" || !plain(cur["file"])) refuse(at "file", "must be a plain file name of at most 100 characters, not a reserved name nor a .pem")
    else if (kind["signature"] != "s" || cur["signature"] != sig) refuse(at "signature", "must be " sig)
    else if (!plain(sig)) refuse(at "signature", sig " is not a plain file name of at most 100 characters, nor may it be a reserved name: shorten or rename " cur["file"])
    else if ((cur["file"] in names) || (sig in names)) refuse(at "file", "is listed twice")
    size = bytes(cur["size"], kind["size"])
    if (size !~ /^[0-9]+$/) refuse(at "size", size)
    if (kind["sha256"] != "s" || length(cur["sha256"]) != 64 || cur["sha256"] ~ /[^0-9a-f]/) refuse(at "sha256", "must be 64 lower-case hex digits")
    names[cur["file"]] = 1; names[sig] = 1
    if (!refused) print "F\\t" cur["file"] "\\t" size "\\t" cur["sha256"] "\\t" cur["signature"]
  }
  function value(v, k) {
    if (depth == 1 && key[1] == "releaseId") {
      print "R\\t" v
      if (k != "s" || v !~ /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/ || length(v) > 64) print "E\\treleaseId: must be a lower-case slug"
    } else if (depth == 3 && key[1] == "files" && type[2] == "a" && type[3] == "o") { cur[key[3]] = v; kind[key[3]] = k }
    else if (depth == 2 && key[1] == "files" && type[2] == "a") print "E\\tfiles." entries++ ": must be a file entry (an object)"
  }
  # The grammar of JSON.parse, a token at a time ({ } [ ] : , s a string, l a literal), so the script
  # refuses what the sync cannot parse (a trailing comma, a comment, text after the document): "want"
  # is what may come next, and the first token out of place is why the document is refused.
  function tok(t) {
    if (bad != "") return
    if (t == "}" || t == "]") {
      if ((want == "," || want == (t == "}" ? "key}" : "value]")) && type[depth] == (t == "}" ? "o" : "a")) { want = depth > 1 ? "," : "end"; return }
    } else if (want == "value" || want == "value]") {
      if (t != ":" && t != ",") { want = t == "{" ? "key}" : t == "[" ? "value]" : depth ? "," : "end"; return }
    } else if (want == "key" || want == "key}") { if (t == "s") { want = ":"; return } }
    else if (want == ":" && t == ":") { want = "value"; return }
    else if (want == "," && t == ",") { want = type[depth] == "o" ? "key" : "value"; return }
    bad = "unexpected " (t == "s" ? "string" : t == "l" ? "literal" : t) " where " words[want] " was expected"
  }
  function literal() {
    if (lit == "") return
    if (bad == "" && lit !~ /^(true|false|null)$/ && lit !~ num) bad = "not a JSON value: " shown(lit)
    tok("l"); value(lit, "n"); lit = ""
  }
  # The text between two strings, split at commas first: split is linear in every awk, while in busybox
  # substr and length count the bytes of a string at each call (a long array of numbers took minutes).
  function structure(s,   part, n, j) {
    n = split(s, part, ",")
    for (j = 1; j <= n; j++) {
      if (j > 1) { literal(); tok(","); if (type[depth] == "o") iskey[depth] = 1 }
      tokens(part[j])
    }
  }
  function tokens(s,   i, c, len) {
    len = length(s)
    for (i = 1; i <= len; i++) {
      c = substr(s, i, 1)
      if (c == "{" || c == "[") { literal(); tok(c); depth++; type[depth] = (c == "{" ? "o" : "a"); iskey[depth] = (c == "{"); key[depth] = ""; obj[depth] = ++objects
        if (depth == 3) { split("", cur); split("", kind) } }
      else if (c == "}" || c == "]") { literal(); tok(c)
        if (depth == 3 && key[1] == "files" && type[2] == "a") { if (type[3] == "o") entry("files." entries++ "."); else print "E\\tfiles." entries++ ": must be a file entry (an object)" }
        depth-- }
      else if (c == ":") { literal(); tok(c); iskey[depth] = 0 }
      else if (c == " " || c == "\\t" || c == "\\n" || c == "\\r") literal()
      else lit = lit c
    }
  }
  {
    # A leading BOM is dropped, as the UTF-8 decoder of the sync drops it; anywhere else it is not JSON.
    if (NR == 1 && substr($0, 1, 3) == bom) $0 = substr($0, 4)
    if (!instr) { structure($0); literal(); instr = 1; next }
    # A piece of a string: its text up to a quote, which an odd run of backslashes escapes (the piece
    # then carries that quote, and the string goes on in the next record). Each piece is checked on its
    # own (no escape spans two), and kept only when the string is read: a long value nobody reads is
    # never copied, so a manifest of a few MB reads in linear time in every awk.
    piece = $0; n = 0; len = length(piece)
    while (n < len && substr(piece, len - n, 1) == "\\\\") n++
    if (n % 2 == 1) piece = piece "\\""
    # A raw control character or an escape JSON does not have: JSON.parse refuses the document.
    if (bad == "" && (piece ~ ctl || !escapes(piece))) bad = "a control character or an unknown escape in a string"
    if (bad == "" && !utf8(piece)) bad = "bytes that are not UTF-8 in a string"
    if (used()) pending = pending piece
    unclosed = n % 2
    if (unclosed) next
    s = pending; pending = ""; instr = 0
    tok("s")
    s = canon(s)
    if (type[depth] == "o" && iskey[depth]) {
      # JSON.parse keeps the last value of a repeated key, this reader the first: refused, never guessed.
      if ((obj[depth], s) in seen) print "D\\t" visible(s)
      seen[obj[depth], s] = 1; key[depth] = s
    } else value(s, "s")
  }
  END {
    literal()
    if (bad == "" && (!instr || unclosed)) bad = "a string that never ends"
    if (bad == "" && want != "end") bad = "the document ends where " words[want] " was expected"
    if (bad != "") print "E\\tnot JSON as JSON.parse reads it (" bad ")"
  }'
}
# artifact NAME: true for what a grant hands out (checked, never ignored)
artifact() {
  case "$1" in
    *.sig.bin | *.zst | *.iso | *.tgz | *.tar.gz) return 0 ;;
  esac
  [ -f "$1.sig.bin" ]
}

tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT

# 1. The studio's signed bundle list.
if [ ! -f "$LIST" ] || [ ! -f "$LIST.sig.bin" ]; then
  fail "$LIST" "missing (with its .sig.bin): without the studio's signed bundle list nothing proves this bundle complete"
  finish
fi
list_key=$(awk '$1 == "key" { print $2; exit }' "$LIST")
case "$list_key" in
  '' | *[!A-Za-z0-9._-]*) fail "$LIST" "names no valid studio key"; finish ;;
esac
STUDIO_PUBKEY="\${STUDIO_PUBKEY:-$list_key.pem}"
[ -f "$STUDIO_PUBKEY" ] || { echo "verify-bundle.sh: studio key $STUDIO_PUBKEY not found; fetch <studio>/keys/$list_key.pem or set STUDIO_PUBKEY" >&2; exit 2; }
trust_key "$STUDIO_PUBKEY" "studio" "\${STUDIO_KEY_SHA256:-}" STUDIO_KEY_SHA256
if [ -z "$given_pubkey" ]; then
  # The bundle's publisher keys: spectro_public_key.pem, and <id>.pem for each other key that signed a file.
  PUBKEY=
  for key in *.pem; do
    case "$key" in "$list_key.pem" | "$STUDIO_PUBKEY") continue ;; esac
    [ -f "$key" ] && PUBKEY="$PUBKEY $key"
  done
  [ -n "$PUBKEY" ] || { echo "verify-bundle.sh: no publisher key here (spectro_public_key.pem); set PUBKEY" >&2; exit 2; }
fi
for key in $PUBKEY; do
  [ -f "$key" ] || { echo "verify-bundle.sh: public key $key not found; set PUBKEY" >&2; exit 2; }
done
for key in $PUBKEY; do trust_key "$key" "publisher" "\${PUBKEY_SHA256:-}" PUBKEY_SHA256; done
if ! openssl dgst -sha256 -verify "$STUDIO_PUBKEY" -signature "$LIST.sig.bin" "$LIST" >/dev/null 2>&1; then
  fail "$LIST" "signature invalid: not signed by the studio key $STUDIO_PUBKEY"
  finish
fi
awk '$1 == "file" { name = $0; sub(/^file [^ ]+ [^ ]+ /, "", name); print $2 "\\t" $3 "\\t" name }' "$LIST" > "$tmp/bundle"
declared=$(awk '$1 == "files" { print $2; exit }' "$LIST")
entries=$(wc -l < "$tmp/bundle" | tr -d ' ')
if [ "$declared" != "$entries" ]; then fail "$LIST" "says $declared files but lists $entries"; finish; fi
header() { awk -v k="$1" '$1 == k { print $2; exit }' "$LIST"; }
ok "$LIST" "Signature valid (grant $(header grant), issued $(header issued), $entries files, studio key $list_key)"

# 2. The publisher's signed release manifests.
: > "$tmp/listed"
for manifest in releases/*/release.json; do
  [ -f "$manifest" ] || continue
  folder=\${manifest%/release.json}
  id=\${folder#releases/}
  if [ ! -f "$manifest.sig.bin" ]; then fail "$manifest" "release.json.sig.bin is missing"; bad=$((bad + 1)); continue; fi
  if ! verifies "$manifest.sig.bin" "$manifest"; then fail "$manifest" "signature invalid: not signed by $PUBKEY"; bad=$((bad + 1)); continue; fi
  manifest_rows "$manifest" > "$tmp/rows"
  repeated=$(awk -F '\\t' '$1 == "D" { print "\\"" $2 "\\""; exit }' "$tmp/rows")
  if [ -n "$repeated" ]; then
    fail "$manifest" "repeats the key $repeated: JSON readers disagree on which value counts, so it is refused (the studio's sync refuses it too)"
    bad=$((bad + 1)); continue
  fi
  # A field the sync's schema refuses (a size of 1.5 or -1, an upper-case sha256, a path for a name):
  # the studio would never have published this manifest, so nothing in it is believed.
  awk -F '\\t' '$1 == "E" { print $2 }' "$tmp/rows" > "$tmp/refused"
  if [ -s "$tmp/refused" ]; then
    while IFS= read -r refusal; do fail "$manifest" "$refusal; the studio's sync refuses this release.json too"; done < "$tmp/refused"
    bad=$((bad + 1)); continue
  fi
  named=$(awk -F '\\t' '$1 == "R" { print $2; exit }' "$tmp/rows")
  if [ "$named" != "$id" ]; then fail "$manifest" "names release '$named', not its folder '$id'"; bad=$((bad + 1)); continue; fi
  awk -F '\\t' -v id="$id" 'BEGIN { OFS = "\\t" } $1 == "F" { print $2, $3, $4, $5, id }' "$tmp/rows" >> "$tmp/listed"
  ok "$manifest" "Signature valid (release $id, $(awk -F '\\t' '$1 == "F"' "$tmp/rows" | wc -l | tr -d ' ') files)"
done

# 3. Every file of the bundle list: here, as listed; artifacts also signed and in a release manifest.
while IFS="$(printf '\\t')" read -r sum size name; do
  checked=$((checked + 1))
  before=$failed
  failed=0
  if [ ! -f "$name" ]; then fail "$name" "missing (listed in the studio's bundle list)"
  elif [ "$(size_of "$name")" != "$size" ]; then fail "$name" "size $(size_of "$name"), the bundle list says $size"
  elif [ "$(sha256_of "$name")" != "$sum" ]; then fail "$name" "changed: sha256 $(sha256_of "$name"), the bundle list says $sum"
  else
    row=$(awk -F '\\t' -v n="$name" '$1 == n { print; exit }' "$tmp/listed")
    if [ -n "$row" ]; then
      release=$(printf '%s' "$row" | cut -f 5)
      if [ "$(printf '%s' "$row" | cut -f 2)" != "$size" ] || [ "$(printf '%s' "$row" | cut -f 3)" != "$sum" ]; then
        fail "$name" "differs from release $release's signed manifest"
      elif sig=$(printf '%s' "$row" | cut -f 4) && [ ! -f "$sig" ]; then fail "$name" "signature $sig is missing"
      elif verifies "$sig" "$name"; then ok "$name" "matches the bundle list and release $release's signed manifest; signature valid"
      else fail "$name" "signature invalid"; fi
    else
      case "$name" in
        releases/*/release.json | releases/*/release.json.sig.bin) ;;
        *) awk -F '\\t' -v n="$name" '$4 == n { found = 1 } END { exit !found }' "$tmp/listed" ||
          fail "$name" "not covered by any signed release manifest" ;;
      esac
    fi
  fi
  [ "$failed" -eq 0 ] || bad=$((bad + 1))
  [ "$before" -eq 0 ] || failed=1
done < "$tmp/bundle"

# 4. Anything else, anywhere below the folder (hidden files and subfolders too): an extra or renamed
# artifact fails; other files are ignored, and said so.
cut -f 3 "$tmp/bundle" > "$tmp/names"
# A name with a control character is no honest bundle's file: a newline in it could pass for two
# innocent names, so it fails before anything reads the names line by line.
odd=$(find . -name '*[[:cntrl:]]*' -exec printf x \\; | wc -c | tr -d ' ')
if [ "$odd" -gt 0 ]; then
  fail "(file names)" "$odd files or folders whose names hold a control character (a newline?): not part of any bundle"
  checked=$((checked + odd)); bad=$((bad + odd))
fi
# Another bundle's folder inside this one (a .tar extracted beside its files) is that bundle's to check.
find . -name '*[[:cntrl:]]*' -prune -o -path '*/studio/bundle-list.txt' -print | sed 's|^\\./||; s|/studio/bundle-list.txt$||' |
  grep -v -x -e 'studio/bundle-list.txt' > "$tmp/nested"
while IFS= read -r nested; do
  note "$nested/" "ignored (another bundle's folder: check it on its own, sh verify-bundle.sh '$nested')"
  ignored=$((ignored + 1))
done < "$tmp/nested"
find . -name '*[[:cntrl:]]*' -prune -o \\( -type f -o -type l \\) -print | sed 's|^\\./||' | sort |
  awk -v list="$tmp/nested" 'BEGIN { while ((getline line < list) > 0) nested[line] = 1 }
    { for (n in nested) if (index($0, n "/") == 1) next; print }' > "$tmp/here"
while IFS= read -r name; do
  grep -qxF -e "$name" "$tmp/names" && continue
  case "$name" in
    "$LIST" | "$LIST.sig.bin") continue ;;
    releases/*/release.json | releases/*/release.json.sig.bin) ;;
    *) if ! artifact "$name"; then
      case "$name" in
        # The studio's own companions beside the files (keys, checksums, manifests, scripts, their logs): not counted.
        */*) note "$name" "ignored (not an artifact)"; ignored=$((ignored + 1)) ;;
        SHA256SUMS | PARTS.SHA256SUMS | *.pem | verify-*.sh | download.sh | join-and-verify.sh | mirror.sh | bundle.curl | urls.txt | manifest.json) ;;
        artifact-studio-*.log | artifact-studio-*.tar | artifact-studio-*.tar.part-*) ;;
        *) note "$name" "ignored (not an artifact)"; ignored=$((ignored + 1)) ;;
      esac
      continue
    fi ;;
  esac
  if [ "\${EXTRA:-fail}" = note ]; then note "$name" "not part of this bundle (EXTRA=note)"; ignored=$((ignored + 1)); continue; fi
  checked=$((checked + 1)); bad=$((bad + 1))
  sum=$(sha256_of "$name")
  listed=$(awk -F '\\t' -v s="$sum" '$1 == s { print $3; exit }' "$tmp/bundle")
  if [ -n "$listed" ]; then fail "$name" "renamed: these are the bytes of $listed"
  else fail "$name" "extra: not in the studio's bundle list"; fi
done < "$tmp/here"
finish
`;
