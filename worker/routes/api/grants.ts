// /api/v1/grants: issue a grant (captcha or API token), read it back, and download its manifests
// or the whole grant as one tar. Those documents open with the grant's secret capability (the links
// of the grant response), never with the public grant id that every /dl URL shows.
import { type Context, Hono } from "hono";
import { z } from "zod";
import { latestStateReader } from "../../db/client";
import { config } from "../../env";
import { invalidInput, NotFound } from "../../errors";
import { grantTar, grantTarLength, tarFolder } from "../../downloads/grant-documents";
import {
  GRANT_FORMATS,
  grantRequestSchema,
  grantUrl,
  grantView,
  loadLiveGrant,
  signedEntries,
} from "../../downloads/grants";
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
import { manifestResponse, originOf, requesterOf, storageDeps } from "../context";
import { MANIFEST_FORMATS, type ManifestFormat } from "../../downloads/manifests";
import { urlSigner } from "../../downloads/signers";
import { grantProofs } from "../../downloads/provenance";
import "../../downloads/openapi-paths"; // registers the download operations in the OpenAPI document
import { limitBody, SELECTION_BODY_BYTES } from "../../body-limit";
import { validate } from "../../validate";
import "../../downloads/openapi-journeys"; // registers the parts and changes operations in the OpenAPI document

export const grantsRoutes = new Hono<{ Bindings: Env }>();

grantsRoutes.post("/", limitBody(SELECTION_BODY_BYTES), validate("json", grantRequestSchema), async (c) => {
  const { captchaToken, ...selection } = c.req.valid("json");
  const { view } = await issueGrant(c.env, requesterOf(c), { selection, captchaToken, scope: "grants:create" });
  return c.json(view, 201, { "Cache-Control": "no-store" });
});

grantsRoutes.on(["GET", "HEAD"], "/:capability/bundle.tar", async (c) => {
  const db = latestStateReader(c.env);
  const grant = await loadLiveGrant(db, c.req.param("capability"), Date.now());
  const keys = config(c.env).TRUSTED_PUBLIC_KEYS;
  const proofs = await grantProofs(db, grant);
  const headers = {
    "Content-Type": "application/x-tar",
    "Content-Length": String(grantTarLength(grant, keys, proofs)),
    "Content-Disposition": `attachment; filename="${tarFolder(grant)}.tar"`,
    "Cache-Control": "private, no-store",
  };
  if (c.req.method === "HEAD") return new Response(null, { headers });
  const tar = grantTar(grant, keys, proofs, storageDeps(c));
  c.executionCtx.waitUntil(tar.done);
  return new Response(tar.readable, { headers });
});

// Media-sized parts of bundle.tar (?size=dvd|dvd-dl|bd|<bytes>): each part a byte range of the one archive.
grantsRoutes.on(["GET", "HEAD"], "/:capability/:part{bundle\\.tar\\.part-[0-9]+}", async (c) => {
  const { grant, keys, proofs, size, total } = await partsContext(c);
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
  if (c.req.method === "HEAD") return new Response(null, { headers });
  const tar = grantTar(grant, keys, proofs, storageDeps(c), range);
  c.executionCtx.waitUntil(tar.done);
  return new Response(tar.readable, { headers });
});

grantsRoutes.get("/:capability/:doc{PARTS\\.SHA256SUMS|join-and-verify\\.sh}", async (c) => {
  const { grant, keys, proofs, size, total } = await partsContext(c);
  const sums = await cachedPartChecksums(
    grant,
    size,
    total,
    () => grantTar(grant, keys, proofs, storageDeps(c)).readable,
  );
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

grantsRoutes.get("/:capability/:format", async (c) => {
  const format = c.req.param("format");
  if (!(MANIFEST_FORMATS as readonly string[]).includes(format)) {
    throw new NotFound(`no manifest format ${format}; use one of ${GRANT_FORMATS.join(", ")}`);
  }
  const parts = c.req.query("parts");
  if (parts !== undefined && (format === "bundle.curl" || format === "urls.txt")) {
    // The parts instead of the files: part URLs (these carry the capability), PARTS.SHA256SUMS, join-and-verify.sh.
    const { grant, size, total } = await partsContext(c, parts);
    const list = partsListing(grantUrl(originOf(c), c.req.param("capability")), tarFolder(grant), size, total);
    return c.body(format === "urls.txt" ? partsUrlsTxt(list) : partsBundleCurl(grant, list), 200, {
      "Content-Type": "text/plain; charset=utf-8",
      "Content-Disposition": `attachment; filename="${format}"`,
      "Cache-Control": "private, no-store",
    });
  }
  const grant = await loadLiveGrant(latestStateReader(c.env), c.req.param("capability"), Date.now());
  return manifestResponse(c, format as ManifestFormat, grant, () =>
    signedEntries(grant, urlSigner(config(c.env), originOf(c))),
  );
});

grantsRoutes.get("/:capability", async (c) => {
  const cfg = config(c.env);
  const capability = c.req.param("capability");
  const grant = await loadLiveGrant(latestStateReader(c.env), capability, Date.now());
  const signer = urlSigner(cfg, originOf(c));
  return c.json(grantView(grant, capability, await signedEntries(grant, signer), originOf(c), signer.strategy), 200, {
    "Cache-Control": "private, no-store",
  });
});

/** The live grant, its archive's inputs and length, and the part size asked for (400 naming `size`/`parts`). */
async function partsContext(c: Context<{ Bindings: Env }>, sizeText = c.req.query("size")) {
  const cfg = config(c.env);
  const field = c.req.query("size") === undefined && c.req.query("parts") !== undefined ? "parts" : "size";
  const parsed = z.object({ [field]: partSizeParam(minPartBytes(cfg)) }).safeParse({ [field]: sizeText });
  if (!parsed.success) throw invalidInput(parsed.error);
  const db = latestStateReader(c.env);
  const grant = await loadLiveGrant(db, c.req.param("capability") ?? "", Date.now());
  const keys = cfg.TRUSTED_PUBLIC_KEYS;
  const proofs = await grantProofs(db, grant);
  return { grant, keys, proofs, size: parsed.data[field] as number, total: grantTarLength(grant, keys, proofs) };
}
