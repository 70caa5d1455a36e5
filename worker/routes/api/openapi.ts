// GET /api/v1/openapi.json: the OpenAPI 3.1 document, generated from the operations every sub-app
// under routes/api/ declares with createRoute beside its handler (merged into the root app as each
// is mounted), so the document cannot drift from what the Worker validates and answers.
import type { OpenAPIHono } from "@hono/zod-openapi";
import { z } from "@hono/zod-openapi";
import { apiApp, apiRoute, json } from "../api-app";

const DOCUMENT_INFO = {
  openapi: "3.1.0",
  info: {
    title: "Artifact Studio API",
    // 1.1: the packs list's `totalRelation` (a search's counts are bounded); 1.2: /compatible's default
    // page of 20 packs (was 50). docs/api.md lists the changes.
    version: "1.3",
    description:
      "Signed installers and packs for airgapped Palette and Palette VerteX. Catalog responses carry an ETag " +
      "derived from the catalog generation; send it back in If-None-Match to get 304 Not Modified.",
  },
  // Relative: the API is on the origin that serves this document, whichever host that is.
  servers: [{ url: "/" }],
};

const documentRoute = apiRoute({
  method: "get",
  path: "/openapi.json",
  operationId: "openapi",
  summary: "This document",
  tags: ["meta"],
  responses: { 200: json(z.looseObject({ openapi: z.string() }), "OpenAPI 3.1") },
});

/** The document's route; `root` is the app every API sub-app is mounted on (read at request time). */
// biome-ignore lint/suspicious/noExplicitAny: the root app's variables do not matter to the document
export function openapiRoutes(root: OpenAPIHono<any>) {
  const app = apiApp();
  // The document describes the deployed code, not the catalog, so it is cached briefly rather than tagged.
  app.openapi(documentRoute, (c) =>
    c.json(root.getOpenAPI31Document(DOCUMENT_INFO), 200, { "Cache-Control": "public, max-age=300" }),
  );
  return app;
}
