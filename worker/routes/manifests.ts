// /api/v1/manifests: URL manifests for automation, with an API token (scope manifests:read) instead
// of a captcha. Each call issues a fresh, audited grant and answers with one manifest format:
//   GET  /installers/:product/:version/:format[?kinds=content-bundle,iso]
//   POST /bundle/:format   body: a bundle spec (worker/catalog/bundle-spec.ts)
//   POST /packs/:format    body: { "packs": [{ "name", "version" }] }
// The response names its grant (X-Grant-Id) and links to its other formats with the grant's capability.
import { type Context, Hono } from "hono";
import { z } from "zod";
import { bundleSpec, packRef } from "../catalog/bundle-spec";
import { INSTALLER_KINDS } from "../db/schema";
import { grantUrl, installersSelection, type Selection } from "../downloads/grants";
import { issueGrant, manifestResponse, originOf } from "../downloads/issue";
import { MANIFEST_FORMATS } from "../downloads/manifests";
import { bearerOf } from "../downloads/tokens";
import { ApiError } from "../errors";
import { limitBody, SELECTION_BODY_BYTES } from "../body-limit";
import { validate } from "../validate";

export const manifestsRoutes = new Hono<{ Bindings: Env }>();

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
  const { grant, capability, entries, view } = await issueGrant(c, { selection, scope: "manifests:read" });
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
    .pipe(z.array(z.enum(INSTALLER_KINDS)).optional()),
});

manifestsRoutes.get(
  "/installers/:product/:version/:format",
  validate("param", installersSelection.pick({ product: true, version: true }).extend(formatParam.shape)),
  validate("query", kindsQuery),
  async (c) => {
    const { product, version, format } = c.req.valid("param");
    return respond(c, { installers: { product, version, kinds: c.req.valid("query").kinds } }, format);
  },
);

manifestsRoutes.post(
  "/bundle/:format",
  limitBody(SELECTION_BODY_BYTES),
  validate("param", formatParam),
  validate("json", bundleSpec),
  async (c) => respond(c, { bundle: c.req.valid("json") }, c.req.valid("param").format),
);

manifestsRoutes.post(
  "/packs/:format",
  limitBody(SELECTION_BODY_BYTES),
  validate("param", formatParam),
  validate("json", z.object({ packs: z.array(packRef).min(1).max(500) })),
  async (c) => respond(c, { packs: c.req.valid("json").packs }, c.req.valid("param").format),
);
