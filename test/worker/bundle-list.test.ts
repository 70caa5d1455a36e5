// The signed bundle list (the studio's own key, TUF's snapshot role) and the download hardening
// around it: the list names every file of the grant with its size and sha256 and verifies with the
// studio key served at /keys/<id>.pem; a rotated studio key signs new lists while the old one is
// still served; a blob whose stored sha256 is not the pinned one is refused under the same etag; an
// archive (tar or part) with a missing object answers 503 before any byte; SHA256SUMS without a
// signature copy answers 503; a deployment without STUDIO_SIGNING_KEYS answers 503 misconfigured.
import { createVerify } from "node:crypto";
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { app } from "../../worker/app";
import { primary } from "../../worker/db/client";
import { packVersions } from "../../worker/db/schema";
import { artifactOf } from "../../worker/downloads/files";
import { serveDownloadable } from "../../worker/downloads/serve";
import { dropRelease, PALETTE_ENTERPRISE, packGrantFile } from "./support/releases";
import { syncAndSettle } from "./support/sync";

type GrantJson = {
  id: string;
  files: {
    file: string;
    size: number;
    sha256: string;
    sigFile: string;
    sigSize: number;
    url: string;
    sigUrl: string;
  }[];
  links: Record<string, string>;
};

const decoder = new TextDecoder();
const sha256Hex = async (bytes: ArrayBuffer | Uint8Array<ArrayBuffer>) =>
  [...new Uint8Array(await crypto.subtle.digest("SHA-256", bytes))]
    .map((b) => b.toString(16).padStart(2, "0"))
    .join("");

/** The app under another env (a rotated key, a faulty bucket), the way the runtime would call it. */
async function fetchWith(on: Env, url: string, init?: RequestInit): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await app.fetch(new Request(url, init), on, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

async function grantFor(names: string[], on: Env = env): Promise<GrantJson> {
  const res = await fetchWith(on, "http://studio.test/api/v1/grants", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ packs: names.map((n) => ({ name: n, version: "1.0.0" })) }),
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as GrantJson;
}

type ListDocs = { text: string; list: Uint8Array; signature: Uint8Array; keyId: string; pem: string };

/** The grant's list and signature as manifest.json points to them, and the key /keys/<id>.pem serves. */
async function listOf(grant: GrantJson, on: Env = env): Promise<ListDocs> {
  const manifest = (await (await fetchWith(on, grant.links["manifest.json"])).json()) as {
    bundleList: { url: string; sigUrl: string; keyId: string; keyUrl: string };
  };
  const { url, sigUrl, keyId, keyUrl } = manifest.bundleList;
  expect(new URL(url).pathname.endsWith("/studio/bundle-list.txt")).toBe(true);
  const list = new Uint8Array(await (await fetchWith(on, url)).arrayBuffer());
  const signature = new Uint8Array(await (await fetchWith(on, sigUrl)).arrayBuffer());
  const key = await fetchWith(on, keyUrl);
  expect(key.status).toBe(200);
  expect(key.headers.get("X-Key-Status")).toBe("current");
  return { text: decoder.decode(list), list, signature, keyId, pem: await key.text() };
}

const verifies = (docs: Pick<ListDocs, "list" | "signature">, pem: string) =>
  createVerify("sha256").update(docs.list).verify(pem, docs.signature);

/** A bucket that answers like env.ARTIFACTS but claims another stored sha256 for one key (same etag). */
function bucketLyingAbout(key: string, sha256: string | null): R2Bucket {
  const real = env.ARTIFACTS;
  const lie = <T extends R2Object | null>(o: T): T => {
    if (!o || o.key !== key) return o;
    const checksums = sha256 ? { sha256: new Uint8Array(sha256.match(/../g)!.map((h) => parseInt(h, 16))).buffer } : {};
    return new Proxy(o, { get: (t, p) => (p === "checksums" ? checksums : Reflect.get(t, p)) }) as T;
  };
  return {
    get: async (k: string, opts?: R2GetOptions) => lie(await real.get(k, opts)),
    head: async (k: string) => lie(await real.head(k)),
  } as unknown as R2Bucket;
}

const packRow = (name: string) =>
  primary(env)
    .select()
    .from(packVersions)
    .where(eq(packVersions.id, `${name}@1.0.0`))
    .get();

beforeAll(async () => {
  await dropRelease(env, "bundle-list-2026-12-0", {
    products: [PALETTE_ENTERPRISE],
    packs: ["list-a", "list-b", "list-c", "list-tar", "list-part", "list-sums", "list-lie", "list-nosum"].map(
      (name, i) => ({
        name,
        version: "1.0.0",
        layer: "addon" as const,
        size: name === "list-part" ? 200_000 : 1000 + i,
      }),
    ),
  });
  await syncAndSettle(env, { trigger: "admin" });
});

describe("the signed bundle list", () => {
  it("lists every file of the grant with its size and sha256, signed by the studio key /keys/<id>.pem serves", async () => {
    const grant = await grantFor(["list-a", "list-b"]);
    const docs = await listOf(grant);
    expect(docs.keyId).toBe("studio-2");
    expect(verifies(docs, docs.pem)).toBe(true);
    // One changed byte and it no longer verifies.
    const changed = docs.list.slice();
    changed[changed.length - 2] ^= 1;
    expect(verifies({ list: changed, signature: docs.signature }, docs.pem)).toBe(false);

    const lines = docs.text.trim().split("\n");
    expect(lines).toContain(`grant ${grant.id}`);
    expect(lines).toContain("key studio-2");
    const files = lines.filter((l) => l.startsWith("file ")).map((l) => l.split(" "));
    // Each artifact and signature as /dl serves them, then the signed release manifest and its signature.
    const served = [...grant.files.flatMap((f) => [f.url, f.sigUrl])];
    expect(files.map((f) => f[3])).toEqual([
      ...grant.files.flatMap((f) => [f.file, f.sigFile]),
      "releases/bundle-list-2026-12-0/release.json",
      "releases/bundle-list-2026-12-0/release.json.sig.bin",
    ]);
    expect(lines).toContain(`files ${files.length}`);
    for (const [i, url] of served.entries()) {
      const bytes = await (await exports.default.fetch(url)).arrayBuffer();
      expect([files[i][1], files[i][2]]).toEqual([await sha256Hex(bytes), String(bytes.byteLength)]);
    }
  });

  it("is the same bytes in bundle.tar, and every part of one archive agrees (deterministic signature)", async () => {
    const grant = await grantFor(["list-a", "list-c"]);
    const docs = await listOf(grant);
    const again = await listOf(grant);
    expect(again.signature).toEqual(docs.signature);
    const tar = new Uint8Array(await (await exports.default.fetch(grant.links["bundle.tar"])).arrayBuffer());
    const text = decoder.decode(tar);
    expect(text).toContain(docs.text);
    expect(text).toContain(`artifact-studio-${grant.id}/studio/bundle-list.txt.sig.bin`);
    expect(text).toContain(`artifact-studio-${grant.id}/studio-2.pem`);
  });

  it("rotates: a new first studio key signs new lists; the old key is still served and verifies what it signed", async () => {
    const before = await listOf(await grantFor(["list-a"]));
    const keys = JSON.parse(env.STUDIO_SIGNING_KEYS) as { id: string; privateKey: string }[];
    const rotated = { ...env, STUDIO_SIGNING_KEYS: JSON.stringify([keys[1], keys[0]]) };
    const after = await listOf(await grantFor(["list-a"], rotated), rotated);
    expect(after.keyId).toBe("studio-1");
    expect(verifies(after, after.pem)).toBe(true);
    expect(verifies(after, before.pem)).toBe(false);
    // The list signed before the rotation still verifies with the key the rotated studio serves for it.
    const old = await fetchWith(rotated, "http://studio.test/keys/studio-2.pem");
    expect(old.headers.get("X-Key-Role")).toBe("studio");
    expect(verifies(before, await old.text())).toBe(true);
  });

  it("is refused, like every /dl URL, once the grant is revoked or its URL tampered with", async () => {
    const grant = await grantFor(["list-b"]);
    const manifest = (await (await exports.default.fetch(grant.links["manifest.json"])).json()) as {
      bundleList: { url: string };
    };
    const url = manifest.bundleList.url;
    const other = url.replace(/\/studio\/bundle-list\.txt$/, "/studio/other.txt");
    expect((await exports.default.fetch(other)).status).toBe(403);
    const revoke = await exports.default.fetch(`http://studio.test/api/v1/admin/grants/${grant.id}/revoke`, {
      method: "POST",
      headers: { Authorization: `Bearer ${env.ADMIN_TOKEN}`, "Content-Type": "application/json" },
      body: JSON.stringify({ reason: "test" }),
    });
    expect(revoke.status, await revoke.clone().text()).toBe(200);
    const res = await exports.default.fetch(url);
    expect(res.status).toBe(403);
    expect(await res.text()).toBe("this download grant was revoked\n");
  });

  it("answers 503 misconfigured without STUDIO_SIGNING_KEYS, or with a key that is not ECDSA P-256", async () => {
    const { STUDIO_SIGNING_KEYS: _, ...without } = env;
    const missing = await fetchWith(without as unknown as Env, "http://studio.test/api/v1/grants", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ packs: [{ name: "list-a", version: "1.0.0" }] }),
    });
    expect(missing.status).toBe(503);
    expect(await missing.json()).toMatchObject({ error: { code: "misconfigured" } });
    const broken = {
      ...env,
      STUDIO_SIGNING_KEYS: JSON.stringify([{ id: "s", privateKey: "-----BEGIN PRIVATE KEY-----\nAAAA\n" }]),
    };
    expect((await fetchWith(broken, "http://studio.test/spectro_public_key.pem")).status).toBe(503);
    const clash = { ...env, STUDIO_SIGNING_KEYS: env.STUDIO_SIGNING_KEYS.replace('"studio-2"', '"test-ec"') };
    expect((await fetchWith(clash, "http://studio.test/spectro_public_key.pem")).status).toBe(503);
  });
});

describe("download hardening", () => {
  it("refuses a blob whose stored sha256 is not the pinned one, under the very same etag", async () => {
    const grant = await grantFor(["list-lie"]);
    const row = (await packRow("list-lie"))!;
    const lying = { ...env, ARTIFACTS: bucketLyingAbout(row.objectKey, "0".repeat(64)) };
    const res = await fetchWith(lying, grant.files[0].url);
    expect(res.status).toBe(503);
    expect(await res.text()).toMatch(/storage's sha256 0{64} is not the verified/);
    // The true stored sha256 is accepted: the refusal was the mismatch.
    const honest = await fetchWith(env, grant.files[0].url);
    expect(honest.status).toBe(200);
    expect(await sha256Hex(await honest.arrayBuffer())).toBe(row.sha256);
    // The archive checks it too, before its first byte.
    const tar = await fetchWith(lying, grant.links["bundle.tar"]);
    expect(tar.status).toBe(503);
  });

  it("refuses a single-put blob for which storage holds no sha256 at all", async () => {
    const grant = await grantFor(["list-nosum"]);
    const row = (await packRow("list-nosum"))!;
    const res = await fetchWith({ ...env, ARTIFACTS: bucketLyingAbout(row.objectKey, null) }, grant.files[0].url);
    expect(res.status).toBe(503);
    expect(await res.text()).toMatch(/storage holds no sha256 for it/);
  });

  it("streams a multipart object (no stored sha256) through a check that withholds the end of altered bytes", async () => {
    const row = (await packRow("list-lie"))!;
    const file = { ...artifactOf(packGrantFile(row)), objectKey: row.objectKey };
    // Multipart etag, no whole-object sha256, and not the verified bytes.
    const multipart = {
      get: async () => ({
        size: row.size,
        etag: "0123456789abcdef0123456789abcdef-2",
        checksums: {},
        body: new Blob([new Uint8Array(row.size).fill(7)]).stream(),
      }),
    } as unknown as R2Bucket;
    const deps = { bucket: multipart, cache: await caches.open("multipart"), waitUntil: () => {}, maxCacheBytes: 0 };
    const res = await serveDownloadable(new Request("http://studio.test/x"), file, deps);
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    let received = 0;
    const outcome = await (async () => {
      for (;;) {
        const read = await reader.read();
        if (read.done) return "complete";
        received += read.value.byteLength;
      }
    })().catch((err: Error) => err.message);
    expect(outcome).toMatch(/not the verified file/);
    expect(received).toBeLessThan(row.size);
  });

  it("answers bundle.tar with 503 naming a missing object, not a 200 that ends short", async () => {
    const grant = await grantFor(["list-tar"]);
    const row = (await packRow("list-tar"))!;
    await env.ARTIFACTS.delete(row.objectKey);
    const res = await exports.default.fetch(grant.links["bundle.tar"]);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({
      error: {
        code: "integrity",
        message: expect.stringContaining("list-tar-1.0.0.zst: the verified copy is missing"),
      },
    });
  });

  it("answers a part with 503 when any object of the archive is missing", async () => {
    const grant = await grantFor(["list-part"]);
    const part = `${grant.links["bundle.tar"]}.part-1?size=65536`.replace("bundle.tar.part-1", "bundle.tar.part-001");
    const ok = await exports.default.fetch(part);
    expect(ok.status).toBe(200);
    await ok.body?.cancel();
    const row = (await packRow("list-part"))!;
    await env.ARTIFACTS.delete(row.signatureKey);
    const res = await exports.default.fetch(part);
    expect(res.status).toBe(503);
    expect(await res.text()).toContain("list-part-1.0.0.sig.bin: the verified copy is missing");
  });

  it("answers SHA256SUMS with 503, not 500, when a signature's copy is missing", async () => {
    const grant = await grantFor(["list-sums"]);
    const row = (await packRow("list-sums"))!;
    await env.ARTIFACTS.delete(row.signatureKey);
    const res = await exports.default.fetch(grant.links.SHA256SUMS);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ error: { code: "integrity" } });
  });
});
