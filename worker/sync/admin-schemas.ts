// Response shapes of the admin sync/release/yank API, as zod schemas: the OpenAPI document is built
// from them and the admin tests parse real responses with them, so the two cannot drift apart.
import { z } from "zod";
import { RELEASE_STATUSES, SYNC_TRIGGERS } from "../db/schema";

export const syncSummarySchema = z
  .object({
    runId: z.string(),
    trigger: z.enum(SYNC_TRIGGERS),
    startedAt: z.number().int().meta({ description: "Epoch milliseconds." }),
    finishedAt: z.number().int(),
    verifying: z.array(z.string()).meta({
      description:
        "Releases whose files a Workflow is verifying (one step per file); they publish or quarantine when it ends.",
    }),
    stillVerifying: z
      .array(
        z.object({
          releaseId: z.string(),
          workflowId: z.string(),
          since: z.number().int().meta({ description: "When this attempt was handed to its Workflow (epoch ms)." }),
          progressAt: z.number().int().nullable().meta({ description: "When a step last showed progress." }),
          progress: z.string().nullable().meta({ description: "What that step was doing." }),
          stalledAt: z.number().int().meta({
            description: "When it counts as stalled if it shows no more progress: the next run then retries it.",
          }),
        }),
      )
      .meta({ description: "Releases whose Workflows were already verifying them when this run started." }),
    stalled: z.array(z.object({ releaseId: z.string(), workflowId: z.string(), reason: z.string() })).meta({
      description:
        "Releases whose Workflow showed no progress for longer than its bound: terminated, and retried by this run as a new attempt (counted toward the poison limit).",
    }),
    quarantined: z.array(z.object({ releaseId: z.string(), reason: z.string() })).meta({
      description: "Releases refused by this run, including folders quarantined as abandoned uploads.",
    }),
    uploading: z.array(z.string()).meta({
      description:
        "Folders without release.json yet; left alone until ABANDONED_UPLOAD_HOURS after the sync first saw them.",
    }),
    skipped: z
      .number()
      .int()
      .meta({ description: "Releases an earlier or concurrent run already handled; not read again." }),
    listed: z.number().int().meta({
      description:
        "Folders under incoming/ this run looked at: a page of the listing, which the next run resumes after.",
    }),
    failed: z.array(z.object({ releaseId: z.string(), error: z.string() })).meta({
      description: "Unexpected errors (not verdicts); the claim lapses after 15 minutes and a later run retries.",
    }),
  })
  .meta({ description: "What one sync run did." });

export const syncRunSchema = z.object({
  id: z.string(),
  trigger: z.enum(SYNC_TRIGGERS),
  startedAt: z.number().int(),
  finishedAt: z.number().int().nullable(),
  published: z.number().int(),
  verifying: z.number().int(),
  quarantined: z.number().int(),
  uploading: z.number().int(),
  skipped: z.number().int(),
  error: z.string().nullable(),
});

export const syncRunListSchema = z.object({ runs: z.array(syncRunSchema) });

export const releaseSchema = z
  .object({
    id: z.string().meta({ description: "The folder name under incoming/." }),
    status: z.enum(RELEASE_STATUSES),
    reason: z.string().nullable().meta({ description: "Why it was quarantined, one line." }),
    details: z.unknown().meta({
      description:
        "Quarantined: { findings: [{ file?, problem }] }. Published: { verified: [{ file, bytes, sha256, keyId }], alreadyPublished: [file], resigned: [file] (moved to this release's key), packs: [{ name, change }] (pack rows created or updated) }.",
    }),
    fileCount: z.number().int().nullable(),
    totalBytes: z.number().int().nullable(),
    runId: z.string(),
    claimedAt: z.number().int(),
    finishedAt: z.number().int().nullable(),
    attempts: z
      .number()
      .int()
      .meta({ description: "How many sync runs have claimed it; a release that keeps failing is quarantined." }),
    retriedAtAttempt: z.number().int().meta({
      description:
        "attempts when an admin last re-queued it from quarantine (0 if never); the poison budget counts from there.",
    }),
    keyId: z.string().nullable().meta({ description: "The trusted key whose signature over release.json verified." }),
    workflowId: z.string().nullable().meta({
      description: "The Workflow instance verifying its files (one per attempt: <release-id>--a<attempt>).",
    }),
    manifestKey: z.string().nullable().meta({
      description:
        "Published: the blob keeping the release.json bytes that verified (blobs/sha256/<sha256>), which grants carry as releases/<id>/release.json.",
    }),
    manifestEtag: z.string().nullable().meta({ description: "The R2 etag that blob is pinned to." }),
    manifestSize: z.number().int().nullable(),
    manifestSignatureKey: z.string().nullable().meta({ description: "The blob keeping release.json.sig.bin." }),
    manifestSignatureEtag: z.string().nullable(),
    manifestSignatureSize: z.number().int().nullable(),
    progressAt: z.number().int().nullable().meta({
      description: "Processing: when a step of its Workflow last showed progress (epoch ms).",
    }),
    progress: z.string().nullable().meta({ description: "What that step was doing." }),
    stallAfterMs: z.number().int().nullable().meta({
      description:
        "How long its Workflow may show no progress before the sync terminates it and retries the release (from its largest file).",
    }),
  })
  .meta({ description: "A release folder the sync has claimed, with its outcome." });

export const releasePageSchema = z.object({
  releases: z.array(releaseSchema),
  nextCursor: z.string().nullable().meta({ description: "Pass as ?cursor= for the next page; null on the last page." }),
});

export const yankedPackVersionSchema = z.object({
  name: z.string(),
  version: z.string(),
  yanked: z.literal(true),
  yankedAt: z.number().int(),
  yankReason: z.string(),
  changed: z
    .boolean()
    .meta({ description: "False when it had been yanked before: the first yank's time and reason stand." }),
});
