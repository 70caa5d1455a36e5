// Signed download URLs, two strategies behind one interface. "worker": /dl/<grant>/<file> with an
// HMAC-SHA256 over method, object key, expiry and grant id, verified here (revocable, edge-cached).
// "r2": SigV4 query-presigned GETs on R2's S3 endpoint, served by R2 itself (cannot be revoked early).
import { AwsClient } from "aws4fetch";
import type { Config } from "../env";
import { base64url, fromBase64url } from "../encoding";
import type { Downloadable } from "./files";
import { r2Credentials, type SigningKey, signingKeys } from "./settings";

export type GrantRef = { id: string; createdAt: number; expiresAt: number };

export interface UrlSigner {
  readonly strategy: "worker" | "r2";
  sign(grant: GrantRef, file: Downloadable): Promise<string>;
}

export function urlSigner(cfg: Config, origin: string): UrlSigner {
  return cfg.DOWNLOAD_SIGNER === "r2" ? r2Signer(cfg) : workerSigner(signingKeys(cfg), origin);
}

const encoder = new TextEncoder();

/** What the HMAC covers. HEAD is signed as GET: a GET URL may always be HEADed. */
const signedMessage = (method: string, objectKey: string, exp: number, grantId: string) =>
  encoder.encode(`${method === "HEAD" ? "GET" : method}\n${objectKey}\n${exp}\n${grantId}`);

const hmacKeys = new WeakMap<Uint8Array, Promise<CryptoKey>>();
function hmacKey(key: SigningKey): Promise<CryptoKey> {
  let k = hmacKeys.get(key.secret);
  if (!k) {
    k = crypto.subtle.importKey("raw", key.secret, { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
    hmacKeys.set(key.secret, k);
  }
  return k;
}

const expirySeconds = (grant: GrantRef) => Math.floor(grant.expiresAt / 1000);

export function workerSigner(keys: SigningKey[], origin: string): UrlSigner {
  const current = keys[0];
  return {
    strategy: "worker",
    async sign(grant, file) {
      const exp = expirySeconds(grant);
      const mac = await crypto.subtle.sign(
        "HMAC",
        await hmacKey(current),
        signedMessage("GET", file.objectKey, exp, grant.id),
      );
      // Expiry, key and signature come before the file's name, which is the last path segment, so
      // `wget -i`, `curl -O` and `aria2c -i` save the documented name.
      return `${origin}/dl/${grant.id}/${exp}.${current.id}.${base64url(mac)}/${file.file.split("/").map(encodeURIComponent).join("/")}`;
    },
  };
}

export type UrlCheck = { ok: true } | { ok: false; reason: string };

type SignedParts = { exp: number; kid: string; sig: string };

/** exp, kid and sig of a /dl URL, checked without I/O; expiry first so stale links say so plainly. */
function checkSignedParts(
  exp: string | null | undefined,
  kid: string | null | undefined,
  sig: string | null | undefined,
  nowMs: number,
): SignedParts | { reason: string } {
  if (!exp || !kid || !sig) return { reason: "missing exp, kid or sig: this is not a signed download URL" };
  if (!/^\d{1,12}$/.test(exp)) return { reason: "malformed expiry" };
  if (Number(exp) * 1000 <= nowMs)
    return { reason: `link expired at ${new Date(Number(exp) * 1000).toISOString()}; ask for a new download` };
  return { exp: Number(exp), kid, sig };
}

/** The path token of a /dl URL, `<exp>.<kid>.<sig>` (kid and sig are base64url: no dots). */
export const SIGNED_TOKEN = /^(\d{1,12})\.([A-Za-z0-9_-]{1,32})\.([A-Za-z0-9_-]{1,100})$/;

export function parseSignedToken(token: string, nowMs: number): SignedParts | { reason: string } {
  const m = SIGNED_TOKEN.exec(token);
  return m ? checkSignedParts(m[1], m[2], m[3], nowMs) : { reason: "malformed signed download URL" };
}

/** The query of an old-shape /dl URL (?exp=&kid=&sig=, grants issued before the path token): still honoured. */
export const parseSignedQuery = (query: URLSearchParams, nowMs: number) =>
  checkSignedParts(query.get("exp"), query.get("kid"), query.get("sig"), nowMs);

/** Constant-time check (crypto.subtle.verify) of a worker-signed URL against the key it names. */
export async function verifyWorkerSignature(
  keys: SigningKey[],
  input: { method: string; objectKey: string; exp: number; grantId: string; kid: string; sig: string },
): Promise<UrlCheck> {
  const key = keys.find((k) => k.id === input.kid);
  if (!key) return { ok: false, reason: "unknown signing key id" };
  const mac = fromBase64url(input.sig);
  if (!mac) return { ok: false, reason: "malformed signature" };
  const valid = await crypto.subtle.verify(
    "HMAC",
    await hmacKey(key),
    mac,
    signedMessage(input.method, input.objectKey, input.exp, input.grantId),
  );
  return valid ? { ok: true } : { ok: false, reason: "invalid signature" };
}

/** S3 presigning allows at most 7 days. */
export const MAX_PRESIGN_SECONDS = 604800;

export function r2Signer(cfg: Config): UrlSigner {
  const creds = r2Credentials(cfg);
  const client = new AwsClient({
    accessKeyId: creds.accessKeyId,
    secretAccessKey: creds.secretAccessKey,
    service: "s3",
    region: "auto",
  });
  return {
    strategy: "r2",
    async sign(grant, file) {
      const url = new URL(
        `https://${creds.accountId}.r2.cloudflarestorage.com/${creds.bucket}/${file.objectKey.split("/").map(encodeURIComponent).join("/")}`,
      );
      // Dated at the grant's creation so the same grant always yields the same expiry.
      const issued = Math.floor(grant.createdAt / 1000);
      const expires = Math.min(MAX_PRESIGN_SECONDS, Math.max(1, expirySeconds(grant) - issued));
      url.searchParams.set("X-Amz-Expires", String(expires));
      url.searchParams.set("response-content-disposition", contentDisposition(file.file));
      const datetime = new Date(issued * 1000).toISOString().replace(/[:-]|\.\d{3}/g, "");
      const signed = await client.sign(url.toString(), { method: "GET", aws: { signQuery: true, datetime } });
      return withSigV4Query(new URL(signed.url));
    },
  };
}

/** RFC 3986 percent-encoding, as SigV4 canonicalises query strings: a space is %20, never "+". */
const rfc3986 = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * The URL with its query written the way its signature was computed. aws4fetch signs over %20 but
 * returns URLSearchParams' form encoding, which writes spaces as "+" (aws4fetch issue #83); S3
 * reads "+" as a literal plus, so such a URL verifies only where a server bends the rules.
 */
export function withSigV4Query(url: URL): string {
  const query = [...url.searchParams].map(([k, v]) => `${rfc3986(k)}=${rfc3986(v)}`).join("&");
  return `${url.origin}${url.pathname}?${query}`;
}

/** attachment with the documented name; the RFC 5987 form too, for names outside ASCII. */
export function contentDisposition(path: string): string {
  const fileName = path.slice(path.lastIndexOf("/") + 1); // releases/<id>/release.json saves as release.json
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\]/g, "_");
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}
