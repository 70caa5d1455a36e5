// /api/v1/compatible: the packs the bundle wizard offers for a layer, and why each other one is hidden.
import { compatibleSchema } from "../../catalog/response-schemas";
import { compatiblePacks } from "../../catalog/compatibility";
import { compatiblePageQuery } from "../../catalog/filters";
import { type CatalogVariables, catalogEtag } from "../../catalog/generation";
import { apiApp, apiRoute, catalogOk, conditional, error, notModified } from "../api-app";

export const compatibleRoutes = apiApp<{ Bindings: Env; Variables: CatalogVariables }>();

compatibleRoutes.use(catalogEtag);

const compatibleRoute = apiRoute({
  method: "get",
  path: "/",
  operationId: "compatiblePacks",
  summary: "The pack versions offered for a bundle layer, and why each other one is hidden",
  description:
    "Layers go os → k8s → cni → csi → addon. Agent mode assumes edge-native. A FIPS product (VerteX) or fips=true " +
    "offers FIPS-compliant builds only. Dependencies are checked both ways against the chosen packs; a dependency " +
    "on a layer nothing is chosen for yet hides nothing. Offered versions carry full details; hidden ones only " +
    "name, displayName, version, layer and reasons (GET /api/v1/packs/{name}/versions/{version} has the rest). " +
    "A page covers the layer's next `limit` packs in display order (display name ignoring case and accents, then name), " +
    "each version offered or hidden, so each version of the layer comes on exactly one page (a chosen pack that no " +
    "longer fits is hidden on every page) and a page may offer fewer than `limit` packs, or none. Follow `nextCursor` " +
    "for the rest (since 1.3; before, a page ran to the `limit`-th pack that may fit).",
  tags: ["catalog"],
  request: { query: compatiblePageQuery, headers: conditional },
  responses: {
    200: catalogOk(compatibleSchema.openapi("Compatible"), "Offered and hidden pack versions."),
    304: notModified,
    404: error("No such product, product version or chosen pack (yanked pack versions included)."),
  },
});

compatibleRoutes.openapi(compatibleRoute, async (c) =>
  c.json(await compatiblePacks(c.get("catalog"), c.req.valid("query")), 200),
);
