// /upgrade: the upgrade page. GET with nothing shows the three ways to say what a site runs today;
// `link=` (a pasted bundle link) redirects to the page for that site; the site's state (the
// wizard's query parameters) shows it with the target version form; adding `target=` shows the
// plan. Invalid input re-renders the page with the field named (400), never a bare error page.
import { type Context, Hono } from "hono";
import { html } from "htm/preact";
import { z } from "zod";
import { bundleSpec, type BundleSpec } from "../../catalog/bundle-spec";
import { dottedVersion, parseWizardState } from "../../catalog/filters";
import { catalogEtag } from "../../catalog/generation";
import { listProducts } from "../../catalog/product-installers";
import { planUpgrade } from "../../catalog/upgrade-plan";
import { ApiError, badField, fieldOf, invalidInput, NotFound } from "../../errors";
import { queryString } from "../../../web/lib/format";
import { upgradeLinks } from "../../../web/lib/upgrade-links";
import { UpgradePage, type UpgradePageProps } from "../../../web/pages/upgrade-page";
import { FORM_BODY_BYTES, limitBody } from "../../body-limit";
import { primary } from "../../db/client";
import { captchaView, formFields, postDownload, postedPage } from "../download-forms";
import { htmlErrorHandler, queryOf, type PagesEnv } from "../html";

export const upgradeRoutes = new Hono<PagesEnv>();

upgradeRoutes.onError(htmlErrorHandler);

const SITE_KEYS = ["product", "version", "useCase", "cloud", "arch", "fips", "packs"] as const;

/** The page URL for a pasted bundle link: its site parameters (and target), nothing else. */
function pastedLinkTarget(link: string): string {
  const text = link.trim();
  if (!text) throw badField("link", "paste a bundle link");
  let url: URL;
  try {
    url = new URL(text, "http://pasted.invalid");
  } catch {
    throw badField("link", "is not a link");
  }
  const params = Object.fromEntries([...SITE_KEYS, "target"].map((k) => [k, url.searchParams.get(k) ?? undefined]));
  if (!params.product || !params.version || !params.useCase)
    throw badField(
      "link",
      "names no product, version and use case; copy the bundle link from the wizard's Confirm step",
    );
  // Straight to the target version, the next thing to choose (keyboard focus starts there too).
  return `/upgrade${queryString(params)}#target`;
}

/** What the site runs, from the query; undefined when nothing names it yet. */
function siteOf(raw: Record<string, string>): BundleSpec | undefined {
  if (!SITE_KEYS.some((k) => raw[k])) return undefined;
  // The packs field of the form may hold new lines and spaces; links hold commas.
  const packs = (raw.packs ?? "")
    .split(/[\s,]+/)
    .filter(Boolean)
    .join(",");
  const parsed = parseWizardState({ ...raw, packs });
  if (!parsed.success) throw invalidInput(parsed.error);
  const state = parsed.data;
  for (const key of ["product", "version", "useCase"] as const)
    if (!state[key]) throw badField(key, "is required to say what the site runs");
  const spec = bundleSpec.safeParse({ ...state, cloud: state.cloud });
  if (!spec.success) throw invalidInput(spec.error);
  return spec.data;
}

const targetOf = (raw: Record<string, string>) => {
  if (!raw.target) return undefined;
  const parsed = z.object({ target: dottedVersion }).safeParse({ target: raw.target });
  if (!parsed.success) throw invalidInput(parsed.error);
  return parsed.data.target;
};

upgradeRoutes.get("/", catalogEtag, async (c) => {
  const raw = queryOf(c.req.url);
  if (raw.link !== undefined) {
    try {
      return c.redirect(pastedLinkTarget(raw.link), 303);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      return render(c, await listProducts(c.get("catalog")), { raw }, err);
    }
  }
  const { products, props, failure } = await planPage(c, raw);
  return render(c, products, props, failure);
});

// The plan's download form posts back to the plan's own URL: the grant covers exactly the files the
// site lacks, and the same page comes back with its links (or why nothing was issued).
upgradeRoutes.post("/", limitBody(FORM_BODY_BYTES), async (c) => {
  const { products, props, failure } = await planPage(c, queryOf(c.req.url));
  const selection = props.plan?.download.selection;
  if (failure || !selection) return render(c, products, props, failure ?? nothingToDownload());
  const posted = await postDownload(c, selection, await formFields(c));
  return postedPage(
    c,
    html`<${UpgradePage} products=${products} ...${props} captcha=${captchaView(c.env)} outcome=${posted.outcome} />`,
    posted,
  );
});

const nothingToDownload = () => badField("target", "the site already has every file of this plan");

/** What the page shows for a query: the site, the target, and the plan once both are known. */
async function planPage(c: Context<PagesEnv>, raw: Record<string, string>) {
  // GET reads through the edge-cached catalog session; a POST (a download) reads at the primary.
  const db = c.get("catalog") ?? primary(c.env);
  const products = await listProducts(db);
  const props: Props = { raw };
  let failure: ApiError | undefined;
  try {
    props.site = siteOf(raw);
    props.target = targetOf(raw);
    if (props.site && !products.some((p) => p.id === props.site!.product))
      throw badField("product", `there is no product ${props.site.product}`, 404);
    if (props.site && props.target) {
      const plan = await planUpgrade(db, { current: props.site, targetVersion: props.target }, Date.now());
      props.plan = plan;
      props.links = upgradeLinks(new URL(c.req.url).origin, plan);
    }
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    // A site that parsed stays on the page; an unknown product is no site to show.
    if (err instanceof NotFound && fieldOf(err) === "product") props.site = undefined;
    failure = asPageFields(err);
  }
  return { products, props, failure };
}

/** The plan's API field names as this page's query names them. */
const PAGE_FIELDS: Record<string, string> = { targetVersion: "target", "current.version": "version" };
function asPageFields(err: ApiError): ApiError {
  const field = fieldOf(err);
  if (!field || !Object.hasOwn(PAGE_FIELDS, field) || !Array.isArray(err.details)) return err;
  return badField(PAGE_FIELDS[field], err.details[0].message, err.status === 404 ? 404 : 400);
}

type Props = Omit<UpgradePageProps, "products" | "error" | "captcha" | "outcome">;

function render(c: Context<PagesEnv>, products: UpgradePageProps["products"], props: Props, failure?: ApiError) {
  const error = failure
    ? { message: failure.message, details: Array.isArray(failure.details) ? failure.details : undefined }
    : undefined;
  return c.render(
    html`<${UpgradePage} products=${products} ...${props} error=${error} captcha=${captchaView(c.env)} />`,
    { status: failure?.status ?? 200 },
  );
}
