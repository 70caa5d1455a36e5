// GET /api/v1/images?repository=&tag=&digest= (or q=, any reference): which pack versions ship an
// image. Lookups go through the repository, tag and digest indexes of pack_version_images; yanked
// versions are listed too (an incident needs them) and say so. The same question as a page: pages/images.ts.
import { z } from "@hono/zod-openapi";
import { type CatalogVariables, catalogEtag } from "../../catalog/generation";
import { imagesQuery } from "../../catalog/image-query";
import { findImages } from "../../db/image-index";
import { apiApp, apiRoute, error, json } from "../api-app";

export const imagesApiRoutes = apiApp<{ Bindings: Env; Variables: CatalogVariables }>();
imagesApiRoutes.use(catalogEtag);

const imageHit = z.object({
  reference: z.string(),
  repository: z.string(),
  tag: z.string().nullable(),
  digest: z.string(),
  pack: z.string(),
  displayName: z.string(),
  version: z.string(),
  yanked: z.boolean().meta({ description: "Yanked versions are listed too: an incident needs them" }),
});

const imagesRoute = apiRoute({
  method: "get",
  path: "/",
  operationId: "findImages",
  summary: "Which pack versions ship an image: by repository, tag, digest, or any reference (q), through an index",
  tags: ["catalog"],
  request: { query: imagesQuery },
  responses: {
    200: json(
      z.object({
        query: z.object({
          repository: z.string().optional(),
          tag: z.string().optional(),
          digest: z.string().optional(),
        }),
        packVersions: z.array(imageHit),
      }),
      "The pack versions declaring the image in their signed release manifests.",
    ),
    400: error("No field given, or a value that is not a repository, tag, digest or reference (named)."),
  },
});

imagesApiRoutes.openapi(imagesRoute, async (c) => {
  const query = c.req.valid("query");
  const hits = await findImages(c.get("catalog"), query);
  return c.json({ query, packVersions: hits }, 200);
});
