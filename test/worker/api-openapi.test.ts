// The OpenAPI document: it parses, lists every catalog path with its parameters and the error
// shape, and the response schemas it is generated from match what the API really sends.
import { exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { z } from "zod";
import {
  compatibleSchema,
  installersSchema,
  packSchema,
  packSearchSchema,
  packVersionDetailSchema,
  productListSchema,
} from "../../worker/catalog/response-schemas";
import { errorSchema } from "../../worker/routes/api-app";
import { seedCatalog } from "./support/catalog-fixture";

type Doc = {
  openapi: string;
  paths: Record<
    string,
    Record<
      string,
      {
        operationId: string;
        parameters: { name: string; in: string; required: boolean; schema: Record<string, unknown> }[];
        responses: Record<string, { $ref?: string; content?: Record<string, { schema: { $ref?: string } }> }>;
      }
    >
  >;
  components: {
    schemas: Record<string, { type?: string; properties?: Record<string, unknown>; required?: string[] }>;
    responses: Record<string, unknown>;
  };
};

const get = (path: string) => exports.default.fetch(`http://studio.test${path}`);

let doc: Doc;
beforeAll(async () => {
  await seedCatalog();
  const res = await get("/api/v1/openapi.json");
  expect(res.status).toBe(200);
  expect(res.headers.get("Content-Type")).toContain("application/json");
  doc = JSON.parse(await res.text()) as Doc;
});

describe("GET /api/v1/openapi.json", () => {
  it("is an OpenAPI 3.1 document listing every catalog path", () => {
    expect(doc.openapi).toBe("3.1.0");
    for (const path of [
      "/api/v1/products",
      "/api/v1/products/{product}/versions/{version}/artifacts",
      "/api/v1/packs",
      "/api/v1/packs/{name}",
      "/api/v1/packs/{name}/versions/{version}",
      "/api/v1/compatible",
      "/api/v1/openapi.json",
    ]) {
      expect(doc.paths[path]?.get, path).toBeDefined();
    }
  });

  it("describes the query parameters from the zod schemas, with enums and requiredness", () => {
    const params = Object.fromEntries(doc.paths["/api/v1/packs"].get.parameters.map((p) => [p.name, p]));
    expect(Object.keys(params)).toEqual(
      expect.arrayContaining([
        "product",
        "version",
        "useCase",
        "cloud",
        "layer",
        "arch",
        "fips",
        "q",
        "cursor",
        "limit",
        "If-None-Match",
      ]),
    );
    expect(params.cloud).toMatchObject({
      in: "query",
      required: false,
      schema: { enum: ["aws", "azure", "gcp", "vsphere", "openstack", "maas", "edge-native"] },
    });
    expect(params.fips.schema).toMatchObject({ enum: ["true", "false"] });
    expect(params.limit.schema).toMatchObject({ maximum: 100, minimum: 1, default: 24 });
    expect(params["If-None-Match"].in).toBe("header");
    const compat = Object.fromEntries(doc.paths["/api/v1/compatible"].get.parameters.map((p) => [p.name, p]));
    expect(compat.product.required).toBe(true);
    expect(compat.useCase.required).toBe(true);
    expect(compat.packs.required).toBe(false);
    const detail = doc.paths["/api/v1/packs/{name}/versions/{version}"].get.parameters.filter((p) => p.in === "path");
    expect(detail.map((p) => [p.name, p.required])).toEqual([
      ["name", true],
      ["version", true],
    ]);
  });

  it("documents the error shape, 400 for validated input and 404 for unknown ids", () => {
    expect(doc.components.schemas.Error.properties).toHaveProperty("error");
    const packs = doc.paths["/api/v1/packs/{name}"].get.responses;
    expect(packs["404"].content?.["application/json"].schema.$ref).toBe("#/components/schemas/Error");
    expect(packs["400"].$ref).toBe("#/components/responses/BadRequest");
    expect(doc.paths["/api/v1/packs"].get.responses["200"].content?.["application/json"].schema.$ref).toBe(
      "#/components/schemas/PackSearch",
    );
    expect(doc.components.schemas.PackSearch.required).toEqual(
      expect.arrayContaining(["items", "facets", "nextCursor"]),
    );
  });
});

describe("documented response schemas match real responses", () => {
  const cases: [string, z.ZodType, number][] = [
    ["/api/v1/products", productListSchema, 200],
    ["/api/v1/products/palette-enterprise/versions/4.7.3/artifacts", installersSchema, 200],
    ["/api/v1/packs?limit=5&cloud=aws", packSearchSchema, 200],
    ["/api/v1/packs/kubernetes", packSchema, 200],
    ["/api/v1/packs/cni-cilium/versions/1.16.1", packVersionDetailSchema, 200],
    [
      "/api/v1/compatible?product=palette-enterprise&version=4.7.3&useCase=controller&cloud=aws&packs=ubuntu-aws@24.04,kubernetes@1.32.3",
      compatibleSchema,
      200,
    ],
    ["/api/v1/packs?layer=nope", errorSchema, 400],
    ["/api/v1/packs/nope", errorSchema, 404],
  ];
  it.each(cases)("%s", async (path, schema, status) => {
    const res = await get(path);
    expect(res.status).toBe(status);
    const parsed = schema.safeParse(await res.json());
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
  });
});
