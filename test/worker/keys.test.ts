import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

describe("public keys", () => {
  it("serves the default trusted key as spectro_public_key.pem", async () => {
    const res = await exports.default.fetch("http://studio.test/spectro_public_key.pem");
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Disposition")).toContain('filename="spectro_public_key.pem"');
    const body = await res.text();
    expect(body).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
  });

  it("serves every key by id and 404s an unknown id in the error shape", async () => {
    const rsa = await exports.default.fetch("http://studio.test/keys/test-rsa.pem");
    expect(rsa.status).toBe(200);
    const missing = await exports.default.fetch("http://studio.test/keys/nope.pem");
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: { code: "not_found", message: "key nope not found" } });
  });

  it("gives each key's fingerprint (the SHA-256 of its DER form) in X-Key-Sha256 and on /verify", async () => {
    const page = await (await exports.default.fetch("http://studio.test/verify")).text();
    for (const path of ["/spectro_public_key.pem", "/keys/test-rsa.pem", "/keys/test-ec.pem", "/keys/studio-1.pem"]) {
      const res = await exports.default.fetch(`http://studio.test${path}`);
      expect(res.status, path).toBe(200);
      // WebCrypto's own reading of the PEM, independent of the worker's node:crypto one.
      const der = Uint8Array.from(atob((await res.text()).replace(/-----[A-Z ]+-----|\s/g, "")), (c) =>
        c.charCodeAt(0),
      );
      const spki = await crypto.subtle.exportKey(
        "spki",
        await crypto.subtle.importKey("spki", der, spkiAlgorithm(path), true, ["verify"]),
      );
      const expected = [...new Uint8Array(await crypto.subtle.digest("SHA-256", spki))]
        .map((b) => b.toString(16).padStart(2, "0"))
        .join("");
      expect(res.headers.get("X-Key-Sha256"), path).toBe(expected);
      expect(page, path).toContain(expected);
    }
  });

  it("refuses the admin API without the bearer token", async () => {
    const res = await exports.default.fetch("http://studio.test/api/v1/admin/sync/runs");
    expect(res.status).toBe(401);
    const body = (await res.json()) as { error: { code: string } };
    expect(body.error.code).toBe("unauthorized");
  });
});

const spkiAlgorithm = (path: string) =>
  path.includes("rsa") ? { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" } : { name: "ECDSA", namedCurve: "P-256" };
