// The publisher command's own logic (scripts/release/), run here against the studio in workerd: fetch
// is routed to the Worker, so what the command asks and how it reads the answer are the real ones.
import { exports } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { publish } from "../../scripts/release/publish";
import { releaseIdOf } from "../../scripts/release/status";

const ADMIN = "test-admin-token-0123456789abcdef";
const BASE = "http://studio.test";

async function newToken(releasePrefix: string): Promise<string> {
  const res = await exports.default.fetch(`${BASE}/api/v1/admin/publisher-tokens`, {
    method: "POST",
    headers: { Authorization: `Bearer ${ADMIN}`, "Content-Type": "application/json" },
    body: JSON.stringify({ name: "acme pipeline", releasePrefix }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { token: string }).token;
}

describe("the publisher command", { timeout: 60_000 }, () => {
  beforeEach(() => {
    vi.stubGlobal("fetch", (input: RequestInfo | URL, init?: RequestInit) =>
      exports.default.fetch(new Request(input, init)),
    );
    vi.spyOn(console, "log").mockImplementation(() => {});
  });
  afterEach(() => vi.restoreAllMocks());

  it("status takes a release id or a release folder's path, and names anything else", () => {
    expect(releaseIdOf("acme-calico-3-30-1")).toBe("acme-calico-3-30-1");
    expect(releaseIdOf("/tmp/pub/acme-calico-3-30-1")).toBe("acme-calico-3-30-1");
    expect(releaseIdOf("/tmp/pub/acme-calico-3-30-1/")).toBe("acme-calico-3-30-1");
    expect(() => releaseIdOf("/tmp/pub/Acme_Calico")).toThrow(
      /^release id: \/tmp\/pub\/Acme_Calico is neither a release id nor a folder named after one/,
    );
  });

  it("publish stops before drafting or signing when the token may not publish the release id", async () => {
    const token = await newToken("acme-");
    // The folder does not exist: without the question first, init would fail on it instead.
    await expect(publish({ dir: "/nonexistent/calico-3-30-5", studio: BASE, token, keyId: "k" })).rejects.toThrow(
      /^calico-3-30-5: the studio refuses this token for it: studio: releaseId: the publisher token "acme pipeline" may only publish release ids starting with "acme-"; nothing was drafted, signed or uploaded$/,
    );
  });
});
