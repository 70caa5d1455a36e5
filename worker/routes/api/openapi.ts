// /api/v1/openapi.json: the OpenAPI 3.1 document, assembled from what every part registered.
import { Hono } from "hono";
import {
  compatibleSchema,
  installersSchema,
  packSchema,
  packSearchSchema,
  packVersionDetailSchema,
  productListSchema,
} from "../../catalog/api-schemas";
import { catalogOperations } from "../../catalog/openapi-paths";
import { buildOpenApiDocument, registerOperations, registerSchemas } from "../../openapi";

registerSchemas({
  ProductList: productListSchema,
  Installers: installersSchema,
  PackSearch: packSearchSchema,
  Pack: packSchema,
  PackVersionDetail: packVersionDetailSchema,
  Compatible: compatibleSchema,
});
registerOperations(...catalogOperations);

export const openapiRoutes = new Hono<{ Bindings: Env }>();

// The document describes the deployed code, not the catalog, so it is cached briefly rather than tagged.
openapiRoutes.get("/openapi.json", (c) =>
  c.json(buildOpenApiDocument(), 200, { "Cache-Control": "public, max-age=300" }),
);
