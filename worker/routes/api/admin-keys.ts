// Admin API for the signing keys: how each trusted key stands, what the catalog holds under a key,
// and the incident call that yanks all of it at once (audited). Bearer token only.
import { z } from "@hono/zod-openapi";
import { adminBearer } from "../../admin-auth";
import { ADMIN_BODY_BYTES, limitBody } from "../../body-limit";
import { primary } from "../../db/client";
import { auditTrail, publishedUnderKey, yankSignedByKey } from "../../db/key-incidents";
import { config } from "../../env";
import { notFound } from "../../errors";
import { keyStatus } from "../../key-status";
import { ADMIN, apiApp, apiRoute, json, unauthorized } from "../api-app";
import { yankRoute } from "./admin";

export const adminKeysRoutes = apiApp();

adminKeysRoutes.use(adminBearer, limitBody(ADMIN_BODY_BYTES));

const keyParams = z.object({ id: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, "a key id") });
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
  metadataRestored: z.object({ products: z.array(z.string()), packs: z.array(z.string()) }),
});
const auditEventSchema = z.object({
  id: z.string(),
  at: z.number().int(),
  action: z.string(),
  subject: z.string(),
  reason: z.string().nullable(),
  details: z.unknown(),
});

const keysRoute = apiRoute({
  ...ADMIN,
  method: "get",
  path: "/keys",
  operationId: "listTrustedKeys",
  summary: "The trusted keys and how each stands: current, revoked or expired",
  responses: {
    200: json(z.object({ keys: z.array(keyStatusSchema) }).openapi("KeyStatusList"), "The keys."),
    401: unauthorized,
  },
});

adminKeysRoutes.openapi(keysRoute, (c) => {
  const now = Date.now();
  return c.json(
    {
      keys: config(c.env).TRUSTED_PUBLIC_KEYS.map((k) => ({
        id: k.id,
        status: keyStatus(k, now),
        revokedAt: k.revokedAt ?? null,
        notAfter: k.notAfter ?? null,
      })),
    },
    200,
  );
});

const publishedRoute = apiRoute({
  ...ADMIN,
  method: "get",
  path: "/keys/{id}/published",
  operationId: "listPublishedUnderKey",
  summary: "Everything the catalog holds under a key: its file signatures or its releases' manifests",
  request: { params: keyParams },
  responses: {
    200: json(signedByKeySchema.openapi("SignedByKey"), "Releases, pack versions and installers."),
    401: unauthorized,
  },
});

// Keys that were removed from TRUSTED_PUBLIC_KEYS may still have published files: any id is asked.
adminKeysRoutes.openapi(publishedRoute, async (c) =>
  c.json(await publishedUnderKey(primary(c.env), c.req.valid("param").id), 200),
);

const yankKeyRoute = yankRoute({
  path: "/keys/{id}/yank",
  operationId: "yankSignedByKey",
  summary:
    "Incident response: yank every pack version and installer signed under a key, restore the product and pack metadata it wrote, and refuse its new drops, in one audited batch",
  params: keyParams,
  yanked: keyYankSchema.openapi("KeyYank"),
  yankedDescription: "How much was yanked, and the audit record's id.",
  missing: "No such key, and nothing was ever published under it.",
});

adminKeysRoutes.openapi(yankKeyRoute, async (c) => {
  const { id } = c.req.valid("param");
  const db = primary(c.env);
  const known = config(c.env).TRUSTED_PUBLIC_KEYS.some((k) => k.id === id);
  if (!known && !(await publishedUnderKey(db, id)).releases.length) throw notFound(`key ${id}`);
  return c.json(await yankSignedByKey(db, id, c.req.valid("json").reason, Date.now()), 200);
});

const auditRoute = apiRoute({
  ...ADMIN,
  method: "get",
  path: "/audit",
  operationId: "listAuditEvents",
  summary: "Bulk admin actions, newest first",
  request: { query: auditQuery },
  responses: {
    200: json(z.object({ events: z.array(auditEventSchema) }).openapi("AuditTrail"), "The audit trail."),
    401: unauthorized,
  },
});

adminKeysRoutes.openapi(auditRoute, async (c) =>
  c.json({ events: await auditTrail(primary(c.env), c.req.valid("query").limit) }, 200),
);
