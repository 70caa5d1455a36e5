// Admin API for the signing keys: how each trusted key stands, what the catalog holds under a key,
// and the incident call that yanks all of it at once (audited). Bearer token only.
import { Hono } from "hono";
import { z } from "zod";
import { adminBearer } from "../../admin-auth";
import { ADMIN_BODY_BYTES, limitBody } from "../../body-limit";
import { primaryWriter } from "../../db/client";
import { auditTrail, publishedUnderKey, yankSignedByKey } from "../../db/key-incidents";
import { config } from "../../env";
import { notFound } from "../../errors";
import { keyStatus } from "../../keys";
import { registerOperations, registerSchemas } from "../../openapi";
import { validate } from "../../validate";
import { admin, reasonBody, unauthorized } from "./admin";

export const adminKeysRoutes = new Hono<{ Bindings: Env }>();

adminKeysRoutes.use(adminBearer, limitBody(ADMIN_BODY_BYTES));

const keyParams = z.object({ id: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, "a key id") });
const yankBody = reasonBody;
const auditQuery = z.object({ limit: z.coerce.number().int().min(1).max(100).default(50) });

const keyStatusSchema = z.object({
  id: z.string(),
  status: z.enum(["current", "revoked", "expired"]),
  revokedAt: z.string().nullable(),
  notAfter: z.string().nullable(),
});
const signedByKeySchema = z.object({
  keyId: z.string(),
  releases: z.array(z.string()),
  packVersions: z.array(z.object({ id: z.string(), fileName: z.string(), yanked: z.boolean() })),
  installers: z.array(
    z.object({ product: z.string(), version: z.string(), kind: z.string(), fileName: z.string(), yanked: z.boolean() }),
  ),
});
const keyYankSchema = z.object({
  keyId: z.string(),
  auditId: z.string(),
  packVersionsYanked: z.number().int(),
  installersYanked: z.number().int(),
});
const auditEventSchema = z.object({
  id: z.string(),
  at: z.number().int(),
  action: z.string(),
  subject: z.string(),
  reason: z.string().nullable(),
  details: z.unknown(),
});

adminKeysRoutes.get("/keys", (c) => {
  const now = Date.now();
  return c.json({
    keys: config(c.env).TRUSTED_PUBLIC_KEYS.map((k) => ({
      id: k.id,
      status: keyStatus(k, now),
      revokedAt: k.revokedAt ?? null,
      notAfter: k.notAfter ?? null,
    })),
  });
});

// Keys that were removed from TRUSTED_PUBLIC_KEYS may still have published files: any id is asked.
adminKeysRoutes.get("/keys/:id/published", validate("param", keyParams), async (c) =>
  c.json(await publishedUnderKey(primaryWriter(c.env), c.req.valid("param").id)),
);

adminKeysRoutes.post("/keys/:id/yank", validate("param", keyParams), validate("json", yankBody), async (c) => {
  const { id } = c.req.valid("param");
  const db = primaryWriter(c.env);
  const known = config(c.env).TRUSTED_PUBLIC_KEYS.some((k) => k.id === id);
  if (!known && !(await publishedUnderKey(db, id)).releases.length) throw notFound(`key ${id}`);
  return c.json(await yankSignedByKey(db, id, c.req.valid("json").reason, Date.now()));
});

adminKeysRoutes.get("/audit", validate("query", auditQuery), async (c) =>
  c.json({ events: await auditTrail(primaryWriter(c.env), c.req.valid("query").limit) }),
);

registerSchemas({
  KeyStatusList: z.object({ keys: z.array(keyStatusSchema) }),
  SignedByKey: signedByKeySchema,
  KeyYank: keyYankSchema,
  AuditTrail: z.object({ events: z.array(auditEventSchema) }),
});
registerOperations(
  {
    ...admin,
    method: "get",
    path: "/api/v1/admin/keys",
    operationId: "listTrustedKeys",
    summary: "The trusted keys and how each stands: current, revoked or expired",
    responses: { "200": { description: "The keys.", schema: "KeyStatusList" }, "401": unauthorized },
  },
  {
    ...admin,
    method: "get",
    path: "/api/v1/admin/keys/{id}/published",
    operationId: "listPublishedUnderKey",
    summary: "Everything the catalog holds under a key: its file signatures or its releases' manifests",
    params: keyParams,
    responses: {
      "200": { description: "Releases, pack versions and installers.", schema: "SignedByKey" },
      "401": unauthorized,
    },
  },
  {
    ...admin,
    method: "post",
    path: "/api/v1/admin/keys/{id}/yank",
    operationId: "yankSignedByKey",
    summary: "Incident response: yank every pack version and installer signed under a key, in one audited batch",
    params: keyParams,
    body: yankBody,
    responses: {
      "200": { description: "How much was yanked, and the audit record's id.", schema: "KeyYank" },
      "401": unauthorized,
      "404": { description: "No such key, and nothing was ever published under it.", schema: "Error" },
    },
  },
  {
    ...admin,
    method: "get",
    path: "/api/v1/admin/audit",
    operationId: "listAuditEvents",
    summary: "Bulk admin actions, newest first",
    query: auditQuery,
    responses: { "200": { description: "The audit trail.", schema: "AuditTrail" }, "401": unauthorized },
  },
);
