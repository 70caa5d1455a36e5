// The wizard's first steps: product, version, use case and cloud. Each is a GET form to
// /bundle/next, which applies the choice and redirects to the next step's canonical URL.
import { html } from "htm/preact";
import type { Product, WizardState } from "../../../worker/catalog/types";
import { USE_CASES, type UseCase } from "../../../worker/domain/vocabulary";
import { CLOUD_LABELS, USE_CASE_LABELS } from "../../lib/format";
import { stateQuery, type StepId } from "../../lib/wizard";
import { HiddenInputs, Notice } from "../../components/ui";
import { WizardFrame } from "./frame";

/** The state a step's form carries besides the control it asks for. */
function carried(state: WizardState, without: (keyof WizardState)[]): Record<string, string | undefined> {
  const params = new URLSearchParams(stateQuery(state));
  for (const key of without) params.delete(key);
  return Object.fromEntries(params);
}

function StepForm({
  from,
  state,
  without,
  children,
  next = "Next Step",
}: {
  from: StepId;
  state: WizardState;
  without: (keyof WizardState)[];
  children: unknown;
  next?: string;
}) {
  return html`<form method="get" action="/bundle/next" class="card">
    <input type="hidden" name="from" value=${from} />
    <${HiddenInputs} values=${carried(state, without)} />
    ${children}
    <div class="actions">
      <button type="submit" name="go" value="next">${next}</button>
    </div>
  </form>`;
}

export const AGENT_NOTICE = "Agent mode binaries cannot be downloaded at this time.";

export function ProductStep({ state, products }: { state: WizardState; products: Product[] }) {
  return html`<${WizardFrame} state=${state} current="product" title="Select Product">
    <div class="page-head"><p class="eyebrow">Build bundle</p><h1>Select Product</h1><p>Which self-hosted product will the bundle be used with?</p></div>
    <${StepForm} from="product" state=${state} without=${["product"]}>
      ${state.product ? html`<input type="hidden" name="previous" value=${state.product} />` : null}
      <fieldset>
        <legend>Product</legend>
        <div class="choices">
          ${products.map(
            (p) => html`<label class="choice">
              <input type="radio" name="product" value=${p.id} checked=${state.product === p.id} required />
              <span><strong>${p.applianceName}</strong><span class="muted">${p.name}${p.fips ? ", FIPS-compliant packs only" : ""}</span></span>
            </label>`,
          )}
        </div>
      </fieldset>
    <//>
    <section class="card" aria-labelledby="import-title">
      <h2 id="import-title">Import a bundle spec</h2>
      <p class="muted">Restore a bundle exported earlier as JSON (Export bundle spec on the Confirm step).</p>
      <form class="inline-form" method="post" action="/bundle/import" enctype="multipart/form-data">
        <div class="field">
          <label for="spec-file">Bundle spec file</label>
          <input id="spec-file" type="file" name="spec" accept=".json,application/json" required />
        </div>
        <button type="submit" class="secondary">Import</button>
      </form>
    </section>
  <//>`;
}

export function VersionStep({ state, product }: { state: WizardState; product: Product }) {
  return html`<${WizardFrame} state=${state} current="version" title="Current Version">
    <div class="page-head"><p class="eyebrow">${product.applianceName}</p><h1>Current Version</h1><p>Select the version of ${product.name} you want to install.</p></div>
    <${StepForm} from="version" state=${state} without=${["version"]}>
      <div class="field">
        <label for="version">${product.name} version</label>
        <select id="version" name="version" required>
          ${product.versions.map((v) => html`<option value=${v.version} selected=${state.version === v.version}>${v.version}</option>`)}
        </select>
      </div>
    <//>
  <//>`;
}

/** What each use case downloads; its title is USE_CASE_LABELS'. */
const USE_CASE_TEXT: Record<UseCase, string> = {
  controller:
    "Download specific component packs for provisioning CAPI-based clusters on public clouds or data centers.",
  agent: "Get required packages for deploying Kubernetes at remote edge locations. Edge Native is assumed.",
  addon: "Download supplementary tools and features to enhance your clusters.",
};

export function UseCaseStep({ state }: { state: WizardState }) {
  return html`<${WizardFrame} state=${state} current="use-case" title="Use case">
    <div class="page-head"><p class="eyebrow">Build bundle</p><h1>Use case</h1><p>The use case you select determines the options presented to you.</p></div>
    <${StepForm} from="use-case" state=${state} without=${["useCase"]}>
      <fieldset>
        <legend>Use case</legend>
        <div class="choices wide">
          ${USE_CASES.map(
            (id) => html`<label class="choice">
              <input type="radio" name="useCase" value=${id} checked=${state.useCase === id} required />
              <span><strong>${USE_CASE_LABELS[id]}</strong><span class="muted">${USE_CASE_TEXT[id]}</span></span>
            </label>`,
          )}
        </div>
      </fieldset>
      <p class="small muted">${AGENT_NOTICE}</p>
    <//>
  <//>`;
}

const CLOUD_GROUPS = [
  { title: "Public clouds", clouds: ["aws", "gcp", "azure"] },
  { title: "Data centers", clouds: ["maas", "openstack", "vsphere"] },
] as const;

export function CloudStep({ state }: { state: WizardState }) {
  return html`<${WizardFrame} state=${state} current="cloud" title="Cloud type">
    <div class="page-head"><p class="eyebrow">Controller mode</p><h1>Cloud type</h1><p>Select the cloud type to deploy your cluster on.</p></div>
    <${StepForm} from="cloud" state=${state} without=${["cloud"]}>
      ${CLOUD_GROUPS.map(
        (group) => html`<fieldset>
          <legend>${group.title}</legend>
          <div class="choices">
            ${group.clouds.map(
              (cloud) => html`<label class="choice">
                <input type="radio" name="cloud" value=${cloud} checked=${state.cloud === cloud} required />
                <span><strong>${CLOUD_LABELS[cloud]}</strong></span>
              </label>`,
            )}
          </div>
        </fieldset>`,
      )}
    <//>
  <//>`;
}

export function AgentNotice() {
  return html`<${Notice} kind="warn"><p>${AGENT_NOTICE}</p><//>`;
}
