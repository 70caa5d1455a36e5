// /api/v1/admin/tokens: API tokens for automation. The token is returned once, at creation; only
// its SHA-256 is stored. Admin bearer only (checked here too, so the mount order cannot matter).
import { z } from "@hono/zod-openapi";
import { adminBearer } from "../../admin-auth";
import { primary } from "../../db/client";
import { insertApiToken, listApiTokens, revokeApiToken } from "../../db/grant-queries";
import { generateToken, hashToken, newTokenRequest } from "../../downloads/api-tokens";
import { notFound } from "../../errors";
import { ADMIN_BODY_BYTES, limitBody } from "../../body-limit";
import { ADMIN, apiApp, apiRoute, error, json, jsonBody, unauthorized } from "../api-app";

export const tokensRoutes = apiApp();

tokensRoutes.use(adminBearer, limitBody(ADMIN_BODY_BYTES));

const apiTokenSchema = z.object({
  id: z.string(),
  name: z.string(),
  scopes: z.array(z.string()),
  createdAt: z.number().int(),
  lastUsedAt: z.number().int().nullable(),
  revokedAt: z.number().int().nullable(),
});

const createTokenRoute = apiRoute({
  ...ADMIN,
  method: "post",
  path: "/",
  operationId: "createApiToken",
  summary: "Create an API token (returned once; only its SHA-256 is stored)",
  request: { body: jsonBody(newTokenRequest) },
  responses: {
    201: json(
      apiTokenSchema.extend({ token: z.string(), note: z.string() }),
      "The token record with the token itself.",
    ),
    401: unauthorized,
  },
});

tokensRoutes.openapi(createTokenRoute, async (c) => {
  const { name, scopes } = c.req.valid("json");
  const token = generateToken();
  const record = await insertApiToken(primary(c.env), {
    id: crypto.randomUUID(),
    name,
    scopes,
    tokenHash: await hashToken(token),
  });
  const { tokenHash: _hash, ...shown } = record;
  return c.json({ ...shown, token, note: "store the token now: it is not shown again" }, 201, {
    "Cache-Control": "no-store",
  });
});

const listTokensRoute = apiRoute({
  ...ADMIN,
  method: "get",
  path: "/",
  operationId: "listApiTokens",
  summary: "API tokens (never the token or its hash)",
  responses: { 200: json(z.object({ tokens: z.array(apiTokenSchema) }), "The tokens."), 401: unauthorized },
});

tokensRoutes.openapi(listTokensRoute, async (c) => c.json({ tokens: await listApiTokens(primary(c.env)) }, 200));

const revokeTokenRoute = apiRoute({
  ...ADMIN,
  method: "delete",
  path: "/{id}",
  operationId: "revokeApiToken",
  summary: "Revoke an API token",
  request: { params: z.object({ id: z.uuid() }) },
  responses: { 204: { description: "Revoked." }, 404: error("No such active token.") },
});

tokensRoutes.openapi(revokeTokenRoute, async (c) => {
  const { id } = c.req.valid("param");
  if (!(await revokeApiToken(primary(c.env), id, Date.now()))) throw notFound(`active token ${id}`);
  return c.body(null, 204);
});
