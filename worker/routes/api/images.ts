// "Which pack versions ship image X?": GET /api/v1/images?repository=&tag=&digest= (or q=, any
// reference) and the answer page /images?q=. Lookups go through the repository, tag and digest
// indexes of pack_version_images; yanked versions are listed too (an incident needs them) and say so.
import { Hono } from "hono";
import { html } from "htm/preact";
import { type CatalogVariables, catalogEtag } from "../catalog/generation";
import { imagesQuery } from "../catalog/image-query";
import { findImages } from "../db/images";
import { validate } from "../validate";
import { ImagesPage } from "../../web/pages/images";
import { htmlErrorHandler, parseOrThrow } from "./html";

export const imagesApiRoutes = new Hono<{ Bindings: Env; Variables: CatalogVariables }>();
imagesApiRoutes.use(catalogEtag);
imagesApiRoutes.get("/", validate("query", imagesQuery), async (c) => {
  const query = c.req.valid("query");
  const hits = await findImages(c.get("catalog"), query);
  return c.json({ query, packVersions: hits });
});

export const imagesPageRoutes = new Hono<{ Bindings: Env; Variables: CatalogVariables }>();
imagesPageRoutes.onError(htmlErrorHandler);
imagesPageRoutes.get("/", catalogEtag, async (c) => {
  const q = c.req.query("q")?.trim() || undefined;
  if (!q) return c.render(html`<${ImagesPage} />`);
  const query = parseOrThrow(imagesQuery, { q });
  return c.render(html`<${ImagesPage} q=${q} query=${query} hits=${await findImages(c.get("catalog"), query)} />`);
});
