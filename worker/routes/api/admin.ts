// Admin API: the catalog sync (run now, status, quarantine), yanking packs and installers, and recounting
// the catalog's kept counts. Bearer token only.
import { z } from "@hono/zod-openapi";
import { adminBearer } from "../../admin-auth";
import { INSTALLER_KINDS, packRef, productId } from "../../domain/vocabulary";
import { type Db, primary } from "../../db/client";
import { yankPackVersion } from "../../db/yank";
import { recountCatalog } from "../../db/counts/facets";
import { rekeyDisplayNames } from "../../db/display-keys";
import {
  getRelease,
  listReleases,
  listSyncRuns,
  type ReleaseCursor,
  releaseStuckRelease,
  requeueQuarantined,
} from "../../db/releases";
import { yankInstaller } from "../../db/key-incidents";
import { RELEASE_STATUSES } from "../../db/schema";
import { ApiError, notFound } from "../../errors";
import {
  releasePageSchema,
  releaseSchema,
  syncRunListSchema,
  syncSummarySchema,
  yankedPackVersionSchema,
} from "../../sync/admin-schemas";
import { runSync } from "../../sync/run";
import { ADMIN_BODY_BYTES, limitBody } from "../../body-limit";
import { ADMIN, apiApp, apiRoute, error, json, jsonBody, unauthorized } from "../api-app";

export const adminRoutes = apiApp();

adminRoutes.use(adminBearer, limitBody(ADMIN_BODY_BYTES));

const limit = (fallback: number) => z.coerce.number().int().min(1).max(100).default(fallback);

/** The opaque cursor is base64url JSON of the last row's sort key. */
const encodeCursor = (cursor: ReleaseCursor) => Buffer.from(JSON.stringify(cursor)).toString("base64url");
const releaseCursor = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(Buffer.from(text, "base64url").toString("utf8")) as unknown;
    } catch {
      ctx.addIssue({ code: "custom", message: "not a cursor this API returned" });
      return z.NEVER;
    }
  })
  .pipe(z.object({ claimedAt: z.number().int(), id: z.string() }, { error: "not a cursor this API returned" }));

const runsQuery = z.object({ limit: limit(20) });
const releasesQuery = z.object({
  status: z.enum(RELEASE_STATUSES).optional(),
  limit: limit(50),
  cursor: releaseCursor.optional(),
});
const releaseParams = z.object({ id: z.string().min(1) });
/** Why an admin yanks or abandons something; recorded with it. */
export const reasonBody = z.object({ reason: z.string().trim().min(1, "a reason is required").max(500) });

/**
 * An admin yank (a pack version, an installer, everything under a key): POST with a reason, 200 with
 * the yank's record, 404 when there is nothing of that name. Each yank declares only what differs.
 */
export const yankRoute = <P extends string, Params extends z.ZodObject, Yanked extends z.ZodType>(yank: {
  path: P;
  operationId: string;
  summary: string;
  description?: string;
  params: Params;
  yanked: Yanked;
  yankedDescription: string;
  missing: string;
}) =>
  apiRoute({
    ...ADMIN,
    method: "post",
    path: yank.path,
    operationId: yank.operationId,
    summary: yank.summary,
    ...(yank.description === undefined ? {} : { description: yank.description }),
    request: { params: yank.params, body: jsonBody(reasonBody) },
    responses: { 200: json(yank.yanked, yank.yankedDescription), 401: unauthorized, 404: error(yank.missing) },
  });

const SyncSummary = syncSummarySchema.openapi("SyncSummary");

const syncRoute = apiRoute({
  ...ADMIN,
  method: "post",
  path: "/sync",
  operationId: "runSync",
  summary: "Run the catalog sync now (the same run the Cron Trigger starts every 10 minutes)",
  responses: { 200: json(SyncSummary, "What the run did."), 401: unauthorized },
});

adminRoutes.openapi(syncRoute, async (c) => c.json(await runSync(c.env, { trigger: "admin" }), 200));

const runsRoute = apiRoute({
  ...ADMIN,
  method: "get",
  path: "/sync/runs",
  operationId: "listSyncRuns",
  summary: "Recent sync runs, newest first",
  request: { query: runsQuery },
  responses: { 200: json(syncRunListSchema.openapi("SyncRunList"), "The runs."), 401: unauthorized },
});

adminRoutes.openapi(runsRoute, async (c) => {
  const runs = await listSyncRuns(primary(c.env), c.req.valid("query").limit);
  return c.json({ runs }, 200);
});

const releasesRoute = apiRoute({
  ...ADMIN,
  method: "get",
  path: "/releases",
  operationId: "listReleases",
  summary: "Release folders the sync has claimed (published, quarantined with reason, processing), newest first",
  request: { query: releasesQuery },
  responses: { 200: json(releasePageSchema.openapi("ReleasePage"), "A page of releases."), 401: unauthorized },
});

adminRoutes.openapi(releasesRoute, async (c) => {
  const { status, limit, cursor } = c.req.valid("query");
  const page = await listReleases(primary(c.env), { status, limit, after: cursor });
  return c.json({ releases: page.releases, nextCursor: page.next ? encodeCursor(page.next) : null }, 200);
});

const Release = releaseSchema.openapi("Release");
const noRelease = error("The sync has never claimed such a release.");

const releaseRoute = apiRoute({
  ...ADMIN,
  method: "get",
  path: "/releases/{id}",
  operationId: "getRelease",
  summary: "One release with its status, reason and per-file details",
  request: { params: releaseParams },
  responses: { 200: json(Release, "The release."), 401: unauthorized, 404: noRelease },
});

adminRoutes.openapi(releaseRoute, async (c) => {
  const { id } = c.req.valid("param");
  const release = await getRelease(primary(c.env), id);
  if (!release) throw notFound(`release ${id}`);
  return c.json(release, 200);
});

const yankPackRoute = yankRoute({
  path: "/packs/{name}/versions/{version}/yank",
  operationId: "yankPackVersion",
  summary: "Yank a pack version: it leaves the catalog and downloads refuse it; the record stays",
  description: "Yanking an already yanked version answers 200 with the first yank's record and changed: false.",
  params: packRef,
  yanked: yankedPackVersionSchema.openapi("YankedPackVersion"),
  yankedDescription: "The yanked pack version.",
  missing: "No such pack version.",
});

// Yanking twice answers 200 with the first yank's record (changed: false): retries are harmless.
adminRoutes.openapi(yankPackRoute, async (c) => {
  const { name, version } = c.req.valid("param");
  const yanked = await yankPackVersion(primary(c.env), name, version, c.req.valid("json").reason, Date.now());
  if (!yanked) throw notFound(`pack ${name} version ${version}`);
  return c.json(yanked, 200);
});

const abandonBody = reasonBody;

/** Stops the Workflow verifying a release, if one still runs; one that already ended is fine. */
async function stopWorkflow(env: Env, workflowId: string | null): Promise<void> {
  if (!workflowId) return;
  try {
    await (await env.VERIFY_RELEASE.get(workflowId)).terminate();
  } catch (err) {
    console.warn(`workflow ${workflowId} was not terminated`, err);
  }
}

const notProcessing = (id: string) =>
  new ApiError(409, "conflict", `release ${id} is not processing; a quarantined release can be re-queued with retry`);

const retryRoute = apiRoute({
  ...ADMIN,
  method: "post",
  path: "/releases/{id}/retry",
  operationId: "retryRelease",
  summary:
    "Retry a release stuck in processing (its Workflow is stopped) or re-queue a quarantined one: a new attempt starts now, verified from scratch",
  request: { params: releaseParams },
  responses: {
    200: json(SyncSummary, "The sync run that started the new attempt."),
    401: unauthorized,
    404: noRelease,
    409: error("The release is published."),
  },
});

// A release stuck in "processing" (a Workflow that hangs, or an upload to give up on) is handled at once.
// A quarantined one can be re-queued too: anyone who can write incoming/ can get a release id
// quarantined (a garbage release.json under it first), and the publisher's real drop must not stay
// blocked. It is verified from scratch, so a retry never trusts more than a first run would.
adminRoutes.openapi(retryRoute, async (c) => {
  const { id } = c.req.valid("param");
  const db = primary(c.env);
  const stuck = await releaseStuckRelease(db, id, { retry: true });
  if (stuck) await stopWorkflow(c.env, stuck.workflowId);
  else if (!(await requeueQuarantined(db, id, Date.now()))) throw await retryRefusal(db, id);
  return c.json(await runSync(c.env, { trigger: "admin" }), 200);
});

/** Why a retry took nothing: unknown, published, or a claim that changed hands meanwhile. */
async function retryRefusal(db: Db, id: string): Promise<ApiError> {
  const release = await getRelease(db, id);
  if (!release) return notFound(`release ${id}`);
  if (release.status === "published")
    return new ApiError(409, "conflict", `release ${id} is published; what it published can be yanked, not retried`);
  return new ApiError(409, "conflict", `release ${id} changed hands while it was being retried; try again`);
}

const abandonRoute = apiRoute({
  ...ADMIN,
  method: "post",
  path: "/releases/{id}/abandon",
  operationId: "abandonRelease",
  summary: "Abandon a release stuck in processing: its Workflow is stopped and it is quarantined with the reason",
  request: { params: releaseParams, body: jsonBody(abandonBody) },
  responses: {
    200: json(Release, "The release, now quarantined."),
    401: unauthorized,
    404: noRelease,
    409: error("The release is not processing."),
  },
});

adminRoutes.openapi(abandonRoute, async (c) => {
  const { id } = c.req.valid("param");
  const db = primary(c.env);
  const before = await releaseStuckRelease(db, id, { abandon: c.req.valid("json").reason, now: Date.now() });
  if (!before) throw (await getRelease(db, id)) ? notProcessing(id) : notFound(`release ${id}`);
  await stopWorkflow(c.env, before.workflowId);
  return c.json((await getRelease(db, id))!, 200);
});

const installerParams = z.object({
  product: productId,
  version: z.string().min(1).max(40),
  kind: z.enum(INSTALLER_KINDS),
});
const yankedInstallerSchema = z.object({
  fileName: z.string(),
  yanked: z.literal(true),
  yankedAt: z.number().int(),
  yankReason: z.string(),
  changed: z.boolean(),
});

const yankInstallerRoute = yankRoute({
  path: "/products/{product}/versions/{version}/installers/{kind}/yank",
  operationId: "yankInstaller",
  summary: "Yank an installer: it leaves the product page and downloads refuse it; the record stays",
  params: installerParams,
  yanked: yankedInstallerSchema.openapi("YankedInstaller"),
  yankedDescription: "The yanked installer.",
  missing: "No such installer.",
});

adminRoutes.openapi(yankInstallerRoute, async (c) => {
  const installer = c.req.valid("param");
  const yanked = await yankInstaller(primary(c.env), installer, c.req.valid("json").reason, Date.now());
  if (!yanked) throw notFound(`${installer.kind} of ${installer.product} ${installer.version}`);
  return c.json(yanked, 200);
});

const recountSchema = z.object({
  sortKeysRewritten: z.number().int().meta({
    description:
      "Packs whose display sort key (the order every list follows) was rewritten with the exact folding first; migration 0015 folds ASCII only.",
  }),
  generation: z.number().int().meta({ description: "The catalog generation the recount committed as." }),
  auditId: z.string().meta({ description: "The audit event that records it (GET /api/v1/admin/audit)." }),
  rows: z
    .object({
      facetCounts: z.number().int(),
      facetProfiles: z.number().int(),
      facetSummaries: z.number().int(),
      productRanges: z.number().int(),
      productVersionIntervals: z.number().int(),
      productVersionCounts: z.number().int(),
    })
    .meta({ description: "The rows each kept table holds after the recount." }),
});

const recountRoute = apiRoute({
  ...ADMIN,
  method: "post",
  path: "/catalog/recount",
  operationId: "recountCatalog",
  summary:
    "Rewrite packs' display sort keys exactly, then recount every kept facet count, profile and range from the versions in one batch, with a new catalog generation and an audit event",
  request: { body: jsonBody(reasonBody) },
  responses: {
    200: json(recountSchema.openapi("CatalogRecount"), "The new generation and the rows each kept table holds."),
    401: unauthorized,
  },
});

adminRoutes.openapi(recountRoute, async (c) => {
  const db = primary(c.env);
  // Keys first: the recount's new generation then also starts cached lists afresh.
  const sortKeysRewritten = await rekeyDisplayNames(db);
  return c.json({ sortKeysRewritten, ...(await recountCatalog(db, c.req.valid("json").reason, Date.now())) }, 200);
});
