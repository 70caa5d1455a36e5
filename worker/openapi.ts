// The OpenAPI 3.1 document of the JSON API, generated from the same zod schemas the routes validate
// with (z.toJSONSchema), so the document cannot drift from what the worker accepts. Each part of the
// API registers its operations here at module load (see worker/catalog/openapi-paths.ts); the
// document is assembled on first request, after every route module has loaded.
//
// To document another route:
//   registerSchemas({ Grant: grantSchema });
//   registerOperations({ method: "post", path: "/api/v1/grants", operationId: "createGrant", summary: "...",
//     tags: ["downloads"], body: grantRequest, responses: { "201": { description: "...", schema: "Grant" } } });
import { z } from "zod";

type Method = "get" | "post" | "put" | "patch" | "delete";
type JsonSchema = Record<string, unknown>;

export type ResponseSpec = {
  description: string;
  /** A registered schema's name, or a zod schema to inline. */
  schema?: string | z.ZodType;
  contentType?: string;
  /** Several media types (e.g. a manifest as text or JSON), instead of schema and contentType. */
  content?: Record<string, string | z.ZodType>;
  headers?: Record<string, { description: string; schema?: JsonSchema }>;
};

export type OperationSpec = {
  method: Method;
  /** OpenAPI style: /api/v1/packs/{name} */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tags?: string[];
  /** zod objects whose fields become path, query and header parameters. */
  params?: z.ZodType;
  query?: z.ZodType;
  headers?: z.ZodType;
  /** A JSON request body. */
  body?: z.ZodType;
  responses: Record<string, ResponseSpec>;
  /** Names of registered security schemes, e.g. ["bearer"]; none means a public operation. */
  security?: string[];
  /** Also open without credentials (e.g. a captcha token in the body instead of an API token). */
  anonymous?: boolean;
};

const operations = new Map<string, OperationSpec>();
const schemas = new Map<string, z.ZodType>();
const securitySchemes = new Map<string, JsonSchema>();

export const errorSchema = z
  .object({
    error: z.object({
      code: z.string().meta({ description: "Machine-readable: invalid_request, not_found, unauthorized, ..." }),
      message: z.string().meta({ description: "One line for people; names the field at fault first." }),
      details: z
        .union([z.array(z.looseObject({ field: z.string().optional(), message: z.string() })), z.looseObject({})])
        .optional()
        .meta({ description: "For invalid input, every field at fault; for other errors, facts such as a limit." }),
    }),
  })
  .meta({ description: "The one error shape of the JSON API." });

schemas.set("Error", errorSchema);

export function registerSchemas(named: Record<string, z.ZodType>): void {
  for (const [name, schema] of Object.entries(named)) schemas.set(name, schema);
}

export function registerOperations(...specs: OperationSpec[]): void {
  for (const spec of specs) operations.set(`${spec.method} ${spec.path}`, spec);
}

export function registerSecurityScheme(name: string, scheme: JsonSchema): void {
  securitySchemes.set(name, scheme);
}

// zod writes a record keyed by an enum (exhaustive: every key required) as propertyNames + required,
// which lists required properties it never defines; spell the keys out as properties instead.
function enumRecordAsObject({ jsonSchema }: { jsonSchema: JsonSchema }): void {
  const keys = (jsonSchema.propertyNames as { enum?: string[] } | undefined)?.enum;
  if (jsonSchema.type !== "object" || !keys || jsonSchema.properties) return;
  const value = jsonSchema.additionalProperties ?? {};
  jsonSchema.properties = Object.fromEntries(keys.map((key) => [key, value]));
  jsonSchema.additionalProperties = false;
  delete jsonSchema.propertyNames;
}

function jsonSchema(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    io,
    unrepresentable: "any",
    override: enumRecordAsObject,
  }) as JsonSchema;
  return rest;
}

function parameters(schema: z.ZodType | undefined, where: "path" | "query" | "header") {
  if (!schema) return [];
  const json = jsonSchema(schema, "input") as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => {
    const { description, ...propertySchema } = property;
    return {
      name,
      in: where,
      required: where === "path" || (json.required ?? []).includes(name),
      ...(description ? { description } : {}),
      schema: propertySchema,
    };
  });
}

const schemaRef = (schema: string | z.ZodType) =>
  typeof schema === "string" ? { $ref: `#/components/schemas/${schema}` } : jsonSchema(schema, "output");

function operation(spec: OperationSpec) {
  const responses: Record<string, unknown> = {};
  for (const [status, response] of Object.entries(spec.responses)) {
    responses[status] = {
      description: response.description,
      ...(response.headers
        ? {
            headers: Object.fromEntries(
              Object.entries(response.headers).map(([h, v]) => [
                h,
                { description: v.description, schema: v.schema ?? { type: "string" } },
              ]),
            ),
          }
        : {}),
      ...(response.content
        ? {
            content: Object.fromEntries(
              Object.entries(response.content).map(([type, schema]) => [type, { schema: schemaRef(schema) }]),
            ),
          }
        : response.schema
          ? { content: { [response.contentType ?? "application/json"]: { schema: schemaRef(response.schema) } } }
          : {}),
    };
  }
  const validates = spec.params || spec.query || spec.body;
  if (validates && !responses["400"]) responses["400"] = { $ref: "#/components/responses/BadRequest" };
  // Any client error an operation does not list (a body over its limit, a method not routed, ...) still
  // comes in the one error shape.
  responses["4XX"] ??= { $ref: "#/components/responses/ClientError" };
  return {
    operationId: spec.operationId,
    summary: spec.summary,
    ...(spec.description ? { description: spec.description } : {}),
    ...(spec.tags ? { tags: spec.tags } : {}),
    parameters: [
      ...parameters(spec.params, "path"),
      ...parameters(spec.query, "query"),
      ...parameters(spec.headers, "header"),
    ],
    ...(spec.body
      ? { requestBody: { required: true, content: { "application/json": { schema: jsonSchema(spec.body, "input") } } } }
      : {}),
    // Explicit on every operation: `[]` says an operation is public rather than forgotten.
    security: [...(spec.anonymous ? [{}] : []), ...(spec.security ?? []).map((name) => ({ [name]: [] }))],
    responses,
  };
}

/** The whole document. */
export function buildOpenApiDocument() {
  const paths: Record<string, Record<string, unknown>> = {};
  const sorted = [...operations.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const spec of sorted) {
    paths[spec.path] ??= {};
    paths[spec.path][spec.method] = operation(spec);
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Artifact Studio API",
      version: "1",
      description:
        "Signed installers and packs for airgapped Palette and Palette VerteX. Catalog responses carry an ETag " +
        "derived from the catalog generation; send it back in If-None-Match to get 304 Not Modified.",
    },
    // Relative: the API is on the origin that serves this document, whichever host that is.
    servers: [{ url: "/" }],
    paths,
    components: {
      schemas: Object.fromEntries([...schemas].map(([name, schema]) => [name, jsonSchema(schema, "output")])),
      responses: {
        BadRequest: {
          description: "Invalid input; `details` names every field at fault.",
          content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
        },
        ClientError: {
          description: "Any other client error; the one error shape.",
          content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
        },
      },
      ...(securitySchemes.size ? { securitySchemes: Object.fromEntries(securitySchemes) } : {}),
    },
  };
}
