// The wizard's frame: the left menu listing every step (links back to any reachable step, the
// current one marked with aria-current) beside the step's content.
import type { ComponentChildren } from "preact";
import { html } from "htm/preact";
import type { Island } from "../../components/layout";
import { Layout } from "../../components/layout";
import { label, USE_CASE_LABELS } from "../../lib/format";
import { reachable, stepHref, stepsFor, type StepId, type WizardState } from "../../lib/wizard";

type FrameProps = { state: WizardState; current: StepId; title: string; children: ComponentChildren; islands?: Island[] };

function StepLink({ state, id, title, current }: { state: WizardState; id: StepId; title: string; current: StepId }) {
  const canGo = reachable(id, state) && (id !== "download" || state.packs.length > 0);
  if (!canGo) return html`<span aria-disabled="true">${title}</span>`;
  return html`<a href=${stepHref(id, state)} aria-current=${id === current ? "step" : undefined}>${title}</a>`;
}

export function StepMenu({ state, current }: { state: WizardState; current: StepId }) {
  const steps = stepsFor(state.useCase);
  const firstLayer = steps.find((s) => s.layerStep);
  const multiLayer = steps.filter((s) => s.layerStep).length > 1;
  return html`<nav class="sidebar" aria-label="Bundle steps">
    <p class="sidebar-title">Build bundle${state.useCase ? ` · ${label(USE_CASE_LABELS, state.useCase)}` : ""}</p>
    <ol class="steps">
      ${steps.map((step) => {
        if (step.layerStep && multiLayer) {
          const heading =
            step === firstLayer
              ? html`<li><${StepLink} state=${state} id=${step.id} title="Configure bundle" current=${"-" as StepId} /></li>`
              : null;
          const isCurrent = step.id === current;
          return html`${heading}<li class=${`sub${isCurrent ? " current" : ""}`}>
              <${StepLink} state=${state} id=${step.id} title=${step.title} current=${current} />
            </li>`;
        }
        return html`<li><${StepLink} state=${state} id=${step.id} title=${step.title} current=${current} /></li>`;
      })}
    </ol>
  </nav>`;
}

export function WizardFrame({ state, current, title, children, islands }: FrameProps) {
  return html`<${Layout} title=${`${title} · Build bundle`} islands=${islands}>
    <div class="with-sidebar">
      <${StepMenu} state=${state} current=${current} />
      <div class="wizard-body">${children}</div>
    </div>
  <//>`;
}
