// Release trust, tried as an attacker with write access to the bucket but no signing key: forged
// metadata over re-used signed bytes, unsigned, untrusted, revoked, expired and replayed manifests,
// a manifest that rewrites a product, objects overwritten or deleted after verification, a poison
// release, and names that do not fit. Each asserts the refusal and that nothing was published or served.
import { createExecutionContext, introspectWorkflowInstance, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { app } from "../../worker/app";
import { primary } from "../../worker/db/client";
import { publishStatements } from "../../worker/db/publish-batch";
import { claimRelease } from "../../worker/db/releases";
import { auditEvents, packVersions, products, releaseArtifacts } from "../../worker/db/schema";
import { config } from "../../worker/env";
import { artifactOf } from "../../worker/downloads/files";
import { cacheKeyOf, serveDownloadable } from "../../worker/downloads/serve";
import { blobKey, releaseFolder } from "../../worker/storage";
import { MANIFEST_SIGNATURE_GRACE_MS, MAX_ATTEMPTS, runSync, workflowIdOf } from "../../worker/sync/run";
import type { PackFile } from "../../worker/sync/release-manifest";
import { fileStepName } from "../../worker/sync/workflow";
import { verifyBytes } from "../../worker/sync/measure-and-verify";
import {
  dropRelease,
  packGrantFile,
  PALETTE_ENTERPRISE,
  PALETTE_VERTEX,
  releaseRow,
  storedAsIf,
  testSigningKey,
  writeReleaseJson,
} from "./support/releases";
import { forgetKeyIncidents } from "./support/key-trust";
import { syncAndSettle } from "./support/sync";
import { ADMIN_JSON, studio } from "./support/studio";

// Tests here revoke the test keys in their settings: revocation is one way, so each test forgets it after.
afterEach(() => forgetKeyIncidents(env));

const db = () => primary(env);
const sync = (opts: { now?: number; on?: Env } = {}) =>
  syncAndSettle(opts.on ?? env, { trigger: "admin", now: opts.now });
const packRow = (id: string) => db().select().from(packVersions).where(eq(packVersions.id, id)).get();
const later = () => Date.now() + MANIFEST_SIGNATURE_GRACE_MS + 60_000;

/** The env with TRUSTED_PUBLIC_KEYS rewritten, e.g. to revoke or expire a key. */
function withKeys(change: (keys: Record<string, unknown>[]) => Record<string, unknown>[]): Env {
  const keys = JSON.parse(env.TRUSTED_PUBLIC_KEYS) as Record<string, unknown>[];
  return { ...env, TRUSTED_PUBLIC_KEYS: JSON.stringify(change(keys)) };
}

async function copyObject(from: string, to: string) {
  const object = await env.ARTIFACTS.get(from);
  await env.ARTIFACTS.put(to, await object!.arrayBuffer());
}

async function grantUrl(name: string, version: string): Promise<{ url: string; sigUrl: string; sha256: string }> {
  const res = await studio("/api/v1/grants", {
    method: "POST",
    headers: { "Content-Type": "application/json", "CF-Connecting-IP": "198.51.100.23" },
    body: JSON.stringify({ packs: [{ name, version }] }),
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return ((await res.json()) as { files: { url: string; sigUrl: string; sha256: string }[] }).files[0];
}

const sha256Hex = async (bytes: ArrayBuffer) =>
  [...new Uint8Array(await crypto.subtle.digest("SHA-256", bytes))]
    .map((b) => b.toString(16).padStart(2, "0"))
    .join("");

beforeAll(async () => {
  await dropRelease(env, "trust-base", {
    products: [PALETTE_ENTERPRISE, PALETTE_VERTEX],
    packs: [{ name: "cni-calico", version: "3.27.4", layer: "cni", size: 40_000 }],
  });
  expect((await sync()).published).toEqual(["trust-base"]);
});

describe("signed release manifests", () => {
  it("refuses forged metadata over re-used signed bytes: a FIPS 'Calico 3.99.0' is never published", async () => {
    // The attacker copies the signed file and its .sig.bin under a new version and writes the
    // metadata they want; they cannot sign it with a trusted key, so they sign it with their own.
    const base = releaseFolder("trust-base");
    const forged = releaseFolder("forged-calico");
    await copyObject(`${base}cni-calico-3.27.4.zst`, `${forged}cni-calico-3.99.0.zst`);
    await copyObject(`${base}cni-calico-3.27.4.sig.bin`, `${forged}cni-calico-3.99.0.sig.bin`);
    const original = JSON.parse(await (await env.ARTIFACTS.get(`${base}release.json`))!.text());
    const file = original.files[0];
    const manifest = {
      ...original,
      releaseId: "forged-calico",
      products: [],
      files: [
        {
          ...file,
          file: "cni-calico-3.99.0.zst",
          signature: "cni-calico-3.99.0.sig.bin",
          pack: { ...file.pack, version: "3.99.0", fips: true },
        },
      ],
    };
    await writeReleaseJson(env, "forged-calico", manifest, testSigningKey(env, "untrusted"));

    const summary = await sync();
    expect(summary.quarantined).toEqual([
      { releaseId: "forged-calico", reason: "release.json.sig.bin does not verify with any trusted key" },
    ]);
    expect(await packRow("cni-calico@3.99.0")).toBeUndefined();
    expect((await studio("/api/v1/packs/cni-calico/versions/3.99.0")).status).toBe(404);
  });

  it("leaves an unsigned release.json as uploading during the grace period, then refuses it as unsigned", async () => {
    await dropRelease(env, "unsigned", {
      packs: [{ name: "addon-unsigned", version: "1.0.0" }],
      signManifestWith: false,
    });
    expect((await sync()).uploading).toContain("unsigned");
    const summary = await sync({ now: later() });
    expect(summary.quarantined).toContainEqual({
      releaseId: "unsigned",
      reason: "release.json is not signed: release.json.sig.bin is missing",
    });
    expect(await packRow("addon-unsigned@1.0.0")).toBeUndefined();
  });

  it("refuses a manifest signed by a key that is not trusted, even if it names a trusted key id", async () => {
    await dropRelease(env, "untrusted-manifest", {
      packs: [{ name: "addon-untrusted", version: "1.0.0" }],
      signManifestWith: "untrusted",
    });
    const summary = await sync();
    expect(summary.quarantined).toContainEqual({
      releaseId: "untrusted-manifest",
      reason: "release.json.sig.bin does not verify with any trusted key",
    });
    expect(await packRow("addon-untrusted@1.0.0")).toBeUndefined();
  });

  it("refuses a manifest whose signature is good but names another key than the one that signed it", async () => {
    await dropRelease(env, "wrong-key-id", {
      keyId: "test-rsa",
      signWith: "test-rsa",
      packs: [{ name: "addon-wrong-key", version: "1.0.0" }],
      signManifestWith: "test-ec",
    });
    const summary = await sync();
    expect(summary.quarantined).toContainEqual({
      releaseId: "wrong-key-id",
      reason: "release.json names key test-rsa but is signed by key test-ec",
    });
  });

  it("refuses releases signed by a revoked key or by a key past its notAfter, and says which", async () => {
    await dropRelease(env, "by-revoked", { keyId: "test-rsa", packs: [{ name: "addon-revoked", version: "1.0.0" }] });
    const revoked = withKeys((keys) =>
      keys.map((k) => (k.id === "test-rsa" ? { ...k, revoked: true, revokedAt: "2026-11-01" } : k)),
    );
    expect((await sync({ on: revoked })).quarantined).toContainEqual({
      releaseId: "by-revoked",
      reason: "release.json is signed by revoked key test-rsa (revoked 2026-11-01)",
    });

    await dropRelease(env, "by-expired", { keyId: "test-rsa", packs: [{ name: "addon-expired", version: "1.0.0" }] });
    const expired = withKeys((keys) => keys.map((k) => (k.id === "test-rsa" ? { ...k, notAfter: "2026-01-31" } : k)));
    expect((await sync({ on: expired })).quarantined).toContainEqual({
      releaseId: "by-expired",
      reason: "release.json is signed by key test-rsa, which expired 2026-01-31",
    });
    expect(await packRow("addon-revoked@1.0.0")).toBeUndefined();
    expect(await packRow("addon-expired@1.0.0")).toBeUndefined();
  });

  it("refuses a file signed by a revoked key inside a manifest signed by a current one", async () => {
    await dropRelease(env, "mixed-revoked", {
      packs: [{ name: "addon-mixed-revoked", version: "1.0.0", keyId: "test-rsa" }],
    });
    const revoked = withKeys((keys) => keys.map((k) => (k.id === "test-rsa" ? { ...k, revoked: true } : k)));
    expect((await sync({ on: revoked })).quarantined).toContainEqual({
      releaseId: "mixed-revoked",
      reason: "addon-mixed-revoked-1.0.0.zst: signed with revoked key test-rsa",
    });
  });

  it("refuses a signed manifest replayed under another folder", async () => {
    await dropRelease(env, "replay-source", { packs: [{ name: "addon-replayed", version: "1.0.0" }] });
    for (const name of [
      "addon-replayed-1.0.0.zst",
      "addon-replayed-1.0.0.sig.bin",
      "release.json",
      "release.json.sig.bin",
    ])
      await copyObject(releaseFolder("replay-source") + name, releaseFolder("replay-copy") + name);
    const summary = await sync();
    expect(summary.published).toContain("replay-source");
    expect(summary.quarantined).toContainEqual({
      releaseId: "replay-copy",
      reason: "release.json: releaseId 'replay-source' does not match its folder 'replay-copy'",
    });
  });

  it("refuses a manifest or manifest signature too large to be one, and more files than a release may list", async () => {
    await dropRelease(env, "big-signature", { packs: [{ name: "addon-big-sig", version: "1.0.0" }] });
    await env.ARTIFACTS.put(`${releaseFolder("big-signature")}release.json.sig.bin`, new Uint8Array(17 * 1024));
    await dropRelease(env, "big-manifest", {
      packs: [{ name: "addon-big-manifest", version: "1.0.0" }],
      releaseJson: (m) => ({ ...m, padding: "x".repeat(4 * 1024 * 1024) }),
    });
    await dropRelease(env, "too-many-files", {
      packs: [{ name: "addon-many", version: "1.0.0" }],
      releaseJson: (m) => ({ ...m, files: Array.from({ length: 2001 }, () => m.files[0]) }),
    });
    const reasons = Object.fromEntries((await sync()).quarantined.map((q) => [q.releaseId, q.reason]));
    expect(reasons["big-signature"]).toBe("release.json.sig.bin is 17408 bytes, not a signature");
    expect(reasons["big-manifest"]).toMatch(/^release\.json is \d+ bytes, more than the 4194304 allowed$/);
    expect(reasons["too-many-files"]).toMatch(/^release\.json: files: a release lists at most 2000 files/);
    for (const id of ["addon-big-sig@1.0.0", "addon-big-manifest@1.0.0", "addon-many@1.0.0"])
      expect(await packRow(id)).toBeUndefined();
  });

  it("refuses a release folder whose name is not a slug", async () => {
    await dropRelease(env, "Not_A_Slug", { packs: [{ name: "addon-badfolder", version: "1.0.0" }] });
    expect((await sync()).quarantined).toContainEqual({
      releaseId: "Not_A_Slug",
      reason: "the release folder name 'Not_A_Slug' is not a release id (a lower-case slug)",
    });
  });

  it("never changes a product silently; only an explicit, signed 'update' entry does", async () => {
    await dropRelease(env, "flip-vertex", {
      products: [{ ...PALETTE_VERTEX, fips: false }],
      packs: [{ name: "addon-flip", version: "1.0.0" }],
    });
    expect((await sync()).quarantined).toContainEqual({
      releaseId: "flip-vertex",
      reason:
        'products: palette-vertex is published with fips true; release.json says false without "change": "update"',
    });
    const vertex = () => db().select().from(products).where(eq(products.id, "palette-vertex")).get();
    expect((await vertex())!.fips).toBe(true);
    expect(await packRow("addon-flip@1.0.0")).toBeUndefined();

    await dropRelease(env, "rename-vertex", {
      products: [{ ...PALETTE_VERTEX, name: "Palette VerteX (renamed)", change: "update" }],
      packs: [{ name: "addon-rename", version: "1.0.0" }],
    });
    expect((await sync()).published).toContain("rename-vertex");
    expect(await vertex()).toMatchObject({ name: "Palette VerteX (renamed)", fips: true });
  });
});

describe("downloads serve only verified bytes", () => {
  let verified: ArrayBuffer;

  beforeAll(async () => {
    await dropRelease(env, "pinned", {
      packs: [
        { name: "addon-pinned", version: "1.0.0", size: 30_000 },
        { name: "addon-blob-overwritten", version: "1.0.0", size: 20_000 },
        { name: "addon-blob-deleted", version: "1.0.0", size: 10_000 },
        { name: "addon-range-first", version: "1.0.0", size: 15_000 },
      ],
    });
    expect((await sync()).published).toContain("pinned");
    verified = await (await env.ARTIFACTS.get(`${releaseFolder("pinned")}addon-pinned-1.0.0.zst`))!.arrayBuffer();
  });

  it("keeps serving the verified bytes after the dropped object is overwritten or deleted", async () => {
    const { url, sha256 } = await grantUrl("addon-pinned", "1.0.0");
    await env.ARTIFACTS.put(`${releaseFolder("pinned")}addon-pinned-1.0.0.zst`, "overwritten after publishing");
    const first = await studio(url);
    expect(first.status).toBe(200);
    expect(await sha256Hex(await first.arrayBuffer())).toBe(sha256);
    await env.ARTIFACTS.delete(`${releaseFolder("pinned")}addon-pinned-1.0.0.zst`);
    const second = await studio(url);
    expect(second.status).toBe(200);
    expect(new Uint8Array(await second.arrayBuffer())).toEqual(new Uint8Array(verified));
  });

  it("refuses, and does not cache, a verified copy that was overwritten in storage", async () => {
    const row = (await packRow("addon-blob-overwritten@1.0.0"))!;
    const { url } = await grantUrl("addon-blob-overwritten", "1.0.0");
    await env.ARTIFACTS.put(row.objectKey, new Uint8Array(row.size).fill(7)); // same size, other bytes
    const res = await studio(url);
    expect(res.status).toBe(503);
    expect(await res.text()).toMatch(/cannot be served: the stored bytes changed after verification/);
    const cached = await (caches as unknown as { default: Cache }).default.match(
      `https://artifact-cache.internal/${row.objectKey.split("/").map(encodeURIComponent).join("/")}@${row.sha256}`,
    );
    expect(cached).toBeUndefined();
    // A range request is refused the same way, never answered with the new bytes.
    expect((await studio(url, { headers: { Range: "bytes=0-99" } })).status).toBe(503);
  });

  it("fills the edge cache only from a full read: a range request's miss is served from R2 and fills nothing", async () => {
    const { url } = await grantUrl("addon-range-first", "1.0.0");
    const range = await studio(url, { headers: { Range: "bytes=0-99" } });
    expect(range.status).toBe(206);
    expect(range.headers.get("X-Artifact-Cache")).toBe("BYPASS");
    await range.body?.cancel();
    const full = await studio(url);
    expect(full.status).toBe(200);
    expect(full.headers.get("X-Artifact-Cache")).toBe("MISS");
    await full.body?.cancel();
  });

  it("never leaves other bytes in the edge cache, even if storage returned them under the pinned etag", async () => {
    const row = (await packRow("addon-range-first@1.0.0"))!;
    const file = artifactOf(packGrantFile(row));
    // A storage fault no precondition can see: the etag and the stored sha256 match, the bytes do not.
    const lyingBucket = {
      get: async () => ({
        size: row.size,
        etag: row.objectEtag,
        checksums: { sha256: new Uint8Array(Buffer.from(row.sha256, "hex")).buffer },
        body: new Blob([new Uint8Array(row.size).fill(1)]).stream(),
      }),
    } as unknown as R2Bucket;
    const cache = await caches.open("lying-bucket-test");
    const pending: Promise<unknown>[] = [];
    const deps = {
      bucket: lyingBucket,
      cache,
      waitUntil: (p: Promise<unknown>) => void pending.push(p),
      maxCacheBytes: 1 << 30,
    };
    const res = await serveDownloadable(new Request("http://studio.test/dl/x"), file, deps);
    await res.body?.cancel();
    await Promise.all(pending);
    expect(await cache.match(cacheKeyOf(file))).toBeUndefined();
  });

  it("refuses a verified copy that was deleted from storage", async () => {
    const row = (await packRow("addon-blob-deleted@1.0.0"))!;
    const { url } = await grantUrl("addon-blob-deleted", "1.0.0");
    await env.ARTIFACTS.delete(row.objectKey);
    const res = await studio(url);
    expect(res.status).toBe(503);
    expect(await res.text()).toMatch(/the verified copy is missing from storage/);
  });

  it("publishes what it verified even if the dropped object is overwritten once its file step has verified it", async () => {
    const release = await dropRelease(env, "race-overwrite", { packs: [{ name: "addon-race", version: "1.0.0" }] });
    const key = `${releaseFolder("race-overwrite")}addon-race-1.0.0.zst`;
    await using instance = await introspectWorkflowInstance(env.VERIFY_RELEASE, workflowIdOf("race-overwrite", 1));
    const summary = await runSync(env, { trigger: "admin" });
    expect(summary.verifying).toContain("race-overwrite");
    await instance.waitForStepResult({ name: fileStepName("addon-race-1.0.0.zst") });
    // The publish step reads only the verified copy, never the dropped object again.
    await env.ARTIFACTS.put(key, "swapped after verification");
    await instance.waitForStatus("complete");
    expect(await instance.getOutput()).toEqual({ status: "published" });
    const row = (await packRow("addon-race@1.0.0"))!;
    expect(row.objectKey).toBe(blobKey(release.files["addon-race-1.0.0.zst"].sha256));
    const { url, sha256 } = await grantUrl("addon-race", "1.0.0");
    const res = await studio(url);
    expect(res.status).toBe(200);
    expect(await sha256Hex(await res.arrayBuffer())).toBe(sha256);
  });

  it("re-verifies an existing blob instead of rewriting it, so earlier pins stay valid", async () => {
    const content = "identical bytes shipped twice";
    await dropRelease(env, "dedupe-a", { packs: [{ name: "addon-dedupe-a", version: "1.0.0", content }] });
    expect((await sync()).published).toContain("dedupe-a");
    const first = (await packRow("addon-dedupe-a@1.0.0"))!;
    await dropRelease(env, "dedupe-b", { packs: [{ name: "addon-dedupe-b", version: "1.0.0", content }] });
    expect((await sync()).published).toContain("dedupe-b");
    const second = (await packRow("addon-dedupe-b@1.0.0"))!;
    expect(second.objectKey).toBe(first.objectKey);
    expect(second.objectEtag).toBe(first.objectEtag);
    expect((await studio((await grantUrl("addon-dedupe-a", "1.0.0")).url)).status).toBe(200);
  });
});

describe("a poison release", () => {
  it("is quarantined after a few failed attempts to read it, with the last error as the reason", async () => {
    await dropRelease(env, "poison", { packs: [{ name: "addon-poison", version: "1.0.0" }] });
    const failingBucket = new Proxy(env.ARTIFACTS, {
      get(target, prop) {
        if (prop === "get")
          return async (k: string, options?: R2GetOptions) => {
            if (k === `${releaseFolder("poison")}release.json`) throw new Error("worker exceeded its memory");
            return target.get(k, options);
          };
        const value = Reflect.get(target, prop);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const flaky = { ...env, ARTIFACTS: failingBucket };
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const summary = await sync({ on: flaky });
      expect(summary.failed.map((f) => f.releaseId)).toContain("poison");
    }
    const last = await sync({ on: flaky });
    expect(last.quarantined).toContainEqual({
      releaseId: "poison",
      reason: `gave up after ${MAX_ATTEMPTS} failed attempts; last error: sync error (will retry): worker exceeded its memory`,
    });
    expect((await releaseRow(env, "poison"))!.attempts).toBe(MAX_ATTEMPTS + 1);
    expect(await packRow("addon-poison@1.0.0")).toBeUndefined();
  });
});

describe("names a bundle can hold", () => {
  it("refuses reserved names and names too long for a tar header at ingest", async () => {
    await dropRelease(env, "reserved-name", {
      products: [PALETTE_ENTERPRISE],
      installers: [{ product: "palette-enterprise", productVersion: "9.9.9", kind: "helm-chart", file: "SHA256SUMS" }],
    });
    await dropRelease(env, "long-name", {
      products: [PALETTE_ENTERPRISE],
      installers: [
        { product: "palette-enterprise", productVersion: "9.9.8", kind: "helm-chart", file: `${"a".repeat(101)}.tgz` },
      ],
    });
    const { quarantined } = await sync();
    const reasons = Object.fromEntries(quarantined.map((q) => [q.releaseId, q.reason]));
    expect(reasons["reserved-name"]).toMatch(/^release\.json: files\.0\.file: must not be a reserved name/);
    expect(reasons["long-name"]).toMatch(/^release\.json: files\.0\.file: must be a plain file name of at most 100/);
  });

  it("refuses a file name another pack already publishes (foo 1-2.0 and foo-1 2.0)", async () => {
    await dropRelease(env, "name-first", { packs: [{ name: "addon-foo", version: "1-2.0" }] });
    expect((await sync()).published).toContain("name-first");
    await dropRelease(env, "name-second", { packs: [{ name: "addon-foo-1", version: "2.0" }] });
    expect((await sync()).quarantined).toContainEqual({
      releaseId: "name-second",
      reason: "addon-foo-1-2.0.zst: the name addon-foo-1-2.0.zst is already published for pack addon-foo@1-2.0",
    });
  });
});

describe("the file-name index behind the plan", () => {
  it("refuses, in the publish batch itself, a second artifact under a published file name", async () => {
    // As if the plan's check were skipped (or raced): the UNIQUE index on file_name still refuses it.
    await dropRelease(env, "name-base", { packs: [{ name: "addon-bar", version: "1-2.0" }] });
    expect((await sync()).published).toContain("name-base");
    const racing = await dropRelease(env, "name-racing", { packs: [{ name: "addon-bar-1", version: "2.0" }] });
    expect(await claimRelease(db(), "name-racing", "racing-run", Date.now())).toBe(true);
    const statements = publishStatements(db(), {
      release: racing.manifest,
      keyId: "test-ec",
      stored: storedAsIf(racing.manifest),
      newPacks: racing.manifest.files.filter((f): f is PackFile => f.kind === "pack"),
      newInstallers: [],
      productWrites: [],
      runId: "racing-run",
      now: Date.now(),
      details: {},
    });
    await expect(db().batch(statements)).rejects.toThrow(/UNIQUE.*file_name/i);
    expect(await packRow("addon-bar-1@2.0")).toBeUndefined();
  });
});

describe("key lifecycle", () => {
  it("refuses a trusted key that does not parse, at configuration time", () => {
    const corrupt = {
      ...env,
      TRUSTED_PUBLIC_KEYS: JSON.stringify([
        { id: "bad", pem: "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n" },
      ]),
    };
    expect(() => config(corrupt)).toThrow(/TRUSTED_PUBLIC_KEYS\.0\.pem: key bad: does not parse as a public key/);
  });

  it("refuses spectro_public_key as a key id: other keys ship as <id>.pem beside the default key's file", () => {
    const keys = JSON.parse(env.TRUSTED_PUBLIC_KEYS) as { id: string; pem: string }[];
    const clash = { ...env, TRUSTED_PUBLIC_KEYS: JSON.stringify([keys[0], { ...keys[1], id: "spectro_public_key" }]) };
    expect(() => config(clash)).toThrow(
      /TRUSTED_PUBLIC_KEYS\.1\.id: spectro_public_key is the default key's file name/,
    );
  });

  it("a corrupt PEM verifies nothing", () => {
    const data = new TextEncoder().encode("release.json");
    expect(verifyBytes(data, new Uint8Array(72), "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")).toBe(
      false,
    );
  });

  it("says on /keys/<id>.pem and the verification page which keys are current", async () => {
    const current = await studio("/keys/test-ec.pem");
    expect(current.headers.get("X-Key-Status")).toBe("current");
    const revoked = withKeys((keys) =>
      keys.map((k) => (k.id === "test-ec" ? { ...k, revoked: true, revokedAt: "2026-11-02" } : k)),
    );
    const ctx = createExecutionContext();
    const fetchWith = async (path: string) => {
      const res = await app.fetch(new Request(`http://studio.test${path}`), revoked, ctx);
      await waitOnExecutionContext(ctx);
      return res;
    };
    expect((await fetchWith("/keys/test-ec.pem")).headers.get("X-Key-Status")).toBe("revoked");
    // The default key moves to the first key still current.
    expect((await fetchWith("/spectro_public_key.pem")).headers.get("X-Key-Id")).toBe("test-rsa");
    const page = await (await fetchWith("/verify")).text();
    expect(page).toMatch(/<code>test-ec\.pem<\/code><\/a> <span class="badge warn">revoked<\/span> since 2026-11-02/);
    expect(page).toMatch(/<code>test-rsa\.pem<\/code><\/a> <span class="badge ok">current<\/span>/);
  });

  it("lists what a key signed and yanks all of it in one audited call", async () => {
    await dropRelease(env, "rsa-incident", {
      keyId: "test-rsa",
      products: [PALETTE_ENTERPRISE],
      packs: [
        { name: "addon-rsa-one", version: "1.0.0" },
        { name: "addon-rsa-two", version: "1.0.0" },
      ],
      installers: [{ product: "palette-enterprise", productVersion: "9.1.0", kind: "helm-chart" }],
    });
    expect((await sync()).published).toContain("rsa-incident");
    const { url } = await grantUrl("addon-rsa-one", "1.0.0");

    const listed = await studio("/api/v1/admin/keys/test-rsa/published", { headers: ADMIN_JSON });
    expect(listed.status).toBe(200);
    const published = (await listed.json()) as {
      releases: string[];
      packVersions: { id: string }[];
      installers: unknown[];
    };
    expect(published.releases).toContain("rsa-incident");
    expect(published.packVersions.map((p) => p.id)).toEqual(
      expect.arrayContaining(["addon-rsa-one@1.0.0", "addon-rsa-two@1.0.0"]),
    );
    expect(published.installers).toHaveLength(1);

    const yank = await studio("/api/v1/admin/keys/test-rsa/yank", {
      method: "POST",
      headers: ADMIN_JSON,
      body: JSON.stringify({ reason: "key test-rsa leaked" }),
    });
    expect(yank.status).toBe(200);
    const result = (await yank.json()) as { auditId: string; packVersionsYanked: number; installersYanked: number };
    expect(result.packVersionsYanked).toBeGreaterThanOrEqual(2);
    expect(result.installersYanked).toBe(1);
    expect((await packRow("addon-rsa-two@1.0.0"))!.yanked).toBe(true);
    const installer = await db().select().from(releaseArtifacts).where(eq(releaseArtifacts.version, "9.1.0")).get();
    expect(installer).toMatchObject({ yanked: true, yankReason: "key test-rsa leaked" });
    const audit = await db().select().from(auditEvents).where(eq(auditEvents.id, result.auditId)).get();
    expect(audit).toMatchObject({ action: "yank-key", subject: "test-rsa", reason: "key test-rsa leaked" });
    // The grant issued before the incident no longer downloads.
    expect((await studio(url)).status).toBe(403);
  });

  it("yanks one installer: the product page drops it and its download is refused", async () => {
    await dropRelease(env, "installer-yank", {
      products: [PALETTE_ENTERPRISE],
      installers: [{ product: "palette-enterprise", productVersion: "9.2.0", kind: "iso" }],
    });
    expect((await sync()).published).toContain("installer-yank");
    const grant = await studio("/api/v1/grants", {
      method: "POST",
      headers: { "Content-Type": "application/json", "CF-Connecting-IP": "198.51.100.24" },
      body: JSON.stringify({ installers: { product: "palette-enterprise", version: "9.2.0" } }),
    });
    expect(grant.status).toBe(201);
    const { files, links } = (await grant.json()) as { files: { url: string }[]; links: Record<string, string> };
    expect((await studio(links["bundle.tar"])).status).toBe(200);
    const yank = await studio("/api/v1/admin/products/palette-enterprise/versions/9.2.0/installers/iso/yank", {
      method: "POST",
      headers: ADMIN_JSON,
      body: JSON.stringify({ reason: "bad build" }),
    });
    expect(yank.status).toBe(200);
    // The old link says when and why, in the words the pack page and API use.
    expect(await (await studio(files[0].url)).text()).toMatch(/was yanked on \d{4}-\d\d-\d\d \d\d:\d\d UTC: bad build/);
    // Everything else the grant opens is refused too: the tar, its documents, the grant itself.
    for (const link of [
      links["bundle.tar"],
      links["download.sh"],
      links["urls.txt"],
      links["bundle.tar"].replace(/\/bundle\.tar$/, ""),
    ]) {
      const refused = await studio(link);
      expect(refused.status, link).toBe(409);
      expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(
        /palette-.*\.iso \(yanked on .* UTC: bad build\)/,
      );
    }
    const again = await studio("/api/v1/grants", {
      method: "POST",
      headers: { "Content-Type": "application/json", "CF-Connecting-IP": "198.51.100.24" },
      body: JSON.stringify({ installers: { product: "palette-enterprise", version: "9.2.0" } }),
    });
    // Its only installer is yanked: a 409 that says so, with the reason, not an unexplained 404.
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: { details: { message: string }[] } }).error.details[0].message).toMatch(
      /palette-.*\.iso was yanked/,
    );
  });
});
