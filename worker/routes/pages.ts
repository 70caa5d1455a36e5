// The studio in a browser: server-rendered pages (Preact + htm) for the docs' flows. Handlers
// parse the URL with zod (a 400 page names the field), call the catalog's query functions and
// render; all state lives in the URL so every page works without JavaScript.
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { z } from "zod";
import { bundleSpec } from "../catalog/bundle-spec";
import { compatiblePacks } from "../catalog/compatibility";
import { catalogEtag, type CatalogVariables } from "../catalog/generation";
import { packName } from "../catalog/filters";
import { getPack, searchPacks } from "../catalog/packs";
import { getInstallers, listProducts } from "../catalog/products";
import { type Db } from "../db/client";
import { LAYERS, type Layer } from "../db/schema";
import { ConfigError } from "../env";
import { ApiError, invalidInput, notFound } from "../errors";
import { documentHtml } from "../../web/components/layout";
import { parseBrowseFilters, browseQuery, resolveSubmission } from "../../web/lib/browse";
import { VERIFY_SCRIPT } from "../downloads/verify-script";
import {
  adjacentStep,
  applyPicks,
  firstMissingStep,
  parseRefList,
  parseWizardState,
  reachable,
  stepHref,
  type StepId,
  type WizardState,
} from "../../web/lib/wizard";
import { ProductStep, VersionStep, UseCaseStep, CloudStep } from "../../web/pages/bundle/start";
import { LayerStep } from "../../web/pages/bundle/layer";
import { ConfirmStep, ReviewStep, type ChosenDetail } from "../../web/pages/bundle/review";
import { ErrorPage } from "../../web/pages/error";
import { HomePage } from "../../web/pages/home";
import { InstallPage } from "../../web/pages/install";
import { PackPage } from "../../web/pages/pack";
import { BrowsePage, browseHref, type BrowseFilters } from "../../web/pages/packs";
import { VerifyPage, type VerifyExamples } from "../../web/pages/verify";
import { html } from "htm/preact";
import type { VNode } from "preact";

type PagesEnv = { Bindings: Env; Variables: CatalogVariables & { requestId: string } };

export const pagesRoutes = new Hono<PagesEnv>();

const page = (tree: VNode, status: 200 | 400 | 404 | 500 | 503 = 200) =>
  new Response(documentHtml(tree), { status, headers: { "Content-Type": "text/html; charset=utf-8" } });

const errorPage = (status: number, message: string, details?: { field?: string; message: string }[], requestId?: string) =>
  page(html`<${ErrorPage} status=${status} message=${message} details=${details} requestId=${requestId} />`, status as 400);

/** The query string as a plain record (first value of each parameter). */
const queryOf = (url: string) => Object.fromEntries(new URL(url).searchParams);

function parseOrThrow<T extends z.ZodType>(schema: T, input: unknown, where = "query"): z.output<T> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw invalidInput(parsed.error, where);
  return parsed.data;
}

// Page routes answer in HTML, whatever went wrong.
pagesRoutes.onError((err, c) => {
  if (err instanceof ApiError) {
    const details = Array.isArray(err.details) ? err.details : undefined;
    return errorPage(err.status, err.message, details);
  }
  if (err instanceof ConfigError) {
    console.error(c.get("requestId"), err.message);
    return errorPage(503, "The studio is misconfigured; the operators have been told.", undefined, c.get("requestId"));
  }
  if (err instanceof HTTPException) return errorPage(err.status, err.message || "The request was refused.");
  console.error(c.get("requestId"), err);
  return errorPage(500, "An unexpected error stopped this page from rendering.", undefined, c.get("requestId"));
});

// A browser that follows a link to nowhere gets an HTML page; API clients keep the JSON shape.
// Only the app's own "no route" answer is replaced, never another route's deliberate 404.
pagesRoutes.use("*", async (c, next) => {
  await next();
  const path = c.req.path;
  const wantsHtml = (c.req.header("Accept") ?? "").includes("text/html");
  const apiPath = path.startsWith("/api/") || path.startsWith("/dl/") || path.startsWith("/keys/");
  if (c.res.status !== 404 || !wantsHtml || apiPath || !(c.req.method === "GET" || c.req.method === "HEAD")) return;
  if (!c.res.headers.get("Content-Type")?.includes("json")) return;
  const body = (await c.res.clone().json().catch(() => undefined)) as { error?: { message?: string } } | undefined;
  if (body?.error?.message?.startsWith("no route for ")) c.res = errorPage(404, `There is no page at ${path}.`);
});

pagesRoutes.get("/", catalogEtag, async (c) => page(html`<${HomePage} products=${await listProducts(c.get("catalog"))} />`));

pagesRoutes.get("/install/:product", catalogEtag, async (c) => {
  const { version } = parseOrThrow(z.object({ version: z.string().regex(/^v?\d+(\.\d+){0,3}([-+][0-9A-Za-z.-]+)?$/, "must be a dotted version like 4.6.12").optional() }), {
    version: c.req.query("version") || undefined,
  });
  const db = c.get("catalog");
  const product = (await listProducts(db)).find((p) => p.id === c.req.param("product"));
  if (!product) throw notFound(`product ${c.req.param("product")}`);
  const installers = version ? await getInstallers(db, product.id, version) : undefined;
  return page(html`<${InstallPage} product=${product} installers=${installers} />`);
});

/** Real file names for the verification examples: the newest installers and the first pack. */
async function verifyExamples(db: Db): Promise<VerifyExamples> {
  const [products, packs] = await Promise.all([listProducts(db), searchPacks(db, { limit: 1 })]);
  const newest = products.find((p) => p.versions.length);
  const installers = newest ? (await getInstallers(db, newest.id, newest.versions[0].version)).artifacts : [];
  const pick = (kind: string) => installers.find((a) => a.kind === kind);
  const pack = packs.items[0]?.versions[0];
  return { contentBundle: pick("content-bundle"), iso: pick("iso"), pack };
}

pagesRoutes.get("/verify", catalogEtag, async (c) => page(html`<${VerifyPage} examples=${await verifyExamples(c.get("catalog"))} />`));

pagesRoutes.get(
  "/verify-signatures.sh",
  (c) =>
    new Response(VERIFY_SCRIPT, {
      headers: {
        "Content-Type": "text/x-shellscript; charset=utf-8",
        "Content-Disposition": 'attachment; filename="verify-signatures.sh"',
        "Cache-Control": "public, max-age=3600",
      },
    }),
);

// ---- Bundle wizard ------------------------------------------------------------------------

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

pagesRoutes.get("/bundle", (c) => c.redirect(`/bundle/product${new URL(c.req.url).search}`, 303));

pagesRoutes.get("/bundle/product", catalogEtag, async (c) => {
  const state = wizardState(c.req.url);
  return page(html`<${ProductStep} state=${state} products=${await listProducts(c.get("catalog"))} />`);
});

pagesRoutes.get("/bundle/version", catalogEtag, async (c) => {
  const state = wizardState(c.req.url);
  const redirect = gate("version", state);
  if (redirect) return c.redirect(redirect, 303);
  const product = (await listProducts(c.get("catalog"))).find((p) => p.id === state.product);
  if (!product) throw new ApiError(400, "invalid_request", `product: there is no product ${state.product}`, [{ field: "product", message: `there is no product ${state.product}` }]);
  return page(html`<${VersionStep} state=${state} product=${product} />`);
});

pagesRoutes.get("/bundle/use-case", catalogEtag, async (c) => {
  const state = wizardState(c.req.url);
  const redirect = gate("use-case", state);
  return redirect ? c.redirect(redirect, 303) : page(html`<${UseCaseStep} state=${state} />`);
});

pagesRoutes.get("/bundle/cloud", catalogEtag, async (c) => {
  const state = wizardState(c.req.url);
  const redirect = gate("cloud", state);
  return redirect ? c.redirect(redirect, 303) : page(html`<${CloudStep} state=${state} />`);
});

/** The compatibility query for a complete wizard state. */
const compatibility = (db: Db, state: WizardState, layer: Layer) =>
  compatiblePacks(db, {
    product: state.product!,
    version: state.version!,
    useCase: state.useCase!,
    cloud: state.cloud,
    arch: state.arch,
    fips: state.fips,
    packs: state.packs,
    layer,
  });

const layerParams = z.object({
  q: z.string().trim().max(200).optional(),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
});

pagesRoutes.get("/bundle/layers/:layer", catalogEtag, async (c) => {
  const layer = parseOrThrow(z.enum(LAYERS), c.req.param("layer"), "layer");
  const state = wizardState(c.req.url);
  const redirect = gate(layer, state);
  if (redirect) return c.redirect(redirect, 303);
  const { q, page: pageNumber } = parseOrThrow(layerParams, { q: c.req.query("q") || undefined, page: c.req.query("page") || undefined });
  const result = await compatibility(c.get("catalog"), state, layer);
  return page(html`<${LayerStep} state=${state} result=${result} q=${q} page=${pageNumber} />`);
});

/** Every chosen pack with its catalog details and, when it no longer fits, why. */
async function chosenDetails(db: Db, state: WizardState): Promise<ChosenDetail[]> {
  if (!state.packs.length) return [];
  const results = await Promise.all(LAYERS.map((layer) => compatibility(db, state, layer)));
  const all = results.flatMap((r) => [...r.offered.map((p) => ({ ...p, reasons: [] as string[] })), ...r.hidden]);
  return state.packs.flatMap((ref) => all.filter((p) => p.name === ref.name && p.version === ref.version).slice(0, 1));
}

pagesRoutes.get("/bundle/review", catalogEtag, async (c) => {
  const state = wizardState(c.req.url);
  const redirect = gate("review", state) ?? (state.useCase === "addon" ? stepHref("confirm", state) : undefined);
  if (redirect) return c.redirect(redirect, 303);
  return page(html`<${ReviewStep} state=${state} chosen=${await chosenDetails(c.get("catalog"), state)} origin=${new URL(c.req.url).origin} />`);
});

pagesRoutes.get("/bundle/confirm", catalogEtag, async (c) => {
  const state = wizardState(c.req.url);
  const redirect = gate("confirm", state);
  if (redirect) return c.redirect(redirect, 303);
  const db = c.get("catalog");
  const [chosen, products] = await Promise.all([chosenDetails(db, state), listProducts(db)]);
  const productName = products.find((p) => p.id === state.product)?.applianceName;
  return page(html`<${ConfirmStep} state=${state} chosen=${chosen} origin=${new URL(c.req.url).origin} productName=${productName} />`);
});

const STEP_IDS = ["product", "version", "use-case", "cloud", ...LAYERS, "review", "confirm", "download"] as const;

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
pagesRoutes.get("/bundle/next", (c) => {
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
  const picks = parseRefList(params.pick.join(","));
  if (picks.length !== params.pick.length) {
    throw new ApiError(400, "invalid_request", "pick: every pick must be name@version", [{ field: "pick", message: "every pick must be name@version" }]);
  }
  if (params.from === "product" && params.previous && params.previous !== state.product) {
    // Another product: versions, clouds and packs of the old one mean nothing for it.
    state = { product: state.product, packs: [] };
  }
  if ((LAYERS as readonly string[]).includes(params.from)) {
    state = { ...state, packs: applyPicks(state.packs, parseRefList(params.shown), picks) };
  }
  const from = params.from as StepId;
  const target: StepId = params.go === "next" ? adjacentStep(from, state, 1) : params.go === "back" ? adjacentStep(from, state, -1) : from;
  const gated = gate(target, state);
  if (gated) return c.redirect(gated, 303);
  const stay = target === from && (LAYERS as readonly string[]).includes(from);
  const pageNumber = params.go === "next-page" ? params.page + 1 : params.go === "prev-page" ? Math.max(1, params.page - 1) : 1;
  const extra = stay ? { q: params.q, page: pageNumber > 1 ? String(pageNumber) : undefined } : {};
  return c.redirect(stepHref(target, state, extra), 303);
});

pagesRoutes.get("/bundle/spec.json", (c) => {
  const state = wizardState(c.req.url);
  const spec = parseOrThrow(bundleSpec, { ...state, cloud: state.useCase === "controller" ? state.cloud : undefined });
  return new Response(JSON.stringify(spec, null, 2) + "\n", {
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Content-Disposition": `attachment; filename="bundle-${spec.product}-${spec.version}.json"`,
    },
  });
});

const MAX_SPEC_BYTES = 256 * 1024;

pagesRoutes.post("/bundle/import", async (c) => {
  const form = await c.req.parseBody();
  const file = form.spec;
  if (!(file instanceof File)) throw new ApiError(400, "invalid_request", "spec: choose a bundle spec file to import", [{ field: "spec", message: "choose a bundle spec file" }]);
  if (file.size > MAX_SPEC_BYTES) throw new ApiError(400, "invalid_request", "spec: the file is larger than 256 KB", [{ field: "spec", message: "larger than 256 KB" }]);
  let json: unknown;
  try {
    json = JSON.parse(await file.text());
  } catch {
    throw new ApiError(400, "invalid_request", "spec: the file is not JSON", [{ field: "spec", message: "not JSON" }]);
  }
  const spec = parseOrThrow(bundleSpec, json);
  const parsed = parseWizardState({
    product: spec.product,
    version: spec.version,
    useCase: spec.useCase,
    ...(spec.cloud ? { cloud: spec.cloud } : {}),
    ...(spec.arch ? { arch: spec.arch } : {}),
    ...(spec.fips !== undefined ? { fips: String(spec.fips) } : {}),
    packs: spec.packs.map((p) => `${p.name}@${p.version}`).join(","),
  });
  if (!parsed.success) throw invalidInput(parsed.error);
  const state = parsed.data;
  return c.redirect(stepHref(firstMissingStep(state) ?? "confirm", state), 303);
});

// ---- Browse packs -------------------------------------------------------------------------

pagesRoutes.get("/packs", catalogEtag, async (c) => {
  const query = queryOf(c.req.url);
  const parsedFilters = parseBrowseFilters(query);
  if (!parsedFilters.success) throw invalidInput(parsedFilters.error);
  const submission = parseOrThrow(browseQuery, {
    selected: query.selected,
    shown: query.shown,
    pick: c.req.queries("pick") ?? [],
    trail: query.trail || undefined,
    next: query.next || undefined,
    go: query.go || undefined,
  });
  const picks = parseRefList(submission.pick.join(","));
  if (picks.length !== submission.pick.length) {
    throw new ApiError(400, "invalid_request", "pick: every pick must be name@version", [{ field: "pick", message: "every pick must be name@version" }]);
  }
  const f = parsedFilters.data;
  const filters: BrowseFilters = {
    product: f.product,
    version: f.version,
    cloud: f.cloud,
    layer: f.layer,
    arch: f.arch,
    fips: f.fips,
    q: f.q || undefined,
    cursor: query.cursor || undefined,
    trail: submission.trail,
  };
  const resolved = resolveSubmission(filters, submission, picks);
  if (resolved) {
    if (resolved.download && resolved.selected.length) {
      return c.redirect(`/download?packs=${resolved.selected.map((p) => `${p.name}@${p.version}`).join(",")}`, 303);
    }
    return c.redirect(browseHref(filters, resolved.selected, { cursor: resolved.cursor, trail: resolved.trail }), 303);
  }
  const db = c.get("catalog");
  const [result, products] = await Promise.all([searchPacks(db, f), listProducts(db)]);
  return page(html`<${BrowsePage} filters=${filters} result=${result} products=${products} selected=${submission.selected} />`);
});

pagesRoutes.get("/packs/:name", catalogEtag, async (c) => {
  const name = parseOrThrow(packName, c.req.param("name"), "name");
  const { version } = parseOrThrow(z.object({ version: z.string().min(1).max(40).optional() }), { version: c.req.query("version") || undefined });
  const db = c.get("catalog");
  const [pack, products] = await Promise.all([getPack(db, name), listProducts(db)]);
  if (version && !pack.versions.some((v) => v.version === version)) throw notFound(`pack ${name}@${version}`);
  const productNames = Object.fromEntries(products.map((p) => [p.id, p.name]));
  return page(html`<${PackPage} pack=${pack} version=${version ?? pack.versions[0].version} productNames=${productNames} />`);
});
