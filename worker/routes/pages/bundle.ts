// The bundle wizard (mounted at "/bundle"): one server-rendered page per step, the form target
// that applies a step's choice, Confirm's download form, and the bundle spec's export and import. The whole wizard state
// lives in the query string, so every step works without JavaScript and every URL can be shared.
import { explainMissing } from "../../catalog/yanks";
import { type Context, Hono } from "hono";
import { html } from "htm/preact";
import { z } from "zod";
import { bundleSpec } from "../../catalog/bundle-spec";
import { LAYERS, packRefId } from "../../domain/vocabulary";
import { assessChosenPacks, compatiblePacksTolerant } from "../../catalog/compatibility";
import { catalogEtag } from "../../catalog/generation";
import { listProducts } from "../../catalog/product-installers";
import { catalogReader, type Db } from "../../db/client";
import { badField, invalidInput } from "../../errors";
import {
  adjacentStep,
  applyPicks,
  firstMissingStep,
  isLayerStep,
  parseRefList,
  reachable,
  STEP_IDS,
  stateQuery,
  stepHref,
  type StepId,
} from "../../../web/lib/wizard";
import type { WizardState } from "../../catalog/types";
import { parseWizardState } from "../../catalog/filters";
import { LAYER_LABELS } from "../../../web/lib/format";
import { ProductStep, VersionStep, UseCaseStep, CloudStep } from "../../../web/pages/bundle/start";
import { HiddenStep, LayerStep, PACKS_PER_PAGE } from "../../../web/pages/bundle/layer";
import { ConfirmStep, ReviewStep } from "../../../web/pages/bundle/review";
import type { DownloadOutcome } from "../../../web/components/download-controls";
import { FORM_BODY_BYTES, limitBody } from "../../body-limit";
import { captchaView, formFields, postDownload, postedPage } from "../download-forms";
import { htmlErrorHandler, parseForm, parseOrThrow, parsePicks, queryOf, type PagesEnv } from "../html";

export const wizardRoutes = new Hono<PagesEnv>();

wizardRoutes.onError(htmlErrorHandler);

function wizardState(url: string): WizardState {
  const parsed = parseWizardState(queryOf(url));
  if (!parsed.success) throw invalidInput(parsed.error);
  return parsed.data;
}

/** Sends a visitor who skipped ahead back to the first step still missing its input. */
const gate = (step: StepId, state: WizardState) => {
  if (reachable(step, state)) return undefined;
  return stepHref(firstMissingStep(state) ?? "product", state);
};

wizardRoutes.get("/", (c) => c.redirect(`/bundle/product${new URL(c.req.url).search}`, 303));

wizardRoutes.get("/product", catalogEtag, async (c) => {
  const state = wizardState(c.req.url);
  return c.render(html`<${ProductStep} state=${state} products=${await listProducts(c.get("catalog"))} />`);
});

wizardRoutes.get("/version", catalogEtag, async (c) => {
  const state = wizardState(c.req.url);
  const redirect = gate("version", state);
  if (redirect) return c.redirect(redirect, 303);
  const product = (await listProducts(c.get("catalog"))).find((p) => p.id === state.product);
  if (!product) throw badField("product", `there is no product ${state.product}`);
  return c.render(html`<${VersionStep} state=${state} product=${product} />`);
});

wizardRoutes.get("/use-case", catalogEtag, async (c) => {
  const state = wizardState(c.req.url);
  const redirect = gate("use-case", state);
  return redirect ? c.redirect(redirect, 303) : c.render(html`<${UseCaseStep} state=${state} />`);
});

wizardRoutes.get("/cloud", catalogEtag, async (c) => {
  const state = wizardState(c.req.url);
  const redirect = gate("cloud", state);
  return redirect ? c.redirect(redirect, 303) : c.render(html`<${CloudStep} state=${state} />`);
});

/** The compatibility query of a complete wizard state. */
const compatibilityQuery = (state: WizardState) => ({
  product: state.product!,
  version: state.version!,
  useCase: state.useCase!,
  cloud: state.cloud,
  arch: state.arch,
  fips: state.fips,
  packs: state.packs,
});

const layerParams = z.object({
  q: z.string().trim().max(200).optional(),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
});

/**
 * One page of a layer step, as the step and its hidden versions' page both show it; or where to
 * send a visitor who skipped ahead.
 */
async function layerStepPage(c: Context<PagesEnv>) {
  const layer = parseOrThrow(z.enum(LAYERS), c.req.param("layer"), "layer");
  const state = wizardState(c.req.url);
  const redirect = gate(layer, state);
  if (redirect !== undefined) return { redirect };
  const { q, page } = parseOrThrow(layerParams, {
    q: c.req.query("q") || undefined,
    page: c.req.query("page") || undefined,
  });
  // Every layer comes a page at a time (a large catalog holds thousands of OS versions); add-ons
  // are searched in the query too. Add-on only's one step searches every layer, as the docs say,
  // paged the same way; the other use cases go layer by layer.
  const layerPage = {
    offset: (page - 1) * PACKS_PER_PAGE,
    limit: PACKS_PER_PAGE,
    words: layer === "addon" ? (q ?? "").toLowerCase().split(/\s+/).filter(Boolean) : [],
    layerNames: LAYER_LABELS,
  };
  const { result, missing } = await explainMissing(
    c.get("catalog"),
    await compatiblePacksTolerant(
      c.get("catalog"),
      { ...compatibilityQuery(state), layer },
      { everyLayer: state.useCase === "addon", page: layerPage },
    ),
  );
  return { state, result, missing, q, page };
}

wizardRoutes.get("/layers/:layer", catalogEtag, async (c) => {
  const step = await layerStepPage(c);
  if (step.redirect !== undefined) return c.redirect(step.redirect, 303);
  const { state, result, missing, q, page } = step;
  return c.render(html`<${LayerStep} state=${state} result=${result} missing=${missing} q=${q} page=${page} />`);
});

wizardRoutes.get("/layers/:layer/hidden", catalogEtag, async (c) => {
  const step = await layerStepPage(c);
  if (step.redirect !== undefined) return c.redirect(step.redirect, 303);
  const { state, result, q, page } = step;
  return c.render(html`<${HiddenStep} state=${state} result=${result} q=${q} page=${page} />`);
});

/** Every chosen pack with its catalog details and, when it no longer fits, why; and the ones no longer published. */
const chosenDetails = async (db: Db, state: WizardState) =>
  explainMissing(db, await assessChosenPacks(db, compatibilityQuery(state)));

wizardRoutes.get("/review", catalogEtag, async (c) => {
  const state = wizardState(c.req.url);
  const redirect = gate("review", state) ?? (state.useCase === "addon" ? stepHref("confirm", state) : undefined);
  if (redirect) return c.redirect(redirect, 303);
  const { chosen, missing } = await chosenDetails(c.get("catalog"), state);
  return c.render(
    html`<${ReviewStep} state=${state} chosen=${chosen} missing=${missing} origin=${new URL(c.req.url).origin} />`,
  );
});

/** The Confirm step, with what its download form's POST gave when there was one. */
async function confirmStep(c: Context<PagesEnv>, db: Db, state: WizardState, outcome?: DownloadOutcome) {
  const [{ chosen, missing }, products] = await Promise.all([chosenDetails(db, state), listProducts(db)]);
  const productName = products.find((p) => p.id === state.product)?.applianceName;
  return html`<${ConfirmStep} state=${state} chosen=${chosen} missing=${missing} origin=${new URL(c.req.url).origin} productName=${productName} captcha=${captchaView(c.env)} outcome=${outcome} />`;
}

wizardRoutes.get("/confirm", catalogEtag, async (c) => {
  const state = wizardState(c.req.url);
  const redirect = gate("confirm", state);
  if (redirect) return c.redirect(redirect, 303);
  return c.render(await confirmStep(c, c.get("catalog"), state));
});

// Confirm's download form posts back here: the grant is made and the same page shows its links.
wizardRoutes.post("/confirm", limitBody(FORM_BODY_BYTES), async (c) => {
  const state = wizardState(c.req.url);
  const redirect = gate("confirm", state);
  if (redirect) return c.redirect(redirect, 303);
  const spec = parseOrThrow(bundleSpec, { ...state, cloud: state.useCase === "controller" ? state.cloud : undefined });
  const posted = await postDownload(c, { bundle: spec }, await formFields(c));
  return postedPage(c, await confirmStep(c, catalogReader(c.env), state, posted.outcome), posted);
});

const nextParams = z.object({
  from: z.enum(STEP_IDS),
  go: z.enum(["next", "back", "stay", "prev-page", "next-page"]).default("stay"),
  pick: z.array(z.string()).default([]),
  shown: z.string().max(16000).optional(),
  previous: z.string().max(80).optional(),
  q: z.string().trim().max(200).optional(),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
});

// Every wizard form submits here: the choice is applied to the state and the browser is sent
// to the canonical URL of the step it asked for, so the address bar always holds the bundle.
wizardRoutes.get("/next", (c) => {
  const params = parseOrThrow(nextParams, {
    from: c.req.query("from"),
    go: c.req.query("go") || undefined,
    pick: (c.req.queries("pick") ?? []).filter(Boolean),
    shown: c.req.query("shown") || undefined,
    previous: c.req.query("previous") || undefined,
    q: c.req.query("q") || undefined,
    page: c.req.query("page") || undefined,
  });
  let state = wizardState(c.req.url);
  const picks = parsePicks(params.pick);
  if (params.from === "product" && params.previous && params.previous !== state.product) {
    // Another product: versions, clouds and packs of the old one mean nothing for it.
    state = { product: state.product, packs: [] };
  }
  if (isLayerStep(params.from)) {
    state = { ...state, packs: applyPicks(state.packs, parseRefList(params.shown), picks) };
  }
  const from = params.from;
  const target: StepId =
    params.go === "next" ? adjacentStep(from, state, 1) : params.go === "back" ? adjacentStep(from, state, -1) : from;
  const gated = gate(target, state);
  if (gated) return c.redirect(gated, 303);
  const stay = target === from && isLayerStep(from);
  const pageNumber =
    params.go === "next-page" ? params.page + 1 : params.go === "prev-page" ? Math.max(1, params.page - 1) : 1;
  const extra = stay ? { q: params.q, page: pageNumber > 1 ? String(pageNumber) : undefined } : {};
  return c.redirect(stepHref(target, state, extra), 303);
});

wizardRoutes.get("/spec.json", (c) => {
  const state = wizardState(c.req.url);
  const spec = parseOrThrow(bundleSpec, { ...state, cloud: state.useCase === "controller" ? state.cloud : undefined });
  return new Response(`${JSON.stringify(spec, null, 2)}\n`, {
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Content-Disposition": `attachment; filename="bundle-${spec.product}-${spec.version}.json"`,
    },
  });
});

const MAX_SPEC_BYTES = 256 * 1024;

// The spec file plus the multipart framing around it.
wizardRoutes.post("/import", limitBody(MAX_SPEC_BYTES + 16 * 1024), async (c) => {
  const form = await parseForm(c);
  const file = form.spec;
  if (!(file instanceof File)) throw badField("spec", "choose a bundle spec file to import");
  if (file.size > MAX_SPEC_BYTES) throw badField("spec", "the file is larger than 256 KB");
  let json: unknown;
  try {
    json = JSON.parse(await file.text());
  } catch {
    throw badField("spec", "the file is not JSON");
  }
  const spec = parseOrThrow(bundleSpec, json);
  const parsed = parseWizardState({
    product: spec.product,
    version: spec.version,
    useCase: spec.useCase,
    ...(spec.cloud ? { cloud: spec.cloud } : {}),
    ...(spec.arch ? { arch: spec.arch } : {}),
    ...(spec.fips !== undefined ? { fips: String(spec.fips) } : {}),
    packs: spec.packs.map(packRefId).join(","),
  });
  if (!parsed.success) throw invalidInput(parsed.error);
  const state = parsed.data;
  // The upgrade page imports a site's spec through here too, and gets the site back.
  if (form.then === "upgrade") return c.redirect(`/upgrade${stateQuery(state)}`, 303);
  return c.redirect(stepHref(firstMissingStep(state) ?? "confirm", state), 303);
});
