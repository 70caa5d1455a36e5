// /dl/<grant>/<exp>.<kid>.<sig>/<file>: worker-signed downloads (the file's name last, so wget -i
// and aria2c -i save it; /dl/<grant>/<file>?exp=&kid=&sig=, the shape grants were issued with before,
// still works). Under studio/ the grant's signed bundle list, generated here. The signature, the grant (not revoked,
// not expired) and the pack or installer (not yanked since) are checked, then the file is streamed from the edge
// cache or R2. Refusals are a 403 with one line of text, since curl and browsers show it as is.
import { type Context, Hono } from "hono";
import { type Db, primary } from "../../db/client";
import { type GrantRecord, grantDrift } from "../../db/grant-queries";
import { config } from "../../env";
import { keyDistrust } from "../../key-status";
import { type Downloadable, findDownloadable } from "../../downloads/files";
import { findProofFile, grantProofs } from "../../downloads/provenance";
import { findGrant } from "../../downloads/granting";
import { storageDeps } from "../context";
import { serveDownloadable } from "../../downloads/serve";
import { contentDisposition, parseSignedQuery, parseSignedToken, verifyWorkerSignature } from "../../downloads/signers";
import { type SigningKey, signingKeys } from "../../downloads/settings";
import { grantBundleList } from "../../downloads/grant-documents";
import { bundleListDownloadable, listUrlKeys } from "../../downloads/bundle-list";
import { yankWords } from "../../domain/yank-words";

export const dlRoutes = new Hono<{ Bindings: Env }>();

const refuse = (reason: string) =>
  new Response(`${reason}\n`, {
    status: 403,
    headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" },
  });

type Signed = { exp: number; kid: string; sig: string } | { reason: string };
const fromToken = (c: Context<{ Bindings: Env }>) => parseSignedToken(c.req.param("token") ?? "", Date.now());
const fromQuery = (c: Context<{ Bindings: Env }>) => parseSignedQuery(new URL(c.req.url).searchParams, Date.now());

const grantFile = (c: Context<{ Bindings: Env }>) => async (grant: GrantRecord) =>
  findDownloadable(grant.files, c.req.param("file") ?? "");
const proofFile = (c: Context<{ Bindings: Env }>) => async (grant: GrantRecord, db: Db) =>
  findProofFile(await grantProofs(db, grant), `releases/${c.req.param("release")}/${c.req.param("name")}`);

// Every method reaches the check: the signature covers the method (HEAD counting as GET), so a GET
// URL used for anything but GET or HEAD fails it like any other tampering.
dlRoutes.all("/:grant/:token{[0-9]+\\.[^/]+}/:file", (c) => serveGrantFile(c, fromToken(c), grantFile(c)));
dlRoutes.all("/:grant/:token{[0-9]+\\.[^/]+}/releases/:release/:name", (c) =>
  serveGrantFile(c, fromToken(c), proofFile(c)),
);
// The grant's bundle list and its signature, signed by the studio's key as they are served.
dlRoutes.all("/:grant/:token{[0-9]+\\.[^/]+}/studio/:name", (c) => serveBundleList(c));
// Old-shape URLs (the signature in the query).
dlRoutes.all("/:grant/:file", (c) => serveGrantFile(c, fromQuery(c), grantFile(c)));
dlRoutes.all("/:grant/releases/:release/:name", (c) => serveGrantFile(c, fromQuery(c), proofFile(c)));

/** The grant if the URL's signature (over `objectKey`, by one of `keys`) and the grant's state allow it. */
async function checkedGrant(
  c: Context<{ Bindings: Env }>,
  signed: Signed,
  keys: SigningKey[],
  lookup: (grant: GrantRecord, db: Db) => Promise<Downloadable | undefined>,
): Promise<{ refusal: Response } | { grant: GrantRecord; file: Downloadable; db: Db }> {
  if ("reason" in signed) return { refusal: refuse(signed.reason) };
  const grantId = c.req.param("grant") ?? "";
  // Grant, revocation and yank state at the primary: a lagging replica must not serve a revoked grant.
  const db = primary(c.env);
  const grant = await findGrant(db, grantId);
  const file = grant && (await lookup(grant, db));
  // An unknown grant or a file outside it goes through the same signature check (over no object, so
  // it fails) and gets the same answer as any forged link: a grant id seen in a log must not tell its
  // finder which files the grant holds, not even through which reason comes back.
  const check = await verifyWorkerSignature(keys, {
    method: c.req.method,
    objectKey: file ? file.objectKey : "",
    exp: signed.exp,
    grantId,
    kid: signed.kid,
    sig: signed.sig,
  });
  if (!check.ok) return { refusal: refuse(check.reason) };
  if (!grant || !file) return { refusal: refuse("invalid signature") };
  if (grant.revoked) return { refusal: refuse("this download grant was revoked") };
  return { grant, file, db };
}

async function serveBundleList(c: Context<{ Bindings: Env }>): Promise<Response> {
  const cfg = config(c.env);
  const name = `studio/${c.req.param("name")}`;
  const checked = await checkedGrant(c, fromToken(c), listUrlKeys(cfg), async (grant) =>
    bundleListDownloadable(grant, name),
  );
  if ("refusal" in checked) return checked.refusal;
  const { grant, file, db } = checked;
  const docs = await grantBundleList(cfg, grant, await grantProofs(db, grant), storageDeps(c));
  const bytes = file.file.endsWith(".sig.bin") ? docs.signature : docs.list;
  return new Response(c.req.method === "HEAD" ? null : bytes, {
    headers: {
      "Content-Type": file.file.endsWith(".sig.bin") ? "application/octet-stream" : "text/plain; charset=utf-8",
      "Content-Length": String(bytes.byteLength),
      "Content-Disposition": contentDisposition(file.file),
      "Cache-Control": "private, no-store",
      "X-Studio-Key-Id": docs.key.id,
    },
  });
}

async function serveGrantFile(
  c: Context<{ Bindings: Env }>,
  signed: Signed,
  lookup: (grant: GrantRecord, db: Db) => Promise<Downloadable | undefined>,
): Promise<Response> {
  const checked = await checkedGrant(c, signed, signingKeys(config(c.env)), lookup);
  if ("refusal" in checked) return checked.refusal;
  const { grant, file, db } = checked;
  const refusal = await trustRefusal(c.env, db, grant, file);
  if (refusal) return refuse(refusal);
  return serveDownloadable(c.req.raw, file, storageDeps(c));
}

/**
 * Why a file may no longer leave, checked before the edge cache or R2 are asked: signed by a key the
 * env marks revoked or no longer lists (defence in depth beside the reconcile), or its pack or installer yanked or
 * re-signed under another key since the grant listed it.
 */
async function trustRefusal(env: Env, db: Db, grant: GrantRecord, file: Downloadable): Promise<string | null> {
  const distrusted = file.keyId ? keyDistrust(config(env).TRUSTED_PUBLIC_KEYS)(file.keyId) : null;
  if (distrusted) return `${file.file} is signed with ${distrusted}; it is no longer offered`;
  const source = grant.files.find((f) => f.file === file.file || f.sigFile === file.file);
  if (!source) return null; // a release manifest: its key was checked above
  const drift = await grantDrift(db, [source]);
  // The yank's time and reason travel with the refusal: the user holding an old link learns why.
  if (drift.yanked.length) return `${file.file} was ${yankWords(drift.yanked[0])}; it is no longer offered`;
  if (drift.resigned.length)
    return `${file.file} was re-signed with key ${drift.resigned[0].keyId} since this grant was issued; request a new grant`;
  return null;
}
