// Signed /dl downloads end to end inside workerd: a grant over a synced catalog, then GET/HEAD,
// Range, conditional requests, the edge cache (second download without R2), and every way to
// tamper with a URL.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { primaryWriter } from "../../worker/db/client";
import { grants } from "../../worker/db/downloads-schema";
import { packVersions } from "../../worker/db/schema";
import { cacheKeyOf } from "../../worker/downloads/serve";
import { eq } from "drizzle-orm";
import { dropRelease, PALETTE_ENTERPRISE } from "./support/releases";
import { syncAndSettle } from "./support/sync";
import { ADMIN_AUTH, studio } from "./support/studio";

type GrantJson = {
  id: string;
  expiresAt: string;
  files: {
    name: string;
    version: string;
    file: string;
    size: number;
    sha256: string;
    url: string;
    sigFile: string;
    sigSize: number;
    sigUrl: string;
  }[];
};

async function createGrant(body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return studio("/api/v1/grants", {
    method: "POST",
    headers: { "Content-Type": "application/json", "CF-Connecting-IP": "198.51.100.7", ...headers },
    body: JSON.stringify(body),
  });
}

async function grantFor(packs: { name: string; version: string }[]): Promise<GrantJson> {
  const res = await createGrant({ packs });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as GrantJson;
}

let release: Awaited<ReturnType<typeof dropRelease>>;

beforeAll(async () => {
  release = await dropRelease(env, "dl-2026-11-0", {
    products: [PALETTE_ENTERPRISE],
    packs: [
      { name: "cni-calico", version: "3.29.2", layer: "cni", size: 300_000 },
      { name: "kubernetes", version: "1.30.4", layer: "k8s", size: 70_000 },
      { name: "csi-aws-ebs", version: "1.41.0", layer: "csi", size: 5000 },
      { name: "old-addon", version: "1.0.0", size: 1000 },
    ],
  });
  const summary = await syncAndSettle(env, { trigger: "admin" });
  expect(summary.published).toEqual(["dl-2026-11-0"]);
});

const bytesOf = async (res: Response) => new Uint8Array(await res.arrayBuffer());
const sha256Hex = async (bytes: Uint8Array<ArrayBuffer>) =>
  [...new Uint8Array(await crypto.subtle.digest("SHA-256", bytes))]
    .map((b) => b.toString(16).padStart(2, "0"))
    .join("");

describe("grants", () => {
  it("issues a grant with a signed URL, size and sha256 for every file and signature, and records it", async () => {
    const grant = await grantFor([
      { name: "cni-calico", version: "3.29.2" },
      { name: "kubernetes", version: "1.30.4" },
    ]);
    expect(grant.files.map((f) => f.file)).toEqual(["cni-calico-3.29.2.zst", "kubernetes-1.30.4.zst"]);
    const calico = grant.files[0];
    expect(calico.size).toBe(300_000);
    expect(calico.sha256).toBe(release.files["cni-calico-3.29.2.zst"].sha256);
    expect(calico.sigFile).toBe("cni-calico-3.29.2.sig.bin");
    expect(calico.url).toMatch(
      new RegExp(
        `^http://studio\\.test/dl/${grant.id}/cni-calico-3\\.29\\.2\\.zst\\?exp=\\d+&kid=k2&sig=[A-Za-z0-9_-]{43}$`,
      ),
    );
    const [row] = await primaryWriter(env).select().from(grants).where(eq(grants.id, grant.id));
    expect(row).toMatchObject({ fileCount: 2, clientIp: "198.51.100.7", revoked: false });
    expect(row.totalBytes).toBe(370_000 + calico.sigSize + grant.files[1].sigSize);
    expect(row.request).toEqual({
      packs: [
        { name: "cni-calico", version: "3.29.2" },
        { name: "kubernetes", version: "1.30.4" },
      ],
    });
  });

  it("404s unknown pack versions and 409s yanked ones, naming each", async () => {
    const unknown = await createGrant({
      packs: [
        { name: "cni-calico", version: "9.9.9" },
        { name: "nope", version: "1.0.0" },
        { name: "kubernetes", version: "1.30.4" },
      ],
    });
    expect(unknown.status).toBe(404);
    const body = (await unknown.json()) as { error: { message: string } };
    expect(body.error.message).toBe("unknown pack versions: cni-calico@9.9.9, nope@1.0.0");

    await primaryWriter(env)
      .update(packVersions)
      .set({ yanked: true, yankReason: "CVE-2026-0001" })
      .where(eq(packVersions.id, "old-addon@1.0.0"));
    const yanked = await createGrant({ packs: [{ name: "old-addon", version: "1.0.0" }] });
    expect(yanked.status).toBe(409);
    expect(await yanked.json()).toMatchObject({
      error: { code: "yanked", message: "yanked pack versions: old-addon@1.0.0" },
    });
  });

  it("rejects malformed selections with a 400 naming the field", async () => {
    // Packs with installers is one grant (an upgrade); a bundle beside packs is not.
    const both = await createGrant({
      packs: [{ name: "kubernetes", version: "1.30.4" }],
      bundle: { product: "palette-enterprise", version: "4.6.12", useCase: "addon", packs: [] },
    });
    expect(both.status).toBe(400);
    expect(((await both.json()) as { error: { details: { field: string }[] } }).error.details[0].field).toBe("bundle");
    const nothing = await createGrant({});
    expect(nothing.status).toBe(400);
    expect(((await nothing.json()) as { error: { details: { field: string }[] } }).error.details[0].field).toBe(
      "installers",
    );
    const badName = await createGrant({ packs: [{ name: "Bad Name!", version: "1" }] });
    expect(badName.status).toBe(400);
    expect(((await badName.json()) as { error: { message: string } }).error.message).toMatch(/^packs\.0\.name: /);
  });
});

describe("/dl downloads", () => {
  it("streams the file with length, ETag, Last-Modified and the documented file name", async () => {
    const grant = await grantFor([{ name: "kubernetes", version: "1.30.4" }]);
    const res = await studio(grant.files[0].url);
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Length")).toBe("70000");
    expect(res.headers.get("ETag")).toBe(`"${grant.files[0].sha256}"`);
    expect(res.headers.get("Accept-Ranges")).toBe("bytes");
    expect(res.headers.get("Content-Disposition")).toContain('attachment; filename="kubernetes-1.30.4.zst"');
    const body = await bytesOf(res);
    expect(await sha256Hex(body)).toBe(grant.files[0].sha256);
    const sig = await studio(grant.files[0].sigUrl);
    expect(sig.status).toBe(200);
    expect((await bytesOf(sig)).byteLength).toBe(grant.files[0].sigSize);
  });

  it("answers HEAD, a single Range (206), an unsatisfiable Range (416) and conditionals (304)", async () => {
    const grant = await grantFor([{ name: "csi-aws-ebs", version: "1.41.0" }]);
    const { url, sha256 } = grant.files[0];
    const whole = await bytesOf(await studio(url));

    const head = await studio(url, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("Content-Length")).toBe("5000");
    expect(await head.text()).toBe("");

    const part = await studio(url, { headers: { Range: "bytes=100-199" } });
    expect(part.status).toBe(206);
    expect(part.headers.get("Content-Range")).toBe("bytes 100-199/5000");
    expect(part.headers.get("Content-Length")).toBe("100");
    expect(await bytesOf(part)).toEqual(whole.slice(100, 200));

    const suffix = await studio(url, { headers: { Range: "bytes=-10" } });
    expect(suffix.status).toBe(206);
    expect(await bytesOf(suffix)).toEqual(whole.slice(4990));

    const open = await studio(url, { headers: { Range: "bytes=4000-" } });
    expect(open.headers.get("Content-Range")).toBe("bytes 4000-4999/5000");
    expect(await bytesOf(open)).toEqual(whole.slice(4000));

    const beyond = await studio(url, { headers: { Range: "bytes=5000-" } });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get("Content-Range")).toBe("bytes */5000");

    const stale = await studio(url, { headers: { Range: "bytes=0-9", "If-Range": '"not-the-etag"' } });
    expect(stale.status).toBe(200);
    await stale.body?.cancel();

    const lastModified = part.headers.get("Last-Modified")!;
    const exact = await studio(url, { headers: { Range: "bytes=0-9", "If-Range": lastModified } });
    expect(exact.status).toBe(206);
    expect(await bytesOf(exact)).toEqual(whole.slice(0, 10));
    const later = new Date(Date.parse(lastModified) + 3600_000).toUTCString();
    const notExact = await studio(url, { headers: { Range: "bytes=0-9", "If-Range": later } });
    expect(notExact.status).toBe(200);
    await notExact.body?.cancel();

    const inm = await studio(url, { headers: { "If-None-Match": `"${sha256}"` } });
    expect(inm.status).toBe(304);
    const weak = await studio(url, { headers: { "If-None-Match": `W/"${sha256}"` } });
    expect(weak.status).toBe(304);
    const otherTag = await studio(url, { headers: { "If-None-Match": '"something-else"' } });
    expect(otherTag.status).toBe(200);
    await otherTag.body?.cancel();
    const ims = await studio(url, { headers: { "If-Modified-Since": new Date(Date.now() + 60_000).toUTCString() } });
    expect(ims.status).toBe(304);
    const before = await studio(url, { headers: { "If-Modified-Since": new Date(0).toUTCString() } });
    expect(before.status).toBe(200);
    await before.body?.cancel();
  });

  it("serves the second download, Range included, from the edge cache without touching R2", async () => {
    const grant = await grantFor([{ name: "cni-calico", version: "3.29.2" }]);
    const file = grant.files[0];
    const first = await studio(file.url);
    expect(first.status).toBe(200);
    const original = await bytesOf(first);
    // The cache is filled by a second R2 read in waitUntil; wait for it to land.
    const [row] = await primaryWriter(env)
      .select({ objectKey: packVersions.objectKey })
      .from(packVersions)
      .where(eq(packVersions.id, "cni-calico@3.29.2"));
    const cache = (caches as unknown as { default: Cache }).default;
    for (let i = 0; i < 200 && !(await cache.match(cacheKeyOf({ objectKey: row.objectKey, etag: file.sha256 }))); i++)
      await new Promise((r) => setTimeout(r, 10));

    await env.ARTIFACTS.delete(row.objectKey);
    expect(await env.ARTIFACTS.head(row.objectKey)).toBeNull();

    const again = await studio(file.url);
    expect(again.status).toBe(200);
    expect(again.headers.get("X-Artifact-Cache")).toBe("HIT");
    expect(await bytesOf(again)).toEqual(original);
    const range = await studio(file.url, { headers: { Range: "bytes=1000-1999" } });
    expect(range.status).toBe(206);
    expect(range.headers.get("Content-Range")).toBe("bytes 1000-1999/300000");
    expect(await bytesOf(range)).toEqual(original.slice(1000, 2000));
  });
});

describe("/dl refuses tampered, expired, revoked and yanked URLs with a one-line 403", () => {
  const refused = async (res: Response, reason: RegExp) => {
    expect(res.status).toBe(403);
    expect(res.headers.get("Content-Type")).toBe("text/plain; charset=utf-8");
    const text = await res.text();
    expect(text).toMatch(reason);
    expect(text.trim().split("\n")).toHaveLength(1);
  };

  it("refuses a changed path, expiry, signature, key id or method", async () => {
    const grant = await grantFor([
      { name: "kubernetes", version: "1.30.4" },
      { name: "csi-aws-ebs", version: "1.41.0" },
    ]);
    const url = new URL(grant.files[0].url);
    const other = new URL(grant.files[1].url);

    const swapped = new URL(url);
    swapped.pathname = other.pathname; // another file of the same grant, with this file's signature
    await refused(await studio(swapped.toString()), /invalid signature/);

    const longer = new URL(url);
    longer.searchParams.set("exp", String(Number(url.searchParams.get("exp")) + 3600));
    await refused(await studio(longer.toString()), /invalid signature/);

    const flipped = new URL(url);
    const sig = url.searchParams.get("sig")!;
    flipped.searchParams.set("sig", (sig[0] === "A" ? "B" : "A") + sig.slice(1));
    await refused(await studio(flipped.toString()), /invalid signature/);

    const otherKey = new URL(url);
    otherKey.searchParams.set("kid", "k1"); // a real key, but not the one that signed
    await refused(await studio(otherKey.toString()), /invalid signature/);
    const unknownKey = new URL(url);
    unknownKey.searchParams.set("kid", "k9");
    await refused(await studio(unknownKey.toString()), /unknown signing key id/);

    await refused(await studio(url.toString(), { method: "DELETE" }), /invalid signature/);
    await refused(await studio(url.toString(), { method: "POST", body: "x" }), /invalid signature/);

    const otherGrant = new URL(url);
    otherGrant.pathname = url.pathname.replace(grant.id, "AAAAAAAAAAAAAAAAAAAAAA");
    await refused(await studio(otherGrant.toString()), /^invalid signature\n$/);
    // Nor does the reason tell: an unknown grant with an unknown key id answers like a real one.
    otherGrant.searchParams.set("kid", "k9");
    await refused(await studio(otherGrant.toString()), /^unknown signing key id\n$/);
    const otherFile = new URL(url);
    otherFile.pathname = url.pathname.replace(/[^/]+$/, "not-in-this-grant.zst");
    await refused(await studio(otherFile.toString()), /^invalid signature\n$/);

    const unsigned = new URL(url);
    unsigned.search = "";
    await refused(await studio(unsigned.toString()), /not a signed download URL/);

    // The untouched URL still works: the refusals above were the tampering, not the URL.
    const ok = await studio(url.toString());
    expect(ok.status).toBe(200);
    await ok.body?.cancel();
  });

  it("refuses an expired URL", async () => {
    const grant = await grantFor([{ name: "kubernetes", version: "1.30.4" }]);
    const past = Math.floor(Date.now() / 1000) - 10;
    await primaryWriter(env)
      .update(grants)
      .set({ expiresAt: past * 1000 })
      .where(eq(grants.id, grant.id));
    const url = new URL(grant.files[0].url);
    url.searchParams.set("exp", String(past));
    await refused(await studio(url.toString()), /link expired at/);
  });

  it("refuses every URL of a revoked grant and of a pack yanked after the grant", async () => {
    const grant = await grantFor([
      { name: "kubernetes", version: "1.30.4" },
      { name: "csi-aws-ebs", version: "1.41.0" },
    ]);
    const revoke = await studio(`/api/v1/admin/grants/${grant.id}/revoke`, {
      method: "POST",
      headers: ADMIN_AUTH,
    });
    expect(revoke.status).toBe(200);
    await refused(await studio(grant.files[0].url), /revoked/);

    const fresh = await grantFor([{ name: "csi-aws-ebs", version: "1.41.0" }]);
    await primaryWriter(env)
      .update(packVersions)
      .set({ yanked: true })
      .where(eq(packVersions.id, "csi-aws-ebs@1.41.0"));
    try {
      await refused(await studio(fresh.files[0].url), /was yanked/);
      await refused(await studio(fresh.files[0].sigUrl), /was yanked/);
    } finally {
      await primaryWriter(env)
        .update(packVersions)
        .set({ yanked: false })
        .where(eq(packVersions.id, "csi-aws-ebs@1.41.0"));
    }
  });
});
