// The download controls the docs put on the Confirm step, the Browse packs selection and the
// installers table: the captcha ("I'm not a robot"), Download Bundle and Copy all URLs; and, once a
// grant is made, its output in the same page: every file and signature as a link under its
// documented name, the single .tar as a second choice, every signed URL in a text box, the
// manifests and the guides that come next. Without JavaScript the form posts and the page comes
// back with this output; the download island fetches the same output in place and starts the files.
import { html } from "htm/preact";
import { humanSize } from "../lib/format";
import type { Guide } from "../lib/guides";
import { PartsSection } from "./parts-list";
import { CopyButton, FileName, Notice } from "./ui";

export type CaptchaView =
  | { provider: "turnstile" | "recaptcha"; siteKey: string; scriptUrl: string; action: string }
  | { provider: "off"; local: boolean }
  | { provider: "misconfigured" };

export type DownloadFile = {
  kind: string;
  file: string;
  url: string;
  sigFile: string;
  sigUrl: string;
  size: number;
  sigSize: number;
};

export type DownloadResult = {
  grantId: string;
  expiresAt: string;
  files: DownloadFile[];
  /** urls.txt: every signed URL, files and signatures. */
  urls: string;
  /** The grant as one .tar, and the folder it unpacks to (its media-sized parts are named after it). */
  tar: { url: string; size: number; folder: string };
  manifests: { name: string; url: string }[];
  curlCommand: string;
};

/** What a download form's POST gave: the grant's links, or why nothing was issued. */
export type DownloadOutcome = { result?: DownloadResult; error?: string };

const TIP =
  "Ensure that pop-ups and multiple downloads are allowed in your browser for Artifact Studio: Download Bundle saves each file and its .sig.bin signature as its own download, one after another.";

/**
 * How a page asks for the download: "Select the “I'm not a robot” captcha, then select" with a live
 * captcha, plain "Select" when it is off (local development), so the words match what is shown.
 */
export const captchaThen = (captcha: CaptchaView, lower = false) => {
  const text = captcha.provider === "off" ? "Select" : "Select the “I'm not a robot” captcha, then select";
  return lower ? text[0].toLowerCase() + text.slice(1) : text;
};

/** The request a token holder makes instead (the docs' recipe), for a page that did not say what it grants. */
const EXAMPLE_GRANT = '{"packs":[{"name":"cni-calico","version":"3.29.1"}]}';

/**
 * Shown by the download island when the captcha's script has not loaded within a few seconds (a proxy
 * or firewall that blocks the provider): what is blocked and the two ways on. Hidden until then, and
 * without JavaScript (where the <noscript> note speaks instead).
 */
function CaptchaBlocked({ scriptUrl, grantBody }: { scriptUrl: string; grantBody?: string }) {
  const host = new URL(scriptUrl).host;
  const recipe = [
    "STUDIO=https://this-studio  # this page's address",
    `curl -fsS -X POST "$STUDIO/api/v1/grants" -H "Authorization: Bearer $TOKEN" \\`,
    `  -H 'Content-Type: application/json' -d '${grantBody ?? EXAMPLE_GRANT}' > grant.json`,
    "CAP=$(jq -r .capability grant.json)",
    'curl -fsS -o bundle.curl "$STUDIO/api/v1/grants/$CAP/bundle.curl" && curl --parallel --fail -K bundle.curl',
  ].join("\n");
  return html`<div class="notice warn captcha-blocked" data-captcha-blocked hidden>
    <p><strong>The captcha could not load.</strong> Its provider, <code>${host}</code>, is not reachable from this
      network (a proxy, firewall or content blocker stops it), so Download Bundle cannot be used here yet.</p>
    <p>Two ways on:</p>
    <ol>
      <li>Allow <code>https://${host}</code> in the proxy, firewall or blocker, then reload this page.</li>
      <li>Or use an API token with the <code>grants:create</code> scope (an administrator makes one; see the
        downloads guide in the docs) and download with curl:</li>
    </ol>
    <pre tabindex="0"><code data-captcha-recipe>${recipe}</code></pre>
  </div>`;
}

function CaptchaWidget({ captcha, grantBody }: { captcha: CaptchaView; grantBody?: string }) {
  if (captcha.provider === "misconfigured")
    return html`<${Notice} kind="error"><p>Downloads are unavailable: the captcha is misconfigured on this studio. The operators have been told.</p><//>`;
  if (captcha.provider === "off")
    return html`<p class="small muted captcha-off">
      <strong>Captcha off (local development).</strong> ${captcha.local ? "Grants are issued without a captcha on this local studio." : "This deployment refuses to issue grants until a captcha provider is configured."}
    </p>`;
  return html`<div class="captcha" data-captcha=${captcha.provider}>
    <script src=${captcha.scriptUrl} async defer></script>
    <${CaptchaBlocked} scriptUrl=${captcha.scriptUrl} grantBody=${grantBody} />
    ${
      captcha.provider === "turnstile"
        ? html`<div class="cf-turnstile" data-sitekey=${captcha.siteKey} data-action=${captcha.action}></div>`
        : html`<div class="g-recaptcha" data-sitekey=${captcha.siteKey}></div>`
    }
    <noscript><p class="small muted">The captcha needs JavaScript. Automation can use an API token instead (see the README).</p></noscript>
  </div>`;
}

type ControlsProps = {
  captcha: CaptchaView;
  /** Why the buttons cannot be used yet (nothing chosen, packs no longer published...). */
  disabledReason?: string;
  /** For buttons inside a form that otherwise submits elsewhere (the browse page's GET form). */
  formAction?: string;
  /** The POST /api/v1/grants body for what this form downloads (the blocked-captcha recipe shows it). */
  grantBody?: string;
};

/** The captcha and the two buttons; rendered inside the page's own form. */
export function DownloadControls({ captcha, disabledReason, formAction, grantBody }: ControlsProps) {
  const disabled = Boolean(disabledReason) || captcha.provider === "misconfigured";
  const post = formAction ? { formmethod: "post", formaction: formAction } : {};
  return html`<div class="download-controls stack">
    <${CaptchaWidget} captcha=${captcha} grantBody=${grantBody} />
    <p class="small download-tip">${TIP}</p>
    <div class="actions">
      <button type="submit" name="action" value="download" data-download-action disabled=${disabled} ...${post}>Download Bundle</button>
      <button type="submit" name="action" value="folder" class="secondary" data-download-action data-folder-choice hidden disabled=${disabled} ...${post}>Save into a folder…</button>
      <button type="submit" name="action" value="urls" class="secondary" data-download-action disabled=${disabled} ...${post}>Copy all URLs</button>
      <span class="small muted" data-disabled-reason>${disabledReason ?? ""}</span>
    </div>
  </div>`;
}

function FileLinks({ files }: { files: DownloadFile[] }) {
  return html`<ul class="file-links">
    ${files.map(
      (f) => html`<li>
        <a href=${f.url} download=${f.file} data-file data-kind=${f.kind} data-size=${f.size}><${FileName} name=${f.file} /></a> <span class="small muted nowrap">${humanSize(f.size)}</span>
        <span class="small"> + <a href=${f.sigUrl} download=${f.sigFile} data-file data-kind=${f.kind} data-size=${f.sigSize}><${FileName} name=${f.sigFile} /></a></span>
      </li>`,
    )}
  </ul>`;
}

export function NextSteps({ guides }: { guides: Guide[] }) {
  return html`<section class="stack next-steps" aria-labelledby="next-steps-title">
    <h3 id="next-steps-title">Next steps</h3>
    <ul>
      <li><a href="/verify">Bundle Verification Instructions</a>: check every file against its <code>.sig.bin</code> with <code>spectro_public_key.pem</code>.</li>
      ${guides.map((g) => html`<li><a href=${g.href}>${g.title}</a>: ${g.what}.</li>`)}
    </ul>
  </section>`;
}

function Result({ result, guides }: { result: DownloadResult; guides: Guide[] }) {
  const count = result.files.length * 2;
  return html`<section class="card stack download-result" data-grant=${result.grantId} aria-labelledby="download-result-title">
    <h2 id="download-result-title">Your download is ready</h2>
    <p class="small">The links below work until ${result.expiresAt} (grant <code>${result.grantId}</code>).</p>
    <progress data-download-progress hidden aria-label="Download progress"></progress>
    <p class="small" data-download-status role="status">
      <span class="no-js-only">Scripts are off: select each link below to save the file under its documented name, or use the URLs or the .tar.</span>
    </p>
    <section class="stack" aria-labelledby="download-files-title">
      <h3 id="download-files-title">Files (${count}: each artifact and its signature)</h3>
      <${FileLinks} files=${result.files} />
      <p><a class="button secondary" href=${result.tar.url} download data-tar>Download as one .tar (${humanSize(result.tar.size)})</a></p>
      <p class="small muted">One file with every artifact, its signature, the signed release manifests that cover them, SHA256SUMS, the studio's signed bundle list, <code>spectro_public_key.pem</code>, <code>verify-signatures.sh</code> and <code>verify-bundle.sh</code>, for when many separate downloads are not welcome.</p>
      <${PartsSection} tar=${result.tar} />
    </section>
    <section class="stack" aria-labelledby="download-urls-title">
      <h3 id="download-urls-title">All URLs</h3>
      <div class="field">
        <label for="download-urls">${count} signed URLs (files and signatures)</label>
        <textarea id="download-urls" readonly rows=${Math.min(10, count + 1)} class="mono" data-urls>${result.urls}</textarea>
      </div>
      <${CopyButton} text=${result.urls} label="Copy" what="the URLs in the box" />
      <p class="small">With curl: <code class="break">${result.curlCommand}</code></p>
      <p class="small">
        Manifests: ${result.manifests.map((m, i) => html`${i ? " · " : ""}<a href=${m.url}>${m.name}</a>`)}${" — "}<code>download.sh</code> downloads, resumes and verifies everything
      </p>
    </section>
    <${NextSteps} guides=${guides} />
  </section>`;
}

/** The live region the island fills in place, and the no-JavaScript POST renders into. */
export function DownloadOutput({ outcome, guides }: { outcome?: DownloadOutcome; guides: Guide[] }) {
  return html`<div class="download-output" data-download-output aria-live="polite">
    ${outcome?.error ? html`<${Notice} kind="error"><p>${outcome.error}</p><//>` : null}
    ${outcome?.result ? html`<${Result} result=${outcome.result} guides=${guides} />` : null}
  </div>`;
}
