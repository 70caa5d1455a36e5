// The catalog's operations for the OpenAPI document: each names the zod schemas its route validates
// with and the response schema the tests hold it to.
import type { OperationSpec, ResponseSpec } from "../openapi";
import { z } from "zod";
import { compatiblePageQuery, packFilters, packParams, packVersionParams, productVersionParams } from "./filters";

const conditional = z.object({
  "If-None-Match": z
    .string()
    .optional()
    .meta({ description: "An ETag from an earlier catalog response; unchanged catalog → 304." }),
});

const etag = {
  ETag: { description: 'W/"catalog-<generation>": changes whenever a publish or yank changes the catalog.' },
};
const ok = (description: string, schema: string): ResponseSpec => ({ description, schema, headers: etag });
const notModified: ResponseSpec = {
  description: "The catalog has not changed since the ETag sent in If-None-Match.",
  headers: etag,
};
const notFound = (what: string): ResponseSpec => ({
  description: `No such ${what}.`,
  schema: "Error",
});

export const catalogOperations: OperationSpec[] = [
  {
    method: "get",
    path: "/api/v1/products",
    operationId: "listProducts",
    summary: "Products (Palette Enterprise, Palette VerteX) with their versions, newest first",
    tags: ["catalog"],
    headers: conditional,
    responses: { "200": ok("The products.", "ProductList"), "304": notModified },
  },
  {
    method: "get",
    path: "/api/v1/products/{product}/versions/{version}/artifacts",
    operationId: "getInstallers",
    summary: "A product version's installers: content bundle, ISO and Helm chart, each with checksum and signature",
    tags: ["catalog"],
    params: productVersionParams,
    headers: conditional,
    responses: {
      "200": ok("The installers.", "Installers"),
      "304": notModified,
      "404": notFound("product or product version"),
    },
  },
  {
    method: "get",
    path: "/api/v1/packs",
    operationId: "searchPacks",
    summary: "Browse packs: filters, full-text search, facet counts, cursor pages",
    description:
      "Packs sorted by name, each with the versions that match every filter (newest first). Facets count the matching " +
      "packs per value of each filter, applying all other active filters, so a client can show what picking a value gives.",
    tags: ["catalog"],
    query: packFilters,
    headers: conditional,
    responses: { "200": ok("A page of packs.", "PackSearch"), "304": notModified },
  },
  {
    method: "get",
    path: "/api/v1/packs/{name}",
    operationId: "getPack",
    summary: "A pack with every published version",
    tags: ["catalog"],
    params: packParams,
    headers: conditional,
    responses: {
      "200": ok("The pack.", "Pack"),
      "304": notModified,
      "404": notFound("pack"),
      "410": { description: "Every version of the pack was yanked: when and why in details.", schema: "Error" },
    },
  },
  {
    method: "get",
    path: "/api/v1/packs/{name}/versions/{version}",
    operationId: "getPackVersion",
    summary:
      "One pack version: arches, FIPS, clouds, product ranges, use cases, dependencies, file, checksum, signature",
    tags: ["catalog"],
    params: packVersionParams,
    headers: conditional,
    responses: {
      "200": ok("The pack version.", "PackVersionDetail"),
      "304": notModified,
      "404": notFound("pack version"),
      "410": { description: "The version was yanked: when and why in the message and details.", schema: "Error" },
    },
  },
  {
    method: "get",
    path: "/api/v1/compatible",
    operationId: "compatiblePacks",
    summary: "The pack versions offered for a bundle layer, and why each other one is hidden",
    description:
      "Layers go os → k8s → cni → csi → addon. Agent mode assumes edge-native. A FIPS product (VerteX) or fips=true " +
      "offers FIPS-compliant builds only. Dependencies are checked both ways against the chosen packs; a dependency " +
      "on a layer nothing is chosen for yet hides nothing. Offered versions carry full details; hidden ones only " +
      "name, displayName, version, layer and reasons (GET /api/v1/packs/{name}/versions/{version} has the rest). " +
      "A page covers the layer's packs by name up to the `limit`-th one that may fit; every other pack in between " +
      "comes as hidden, so each hidden version is on exactly one page. Follow `nextCursor` for the rest.",
    tags: ["catalog"],
    query: compatiblePageQuery,
    headers: conditional,
    responses: {
      "200": ok("Offered and hidden pack versions.", "Compatible"),
      "304": notModified,
      "404": notFound("product, product version or chosen pack"),
    },
  },
  {
    method: "get",
    path: "/api/v1/openapi.json",
    operationId: "openapi",
    summary: "This document",
    tags: ["meta"],
    responses: { "200": { description: "OpenAPI 3.1", schema: z.looseObject({ openapi: z.string() }) } },
  },
];
