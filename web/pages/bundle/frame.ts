// The wizard's frame: the left menu listing every step (links back to any reachable step, the
// current one marked with aria-current) beside the step's content; and the notice a shared link
// gets when it names pack versions the catalog no longer publishes.
import type { MissingPack } from "../../../worker/catalog/types";
import { yankWords } from "../../../worker/domain/yank-words";
import type { ComponentChildren } from "preact";
import { html } from "htm/preact";
import { packRefId } from "../../../worker/domain/vocabulary";
import type { Island } from "../../components/layout";
import { Head } from "../../components/layout";
import { Notice } from "../../components/ui";
import { label, USE_CASE_LABELS } from "../../lib/format";
import { reachable, stepHref, stepsFor, withoutPacks, type StepId } from "../../lib/wizard";
import type { WizardState } from "../../../worker/catalog/types";

type FrameProps = {
  state: WizardState;
  current: StepId;
  title: string;
  children: ComponentChildren;
  islands?: Island[];
};

function StepLink({ state, id, title, current }: { state: WizardState; id: StepId; title: string; current: StepId }) {
  if (!reachable(id, state)) return html`<span aria-disabled="true">${title}</span>`;
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
  return html`<${Head} title=${`${title} · Build bundle`} islands=${islands} />
    <div class="with-sidebar">
      <${StepMenu} state=${state} current=${current} />
      <div class="wizard-body">${children}</div>
    </div>`;
}

/**
 * A shared link may name pack versions yanked or removed since: the step still renders, says which,
 * and offers a plain link to the same step with the same bundle minus them (works without JS).
 */
export function MissingPacksNotice({
  state,
  missing,
  step,
  extra,
}: {
  state: WizardState;
  missing: readonly MissingPack[];
  step: StepId;
  extra?: Record<string, string | undefined>;
}) {
  if (!missing.length) return null;
  const one = missing.length === 1;
  return html`<${Notice} kind="warn">
    <p><strong>${one ? "A pack in this bundle is" : `${missing.length} packs in this bundle are`} no longer available.</strong></p>
    <ul class="missing-packs">
      ${missing.map((ref) => html`<li data-missing=${packRefId(ref)}>${ref.name} ${ref.version} ${ref.yank ? `was ${yankWords(ref.yank)}` : "is no longer published (removed from the catalog)"}</li>`)}
    </ul>
    <p><a class="button secondary small" href=${stepHref(step, withoutPacks(state, missing), extra)}>Continue without ${one ? "it" : "them"}</a></p>
  <//>`;
}
