// Install a product: the version drop-down with "Show Artifacts" (a GET form), then the chosen
// version's content bundle, ISO and Helm chart with sizes, checksums and signatures, in one form with
// the captcha: a row's Download, Download Bundle (all) and Copy all URLs post back to this page.
import { html } from "htm/preact";
import type { Installers, Product } from "../../worker/catalog/types";
import { humanSize, INSTALLER_LABELS, label } from "../lib/format";
import { Breadcrumbs, Head } from "../components/layout";
import {
  type CaptchaView,
  captchaThen,
  DownloadControls,
  type DownloadOutcome,
  DownloadOutput,
} from "../components/download-controls";
import { FileName, Notice, Sha256 } from "../components/ui";
import { GUIDES, guidesAfter } from "../lib/guides";

// The VerteX documentation words the ISO row differently; keep each product's own wording.
const useCaseText = (productId: string, a: Installers["artifacts"][number]) =>
  productId === "palette-vertex" && a.kind === "iso"
    ? "Used for installation from ISO device in a virtual machine, edge device, or bare-metal."
    : a.useCase;

type Props = {
  product: Product;
  installers?: Installers;
  captcha: CaptchaView;
  /** What the download form's POST gave. */
  outcome?: DownloadOutcome;
};

function ArtifactTable({ installers, canDownload }: { installers: Installers; canDownload: boolean }) {
  return html`<div class="table-wrap">
    <table class="responsive-table">
      <caption class="visually-hidden">${installers.product.name} ${installers.version.version} installers</caption>
      <thead>
        <tr>
          <th scope="col">Download option</th>
          <th scope="col">Use case</th>
          <th scope="col">File</th>
          <th scope="col">Size</th>
          <th scope="col"><span class="visually-hidden">Action</span></th>
        </tr>
      </thead>
      <tbody>
        ${installers.artifacts.map(
          (a) => html`<tr>
            <th scope="row" data-label="Option">${label(INSTALLER_LABELS, a.kind)}</th>
            <td data-label="Use case">${useCaseText(installers.product.id, a)}${a.kind !== "helm-chart" ? html` A signature file (<code>${a.signatureFileName}</code>) is included.` : null}</td>
            <td data-label="File" class="file-cell">
              <${FileName} name=${a.fileName} />
              <span class="small muted">Signature: <code class="break">${a.signatureFileName}</code></span>
              <span class="small muted">SHA-256:</span>
              <${Sha256} value=${a.sha256} fileName=${a.fileName} />
            </td>
            <td data-label="Size" class="num">${humanSize(a.size)}</td>
            <td>
              <button type="submit" name="action" value="file" data-kind=${a.kind} data-download-action class="small" aria-label=${`Download ${a.fileName}`} disabled=${!canDownload}>Download</button>
            </td>
          </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}

export function InstallPage({ product, installers, captcha, outcome }: Props) {
  // A version whose installers were all withdrawn is not offered in the list; asked for by name, it says why.
  const offered = product.versions.filter((v) => !v.withdrawn);
  const selected = installers?.version.version ?? offered[0]?.version;
  const withdrawn = product.versions.find((v) => v.version === installers?.version.version)?.withdrawn;
  const guide = product.fips ? GUIDES.vertexAppliance : GUIDES.paletteAppliance;
  return html`<${Head} title=${`Install ${product.name}${installers ? ` ${installers.version.version}` : ""}`} islands=${["copy", "download"]} />
    <${Breadcrumbs} trail=${[{ href: "/", label: "Home" }, { label: `Install ${product.name}` }]} />
    <div class="page-head">
      <h1>Install ${product.name}</h1>
      <p>Select the version you need and choose Show Artifacts. Download the content bundle, the management appliance ISO or the Helm chart that suits your environment.</p>
    </div>
    <section class="card" aria-labelledby="pick-version">
      <h2 id="pick-version" class="visually-hidden">Version</h2>
      ${
        offered.length
          ? html`<form class="inline-form" method="get" action=${`/install/${product.id}`}>
            <div class="field">
              <label for="version">Version</label>
              <select id="version" name="version">
                ${offered.map((v) => html`<option value=${v.version} selected=${v.version === selected}>${v.version}</option>`)}
              </select>
            </div>
            <button type="submit">Show Artifacts</button>
          </form>`
          : product.versions.length
            ? html`<p class="muted">No version of ${product.name} is offered: the installers of every published version were withdrawn.</p>`
            : html`<p class="muted">No version of ${product.name} is published yet.</p>`
      }
    </section>
    ${
      installers
        ? html`<section class="stack section" aria-labelledby="artifacts-title">
          <h2 id="artifacts-title">${product.name} ${installers.version.version} artifacts</h2>
          ${
            installers.artifacts.length
              ? html`<form method="post" action=${`/install/${product.id}?version=${encodeURIComponent(installers.version.version)}`} class="stack download-form" id="download">
                <${ArtifactTable} installers=${installers} canDownload=${captcha.provider !== "misconfigured"} />
                <div class="card stack">
                  <p>${captchaThen(captcha)} <strong>Download</strong> one file above (it comes with its signature), <strong>Download Bundle</strong> for all of them, or <strong>Copy all URLs</strong> to fetch them later, for example with <code>curl</code>.</p>
                  <${DownloadControls} captcha=${captcha} grantBody=${JSON.stringify({ installers: { product: product.id, version: installers.version.version } })} />
                </div>
                <${DownloadOutput} outcome=${outcome} guides=${guidesAfter("installers", product.id)} />
              </form>`
              : withdrawn
                ? html`<${Notice} kind="warn"><p>This version was withdrawn: none of its installers is offered any more (${withdrawn}).</p><//>`
                : html`<${Notice} kind="warn"><p>This version has no installers yet.</p><//>`
          }
          <p class="muted small">
            Once you have the file you can deploy ${product.name} as a self-hosted application; for the ISO, see the <a href=${guide.href}>${guide.title}</a>.
            Check every download against its signature: <a href="/verify">Bundle Verification Instructions</a>.
          </p>
        </section>`
        : null
    }`;
}
