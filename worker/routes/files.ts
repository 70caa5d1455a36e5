// /dl/<grant>/<file>?exp=&kid=&sig=: worker-signed downloads. The signature, the grant (not revoked,
// not expired) and the pack (not yanked since) are checked, then the file is streamed from the edge
// cache or R2. Refusals are a 403 with one line of text, since curl and browsers show it as is.
import { Hono } from "hono";
import { latestStateReader } from "../db/client";
import { installerYanked, yankedAmong } from "../db/grants";
import { config } from "../env";
import { findDownloadable } from "../downloads/files";
import { findGrant } from "../downloads/grants";
import { storageDeps } from "../downloads/issue";
import { serveDownloadable } from "../downloads/serve";
import { parseSignedQuery, verifyWorkerSignature } from "../downloads/signers";
import { signingKeys } from "../downloads/settings";

export const filesRoutes = new Hono<{ Bindings: Env }>();

const refuse = (reason: string) =>
  new Response(`${reason}\n`, {
    status: 403,
    headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" },
  });

// Every method reaches the check: the signature covers the method (HEAD counting as GET), so a GET
// URL used for anything but GET or HEAD fails it like any other tampering.
filesRoutes.all("/:grant/:file", async (c) => {
  const keys = signingKeys(config(c.env));
  const now = Date.now();
  const query = parseSignedQuery(new URL(c.req.url).searchParams, now);
  if ("reason" in query) return refuse(query.reason);
  const grantId = c.req.param("grant");
  // Grant, revocation and yank state at the primary: a lagging replica must not serve a revoked grant.
  const db = latestStateReader(c.env);
  const grant = await findGrant(db, grantId);
  if (!grant) return refuse("unknown grant");
  const file = findDownloadable(grant.files, c.req.param("file"));
  if (!file) return refuse("no such file in this grant");
  const check = await verifyWorkerSignature(keys, {
    method: c.req.method,
    objectKey: file.objectKey,
    exp: query.exp,
    grantId,
    kid: query.kid,
    sig: query.sig,
  });
  if (!check.ok) return refuse(check.reason);
  if (grant.revoked) return refuse("this download grant was revoked");
  if (file.packVersionId && (await yankedAmong(db, [file.packVersionId])).size) {
    return refuse(`${file.file} was yanked from the catalog; it is no longer offered`);
  }
  if (file.installer && (await installerYanked(db, file.installer))) {
    return refuse(`${file.file} was yanked from the catalog; it is no longer offered`);
  }
  return serveDownloadable(c.req.raw, file, storageDeps(c));
});
