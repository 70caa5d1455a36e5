// The quarantine reasons a `push` to a live studio cannot lead to in the e2e walk (test/e2e/publish.test.ts),
// walked here instead: a release uploaded through the publish API as `push` sends it (small files in a
// batch, release.json, its signature last), what `release check` predicts with the same shared
// functions it runs (the signed-manifest check, the plan endpoint, the unsigned and release-id
// refusals), and the reason the sync then records and the publisher's folder answer (what `push`
// and `status` print) carries. The reasons: a manifest left unsigned past the grace period, a manifest
// or a file signed by a revoked key, a folder name that is not a release id, a folder abandoned
// without release.json, and the poison limit (which no check can foresee: it is the studio failing).
import { createHash, createSign } from "node:crypto";
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { app } from "../../worker/app";
import { publishConfigSchema, releasePlanSchema } from "../../worker/publish/schemas";
import { releaseFolder } from "../../worker/storage";
import { reasonLine } from "../../worker/sync/plan";
import { checkSignedManifest, unsignedManifest } from "../../worker/sync/release-checks";
import { releaseIdProblem } from "../../worker/sync/release-manifest";
import { MANIFEST_SIGNATURE_GRACE_MS, MAX_ATTEMPTS } from "../../worker/sync/run";
import { forgetKeyIncidents } from "./support/key-trust";
import { syncAndSettle } from "./support/sync";

afterEach(() => forgetKeyIncidents(env));

const ADMIN = "test-admin-token-0123456789abcdef";
const sha = (bytes: string | Uint8Array) => createHash("sha256").update(bytes).digest("hex");
const privateKeys = JSON.parse(env.TEST_SIGNING_KEYS) as Record<string, string>;
const sign = (data: string, keyId: string) => createSign("sha256").update(data).sign(privateKeys[keyId]);

/** The studio as a client reaches it, on the given settings. */
async function studio(path: string, init: RequestInit = {}, on: Env = env): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await app.fetch(new Request(`http://studio.test${path}`, init), on, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

/** The settings with test-rsa revoked, as an operator revokes a leaked key. */
const revokedRsa = (): Env => {
  const keys = JSON.parse(env.TRUSTED_PUBLIC_KEYS) as { id: string }[];
  const changed = keys.map((k) => (k.id === "test-rsa" ? { ...k, revoked: true, revokedAt: "2026-11-01" } : k));
  return { ...env, TRUSTED_PUBLIC_KEYS: JSON.stringify(changed) };
};

async function publisherToken(): Promise<string> {
  const res = await studio("/api/v1/admin/publisher-tokens", {
    method: "POST",
    headers: { Authorization: `Bearer ${ADMIN}`, "Content-Type": "application/json" },
    body: JSON.stringify({ name: "verdicts" }),
  });
  return ((await res.json()) as { token: string }).token;
}

type Release = { id: string; manifest: string; signature: Buffer; files: [string, Buffer][] };

/** A one-installer release: the file signed by `fileKey` (named in release.json when not the manifest's). */
function release(id: string, opts: { manifestKey?: string; fileKey?: string } = {}): Release {
  const manifestKey = opts.manifestKey ?? "test-ec";
  const fileKey = opts.fileKey ?? manifestKey;
  const bytes = `installer of ${id}`;
  const manifest = JSON.stringify({
    schemaVersion: 1,
    releaseId: id,
    keyId: manifestKey,
    audience: "production",
    expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    products: [{ id: `p-${id}`.toLowerCase(), name: `P ${id}`, applianceName: `P ${id} Appliance`, sortOrder: 1 }],
    files: [
      {
        file: `${id}.iso`,
        signature: `${id}.iso.sig.bin`,
        size: bytes.length,
        sha256: sha(bytes),
        kind: "iso",
        product: `p-${id}`.toLowerCase(),
        productVersion: `77.${id.length}.0`,
        ...(fileKey !== manifestKey ? { keyId: fileKey } : {}),
      },
    ],
  });
  return {
    id,
    manifest,
    signature: sign(manifest, manifestKey),
    files: [
      [`${id}.iso`, Buffer.from(bytes)],
      [`${id}.iso.sig.bin`, sign(bytes, fileKey)],
    ],
  };
}

/** Uploads as `push` does: the files in one batch, then release.json, then (unless `unsigned`) its signature. */
async function push(token: string, r: Release, opts: { unsigned?: boolean; manifest?: boolean } = {}) {
  const form = new FormData();
  form.append("objects", JSON.stringify(r.files.map(([name, b]) => ({ name, size: b.length, sha256: sha(b) }))));
  for (const [name, b] of r.files) form.append("file", new File([new Uint8Array(b)], name));
  const encoded = new Response(form);
  const body = await encoded.arrayBuffer();
  const auth = { Authorization: `Bearer ${token}` };
  const batch = await studio(`/api/v1/publish/releases/${r.id}/batch`, {
    method: "POST",
    headers: {
      ...auth,
      "Content-Type": encoded.headers.get("Content-Type") ?? "",
      "Content-Length": String(body.byteLength),
    },
    body,
  });
  expect(batch.status, await batch.clone().text()).toBe(200);
  const last: [string, Uint8Array<ArrayBuffer>][] = [];
  if (opts.manifest !== false) last.push(["release.json", new TextEncoder().encode(r.manifest)]);
  if (opts.manifest !== false && !opts.unsigned) last.push(["release.json.sig.bin", new Uint8Array(r.signature)]);
  for (const [name, b] of last) {
    const res = await studio(`/api/v1/publish/releases/${r.id}/files/${name}`, {
      method: "PUT",
      headers: { ...auth, "X-Content-SHA256": sha(b), "Content-Length": String(b.length) },
      body: b,
    });
    expect(res.status).toBe(201);
  }
}

/** The reason the publisher's folder answer carries: what `push` and `status` print after "quarantined: ". */
async function printedReason(token: string, id: string): Promise<string | undefined> {
  const res = await studio(`/api/v1/publish/releases/${id}`, { headers: { Authorization: `Bearer ${token}` } });
  const folder = (await res.json()) as { release: { status: string; reason: string } | null };
  return folder.release?.status === "quarantined" ? folder.release.reason : undefined;
}

/** `check --studio`'s prediction from release.json and its signature: the keys the studio publishes, then its plan. */
async function checkPredicts(r: Release, on: Env): Promise<string | null> {
  const config = publishConfigSchema.parse(await (await studio("/api/v1/publish/config", {}, on)).json());
  const bytes = new TextEncoder().encode(r.manifest);
  const signed = await checkSignedManifest(bytes, new Uint8Array(r.signature), r.id, config.keys, Date.now());
  if (!signed.ok) return reasonLine(signed.findings);
  const planned = await studio(
    "/api/v1/publish/plan",
    { method: "POST", headers: { "Content-Type": "application/json" }, body: r.manifest },
    on,
  );
  const plan = releasePlanSchema.parse(await planned.json());
  return plan.findings.length ? reasonLine(plan.findings) : null;
}

describe("check predicts the sync's verdict for the reasons push cannot reach end to end", () => {
  it("a release.json left unsigned: waited for through the grace period, then refused as check says", async () => {
    const token = await publisherToken();
    const r = release("verdict-unsigned");
    await push(token, r, { unsigned: true });
    // check, on a folder without release.json.sig.bin, says this (scripts/release/check.ts).
    const predicted = reasonLine(unsignedManifest().findings);
    expect((await syncAndSettle(env)).uploading).toContain(r.id);
    expect(await printedReason(token, r.id)).toBeUndefined();
    const later = Date.now() + MANIFEST_SIGNATURE_GRACE_MS + 60_000;
    expect((await syncAndSettle(env, { now: later })).quarantined).toContainEqual({
      releaseId: r.id,
      reason: predicted,
    });
    expect(await printedReason(token, r.id)).toBe(predicted);
  });

  it("a manifest signed by a revoked key", async () => {
    const token = await publisherToken();
    const r = release("verdict-revoked", { manifestKey: "test-rsa" });
    await push(token, r);
    const revoked = revokedRsa();
    const predicted = await checkPredicts(r, revoked);
    expect(predicted).toBe("release.json is signed by revoked key test-rsa (revoked 2026-11-01)");
    await syncAndSettle(revoked);
    expect(await printedReason(token, r.id)).toBe(predicted);
  });

  it("a file signed by a revoked key inside a manifest signed by a current one", async () => {
    const token = await publisherToken();
    const r = release("verdict-revoked-file", { fileKey: "test-rsa" });
    await push(token, r);
    const revoked = revokedRsa();
    const predicted = await checkPredicts(r, revoked);
    expect(predicted).toBe("verdict-revoked-file.iso: signed with revoked key test-rsa");
    await syncAndSettle(revoked);
    expect(await printedReason(token, r.id)).toBe(predicted);
  });

  it("a folder name that is not a release id: the API refuses it, and the sync says what check says", async () => {
    const token = await publisherToken();
    const r = release("Not_A_Release");
    const refused = await studio(`/api/v1/publish/releases/${r.id}/files/release.json`, {
      method: "PUT",
      headers: { Authorization: `Bearer ${token}`, "X-Content-SHA256": sha(r.manifest), "Content-Length": "1" },
      body: "x",
    });
    expect(refused.status).toBe(400);
    // Only a writer with the bucket itself can make one; the sync then refuses it as check does.
    await env.ARTIFACTS.put(`${releaseFolder(r.id)}release.json`, r.manifest);
    await env.ARTIFACTS.put(`${releaseFolder(r.id)}release.json.sig.bin`, r.signature);
    const summary = await syncAndSettle(env);
    expect(summary.quarantined).toContainEqual({ releaseId: r.id, reason: releaseIdProblem(r.id) });
  });

  it("a folder abandoned without release.json: check has nothing to check, the sync gives up on it", async () => {
    const token = await publisherToken();
    const r = release("verdict-abandoned");
    await push(token, r, { manifest: false });
    expect((await syncAndSettle(env)).uploading).toContain(r.id);
    const hours = 25 * 3600 * 1000;
    const { quarantined } = await syncAndSettle(env, { now: Date.now() + hours });
    const reason = quarantined.find((q) => q.releaseId === r.id)?.reason;
    expect(reason).toMatch(/^abandoned upload: no signed release\.json 24 h after the sync first saw the folder/);
    expect(await printedReason(token, r.id)).toBe(reason);
  });

  it("the poison limit: check says it would publish (an outage is not in the release); push prints the sync's reason", async () => {
    const token = await publisherToken();
    const r = release("verdict-poison");
    await push(token, r);
    expect(await checkPredicts(r, env)).toBeNull();
    const key = `${releaseFolder(r.id)}release.json`;
    const failing = new Proxy(env.ARTIFACTS, {
      get(target, prop) {
        if (prop === "get")
          return async (k: string, o?: R2GetOptions) => {
            if (k === key) throw new Error("worker exceeded its memory");
            return target.get(k, o);
          };
        const value = Reflect.get(target, prop);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const flaky = { ...env, ARTIFACTS: failing };
    for (let attempt = 0; attempt <= MAX_ATTEMPTS; attempt++) await syncAndSettle(flaky);
    expect(await printedReason(token, r.id)).toBe(
      `gave up after ${MAX_ATTEMPTS} failed attempts; last error: sync error (will retry): worker exceeded its memory`,
    );
  });
});
