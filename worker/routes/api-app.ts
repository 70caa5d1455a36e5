// What every JSON sub-app under routes/api/ shares: an OpenAPIHono whose validation failures are the
// one error shape naming the field (a 400 through app.onError), the Error schema, and the responses
// every operation documents the same way. Each operation is declared with createRoute beside its
// handler; the document (GET /api/v1/openapi.json) is generated from those declarations.
import { createRoute, OpenAPIHono, type RouteConfig, z } from "@hono/zod-openapi";
import type { Env as HonoEnv } from "hono";
import { createMiddleware } from "hono/factory";
import { invalidInput } from "../errors";

/** A JSON sub-app: invalid input (query, path, headers, body) throws the 400 that names the field. */
export const apiApp = <E extends HonoEnv = { Bindings: Env }>() =>
  new OpenAPIHono<E>({
    defaultHook: (result) => {
      if (!result.success) throw invalidInput(result.error, result.target);
    },
  });

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
  .meta({ description: "The one error shape of the JSON API." })
  .openapi("Error");

type Response = RouteConfig["responses"][string];

/** A documented error status: the one error shape. */
export const error = (description: string) =>
  ({ description, content: { "application/json": { schema: errorSchema } } }) satisfies Response;

/** A JSON body of this schema. */
export const json = <T extends z.ZodType>(schema: T, description: string) =>
  ({ description, content: { "application/json": { schema } } }) as const;

/** A required JSON request body of this schema (validated; the handler reads c.req.valid("json")). */
export const jsonBody = <T extends z.ZodType>(schema: T) =>
  ({ required: true, content: { "application/json": { schema } } }) as const;

/** A text body (a script, a checksum list, a tar). */
export const text = (description: string, contentType = "text/plain") =>
  ({ description, content: { [contentType]: { schema: z.string() } } }) satisfies Response;

/** Invalid input; `details` names every field at fault (any operation that validates input). */
export const badRequest = { $ref: "#/components/responses/BadRequest" } as const;
/** Any client error an operation does not list (a body over its limit, a method not routed, ...). */
export const clientError = { $ref: "#/components/responses/ClientError" } as const;
export const unauthorized = error("Missing or wrong bearer token.");

/** Explicit on every operation: `[]` says an operation is public rather than forgotten. */
export const PUBLIC: RouteConfig["security"] = [];
export const ADMIN = { tags: ["admin"], security: [{ adminToken: [] }] } satisfies Partial<RouteConfig>;
export const API_TOKEN: RouteConfig["security"] = [{ apiToken: [] }];

/**
 * createRoute with what every operation documents alike: its security (public unless it says), a 400
 * when it validates input, and a 4XX for any other client error, all in the one error shape.
 */
export const apiRoute = <P extends string, R extends Omit<RouteConfig, "path"> & { path: P }>(config: R) => {
  const { params, query, body } = config.request ?? {};
  const validates = Boolean(params || query || body) && !config.responses["400"];
  const own =
    config.middleware === undefined ? [] : Array.isArray(config.middleware) ? config.middleware : [config.middleware];
  return createRoute({
    ...config,
    ...(body ? { middleware: [...own, notJsonAsEmpty] } : {}),
    security: config.security ?? PUBLIC,
    responses: { ...(validates ? { "400": badRequest } : {}), ...config.responses, "4XX": clientError },
  });
};

/** Hono's own test of a JSON media type (its json validator parses exactly these). */
const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json$/i;

/**
 * A body that does not say it is JSON is read as an empty object, so the answer is the 400 naming
 * each missing field (as the JSON validator gives it), not OpenAPIHono's bare 415: one error shape.
 */
const notJsonAsEmpty = createMiddleware(async (c, next) => {
  const mediaType = (c.req.header("Content-Type") ?? "").split(";")[0].trim();
  if (!JSON_MEDIA_TYPE.test(mediaType)) {
    const headers = new Headers(c.req.raw.headers);
    headers.set("Content-Type", "application/json");
    c.req.raw = new Request(c.req.raw.url, { method: c.req.raw.method, headers, body: "{}" });
  }
  await next();
});

/** The components every operation refers to, registered once on the app that serves the document. */
export function registerSharedComponents(registry: OpenAPIHono["openAPIRegistry"]): void {
  registry.register("Error", errorSchema);
  const errorContent = { "application/json": { schema: { $ref: "#/components/schemas/Error" } } };
  registry.registerComponent("responses", "BadRequest", {
    description: "Invalid input; `details` names every field at fault.",
    content: errorContent,
  });
  registry.registerComponent("responses", "ClientError", {
    description: "Any other client error; the one error shape.",
    content: errorContent,
  });
  registry.registerComponent("securitySchemes", "adminToken", {
    type: "http",
    scheme: "bearer",
    description: "The ADMIN_TOKEN secret.",
  });
  registry.registerComponent("securitySchemes", "apiToken", {
    type: "http",
    scheme: "bearer",
    description: "An API token from POST /api/v1/admin/tokens (ast_...).",
  });
}

// Catalog reads (catalogEtag): an ETag on every answer, and 304 for a client that has the current one.
const etagHeader = {
  ETag: {
    description: 'W/"catalog-<generation>": changes whenever a publish or yank changes the catalog.',
    schema: { type: "string" as const },
  },
  "X-D1-Rows-Read": {
    description: "The D1 rows this response read (meta.rows_read, what D1 bills); 1 or so for an edge-cache copy.",
    schema: { type: "integer" as const },
  },
  "Server-Timing": {
    description: "d1;dur=<ms>: the time this response's statements spent in D1 (meta.duration).",
    schema: { type: "string" as const },
  },
};
export const conditional = z.object({
  "If-None-Match": z
    .string()
    .optional()
    .meta({ description: "An ETag from an earlier catalog response; unchanged catalog → 304." }),
});
/** A catalog read's 200: the JSON body with its ETag. */
export const catalogOk = <T extends z.ZodType>(schema: T, description: string) =>
  ({ description, headers: etagHeader, content: { "application/json": { schema } } }) as const;
export const notModified = {
  description: "The catalog has not changed since the ETag sent in If-None-Match.",
  headers: etagHeader,
} satisfies Response;
