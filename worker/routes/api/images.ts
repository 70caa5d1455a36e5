// GET /api/v1/images?repository=&tag=&digest= (or q=, any reference): which pack versions ship an
// image. Lookups go through the repository, tag and digest indexes of pack_version_images; yanked
// versions are listed too (an incident needs them) and say so. The same question as a page: pages/images.ts.
import { Hono } from "hono";
import { type CatalogVariables, catalogEtag } from "../../catalog/generation";
import { imagesQuery } from "../../catalog/image-query";
import { findImages } from "../../db/images";
import { validate } from "../../validate";

export const imagesApiRoutes = new Hono<{ Bindings: Env; Variables: CatalogVariables }>();
imagesApiRoutes.use(catalogEtag);
imagesApiRoutes.get("/", validate("query", imagesQuery), async (c) => {
  const query = c.req.valid("query");
  const hits = await findImages(c.get("catalog"), query);
  return c.json({ query, packVersions: hits });
});
