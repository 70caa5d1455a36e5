// /api/v1/admin/grants: the grant audit trail (who downloaded what, from where), revocation, and the
// retention batch the cron runs (archive grants past GRANT_RETENTION_DAYS to R2), on demand.
import { z } from "@hono/zod-openapi";
import { adminBearer } from "../../admin-auth";
import { primary } from "../../db/client";
import { getGrant, listGrants, revokeGrant } from "../../db/grant-queries";
import { GRANT_ID } from "../../downloads/granting";
import { archiveExpiredGrants } from "../../downloads/grant-retention";
import { ConfigError } from "../../env";
import { ApiError, NotFound, notFound } from "../../errors";
import { ADMIN_BODY_BYTES, limitBody } from "../../body-limit";
import { ADMIN, apiApp, apiRoute, error, json, unauthorized } from "../api-app";

export const adminGrantsRoutes = apiApp();

adminGrantsRoutes.use(adminBearer, limitBody(ADMIN_BODY_BYTES));

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

const idParam = z.object({
  id: z.string().regex(GRANT_ID, "must be a grant id").meta({ description: "Grant id (22 characters)" }),
});

const listRoute = apiRoute({
  ...ADMIN,
  method: "get",
  path: "/",
  operationId: "listGrants",
  summary:
    "The grant audit trail, newest first: client IP, country, user agent or token, request, files, bytes, expiry",
  request: {
    query: z.object({
      limit: z.coerce.number().int().min(1).max(200).default(50),
      before: z.coerce
        .number()
        .int()
        .positive()
        .optional()
        .meta({ description: "The nextBefore of the previous page" }),
    }),
  },
  responses: {
    200: json(
      z.object({
        grants: z.array(z.object({ ...grantAuditColumns, createdAt: z.string(), expiresAt: z.string() })),
        nextBefore: z.number().int().nullable().meta({ description: "Pass as ?before= for the next page" }),
      }),
      "A page of grants.",
    ),
    401: unauthorized,
  },
});

adminGrantsRoutes.openapi(listRoute, async (c) => {
  const { limit, before } = c.req.valid("query");
  const rows = await listGrants(primary(c.env), limit, before);
  const view = rows.map((g) => ({
    ...g,
    createdAt: new Date(g.createdAt).toISOString(),
    expiresAt: new Date(g.expiresAt).toISOString(),
  }));
  return c.json({ grants: view, nextBefore: rows.length === limit ? rows[rows.length - 1].createdAt : null }, 200);
});

const getRoute = apiRoute({
  ...ADMIN,
  method: "get",
  path: "/{id}",
  operationId: "getGrantRecord",
  summary: "One grant as recorded, with the files it handed out",
  request: { params: idParam },
  responses: {
    200: json(
      z.object({
        ...grantAuditColumns,
        createdAt: z.number().int(),
        expiresAt: z.number().int(),
        files: z.array(z.looseObject({ kind: z.string(), name: z.string(), version: z.string(), file: z.string() })),
      }),
      "The grant record (times in ms since the epoch).",
    ),
    401: unauthorized,
    404: error("No such grant (or archived: past retention, it is under audit/grants/ in R2)."),
  },
});

adminGrantsRoutes.openapi(getRoute, async (c) => {
  const grant = await getGrant(primary(c.env), c.req.valid("param").id);
  if (!grant)
    throw new NotFound(
      `grant ${c.req.valid("param").id} not found: grants leave D1 GRANT_RETENTION_DAYS after they expire, archived to R2 under audit/grants/<expiry day>/`,
    );
  const { capabilityHash: _hash, ...shown } = grant;
  return c.json(shown, 200);
});

const revokeRoute = apiRoute({
  ...ADMIN,
  method: "post",
  path: "/{id}/revoke",
  operationId: "revokeGrant",
  summary: "Revoke a grant: its /dl URLs, manifests and tar stop working at once",
  request: { params: idParam },
  responses: {
    200: json(z.object({ id: z.string(), revoked: z.literal(true) }), "Revoked."),
    401: unauthorized,
    404: error("No such unrevoked grant."),
  },
});

adminGrantsRoutes.openapi(revokeRoute, async (c) => {
  const { id } = c.req.valid("param");
  if (!(await revokeGrant(primary(c.env), id, Date.now()))) throw notFound(`unrevoked grant ${id}`);
  return c.json({ id, revoked: true as const }, 200);
});

const archiveRoute = apiRoute({
  ...ADMIN,
  method: "post",
  path: "/archive",
  operationId: "archiveExpiredGrants",
  summary:
    "Run one grant retention batch now, as each cron run does after the sync: grants expired more than GRANT_RETENTION_DAYS ago go to R2 (audit/grants/), then leave D1",
  responses: {
    200: json(
      z.object({
        cutoff: z.number().int().meta({ description: "Grants that expired before this (ms) are past retention" }),
        archived: z.number().int().meta({ description: "Grants archived and deleted by this batch" }),
        key: z.string().optional().meta({ description: "The archive object written" }),
        sha256: z.string().optional().meta({ description: "Its sha256, as R2 checked and stored it" }),
        more: z.boolean().meta({ description: "Grants past retention still wait for the next batch" }),
      }),
      "What the batch did.",
    ),
    401: unauthorized,
    503: error("archive_failed: the archive could not be written or verified, or D1 failed; nothing was deleted."),
  },
});

adminGrantsRoutes.openapi(archiveRoute, async (c) => {
  try {
    return c.json(await archiveExpiredGrants(c.env, Date.now()), 200);
  } catch (err) {
    if (err instanceof ConfigError) throw err; // the one misconfigured answer
    const why = err instanceof Error ? err.message : String(err);
    throw new ApiError(503, "archive_failed", `grant archive failed, nothing was deleted: ${why}`);
  }
});
