// Upgrade a site: say what it runs today (paste a bundle link, import a bundle spec, or choose a
// product version and its packs), pick a target version, and read the plan as a diff table
// (upgraded, removed, kept, installers) with "Download upgrade" for only the new files and the
// result as a bundle link and spec. Every form is a plain GET (the spec import a POST), so the page
// works without JavaScript; the copy island only adds Copy buttons.
import { html } from "htm/preact";
import type { BundleSpec, Product, UpgradePlan, WizardState } from "../../worker/catalog/types";
import { CLOUDS, compareVersions, type Layer, packRefId, USE_CASES } from "../../worker/domain/vocabulary";
import { Head } from "../components/layout";
import { CopyButton, FileName, HiddenInputs, Notice, PageHead } from "../components/ui";
import {
  ARCH_LABELS,
  CLOUD_LABELS,
  humanSize,
  INSTALLER_LABELS,
  label,
  LAYER_LABELS,
  layerPack,
  USE_CASE_LABELS,
} from "../lib/format";
import {
  type CaptchaView,
  captchaThen,
  DownloadControls,
  type DownloadOutcome,
  DownloadOutput,
} from "../components/download-controls";
import { guidesAfter } from "../lib/guides";
import type { UpgradeLinks } from "../lib/upgrade-links";
import { stateQuery, stepHref } from "../lib/wizard";

export type UpgradePageProps = {
  products: Product[];
  /** What the site runs today, once known. */
  site?: BundleSpec;
  target?: string;
  plan?: UpgradePlan;
  links?: UpgradeLinks;
  /** The raw query, to refill the forms after an error. */
  raw: Record<string, string>;
  error?: { message: string; details?: { field?: string; message: string }[] };
  /** The captcha the download form shows, and what its POST gave. */
  captcha: CaptchaView;
  outcome?: DownloadOutcome;
};

const layerLabel = (layer: Layer | null) => (layer ? LAYER_LABELS[layer] : "Unknown");
const ONE_PACK_LAYERS: Layer[] = ["os", "k8s", "cni", "csi"];

function LinkForm({ raw }: { raw: Record<string, string> }) {
  return html`<section class="card stack" aria-labelledby="from-link">
    <h3 id="from-link">Paste a bundle link</h3>
    <p class="small muted">The link from the bundle wizard's Confirm step (or from an earlier upgrade plan).</p>
    <form method="get" action="/upgrade" class="stack">
      <div class="field">
        <label for="link">Bundle link</label>
        <input id="link" name="link" type="text" inputmode="url" class="mono" value=${raw.link ?? ""} required />
      </div>
      <div class="actions"><button type="submit">Use this link</button></div>
    </form>
  </section>`;
}

function ImportForm() {
  return html`<section class="card stack" aria-labelledby="from-spec">
    <h3 id="from-spec">Import a bundle spec</h3>
    <p class="small muted">The JSON file the wizard exports with <em>Export bundle spec (JSON)</em>.</p>
    <form method="post" action="/bundle/import" enctype="multipart/form-data" class="stack">
      <input type="hidden" name="then" value="upgrade" />
      <div class="field">
        <label for="spec-file">Bundle spec file</label>
        <input id="spec-file" name="spec" type="file" accept="application/json,.json" required />
      </div>
      <div class="actions"><button type="submit" class="secondary">Import spec</button></div>
    </form>
  </section>`;
}

function ChooseForm({ products, raw }: { products: Product[]; raw: Record<string, string> }) {
  const versions = [...new Set(products.flatMap((p) => p.versions.map((v) => v.version)))].sort(
    (a, b) => -compareVersions(a, b),
  );
  return html`<section class="card stack" aria-labelledby="from-choice">
    <h3 id="from-choice">Choose a version and its packs</h3>
    <p class="small muted">Or build the bundle in the <a href="/bundle/product">bundle wizard</a> and use <em>Plan an upgrade</em> on its Confirm step.</p>
    <form method="get" action="/upgrade#target" class="stack">
      <div class="field">
        <label for="site-product">Product</label>
        <select id="site-product" name="product">
          ${products.map((p) => html`<option value=${p.id} selected=${raw.product === p.id}>${p.name}</option>`)}
        </select>
      </div>
      <div class="field">
        <label for="site-version">Version the site runs</label>
        <select id="site-version" name="version">
          ${versions.map((v) => html`<option value=${v} selected=${raw.version === v}>${v}</option>`)}
        </select>
      </div>
      <div class="field">
        <label for="site-use-case">Use case</label>
        <select id="site-use-case" name="useCase">
          ${USE_CASES.map((u) => html`<option value=${u} selected=${raw.useCase === u}>${USE_CASE_LABELS[u]}</option>`)}
        </select>
      </div>
      <div class="field">
        <label for="site-cloud">Cloud type</label>
        <select id="site-cloud" name="cloud">
          <option value="">Not set</option>
          ${CLOUDS.map((cl) => html`<option value=${cl} selected=${raw.cloud === cl}>${CLOUD_LABELS[cl]}</option>`)}
        </select>
      </div>
      <div class="field">
        <label for="site-packs">Packs (name@version, separated by commas or new lines)</label>
        <textarea id="site-packs" name="packs" rows="4" class="mono" aria-describedby="site-packs-hint">${raw.packs ?? ""}</textarea>
        <p id="site-packs-hint" class="small muted">For example <code>kubernetes@1.30.6, cni-calico@3.27.4</code>.</p>
      </div>
      <div class="actions"><button type="submit">Continue</button></div>
    </form>
  </section>`;
}

function SiteSummary({ site, productName }: { site: BundleSpec; productName: string }) {
  const state: WizardState = { ...site };
  return html`<section class="card stack" aria-labelledby="site-title">
    <div class="card-head">
      <h2 id="site-title">The site today</h2>
      <span class="actions">
        <a class="button secondary small" href=${stepHref("review", state)}>Change in the wizard</a>
        <a class="button secondary small" href="/upgrade">Start over</a>
      </span>
    </div>
    <dl class="summary">
      <dt>Product</dt><dd>${productName} ${site.version}</dd>
      <dt>Use case</dt><dd>${label(USE_CASE_LABELS, site.useCase)}</dd>
      <dt>Cloud type</dt><dd>${site.cloud ? label(CLOUD_LABELS, site.cloud) : "Not set"}</dd>
      <dt>Architecture</dt><dd>${site.arch ? label(ARCH_LABELS, site.arch) : "Any"}</dd>
      <dt>Packs</dt><dd>${site.packs.length ? site.packs.map(packRefId).join(", ") : "None"}</dd>
    </dl>
  </section>`;
}

function TargetForm({ site, product, target }: { site: BundleSpec; product: Product; target?: string }) {
  const newer = product.versions.filter((v) => compareVersions(v.version, site.version) >= 0);
  const chosen = target ?? newer[0]?.version;
  return html`<form method="get" action="/upgrade#plan-title" class="card inline-form" aria-labelledby="target-title">
    <h2 id="target-title" class="visually-hidden">Target version</h2>
    <${HiddenInputs} values=${Object.fromEntries(new URLSearchParams(stateQuery({ ...site })))} />
    <div class="field">
      <label for="target">Upgrade to ${product.name}</label>
      <select id="target" name="target">
        ${newer.map(
          (v) =>
            html`<option value=${v.version} selected=${v.version === chosen}>${v.version}${v.version === site.version ? " (the version it runs)" : ""}</option>`,
        )}
      </select>
    </div>
    <button type="submit">Plan upgrade</button>
  </form>`;
}

function Reasons({ reasons }: { reasons: string[] }) {
  return html`<span class="reasons">${reasons.join("; ")}</span>`;
}

function UpgradedTable({ plan }: { plan: UpgradePlan }) {
  return html`<section class="stack" aria-labelledby="upgraded-title">
    <h3 id="upgraded-title">Upgraded (${plan.upgraded.length})</h3>
    ${
      plan.upgraded.length
        ? html`<div class="table-wrap"><table class="responsive-table">
          <caption class="visually-hidden">Packs upgraded to a version that fits ${plan.product.name} ${plan.to}</caption>
          <thead><tr><th scope="col">Layer</th><th scope="col">Pack</th><th scope="col">From</th><th scope="col">To</th><th scope="col">Why</th></tr></thead>
          <tbody>${plan.upgraded.map(
            (u) => html`<tr>
              <td data-label="Layer">${layerLabel(u.layer)}</td>
              <th scope="row" data-label="Pack">${u.displayName}<br /><code class="small muted">${u.name}</code></th>
              <td data-label="From">${u.from}<br /><span class="small"><${Reasons} reasons=${u.reasons} /></span></td>
              <td data-label="To"><span class="badge ok">${u.to}</span><br /><${FileName} name=${u.fileName} class="small muted" /></td>
              <td data-label="Why">${u.why}</td>
            </tr>`,
          )}</tbody>
        </table></div>`
        : html`<p class="muted">No pack needs a new version.</p>`
    }
  </section>`;
}

function RemovedTable({ plan, links }: { plan: UpgradePlan; links?: UpgradeLinks }) {
  const result: WizardState = { ...plan.result };
  return html`<section class="stack" aria-labelledby="removed-title">
    <h3 id="removed-title">Removed (${plan.removed.length})</h3>
    ${
      plan.removed.length
        ? html`<div class="table-wrap"><table class="responsive-table">
          <caption class="visually-hidden">Packs no longer offered for ${plan.product.name} ${plan.to}, with the reason</caption>
          <thead><tr><th scope="col">Layer</th><th scope="col">Pack</th><th scope="col">Version</th><th scope="col">Why</th></tr></thead>
          <tbody>${plan.removed.map(
            (r) => html`<tr>
              <td data-label="Layer">${layerLabel(r.layer)}</td>
              <th scope="row" data-label="Pack">${r.displayName}<br /><code class="small muted">${r.name}</code></th>
              <td data-label="Version"><span class="badge warn">${r.version}</span></td>
              <td data-label="Why"><${Reasons} reasons=${r.reasons} />${
                r.layer && ONE_PACK_LAYERS.includes(r.layer) && links
                  ? html`<br /><a href=${stepHref(r.layer, result)}>Choose another ${layerPack(r.layer)}</a>`
                  : null
              }</td>
            </tr>`,
          )}</tbody>
        </table></div>`
        : html`<p class="muted">Every pack stays.</p>`
    }
  </section>`;
}

function KeptTable({ plan }: { plan: UpgradePlan }) {
  return html`<section class="stack" aria-labelledby="kept-title">
    <h3 id="kept-title">Kept (${plan.kept.length})</h3>
    ${
      plan.kept.length
        ? html`<div class="table-wrap"><table class="responsive-table">
          <caption class="visually-hidden">Packs whose version still fits ${plan.product.name} ${plan.to}; the site has them</caption>
          <thead><tr><th scope="col">Layer</th><th scope="col">Pack</th><th scope="col">Version</th><th scope="col">File</th></tr></thead>
          <tbody>${plan.kept.map(
            (k) => html`<tr>
              <td data-label="Layer">${layerLabel(k.layer)}</td>
              <th scope="row" data-label="Pack">${k.displayName}<br /><code class="small muted">${k.name}</code></th>
              <td data-label="Version">${k.version}</td>
              <td data-label="File"><${FileName} name=${k.fileName} class="small" /> <span class="small muted">already on site</span></td>
            </tr>`,
          )}</tbody>
        </table></div>`
        : html`<p class="muted">No pack stays as it is.</p>`
    }
  </section>`;
}

function InstallersTable({ plan }: { plan: UpgradePlan }) {
  return html`<section class="stack" aria-labelledby="installers-title">
    <h3 id="installers-title">Installers of ${plan.product.name} ${plan.to}</h3>
    ${
      plan.installers.length
        ? html`<div class="table-wrap"><table class="responsive-table">
          <caption class="visually-hidden">The target version's installers</caption>
          <thead><tr><th scope="col">Installer</th><th scope="col">File</th><th scope="col" class="num">Size</th><th scope="col">Status</th></tr></thead>
          <tbody>${plan.installers.map(
            (i) => html`<tr>
              <th scope="row" data-label="Installer">${label(INSTALLER_LABELS, i.kind)}</th>
              <td data-label="File"><${FileName} name=${i.file} class="small" /><br /><span class="small muted">+ <code>${i.sigFile}</code></span></td>
              <td data-label="Size" class="num">${humanSize(i.size)}</td>
              <td data-label="Status">${i.onSite ? html`<span class="badge">Already on site</span>` : html`<span class="badge ok">New</span>`}</td>
            </tr>`,
          )}</tbody>
        </table></div>`
        : html`<p class="muted">This version has no published installers.</p>`
    }
  </section>`;
}

/** What the plan's views render: the plan, its links, the captcha and the outcome of a download post. */
type PlanProps = { plan: UpgradePlan; links: UpgradeLinks; captcha: CaptchaView; outcome?: DownloadOutcome };

function DownloadCard({ plan, links, captcha, outcome }: PlanProps) {
  const { fileCount, totalBytes } = plan.download;
  if (!links.download)
    return html`<section class="card stack" aria-labelledby="download-title" id="download">
      <h2 id="download-title">Download upgrade</h2>
      <${Notice} kind="ok"><p>Nothing to download: the site already has every file of this plan.</p><//>
    </section>`;
  return html`<form method="post" action=${links.download.replace(/^https?:\/\/[^/]+/, "").replace(/#download$/, "")} class="card stack download-form" id="download" aria-labelledby="download-title">
    <h2 id="download-title">Download upgrade</h2>
    <p>Only what the site does not have yet: ${fileCount} ${fileCount === 1 ? "file" : "files"}, ${humanSize(totalBytes)} with signatures. ${captchaThen(captcha)} <strong>Download Bundle</strong>, or <strong>Copy all URLs</strong> to fetch them later, for example with <code>curl</code>.</p>
    <${DownloadControls} captcha=${captcha} />
    <${DownloadOutput} outcome=${outcome} guides=${guidesAfter("packs", plan.product.id)} />
  </form>`;
}

function ResultCard({ plan, links }: { plan: UpgradePlan; links: UpgradeLinks }) {
  return html`<section class="card stack" aria-labelledby="result-title">
    <h2 id="result-title">After the upgrade</h2>
    <p class="small muted">The site's new bundle: ${plan.product.name} ${plan.to} with ${plan.result.packs.length} pack${plan.result.packs.length === 1 ? "" : "s"}. Keep its link or spec for the next upgrade.</p>
    <div class="inline-form">
      <div class="field grow">
        <label for="result-link">Bundle link after the upgrade</label>
        <input id="result-link" type="text" readonly value=${links.bundle} class="mono" />
      </div>
      <${CopyButton} text=${links.bundle} what="bundle link after the upgrade" />
    </div>
    <div class="actions">
      <a class="button secondary" href=${links.spec} download>Export bundle spec (JSON)</a>
      <a class="button secondary" href=${links.nextUpgrade}>Plan the next upgrade from here</a>
    </div>
  </section>`;
}

function PlanView({ plan, links, captcha, outcome }: PlanProps) {
  return html`<section class="stack" aria-labelledby="plan-title">
    <h2 id="plan-title" tabindex="-1">Upgrade plan: ${plan.product.name} ${plan.from} → ${plan.to}</h2>
    <p>${plan.upgraded.length} upgraded · ${plan.removed.length} removed · ${plan.kept.length} kept · ${plan.installers.filter((i) => !i.onSite).length} new installers. Layer by layer, each pack keeps its version if that version still fits, or moves to the newest version that fits.</p>
    <${UpgradedTable} plan=${plan} />
    <${RemovedTable} plan=${plan} links=${links} />
    <${KeptTable} plan=${plan} />
    <${InstallersTable} plan=${plan} />
    <${DownloadCard} plan=${plan} links=${links} captcha=${captcha} outcome=${outcome} />
    <${ResultCard} plan=${plan} links=${links} />
    <p class="small muted">This plan's link: <a class="break" href=${links.page}>${links.page.replace(/^https?:\/\/[^/]+/, "")}</a></p>
  </section>`;
}

export function UpgradePage({ products, site, target, plan, links, raw, error, captcha, outcome }: UpgradePageProps) {
  const product = site ? products.find((p) => p.id === site.product) : undefined;
  return html`<${Head} title="Upgrade a site" islands=${plan ? ["copy", "download"] : []} />
    <${PageHead} eyebrow="Upgrade" title="Upgrade a site">Say what the site runs today and pick the version to move to. The plan shows, layer by layer, which packs stay, which move to a new version and which go, and downloads only the files the site does not have.<//>
    <div class="stack">
    ${
      error
        ? html`<${Notice} kind="error"><p>${error.message}</p>${
            error.details && error.details.length > 1
              ? html`<ul>${error.details.map((d) => html`<li>${d.field ? html`<code>${d.field}</code>: ` : null}${d.message}</li>`)}</ul>`
              : null
          }<//>`
        : null
    }
    ${
      site && product
        ? html`<div class="stack">
            <${SiteSummary} site=${site} productName=${product.name} />
            <${TargetForm} site=${site} product=${product} target=${target} />
          </div>`
        : html`<section class="stack" aria-labelledby="today-title">
          <h2 id="today-title">What does the site run today?</h2>
          <div class="areas">
            <${LinkForm} raw=${raw} />
            <${ImportForm} />
            <${ChooseForm} products=${products} raw=${raw} />
          </div>
        </section>`
    }
    ${plan && links ? html`<${PlanView} plan=${plan} links=${links} captcha=${captcha} outcome=${outcome} />` : null}
    </div>`;
}
