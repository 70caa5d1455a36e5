// The docs' "Sample script" (Verify Signatures → Enablement), verbatim, for the e2e tests that run it
// the way the docs tell users to: with REPLACE ME set to the public key's path.
/** The docs' "Sample script", as printed (Verify Signatures → Enablement). */
export const DOCS_SAMPLE_SCRIPT = `# This script verifies the signatures of data files against a public key.
# It expects files named like \`datafile.zst\` and corresponding signatures \`datafile.sig.bin\`.
# Ensure you have OpenSSL installed to run this script and that the public key is in PEM format.
# Ensure the script has execute permissions: \`chmod +x verify-signatures.sh\`
# Usage: ./verify-signatures.sh
#!/bin/bash
PUBKEY="REPLACE ME" # Enter path to public key file
for sigfile in *.sig.bin; do
# Strip \`.sig.bin\` to get base filename and corresponding data file
base="\${sigfile%.sig.bin}"
datafile="\${base}.zst"
if [[ ! -f "$datafile" ]]; then # Check if data file exists
echo "$datafile: ❌ Data file not found" # Skip to next iteration
continue
fi
# Run signature verification
if openssl dgst -sha256 -verify "$PUBKEY" -signature "$sigfile" "$datafile" > /dev/null 2>&1; then # Verify signature
echo "$datafile: ✅ Signature valid" # Print success message
else
echo "$datafile: ❌ Signature invalid" # Print failure message
fi
done
`;

/** The sample script with its one placeholder filled in, as the docs say to. */
export const docsSampleScript = (pubkeyPath: string) => DOCS_SAMPLE_SCRIPT.replace("REPLACE ME", pubkeyPath);
