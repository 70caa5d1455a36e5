// Every manifest format of a grant: the pure renderers on fixed input, and the grant endpoints
// whose URLs, file names and checksums must agree with what /dl actually serves.
import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import {
  bundleCurl,
  downloadSh,
  type ManifestEntry,
  publicKeyRefs,
  sha256Sums,
  sha256SumsLength,
  urlsTxt,
} from "../../worker/downloads/manifest-formats";
import { dropRelease, PALETTE_ENTERPRISE } from "./support/releases";
import { syncAndSettle } from "./support/sync";
import { ADMIN_AUTH } from "./support/studio";

const entry = (over: Partial<ManifestEntry> = {}): ManifestEntry => ({
  kind: "pack",
  name: "cni-calico",
  version: "3.29.2",
  file: "cni-calico-3.29.2.zst",
  size: 1234,
  sha256: "a".repeat(64),
  url: "https://s.test/dl/G/cni-calico-3.29.2.zst?exp=1&kid=k&sig=s",
  sigFile: "cni-calico-3.29.2.sig.bin",
  sigSize: 71,
  sigUrl: "https://s.test/dl/G/cni-calico-3.29.2.sig.bin?exp=1&kid=k&sig=t",
  keyId: "main",
  ...over,
});
const grant = { id: "GRANTGRANTGRANTGRANT01", expiresAt: Date.UTC(2026, 10, 29) };

describe("manifest renderers", () => {
  it("urls.txt lists each file then its signature, one a line", () => {
    expect(urlsTxt([entry()])).toBe(`${entry().url}\n${entry().sigUrl}\n`);
  });

  it("bundle.curl pairs every url with its documented output name and escapes quotes", () => {
    const text = bundleCurl(grant, [entry({ url: 'https://s.test/a"b\\c' })]);
    expect(text).toContain('url = "https://s.test/a\\"b\\\\c"\noutput = "cni-calico-3.29.2.zst"\n');
    expect(text).toContain(`url = "${entry().sigUrl}"\noutput = "cni-calico-3.29.2.sig.bin"\n`);
    expect(text).toContain("# Usage: curl --parallel --fail --remote-time -K bundle.curl");
  });

  it("SHA256SUMS covers files and signatures in sha256sum format, with a length known up front", () => {
    const entries = [entry(), entry({ file: "k-1.zst", sigFile: "k-1.sig.bin", sha256: "c".repeat(64) })];
    const sums = sha256Sums(
      entries,
      new Map([
        ["cni-calico-3.29.2.sig.bin", "b".repeat(64)],
        ["k-1.sig.bin", "d".repeat(64)],
      ]),
    );
    expect(sums).toBe(
      `${"a".repeat(64)}  cni-calico-3.29.2.zst\n${"b".repeat(64)}  cni-calico-3.29.2.sig.bin\n${"c".repeat(64)}  k-1.zst\n${"d".repeat(64)}  k-1.sig.bin\n`,
    );
    expect(sha256SumsLength(entries)).toBe(new TextEncoder().encode(sums).byteLength);
    expect(() => sha256Sums(entries, new Map())).toThrow(/no checksum for/);
  });

  it("download.sh resumes, verifies checksum and signature per file with the right key, logs, and fails on any error", () => {
    const keys = publicKeyRefs(
      [entry(), entry({ keyId: "older", file: "o-1.zst", sigFile: "o-1.sig.bin" })],
      "main",
      "https://s.test",
    );
    expect(keys).toEqual([
      // Fetched by id: once "main" is yanked, /spectro_public_key.pem would answer another key.
      { keyId: "main", file: "spectro_public_key.pem", url: "https://s.test/keys/main.pem" },
      { keyId: "older", file: "older.pem", url: "https://s.test/keys/older.pem" },
    ]);
    const script = downloadSh(
      grant,
      [entry({ url: "https://s.test/it's" }), entry({ keyId: "older", file: "o-1.zst", sigFile: "o-1.sig.bin" })],
      keys,
    );
    expect(script.startsWith("#!/bin/sh\n")).toBe(true);
    expect(script).toContain("-C -");
    expect(script).toContain('openssl dgst -sha256 -verify "$8" -signature "$5" "$1"');
    expect(script).toContain('say "$1: ✅ Signature valid"');
    expect(script).toContain(`item 'cni-calico-3.29.2.zst' 1234 ${"a".repeat(64)} 'https://s.test/it'\\''s'`);
    expect(script).toContain(
      `KEY_0=$(key 'spectro_public_key.pem' 'https://s.test/keys/main.pem' "$GIVEN_KEY") || refuse_key $? 'spectro_public_key.pem' 'main'`,
    );
    expect(script).toMatch(/item 'cni-calico-3\.29\.2\.zst' .* "\$KEY_0"/);
    expect(script).toMatch(/item 'o-1\.zst' .* "\$KEY_1"/);
    expect(script).toContain('LOG="artifact-studio-$GRANT.log"');
    expect(script).toMatch(/if \[ "\$failures" -ne 0 \]; then[\s\S]*exit 1/);
  });

  it("download.sh gives each key its own variable, even when ids differ only in punctuation", () => {
    const entries = [entry({ keyId: "a-b" }), entry({ keyId: "a.b", file: "o-1.zst", sigFile: "o-1.sig.bin" })];
    const script = downloadSh(grant, entries, publicKeyRefs(entries, "main", "https://s.test"));
    expect(script).toContain(`KEY_0=$(key 'a-b.pem' 'https://s.test/keys/a-b.pem' "$GIVEN_KEY")`);
    expect(script).toContain(`KEY_1=$(key 'a.b.pem' 'https://s.test/keys/a.b.pem' "$GIVEN_KEY")`);
    expect(script).toMatch(/item 'o-1\.zst' .* "\$KEY_1"/);
  });
});

describe("GET /api/v1/grants/:capability/<format>", () => {
  let id: string;
  let capability: string;
  let files: { file: string; sigFile: string; url: string; sigUrl: string; sha256: string; size: number }[];
  let release: Awaited<ReturnType<typeof dropRelease>>;

  beforeAll(async () => {
    release = await dropRelease(env, "manifests-2026-11-0", {
      products: [PALETTE_ENTERPRISE],
      packs: [
        { name: "cni-calico", version: "3.29.2", layer: "cni" },
        { name: "kubernetes", version: "1.32.3", layer: "k8s" },
      ],
    });
    await syncAndSettle(env, { trigger: "admin" });
    const res = await exports.default.fetch("http://studio.test/api/v1/grants", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        packs: [
          { name: "cni-calico", version: "3.29.2" },
          { name: "kubernetes", version: "1.32.3" },
        ],
      }),
    });
    ({ id, capability, files } = (await res.json()) as { id: string; capability: string; files: typeof files });
  });

  const get = (format: string) => exports.default.fetch(`http://studio.test/api/v1/grants/${capability}/${format}`);
  // The signed release manifest covering the files travels with every format, under releases/<id>/.
  const proofOf = async () =>
    (
      (await (await get("manifest.json")).json()) as {
        releases: { file: string; url: string; sigFile: string; sigUrl: string }[];
      }
    ).releases;

  it("urls.txt: every file and signature of the grant, flat, each URL ending with its name and downloading", async () => {
    const res = await get("urls.txt");
    expect(res.headers.get("Content-Disposition")).toBe('attachment; filename="urls.txt"');
    const urls = (await res.text()).trim().split("\n");
    expect(urls).toEqual(files.flatMap((f) => [f.url, f.sigUrl]));
    expect(urls.map((u) => new URL(u).pathname.split("/").at(-1))).toEqual(files.flatMap((f) => [f.file, f.sigFile]));
    expect(urls.every((u) => !u.includes("?"))).toBe(true);
    for (const url of urls) {
      const dl = await exports.default.fetch(url);
      expect(dl.status).toBe(200);
      await dl.body?.cancel();
    }
  });

  it("bundle.curl: url/output pairs writing the documented names", async () => {
    const text = await (await get("bundle.curl")).text();
    const pairs = [...text.matchAll(/^url = "(.*)"\noutput = "(.*)"$/gm)].map((m) => [m[1], m[2]]);
    expect(text).toContain("\ncreate-dirs\n");
    const list = (await (await get("manifest.json")).json()) as { bundleList: Record<string, string> };
    expect(pairs).toEqual([
      ...[...files, ...(await proofOf())].flatMap((f) => [
        [f.url, f.file],
        [f.sigUrl, f.sigFile],
      ]),
      [list.bundleList.url, "studio/bundle-list.txt"],
      [list.bundleList.sigUrl, "studio/bundle-list.txt.sig.bin"],
      ["http://studio.test/keys/studio-2.pem", "studio-2.pem"],
    ]);
  });

  it("manifest.json: name, version, file, size, sha256, url, sigUrl and expiry for each file", async () => {
    const json = (await (await get("manifest.json")).json()) as { grant: string; files: Record<string, unknown>[] };
    expect(json.grant).toBe(id);
    expect(json.files[0]).toMatchObject({
      name: "cni-calico",
      version: "3.29.2",
      file: "cni-calico-3.29.2.zst",
      size: 2048,
      sha256: release.files["cni-calico-3.29.2.zst"].sha256,
      url: files[0].url,
      sigUrl: files[0].sigUrl,
    });
    expect(Date.parse(String(json.files[0].expires))).toBeGreaterThan(Date.now());
  });

  it("SHA256SUMS: matches the bytes /dl serves for every file and signature", async () => {
    const lines = (await (await get("SHA256SUMS")).text()).trim().split("\n");
    expect(lines).toHaveLength(6);
    const urlOf = new Map(
      [...files, ...(await proofOf())].flatMap((f) => [
        [f.file, f.url],
        [f.sigFile, f.sigUrl],
      ]),
    );
    for (const line of lines) {
      const [sum, name] = line.split("  ");
      const bytes = await (await exports.default.fetch(urlOf.get(name)!)).arrayBuffer();
      const actual = [...new Uint8Array(await crypto.subtle.digest("SHA-256", bytes))]
        .map((b) => b.toString(16).padStart(2, "0"))
        .join("");
      expect(actual).toBe(sum);
    }
  });

  it("download.sh: a script naming every file with its URLs, size and checksum", async () => {
    const res = await get("download.sh");
    expect(res.headers.get("Content-Type")).toBe("text/x-shellscript; charset=utf-8");
    const script = await res.text();
    for (const f of files) expect(script).toContain(`item '${f.file}' ${f.size} ${f.sha256} '${f.url}' '${f.sigFile}'`);
    expect(script).toContain("key 'spectro_public_key.pem' 'http://studio.test/keys/test-ec.pem'");
  });

  it("404s an unknown format; a well-formed capability that opens no grant is 410 expired (archived, or never issued)", async () => {
    expect((await get("files.zip")).status).toBe(404);
    const gone = await exports.default.fetch(`http://studio.test/api/v1/grants/${"A".repeat(43)}/urls.txt`);
    expect(gone.status).toBe(410);
    expect(await gone.json()).toMatchObject({ error: { code: "expired" } });
  });

  it("opens the grant's JSON, manifests and tar with its capability, never with the grant id a /dl URL shows", async () => {
    const idInDl = new URL(files[0].url).pathname.split("/")[2];
    expect(idInDl).toBe(id);
    expect(files.flatMap((f) => [f.url, f.sigUrl]).join("\n")).not.toContain(capability);
    for (const path of [
      "",
      "/urls.txt",
      "/bundle.curl",
      "/manifest.json",
      "/SHA256SUMS",
      "/download.sh",
      "/bundle.tar",
    ]) {
      const byId = await exports.default.fetch(`http://studio.test/api/v1/grants/${id}${path}`);
      expect(byId.status, path).toBe(404);
      expect(await byId.json()).toMatchObject({ error: { code: "not_found" } });
      const byCapability = await exports.default.fetch(`http://studio.test/api/v1/grants/${capability}${path}`);
      expect(byCapability.status, path).toBe(200);
      await byCapability.body?.cancel();
    }
  });

  it("stores only the SHA-256 of the capability", async () => {
    const row = await env.DB.prepare("select * from grants where id = ?").bind(id).first<Record<string, unknown>>();
    expect(JSON.stringify(row)).not.toContain(capability);
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(capability)));
    expect(row!.capability_hash).toBe([...digest].map((b) => b.toString(16).padStart(2, "0")).join(""));
    const admin = { headers: ADMIN_AUTH };
    const audit = JSON.stringify(
      await (await exports.default.fetch(`http://studio.test/api/v1/admin/grants/${id}`, admin)).json(),
    );
    expect(audit).not.toContain(capability);
    expect(audit).not.toContain(String(row!.capability_hash));
  });
});
