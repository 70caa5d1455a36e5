// Review (change or remove any layer's pack) and Confirm (the bundle as it will be downloaded,
// its spec export, its permalink, "Explore additional add-ons", and the download itself: the captcha,
// Download Bundle and Copy all URLs, posting back to Confirm).
import type { MissingPack } from "../../../worker/catalog/types";
import { html } from "htm/preact";
import { type Layer, LAYERS } from "../../../worker/domain/vocabulary";
import type { AssessedPack, WizardState } from "../../../worker/catalog/types";
import {
  type CaptchaView,
  captchaThen,
  DownloadControls,
  type DownloadOutcome,
  DownloadOutput,
} from "../../components/download-controls";
import { CopyButton, FileName, Notice, Sha256 } from "../../components/ui";
import { guidesAfter } from "../../lib/guides";
import {
  ARCH_LABELS,
  CLOUD_LABELS,
  humanSize,
  label,
  LAYER_LABELS,
  layerPack,
  USE_CASE_LABELS,
} from "../../lib/format";
import { removePack, stateQuery, stepHref, stepsFor, type StepId } from "../../lib/wizard";
import { MissingPacksNotice, WizardFrame } from "./frame";
import { AgentNotice } from "./start";

/** `missing`: chosen pack versions the catalog no longer publishes. */
type Props = {
  state: WizardState;
  chosen: AssessedPack[];
  missing: readonly MissingPack[];
  origin: string;
  productName?: string;
};

type ConfirmProps = Props & { captcha: CaptchaView; outcome?: DownloadOutcome };

/** What each core layer gives a cluster, said where a bundle goes without it. */
const CORE_LAYERS: { layer: Layer; why: string }[] = [
  { layer: "os", why: "the operating system image the cluster's nodes run" },
  { layer: "k8s", why: "the Kubernetes distribution that runs the cluster" },
  {
    layer: "cni",
    why: "the network plugin (CNI); without one, pods cannot reach each other and nodes never become Ready",
  },
  { layer: "csi", why: "the storage driver (CSI) that gives workloads persistent volumes" },
];

const orList = (items: string[]) =>
  items.length > 1 ? `${items.slice(0, -1).join(", ")} or ${items.at(-1)}` : (items[0] ?? "");

/**
 * A bundle may skip a core layer (the pack may already be in the user's registry), but Review and
 * Confirm say which are missing and why that matters before anything is downloaded. Add-on only
 * bundles are parts lists and are not checked.
 */
export function MissingLayersNotice({ state, chosen }: { state: WizardState; chosen: readonly AssessedPack[] }) {
  if (state.useCase === "addon") return null;
  const missing = CORE_LAYERS.filter(({ layer }) => !chosen.some((c) => c.layer === layer));
  if (!missing.length) return null;
  return html`<${Notice} kind="warn">
    <p><strong>This bundle has no ${orList(missing.map(({ layer }) => LAYER_LABELS[layer]))} pack.</strong> That is allowed, but a cluster profile needs one pack in each of the OS, Kubernetes, network and storage layers: a cluster built from this bundle deploys only if your Palette instance already has the missing ones.</p>
    <ul data-missing-layers>
      ${missing.map(
        ({ layer, why }) =>
          html`<li data-layer=${layer}><strong>${LAYER_LABELS[layer]}</strong>: ${why}. <a href=${stepHref(layer, state)}>Choose ${layer === "os" || layer === "addon" ? "an" : "a"} ${layerPack(layer)}</a></li>`,
      )}
    </ul>
  <//>`;
}

function Status({ pack }: { pack: AssessedPack }) {
  return pack.reasons.length
    ? html`<span class="badge warn">Not compatible</span> <span class="reasons">${pack.reasons.join("; ")}</span>`
    : html`<span class="badge ok">Compatible</span>`;
}

export function ReviewStep({ state, chosen, missing }: Props) {
  const layerSteps = stepsFor(state.useCase)
    .filter((s) => s.layerStep)
    .map((s) => s.id as Layer);
  const layers = LAYERS.filter((l) => layerSteps.includes(l) || chosen.some((c) => c.layer === l));
  const problems = chosen.filter((c) => c.reasons.length);
  return html`<${WizardFrame} state=${state} current="review" title="Review" islands=${["copy"]}>
    <div class="page-head"><p class="eyebrow">Build bundle</p><h1>Review your bundle</h1><p>If any changes are needed, select the applicable layer, and add or remove packs as necessary.</p></div>
    ${state.useCase === "agent" ? html`<${AgentNotice} />` : null}
    <${MissingPacksNotice} state=${state} missing=${missing} step="review" />
    <${MissingLayersNotice} state=${state} chosen=${chosen} />
    ${problems.length ? html`<${Notice} kind="warn"><p>${problems.length} chosen pack${problems.length === 1 ? " does" : "s do"} not fit the rest of the bundle any more. Change or remove ${problems.length === 1 ? "it" : "them"}.</p><//>` : null}
    <div class="table-wrap">
      <table class="responsive-table">
        <caption class="visually-hidden">Packs in the bundle by layer</caption>
        <thead><tr><th scope="col">Layer</th><th scope="col">Pack</th><th scope="col">Size</th><th scope="col">Status</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
        <tbody>
          ${layers.flatMap((layer) => {
            const inLayer = chosen.filter((c) => c.layer === layer);
            const change = stepHref(layer as StepId, state);
            if (!inLayer.length) {
              return [
                html`<tr>
                  <th scope="row" data-label="Layer">${LAYER_LABELS[layer]}</th>
                  <td data-label="Pack" class="muted">Nothing chosen</td><td data-label="Size"></td><td data-label="Status"></td>
                  <td><a href=${change} aria-label=${`Choose ${layer === "os" || layer === "addon" ? "an" : "a"} ${layerPack(layer)}`}>Choose</a></td>
                </tr>`,
              ];
            }
            return inLayer.map(
              (pack) => html`<tr>
                <th scope="row" data-label="Layer">${LAYER_LABELS[layer]}</th>
                <td data-label="Pack"><strong>${pack.displayName}</strong> ${pack.version}<br /><${FileName} name=${pack.fileName} class="small muted" /></td>
                <td data-label="Size" class="num">${humanSize(pack.size)}</td>
                <td data-label="Status"><${Status} pack=${pack} /></td>
                <td><span class="actions">
                  <a href=${change} aria-label=${`Change ${layerPack(layer)} ${pack.displayName} ${pack.version}`}>Change</a>
                  <a href=${stepHref("review", removePack(state, pack))} aria-label=${`Remove ${pack.displayName} ${pack.version}`}>Remove</a>
                </span></td>
              </tr>`,
            );
          })}
        </tbody>
      </table>
    </div>
    <div class="selection-bar">
      <a class="button secondary" href=${stepHref("addon", state)}>Back</a>
      <span class="muted small">${chosen.length} pack${chosen.length === 1 ? "" : "s"} · ${humanSize(chosen.reduce((n, p) => n + p.size, 0))}</span>
      <a class="button" href=${stepHref("confirm", state)}>Next Step</a>
    </div>
  <//>`;
}

/** The bundle's product, use case, cloud, architecture, FIPS and size, with export and upgrade links. */
function SpecSummary({
  state,
  chosen,
  productName,
}: {
  state: WizardState;
  chosen: AssessedPack[];
  productName?: string;
}) {
  const total = chosen.reduce((n, p) => n + p.size, 0);
  return html`<section class="card" aria-labelledby="spec-title">
    <div class="card-head">
      <h2 id="spec-title">Bundle specification</h2>
      <span class="actions">
        <a class="button secondary small" href=${`/bundle/spec.json${stateQuery(state)}`} download>Export bundle spec (JSON)</a>
        <a class="button secondary small" href=${`/upgrade${stateQuery(state)}`}>Plan an upgrade</a>
      </span>
    </div>
    <dl class="summary">
      <dt>Product</dt><dd>${productName ?? state.product}</dd>
      <dt>Version</dt><dd>${state.version}</dd>
      <dt>Use case</dt><dd>${label(USE_CASE_LABELS, state.useCase)}</dd>
      <dt>Cloud type</dt><dd>${state.useCase === "agent" ? "Edge Native" : state.useCase === "addon" ? "Any" : label(CLOUD_LABELS, state.cloud)}</dd>
      <dt>Architecture</dt><dd>${state.arch ? label(ARCH_LABELS, state.arch) : "Any"}</dd>
      <dt>FIPS</dt><dd>${state.fips ? "FIPS only" : "As the product requires"}</dd>
      <dt>Contents</dt><dd>${chosen.length} pack${chosen.length === 1 ? "" : "s"}, ${humanSize(total)} (each with a .sig.bin signature)</dd>
    </dl>
  </section>`;
}

/** Every file of the bundle with its signature, checksum and size, or a notice when it is empty. */
function BundleContents({ state, chosen }: { state: WizardState; chosen: AssessedPack[] }) {
  return html`<section aria-labelledby="contents-title" class="stack">
    <div class="card-head">
      <h2 id="contents-title">Contents</h2>
      <a class="button secondary small" href=${stepHref("addon", state)}>Explore additional add-ons</a>
    </div>
    ${
      chosen.length
        ? html`<div class="table-wrap">
          <table class="responsive-table">
            <caption class="visually-hidden">Files in the bundle</caption>
            <thead><tr><th scope="col">Pack</th><th scope="col">Files</th><th scope="col">Size</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
            <tbody>
              ${chosen.map(
                (p) => html`<tr>
                  <th scope="row" data-label="Pack">${p.displayName} ${p.version}<br /><span class="small muted">${LAYER_LABELS[p.layer]}</span>${p.reasons.length ? html`<br /><${Status} pack=${p} />` : null}</th>
                  <td data-label="Files" class="file-cell">
                    <${FileName} name=${p.fileName} />
                    <span class="small muted">Signature: <code class="break">${p.signatureFileName}</code></span>
                    <span class="small muted">SHA-256:</span>
                    <${Sha256} value=${p.sha256} fileName=${p.fileName} />
                  </td>
                  <td data-label="Size" class="num">${humanSize(p.size)}</td>
                  <td><a href=${stepHref("confirm", removePack(state, p))} aria-label=${`Remove ${p.displayName} ${p.version}`}>Remove</a></td>
                </tr>`,
              )}
            </tbody>
          </table>
        </div>`
        : html`<${Notice} kind="warn"><p>The bundle is empty. <a href=${stepHref("addon", state)}>Add packs</a> first.</p><//>`
    }
  </section>`;
}

/** The bundle's permalink, to copy. */
function ShareLink({ permalink }: { permalink: string }) {
  return html`<section class="card" aria-labelledby="share-title">
    <h2 id="share-title">Share or come back later</h2>
    <p class="muted small">This link restores the bundle exactly, on any machine.</p>
    <div class="inline-form">
      <div class="field grow">
        <label for="permalink">Bundle link</label>
        <input id="permalink" type="text" readonly value=${permalink} class="mono" />
      </div>
      <${CopyButton} text=${permalink} what="bundle link" />
    </div>
  </section>`;
}

/** The captcha, Download Bundle and Copy all URLs, posting back to Confirm, and what the POST gave. */
function DownloadForm({ state, chosen, missing, captcha, outcome }: Omit<ConfirmProps, "origin" | "productName">) {
  return html`<form method="post" action=${stepHref("confirm", state)} class="card stack download-form" id="download" aria-labelledby="download-title">
    <h2 id="download-title">Download</h2>
    <p>When finished, ${captchaThen(captcha, true)} <strong>Download Bundle</strong>. Alternatively, <strong>Copy all URLs</strong> to download the files later in a way of your choosing, such as with <code>curl</code>. Each pack arrives as <code>${"<pack-name>.zst"}</code> with its <code>${"<pack-name>.sig.bin"}</code>.</p>
    <${DownloadControls}
      captcha=${captcha}
      grantBody=${JSON.stringify({ packs: chosen.map((p) => ({ name: p.name, version: p.version })) })}
      disabledReason=${missing.length ? "First continue without the packs that are no longer published." : chosen.length === 0 ? "Add packs to the bundle first." : undefined}
    />
    <${DownloadOutput} outcome=${outcome} guides=${guidesAfter("packs", state.product)} />
  </form>`;
}

export function ConfirmStep({ state, chosen, missing, origin, productName, captcha, outcome }: ConfirmProps) {
  const permalink = `${origin}${stepHref("confirm", state)}`;
  return html`<${WizardFrame} state=${state} current="confirm" title="Confirm" islands=${["copy", "download"]}>
    <div class="page-head"><p class="eyebrow">Build bundle</p><h1>Confirm your bundle</h1><p>Confirm that the bundle specifications and content are correct. To change anything, return to the applicable page using the left menu.</p></div>
    ${state.useCase === "agent" ? html`<${AgentNotice} />` : null}
    <${MissingPacksNotice} state=${state} missing=${missing} step="confirm" />
    <${MissingLayersNotice} state=${state} chosen=${chosen} />
    <div class="stack">
      <${SpecSummary} state=${state} chosen=${chosen} productName=${productName} />
      <${BundleContents} state=${state} chosen=${chosen} />
      <${ShareLink} permalink=${permalink} />
      <${DownloadForm} state=${state} chosen=${chosen} missing=${missing} captcha=${captcha} outcome=${outcome} />
    </div>
  <//>`;
}
