// Request and response shapes of the publish API, as zod schemas: the routes validate with them, the
// OpenAPI document is generated from them, and the publisher command (scripts/release/) parses the
// studio's answers with them, so the three cannot drift apart.
import { z } from "@hono/zod-openapi";
import { releaseSchema, syncSummarySchema } from "../sync/admin-schemas";
import {
  RELEASE_ID_PATTERN,
  RESERVED_FILE_NAMES,
  RELEASE_JSON,
  RELEASE_JSON_SIGNATURE,
} from "../sync/release-manifest";

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, "must be 64 lower-case hex digits");

export const releaseIdParam = z
  .string()
  .regex(RELEASE_ID_PATTERN, "must be a lower-case slug (a release folder name)")
  .openapi({ param: { name: "releaseId", in: "path" }, example: "calico-3-30-0" });

/** A name in a release folder: a listed file or its signature, or release.json and its signature. */
const plainObjectName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._+-]{0,99}$/, "must be a plain file name of at most 100 characters")
  .refine(
    (name) =>
      name === RELEASE_JSON ||
      name === RELEASE_JSON_SIGNATURE ||
      (!(RESERVED_FILE_NAMES as readonly string[]).includes(name) && !name.endsWith(".pem")),
    { message: "must not be a reserved name or *.pem" },
  );
export const objectName = plainObjectName.openapi({
  param: { name: "name", in: "path" },
  example: "cni-calico-3.30.0.zst",
});

export const releaseFileParams = z.object({ releaseId: releaseIdParam, name: objectName });
export const uploadParams = releaseFileParams.extend({
  uploadId: z
    .string()
    .min(1)
    .max(1024)
    .openapi({ param: { name: "uploadId", in: "path" } }),
});
export const partParams = uploadParams.extend({
  partNumber: z.coerce
    .number()
    .int()
    .min(1)
    .max(10_000)
    .openapi({ param: { name: "partNumber", in: "path" }, example: 1 }),
});

export const sha256Header = z.object({
  "x-content-sha256": sha256.openapi({
    param: { name: "x-content-sha256", in: "header" },
    description: "The sha256 of the body; R2 refuses to store a body that does not match it.",
  }),
});

export const storedObjectSchema = z
  .object({
    name: z.string(),
    size: z.number().int(),
    sha256: z
      .string()
      .nullable()
      .openapi({ description: "Checked by R2 for a single put; declared by the uploader for a multipart one." }),
    uploaded: z.string(),
  })
  .openapi("PublishedObject");

export const releaseFolderSchema = z
  .object({
    releaseId: z.string(),
    objects: z.array(storedObjectSchema),
    release: releaseSchema
      .nullable()
      .openapi({ description: "The sync's record (status, reason, findings), or null until it claims the folder." }),
  })
  .openapi("PublishFolder");

export const startUploadBody = z.object({
  size: z
    .number()
    .int()
    .min(1)
    .max(5 * 1024 ** 4),
  sha256,
});
export const uploadStartedSchema = z
  .object({ uploadId: z.string(), partBytes: z.number().int() })
  .openapi("UploadStarted");
export const partSchema = z.object({ partNumber: z.number().int(), etag: z.string() }).openapi("UploadedPart");
export const completeBody = z.object({
  parts: z
    .array(z.object({ partNumber: z.number().int().min(1).max(10_000), etag: z.string().min(1) }))
    .min(1)
    .max(10_000),
});

/**
 * Batch limits. The Worker holds a batch in memory twice (the body, then its parsed parts), and
 * concurrent requests may share one isolate's 128 MB: 16 MiB keeps several batches in flight under it.
 */
export const MAX_BATCH_BYTES = 16 * 1024 * 1024;
/** Each object is an R2 put (and a head when it exists): well under an invocation's subrequest limit. */
export const MAX_BATCH_FILES = 100;

const batchObject = z.object({
  name: plainObjectName,
  size: z.number().int().min(0).max(MAX_BATCH_BYTES),
  sha256,
});
/** `objects`: JSON text, one entry per `file` part, in the same order. */
const batchObjects = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: "custom", message: "must be JSON: [{name, size, sha256}, …]" });
      return z.NEVER;
    }
  })
  .pipe(
    z
      .array(batchObject)
      .min(1)
      .max(MAX_BATCH_FILES)
      .refine((list) => new Set(list.map((o) => o.name)).size === list.length, "must not name an object twice"),
  );
const filePart = z
  .custom<File>((v) => v instanceof File, "must be a file part")
  .openapi({ type: "string", format: "binary" });
export const batchForm = z.object({
  objects: batchObjects.openapi({
    type: "string",
    description: 'JSON: [{"name", "size", "sha256"}, …], one entry per `file` part in the same order.',
    example: '[{"name":"a-1.0.0.zst","size":5,"sha256":"2cf2…"}]',
  }),
  file: z
    .union([filePart, z.array(filePart)])
    .transform((v) => (Array.isArray(v) ? v : [v]))
    .openapi({ description: "The objects' bytes, one part per entry of `objects`." }),
});
export type BatchObject = z.infer<typeof batchObject>;

export const batchOutcomeSchema = storedObjectSchema
  .extend({
    status: z.enum(["stored", "unchanged", "conflict"]).openapi({
      description:
        "stored: written now; unchanged: already there with the declared size and sha256; conflict: the name " +
        "is taken by other bytes (write-once: nothing was overwritten).",
    }),
  })
  .openapi("BatchOutcome");
export const batchResultSchema = z.object({ objects: z.array(batchOutcomeSchema) }).openapi("BatchResult");

export const publishSyncSchema = z
  .object({ summary: syncSummarySchema, release: releaseSchema.nullable() })
  .openapi("PublishSync");

export const publishConfigSchema = z
  .object({
    audience: z.string().openapi({ description: "The RELEASE_AUDIENCE a release.json must name to publish here." }),
    keys: z.array(
      z.object({
        id: z.string(),
        status: z.enum(["current", "revoked", "expired"]),
        revoked: z.boolean(),
        revokedAt: z.string().optional(),
        notAfter: z.string().optional(),
        pem: z.string(),
      }),
    ),
    maxPartBytes: z.number().int(),
    minPartBytes: z.number().int(),
    maxBatchBytes: z.number().int().openapi({ description: "The largest body POST …/batch takes." }),
    maxBatchFiles: z.number().int().openapi({ description: "The most objects one POST …/batch takes." }),
  })
  .openapi("PublishConfig");

export const releasePlanSchema = z
  .object({
    findings: z.array(z.object({ file: z.string().optional(), problem: z.string() })),
    newPacks: z.array(z.object({ name: z.string(), version: z.string(), file: z.string() })),
    newInstallers: z.array(
      z.object({ product: z.string(), productVersion: z.string(), kind: z.string(), file: z.string() }),
    ),
    alreadyPublished: z.array(z.string()),
    productWrites: z.array(z.object({ id: z.string(), change: z.enum(["create", "update"]) })),
  })
  .openapi("ReleasePlan");
export type ReleasePlanView = z.infer<typeof releasePlanSchema>;

export const newPublisherTokenBody = z.object({
  name: z.string().trim().min(1).max(100),
  releasePrefix: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "must be the start of a release id (lower-case slug characters)")
    .optional()
    .openapi({ description: "Only release ids starting with this may be published with the token." }),
});
export const publisherTokenSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    releasePrefix: z.string().nullable(),
    createdAt: z.number().int(),
    lastUsedAt: z.number().int().nullable(),
    revokedAt: z.number().int().nullable(),
  })
  .openapi("PublisherToken");
export const newPublisherTokenSchema = publisherTokenSchema
  .extend({ token: z.string(), note: z.string() })
  .openapi("NewPublisherToken");
