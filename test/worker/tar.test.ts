// The single-file tar: its length as a pure function, the ustar header layout, and a grant's
// bundle.tar parsed back entry by entry and checked against the catalog and the signatures.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { app } from "../../worker/app";
import { BLOCK, tarLength, tarStream, ustarHeader } from "../../worker/downloads/tar";
import { bundleListSizes } from "../../worker/downloads/bundle-list";
import { grantTarLength } from "../../worker/downloads/grant-documents";
import { loadLiveGrant } from "../../worker/downloads/granting";
import { grantProofs } from "../../worker/downloads/provenance";
import { primary } from "../../worker/db/client";
import { config } from "../../worker/env";
import { dropRelease, PALETTE_ENTERPRISE } from "./support/releases";
import { forgetKeyIncidents } from "./support/key-trust";
import { syncAndSettle } from "./support/sync";
import { ADMIN_AUTH } from "./support/studio";

type Parsed = { path: string; size: number; mode: number; mtime: number; typeflag: string; data: Uint8Array };

const decoder = new TextDecoder();
const field = (block: Uint8Array, offset: number, length: number) =>
  decoder.decode(block.subarray(offset, offset + length)).replace(/\0.*$/s, "");
const octal = (block: Uint8Array, offset: number, length: number) =>
  parseInt(field(block, offset, length).trim() || "0", 8);

/** A strict ustar reader: checks magic, checksums, padding and the two closing zero blocks. */
function parseTar(bytes: Uint8Array): Parsed[] {
  const entries: Parsed[] = [];
  let offset = 0;
  for (;;) {
    const header = bytes.subarray(offset, offset + BLOCK);
    expect(header.byteLength).toBe(BLOCK);
    if (header.every((b) => b === 0)) {
      expect(bytes.subarray(offset + BLOCK, offset + 2 * BLOCK).every((b) => b === 0)).toBe(true);
      expect(bytes.byteLength).toBe(offset + 2 * BLOCK);
      return entries;
    }
    expect(field(header, 257, 6)).toBe("ustar");
    const stored = octal(header, 148, 8);
    const copy = header.slice();
    copy.fill(0x20, 148, 156);
    expect(copy.reduce((a, b) => a + b, 0)).toBe(stored);
    const prefix = field(header, 345, 155);
    const name = field(header, 0, 100);
    const size = octal(header, 124, 12);
    const data = bytes.subarray(offset + BLOCK, offset + BLOCK + size);
    const padded = Math.ceil(size / BLOCK) * BLOCK;
    expect(bytes.subarray(offset + BLOCK + size, offset + BLOCK + padded).every((b) => b === 0)).toBe(true);
    entries.push({
      path: prefix ? `${prefix}/${name}` : name,
      size,
      mode: octal(header, 100, 8),
      mtime: octal(header, 136, 12),
      typeflag: field(header, 156, 1),
      data,
    });
    offset += BLOCK + padded;
  }
}

const sha256Hex = async (bytes: Uint8Array) =>
  [...new Uint8Array(await crypto.subtle.digest("SHA-256", bytes.slice()))]
    .map((b) => b.toString(16).padStart(2, "0"))
    .join("");

describe("tar layout (pure)", () => {
  it("computes the archive length from the names and sizes alone", () => {
    const sized = (...sizes: number[]) => sizes.map((size, i) => ({ path: `file-${i}`, size }));
    expect(tarLength([])).toBe(1024);
    expect(tarLength(sized(0))).toBe(512 + 1024);
    expect(tarLength(sized(1))).toBe(512 + 512 + 1024);
    expect(tarLength(sized(512, 513, 1000))).toBe(3 * 512 + 512 + 1024 + 1024 + 1024);
    expect(tarLength(sized(5 * 1024 ** 3))).toBe(512 + 5 * 1024 ** 3 + 1024);
  });

  it("refuses a length for a name no ustar header can hold, as the writer would", () => {
    expect(tarLength([{ path: `${"d".repeat(155)}/${"f".repeat(100)}`, size: 1 }])).toBe(512 + 512 + 1024);
    expect(() => tarLength([{ path: "f".repeat(101), size: 1 }])).toThrow(/path too long for a ustar archive/);
    expect(() => ustarHeader({ path: "f".repeat(101), size: 1, mtime: 0 })).toThrow(/path too long/);
  });

  it("writes a valid header, splitting long paths into prefix and name", () => {
    const long = `${"d".repeat(60)}/${"e".repeat(60)}/file-with-a-long-name-${"x".repeat(40)}.zst`;
    const header = ustarHeader({ path: long, size: 1234, mtime: 1_700_000_000_000, mode: 0o755 });
    const archive = new Uint8Array(512 + 1536 + 1024); // header, 1234 bytes padded to 1536, end blocks
    archive.set(header);
    const [entry] = parseTar(archive);
    expect(entry.path).toBe(long);
    expect(entry.size).toBe(1234);
    expect(entry.mode).toBe(0o755);
    expect(entry.mtime).toBe(1_700_000_000);
    expect(entry.typeflag).toBe("0");
    expect(() => ustarHeader({ path: "x".repeat(101), size: 1, mtime: 0 })).toThrow(/too long/);
  });

  it("switches from octal to base-256 exactly at 8 GiB, the first size ustar's 11 octal digits cannot hold", () => {
    const below = ustarHeader({ path: "a.iso", size: 8 * 1024 ** 3 - 1, mtime: 0 });
    expect(new TextDecoder().decode(below.subarray(124, 136))).toBe("77777777777\0");
    const at = ustarHeader({ path: "b.iso", size: 8 * 1024 ** 3, mtime: 0 });
    expect(at[124]).toBe(0x80);
    let decoded = 0n;
    for (let i = 125; i < 136; i++) decoded = (decoded << 8n) | BigInt(at[i]);
    expect(decoded).toBe(8n * 1024n ** 3n);
    // The header checksum covers the binary size bytes like any others.
    const sum = at.reduce((acc, b, i) => acc + (i >= 148 && i < 156 ? 0x20 : b), 0);
    expect(new TextDecoder().decode(at.subarray(148, 154))).toBe(sum.toString(8).padStart(6, "0"));
  });

  it("encodes sizes of 8 GiB and more in base-256", () => {
    const size = 10 * 1024 ** 3 + 7;
    const header = ustarHeader({ path: "big.iso", size, mtime: 0 });
    expect(header[124]).toBe(0x80);
    let decoded = 0n;
    for (let i = 125; i < 136; i++) decoded = (decoded << 8n) | BigInt(header[i]);
    expect(Number(decoded)).toBe(size);
  });

  it("aborts the stream when an object is shorter than the catalog says", async () => {
    const tar = tarStream([
      { path: "short.bin", size: 100, mtime: 0, open: async () => new Response(new Uint8Array(60)).body! },
    ]);
    await expect(new Response(tar.readable).arrayBuffer()).rejects.toThrow();
    await tar.done;
  });
});

describe("GET /api/v1/grants/:id/bundle.tar", () => {
  // A test that revokes a key withdraws what it signed for good; the next starts from trusted keys.
  afterEach(() => forgetKeyIncidents(env));
  let release: Awaited<ReturnType<typeof dropRelease>>;
  beforeAll(async () => {
    release = await dropRelease(env, "tar-2026-11-0", {
      products: [PALETTE_ENTERPRISE],
      packs: [
        { name: "cni-calico", version: "3.29.2", layer: "cni", size: 70_001 },
        { name: "kubernetes", version: "1.32.3", layer: "k8s", size: 512 },
        { name: "ubuntu-aws", version: "22.04", layer: "os", size: 9_000_000 },
      ],
    });
    await syncAndSettle(env, { trigger: "admin" });
  });

  it("streams every file, signature, SHA256SUMS, the public key and verify-signatures.sh with an exact Content-Length", async () => {
    const created = await exports.default.fetch("http://studio.test/api/v1/grants", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        packs: ["cni-calico@3.29.2", "kubernetes@1.32.3", "ubuntu-aws@22.04"].map((r) => ({
          name: r.split("@")[0],
          version: r.split("@")[1],
        })),
      }),
    });
    const grant = (await created.json()) as { id: string; links: { "bundle.tar": string } };
    const head = await exports.default.fetch(grant.links["bundle.tar"], { method: "HEAD" });
    expect(head.status).toBe(200);
    const res = await exports.default.fetch(grant.links["bundle.tar"]);
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toBe("application/x-tar");
    expect(res.headers.get("Content-Disposition")).toBe(`attachment; filename="artifact-studio-${grant.id}.tar"`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(res.headers.get("Content-Length")).toBe(String(bytes.byteLength));
    expect(head.headers.get("Content-Length")).toBe(String(bytes.byteLength));

    const entries = parseTar(bytes);
    const dir = `artifact-studio-${grant.id}/`;
    expect(entries.map((e) => e.path)).toEqual(
      [
        "cni-calico-3.29.2.zst",
        "cni-calico-3.29.2.sig.bin",
        "kubernetes-1.32.3.zst",
        "kubernetes-1.32.3.sig.bin",
        "ubuntu-aws-22.04.zst",
        "ubuntu-aws-22.04.sig.bin",
        "releases/tar-2026-11-0/release.json",
        "releases/tar-2026-11-0/release.json.sig.bin",
        "SHA256SUMS",
        "studio/bundle-list.txt",
        "studio/bundle-list.txt.sig.bin",
        "spectro_public_key.pem",
        "studio-2.pem",
        "verify-signatures.sh",
        "verify-bundle.sh",
      ].map((p) => dir + p),
    );
    const byName = new Map(entries.map((e) => [e.path.slice(dir.length), e]));
    for (const file of ["cni-calico-3.29.2.zst", "kubernetes-1.32.3.zst", "ubuntu-aws-22.04.zst"]) {
      expect(await sha256Hex(byName.get(file)!.data)).toBe(release.files[file].sha256);
    }
    // SHA256SUMS covers every file and signature and matches the archived bytes.
    const sums = decoder.decode(byName.get("SHA256SUMS")!.data).trim().split("\n");
    expect(sums).toHaveLength(8);
    for (const line of sums) {
      const [sum, name] = line.split("  ");
      expect(await sha256Hex(byName.get(name)!.data)).toBe(sum);
    }
    // The signatures verify against the shipped key (ECDSA P-256, DER, over SHA-256 of the file).
    const pem = decoder.decode(byName.get("spectro_public_key.pem")!.data);
    const { createVerify } = await import("node:crypto");
    for (const file of ["cni-calico-3.29.2.zst", "ubuntu-aws-22.04.zst"]) {
      const verify = createVerify("sha256");
      verify.update(byName.get(file)!.data);
      expect(verify.verify(pem, byName.get(file.replace(/\.zst$/, ".sig.bin"))!.data)).toBe(true);
    }
    const script = byName.get("verify-signatures.sh")!;
    expect(script.mode).toBe(0o755);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the shell's own parameter expansion, checked verbatim
    expect(decoder.decode(script.data)).toContain('PUBKEY="${PUBKEY:-spectro_public_key.pem}"');
    expect(decoder.decode(script.data)).toContain('echo "$datafile: ✅ Signature valid"');
  });

  it("gives the page the archive's exact length from names and sizes, before the bundle list is read or signed", async () => {
    // Names as long as a release may have them (a 64-character pack name, a 96-character file name whose
    // signature name is 100), so each path under the archive's folder goes into the ustar prefix.
    const longName = (n: number) => `long-${n}-${"n".repeat(57)}`;
    const longVersion = `1.0.0-${"r".repeat(21)}`;
    await dropRelease(env, "tar-long-names", {
      packs: [1, 2, 3].map((n) => ({ name: longName(n), version: longVersion, layer: "addon", size: 700 * n + 11 })),
    });
    await syncAndSettle(env, { trigger: "admin" });
    const packs = [
      ...[1, 2, 3].map((n) => ({ name: longName(n), version: longVersion })),
      { name: "cni-calico", version: "3.29.2" },
      { name: "ubuntu-aws", version: "22.04" },
    ];
    const created = await exports.default.fetch("http://studio.test/api/v1/grants", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ packs }),
    });
    expect(created.status).toBe(201);
    const view = (await created.json()) as { capability: string; links: { "bundle.tar": string } };
    const tar = new Uint8Array(await (await exports.default.fetch(view.links["bundle.tar"])).arrayBuffer());
    const entries = parseTar(tar);
    expect(entries.filter((e) => e.path.length > 100)).toHaveLength(6); // three packs and their signatures
    const entry = (name: string) => entries.find((e) => e.path.endsWith(`/${name}`))!;

    const db = primary(env);
    const grant = await loadLiveGrant(db, view.capability, Date.now(), () => null);
    const proofs = await grantProofs(db, grant);
    const cfg = config(env);
    const studio = bundleListSizes(cfg, grant, proofs);
    expect(grantTarLength({ grant, keys: cfg.TRUSTED_PUBLIC_KEYS, proofs, studio })).toBe(tar.byteLength);
    // The list's size is its real size; the signature's, a bound that fills the same one block.
    expect(studio.listSize).toBe(entry("studio/bundle-list.txt").size);
    expect(entry("studio/bundle-list.txt.sig.bin").size).toBeLessThanOrEqual(studio.signatureSize);
    expect(studio.signatureSize).toBeLessThanOrEqual(BLOCK);
  });

  it("ships the first current key as spectro_public_key.pem; a revoked key goes under its own id", async () => {
    const created = await exports.default.fetch("http://studio.test/api/v1/grants", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ packs: [{ name: "kubernetes", version: "1.32.3" }] }),
    });
    const grant = (await created.json()) as { id: string; files: { keyId: string }[]; links: Record<string, string> };
    const keys = JSON.parse(env.TRUSTED_PUBLIC_KEYS) as { id: string; pem: string }[];
    expect(grant.files[0].keyId).toBe(keys[0].id);
    const tarUnder = async (settings: Env) => {
      const ctx = createExecutionContext();
      const res = await app.fetch(new Request(grant.links["bundle.tar"]), settings, ctx);
      expect(res.status).toBe(200);
      const bytes = new Uint8Array(await res.arrayBuffer());
      await waitOnExecutionContext(ctx);
      const dir = `artifact-studio-${grant.id}/`;
      const byName = new Map(parseTar(bytes).map((e) => [e.path.slice(dir.length), e]));
      return (name: string) => decoder.decode(byName.get(name)?.data ?? new Uint8Array()).trim();
    };
    const settings = (list: unknown[]) => ({ ...env, TRUSTED_PUBLIC_KEYS: JSON.stringify(list) });
    // The other key listed first is the default; the key that signed the grant's file goes under its id.
    const reordered = await tarUnder(settings([keys[1], keys[0]]));
    expect(reordered("spectro_public_key.pem")).toBe(keys[1].pem.trim());
    expect(reordered(`${keys[0].id}.pem`)).toBe(keys[0].pem.trim());
    // Revoked, the other key is not the default any more: the first current key is.
    const otherRevoked = await tarUnder(settings([{ ...keys[1], revoked: true }, keys[0]]));
    expect(otherRevoked("spectro_public_key.pem")).toBe(keys[0].pem.trim());
    // The grant's own key revoked: the tar is refused, naming it (no tar of files signed by a revoked key).
    const ownRevoked = { ...env, TRUSTED_PUBLIC_KEYS: JSON.stringify([{ ...keys[0], revoked: true }, keys[1]]) };
    const refused = await app.fetch(new Request(grant.links["bundle.tar"]), ownRevoked, createExecutionContext());
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toContain(`key ${keys[0].id}`);
  });

  it("refuses the tar of an unknown or revoked grant", async () => {
    // No grant has this capability: expired and archived, or never issued.
    expect((await exports.default.fetch(`http://studio.test/api/v1/grants/${"A".repeat(43)}/bundle.tar`)).status).toBe(
      410,
    );
    const created = await exports.default.fetch("http://studio.test/api/v1/grants", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ packs: [{ name: "kubernetes", version: "1.32.3" }] }),
    });
    const { id, links } = (await created.json()) as { id: string; links: Record<string, string> };
    await exports.default.fetch(`http://studio.test/api/v1/admin/grants/${id}/revoke`, {
      method: "POST",
      headers: ADMIN_AUTH,
    });
    const res = await exports.default.fetch(links["bundle.tar"]);
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: { code: "revoked" } });
  });
});
