// The download handoff in the OpenAPI document: grants, their manifests and tar, automation
// manifests, API tokens and the grant audit trail. Request schemas are the ones the routes validate.
import { z } from "zod";
import { bundleSpec } from "../catalog/bundle-spec";
import { INSTALLER_KINDS, packRef } from "../domain/vocabulary";
import { registerOperations, registerSchemas, registerSecurityScheme, type ResponseSpec } from "../openapi";
import { GRANT_FORMATS, grantRequestSchema } from "./grants";
import { MANIFEST_FORMATS } from "./manifests";
import { newTokenRequest } from "./tokens";

const grantFile = z.object({
  kind: z.string(),
  name: z.string(),
  version: z.string(),
  file: z.string().meta({ description: "The documented file name, e.g. cni-calico-3.29.2.zst" }),
  size: z.number().int(),
  sha256: z.string(),
  url: z.string().meta({ description: "Signed URL of the file" }),
  sigFile: z.string(),
  sigSize: z.number().int(),
  sigUrl: z.string(),
  keyId: z.string().meta({ description: "The public key that verifies the signature (/keys/<id>.pem)" }),
});

export const grantViewSchema = z.object({
  id: z.string().meta({ description: "Public grant id (22 characters); every /dl URL of the grant shows it" }),
  capability: z.string().meta({
    description:
      "Secret (43 characters) that opens the grant's JSON, manifests and tar; the links carry it. Shown only to the requester; stored hashed",
  }),
  createdAt: z.string(),
  expiresAt: z.string(),
  signer: z.enum(["worker", "r2"]),
  fileCount: z.number().int(),
  totalBytes: z.number().int(),
  files: z.array(grantFile),
  links: z.record(z.enum(GRANT_FORMATS), z.string()),
});

// The manifest.json format (worker/downloads/manifests.ts manifestJson).
const manifestJsonSchema = z.object({
  grant: z.string(),
  expires: z.string(),
  files: z.array(grantFile.extend({ expires: z.string() })),
  releases: z
    .array(
      z.object({
        releaseId: z.string(),
        file: z.string().meta({ description: "releases/<release-id>/release.json" }),
        size: z.number().int(),
        sha256: z.string(),
        url: z.string().meta({ description: "Signed URL of the release manifest" }),
        sigFile: z.string().meta({ description: "releases/<release-id>/release.json.sig.bin" }),
        sigSize: z.number().int(),
        sigSha256: z.string(),
        sigUrl: z.string(),
        expires: z.string(),
      }),
    )
    .meta({ description: "The signed release manifests that list the grant's files (for verify-bundle.sh)" }),
  bundleList: z
    .object({
      file: z.string().meta({ description: "studio/bundle-list.txt" }),
      url: z.string(),
      sigFile: z.string().meta({ description: "studio/bundle-list.txt.sig.bin (DER ECDSA P-256)" }),
      sigUrl: z.string(),
      keyId: z.string().meta({ description: "The studio key that signed it" }),
      keyUrl: z.string().meta({ description: "/keys/<keyId>.pem" }),
      expires: z.string(),
    })
    .meta({ description: "The studio's signed list of every file of the grant, with size and sha256" }),
});

const apiTokenSchema = z.object({
  id: z.string(),
  name: z.string(),
  scopes: z.array(z.string()),
  createdAt: z.number().int(),
  lastUsedAt: z.number().int().nullable(),
  revokedAt: z.number().int().nullable(),
});

// The audit trail's columns (worker/db/downloads-schema.ts grants), without the capability's hash.
const grantAuditColumns = {
  id: z.string(),
  clientIp: z.string().nullable(),
  clientCountry: z.string().nullable(),
  userAgent: z.string().nullable(),
  tokenId: z.string().nullable().meta({ description: "The API token that authorised it, if not a captcha" }),
  request: z.unknown().meta({ description: "The validated selection, as asked" }),
  fileCount: z.number().int(),
  totalBytes: z.number().int(),
  revoked: z.boolean(),
  revokedAt: z.number().int().nullable(),
};

const grantId = z.object({ id: z.string().meta({ description: "Grant id (22 characters)" }) });
const grantCapability = z.object({
  capability: z
    .string()
    .meta({ description: "The grant's capability (43 characters, from the grant response); not the grant id" }),
});
const formatParam = z.object({ format: z.enum(MANIFEST_FORMATS) });
/** A manifest in one of MANIFEST_FORMATS: text, a shell script, or JSON. */
export const manifest = (description: string): ResponseSpec => ({
  description,
  content: { "text/plain": z.string(), "text/x-shellscript": z.string(), "application/json": manifestJsonSchema },
});
const error = (description: string): ResponseSpec => ({ description, schema: "Error" });

registerSecurityScheme("apiToken", {
  type: "http",
  scheme: "bearer",
  description: "An API token from POST /api/v1/admin/tokens (ast_...).",
});
registerSchemas({ Grant: grantViewSchema });

const gateErrors = {
  "401": error("Unknown or revoked API token."),
  "403": error("Captcha refused (captcha_invalid, captcha_expired, captcha_wrong_site, ...) or token lacks the scope."),
  "404": error("Unknown product version or pack versions (each named)."),
  "409": error("Yanked pack versions (each named)."),
  "429": { ...error("Too many grants from this client."), headers: { "Retry-After": { description: "Seconds" } } },
  "503": error(
    "captcha_unavailable: the captcha service is unreachable or gave no usable answer (retry); misconfigured: the deployment is (details only in its log).",
  ),
};

const tooLarge = { "413": error("The body is larger than the limit (payload_too_large).") };

registerOperations(
  {
    method: "post",
    path: "/api/v1/grants",
    operationId: "createGrant",
    summary: "Issue a download grant: signed URLs for the chosen installers, bundle or packs",
    description:
      "A bundle, or installers and/or packs (both in one grant, as an upgrade needs). Authorised by captchaToken, or by an API token with the grants:create scope.",
    tags: ["downloads"],
    body: grantRequestSchema,
    security: ["apiToken"],
    anonymous: true,
    responses: { "201": { description: "The grant.", schema: "Grant" }, ...gateErrors, ...tooLarge },
  },
  {
    method: "get",
    path: "/api/v1/grants/{capability}",
    operationId: "getGrant",
    summary: "A live grant with its signed URLs",
    tags: ["downloads"],
    params: grantCapability,
    responses: {
      "200": { description: "The grant.", schema: "Grant" },
      "403": error("Revoked."),
      "404": error("Unknown capability (a grant id is not one)."),
      "409": error("A pack was yanked since."),
      "410": error("Expired."),
    },
  },
  {
    method: "get",
    path: "/api/v1/grants/{capability}/{format}",
    operationId: "getGrantManifest",
    summary: "A grant's manifest: urls.txt, bundle.curl, manifest.json, SHA256SUMS, download.sh or images.txt",
    tags: ["downloads"],
    params: grantCapability.extend(formatParam.shape),
    responses: {
      "200": manifest("The manifest, as an attachment."),
      "403": error("Revoked."),
      "404": error("Unknown capability or format."),
      "409": error("A pack was yanked since."),
      "410": error("Expired."),
      "503": error(
        "integrity: a verified copy (e.g. a signature SHA256SUMS sums) is missing or changed in storage; misconfigured: no STUDIO_SIGNING_KEYS.",
      ),
    },
  },
  {
    method: "get",
    path: "/api/v1/grants/{capability}/bundle.tar",
    operationId: "getGrantTar",
    summary:
      "Every file of the grant, its signature, the signed release manifests, SHA256SUMS, the studio's signed bundle list, the public keys, verify-signatures.sh and verify-bundle.sh as one ustar archive",
    tags: ["downloads"],
    params: grantCapability,
    responses: {
      "200": {
        description: "application/x-tar, streamed, with Content-Length.",
        contentType: "application/x-tar",
        schema: z.string(),
      },
      "403": error("Revoked."),
      "404": error("Unknown capability."),
      "409": error("A pack was yanked since."),
      "410": error("Expired."),
      "503": error(
        "integrity: an object of the archive is missing or changed in storage (each named); nothing was sent.",
      ),
    },
  },
  {
    method: "get",
    path: "/api/v1/manifests/installers/{product}/{version}/{format}",
    operationId: "installerManifest",
    summary: "Automation: a fresh grant for a product version's installers, answered as one manifest format",
    tags: ["downloads"],
    security: ["apiToken"],
    params: z.object({ product: z.string(), version: z.string() }).extend(formatParam.shape),
    query: z.object({
      kinds: z
        .string()
        .optional()
        .meta({ description: `Comma-separated: ${INSTALLER_KINDS.join(", ")}` }),
    }),
    responses: {
      "200": {
        ...manifest("The manifest; X-Grant-Id names the grant."),
        headers: {
          "X-Grant-Id": { description: "The grant issued" },
          Link: { description: '<.../api/v1/grants/{capability}>; rel="grant": the grant, opened by its capability' },
        },
      },
      ...gateErrors,
    },
  },
  {
    method: "post",
    path: "/api/v1/manifests/bundle/{format}",
    operationId: "bundleManifest",
    summary: "Automation: a fresh grant for a bundle spec, answered as one manifest format",
    tags: ["downloads"],
    security: ["apiToken"],
    params: formatParam,
    body: bundleSpec,
    responses: { "200": manifest("The manifest."), ...gateErrors, ...tooLarge },
  },
  {
    method: "post",
    path: "/api/v1/manifests/packs/{format}",
    operationId: "packsManifest",
    summary: "Automation: a fresh grant for a list of packs, answered as one manifest format",
    tags: ["downloads"],
    security: ["apiToken"],
    params: formatParam,
    body: z.object({ packs: z.array(packRef).min(1).max(500) }),
    responses: { "200": manifest("The manifest."), ...gateErrors, ...tooLarge },
  },
  {
    method: "post",
    path: "/api/v1/admin/tokens",
    operationId: "createApiToken",
    summary: "Create an API token (returned once; only its SHA-256 is stored)",
    tags: ["admin"],
    security: ["adminToken"],
    body: newTokenRequest,
    responses: {
      "201": {
        description: "The token record with the token itself.",
        schema: apiTokenSchema.extend({ token: z.string(), note: z.string() }),
      },
      "401": error("Missing or wrong bearer token."),
    },
  },
  {
    method: "get",
    path: "/api/v1/admin/tokens",
    operationId: "listApiTokens",
    summary: "API tokens (never the token or its hash)",
    tags: ["admin"],
    security: ["adminToken"],
    responses: {
      "200": { description: "The tokens.", schema: z.object({ tokens: z.array(apiTokenSchema) }) },
      "401": error("Missing or wrong bearer token."),
    },
  },
  {
    method: "delete",
    path: "/api/v1/admin/tokens/{id}",
    operationId: "revokeApiToken",
    summary: "Revoke an API token",
    tags: ["admin"],
    security: ["adminToken"],
    params: z.object({ id: z.string() }),
    responses: { "204": { description: "Revoked." }, "404": error("No such active token.") },
  },
  {
    method: "get",
    path: "/api/v1/admin/grants",
    operationId: "listGrants",
    summary:
      "The grant audit trail, newest first: client IP, country, user agent or token, request, files, bytes, expiry",
    tags: ["admin"],
    security: ["adminToken"],
    query: z.object({
      limit: z.number().int().min(1).max(200).optional(),
      before: z.number().int().optional().meta({ description: "nextBefore of the previous page" }),
    }),
    responses: {
      "200": {
        description: "A page of grants.",
        schema: z.object({
          grants: z.array(z.object({ ...grantAuditColumns, createdAt: z.string(), expiresAt: z.string() })),
          nextBefore: z.number().int().nullable().meta({ description: "Pass as ?before= for the next page" }),
        }),
      },
      "401": error("Missing or wrong bearer token."),
    },
  },
  {
    method: "get",
    path: "/api/v1/admin/grants/{id}",
    operationId: "getGrantRecord",
    summary: "One grant as recorded, with the files it handed out",
    tags: ["admin"],
    security: ["adminToken"],
    params: grantId,
    responses: {
      "200": {
        description: "The grant record (times in ms since the epoch).",
        schema: z.object({
          ...grantAuditColumns,
          createdAt: z.number().int(),
          expiresAt: z.number().int(),
          files: z.array(z.looseObject({ kind: z.string(), name: z.string(), version: z.string(), file: z.string() })),
        }),
      },
      "401": error("Missing or wrong bearer token."),
      "404": error("No such grant."),
    },
  },
  {
    method: "post",
    path: "/api/v1/admin/grants/{id}/revoke",
    operationId: "revokeGrant",
    summary: "Revoke a grant: its /dl URLs, manifests and tar stop working at once",
    tags: ["admin"],
    security: ["adminToken"],
    params: grantId,
    responses: {
      "200": { description: "Revoked.", schema: z.object({ id: z.string(), revoked: z.literal(true) }) },
      "401": error("Missing or wrong bearer token."),
      "404": error("No such unrevoked grant."),
    },
  },
);
