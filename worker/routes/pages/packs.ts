// Browse packs (mounted at "/packs"): the filterable, paged pack list with its multi-select and the
// selection bar's download form (posting back to /packs), and one page per pack. State lives in the
// URL, so both pages work without JavaScript.
import { type Context, Hono } from "hono";
import { html } from "htm/preact";
import { z } from "zod";
import { packRef, packRefId, type PackRef } from "../../domain/vocabulary";
import { packName, parseBrowseFilters } from "../../catalog/filters";
import { catalogEtag } from "../../catalog/generation";
import { searchPacks } from "../../catalog/pack-search";
import { packWithYanks } from "../../catalog/yanks";
import { imagesOfPack } from "../../db/image-index";
import { listProducts } from "../../catalog/product-installers";
import { catalogReader, type Db } from "../../db/client";
import { invalidInput, notFound } from "../../errors";
import type { DownloadOutcome } from "../../../web/components/download-controls";
import { applyPicks } from "../../../web/lib/wizard";
import { type BrowseFilters, browseQuery, resolveSubmission } from "../../../web/lib/browse";
import { PackPage } from "../../../web/pages/pack";
import { BrowsePage, browseHref } from "../../../web/pages/packs-page";
import { captchaView, postDownload, postedPage, type PostedDownload } from "../download-forms";
import { htmlErrorHandler, parseForm, parseOrThrow, parsePicks, queryOf, type PagesEnv } from "../html";
import { FORM_BODY_BYTES, limitBody } from "../../body-limit";

export const packsPageRoutes = new Hono<PagesEnv>();

packsPageRoutes.onError(htmlErrorHandler);

/** The browse filters and cursor trail a /packs URL (or the posted form) carries. */
function filtersOf(query: Record<string, string>, trail: string[]) {
  const parsed = parseBrowseFilters(query);
  if (!parsed.success) throw invalidInput(parsed.error);
  const f = parsed.data;
  const filters: BrowseFilters = {
    product: f.product,
    version: f.version,
    cloud: f.cloud,
    layer: f.layer,
    arch: f.arch,
    fips: f.fips,
    q: f.q || undefined,
    cursor: query.cursor || undefined,
    trail,
  };
  return { search: f, filters };
}

const submissionOf = (query: Record<string, string>, pick: string[]) =>
  parseOrThrow(browseQuery, {
    selected: query.selected,
    shown: query.shown,
    pick,
    trail: query.trail || undefined,
    next: query.next || undefined,
    go: query.go || undefined,
  });

async function browsePage(
  c: Context<PagesEnv>,
  db: Db,
  query: Record<string, string>,
  view: { filters: BrowseFilters; selected: PackRef[]; outcome?: DownloadOutcome },
) {
  const { search } = filtersOf(query, view.filters.trail);
  const [result, products] = await Promise.all([searchPacks(db, search), listProducts(db)]);
  return html`<${BrowsePage} filters=${view.filters} result=${result} products=${products} selected=${view.selected} captcha=${captchaView(c.env)} outcome=${view.outcome} />`;
}

packsPageRoutes.get("/", catalogEtag, async (c) => {
  const query = queryOf(c.req.url);
  const submission = submissionOf(query, c.req.queries("pick") ?? []);
  const { filters } = filtersOf(query, submission.trail);
  const resolved = resolveSubmission(filters, submission, parsePicks(submission.pick));
  if (resolved) {
    const href = browseHref(filters, resolved.selected, { cursor: resolved.cursor, trail: resolved.trail });
    // A page rendered before downloads moved here may still send "Download selected": show the bar.
    return c.redirect(resolved.download ? `${href}#download` : href, 303);
  }
  return c.render(await browsePage(c, c.get("catalog"), query, { filters, selected: submission.selected }));
});

// The selection bar's Download Bundle and Copy all URLs post the whole form (filters, selection,
// ticked boxes, captcha answer) here; the same page comes back with the grant's links.
packsPageRoutes.post("/", limitBody(FORM_BODY_BYTES), async (c) => {
  const body = await parseForm(c, { all: true });
  const strings = (v: unknown) => (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === "string");
  const query = Object.fromEntries(
    Object.entries(body).flatMap(([k, v]) => (strings(v).length ? [[k, strings(v)[0]]] : [])),
  );
  const submission = submissionOf({ ...query, go: "" }, strings(body.pick));
  const { filters } = filtersOf(query, submission.trail);
  const selected = applyPicks(submission.selected, submission.shown, parsePicks(submission.pick));
  const posted: PostedDownload = selected.length
    ? await postDownload(c, { packs: selected }, query)
    : { status: 400, headers: { "Cache-Control": "no-store" }, outcome: { error: "Select at least one pack first." } };
  return postedPage(
    c,
    await browsePage(c, catalogReader(c.env), query, { filters, selected, outcome: posted.outcome }),
    posted,
  );
});

packsPageRoutes.get("/:name", catalogEtag, async (c) => {
  const name = parseOrThrow(packName, c.req.param("name"), "name");
  const { version } = parseOrThrow(z.object({ version: packRef.shape.version.optional() }), {
    version: c.req.query("version") || undefined,
  });
  const db = c.get("catalog");
  const [pack, products, images] = await Promise.all([
    packWithYanks(db, name),
    listProducts(db),
    imagesOfPack(db, name),
  ]);
  // An old link to a yanked version: 410, and the page says when and why, above the versions still published.
  const gone = pack.yanked.find((y) => y.version === version);
  if (version && !gone && !pack.versions.some((v) => v.version === version))
    throw notFound(`pack ${packRefId({ name, version })}`);
  const productNames = Object.fromEntries(products.map((p) => [p.id, p.name]));
  const shown = (!gone && version) || pack.versions[0].version;
  return c.render(
    html`<${PackPage} pack=${pack} version=${shown} productNames=${productNames} images=${images.get(shown) ?? []} gone=${gone} />`,
    { status: gone ? 410 : 200 },
  );
});
