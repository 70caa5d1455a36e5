// The bundle wizard's state and step order. All state lives in the query string (product,
// version, useCase, cloud, arch, fips, packs), so a URL restores a bundle exactly (the route parses
// it with catalog/filters' parseWizardState); these pure functions say which steps a use case
// takes and build the canonical URLs.
import { type Layer, LAYERS, type PackRef, packRefId, parseRef, type UseCase } from "../../worker/domain/vocabulary";
import type { WizardState } from "../../worker/catalog/types";
import { LAYER_LABELS, queryString } from "./format";

/** Every step a wizard form can come from or go to (the /bundle/next `from` parameter takes these). */
export const STEP_IDS = ["product", "version", "use-case", "cloud", ...LAYERS, "review", "confirm"] as const;
export type StepId = (typeof STEP_IDS)[number];

export type Step = { id: StepId; title: string; path: string; layerStep?: boolean };

export const isLayerStep = (id: string): id is Layer => (LAYERS as readonly string[]).includes(id);

/** The steps a bundle for this use case goes through, in order. */
export function stepsFor(useCase: UseCase | undefined): Step[] {
  const start: Step[] = [
    { id: "product", title: "Select Product", path: "/bundle/product" },
    { id: "version", title: "Current Version", path: "/bundle/version" },
    { id: "use-case", title: "Use case", path: "/bundle/use-case" },
  ];
  const layer = (id: Layer, title = LAYER_LABELS[id]): Step => ({
    id,
    title,
    path: `/bundle/layers/${id}`,
    layerStep: true,
  });
  // Confirm carries the download itself (captcha, Download Bundle, Copy all URLs), as the docs say.
  const end: Step[] = [{ id: "confirm", title: "Confirm", path: "/bundle/confirm" }];
  const review: Step = { id: "review", title: "Review", path: "/bundle/review" };
  if (useCase === "addon") return [...start, layer("addon", "Configure bundle"), ...end];
  const layers = LAYERS.map((id) => layer(id));
  if (useCase === "agent") return [...start, ...layers, review, ...end];
  return [...start, { id: "cloud", title: "Cloud type", path: "/bundle/cloud" }, ...layers, review, ...end];
}

/** The first step whose input is still missing; a step further on cannot be shown before it. */
export function firstMissingStep(state: WizardState): StepId | undefined {
  if (!state.product) return "product";
  if (!state.version) return "version";
  if (!state.useCase) return "use-case";
  if (state.useCase === "controller" && !state.cloud) return "cloud";
  return undefined;
}

/** Whether a step can be shown for this state (its earlier inputs are all present). */
export function reachable(step: StepId, state: WizardState): boolean {
  const steps = stepsFor(state.useCase);
  const missing = firstMissingStep(state);
  if (!missing) return true;
  const at = steps.findIndex((s) => s.id === step);
  const gate = steps.findIndex((s) => s.id === missing);
  return at !== -1 && at <= gate;
}

/** The state as the query string every wizard link carries; cloud only where it means something. */
export function stateQuery(state: WizardState, extra: Record<string, string | undefined> = {}): string {
  return queryString({
    product: state.product,
    version: state.version,
    useCase: state.useCase,
    cloud: state.useCase === "controller" ? state.cloud : undefined,
    arch: state.arch,
    fips: state.fips === undefined ? undefined : String(state.fips),
    packs: state.packs.map(packRefId).join(","),
    ...extra,
  });
}

export function stepHref(step: StepId, state: WizardState, extra: Record<string, string | undefined> = {}): string {
  const found = stepsFor(state.useCase).find((s) => s.id === step) ?? stepsFor(undefined).find((s) => s.id === step);
  return `${found?.path ?? "/bundle/product"}${stateQuery(state, extra)}`;
}

/** The step after (or before) `from` for this state. */
export function adjacentStep(from: StepId, state: WizardState, direction: 1 | -1): StepId {
  const steps = stepsFor(state.useCase);
  const at = steps.findIndex((s) => s.id === from);
  const target = steps[Math.min(Math.max(at + direction, 0), steps.length - 1)];
  return target?.id ?? "product";
}

/**
 * A layer form's submission applied to the chosen packs: packs the form showed are removed unless
 * picked, picks are added. Packs on other layers, or on other pages of a search, stay as they were.
 */
export function applyPicks(
  chosen: readonly PackRef[],
  shown: readonly PackRef[],
  picked: readonly PackRef[],
): PackRef[] {
  const shownKeys = new Set(shown.map(packRefId));
  const pickedKeys = new Set(picked.map(packRefId));
  // Earlier choices keep their place, so the bundle's order is the order things were chosen in.
  const out = chosen.filter((p) => !shownKeys.has(packRefId(p)) || pickedKeys.has(packRefId(p)));
  for (const pick of picked) if (!out.some((p) => packRefId(p) === packRefId(pick))) out.push(pick);
  return out;
}

/** "a@1,b@2" into refs, leaving out anything that is not name@version (form noise, not state). */
export function parseRefList(text: string | undefined): PackRef[] {
  if (!text) return [];
  return text
    .split(",")
    .map((item) => parseRef(item.trim()))
    .filter((ref) => ref !== undefined);
}

export const removePack = (state: WizardState, ref: PackRef): WizardState => ({
  ...state,
  packs: state.packs.filter((p) => packRefId(p) !== packRefId(ref)),
});

/** The same bundle without `refs` (e.g. the packs a shared link names that are no longer published). */
export function withoutPacks(state: WizardState, refs: readonly PackRef[]): WizardState {
  const drop = new Set(refs.map(packRefId));
  return { ...state, packs: state.packs.filter((p) => !drop.has(packRefId(p))) };
}
