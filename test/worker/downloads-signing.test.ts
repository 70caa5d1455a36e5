// URL signing (pure): the worker HMAC signer and its verification, key rotation, the R2 presigner,
// and the HTTP range/conditional rules /dl applies.
import { Sha256 } from "@aws-crypto/sha256-js";
import { SignatureV4 } from "@smithy/signature-v4";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { Buffer } from "node:buffer";
import { base64url, fromBase64url, fromCanonicalBase64 } from "../../worker/encoding";
import { config } from "../../worker/env";
import type { Downloadable } from "../../worker/downloads/files";
import { isNotModified, parseRange, rangeStillValid } from "../../worker/downloads/http-range";
import { signingKeys } from "../../worker/downloads/settings";
import {
  MAX_PRESIGN_SECONDS,
  parseSignedQuery,
  parseSignedToken,
  r2Signer,
  urlSigner,
  verifyWorkerSignature,
  workerSigner,
} from "../../worker/downloads/signers";

const key = (id: string, fill: number) => ({ id, secret: new Uint8Array(32).fill(fill) });
const file: Downloadable = {
  file: "cni-calico-3.29.2.zst",
  objectKey: "incoming/r1/cni-calico-3.29.2.zst",
  storedEtag: "e",
  size: 10,
  etag: "e",
  publishedAt: 0,
};
const now = Date.UTC(2026, 10, 28);
const grant = { id: "G".repeat(22), createdAt: now, expiresAt: now + 3600_000 };

async function signedParts(keys = [key("new", 1)]) {
  const url = new URL(await workerSigner(keys, "https://s.test").sign(grant, file));
  const q = parseSignedToken(url.pathname.split("/")[3], now);
  if ("reason" in q) throw new Error(q.reason);
  return {
    url,
    input: { method: "GET", objectKey: file.objectKey, exp: q.exp, grantId: grant.id, kid: q.kid, sig: q.sig },
  };
}

/** Another text for the same bytes: the last character of 32 bytes in base64url keeps 2 unused bits. */
const nonCanonicalTwin = (sig: string) => {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  return sig.slice(0, -1) + alphabet[alphabet.indexOf(sig.at(-1)!) | 1];
};

describe("canonical base64", () => {
  it("decodes only the one text base64url gives for the bytes", () => {
    const bytes = new Uint8Array(32).map((_, i) => i * 7);
    const text = base64url(bytes);
    expect(fromBase64url(text)).toEqual(bytes);
    expect(text).toHaveLength(43);
    expect(Buffer.from(nonCanonicalTwin(text), "base64url")).toEqual(Buffer.from(bytes)); // a lenient decoder agrees
    expect(fromBase64url(nonCanonicalTwin(text))).toBeUndefined();
    expect(fromBase64url(`${text}=`)).toBeUndefined();
    expect(fromBase64url("A")).toBeUndefined();
    expect(fromBase64url("AA")).toEqual(new Uint8Array([0]));
    expect(fromBase64url("AB")).toBeUndefined();
  });

  it("decodes canonical standard base64 (padded) or base64url (unpadded), and nothing else", () => {
    const bytes = new Uint8Array([250, 251, 252, 253, 254]);
    expect(fromCanonicalBase64("+vv8/f4=")).toEqual(bytes);
    expect(fromCanonicalBase64("-vv8_f4")).toEqual(bytes);
    for (const bad of ["+vv8/f4", "+vv8/f4==", "+vv8/f5=", "+vv8 /f4=", "+vv8/f4=\n", "", "-vv8/f4="])
      expect(fromCanonicalBase64(bad), bad).toBeUndefined();
  });

  it("refuses a signing key secret that is not canonical base64", () => {
    const secret = Buffer.from(new Uint8Array(32).fill(9)).toString("base64"); // ends in "=", 1 spare bit pair
    const cfgWith = (s: string) =>
      config({
        ADMIN_TOKEN: "a".repeat(24),
        TRUSTED_PUBLIC_KEYS: env.TRUSTED_PUBLIC_KEYS,
        DOWNLOAD_SIGNING_KEYS: JSON.stringify([{ id: "k", secret: s }]),
      } as unknown as Env);
    expect(signingKeys(cfgWith(secret))[0].secret).toEqual(new Uint8Array(32).fill(9));
    const twin = `${secret.slice(0, -2) + String.fromCharCode(secret.charCodeAt(secret.length - 2) + 1)}=`;
    expect(Buffer.from(twin, "base64")).toEqual(Buffer.from(new Uint8Array(32).fill(9)));
    expect(() => signingKeys(cfgWith(twin))).toThrow(/canonically encoded/);
    expect(() => signingKeys(cfgWith(`${secret}=`))).toThrow(/canonically encoded/);
    expect(() => signingKeys(cfgWith(` ${secret}`))).toThrow(/canonically encoded/);
  });
});

describe("worker signer", () => {
  it("signs /dl/<grant>/<exp>.<kid>.<sig>/<file> (the file's name last), and verifies GET and HEAD", async () => {
    const { url, input } = await signedParts();
    expect(url.pathname).toBe(`/dl/${grant.id}/${(now + 3600_000) / 1000}.new.${input.sig}/cni-calico-3.29.2.zst`);
    expect(url.search).toBe("");
    expect(input.kid).toBe("new");
    expect(await verifyWorkerSignature([key("new", 1)], input)).toEqual({ ok: true });
    expect(await verifyWorkerSignature([key("new", 1)], { ...input, method: "HEAD" })).toEqual({ ok: true });
  });

  it("fails for any change of object, expiry, grant, method, key or signature", async () => {
    const { input } = await signedParts();
    const keys = [key("new", 1)];
    for (const changed of [
      { objectKey: "incoming/r1/other.zst" },
      { exp: input.exp + 1 },
      { grantId: "H".repeat(22) },
      { method: "PUT" },
      { sig: (input.sig.startsWith("A") ? "B" : "A") + input.sig.slice(1) },
    ]) {
      expect(await verifyWorkerSignature(keys, { ...input, ...changed }), JSON.stringify(changed)).toEqual({
        ok: false,
        reason: "invalid signature",
      });
    }
    expect(await verifyWorkerSignature(keys, { ...input, sig: "!!" })).toEqual({
      ok: false,
      reason: "malformed signature",
    });
    // The same MAC bytes written another way are not the signature this studio issued.
    expect(await verifyWorkerSignature(keys, { ...input, sig: nonCanonicalTwin(input.sig) })).toEqual({
      ok: false,
      reason: "malformed signature",
    });
    expect(await verifyWorkerSignature(keys, { ...input, kid: "gone" })).toEqual({
      ok: false,
      reason: "unknown signing key id",
    });
    expect(await verifyWorkerSignature([key("new", 2)], input)).toEqual({ ok: false, reason: "invalid signature" });
  });

  it("keeps URLs signed with a retired key valid while that key is still listed (rotation)", async () => {
    const { input } = await signedParts([key("old", 7)]);
    expect(await verifyWorkerSignature([key("new", 1), key("old", 7)], input)).toEqual({ ok: true });
    expect(await verifyWorkerSignature([key("new", 1)], input)).toEqual({
      ok: false,
      reason: "unknown signing key id",
    });
  });

  it("checks the query before any I/O: missing parts, malformed or past expiry", () => {
    expect(parseSignedQuery(new URLSearchParams("exp=1&kid=k"), now)).toEqual({
      reason: expect.stringMatching(/not a signed download URL/),
    });
    expect(parseSignedQuery(new URLSearchParams("exp=soon&kid=k&sig=s"), now)).toEqual({ reason: "malformed expiry" });
    expect(parseSignedQuery(new URLSearchParams(`exp=${now / 1000}&kid=k&sig=s`), now)).toEqual({
      reason: expect.stringMatching(/^link expired at 2026-11-28T00:00:00\.000Z/),
    });
  });
});

describe("signing settings", () => {
  const cfg = (extra: Record<string, string>) =>
    config({
      ADMIN_TOKEN: "x".repeat(24),
      TRUSTED_PUBLIC_KEYS: env.TRUSTED_PUBLIC_KEYS,
      ...extra,
    } as unknown as Env);

  it("names what is missing or malformed", () => {
    expect(() => signingKeys(cfg({}))).toThrow(/DOWNLOAD_SIGNING_KEYS is required/);
    expect(() => signingKeys(cfg({ DOWNLOAD_SIGNING_KEYS: "nope" }))).toThrow(/must be JSON/);
    expect(() =>
      signingKeys(cfg({ DOWNLOAD_SIGNING_KEYS: JSON.stringify([{ id: "k", secret: btoa("short") }]) })),
    ).toThrow(/DOWNLOAD_SIGNING_KEYS\.0\.secret: must be base64 of at least 32 bytes/);
    expect(() => urlSigner(cfg({ DOWNLOAD_SIGNER: "r2", R2_ACCOUNT_ID: "acc" }), "https://s.test")).toThrow(
      /R2_ACCESS_KEY_ID, R2_SECRET_ACCESS_KEY, R2_BUCKET_NAME required/,
    );
  });

  it("presigns R2 GETs with SigV4 query auth, the documented file name, and the grant's expiry", async () => {
    const signer = r2Signer(
      cfg({
        DOWNLOAD_SIGNER: "r2",
        R2_ACCOUNT_ID: "acc123",
        R2_ACCESS_KEY_ID: "AKID",
        R2_SECRET_ACCESS_KEY: "secret",
        R2_BUCKET_NAME: "artifacts",
      }),
    );
    const url = new URL(await signer.sign(grant, file));
    expect(url.origin).toBe("https://acc123.r2.cloudflarestorage.com");
    expect(url.pathname).toBe("/artifacts/incoming/r1/cni-calico-3.29.2.zst");
    expect(url.searchParams.get("X-Amz-Expires")).toBe("3600");
    expect(url.searchParams.get("X-Amz-Date")).toBe("20261128T000000Z");
    expect(url.searchParams.get("X-Amz-Algorithm")).toBe("AWS4-HMAC-SHA256");
    expect(url.searchParams.get("X-Amz-Credential")).toBe("AKID/20261128/auto/s3/aws4_request");
    expect(url.searchParams.get("X-Amz-Signature")).toMatch(/^[0-9a-f]{64}$/);
    expect(url.searchParams.get("response-content-disposition")).toContain(
      'attachment; filename="cni-calico-3.29.2.zst"',
    );
    // The same grant always yields the same URL, so manifests fetched later agree with the grant.
    expect(await signer.sign(grant, file)).toBe(url.toString());
    const week = new URL(await signer.sign({ ...grant, expiresAt: now + 30 * 86400_000 }, file));
    expect(week.searchParams.get("X-Amz-Expires")).toBe(String(MAX_PRESIGN_SECONDS));
  });

  it("presigns URLs whose signature AWS's own SigV4 implementation recomputes from the URL as sent", async () => {
    const creds = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };
    const signer = r2Signer(
      cfg({
        DOWNLOAD_SIGNER: "r2",
        R2_ACCOUNT_ID: "acc123",
        R2_ACCESS_KEY_ID: creds.accessKeyId,
        R2_SECRET_ACCESS_KEY: creds.secretAccessKey,
        R2_BUCKET_NAME: "artifacts",
      }),
    );
    const reference = new SignatureV4({
      service: "s3",
      region: "auto",
      credentials: creds,
      sha256: Sha256,
      uriEscapePath: false, // S3 signs the path as it is sent
    });
    for (const name of ["cni-calico-3.29.2.zst", "palette (FIPS) ü's*.iso"]) {
      const sent = await signer.sign(grant, { ...file, file: name });
      expect(sent).not.toContain("+");
      // The query as a server reads it (RFC 3986: only percent-escapes are decoded; "+" is a plus).
      const url = new URL(sent);
      const query: Record<string, string> = {};
      for (const pair of url.search.slice(1).split("&")) {
        const [k, v] = pair.split("=").map(decodeURIComponent);
        query[k] = v;
      }
      expect(query["response-content-disposition"]).toMatch(/^attachment; filename="/);
      const { "X-Amz-Signature": signature, ...rest } = query;
      const recomputed = await reference.presign(
        {
          method: "GET",
          protocol: url.protocol,
          hostname: url.hostname,
          path: url.pathname,
          query: rest,
          headers: { host: url.host, "x-amz-content-sha256": "UNSIGNED-PAYLOAD" },
        },
        {
          signingDate: new Date(now),
          expiresIn: Number(query["X-Amz-Expires"]),
          unhoistableHeaders: new Set(["x-amz-content-sha256"]),
          unsignableHeaders: new Set(["x-amz-content-sha256"]),
        },
      );
      expect(recomputed.query!["X-Amz-SignedHeaders"]).toBe(query["X-Amz-SignedHeaders"]);
      expect(recomputed.query!["X-Amz-Signature"], name).toBe(signature);
    }
  });
});

describe("range and conditional rules", () => {
  it("parses one byte range and ignores what it cannot serve as one", () => {
    expect(parseRange(null, 100)).toEqual({ kind: "full" });
    expect(parseRange("bytes=0-9", 100)).toEqual({ kind: "partial", start: 0, end: 9 });
    expect(parseRange("bytes=90-200", 100)).toEqual({ kind: "partial", start: 90, end: 99 });
    expect(parseRange("bytes=-5", 100)).toEqual({ kind: "partial", start: 95, end: 99 });
    expect(parseRange("bytes=-500", 100)).toEqual({ kind: "full" });
    expect(parseRange("bytes=0-", 100)).toEqual({ kind: "full" });
    expect(parseRange("bytes=100-", 100)).toEqual({ kind: "unsatisfiable" });
    expect(parseRange("bytes=-0", 100)).toEqual({ kind: "unsatisfiable" });
    expect(parseRange("bytes=0-1,5-6", 100)).toEqual({ kind: "full" });
    expect(parseRange("items=0-1", 100)).toEqual({ kind: "full" });
    expect(parseRange("bytes=9-3", 100)).toEqual({ kind: "full" });
  });

  it("answers If-None-Match before If-Modified-Since, and honours If-Range", () => {
    const modified = Date.UTC(2026, 0, 1, 12, 0, 0, 500);
    const h = (init: Record<string, string>) => new Headers(init);
    expect(isNotModified(h({ "If-None-Match": 'W/"x", "e"' }), '"e"', modified)).toBe(true);
    expect(isNotModified(h({ "If-None-Match": "*" }), '"e"', modified)).toBe(true);
    expect(
      isNotModified(
        h({ "If-None-Match": '"x"', "If-Modified-Since": new Date(modified + 1e6).toUTCString() }),
        '"e"',
        modified,
      ),
    ).toBe(false);
    expect(isNotModified(h({ "If-Modified-Since": new Date(modified).toUTCString() }), '"e"', modified)).toBe(true);
    expect(isNotModified(h({ "If-Modified-Since": new Date(modified - 1000).toUTCString() }), '"e"', modified)).toBe(
      false,
    );
    expect(isNotModified(h({ "If-Modified-Since": "yesterday" }), '"e"', modified)).toBe(false);
    expect(rangeStillValid(h({ "If-Range": '"e"' }), '"e"', modified)).toBe(true);
    expect(rangeStillValid(h({ "If-Range": '"old"' }), '"e"', modified)).toBe(false);
    expect(rangeStillValid(h({ "If-Range": new Date(modified - 5000).toUTCString() }), '"e"', modified)).toBe(false);
  });

  it("applies If-Range with a date only when it is exactly the Last-Modified", () => {
    const modified = Date.UTC(2026, 0, 1, 12, 0, 0, 500); // sent as Thu, 01 Jan 2026 12:00:00 GMT
    const ifRange = (ms: number) => new Headers({ "If-Range": new Date(ms).toUTCString() });
    expect(rangeStillValid(ifRange(modified), '"e"', modified)).toBe(true);
    expect(rangeStillValid(ifRange(modified + 1000), '"e"', modified)).toBe(false);
    expect(rangeStillValid(ifRange(modified + 86400_000), '"e"', modified)).toBe(false);
    expect(rangeStillValid(ifRange(modified - 1000), '"e"', modified)).toBe(false);
    // A weak ETag never validates a range.
    expect(rangeStillValid(new Headers({ "If-Range": 'W/"e"' }), '"e"', modified)).toBe(false);
  });

  it("treats a weak If-None-Match as naming the same file (weak comparison)", () => {
    const sha = "ab".repeat(32);
    expect(isNotModified(new Headers({ "If-None-Match": `W/"${sha}"` }), `"${sha}"`, 0)).toBe(true);
    expect(isNotModified(new Headers({ "If-None-Match": `W/"${"cd".repeat(32)}"` }), `"${sha}"`, 0)).toBe(false);
  });
});
