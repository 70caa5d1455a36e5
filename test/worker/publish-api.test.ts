// The publish API: publisher tokens (admin-created, hashed, scoped to a release-id prefix, revocable,
// audited), write-once uploads into incoming/<release-id>/ (one request, or multipart with parts
// under 100 MB), clear 4xx naming the field, and "sync this release now" following to a verdict.
import { createHash, createSign } from "node:crypto";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { releaseSettled } from "./support/sync";

const ADMIN = "test-admin-token-0123456789abcdef";
const BASE = "http://studio.test";
type ErrorBody = { error: { code: string; message: string; details?: { field?: string }[] } };

const call = (path: string, init: RequestInit & { token?: string } = {}) =>
  exports.default.fetch(`${BASE}${path}`, {
    ...init,
    headers: { ...(init.token ? { Authorization: `Bearer ${init.token}` } : {}), ...init.headers },
  });

async function newToken(releasePrefix?: string): Promise<{ id: string; token: string }> {
  const res = await call("/api/v1/admin/publisher-tokens", {
    method: "POST",
    token: ADMIN,
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ name: "ci", ...(releasePrefix ? { releasePrefix } : {}) }),
  });
  expect(res.status).toBe(201);
  return res.json();
}

const sha = (bytes: Uint8Array | string) => createHash("sha256").update(bytes).digest("hex");
const put = (
  token: string,
  releaseId: string,
  name: string,
  bytes: Uint8Array<ArrayBuffer> | string,
  hash = sha(bytes),
) =>
  call(`/api/v1/publish/releases/${releaseId}/files/${name}`, {
    method: "PUT",
    token,
    headers: {
      "X-Content-SHA256": hash,
      "Content-Length": String(typeof bytes === "string" ? Buffer.byteLength(bytes) : bytes.byteLength),
    },
    body: bytes,
  });

describe("publish API", { timeout: 60_000 }, () => {
  it("stores an object once: a second upload of the same name is a 409 that says it exists", async () => {
    const { token } = await newToken();
    const first = await put(token, "once-r1", "a-1.0.0.zst", "hello");
    expect(first.status).toBe(201);
    expect(await first.json()).toMatchObject({ name: "a-1.0.0.zst", size: 5, sha256: sha("hello") });
    const second = await put(token, "once-r1", "a-1.0.0.zst", "other");
    expect(second.status).toBe(409);
    expect(((await second.json()) as ErrorBody).error.message).toMatch(/already uploaded .* write-once/);
    expect(await (await env.ARTIFACTS.get("incoming/once-r1/a-1.0.0.zst"))?.text()).toBe("hello");
  });

  it("refuses a body whose sha256 is not the declared one, naming X-Content-SHA256", async () => {
    const { token } = await newToken();
    const res = await put(token, "bad-sha", "a-1.0.0.zst", "hello", sha("world"));
    expect(res.status).toBe(400);
    expect(((await res.json()) as ErrorBody).error.details?.[0].field).toBe("X-Content-SHA256");
    expect(await env.ARTIFACTS.head("incoming/bad-sha/a-1.0.0.zst")).toBeNull();
  });

  it("names the field at fault: a bad file name, a bad release id, a part over the limit", async () => {
    const { token } = await newToken();
    const badName = await put(token, "r-names", "..%2Fetc", "x");
    expect(badName.status).toBe(400);
    expect(((await badName.json()) as ErrorBody).error.details?.[0].field).toBe("name");
    const reserved = await put(token, "r-names", "SHA256SUMS", "x");
    expect(((await reserved.json()) as ErrorBody).error.details?.[0].field).toBe("name");
    const badId = await put(token, "Bad_Id", "a.zst", "x");
    expect(badId.status).toBe(400);
    expect(((await badId.json()) as ErrorBody).error.message).toMatch(/^releaseId:/);
    const big = await call("/api/v1/publish/releases/r-names/files/big.iso", {
      method: "PUT",
      token,
      headers: { "X-Content-SHA256": sha("x"), "Content-Length": String(200 * 1024 * 1024) },
      body: "x",
    });
    expect(big.status).toBe(413);
    expect(((await big.json()) as ErrorBody).error.details?.[0].field).toBe("Content-Length");
  });

  it("keeps a token to its release-id prefix, and a revoked token out at once", async () => {
    const { id, token } = await newToken("acme-");
    expect((await put(token, "acme-1", "a.iso", "x")).status).toBe(201);
    const outside = await put(token, "other-1", "a.iso", "x");
    expect(outside.status).toBe(403);
    expect(((await outside.json()) as ErrorBody).error.details?.[0].field).toBe("releaseId");
    expect((await call(`/api/v1/admin/publisher-tokens/${id}`, { method: "DELETE", token: ADMIN })).status).toBe(204);
    expect((await put(token, "acme-2", "a.iso", "x")).status).toBe(401);
    // An API token (or the admin token) is not a publisher token.
    expect((await put(ADMIN, "acme-3", "a.iso", "x")).status).toBe(401);
  });

  it("stores only the hash, and audits what a token did", async () => {
    const { id, token } = await newToken();
    const row = await env.DB.prepare("SELECT token_hash FROM publisher_tokens WHERE id = ?")
      .bind(id)
      .first<{ token_hash: string }>();
    expect(row?.token_hash).toBe(sha(token));
    await put(token, "audited-1", "a.iso", "x");
    await new Promise((r) => setTimeout(r, 50));
    const events = await env.DB.prepare("SELECT action, subject FROM audit_events WHERE details LIKE ?")
      .bind(`%${id}%`)
      .all();
    expect(events.results).toEqual(
      expect.arrayContaining([
        { action: "publisher-token-create", subject: id },
        { action: "publish-put", subject: "audited-1/a.iso" },
      ]),
    );
  });

  it("uploads in parts and completes only when they add up to the declared size", async () => {
    const { token } = await newToken();
    const part1 = new Uint8Array(5 * 1024 * 1024).fill(7);
    const part2 = new Uint8Array(1000).fill(9);
    const whole = new Uint8Array([...part1, ...part2]);
    const base = "/api/v1/publish/releases/multi-1/files/big.iso/uploads";
    const started = await call(base, {
      method: "POST",
      token,
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ size: whole.byteLength, sha256: sha(whole) }),
    });
    expect(started.status).toBe(201);
    const { uploadId } = (await started.json()) as { uploadId: string };
    const parts = [];
    for (const [n, bytes] of [part1, part2].entries()) {
      const res = await call(`${base}/${encodeURIComponent(uploadId)}/parts/${n + 1}`, {
        method: "PUT",
        token,
        headers: { "Content-Length": String(bytes.byteLength) },
        body: bytes,
      });
      expect(res.status).toBe(200);
      parts.push(await res.json());
    }
    const done = await call(`${base}/${encodeURIComponent(uploadId)}/complete`, {
      method: "POST",
      token,
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ parts }),
    });
    expect(done.status).toBe(201);
    expect(await done.json()).toMatchObject({ name: "big.iso", size: whole.byteLength, sha256: sha(whole) });
    const listed = (await (await call("/api/v1/publish/releases/multi-1", { token })).json()) as {
      objects: { name: string; size: number; sha256: string }[];
    };
    expect(listed.objects).toEqual([
      expect.objectContaining({ name: "big.iso", size: whole.byteLength, sha256: sha(whole) }),
    ]);
  });

  it("takes release.json.sig.bin only after release.json", async () => {
    const { token } = await newToken();
    const res = await put(token, "order-1", "release.json.sig.bin", "sig");
    expect(res.status).toBe(409);
    expect(((await res.json()) as ErrorBody).error.message).toMatch(/release.json before release.json.sig.bin/);
  });

  it("syncs the token's release now and reports the sync's verdict", async () => {
    const { token } = await newToken();
    const keys = JSON.parse(env.TEST_SIGNING_KEYS) as Record<string, string>;
    const sign = (data: string) => createSign("sha256").update(data).sign(keys["test-ec"]);
    const manifest = JSON.stringify({
      schemaVersion: 1,
      releaseId: "sync-now-1",
      keyId: "test-ec",
      audience: "staging",
      expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
      files: [
        {
          file: "x.iso",
          signature: "x.iso.sig.bin",
          size: 1,
          sha256: sha("x"),
          kind: "iso",
          product: "p",
          productVersion: "1.0.0",
        },
      ],
    });
    for (const [name, body] of [
      ["x.iso", "x"],
      ["x.iso.sig.bin", sign("x")],
      ["release.json", manifest],
      ["release.json.sig.bin", sign(manifest)],
    ] as const)
      expect((await put(token, "sync-now-1", name, new Uint8Array(Buffer.from(body)))).status).toBe(201);
    const res = await call("/api/v1/publish/releases/sync-now-1/sync", { method: "POST", token });
    expect(res.status).toBe(200);
    await releaseSettled("sync-now-1");
    const folder = (await (await call("/api/v1/publish/releases/sync-now-1", { token })).json()) as {
      release: { status: string; reason: string };
    };
    expect(folder.release).toMatchObject({
      status: "quarantined",
      reason:
        "release.json is for audience 'staging', this studio is 'production'; sign it for 'production' to publish it here",
    });
    // The folder is closed once the sync has claimed it.
    expect((await put(token, "sync-now-1", "late.iso", "x")).status).toBe(409);
  });

  describe("batch uploads", () => {
    type Entry = { name: string; bytes: string; size?: number; sha256?: string };
    /** A multipart/form-data batch with its length declared, as `push` sends it. */
    async function batch(token: string, releaseId: string, entries: Entry[], edit?: (form: FormData) => void) {
      const form = new FormData();
      const objects = entries.map((e) => ({
        name: e.name,
        size: e.size ?? Buffer.byteLength(e.bytes),
        sha256: e.sha256 ?? sha(e.bytes),
      }));
      form.append("objects", JSON.stringify(objects));
      for (const e of entries) form.append("file", new File([e.bytes], e.name));
      edit?.(form);
      const encoded = new Response(form);
      const body = await encoded.arrayBuffer();
      return call(`/api/v1/publish/releases/${releaseId}/batch`, {
        method: "POST",
        token,
        headers: {
          "Content-Type": encoded.headers.get("Content-Type") ?? "",
          "Content-Length": String(body.byteLength),
        },
        body,
      });
    }
    const fieldOf = async (res: Response) => ((await res.json()) as ErrorBody).error.details?.[0].field;
    const files = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `f-${i}.iso`, bytes: `bytes ${i}` }));

    it("stores many objects in one request, answering per object, with one audit row naming them", async () => {
      const { id, token } = await newToken();
      const res = await batch(token, "batch-1", files(30));
      expect(res.status).toBe(200);
      const { objects } = (await res.json()) as { objects: { name: string; status: string; sha256: string }[] };
      expect(objects).toHaveLength(30);
      expect(objects[7]).toMatchObject({ name: "f-7.iso", status: "stored", size: 7, sha256: sha("bytes 7") });
      expect(await (await env.ARTIFACTS.get("incoming/batch-1/f-29.iso"))?.text()).toBe("bytes 29");
      await new Promise((r) => setTimeout(r, 50));
      const rows = await env.DB.prepare("SELECT action, subject, details FROM audit_events WHERE details LIKE ?")
        .bind(`%${id}%`)
        .all<{ action: string; subject: string; details: string }>();
      const batches = rows.results.filter((r) => r.action === "publish-batch");
      expect(batches.map((r) => r.subject)).toEqual(["batch-1"]);
      expect(batches[0].details).toContain('"name":"f-29.iso"');
    });

    it("is write-once: the same bytes again are unchanged, other bytes a conflict that overwrites nothing", async () => {
      const { token } = await newToken();
      expect((await batch(token, "batch-once", files(2))).status).toBe(200);
      const again = await batch(token, "batch-once", [
        { name: "f-0.iso", bytes: "bytes 0" },
        { name: "f-1.iso", bytes: "other 1" },
        { name: "f-2.iso", bytes: "bytes 2" },
      ]);
      expect(again.status).toBe(200);
      const { objects } = (await again.json()) as { objects: { name: string; status: string; sha256: string }[] };
      expect(objects.map((o) => [o.name, o.status])).toEqual([
        ["f-0.iso", "unchanged"],
        ["f-1.iso", "conflict"],
        ["f-2.iso", "stored"],
      ]);
      expect(objects[1].sha256).toBe(sha("bytes 1"));
      expect(await (await env.ARTIFACTS.get("incoming/batch-once/f-1.iso"))?.text()).toBe("bytes 1");
    });

    it("refuses a part that is not its declared sha256, naming the entry, and stores nothing under it", async () => {
      const { token } = await newToken();
      const res = await batch(token, "batch-sha", [
        { name: "ok.iso", bytes: "fine" },
        { name: "bad.iso", bytes: "hello", sha256: sha("world") },
      ]);
      expect(res.status).toBe(400);
      expect(await fieldOf(res)).toBe("objects.1.sha256");
      expect(await env.ARTIFACTS.head("incoming/batch-sha/bad.iso")).toBeNull();
    });

    it("names the field at fault: a name, a size, a missing part, the manifest's signature, the JSON", async () => {
      const { token } = await newToken();
      const cases: [Response, string][] = [
        [await batch(token, "batch-bad", [{ name: "../etc", bytes: "x" }]), "objects.0.name"],
        [await batch(token, "batch-bad", [{ name: "SHA256SUMS", bytes: "x" }]), "objects.0.name"],
        [await batch(token, "batch-bad", [{ name: "a.iso", bytes: "x", size: 2 }]), "objects.0.size"],
        [await batch(token, "batch-bad", files(2), (f) => f.delete("file")), "file"],
        [await batch(token, "batch-bad", files(2), (f) => f.append("file", new File(["z"], "z"))), "file"],
        [await batch(token, "batch-bad", [{ name: "release.json.sig.bin", bytes: "x" }]), "objects.0.name"],
        [await batch(token, "batch-bad", files(1), (f) => f.set("objects", "not json")), "objects"],
        [
          await batch(token, "batch-bad", [
            { name: "a.iso", bytes: "x" },
            { name: "a.iso", bytes: "x" },
          ]),
          "objects",
        ],
        [await batch(token, "Bad_Id", files(1)), "releaseId"],
      ];
      for (const [res, field] of cases) {
        expect(res.status, field).toBe(400);
        expect(await fieldOf(res)).toBe(field);
      }
      const listed = await env.ARTIFACTS.list({ prefix: "incoming/batch-bad/" });
      expect(listed.objects).toEqual([]);
    });

    it("refuses a body over the batch limit before reading it, and a closed release", async () => {
      const { token } = await newToken();
      const big = await call("/api/v1/publish/releases/batch-big/batch", {
        method: "POST",
        token,
        headers: { "Content-Type": "multipart/form-data; boundary=x", "Content-Length": String(16 * 1024 * 1024 + 1) },
        body: "x",
      });
      expect(big.status).toBe(413);
      expect(await fieldOf(big)).toBe("Content-Length");
      const many = await batch(token, "batch-many", files(101));
      expect(many.status).toBe(400);
      expect(await fieldOf(many)).toBe("objects");
      await env.DB.prepare(
        "INSERT INTO releases (id, status, run_id, claimed_at) VALUES ('batch-closed', 'published', 'run', 0)",
      ).run();
      const closed = await batch(token, "batch-closed", files(1));
      expect(closed.status).toBe(409);
      expect(((await closed.json()) as ErrorBody).error.message).toMatch(/^releaseId: .* already published/);
    });

    it("keeps a token to its release-id prefix", async () => {
      const { token } = await newToken("acme-");
      const outside = await batch(token, "other-batch", files(1));
      expect(outside.status).toBe(403);
      expect(await fieldOf(outside)).toBe("releaseId");
    });
  });
});
