// /dl/<grant>/<file>?exp=&kid=&sig=: worker-signed downloads. The signature, the grant (not revoked,
// not expired) and the pack or installer (not yanked since) are checked, then the file is streamed from the edge
// cache or R2. Refusals are a 403 with one line of text, since curl and browsers show it as is.
import { type Context, Hono } from "hono";
import { type Db, latestStateReader } from "../../db/client";
import { type GrantRecord, grantDrift } from "../../db/grants";
import { config } from "../../env";
import { revokedKeyIds } from "../../keys";
import { type Downloadable, findDownloadable } from "../../downloads/files";
import { findProofFile, grantProofs } from "../../downloads/provenance";
import { findGrant } from "../../downloads/grants";
import { storageDeps } from "../context";
import { serveDownloadable } from "../../downloads/serve";
import { parseSignedQuery, verifyWorkerSignature } from "../../downloads/signers";
import { signingKeys } from "../../downloads/settings";

export const dlRoutes = new Hono<{ Bindings: Env }>();

const refuse = (reason: string) =>
  new Response(`${reason}\n`, {
    status: 403,
    headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" },
  });

// Every method reaches the check: the signature covers the method (HEAD counting as GET), so a GET
// URL used for anything but GET or HEAD fails it like any other tampering.
dlRoutes.all("/:grant/:file", (c) =>
  serveGrantFile(c, async (grant) => findDownloadable(grant.files, c.req.param("file"))),
);

// The signed release manifests that cover a grant's files: releases/<release-id>/release.json(.sig.bin).
dlRoutes.all("/:grant/releases/:release/:name", (c) =>
  serveGrantFile(c, async (grant, db) =>
    findProofFile(await grantProofs(db, grant), `releases/${c.req.param("release")}/${c.req.param("name")}`),
  ),
);

async function serveGrantFile(
  c: Context<{ Bindings: Env }>,
  lookup: (grant: GrantRecord, db: Db) => Promise<Downloadable | undefined>,
): Promise<Response> {
  const keys = signingKeys(config(c.env));
  const now = Date.now();
  const query = parseSignedQuery(new URL(c.req.url).searchParams, now);
  if ("reason" in query) return refuse(query.reason);
  const grantId = c.req.param("grant") ?? "";
  // Grant, revocation and yank state at the primary: a lagging replica must not serve a revoked grant.
  const db = latestStateReader(c.env);
  const grant = await findGrant(db, grantId);
  const file = grant && (await lookup(grant, db));
  // An unknown grant or a file outside it goes through the same signature check (over no object, so
  // it fails) and gets the same answer as any forged link: a grant id seen in a log must not tell its
  // finder which files the grant holds, not even through which reason comes back.
  const check = await verifyWorkerSignature(keys, {
    method: c.req.method,
    objectKey: file ? file.objectKey : "",
    exp: query.exp,
    grantId,
    kid: query.kid,
    sig: query.sig,
  });
  if (!check.ok) return refuse(check.reason);
  if (!grant || !file) return refuse("invalid signature");
  if (grant.revoked) return refuse("this download grant was revoked");
  const refusal = await trustRefusal(c.env, db, grant, file);
  if (refusal) return refuse(refusal);
  return serveDownloadable(c.req.raw, file, storageDeps(c));
}

/**
 * Why a file may no longer leave, checked before the edge cache or R2 are asked: signed by a key the
 * env marks revoked (defence in depth beside the reconcile), or its pack or installer yanked or
 * re-signed under another key since the grant listed it.
 */
async function trustRefusal(env: Env, db: Db, grant: GrantRecord, file: Downloadable): Promise<string | null> {
  const revoked = revokedKeyIds(config(env).TRUSTED_PUBLIC_KEYS);
  if (file.keyId && revoked.has(file.keyId))
    return `${file.file} is signed with revoked key ${file.keyId}; it is no longer offered`;
  const source = grant.files.find((f) => f.file === file.file || f.sigFile === file.file);
  if (!source) return null; // a release manifest: its key was checked above
  const drift = await grantDrift(db, [source]);
  if (drift.yanked.length) return `${file.file} was yanked from the catalog; it is no longer offered`;
  if (drift.resigned.length)
    return `${file.file} was re-signed with key ${drift.resigned[0].keyId} since this grant was issued; request a new grant`;
  return null;
}
