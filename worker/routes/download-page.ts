// /download: the captcha gate page. GET shows what the query selects (installers, packs, or the
// wizard's bundle) with the captcha widget (or the local "captcha off" notice); the form POSTs to
// the same path, which issues the grant and renders every link: the single-file .tar, each file and
// signature, and the manifests. No JavaScript is needed beyond what the captcha itself requires.
import { type Context, Hono } from "hono";
import { html } from "htm/preact";
import { z } from "zod";
import { CAPTCHA_ACTION, captchaWidget } from "../captcha";
import { bundleSpec, packRef } from "../catalog/bundle-spec";
import { catalogReader } from "../db/client";
import { INSTALLER_KINDS } from "../db/schema";
import { grantTarLength } from "../downloads/bundle";
import type { GrantFile } from "../downloads/files";
import { installersSelection, resolveSelection, type Selection } from "../downloads/grants";
import { type Issued, issueGrant } from "../downloads/issue";
import { urlsTxt } from "../downloads/manifests";
import { config } from "../env";
import { ApiError, invalidInput } from "../errors";
import { Layout, documentHtml } from "../../web/components/layout";
import { CopyButton, HiddenInputs, Notice, PageHead } from "../../web/components/ui";
import { PartsSection } from "../../web/components/parts";
import { humanSize } from "../../web/lib/format";
import { FORM_BODY_BYTES, limitBody } from "../body-limit";
import { htmlErrorHandler, parseForm, parseOrThrow } from "./html";

export const downloadPageRoutes = new Hono<{ Bindings: Env }>();

// A page: a misconfigured captcha or any other failure answers in HTML, like the other pages.
downloadPageRoutes.onError(htmlErrorHandler);

type Ctx = Context<{ Bindings: Env }>;

const list = (s: string | undefined) =>
  s
    ? s
        .split(",")
        .map((x) => x.trim())
        .filter(Boolean)
    : undefined;

const atRef = z.string().transform((s, ctx) => {
  const at = s.lastIndexOf("@");
  if (at <= 0) {
    ctx.addIssue({ code: "custom", message: `"${s}" must be name@version` });
    return z.NEVER;
  }
  return { name: s.slice(0, at), version: s.slice(at + 1) };
});

/** The query (or form) the site's pages link here with; the same fields the POST carries back. */
const pageParams = z.object({
  installers: atRef
    .transform(({ name, version }) => ({ product: name, version }))
    .pipe(installersSelection.pick({ product: true, version: true }))
    .optional(),
  kinds: z
    .string()
    .optional()
    .transform(list)
    .pipe(z.array(z.enum(INSTALLER_KINDS)).optional()),
  packs: z
    .string()
    .optional()
    .transform(list)
    .pipe(z.array(atRef.pipe(packRef)).max(500).optional()),
  // Checked in full by the bundle spec; bounded here so no field is unbounded.
  product: z.string().max(64).optional(),
  version: z.string().max(40).optional(),
  useCase: z.string().max(40).optional(),
  cloud: z.string().max(40).optional(),
  arch: z.string().max(40).optional(),
  fips: z.enum(["true", "false"]).optional(),
});

type PageParams = z.infer<typeof pageParams>;

function selectionOf(p: PageParams): Selection {
  if (p.installers) return { installers: { ...p.installers, kinds: p.kinds } };
  if (!p.packs?.length)
    throw new ApiError(400, "invalid_request", "nothing to download: choose installers or packs first", [
      { field: "packs", message: "empty" },
    ]);
  if (p.product && p.version && p.useCase) {
    const spec = bundleSpec.safeParse({
      product: p.product,
      version: p.version,
      useCase: p.useCase,
      cloud: p.cloud,
      arch: p.arch,
      fips: p.fips === undefined ? undefined : p.fips === "true",
      packs: p.packs,
    });
    if (!spec.success) throw invalidInput(spec.error);
    return { bundle: spec.data };
  }
  return { packs: p.packs };
}

/** The raw parameters to carry through the form unchanged. */
const carried = (raw: Record<string, string>) =>
  Object.fromEntries(
    ["installers", "kinds", "packs", "product", "version", "useCase", "cloud", "arch", "fips"].map((k) => [k, raw[k]]),
  );

function parseParams(raw: Record<string, string>): Selection {
  return selectionOf(parseOrThrow(pageParams, raw));
}

const page = (
  c: Ctx,
  title: string,
  body: unknown,
  status: 200 | 400 | 403 | 404 | 409 | 429 | 503 = 200,
  headers: Record<string, string> = {},
) =>
  c.html(documentHtml(html`<${Layout} title=${title} islands=${["copy"]}>${body}<//>`), status, {
    "Cache-Control": "no-store",
    ...headers,
  });

function FileTable({ files }: { files: GrantFile[] }) {
  return html`<div class="table-wrap">
    <table class="responsive-table">
      <thead><tr><th scope="col">File</th><th scope="col">Version</th><th scope="col" class="num">Size</th></tr></thead>
      <tbody>
        ${files.map(
          (f) => html`<tr>
            <th scope="row" data-label="File"><code class="break">${f.file}</code><br /><span class="small muted">+ <code>${f.sigFile}</code></span></th>
            <td data-label="Version">${f.name} ${f.version}</td>
            <td data-label="Size" class="num">${humanSize(f.size)}</td>
          </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}

function CaptchaField({ c }: { c: Ctx }) {
  const cfg = config(c.env);
  const widget = captchaWidget(cfg);
  if (!widget) {
    return html`<${Notice} kind="warn">
      <p><strong>Captcha off (local development).</strong> ${cfg.ENVIRONMENT === "local" ? "Grants are issued without a captcha on this local studio." : "This deployment refuses to issue grants until a captcha provider is configured."}</p>
    <//>`;
  }
  return html`<div class="field">
    <script src=${widget.scriptUrl} async defer></script>
    ${
      widget.provider === "turnstile"
        ? html`<div class="cf-turnstile" data-sitekey=${widget.siteKey} data-action=${CAPTCHA_ACTION}></div>`
        : html`<div class="g-recaptcha" data-sitekey=${widget.siteKey}></div>`
    }
    <noscript><p class="small muted">The captcha needs JavaScript. Automation can use an API token instead (see the README).</p></noscript>
  </div>`;
}

function ChooseForm({ c, raw }: { c: Ctx; raw: Record<string, string> }) {
  return html`<form method="post" action="/download" class="card stack">
    <${HiddenInputs} values=${carried(raw)} />
    <${CaptchaField} c=${c} />
    <div class="actions">
      <button type="submit" name="action" value="download">Download Bundle</button>
      <button type="submit" name="action" value="urls" class="secondary">Copy all URLs</button>
    </div>
  </form>`;
}

async function choosePage(c: Ctx, raw: Record<string, string>, problem?: ApiError) {
  let files: GrantFile[] | undefined;
  let error = problem;
  try {
    files = await resolveSelection(catalogReader(c.env), parseParams(raw));
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    error ??= err;
  }
  const total = files?.reduce((n, f) => n + f.size + f.sigSize, 0) ?? 0;
  const status = (error?.status ?? 200) as 200 | 400 | 403 | 404 | 409 | 429 | 503;
  return page(
    c,
    "Download",
    html`<${PageHead} eyebrow="Download" title="Download your selection">Solve the captcha, then choose Download Bundle or Copy all URLs.<//>
      ${error ? html`<${Notice} kind="error"><p>${error.message}</p><//>` : null}
      ${
        files
          ? html`<section class="stack" aria-labelledby="chosen">
            <h2 id="chosen">${files.length} ${files.length === 1 ? "file" : "files"}, ${humanSize(total)} with signatures</h2>
            <${FileTable} files=${files} />
            <${ChooseForm} c=${c} raw=${raw} />
          </section>`
          : null
      }`,
    status,
    error?.headers,
  );
}

function resultPage(c: Ctx, issued: Issued, action: "download" | "urls") {
  const { grant, entries, view } = issued;
  const tarSize = grantTarLength(grant, config(c.env).TRUSTED_PUBLIC_KEYS, issued.proofs);
  const urls = urlsTxt(entries);
  const curlCommand = `curl -fsS -o bundle.curl '${view.links["bundle.curl"]}' && curl --parallel --fail --remote-time -K bundle.curl`;
  return page(
    c,
    "Your download",
    html`<${PageHead} eyebrow="Download" title="Your download is ready">The links below work until ${view.expiresAt} (grant <code>${grant.id}</code>).<//>
      <section class="card stack" aria-labelledby="bundle-title">
        <h2 id="bundle-title">Download Bundle</h2>
        <p>One file with every artifact, its signature, the signed release manifests that cover them, SHA256SUMS, <code>spectro_public_key.pem</code>, <code>verify-signatures.sh</code> and <code>verify-bundle.sh</code>.</p>
        <p><a class="button" href=${view.links["bundle.tar"]} download>Download Bundle (.tar, ${humanSize(tarSize)})</a></p>
      </section>
      <${PartsSection} tarUrl=${view.links["bundle.tar"]} tarSize=${tarSize} folder=${`artifact-studio-${grant.id}`} />
      <section class="card stack" aria-labelledby="urls-title">
        <h2 id="urls-title">Copy all URLs</h2>
        ${action === "urls" ? html`<${Notice} kind="ok"><p>Copy these URLs, or fetch them all with curl as shown below.</p><//>` : null}
        <div class="field">
          <label for="urls">${entries.length * 2} URLs (files and signatures)</label>
          <textarea id="urls" readonly rows=${Math.min(12, entries.length * 2 + 1)} class="mono">${urls}</textarea>
        </div>
        <${CopyButton} text=${urls} label="Copy all URLs" what="download URLs" />
        <p class="small">With curl: <code class="break">${curlCommand}</code></p>
        <p class="small">
          Manifests: <a href=${view.links["urls.txt"]}>urls.txt</a> · <a href=${view.links["bundle.curl"]}>bundle.curl</a> ·
          <a href=${view.links["manifest.json"]}>manifest.json</a> · <a href=${view.links["SHA256SUMS"]}>SHA256SUMS</a> ·
          <a href=${view.links["download.sh"]}>download.sh</a> (downloads, resumes and verifies everything)
        </p>
      </section>
      <section class="stack" aria-labelledby="files-title">
        <h2 id="files-title">Individual files</h2>
        <div class="table-wrap">
          <table class="responsive-table">
            <thead><tr><th scope="col">File</th><th scope="col">Signature</th><th scope="col" class="num">Size</th><th scope="col">SHA-256</th></tr></thead>
            <tbody>
              ${entries.map(
                (e) => html`<tr>
                  <th scope="row" data-label="File"><a href=${e.url} download=${e.file}>${e.file}</a></th>
                  <td data-label="Signature"><a href=${e.sigUrl} download=${e.sigFile}>${e.sigFile}</a></td>
                  <td data-label="Size" class="num">${humanSize(e.size)}</td>
                  <td data-label="SHA-256"><code class="break small">${e.sha256}</code></td>
                </tr>`,
              )}
            </tbody>
          </table>
        </div>
        <p class="small muted">Check each file with <code>openssl dgst -sha256 -verify spectro_public_key.pem -signature FILE.sig.bin FILE</code>; see <a href="/verify">Bundle Verification Instructions</a>.</p>
      </section>`,
    200,
    // "Download Bundle" starts the archive at once, without JavaScript, while this page stays open.
    action === "download" ? { Refresh: `0; url=${view.links["bundle.tar"]}` } : {},
  );
}

downloadPageRoutes.get("/", (c) => choosePage(c, c.req.query()));

downloadPageRoutes.post("/", limitBody(FORM_BODY_BYTES), async (c) => {
  const form = await parseForm(c);
  const raw = Object.fromEntries(Object.entries(form).filter((e): e is [string, string] => typeof e[1] === "string"));
  const action = raw.action === "urls" ? "urls" : "download";
  try {
    const issued = await issueGrant(c, {
      selection: parseParams(raw),
      captchaToken: raw["cf-turnstile-response"] || raw["g-recaptcha-response"] || undefined,
      scope: "grants:create",
    });
    return resultPage(c, issued, action);
  } catch (err) {
    if (err instanceof ApiError) return choosePage(c, raw, err);
    throw err;
  }
});
