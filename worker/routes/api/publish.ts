// /api/v1/publish: the publisher's half of the studio. A publisher token (created by an admin under
// /api/v1/admin/publisher-tokens) uploads a release into incoming/<release-id>/ (write-once, parts
// under 100 MB) and asks the sync to take that release now; anyone may read the settings a release
// must meet and plan a release.json against the live catalog with the sync's own code. Nothing
// uploaded here is trusted: the sync verifies the signatures as for any other drop.
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { adminBearer } from "../../admin-auth";
import { ADMIN_BODY_BYTES, limitBody, PUBLISH_POST_BODY_BYTES } from "../../body-limit";
import { primary } from "../../db/client";
import { getRelease } from "../../db/releases";
import {
  auditPublish,
  insertPublisherToken,
  listPublisherTokens,
  revokePublisherToken,
} from "../../db/publisher-tokens";
import { config } from "../../env";
import { badField, invalidInput, notFound } from "../../errors";
import { trustedKeysOnRecord } from "../../key-record";
import { keyStatus } from "../../key-status";
import {
  assertMayPublish,
  authenticatePublisher,
  generatePublisherToken,
  hashPublisherToken,
  type Publisher,
} from "../../publish/publisher-auth";
import { assertBatchShape, assertNoneRefused, putBatch } from "../../publish/batch";
import * as s from "../../publish/schemas";
import {
  assertOpenForUploads,
  bodyLength,
  completeUpload,
  listReleaseObjects,
  MAX_PART_BYTES,
  MIN_PART_BYTES,
  putObject,
  putPart,
  startUpload,
} from "../../publish/uploads";
import { loadCatalogFacts } from "../../db/publish-batch";
import { planRelease } from "../../sync/plan";
import { planView } from "../../publish/plan-view";
import { RELEASE_JSON, releaseManifest } from "../../sync/release-manifest";
import { readSignedJson, repeatedKeyField } from "../../sync/signed-json";
import { MAX_RELEASE_JSON_BYTES } from "../../sync/signed-manifest";
import { runSync } from "../../sync/run";
import { apiApp } from "../api-app";

type PublishEnv = { Bindings: Env; Variables: { publisher: Publisher } };

export const publishApi = apiApp<PublishEnv>();

publishApi.openAPIRegistry.registerComponent("securitySchemes", "publisherToken", {
  type: "http",
  scheme: "bearer",
  description: "A publisher token (asp_…) from POST /api/v1/admin/publisher-tokens.",
});

const json = (schema: z.ZodType, description: string) => ({ description, content: { "application/json": { schema } } });
const clientError = { $ref: "#/components/responses/ClientError" } as const;
const publisher = { tags: ["publish"], security: [{ publisherToken: [] }] };
const errors = { "4XX": clientError };

/** Publisher routes: the token, its scope over the release id, and the rate limit, before anything else. */
const asPublisher = async (c: Context<PublishEnv>, next: () => Promise<void>) => {
  const who = await authenticatePublisher(c.env, primary(c.env), c.req.header("Authorization"), (p) =>
    c.executionCtx.waitUntil(p),
  );
  assertMayPublish(who, c.req.param("releaseId") ?? "");
  c.set("publisher", who);
  await next();
};
// The body limit before the token check, so an oversized body is refused without a D1 read. The
// largest POST body here is a multipart completion's part list (10,000 parts at most), but for a
// batch, whose length must be declared (the Worker holds it whole while it parses it).
const limitPostBody = limitBody(PUBLISH_POST_BODY_BYTES);
const limitBatchBody = limitBody(s.MAX_BATCH_BYTES);
const BATCH_PATH = /^\/api\/v1\/publish\/releases\/[^/]+\/batch$/;
publishApi.use("/api/v1/publish/releases/:releaseId/*", (c, next) => {
  if (c.req.method !== "POST") return next();
  if (!BATCH_PATH.test(c.req.path)) return limitPostBody(c, next);
  bodyLength(c.req.header("Content-Length"), s.MAX_BATCH_BYTES, "send fewer files per batch");
  return limitBatchBody(c, next);
});
publishApi.use("/api/v1/publish/releases/:releaseId/*", asPublisher);
publishApi.use("/api/v1/publish/releases/:releaseId", asPublisher);

const audit = (c: Context<PublishEnv>, action: string, subject: string, details?: Record<string, unknown>) =>
  c.executionCtx.waitUntil(auditPublish(primary(c.env), { action, subject, tokenId: c.get("publisher").id, details }));

// --- public: what a release must meet, and what the sync would make of one -----------------------

publishApi.openapi(
  createRoute({
    method: "get",
    path: "/api/v1/publish/config",
    operationId: "getPublishConfig",
    summary: "The audience a release.json must name here, the trusted keys with their status, and the part limits",
    tags: ["publish"],
    security: [],
    responses: { 200: json(s.publishConfigSchema, "The settings."), ...errors },
  }),
  async (c) => {
    const cfg = config(c.env);
    const now = Date.now();
    return c.json(
      {
        audience: cfg.RELEASE_AUDIENCE,
        keys: (await trustedKeysOnRecord(c.env)).map((k) => ({
          id: k.id,
          status: keyStatus(k, now),
          revoked: k.revoked,
          ...(k.revokedAt && { revokedAt: k.revokedAt }),
          ...(k.notAfter && { notAfter: k.notAfter }),
          ...(k.yankedAt && { yankedAt: k.yankedAt }),
          pem: k.pem,
        })),
        maxPartBytes: MAX_PART_BYTES,
        minPartBytes: MIN_PART_BYTES,
        maxBatchBytes: s.MAX_BATCH_BYTES,
        maxBatchFiles: s.MAX_BATCH_FILES,
      },
      200,
    );
  },
);

publishApi.use("/api/v1/publish/plan", limitBody(MAX_RELEASE_JSON_BYTES));
// The body read as the sync reads release.json (worker/sync/signed-json.ts) before the JSON validator
// reads it again from Hono's cache: a repeated key, which JSON.parse would quietly make last-wins, or a
// byte that is not UTF-8, is refused as `check` and the sync refuse it, so the plan never answers for a
// document the sync would quarantine. Text that is not JSON is left to the validator's usual answer.
publishApi.use("/api/v1/publish/plan", async (c, next) => {
  if (c.req.method === "POST") {
    const read = readSignedJson(RELEASE_JSON, new Uint8Array(await c.req.arrayBuffer()));
    if (!read.ok && read.repeated) throw badField(repeatedKeyField(read.repeated), read.problem);
    if (!read.ok && read.notUtf8) throw badField("body", read.problem);
  }
  await next();
});
publishApi.openapi(
  createRoute({
    method: "post",
    path: "/api/v1/publish/plan",
    operationId: "planRelease",
    summary: "Plan a release.json against the live catalog with the sync's own rules (nothing is stored)",
    description:
      "The findings are the ones the sync would quarantine the release with, in its order; signatures, sizes and " +
      "sha256 are checked by `npm run release -- check`, which has the files. The body is read as the sync reads " +
      "release.json: a repeated key (named in the error) or a byte that is not UTF-8 is a 400.",
    tags: ["publish"],
    security: [],
    request: {
      body: {
        required: true,
        content: { "application/json": { schema: z.looseObject({}).openapi({ description: "release.json" }) } },
      },
    },
    responses: { 200: json(s.releasePlanSchema, "The plan."), ...errors },
  }),
  async (c) => {
    const parsed = releaseManifest.safeParse(c.req.valid("json"));
    if (!parsed.success) throw invalidInput(parsed.error, "json");
    const release = parsed.data;
    const db = primary(c.env);
    const now = Date.now();
    const keys = new Map(config(c.env).TRUSTED_PUBLIC_KEYS.map((k) => [k.id, keyStatus(k, now)]));
    const plan = planRelease(release, await loadCatalogFacts(db, release), keys);
    return c.json(planView(plan), 200);
  },
);

// --- the publisher: upload, then "sync my release now" --------------------------------------------

publishApi.openapi(
  createRoute({
    ...publisher,
    method: "get",
    path: "/api/v1/publish/releases/{releaseId}",
    operationId: "getPublishFolder",
    summary: "What the release folder holds (name, size, sha256) and the sync's verdict on it so far",
    request: { params: z.object({ releaseId: s.releaseIdParam }) },
    responses: { 200: json(s.releaseFolderSchema, "The folder and its verdict."), ...errors },
  }),
  async (c) => {
    const { releaseId } = c.req.valid("param");
    const release = (await getRelease(primary(c.env), releaseId)) ?? null;
    return c.json({ releaseId, objects: await listReleaseObjects(c.env.ARTIFACTS, releaseId), release }, 200);
  },
);

const binaryBody = {
  required: true,
  content: { "application/octet-stream": { schema: z.string().openapi({ format: "binary" }) } },
};

publishApi.openapi(
  createRoute({
    ...publisher,
    method: "put",
    path: "/api/v1/publish/releases/{releaseId}/files/{name}",
    operationId: "putReleaseObject",
    summary: `Upload one object of at most ${MAX_PART_BYTES} bytes in one request; write-once (409 if it exists)`,
    request: { params: s.releaseFileParams, headers: s.sha256Header, body: binaryBody },
    responses: { 201: json(s.storedObjectSchema, "Stored."), ...errors },
  }),
  async (c) => {
    const { releaseId, name } = c.req.valid("param");
    const length = bodyLength(c.req.header("Content-Length"));
    await assertOpenForUploads(primary(c.env), releaseId);
    const sha256 = c.req.valid("header")["x-content-sha256"];
    const stored = await putObject(c.env.ARTIFACTS, { releaseId, name }, c.req.raw.body, length, sha256);
    audit(c, "publish-put", `${releaseId}/${name}`, { size: stored.size, sha256 });
    return c.json(stored, 201);
  },
  // Headers arrive lower-cased: the 400 names the header as the docs do.
  (result): undefined => {
    if (result.success) return undefined;
    if (result.target !== "header") throw invalidInput(result.error, result.target);
    throw badField(s.SHA256_HEADER, result.error.issues[0].message);
  },
);

publishApi.openapi(
  createRoute({
    ...publisher,
    method: "post",
    path: "/api/v1/publish/releases/{releaseId}/batch",
    operationId: "putReleaseBatch",
    summary: `Upload up to ${s.MAX_BATCH_FILES} small objects (${s.MAX_BATCH_BYTES} bytes in all) in one request; each write-once`,
    description:
      "multipart/form-data: `objects` (JSON, one {name, size, sha256} per object) then one `file` part per entry, " +
      "in the same order. R2 refuses a part that is not its declared sha256; the answer says, per object, " +
      "whether it was stored, was already there with the same bytes, or is a conflict (other bytes under the " +
      "name: nothing is overwritten). release.json.sig.bin is never in a batch: it goes last, on its own.",
    request: {
      params: z.object({ releaseId: s.releaseIdParam }),
      body: { required: true, content: { "multipart/form-data": { schema: s.batchForm } } },
    },
    responses: { 200: json(s.batchResultSchema, "Each object's outcome, in the order sent."), ...errors },
  }),
  async (c) => {
    const { releaseId } = c.req.valid("param");
    const { objects, file } = c.req.valid("form");
    assertBatchShape(objects, file);
    await assertOpenForUploads(primary(c.env), releaseId);
    const { outcomes, refused } = await putBatch(c.env.ARTIFACTS, releaseId, objects, file);
    const stored = outcomes.filter((o) => o.status === "stored");
    // One audit row for the batch, naming every object it stored.
    if (stored.length)
      audit(c, "publish-batch", releaseId, { files: stored.map(({ name, size, sha256 }) => ({ name, size, sha256 })) });
    assertNoneRefused(objects, refused);
    return c.json({ objects: outcomes }, 200);
  },
);

publishApi.openapi(
  createRoute({
    ...publisher,
    method: "post",
    path: "/api/v1/publish/releases/{releaseId}/files/{name}/uploads",
    operationId: "startReleaseUpload",
    summary: "Start a multipart upload of a new object (its size and sha256 declared); 409 if the object exists",
    request: {
      params: s.releaseFileParams,
      body: { required: true, content: { "application/json": { schema: s.startUploadBody } } },
    },
    responses: { 201: json(s.uploadStartedSchema, "The upload to send parts to."), ...errors },
  }),
  async (c) => {
    const { releaseId, name } = c.req.valid("param");
    await assertOpenForUploads(primary(c.env), releaseId);
    const { uploadId } = await startUpload(c.env.ARTIFACTS, { releaseId, name }, c.req.valid("json"));
    return c.json({ uploadId, partBytes: MAX_PART_BYTES }, 201);
  },
);

publishApi.openapi(
  createRoute({
    ...publisher,
    method: "put",
    path: "/api/v1/publish/releases/{releaseId}/files/{name}/uploads/{uploadId}/parts/{partNumber}",
    operationId: "putReleaseUploadPart",
    summary: `One part (at most ${MAX_PART_BYTES} bytes; all but the last at least ${MIN_PART_BYTES})`,
    request: { params: s.partParams, body: binaryBody },
    responses: { 200: json(s.partSchema, "The part's etag, for complete."), ...errors },
  }),
  async (c) => {
    const target = c.req.valid("param");
    const length = bodyLength(c.req.header("Content-Length"));
    return c.json(await putPart(c.env.ARTIFACTS, target, c.req.raw.body, length), 200);
  },
);

publishApi.openapi(
  createRoute({
    ...publisher,
    method: "post",
    path: "/api/v1/publish/releases/{releaseId}/files/{name}/uploads/{uploadId}/complete",
    operationId: "completeReleaseUpload",
    summary: "Complete a multipart upload; write-once, and the parts must add up to the declared size",
    request: {
      params: s.uploadParams,
      body: { required: true, content: { "application/json": { schema: s.completeBody } } },
    },
    responses: { 201: json(s.storedObjectSchema, "Stored."), ...errors },
  }),
  async (c) => {
    const target = c.req.valid("param");
    await assertOpenForUploads(primary(c.env), target.releaseId);
    const stored = await completeUpload(c.env.ARTIFACTS, target, c.req.valid("json").parts);
    audit(c, "publish-upload", `${target.releaseId}/${target.name}`, { size: stored.size, sha256: stored.sha256 });
    return c.json(stored, 201);
  },
);

publishApi.openapi(
  createRoute({
    ...publisher,
    method: "post",
    path: "/api/v1/publish/releases/{releaseId}/sync",
    operationId: "syncPublishedRelease",
    summary: "Run the sync now for this release only (the Cron Trigger's run, limited to it); poll GET for the verdict",
    request: { params: z.object({ releaseId: s.releaseIdParam }) },
    responses: { 200: json(s.publishSyncSchema, "What the run did, and the release's record."), ...errors },
  }),
  async (c) => {
    const { releaseId } = c.req.valid("param");
    const summary = await runSync(c.env, { trigger: "admin", only: releaseId });
    audit(c, "publish-sync", releaseId, { runId: summary.runId });
    const release = (await getRelease(primary(c.env), releaseId)) ?? null;
    return c.json({ summary, release }, 200);
  },
);

// --- admin: publisher tokens ------------------------------------------------------------------------

const admin = { tags: ["admin"], security: [{ adminToken: [] }] };
publishApi.use("/api/v1/admin/publisher-tokens", adminBearer, limitBody(ADMIN_BODY_BYTES));
publishApi.use("/api/v1/admin/publisher-tokens/*", adminBearer, limitBody(ADMIN_BODY_BYTES));

publishApi.openapi(
  createRoute({
    ...admin,
    method: "post",
    path: "/api/v1/admin/publisher-tokens",
    operationId: "createPublisherToken",
    summary: "Create a publisher token (shown once; stored as SHA-256), optionally limited to a release-id prefix",
    request: { body: { required: true, content: { "application/json": { schema: s.newPublisherTokenBody } } } },
    responses: { 201: json(s.newPublisherTokenSchema, "The token, shown this once."), ...errors },
  }),
  async (c) => {
    const { name, releasePrefix } = c.req.valid("json");
    const token = generatePublisherToken();
    const db = primary(c.env);
    const record = await insertPublisherToken(db, {
      id: crypto.randomUUID(),
      name,
      tokenHash: await hashPublisherToken(token),
      releasePrefix: releasePrefix ?? null,
      createdAt: Date.now(),
      lastUsedAt: null,
      revokedAt: null,
    });
    await auditPublish(db, {
      action: "publisher-token-create",
      subject: record.id,
      tokenId: record.id,
      details: { name, releasePrefix },
    });
    return c.json({ ...record, token, note: "store the token now: it is not shown again" }, 201, {
      "Cache-Control": "no-store",
    });
  },
);

publishApi.openapi(
  createRoute({
    ...admin,
    method: "get",
    path: "/api/v1/admin/publisher-tokens",
    operationId: "listPublisherTokens",
    summary: "Publisher tokens (never the token itself), newest first",
    responses: { 200: json(z.object({ tokens: z.array(s.publisherTokenSchema) }), "The tokens."), ...errors },
  }),
  async (c) => c.json({ tokens: await listPublisherTokens(primary(c.env)) }, 200),
);

publishApi.openapi(
  createRoute({
    ...admin,
    method: "delete",
    path: "/api/v1/admin/publisher-tokens/{id}",
    operationId: "revokePublisherToken",
    summary: "Revoke a publisher token; it stops working at once",
    request: { params: z.object({ id: z.uuid().openapi({ param: { name: "id", in: "path" } }) }) },
    responses: { 204: { description: "Revoked." }, ...errors },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const db = primary(c.env);
    if (!(await revokePublisherToken(db, id, Date.now()))) throw notFound(`active publisher token ${id}`);
    await auditPublish(db, { action: "publisher-token-revoke", subject: id, tokenId: id });
    return c.body(null, 204);
  },
);
