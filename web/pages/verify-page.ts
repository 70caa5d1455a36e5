// Bundle Verification Instructions: the public key, the openssl command for each kind of file
// (with real file names from the catalog), the expected "Verified OK", the folder script, and the
// Spectro Cloud guides that come next (Artifact Signatures, Upload Packs, the appliance installs).
import { html } from "htm/preact";
import { Breadcrumbs, Head } from "../components/layout";
import { CodeBlock, PageHead } from "../components/ui";
import { GUIDES } from "../lib/guides";

export type SignedFileExample = { fileName: string; signatureFileName: string };

export type VerifyExamples = {
  contentBundle?: SignedFileExample;
  iso?: SignedFileExample;
  pack?: SignedFileExample;
};

const command = (file: SignedFileExample) =>
  `openssl dgst -sha256 -verify spectro_public_key.pem -signature ${file.signatureFileName} ${file.fileName}`;

type Kind = {
  id: string;
  title: string;
  placeholder: string;
  replace: string;
  example: SignedFileExample;
  fallback: boolean;
};

/** A trusted key as the page lists it: only current keys make a release trusted. */
export type KeyListing = {
  id: string;
  status: "current" | "revoked" | "expired";
  notAfter?: string;
  revokedAt?: string;
  /** The key /spectro_public_key.pem serves. */
  served: boolean;
  /** The SHA-256 of the key's DER form, to pin in verify-bundle.sh (PUBKEY_SHA256, STUDIO_KEY_SHA256). */
  sha256: string;
  /** A studio key signs grants' bundle lists; a publisher key signs releases. */
  role: "publisher" | "studio";
};

function TrustedKeys({ keys }: { keys: KeyListing[] }) {
  return html`<div class="stack">
    <p class="small">Every key this studio has trusted, and whether it still counts. Releases signed by a revoked or expired key are refused; what such a key signed before is listed for incident response. Record the SHA-256 fingerprints before you cross the air gap: step 4 checks a bundle against them.</p>
    <ul class="small">
      ${keys.map(
        (k) => html`<li>
          <a href=${`/keys/${k.id}.pem`} download=${`${k.id}.pem`}><code>${k.id}.pem</code></a>
          ${" "}<span class=${`badge ${k.status === "current" ? "ok" : "warn"}`}>${k.status}</span>
          ${k.status === "revoked" && k.revokedAt ? html` since ${k.revokedAt}` : null}
          ${k.status !== "revoked" && k.notAfter ? html` ${k.status === "expired" ? "expired" : "until"} ${k.notAfter}` : null}
          ${k.role === "studio" ? html` <span class="muted">(the studio's key: it signs your bundle lists)</span>` : null}
          ${k.served ? html` <span class="muted">(the key served as spectro_public_key.pem)</span>` : null}
          <br /><span class="muted">SHA-256</span> <code class="break">${k.sha256}</code>
        </li>`,
      )}
    </ul>
  </div>`;
}

/** The three kinds of signed file, each with a real example from the catalog or a placeholder. */
function signedFileKinds(examples: VerifyExamples): Kind[] {
  return [
    {
      id: "content-bundle",
      title: "Content bundle (TAR ZST)",
      placeholder: "<bundle-name>",
      replace: "the name of the bundle",
      example: examples.contentBundle ?? {
        fileName: "<bundle-name>.tar.zst",
        signatureFileName: "<bundle-name>.tar.sig.bin",
      },
      fallback: !examples.contentBundle,
    },
    {
      id: "iso",
      title: "Management appliance (ISO)",
      placeholder: "<management-appliance>",
      replace: "the name of the appliance",
      example: examples.iso ?? {
        fileName: "<management-appliance>.iso",
        signatureFileName: "<management-appliance>.iso.sig.bin",
      },
      fallback: !examples.iso,
    },
    {
      id: "pack",
      title: "Pack bundle (ZST)",
      placeholder: "<bundle-name>",
      replace: "the name of the pack file",
      example: examples.pack ?? { fileName: "<bundle-name>.zst", signatureFileName: "<bundle-name>.sig.bin" },
      fallback: !examples.pack,
    },
  ];
}

/** 1. The public key to download, and every key the studio has trusted. */
function KeyStep({ keys }: { keys: KeyListing[] }) {
  return html`<section class="card" aria-labelledby="step-key">
    <h2 id="step-key">1. Download the public key</h2>
    <p>Save the key next to the downloaded artifacts.</p>
    <a class="button" href="/spectro_public_key.pem" download="spectro_public_key.pem">Download spectro_public_key.pem</a>
    <${TrustedKeys} keys=${keys} />
  </section>`;
}

/** 2. The openssl command for each kind of file, with real file names where the catalog has them. */
function FileStep({ examples }: { examples: VerifyExamples }) {
  return html`<section class="card" aria-labelledby="step-verify">
    <h2 id="step-verify">2. Verify each file</h2>
    <p>Use the command for the kind of file you downloaded. The names below are real files from this catalog; replace them with yours.</p>
    ${signedFileKinds(examples).map(
      (kind) => html`<section class="stack" aria-labelledby=${`kind-${kind.id}`}>
        <h3 id=${`kind-${kind.id}`}>${kind.title}</h3>
        ${kind.fallback ? html`<p class="small muted">Replace <code>${kind.placeholder}</code> with ${kind.replace}.</p>` : null}
        <${CodeBlock} code=${command(kind.example)} what=${`${kind.title} command`} />
      </section>`,
    )}
    <p>A successful verification prints:</p>
    <pre><code>Verified OK</code></pre>
    <p class="small muted">Anything else (for example <code>Verification failure</code>) means the file or its signature is not the one Spectro Cloud signed: do not use it.</p>
  </section>`;
}

/** 3. The folder script and what it prints. */
function FolderStep({ examples, script }: { examples: VerifyExamples; script: string }) {
  return html`<section class="card" aria-labelledby="step-script">
    <h2 id="step-script">3. Or verify a whole folder</h2>
    <p>
      To check every content or pack bundle (and ISO) in the current folder, use this script. It uses${" "}
      <code>spectro_public_key.pem</code> in the same folder; set <code>PUBKEY</code> to use a key elsewhere.
    </p>
    <p><a class="button secondary" href="/verify-signatures.sh" download="verify-signatures.sh">Download verify-signatures.sh</a></p>
    <${CodeBlock} code=${script} what="verification script" />
    <p>Grant the script execute permissions, and run it:</p>
    <${CodeBlock} code=${"chmod +x verify-signatures.sh\n./verify-signatures.sh"} what="script commands" />
    <p>The output should be similar to:</p>
    <pre tabindex="0"><code>${[
      examples.pack?.fileName ?? "kubernetes-1.32.3.zst",
      examples.contentBundle?.fileName ?? "palette-4.6.12.tar.zst",
    ]
      .map((f) => `${f}: ✅ Signature valid`)
      .join("\n")}</code></pre>
  </section>`;
}

/** 4. verify-bundle.sh against the signed release manifests. */
function BundleStep({ examples, verifyBundleSha256 }: { examples: VerifyExamples; verifyBundleSha256: string }) {
  // Indented as it was inside VerifyPage: the text runs over lines, and htm keeps their indentation.
  return html`<section class="card" aria-labelledby="step-bundle">
        <h2 id="step-bundle">4. Check a whole bundle against the signed release manifests</h2>
        <p>
          Every download also carries the publisher's signed release manifests, <code>${"releases/<release-id>/release.json"}</code>${" "}
          with <code>release.json.sig.bin</code>: the lists, signed with the same key, of every file in each release with its size
          and SHA-256. <code>verify-bundle.sh</code> (in every <code>.tar</code>, written by <code>download.sh</code>, or${" "}
          <a href="/verify-bundle.sh" download="verify-bundle.sh">as verify-bundle.sh on its own</a>) checks with OpenSSL alone that each manifest is
          signed by the key, that every file you downloaded matches a manifest's size and SHA-256 and its own signature, and
          first, against <code>studio/bundle-list.txt</code> (the studio's signed list of every file of your download, verified
          with its key at <code>${"/keys/<id>.pem"}</code>), that nothing is missing, added or changed. Files that are not
          artifacts (<code>grant.json</code>, logs) are listed as ignored.
        </p>
        <p>
          Anything that travels inside a bundle can be swapped along with it, the keys and the checker included. So check it
          with what you brought yourself: the fingerprints of the keys from step 1, pinned per role (a publisher key cannot
          stand in for the studio's), and a copy of <code>verify-bundle.sh</code> fetched from this studio before you cross
          the air gap (SHA-256 <code class="break">${verifyBundleSha256}</code>). A bundle checked with any other key fails
          before anything else is read; without pins the script says what it could not prove.
        </p>
        <${CodeBlock}
          code=${"curl -fsSO https://<this studio>/verify-bundle.sh           # the checker, your own copy\ntar -xf artifact-studio-<grant>.tar\nPUBKEY_SHA256=<publisher key sha256> STUDIO_KEY_SHA256=<studio key sha256> \\\n  sh verify-bundle.sh artifact-studio-<grant>"}
          what="bundle verification commands"
        />
        <p>It prints one line per manifest and per file, for example:</p>
        <pre tabindex="0"><code>${[
          "studio/bundle-list.txt: ✅ Signature valid (grant 7YG7Cm_z8AI0-2yQ3ZTR1w, issued 2026-12-06T09:00:00.000Z, 12 files, studio key studio-2027)",
          "releases/demo-2-packs/release.json: ✅ Signature valid (release demo-2-packs, 52 files)",
          `${examples.pack?.fileName ?? "kubernetes-1.32.3.zst"}: ✅ matches the bundle list and release demo-2-packs's signed manifest; signature valid`,
          "calico.zst: ❌ renamed: these are the bytes of cni-calico-3.29.1.zst",
          "grant.json: ignored (not an artifact)",
        ].join("\n")}</code></pre>
        <p class="small muted">The manifests list every file of their release; the bundle list says which of them are your download. The script ends with a count ("12 files verified, 1 other files ignored") and exits 1 if anything failed.</p>
      </section>`;
}

/** 5. Container images, pinned by digest in the signed manifests. */
function ImagesStep() {
  // Indented as it was inside VerifyPage: the text runs over lines, and htm keeps their indentation.
  return html`<section class="card" aria-labelledby="step-images">
        <h2 id="step-images">5. Container images</h2>
        <p>
          Each pack version declares the images it ships in its signed release manifest, every one pinned by digest
          (<code>repository[:tag]@sha256:…</code>); the studio refuses a release with a tag-only image. Once the manifest
          verifies (step 4), the digests in it are the publisher's: pull or mirror by digest, never by tag, and the registry
          client checks that the bytes it receives hash to that digest. A grant's <code>images.txt</code> lists them one a line.
        </p>
        <${CodeBlock}
          code=${'grep -o \'"image": *"[^"]*"\' releases/*/release.json     # what the signed manifests declare\nwhile read -r ref; do skopeo copy --all "docker://$ref" "oci-archive:$(echo "$ref" | tr \'/:@\' \'___\').tar"; done < images.txt\ncrane digest docker.io/calico/node:v3.29.1                    # compare with the digest in images.txt'}
          what="image verification commands"
        />
        <h3 id="step-images-cosign">Verify image signatures with cosign</h3>
        <p>
          The images inside the bundles are signed with the same key. After loading a bundle's images into your site's
          registry, verify each one there, by digest, with <a href="https://docs.sigstore.dev/cosign/system_config/installation/">cosign</a>${" "}
          (the ECDSA P-256 <code>spectro_public_key.pem</code> works for cosign as it is):
        </p>
        <${CodeBlock}
          code=${"cosign verify --key spectro_public_key.pem registry.example.local:5000/calico/node@sha256:<digest>"}
          what="cosign command"
        />
        <p>
          Every download comes with <code>verify-images.sh</code> (beside <code>images.txt</code> in its manifests): it runs that
          command for every image of the download, with the registry host replaced by the one you name, prints one line per image,
          and exits 1 if any fails. Without cosign it says that nothing was checked.
        </p>
        <${CodeBlock}
          code=${"sh verify-images.sh registry.example.local:5000     # your registry; omit it to check where each image was published"}
          what="verify-images.sh command"
        />
        <p class="small muted">Incident: <a href="/images">which pack versions ship an image?</a> Search by repository, tag or digest.</p>
      </section>`;
}

/** 6. The guides that come after verification. */
function NextStep() {
  return html`<section class="card" aria-labelledby="step-next">
    <h2 id="step-next">6. Upload packs to management appliances, or install one</h2>
    <p>Once the files verify, the guides take it from there:</p>
    <ul>
      ${[
        GUIDES.uploadPalette,
        GUIDES.uploadVertex,
        GUIDES.paletteCliContent,
        GUIDES.paletteAppliance,
        GUIDES.vertexAppliance,
      ].map((g) => html`<li><a href=${g.href}>${g.title}</a>: ${g.what}.</li>`)}
    </ul>
  </section>`;
}

/** `script` is the folder script /verify-signatures.sh serves, shown as it is downloaded. */
export function VerifyPage({
  examples,
  keys,
  script,
  verifyBundleSha256,
}: {
  examples: VerifyExamples;
  keys: KeyListing[];
  script: string;
  /** The SHA-256 of /verify-bundle.sh, so a copy fetched before the air gap can be checked. */
  verifyBundleSha256: string;
}) {
  return html`<${Head} title="Bundle Verification Instructions" area="verify" islands=${["copy"]} description="Verify Artifact Studio downloads: each file against its .sig.bin with OpenSSL, whole bundles against the signed release manifests, and container images with cosign." />
    <${Breadcrumbs} trail=${[{ href: "/", label: "Home" }, { label: "Bundle Verification Instructions" }]} />
    <${PageHead} title="Bundle Verification Instructions">
      All ZST bundles and ISO files downloaded from Artifact Studio are signed. A <code>.sig.bin</code> file accompanies each
      artifact; check it with Spectro Cloud's public key and OpenSSL on the machine where the files are.
    <//>
    <p>For how Spectro Cloud signs artifacts, refer to the <a href=${GUIDES.artifactSignatures.href}>${GUIDES.artifactSignatures.title}</a>.</p>
    <div class="stack">
      <${KeyStep} keys=${keys} />
      <${FileStep} examples=${examples} />
      <${FolderStep} examples=${examples} script=${script} />
      <${BundleStep} examples=${examples} verifyBundleSha256=${verifyBundleSha256} />
      <${ImagesStep} />
      <${NextStep} />
    </div>`;
}
