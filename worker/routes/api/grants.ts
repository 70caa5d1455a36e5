// /api/v1/grants: issue a grant (captcha or API token), read it back, and download its manifests
// or the whole grant as one tar. Those documents open with the grant's secret capability (the links
// of the grant response), never with the public grant id that every /dl URL shows.
import { type RouteConfig, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { primary } from "../../db/client";
import { config } from "../../env";
import { trustedKeysOnRecord } from "../../key-record";
import { keyDistrust } from "../../key-status";
import { invalidInput, NotFound } from "../../errors";
import {
  assertGrantStored,
  grantBundleList,
  grantTar,
  grantTarLength,
  type TarInputs,
  tarFolder,
} from "../../downloads/grant-documents";
import type { GrantRecord } from "../../db/grant-queries";
import {
  GRANT_FORMATS,
  grantRequestSchema,
  grantUrl,
  grantView,
  loadLiveGrant,
  signedEntries,
} from "../../downloads/granting";
import {
  cachedPartChecksums,
  joinAndVerifySh,
  minPartBytes,
  partNumber,
  partRange,
  partsBundleCurl,
  partSizeParam,
  partsListing,
  partsSha256Sums,
  partsUrlsTxt,
} from "../../downloads/parts";
import { partCount, partSuffix } from "../../domain/vocabulary";
import { issueGrant } from "../../downloads/issue";
import { MANIFEST_FORMATS, type ManifestFormat } from "../../downloads/manifest-formats";
import { urlSigner } from "../../downloads/signers";
import { grantProofs, type ReleaseProof } from "../../downloads/provenance";
import { limitBody, SELECTION_BODY_BYTES } from "../../body-limit";
import { API_TOKEN, apiApp, apiRoute, error, json, jsonBody, text } from "../api-app";
import { manifestResponse, originOf, requesterOf, storageDeps } from "../context";

/** The keys no grant may hand out anything under, from the env: revoked or no longer listed. */
const distrustedKeys = (env: Env) => keyDistrust(config(env).TRUSTED_PUBLIC_KEYS);

const grantFile = z.object({
  kind: z.string(),
  name: z.string(),
  version: z.string(),
  file: z.string().meta({ description: "The documented file name, e.g. cni-calico-3.29.2.zst" }),
  size: z.number().int(),
  sha256: z.string(),
  url: z.string().meta({ description: "Signed URL of the file" }),
  sigFile: z.string(),
  sigSize: z.number().int(),
  sigUrl: z.string(),
  keyId: z.string().meta({ description: "The public key that verifies the signature (/keys/<id>.pem)" }),
});

export const grantViewSchema = z
  .object({
    id: z.string().meta({ description: "Public grant id (22 characters); every /dl URL of the grant shows it" }),
    capability: z.string().meta({
      description:
        "Secret (43 characters) that opens the grant's JSON, manifests and tar; the links carry it. Shown only to the requester; stored hashed",
    }),
    createdAt: z.string(),
    expiresAt: z.string(),
    signer: z.enum(["worker", "r2"]),
    fileCount: z.number().int(),
    totalBytes: z.number().int(),
    files: z.array(grantFile),
    // Every format has its link: written out as properties (a record keyed by an enum would not list them).
    links: z.object(
      Object.fromEntries(GRANT_FORMATS.map((f) => [f, z.string()])) as Record<
        (typeof GRANT_FORMATS)[number],
        z.ZodString
      >,
    ),
  })
  .openapi("Grant");

// The manifest.json format (worker/downloads/manifest-formats.ts manifestJson).
const manifestJsonSchema = z.object({
  grant: z.string(),
  expires: z.string(),
  files: z.array(grantFile.extend({ expires: z.string() })),
  releases: z
    .array(
      z.object({
        releaseId: z.string(),
        file: z.string().meta({ description: "releases/<release-id>/release.json" }),
        size: z.number().int(),
        sha256: z.string(),
        url: z.string().meta({ description: "Signed URL of the release manifest" }),
        sigFile: z.string().meta({ description: "releases/<release-id>/release.json.sig.bin" }),
        sigSize: z.number().int(),
        sigSha256: z.string(),
        sigUrl: z.string(),
        expires: z.string(),
      }),
    )
    .meta({ description: "The signed release manifests that list the grant's files (for verify-bundle.sh)" }),
  bundleList: z
    .object({
      file: z.string().meta({ description: "studio/bundle-list.txt" }),
      url: z.string(),
      sigFile: z.string().meta({ description: "studio/bundle-list.txt.sig.bin (DER ECDSA P-256)" }),
      sigUrl: z.string(),
      keyId: z.string().meta({ description: "The studio key that signed it" }),
      keyUrl: z.string().meta({ description: "/keys/<keyId>.pem" }),
      expires: z.string(),
    })
    .meta({ description: "The studio's signed list of every file of the grant, with size and sha256" }),
});

/** A manifest in one of MANIFEST_FORMATS: text, a shell script, or JSON. */
export const manifest = (description: string) =>
  ({
    description,
    content: {
      "text/plain": { schema: z.string() },
      "text/x-shellscript": { schema: z.string() },
      "application/json": { schema: manifestJsonSchema },
    },
  }) satisfies RouteConfig["responses"][string];

/** Why a grant is not issued: the gate (captcha or token, rate limit) and the selection. */
export const gateErrors = {
  401: error("Unknown or revoked API token."),
  403: error("Captcha refused (captcha_invalid, captcha_expired, captcha_wrong_site, ...) or token lacks the scope."),
  404: error("Unknown product version or pack versions (each named)."),
  409: error("Yanked pack versions (each named)."),
  429: {
    ...error("Too many grants from this client."),
    headers: { "Retry-After": { description: "Seconds", schema: { type: "string" as const } } },
  },
  503: error(
    "captcha_unavailable: the captcha service is unreachable or gave no usable answer (retry); misconfigured: the deployment is (details only in its log).",
  ),
};
export const tooLarge = { 413: error("The body is larger than the limit (payload_too_large).") };

/** Why a live grant does not answer. */
const liveGrantErrors = {
  403: error("Revoked."),
  409: error("A pack was yanked since."),
  410: error("Expired, or past retention: a well-formed capability that opens no grant (archived, or never issued)."),
};

const capability = z
  .string()
  .meta({ description: "The grant's capability (43 characters, from the grant response); not the grant id" });
const size = z.string().meta({
  description: "Part size: dvd (4.7 GB), dvd-dl (8.5 GB), bd (25 GB), or bytes of at least 64 MiB (e.g. 100MiB, 5GB)",
});
/** An archive whose objects are not all stored as verified answers 503 before its first byte. */
const archiveMissing = {
  503: error("integrity: an object of the archive is missing or changed in storage (each named); nothing was sent."),
};

const partErrors = {
  400: error("Missing or bad size (the field is named)."),
  ...liveGrantErrors,
  404: error("Not a capability, or no such part at this size."),
  ...archiveMissing,
};

export const grantsRoutes = apiApp();

const issueRoute = apiRoute({
  method: "post",
  path: "/",
  operationId: "createGrant",
  summary: "Issue a download grant: signed URLs for the chosen installers, bundle or packs",
  description:
    "A bundle, or installers and/or packs (both in one grant, as an upgrade needs). Authorised by captchaToken, or by an API token with the grants:create scope.",
  tags: ["downloads"],
  // Open without credentials too: a captcha token in the body instead of an API token.
  security: [{}, ...(API_TOKEN ?? [])],
  middleware: [limitBody(SELECTION_BODY_BYTES)] as const,
  request: { body: jsonBody(grantRequestSchema) },
  responses: { 201: json(grantViewSchema, "The grant."), ...gateErrors, ...tooLarge },
});

grantsRoutes.openapi(issueRoute, async (c) => {
  const { captchaToken, ...selection } = c.req.valid("json");
  const { view } = await issueGrant(c.env, requesterOf(c), { selection, captchaToken, scope: "grants:create" });
  return c.json(view, 201, { "Cache-Control": "no-store" });
});

// The grant's files as downloads: these routes check their own input (a part's size, a format), so
// their operations are documented here beside them rather than validated by the declaration.
grantsRoutes.openAPIRegistry.registerPath(
  apiRoute({
    method: "get",
    path: "/{capability}/bundle.tar",
    operationId: "getGrantTar",
    summary:
      "Every file of the grant, its signature, the signed release manifests, SHA256SUMS, the studio's signed bundle list, the public keys, verify-signatures.sh and verify-bundle.sh as one ustar archive",
    tags: ["downloads"],
    request: { params: z.object({ capability }) },
    responses: {
      200: text("application/x-tar, streamed, with Content-Length.", "application/x-tar"),
      ...liveGrantErrors,
      404: error("Not a capability."),
      ...archiveMissing,
    },
  }),
);
grantsRoutes.on(["GET", "HEAD"], "/:capability/bundle.tar", async (c) => {
  const db = primary(c.env);
  const grant = await loadLiveGrant(db, c.req.param("capability"), Date.now(), distrustedKeys(c.env));
  const inputs = await tarInputs(c, grant, await grantProofs(db, grant));
  const headers = {
    "Content-Type": "application/x-tar",
    "Content-Length": String(grantTarLength(inputs)),
    "Content-Disposition": `attachment; filename="${tarFolder(grant)}.tar"`,
    "Cache-Control": "private, no-store",
  };
  return archiveResponse(c, inputs, headers);
});

// Media-sized parts of bundle.tar (?size=dvd|dvd-dl|bd|<bytes>): each part a byte range of the one archive.
grantsRoutes.openAPIRegistry.registerPath(
  apiRoute({
    method: "get",
    path: "/{capability}/bundle.tar.part-{n}",
    operationId: "getGrantTarPart",
    summary: "One media-sized part of bundle.tar: a plain byte range, so cat part-* rejoins the tar byte for byte",
    tags: ["downloads"],
    request: {
      params: z.object({
        capability,
        n: z.string().meta({ description: "Part number, zero-padded to 3 digits (or the part count's width): 001" }),
      }),
      query: z.object({ size }),
    },
    responses: { 200: text("The part, streamed, with Content-Length.", "application/octet-stream"), ...partErrors },
  }),
);
grantsRoutes.on(["GET", "HEAD"], "/:capability/:part{bundle\\.tar\\.part-[0-9]+}", async (c) => {
  const { inputs, size, total } = await partsContext(c);
  const { grant } = inputs;
  const count = partCount(total, size);
  const n = partNumber(c.req.param("part"), count);
  if (!n)
    throw new NotFound(
      `no part ${c.req.param("part")}: at this size the archive has ${count} parts, bundle.tar.${partSuffix(1, count)} to bundle.tar.${partSuffix(count, count)}`,
    );
  const range = partRange(total, size, n);
  const headers = {
    "Content-Type": "application/octet-stream",
    "Content-Length": String(range.end - range.start),
    "Content-Disposition": `attachment; filename="${tarFolder(grant)}.tar.${partSuffix(n, count)}"`,
    "Cache-Control": "private, no-store",
  };
  return archiveResponse(c, inputs, headers, range);
});

grantsRoutes.openAPIRegistry.registerPath(
  apiRoute({
    method: "get",
    path: "/{capability}/PARTS.SHA256SUMS",
    operationId: "getGrantPartSums",
    summary: "sha256 of each part of bundle.tar at a size, for sha256sum -c",
    tags: ["downloads"],
    request: { params: z.object({ capability }), query: z.object({ size }) },
    responses: { 200: text("One line per part."), ...partErrors },
  }),
);
grantsRoutes.openAPIRegistry.registerPath(
  apiRoute({
    method: "get",
    path: "/{capability}/join-and-verify.sh",
    operationId: "getGrantJoinScript",
    summary: "POSIX sh: checks every part, rejoins, untars and runs SHA256SUMS and verify-bundle.sh",
    tags: ["downloads"],
    request: { params: z.object({ capability }), query: z.object({ size }) },
    responses: { 200: text("The script.", "text/x-shellscript"), ...partErrors },
  }),
);
grantsRoutes.get("/:capability/:doc{PARTS\\.SHA256SUMS|join-and-verify\\.sh}", async (c) => {
  const { inputs, size, total } = await partsContext(c);
  const { grant } = inputs;
  const sums = await cachedPartChecksums(grant, size, total, () => grantTar(inputs, storageDeps(c)).readable);
  const doc = c.req.param("doc");
  const body =
    doc === "PARTS.SHA256SUMS"
      ? partsSha256Sums(tarFolder(grant), sums)
      : joinAndVerifySh(tarFolder(grant), size, sums);
  return c.body(body, 200, {
    "Content-Type": doc === "PARTS.SHA256SUMS" ? "text/plain; charset=utf-8" : "text/x-shellscript; charset=utf-8",
    "Content-Disposition": `attachment; filename="${doc}"`,
    "Cache-Control": "private, no-store",
  });
});

grantsRoutes.openAPIRegistry.registerPath(
  apiRoute({
    method: "get",
    path: "/{capability}/{format}",
    operationId: "getGrantManifest",
    summary: "A grant's manifest: urls.txt, bundle.curl, manifest.json, SHA256SUMS, download.sh or images.txt",
    tags: ["downloads"],
    request: {
      params: z.object({
        capability,
        format: z.string().meta({ description: `One of ${MANIFEST_FORMATS.join(", ")}` }),
      }),
    },
    responses: {
      200: manifest("The manifest, as an attachment."),
      ...liveGrantErrors,
      404: error("Not a capability, or an unknown format."),
      503: error(
        "integrity: a verified copy (e.g. a signature SHA256SUMS sums) is missing or changed in storage; misconfigured: no STUDIO_SIGNING_KEYS.",
      ),
    },
  }),
);
grantsRoutes.get("/:capability/:format", async (c) => {
  const format = c.req.param("format");
  if (!(MANIFEST_FORMATS as readonly string[]).includes(format)) {
    throw new NotFound(`no manifest format ${format}; use one of ${GRANT_FORMATS.join(", ")}`);
  }
  const parts = c.req.query("parts");
  if (parts !== undefined && (format === "bundle.curl" || format === "urls.txt")) {
    // The parts instead of the files: part URLs (these carry the capability), PARTS.SHA256SUMS, join-and-verify.sh.
    const {
      inputs: { grant },
      size,
      total,
    } = await partsContext(c, parts);
    const list = partsListing(grantUrl(originOf(c), c.req.param("capability")), tarFolder(grant), size, total);
    return c.body(format === "urls.txt" ? partsUrlsTxt(list) : partsBundleCurl(grant, list), 200, {
      "Content-Type": "text/plain; charset=utf-8",
      "Content-Disposition": `attachment; filename="${format}"`,
      "Cache-Control": "private, no-store",
    });
  }
  const grant = await loadLiveGrant(primary(c.env), c.req.param("capability"), Date.now(), distrustedKeys(c.env));
  return manifestResponse(c, format as ManifestFormat, grant, () =>
    signedEntries(grant, urlSigner(config(c.env), originOf(c))),
  );
});

const getRoute = apiRoute({
  method: "get",
  path: "/{capability}",
  operationId: "getGrant",
  summary: "A live grant with its signed URLs",
  tags: ["downloads"],
  request: { params: z.object({ capability }) },
  responses: {
    200: json(grantViewSchema, "The grant."),
    ...liveGrantErrors,
    404: error("Not a capability (a grant id is not one)."),
  },
});

grantsRoutes.openapi(getRoute, async (c) => {
  const cfg = config(c.env);
  const { capability } = c.req.valid("param");
  const grant = await loadLiveGrant(primary(c.env), capability, Date.now(), distrustedKeys(c.env));
  const signer = urlSigner(cfg, originOf(c));
  return c.json(grantView(grant, capability, await signedEntries(grant, signer), originOf(c), signer.strategy), 200, {
    "Cache-Control": "private, no-store",
  });
});

/** bundle.tar or one part of it (`range`): headers alone for HEAD, else the bytes streamed. */
async function archiveResponse(
  c: Context<{ Bindings: Env }>,
  inputs: TarInputs,
  headers: Record<string, string>,
  range?: { start: number; end: number },
): Promise<Response> {
  if (c.req.method === "HEAD") return new Response(null, { headers });
  // Every object first: a missing one is a 503 naming it, not a 200 that ends short.
  await assertGrantStored(inputs.grant, inputs.proofs, storageDeps(c));
  const tar = grantTar(inputs, storageDeps(c), range);
  c.executionCtx.waitUntil(tar.done);
  return new Response(tar.readable, { headers });
}

/** The live grant, its archive's inputs and length, and the part size asked for (400 naming `size`/`parts`). */
async function partsContext(c: Context<{ Bindings: Env }>, sizeText = c.req.query("size")) {
  const cfg = config(c.env);
  const field = c.req.query("size") === undefined && c.req.query("parts") !== undefined ? "parts" : "size";
  const parsed = z.object({ [field]: partSizeParam(minPartBytes(cfg)) }).safeParse({ [field]: sizeText });
  if (!parsed.success) throw invalidInput(parsed.error);
  const db = primary(c.env);
  const grant = await loadLiveGrant(db, c.req.param("capability") ?? "", Date.now(), distrustedKeys(c.env));
  const inputs = await tarInputs(c, grant, await grantProofs(db, grant));
  return { inputs, size: parsed.data[field] as number, total: grantTarLength(inputs) };
}

/** The archive's inputs: the grant, the keys, its release manifests and its signed bundle list. */
async function tarInputs(
  c: Context<{ Bindings: Env }>,
  grant: GrantRecord,
  proofs: ReleaseProof[],
): Promise<TarInputs> {
  const cfg = config(c.env);
  const studio = await grantBundleList(cfg, grant, proofs, storageDeps(c));
  return { grant, keys: await trustedKeysOnRecord(c.env), proofs, studio };
}
