// Drops one signed release of synthetic packs into a local studio's R2 (`--persist-to` state), the
// way the release pipeline does: every file and its .sig.bin, then release.json and, last,
// release.json.sig.bin, all signed with the demo key. Large files are deterministic bytes generated
// in 1 MiB chunks (never held whole) and put with `wrangler r2 object put --local`; small ones go
// through the platform proxy. Used by bench-downloads, the benchmark's faults section and the e2e
// test that kills workerd mid-verify. Run it while no wrangler dev holds the same state.
import { execFile } from "node:child_process";
import { createHash, createSign } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { type DemoKey, openLocalPlatform } from "./demo-catalog";
import { toolEnv } from "./studio";

const exec = promisify(execFile);

/** One synthetic pack: its name, a seed for its bytes, and its size. */
export type SyntheticPack = { name: string; seed: number; size: number };

type Listed = {
  kind: "pack";
  file: string;
  signature: string;
  size: number;
  sha256: string;
  pack: Record<string, unknown>;
};

/** Files up to this size go through the platform proxy, which hands each value over whole. */
const PROXY_MAX = 64 * 1024 * 1024;

/** Deterministic bytes in 1 MiB chunks: the same file every run without storing it anywhere. */
export function* chunks(seed: number, size: number): Generator<Buffer> {
  const block = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < block.length; i += 4) block.writeUInt32LE((Math.imul(i + seed, 2654435761) ^ seed) >>> 0, i);
  for (let offset = 0, n = 0; offset < size; offset += block.length, n++) {
    const chunk = Buffer.from(block.subarray(0, Math.min(block.length, size - offset)));
    chunk.writeUInt32LE(n, 0);
    yield chunk;
  }
}

function hashAndSign(seed: number, size: number, privateKeyPem: string) {
  const hash = createHash("sha256");
  const signer = createSign("sha256");
  for (const chunk of chunks(seed, size)) {
    hash.update(chunk);
    signer.update(chunk);
  }
  return { sha256: hash.digest("hex"), signature: signer.sign(privateKeyPem) };
}

const packEntry = (name: string, size: number, sha256: string): Listed => ({
  kind: "pack",
  file: `${name}-1.0.0.zst`,
  signature: `${name}-1.0.0.sig.bin`,
  size,
  sha256,
  pack: {
    name,
    displayName: name,
    version: "1.0.0",
    layer: "addon",
    cloudTypes: ["all"],
    architectures: ["amd64"],
    useCases: ["addon"],
    products: [{ product: "palette-enterprise" }],
  },
});

/**
 * Writes a large file to disk and puts it with wrangler (one part: a multipart object would measure
 * the local R2 simulator's part assembly rather than the worker).
 */
async function putFromFile(persistTo: string, key: string, seed: number, size: number) {
  const dir = await mkdtemp(join(tmpdir(), "signed-drop-"));
  const path = join(dir, "file.bin");
  try {
    const out = createWriteStream(path);
    for (const chunk of chunks(seed, size))
      if (!out.write(chunk)) await new Promise<void>((r) => out.once("drain", () => r()));
    await new Promise<void>((done, fail) => out.end((err?: Error | null) => (err ? fail(err) : done())));
    await exec(
      "wrangler",
      ["r2", "object", "put", `artifact-studio-artifacts/${key}`, "--local", "--persist-to", persistTo, "--file", path],
      { env: toolEnv({ CI: "true" }) },
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

type ProxyBucket = { put(key: string, value: Uint8Array): Promise<unknown> };

/** Drops the release (see the module header); returns the files release.json lists. */
export async function dropSignedRelease(options: {
  persistTo: string;
  devVarsPath: string;
  key: DemoKey;
  releaseId: string;
  packs: SyntheticPack[];
}): Promise<Listed[]> {
  const { persistTo, key, releaseId } = options;
  const pem = await readFile(key.privateKeyPath, "utf8");
  const folder = `incoming/${releaseId}/`;
  const signed = options.packs.map((p) => ({ ...p, ...hashAndSign(p.seed, p.size, pem) }));
  for (const p of signed.filter((s) => s.size > PROXY_MAX))
    await putFromFile(persistTo, `${folder}${p.name}-1.0.0.zst`, p.seed, p.size);
  const files = signed.map((p) => packEntry(p.name, p.size, p.sha256));
  const platform = await openLocalPlatform(persistTo, options.devVarsPath);
  const bucket = platform.bucket as unknown as ProxyBucket;
  try {
    for (const [i, p] of signed.entries()) {
      if (p.size <= PROXY_MAX) await bucket.put(folder + files[i].file, Buffer.concat([...chunks(p.seed, p.size)]));
      await bucket.put(folder + files[i].signature, p.signature);
    }
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 1,
        releaseId,
        keyId: key.id,
        audience: "production", // wrangler.toml's RELEASE_AUDIENCE for a local studio
        expiresAt: new Date(Date.now() + 24 * 60 * 60 * 1000).toISOString(),
        products: [
          { id: "palette-enterprise", name: "Palette Enterprise", applianceName: "Palette Enterprise Appliance" },
        ],
        files,
      }),
    );
    await bucket.put(`${folder}release.json`, manifest);
    await bucket.put(`${folder}release.json.sig.bin`, createSign("sha256").update(manifest).sign(pem));
  } finally {
    await platform.dispose();
  }
  return files;
}
