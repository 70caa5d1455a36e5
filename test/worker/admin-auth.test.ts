// Every admin endpoint, whichever sub-app serves it, refuses a request without the admin bearer
// token, or with a wrong one, before doing anything.
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

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
