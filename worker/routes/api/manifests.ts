// /api/v1/manifests: URL manifests for automation, with an API token (scope manifests:read) instead
// of a captcha. Each call issues a fresh, audited grant and answers with one manifest format:
//   GET  /installers/:product/:version/:format[?kinds=content-bundle,iso]
//   POST /bundle/:format   body: a bundle spec (worker/catalog/bundle-spec.ts)
//   POST /packs/:format    body: { "packs": [{ "name", "version" }] }
// The response names its grant (X-Grant-Id) and links to its other formats with the grant's capability.
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { bundleSpec } from "../../catalog/bundle-spec";
import { INSTALLER_KINDS, packRef } from "../../domain/vocabulary";
import { grantUrl, installersSelection, type Selection } from "../../downloads/granting";
import { issueGrant } from "../../downloads/issue";
import { manifestResponse, originOf, requesterOf } from "../context";
import { MANIFEST_FORMATS } from "../../downloads/manifest-formats";
import { bearerOf } from "../../downloads/api-tokens";
import { ApiError } from "../../errors";
import { limitBody, SELECTION_BODY_BYTES } from "../../body-limit";
import { API_TOKEN, apiApp, apiRoute, error, jsonBody } from "../api-app";
import { changesParams } from "./changes";
import { gateErrors, manifest, tooLarge } from "./grants";
import { primary } from "../../db/client";
import { changesSince } from "../../db/change-log";

export const manifestsRoutes = apiApp();

// Automation only: without a token this would be a captcha-free way around the gate.
manifestsRoutes.use(async (c, next) => {
  if (!bearerOf(c.req.header("Authorization"))) {
    throw new ApiError(401, "unauthorized", "an API token with the manifests:read scope is required", undefined, {
      "WWW-Authenticate": 'Bearer realm="artifact-studio"',
    });
  }
  await next();
});

const formatParam = z.object({ format: z.enum(MANIFEST_FORMATS) });

async function respond(c: Context<{ Bindings: Env }>, selection: Selection, format: (typeof MANIFEST_FORMATS)[number]) {
  const { grant, capability, entries, view } = await issueGrant(c.env, requesterOf(c), {
    selection,
    scope: "manifests:read",
  });
  return manifestResponse(c, format, grant, async () => entries, {
    "X-Grant-Id": grant.id,
    "X-Grant-Expires": view.expiresAt,
    Link: `<${grantUrl(originOf(c), capability)}>; rel="grant"`,
  });
}

const kindsQuery = z.object({
  kinds: z
    .string()
    .optional()
    .transform((s) => (s ? s.split(",") : undefined))
    .pipe(z.array(z.enum(INSTALLER_KINDS)).optional())
    .meta({ description: `Comma-separated: ${INSTALLER_KINDS.join(", ")}` }),
});

/** The manifest, with the grant it issued named and linked. */
const issuedManifest = (description: string, headers: Record<string, { description: string }> = {}) => {
  const shown = {
    "X-Grant-Id": { description: "The grant issued" },
    Link: { description: '<.../api/v1/grants/{capability}>; rel="grant": the grant, opened by its capability' },
    ...headers,
  };
  return {
    ...manifest(description),
    headers: Object.fromEntries(
      Object.entries(shown).map(([name, h]) => [name, { ...h, schema: { type: "string" as const } }]),
    ),
  };
};

const automation = { tags: ["downloads"], security: API_TOKEN };

const installersRoute = apiRoute({
  ...automation,
  method: "get",
  path: "/installers/{product}/{version}/{format}",
  operationId: "installerManifest",
  summary: "Automation: a fresh grant for a product version's installers, answered as one manifest format",
  request: {
    params: installersSelection.pick({ product: true, version: true }).extend(formatParam.shape),
    query: kindsQuery,
  },
  responses: { 200: issuedManifest("The manifest; X-Grant-Id names the grant."), ...gateErrors },
});

manifestsRoutes.openapi(installersRoute, async (c) => {
  const { product, version, format } = c.req.valid("param");
  return respond(c, { installers: { product, version, kinds: c.req.valid("query").kinds } }, format);
});

const bundleRoute = apiRoute({
  ...automation,
  method: "post",
  path: "/bundle/{format}",
  operationId: "bundleManifest",
  summary: "Automation: a fresh grant for a bundle spec, answered as one manifest format",
  middleware: [limitBody(SELECTION_BODY_BYTES)] as const,
  request: {
    params: formatParam,
    body: jsonBody(bundleSpec),
  },
  responses: { 200: manifest("The manifest."), ...gateErrors, ...tooLarge },
});

manifestsRoutes.openapi(bundleRoute, async (c) =>
  respond(c, { bundle: c.req.valid("json") }, c.req.valid("param").format),
);

const packsRoute = apiRoute({
  ...automation,
  method: "post",
  path: "/packs/{format}",
  operationId: "packsManifest",
  summary: "Automation: a fresh grant for a list of packs, answered as one manifest format",
  middleware: [limitBody(SELECTION_BODY_BYTES)] as const,
  request: {
    params: formatParam,
    body: jsonBody(z.object({ packs: z.array(packRef).min(1).max(500) })),
  },
  responses: { 200: manifest("The manifest."), ...gateErrors, ...tooLarge },
});

manifestsRoutes.openapi(packsRoute, async (c) =>
  respond(c, { packs: c.req.valid("json").packs }, c.req.valid("param").format),
);

const changesRoute = apiRoute({
  ...automation,
  method: "get",
  path: "/changes/{format}",
  operationId: "changesManifest",
  summary: "Automation: a fresh grant of what was published after a generation, answered as one manifest format",
  request: { params: formatParam, query: changesParams },
  responses: {
    200: issuedManifest("The manifest; X-Grant-Id names the grant.", {
      "X-Catalog-Generation": { description: "The newest generation included" },
      "X-Yanked": { description: "Pack versions and installers yanked since, comma-separated" },
    }),
    204: { description: "Nothing new; X-Catalog-Generation still says the generation." },
    401: error("No or unknown API token."),
    403: error("The token lacks manifests:read."),
  },
});

// What was published since a generation, as one grant (for a mirroring job): 204 when nothing is new.
// X-Catalog-Generation says how far the answer goes; X-Yanked lists what was yanked since.
manifestsRoutes.openapi(changesRoute, async (c) => {
  const { since, ...filters } = c.req.valid("query");
  const changes = await changesSince(primary(c.env), since, filters);
  const files = [...changes.published.installers, ...changes.published.packs].map(({ generation: _g, ...f }) =>
    "layer" in f ? (({ layer: _l, ...rest }) => rest)(f) : f,
  );
  const yanked = [
    ...changes.yanked.packs.map((p) => `${p.name}@${p.version}`),
    ...changes.yanked.installers.map((i) => `${i.product}@${i.version}/${i.kind}`),
  ];
  const headers = {
    "X-Catalog-Generation": String(changes.generation),
    ...(yanked.length ? { "X-Yanked": yanked.join(", ").slice(0, 4000) } : {}),
  };
  if (!files.length) return c.body(null, 204, headers);
  const { grant, capability, entries, view } = await issueGrant(c.env, requesterOf(c), {
    selection: { changes: { since, upTo: changes.generation, ...filters } },
    files,
    scope: "manifests:read",
  });
  return manifestResponse(c, c.req.valid("param").format, grant, async () => entries, {
    ...headers,
    "X-Grant-Id": grant.id,
    "X-Grant-Expires": view.expiresAt,
    Link: `<${grantUrl(originOf(c), capability)}>; rel="grant"`,
  });
});
