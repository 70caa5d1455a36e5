// verify-images.sh, one per grant: the docs' image validation flow for every container image the
// grant's pack versions ship. Each image, pinned by the digest its signed release manifest declares,
// is checked with `cosign verify --key spectro_public_key.pem <registry>/<repo>@<digest>` (an ECDSA
// P-256 PEM key works for cosign as it is), at the registry the user names (the site's own, where
// the bundles' images were loaded) or where it was published. POSIX sh (sh, dash, bash, busybox);
// skips with a clear message when cosign is absent; exits 1 if any image fails.
import { normalizeRepository } from "../domain/image-names";
import type { ImageRef } from "../domain/vocabulary";

/** The grant's images, each `registry/repo@sha256:…` once, with the registry host written out. */
export const pinnedImages = (images: ImageRef[]) => [
  ...new Set(images.map((i) => `${normalizeRepository(i.repository)}@${i.digest}`)),
];

export function verifyImagesSh(grant: { id: string }, images: ImageRef[]): string {
  const refs = pinnedImages(images);
  return `#!/bin/sh
# Artifact Studio grant ${grant.id}: verify the signature of every container image it ships (${refs.length}).
# Usage: sh verify-images.sh [REGISTRY]
#   REGISTRY  the registry the images were loaded into, e.g. registry.example.local:5000 (or set
#             REGISTRY): each image's registry host is replaced by it, so docker.io/calico/node is
#             checked as REGISTRY/calico/node. Without it, each image is checked where it was published.
#   PUBKEY    Spectro Cloud's public key (default: spectro_public_key.pem in the current folder).
# Needs cosign (https://docs.sigstore.dev/cosign/system_config/installation/). Exits 1 if any image fails.
set -u
REGISTRY="\${1:-\${REGISTRY:-}}"
REGISTRY="\${REGISTRY%/}"
PUBKEY="\${PUBKEY:-spectro_public_key.pem}"
if ! command -v cosign >/dev/null 2>&1; then
  echo "cosign not found on PATH: image signatures NOT checked (${refs.length} images skipped)." >&2
  echo "Install cosign, then run: sh verify-images.sh \${REGISTRY:-<registry>}" >&2
  exit 0
fi
if [ ! -r "$PUBKEY" ]; then
  echo "$PUBKEY: not found; download it (GET /spectro_public_key.pem) or set PUBKEY" >&2
  exit 2
fi
checked=0
failed=0
while IFS= read -r ref; do
  [ -n "$ref" ] || continue
  target="$ref"
  [ -z "$REGISTRY" ] || target="$REGISTRY/\${ref#*/}"
  checked=$((checked + 1))
  if err=$(cosign verify --key "$PUBKEY" "$target" 2>&1 >/dev/null </dev/null); then
    echo "$target: ✅ Signature valid"
  else
    failed=$((failed + 1))
    echo "$target: ❌ Verification failed: $(printf '%s\\n' "$err" | tail -n 1)"
  fi
done <<'IMAGES'
${refs.join("\n")}
IMAGES
echo "$checked images checked, $failed failed"
[ "$failed" -eq 0 ] || exit 1
`;
}
