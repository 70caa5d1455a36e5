// /api/v1/products: the products, their versions, and each version's installers.
import { installersSchema, productListSchema } from "../../catalog/response-schemas";
import { productVersionParams } from "../../catalog/filters";
import { type CatalogVariables, catalogEtag } from "../../catalog/generation";
import { getInstallers, listProducts } from "../../catalog/product-installers";
import { apiApp, apiRoute, catalogOk, conditional, error, notModified } from "../api-app";

export const productsRoutes = apiApp<{ Bindings: Env; Variables: CatalogVariables }>();

productsRoutes.use(catalogEtag);

const listRoute = apiRoute({
  method: "get",
  path: "/",
  operationId: "listProducts",
  summary: "Products (Palette Enterprise, Palette VerteX) with their versions, newest first",
  tags: ["catalog"],
  request: { headers: conditional },
  responses: { 200: catalogOk(productListSchema.openapi("ProductList"), "The products."), 304: notModified },
});

productsRoutes.openapi(listRoute, async (c) => c.json({ items: await listProducts(c.get("catalog")) }, 200));

const installersRoute = apiRoute({
  method: "get",
  path: "/{product}/versions/{version}/artifacts",
  operationId: "getInstallers",
  summary: "A product version's installers: content bundle, ISO and Helm chart, each with checksum and signature",
  tags: ["catalog"],
  request: { params: productVersionParams, headers: conditional },
  responses: {
    200: catalogOk(installersSchema.openapi("Installers"), "The installers."),
    304: notModified,
    404: error("No such product or product version (yanked pack versions included)."),
  },
});

productsRoutes.openapi(installersRoute, async (c) => {
  const { product, version } = c.req.valid("param");
  return c.json(await getInstallers(c.get("catalog"), product, version), 200);
});
