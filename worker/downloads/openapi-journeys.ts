// Issue 10's operations in the OpenAPI document: media-sized parts of a grant's tar, and
// incremental mirroring (changes since a generation, the one-call grant, mirror.sh).
import { z } from "zod";
import { registerOperations, type ResponseSpec } from "../openapi";
import { changesQuery } from "../catalog/filters";
import { imagesQuery } from "../catalog/image-query";
import { MANIFEST_FORMATS } from "./manifests";
import { manifest } from "./openapi-paths";

const text = (description: string): ResponseSpec => ({ description, contentType: "text/plain", schema: z.string() });
const script = (description: string): ResponseSpec => ({
  description,
  contentType: "text/x-shellscript",
  schema: z.string(),
});
const error = (description: string): ResponseSpec => ({ description, schema: "Error" });
const capability = z.string().meta({ description: "The grant's capability (43 characters, from the grant response)" });
const size = z.string().meta({
  description: "Part size: dvd (4.7 GB), dvd-dl (8.5 GB), bd (25 GB), or bytes of at least 64 MiB (e.g. 100MiB, 5GB)",
});
const grantErrors = {
  "400": error("Missing or bad size (the field is named)."),
  "403": error("Revoked."),
  "404": error("Unknown capability, or no such part at this size."),
  "409": error("A pack was yanked since."),
  "410": error("Expired."),
};

const changedFile = z.object({
  file: z.string(),
  size: z.number().int(),
  sha256: z.string(),
  sigFile: z.string(),
  keyId: z.string(),
  releaseId: z.string().meta({ description: "The release whose signed manifest lists the file" }),
  generation: z.number().int().meta({ description: "The catalog generation that published it" }),
});
const yankedFile = z.object({
  file: z.string(),
  generation: z.number().int().meta({ description: "The catalog generation that yanked it" }),
  reason: z.string().nullable(),
});
const changesResponse = z.object({
  since: z.number().int(),
  generation: z
    .number()
    .int()
    .meta({ description: "The newest generation this answer includes; pass it as since next time" }),
  published: z.object({
    packs: z.array(changedFile.extend({ name: z.string(), version: z.string(), layer: z.string() })),
    installers: z.array(changedFile.extend({ product: z.string(), version: z.string(), kind: z.string() })),
  }),
  yanked: z.object({
    packs: z.array(yankedFile.extend({ name: z.string(), version: z.string() })),
    installers: z.array(yankedFile.extend({ product: z.string(), version: z.string(), kind: z.string() })),
  }),
});

const imageHit = z.object({
  reference: z.string(),
  repository: z.string(),
  tag: z.string().nullable(),
  digest: z.string(),
  pack: z.string(),
  displayName: z.string(),
  version: z.string(),
  yanked: z.boolean().meta({ description: "Yanked versions are listed too: an incident needs them" }),
});

registerOperations(
  {
    method: "get",
    path: "/api/v1/images",
    operationId: "findImages",
    summary: "Which pack versions ship an image: by repository, tag, digest, or any reference (q), through an index",
    tags: ["catalog"],
    query: imagesQuery.in,
    responses: {
      "200": {
        description: "The pack versions declaring the image in their signed release manifests.",
        schema: z.object({
          query: z.object({
            repository: z.string().optional(),
            tag: z.string().optional(),
            digest: z.string().optional(),
            namespace: z.string().optional().meta({
              description: "A bare name (q=calico) also finds the Docker Hub namespace docker.io/calico/",
            }),
          }),
          packVersions: z.array(imageHit),
        }),
      },
      "400": error("No field given, or a value that is not a repository, tag, digest or reference (named)."),
    },
  },
  {
    method: "get",
    path: "/api/v1/grants/{capability}/bundle.tar.part-{n}",
    operationId: "getGrantTarPart",
    summary: "One media-sized part of bundle.tar: a plain byte range, so cat part-* rejoins the tar byte for byte",
    tags: ["downloads"],
    params: z.object({
      capability,
      n: z.string().meta({ description: "Part number, zero-padded to 3 digits (or the part count's width): 001" }),
    }),
    query: z.object({ size }),
    responses: {
      "200": {
        description: "The part, streamed, with Content-Length.",
        contentType: "application/octet-stream",
        schema: z.string(),
      },
      ...grantErrors,
    },
  },
  {
    method: "get",
    path: "/api/v1/grants/{capability}/PARTS.SHA256SUMS",
    operationId: "getGrantPartSums",
    summary: "sha256 of each part of bundle.tar at a size, for sha256sum -c",
    tags: ["downloads"],
    params: z.object({ capability }),
    query: z.object({ size }),
    responses: { "200": text("One line per part."), ...grantErrors },
  },
  {
    method: "get",
    path: "/api/v1/grants/{capability}/join-and-verify.sh",
    operationId: "getGrantJoinScript",
    summary: "POSIX sh: checks every part, rejoins, untars and runs SHA256SUMS and verify-bundle.sh",
    tags: ["downloads"],
    params: z.object({ capability }),
    query: z.object({ size }),
    responses: { "200": script("The script."), ...grantErrors },
  },
  {
    method: "get",
    path: "/api/v1/changes",
    operationId: "listChanges",
    summary: "What was published (still offered) and yanked after a catalog generation, for incremental mirroring",
    tags: ["catalog"],
    query: changesQuery,
    responses: {
      "200": { description: "The changes and the generation they go up to.", schema: changesResponse },
      "400": error("Missing or bad since, or a bad filter (the field is named)."),
    },
  },
  {
    method: "get",
    path: "/api/v1/changes/mirror.sh",
    operationId: "mirrorScript",
    summary: "A nightly job's script: keeps the last generation mirrored, fetches and verifies only what is new",
    tags: ["catalog"],
    query: changesQuery.omit({ since: true }),
    responses: {
      "200": script("The script (ARTIFACT_STUDIO_TOKEN=<manifests:read token> sh mirror.sh [folder])."),
    },
  },
  {
    method: "get",
    path: "/api/v1/manifests/changes/{format}",
    operationId: "changesManifest",
    summary: "Automation: a fresh grant of what was published after a generation, answered as one manifest format",
    tags: ["downloads"],
    security: ["apiToken"],
    params: z.object({ format: z.enum(MANIFEST_FORMATS) }),
    query: changesQuery,
    responses: {
      "200": {
        ...manifest("The manifest; X-Grant-Id names the grant."),
        headers: {
          "X-Grant-Id": { description: "The grant issued" },
          Link: { description: '<.../api/v1/grants/{capability}>; rel="grant": the grant, opened by its capability' },
          "X-Catalog-Generation": { description: "The newest generation included" },
          "X-Yanked": { description: "Pack versions and installers yanked since, comma-separated" },
        },
      },
      "204": { description: "Nothing new; X-Catalog-Generation still says the generation." },
      "401": error("No or unknown API token."),
      "403": error("The token lacks manifests:read."),
    },
  },
);
