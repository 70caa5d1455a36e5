// /api/v1/admin/tokens: API tokens for automation. The token is returned once, at creation; only
// its SHA-256 is stored. Admin bearer only (checked here too, so the mount order cannot matter).
import { Hono } from "hono";
import { z } from "zod";
import { adminBearer } from "../../admin-auth";
import { primaryWriter } from "../../db/client";
import { insertApiToken, listApiTokens, revokeApiToken } from "../../db/grants";
import { generateToken, hashToken, newTokenRequest } from "../../downloads/tokens";
import { notFound } from "../../errors";
import { ADMIN_BODY_BYTES, limitBody } from "../../body-limit";
import { validate } from "../../validate";

export const tokensRoutes = new Hono<{ Bindings: Env }>();

tokensRoutes.use(adminBearer, limitBody(ADMIN_BODY_BYTES));

tokensRoutes.post("/", validate("json", newTokenRequest), async (c) => {
  const { name, scopes } = c.req.valid("json");
  const token = generateToken();
  const record = await insertApiToken(primaryWriter(c.env), {
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

tokensRoutes.get("/", async (c) => c.json({ tokens: await listApiTokens(primaryWriter(c.env)) }));

tokensRoutes.delete("/:id", validate("param", z.object({ id: z.uuid() })), async (c) => {
  const { id } = c.req.valid("param");
  if (!(await revokeApiToken(primaryWriter(c.env), id, Date.now()))) throw notFound(`active token ${id}`);
  return c.body(null, 204);
});
