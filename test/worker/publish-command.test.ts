// The publisher command's own logic (scripts/release/), run here against the studio in workerd: fetch
// is routed to the Worker, so what the command asks and how it reads the answer are the real ones.
import { exports } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { describePlan } from "../../scripts/release/check";
import { publish } from "../../scripts/release/publish";
import { alreadyThere } from "../../scripts/release/push";
import { Studio } from "../../scripts/release/studio-client";
import { planView } from "../../worker/publish/plan-view";
import { releasePlanSchema } from "../../worker/publish/schemas";
import { planRelease } from "../../worker/sync/plan";
import { releaseManifest } from "../../worker/sync/release-manifest";
import { releaseIdOf } from "../../scripts/release/status";

const sha256Hex = async (text: string) =>
  [...new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)))]
    .map((b) => b.toString(16).padStart(2, "0"))
    .join("");

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

  it("push skips a file as already there only when the studio checked its sha256", async () => {
    const token = await newToken("acme-");
    const auth = { Authorization: `Bearer ${token}` };
    const base = `${BASE}/api/v1/publish/releases/acme-skip-1/files`;
    // A multipart upload declaring another file's sha256 (a leaked token pre-seeding the release).
    const started = await exports.default.fetch(`${base}/big.iso/uploads`, {
      method: "POST",
      headers: { ...auth, "Content-Type": "application/json" },
      body: JSON.stringify({ size: 4, sha256: "a".repeat(64) }),
    });
    const { uploadId } = (await started.json()) as { uploadId: string };
    const partUrl = `${base}/big.iso/uploads/${encodeURIComponent(uploadId)}`;
    const part = await exports.default.fetch(`${partUrl}/parts/1`, {
      method: "PUT",
      headers: { ...auth, "Content-Length": "4" },
      body: "EVIL",
    });
    const completed = await exports.default.fetch(`${partUrl}/complete`, {
      method: "POST",
      headers: { ...auth, "Content-Type": "application/json" },
      body: JSON.stringify({ parts: [await part.json()] }),
    });
    expect(completed.status).toBe(201);
    const single = await exports.default.fetch(`${base}/small.bin`, {
      method: "PUT",
      headers: { ...auth, "Content-Length": "2", "X-Content-SHA256": await sha256Hex("ok") },
      body: "ok",
    });
    expect(single.status).toBe(201);
    const folder = await new Studio(BASE, token).folder("acme-skip-1");
    const lines = folder.objects.map(alreadyThere);
    expect(lines[0]).toMatch(
      /^\? big\.iso: already there, but its sha256 was only declared .* cannot confirm its bytes/,
    );
    expect(lines[0]).toMatch(/the sync will measure them.*publish under a new release id$/);
    expect(lines[1]).toBe("= small.bin (already there)");
  });

  it("check's verdict on a rotation says what it re-signs and what comes back, not 'nothing'", () => {
    const pack = (version: string, sha256: string) => ({
      kind: "pack",
      file: `addon-rot-${version}.zst`,
      signature: `addon-rot-${version}.sig.bin`,
      size: 10,
      sha256,
      pack: {
        name: "addon-rot",
        displayName: "addon-rot",
        version,
        layer: "addon",
        cloudTypes: ["all"],
        architectures: ["amd64"],
        useCases: ["addon"],
        products: [{ product: "palette-enterprise" }],
      },
    });
    const release = releaseManifest.parse({
      schemaVersion: 1,
      releaseId: "acme-rot-2",
      keyId: "new-key",
      audience: "production",
      expiresAt: "2099-01-01T00:00:00Z",
      products: [],
      files: [pack("1.0.0", "a".repeat(64)), pack("1.1.0", "b".repeat(64))],
    });
    const published = (sha256: string, withdrawnByKey: string | null) => ({
      sha256,
      size: 10,
      keyId: "old-key",
      releaseKeyId: "old-key",
      withdrawnByKey,
    });
    const facts = {
      packVersions: new Map([
        ["addon-rot@1.0.0", published("a".repeat(64), "old-key")],
        ["addon-rot@1.1.0", published("b".repeat(64), null)],
      ]),
      packLayers: new Map([["addon-rot", "addon" as const]]),
      artifacts: new Map(),
      products: new Map(),
      fileNames: new Map([
        ["addon-rot-1.0.0.zst", "addon-rot@1.0.0"],
        ["addon-rot-1.1.0.zst", "addon-rot@1.1.0"],
      ]),
    };
    const plan = planRelease(release, facts, new Map([["new-key", "current"]]));
    expect(plan.findings).toEqual([]);
    // The view the studio answers, parsed as the command parses it.
    const view = releasePlanSchema.parse(planView(plan));
    expect(view.resigned).toEqual([
      { file: "addon-rot-1.0.0.zst", kind: "pack", name: "addon-rot", version: "1.0.0", withdrawn: true },
      { file: "addon-rot-1.1.0.zst", kind: "pack", name: "addon-rot", version: "1.1.0", withdrawn: false },
    ]);
    expect(describePlan(view)).toBe(
      "re-signs addon-rot 1.0.0 and addon-rot 1.1.0 (brings back 1 withdrawn version); adds nothing; changes nothing",
    );
  });
});
