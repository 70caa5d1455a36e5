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
import { publishOpenApiParts } from "./publish";

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
openapiRoutes.get("/openapi.json", (c) => c.json(servedDocument(), 200, { "Cache-Control": "public, max-age=300" }));

/**
 * The registered operations' document plus the routes already declared with @hono/zod-openapi
 * (worker/routes/api/*), until every route is: their paths, schemas and security schemes merged in.
 */
export function servedDocument() {
  const doc = buildOpenApiDocument();
  const parts = publishOpenApiParts();
  Object.assign(doc.paths, parts.paths);
  Object.assign(doc.components.schemas, parts.components?.schemas ?? {});
  const schemes = { ...(doc.components.securitySchemes ?? {}), ...(parts.components?.securitySchemes ?? {}) };
  return { ...doc, components: { ...doc.components, securitySchemes: schemes } };
}
