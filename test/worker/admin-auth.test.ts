// Every admin endpoint, whichever sub-app serves it, refuses a request without the admin bearer
// token, or with a wrong one, before doing anything; the token is compared as a whole, as SHA-256
// digests compared in full (mutants admin-token-prefix, admin-token-digest-length, -digest-truncated).
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { isAdminToken } from "../../worker/admin-auth";
import { hex } from "../../worker/encoding";

const ADMIN_ENDPOINTS: [method: string, path: string][] = [
  ["POST", "/api/v1/admin/sync"],
  ["GET", "/api/v1/admin/sync/runs"],
  ["GET", "/api/v1/admin/releases"],
  ["GET", "/api/v1/admin/releases/some-release"],
  ["POST", "/api/v1/admin/packs/cni-calico/versions/3.29.1/yank"],
  ["GET", "/api/v1/admin/tokens"],
  ["POST", "/api/v1/admin/tokens"],
  ["DELETE", "/api/v1/admin/tokens/some-token"],
  ["GET", "/api/v1/admin/grants"],
  ["GET", "/api/v1/admin/grants/some-grant"],
  ["POST", "/api/v1/admin/grants/some-grant/revoke"],
];

describe("admin authentication", () => {
  for (const [method, path] of ADMIN_ENDPOINTS) {
    it(`${method} ${path} needs the admin token`, async () => {
      const body =
        method === "POST" ? JSON.stringify({ reason: "x", name: "x", scopes: ["grants:create"] }) : undefined;
      const headers = { "Content-Type": "application/json" };
      const anonymous = await exports.default.fetch(`http://studio.test${path}`, { method, headers, body });
      expect(anonymous.status).toBe(401);
      expect(((await anonymous.json()) as { error: { code: string } }).error.code).toBe("unauthorized");
      const wrong = await exports.default.fetch(`http://studio.test${path}`, {
        method,
        body,
        headers: { ...headers, Authorization: "Bearer test-admin-token-0123456789abcdeX" },
      });
      expect(wrong.status).toBe(401);
    });
  }
});

describe("the admin token is compared whole", () => {
  const tokens = (path: string, token: string) =>
    exports.default.fetch(`http://studio.test${path}`, { headers: { Authorization: `Bearer ${token}` } });

  it("accepts the admin token itself", async () => {
    expect((await tokens("/api/v1/admin/tokens", env.ADMIN_TOKEN)).status).toBe(200);
  });

  it("refuses a guesser who sends a prefix of the admin token, however long", async () => {
    for (const length of [1, 8, env.ADMIN_TOKEN.length - 1]) {
      const res = await tokens("/api/v1/admin/tokens", env.ADMIN_TOKEN.slice(0, length));
      expect(res.status, `prefix of ${length}`).toBe(401);
    }
  });

  it("refuses the admin token with anything appended", async () => {
    expect((await tokens("/api/v1/admin/tokens", `${env.ADMIN_TOKEN}0`)).status).toBe(401);
  });

  // Pairs found by a birthday search (scripts could redo it in seconds): different texts whose
  // SHA-256 digests share their first, or last, 5 bytes. A compare of truncated digests takes them
  // for the same token.
  const sha256Hex = async (text: string) => hex(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  it.each([
    ["first", "guess-168584", "guess-1167976", (h: string) => h.slice(0, 10)],
    ["last", "guess-905390", "guess-1172852", (h: string) => h.slice(-10)],
  ])("refuses a token whose digest shares its %s 5 bytes with the admin token's", async (_end, admin, guess, part) => {
    expect(part(await sha256Hex(guess))).toBe(part(await sha256Hex(admin)));
    expect(await sha256Hex(guess)).not.toBe(await sha256Hex(admin));
    expect(await isAdminToken(guess, admin)).toBe(false);
    expect(await isAdminToken(admin, admin)).toBe(true);
  });
});
