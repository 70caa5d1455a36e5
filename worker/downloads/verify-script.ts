// The documentation's verification script: served as /verify-signatures.sh, shown on /verify, and
// shipped inside every single-file bundle (.tar) beside the files it checks.
// Changes from the docs' sample: the shebang comes first; it is POSIX sh (`[ ]`, not bash's `[[ ]]`),
// so `sh verify-signatures.sh` runs it under dash, bash or busybox sh alike; a file whose signature
// is <name>.sig.bin without a .zst (an ISO, a Helm chart) is checked too; and the exit status says
// whether everything verified. The output lines are the docs'.
export const VERIFY_SCRIPT = `#!/bin/sh
# This script verifies the signatures of data files against a public key.
# It expects files named like \`datafile.zst\` and corresponding signatures \`datafile.sig.bin\`
# (a content bundle \`bundle.tar.zst\` has \`bundle.tar.sig.bin\`; an ISO \`appliance.iso\` has \`appliance.iso.sig.bin\`,
# a Helm chart \`chart.tgz\` has \`chart.tgz.sig.bin\`).
# Ensure you have OpenSSL installed to run this script and that the public key is in PEM format.
# Ensure the script has execute permissions: \`chmod +x verify-signatures.sh\`
# Usage: ./verify-signatures.sh  or  sh verify-signatures.sh   (PUBKEY=/path/to/spectro_public_key.pem to choose the key)
PUBKEY="\${PUBKEY:-spectro_public_key.pem}" # Enter path to public key file
failed=0
for sigfile in *.sig.bin; do
  [ -e "$sigfile" ] || { echo "No *.sig.bin files in $(pwd)"; exit 1; }
  # Strip \`.sig.bin\` to get base filename and corresponding data file
  base="\${sigfile%.sig.bin}"
  datafile="\${base}.zst"
  [ -f "$datafile" ] || [ ! -f "$base" ] || datafile="$base"
  if [ ! -f "$datafile" ]; then # Check if data file exists
    echo "$datafile: ❌ Data file not found" # Skip to next iteration
    failed=1
    continue
  fi
  # Run signature verification
  if openssl dgst -sha256 -verify "$PUBKEY" -signature "$sigfile" "$datafile" > /dev/null 2>&1; then # Verify signature
    echo "$datafile: ✅ Signature valid" # Print success message
  else
    echo "$datafile: ❌ Signature invalid" # Print failure message
    failed=1
  fi
done
exit $failed
`;
