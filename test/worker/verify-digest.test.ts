// The single-pass verifier: files are hashed once (DigestStream) and the signature is checked over
// that digest, for ECDSA P-256 (DER, low- and high-S, as openssl makes them) and RSA PKCS#1 v1.5.
import { env } from "cloudflare:workers";
import { createHash, createSign } from "node:crypto";
import { describe, expect, it } from "vitest";
import { measureAndVerify, verifyDigest } from "../../worker/sync/measure-and-verify";
import { testSigningKey } from "./support/releases";

const publicKeys = Object.fromEntries(
  (JSON.parse(env.TRUSTED_PUBLIC_KEYS) as { id: string; pem: string }[]).map((k) => [k.id, k.pem]),
);
const sign = (data: Uint8Array, key: string) =>
  new Uint8Array(createSign("sha256").update(data).sign(testSigningKey(env, key)));
const sha256 = (data: Uint8Array) => new Uint8Array(createHash("sha256").update(data).digest());
const bytesOf = (text: string) => new TextEncoder().encode(text);

describe("verifyDigest", () => {
  it("accepts ECDSA P-256 signatures over the digest, whatever half their S value falls in", () => {
    // openssl does not normalise S, so about half of these are high-S.
    for (let i = 0; i < 24; i++) {
      const data = bytesOf(`release file ${i}`);
      expect(verifyDigest(sha256(data), sign(data, "test-ec"), publicKeys["test-ec"]), `signature ${i}`).toBe(true);
    }
  });

  it("accepts RSA PKCS#1 v1.5 signatures over the digest", () => {
    const data = bytesOf("an RSA-signed pack");
    expect(verifyDigest(sha256(data), sign(data, "test-rsa"), publicKeys["test-rsa"])).toBe(true);
  });

  it("refuses a signature over other bytes, by another key, or that is not a signature", () => {
    const data = bytesOf("the real bytes");
    const other = sha256(bytesOf("other bytes"));
    for (const [key, kind] of [
      ["test-ec", "ECDSA"],
      ["test-rsa", "RSA"],
    ] as const) {
      const signature = sign(data, key);
      expect(verifyDigest(other, signature, publicKeys[key]), `${kind}: other bytes`).toBe(false);
      const flipped = signature.slice();
      flipped[flipped.length - 5] ^= 0x01;
      expect(verifyDigest(sha256(data), flipped, publicKeys[key]), `${kind}: one bit flipped`).toBe(false);
      expect(verifyDigest(sha256(data), new Uint8Array(0), publicKeys[key]), `${kind}: empty`).toBe(false);
    }
    expect(verifyDigest(sha256(data), sign(data, "untrusted"), publicKeys["test-ec"])).toBe(false);
    expect(verifyDigest(sha256(data), sign(data, "test-ec"), publicKeys["test-rsa"])).toBe(false);
  });

  it("verifies nothing with a corrupt key", () => {
    const data = bytesOf("bytes");
    const corrupt = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n";
    expect(verifyDigest(sha256(data), sign(data, "test-ec"), corrupt)).toBe(false);
  });
});

describe("measureAndVerify", () => {
  it("hashes a stream once and verifies its signature; the copy gets every byte", async () => {
    const chunks = [bytesOf("first chunk, "), bytesOf("second chunk, "), bytesOf("last chunk")];
    const whole = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
    let offset = 0;
    for (const c of chunks) {
      whole.set(c, offset);
      offset += c.byteLength;
    }
    const copied: Uint8Array[] = [];
    const copy = new WritableStream<Uint8Array>({ write: (c) => void copied.push(c) }).getWriter();
    const measured = await measureAndVerify(
      new Blob(chunks).stream(),
      sign(whole, "test-rsa"),
      publicKeys["test-rsa"],
      copy,
    );
    expect(measured).toEqual({
      bytes: whole.byteLength,
      sha256: Buffer.from(sha256(whole)).toString("hex"),
      signatureValid: true,
    });
    expect(copied.reduce((n, c) => n + c.byteLength, 0)).toBe(whole.byteLength);
  });
});
