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

  it("refuses the admin API without the bearer token", async () => {
    const res = await exports.default.fetch("http://studio.test/api/v1/admin/sync/runs");
    expect(res.status).toBe(401);
    const body = (await res.json()) as { error: { code: string } };
    expect(body.error.code).toBe("unauthorized");
  });
});
