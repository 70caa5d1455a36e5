// /images?q=: "which pack versions ship image X?" as a page (the API: GET /api/v1/images).
import { Hono } from "hono";
import { html } from "htm/preact";
import { type CatalogVariables, catalogEtag } from "../../catalog/generation";
import { imagesQuery } from "../../catalog/image-query";
import { findImages } from "../../db/image-index";
import { ImagesPage } from "../../../web/pages/images-page";
import { htmlErrorHandler, parseOrThrow } from "../html";

export const imagesPageRoutes = new Hono<{ Bindings: Env; Variables: CatalogVariables }>();
imagesPageRoutes.onError(htmlErrorHandler);
imagesPageRoutes.get("/", catalogEtag, async (c) => {
  const q = c.req.query("q")?.trim() || undefined;
  if (!q) return c.render(html`<${ImagesPage} />`);
  const query = parseOrThrow(imagesQuery, { q });
  return c.render(html`<${ImagesPage} q=${q} query=${query} hits=${await findImages(c.get("catalog"), query)} />`);
});
