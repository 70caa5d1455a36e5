// /api/v1/admin/grants: the grant audit trail (who downloaded what, from where) and revocation.
import { Hono } from "hono";
import { z } from "zod";
import { adminBearer } from "../../admin-auth";
import { primaryWriter } from "../../db/client";
import { getGrant, listGrants, revokeGrant } from "../../db/grants";
import { GRANT_ID } from "../../downloads/grants";
import { notFound } from "../../errors";
import { ADMIN_BODY_BYTES, limitBody } from "../../body-limit";
import { validate } from "../../validate";

export const adminGrantsRoutes = new Hono<{ Bindings: Env }>();

adminGrantsRoutes.use(adminBearer, limitBody(ADMIN_BODY_BYTES));

const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  /** The nextBefore of the previous page. */
  before: z.coerce.number().int().positive().optional(),
});

adminGrantsRoutes.get("/", validate("query", listQuery), async (c) => {
  const { limit, before } = c.req.valid("query");
  const rows = await listGrants(primaryWriter(c.env), limit, before);
  const view = rows.map((g) => ({
    ...g,
    createdAt: new Date(g.createdAt).toISOString(),
    expiresAt: new Date(g.expiresAt).toISOString(),
  }));
  return c.json({ grants: view, nextBefore: rows.length === limit ? rows[rows.length - 1].createdAt : null });
});

const idParam = z.object({ id: z.string().regex(GRANT_ID, "must be a grant id") });

adminGrantsRoutes.get("/:id", validate("param", idParam), async (c) => {
  const grant = await getGrant(primaryWriter(c.env), c.req.valid("param").id);
  if (!grant) throw notFound(`grant ${c.req.valid("param").id}`);
  const { capabilityHash: _hash, ...shown } = grant;
  return c.json(shown);
});

adminGrantsRoutes.post("/:id/revoke", validate("param", idParam), async (c) => {
  const { id } = c.req.valid("param");
  if (!(await revokeGrant(primaryWriter(c.env), id, Date.now()))) throw notFound(`unrevoked grant ${id}`);
  return c.json({ id, revoked: true });
});
