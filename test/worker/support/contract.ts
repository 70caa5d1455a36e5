// The API contract as the Worker serves it (GET /api/v1/openapi.json), used to check real responses:
// a response must be a documented status of a documented operation, and a JSON body must validate
// against that status's schema (JSON Schema 2020-12, which OpenAPI 3.1 schemas are, checked with
// @cfworker/json-schema, a validator that runs in workerd).
import { type OutputUnit, type Schema, Validator } from "@cfworker/json-schema";
import { exports } from "cloudflare:workers";

type ResponseObject = { $ref?: string; description?: string; content?: Record<string, { schema?: Schema }> };
type Operation = { operationId: string; responses: Record<string, ResponseObject> };
export type OpenApiDocument = {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema>; responses: Record<string, ResponseObject> };
};

// Taken before the contract setup wraps exports.default.fetch, so reading the document is not itself checked.
const workerFetch = exports.default.fetch.bind(exports.default);
let served: Promise<OpenApiDocument> | undefined;

/** The document, fetched once per test file through the Worker itself. */
export function servedDocument(): Promise<OpenApiDocument> {
  served ??= workerFetch("http://studio.test/api/v1/openapi.json").then(
    (res) => res.json() as Promise<OpenApiDocument>,
  );
  return served;
}

const templates = new WeakMap<OpenApiDocument, { path: string; pattern: RegExp; params: number }[]>();

/** The documented path a concrete path matches; literal segments win over parameters (bundle.tar). */
export function documentedPath(doc: OpenApiDocument, path: string): string | undefined {
  let list = templates.get(doc);
  if (!list) {
    list = Object.keys(doc.paths).map((template) => ({
      path: template,
      pattern: new RegExp(`^${template.replace(/[.]/g, "\\.").replace(/\{[^}]+\}/g, "[^/]+")}$`),
      params: template.split("{").length - 1,
    }));
    templates.set(doc, list);
  }
  const matches = list.filter((t) => t.pattern.test(path)).sort((a, b) => a.params - b.params);
  return matches[0]?.path;
}

function resolveResponse(doc: OpenApiDocument, response: ResponseObject): ResponseObject {
  const name = response.$ref?.replace("#/components/responses/", "");
  return name ? doc.components.responses[name] : response;
}

/** What is wrong with a response against the contract, or [] when it conforms. */
export function contractProblems(
  doc: OpenApiDocument,
  method: string,
  url: URL,
  status: number,
  contentType: string | null,
  body: unknown,
): string[] {
  const template = documentedPath(doc, url.pathname);
  const operation = template ? doc.paths[template][method.toLowerCase()] : undefined;
  if (!template || !operation) {
    // A path or method the API does not have: the one error shape, 404.
    const where = `${method} ${url.pathname} (not a documented operation) ${status}`;
    if (status !== 404) return [`${where}: only a 404 may answer an undocumented operation`];
    return validate(doc, { $ref: "#/components/schemas/Error" }, body, where);
  }
  const where = `${operation.operationId} (${method} ${template}) ${status}`;
  const documented =
    operation.responses[String(status)] ?? operation.responses[`${String(status)[0]}XX`] ?? operation.responses.default;
  if (!documented) return [`${where}: status not documented`];
  const content = resolveResponse(doc, documented).content;
  const mediaType = contentType?.split(";")[0].trim();
  if (!content || !mediaType)
    return mediaType === "application/json" ? [`${where}: a JSON body where none is documented`] : [];
  if (!content[mediaType]) return [`${where}: ${mediaType} is not documented (${Object.keys(content).join(", ")})`];
  const schema = content[mediaType].schema;
  return mediaType === "application/json" && schema ? validate(doc, schema, body, where) : [];
}

function validate(doc: OpenApiDocument, schema: Schema, body: unknown, where: string): string[] {
  // The response schema with the document's components beside it, so its #/components/... refs resolve.
  const validator = new Validator({ ...schema, components: doc.components } as Schema, "2020-12", false);
  const { valid, errors } = validator.validate(body);
  return valid ? [] : leafErrors(errors).map((e) => `${where}: ${e.instanceLocation} ${e.error}`);
}

// The validator also reports each enclosing keyword ("Items did not match schema"); keep the ones that say what.
const WRAPPERS = new Set(["properties", "items", "prefixItems", "$ref", "allOf"]);
const leafErrors = (errors: OutputUnit[]) => {
  const leaves = errors.filter((e) => !WRAPPERS.has(e.keyword));
  return leaves.length ? leaves : errors;
};

/**
 * The contract problems of an exchange. Call it before anything reads the response: it takes a copy of
 * a JSON body at once (and only of a JSON body, so a streamed tar is not buffered).
 */
export function checkResponse(method: string, url: URL, response: Response): Promise<string[]> {
  // HEAD is GET without the body (Hono answers it from the GET route): only its status is checked.
  const head = method.toUpperCase() === "HEAD";
  const contentType = head ? null : response.headers.get("Content-Type");
  const copy = contentType?.startsWith("application/json") ? response.clone() : undefined;
  return (async () => {
    let body: unknown;
    try {
      body = await copy?.json();
    } catch (err) {
      return [`${method} ${url.pathname} ${response.status}: says JSON but does not parse (${err})`];
    }
    const asGet = head ? "GET" : method.toUpperCase();
    return contractProblems(await servedDocument(), asGet, url, response.status, contentType, body);
  })();
}
