// /api/v1/grants: issue a grant (captcha or API token), read it back, and download its manifests
// or the whole grant as one tar. Those documents open with the grant's secret capability (the links
// of the grant response), never with the public grant id that every /dl URL shows.
import { Hono } from "hono";
import { latestStateReader } from "../db/client";
import { config } from "../env";
import { ApiError } from "../errors";
import { grantTar, grantTarLength, tarFolder } from "../downloads/bundle";
import { GRANT_FORMATS, grantRequestSchema, grantView, loadLiveGrant, signedEntries } from "../downloads/grants";
import { issueGrant, manifestResponse, originOf, storageDeps } from "../downloads/issue";
import { MANIFEST_FORMATS, type ManifestFormat } from "../downloads/manifests";
import { urlSigner } from "../downloads/signers";
import "../downloads/openapi-paths"; // registers the download operations in the OpenAPI document
import { limitBody, SELECTION_BODY_BYTES } from "../body-limit";
import { validate } from "../validate";

export const grantsRoutes = new Hono<{ Bindings: Env }>();

grantsRoutes.post("/", limitBody(SELECTION_BODY_BYTES), validate("json", grantRequestSchema), async (c) => {
  const { captchaToken, ...selection } = c.req.valid("json");
  const { view } = await issueGrant(c, { selection, captchaToken, scope: "grants:create" });
  return c.json(view, 201, { "Cache-Control": "no-store" });
});

grantsRoutes.on(["GET", "HEAD"], "/:capability/bundle.tar", async (c) => {
  const grant = await loadLiveGrant(latestStateReader(c.env), c.req.param("capability"), Date.now());
  const keys = config(c.env).TRUSTED_PUBLIC_KEYS;
  const headers = {
    "Content-Type": "application/x-tar",
    "Content-Length": String(grantTarLength(grant, keys)),
    "Content-Disposition": `attachment; filename="${tarFolder(grant)}.tar"`,
    "Cache-Control": "private, no-store",
  };
  if (c.req.method === "HEAD") return new Response(null, { headers });
  const tar = grantTar(grant, keys, storageDeps(c));
  c.executionCtx.waitUntil(tar.done);
  return new Response(tar.readable, { headers });
});

grantsRoutes.get("/:capability/:format", async (c) => {
  const format = c.req.param("format");
  if (!(MANIFEST_FORMATS as readonly string[]).includes(format)) {
    throw new ApiError(404, "not_found", `no manifest format ${format}; use one of ${GRANT_FORMATS.join(", ")}`);
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
