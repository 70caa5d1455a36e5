// Browse packs (mounted at "/packs"): the filterable, paged pack list with its multi-select that
// hands the chosen packs to /download, and one page per pack. State lives in the URL, so both
// pages work without JavaScript.
import { Hono } from "hono";
import { html } from "htm/preact";
import { z } from "zod";
import { packRef, packRefId } from "../catalog/bundle-spec";
import { packName } from "../catalog/filters";
import { catalogEtag } from "../catalog/generation";
import { getPack, searchPacks } from "../catalog/packs";
import { imagesOfPack } from "../db/images";
import { listProducts } from "../catalog/products";
import { invalidInput, notFound } from "../errors";
import { browseQuery, parseBrowseFilters, resolveSubmission } from "../../web/lib/browse";
import { PackPage } from "../../web/pages/pack";
import { BrowsePage, browseHref, type BrowseFilters } from "../../web/pages/packs";
import { htmlErrorHandler, page, parseOrThrow, parsePicks, queryOf, type PagesEnv } from "./html";

export const browseRoutes = new Hono<PagesEnv>();

browseRoutes.onError(htmlErrorHandler);

browseRoutes.get("/", catalogEtag, async (c) => {
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
  const picks = parsePicks(submission.pick);
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
      return c.redirect(`/download?packs=${resolved.selected.map(packRefId).join(",")}`, 303);
    }
    return c.redirect(browseHref(filters, resolved.selected, { cursor: resolved.cursor, trail: resolved.trail }), 303);
  }
  const db = c.get("catalog");
  const [result, products] = await Promise.all([searchPacks(db, f), listProducts(db)]);
  return page(
    html`<${BrowsePage} filters=${filters} result=${result} products=${products} selected=${submission.selected} />`,
  );
});

browseRoutes.get("/:name", catalogEtag, async (c) => {
  const name = parseOrThrow(packName, c.req.param("name"), "name");
  const { version } = parseOrThrow(z.object({ version: packRef.shape.version.optional() }), {
    version: c.req.query("version") || undefined,
  });
  const db = c.get("catalog");
  const [pack, products, images] = await Promise.all([getPack(db, name), listProducts(db), imagesOfPack(db, name)]);
  if (version && !pack.versions.some((v) => v.version === version))
    throw notFound(`pack ${packRefId({ name, version })}`);
  const productNames = Object.fromEntries(products.map((p) => [p.id, p.name]));
  const shown = version ?? pack.versions[0].version;
  return page(
    html`<${PackPage} pack=${pack} version=${shown} productNames=${productNames} images=${images.get(shown) ?? []} />`,
  );
});
