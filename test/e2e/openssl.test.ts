// The documented verification flow, with the real openssl CLI: a user downloads the public key from
// the studio and checks a pack, a content bundle and an ISO against their .sig.bin files. A single
// flipped byte, and the demo's tampered pack, must both fail.
import { execFile } from "node:child_process";
import { copyFile, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { releaseManifest, type ReleaseManifest } from "../../worker/sync/release-manifest";

const run = promisify(execFile);
const demoDir = inject("demoDir");
const studioUrl = inject("studioUrl");

type Listed = { dir: string; release: ReleaseManifest };

/** openssl's own verdict: exit code and what it printed. */
async function opensslVerify(publicKey: string, signature: string, file: string) {
  try {
    const { stdout } = await run("openssl", ["dgst", "-sha256", "-verify", publicKey, "-signature", signature, file]);
    return { ok: true, output: stdout.trim() };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    return { ok: false, output: `${e.stdout ?? ""}${e.stderr ?? ""}`.trim() };
  }
}

let work: string;
let publicKey: string;
let releases: Listed[];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "openssl-e2e-"));
  // The key as users get it: downloaded from the studio, not read from the generator's folder.
  const res = await fetch(`${studioUrl}/spectro_public_key.pem`);
  expect(res.status).toBe(200);
  publicKey = join(work, "spectro_public_key.pem");
  await writeFile(publicKey, await res.text());

  const entries = await readdir(demoDir, { withFileTypes: true });
  releases = await Promise.all(
    entries
      .filter((e) => e.isDirectory())
      .map(async (e) => {
        const dir = join(demoDir, e.name);
        return { dir, release: releaseManifest.parse(JSON.parse(await readFile(join(dir, "release.json"), "utf8"))) };
      }),
  );
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

function pick(
  kind: ReleaseManifest["files"][number]["kind"],
  releaseId: (id: string) => boolean = (id) => !id.includes("tampered") && !id.includes("forged"),
) {
  for (const { dir, release } of releases) {
    if (!releaseId(release.releaseId)) continue;
    const file = release.files.find((f) => f.kind === kind);
    if (file)
      return {
        path: join(dir, file.file),
        signature: join(dir, file.signature),
        name: file.file,
        sigName: file.signature,
      };
  }
  throw new Error(`the demo output has no ${kind}`);
}

describe("openssl dgst -sha256 -verify on the demo artifacts", () => {
  // The documented names: <name>-<version>.zst + .sig.bin, <bundle>.tar.zst + .tar.sig.bin, <appliance>.iso + .iso.sig.bin.
  const naming = {
    pack: [".zst", ".sig.bin"],
    "content-bundle": [".tar.zst", ".tar.sig.bin"],
    iso: [".iso", ".iso.sig.bin"],
  } as const;

  it.each(["pack", "content-bundle", "iso"] as const)("a %s verifies with its .sig.bin (Verified OK)", async (kind) => {
    const artifact = pick(kind);
    const [fileSuffix, signatureSuffix] = naming[kind];
    expect(artifact.name.endsWith(fileSuffix)).toBe(true);
    expect(artifact.sigName).toBe(artifact.name.slice(0, -fileSuffix.length) + signatureSuffix);
    const verdict = await opensslVerify(publicKey, artifact.signature, artifact.path);
    expect(verdict).toEqual({ ok: true, output: "Verified OK" });
  });

  it.each(["pack", "content-bundle", "iso"] as const)("a %s with one flipped byte fails verification", async (kind) => {
    const artifact = pick(kind);
    const copy = join(work, `flipped-${artifact.name}`);
    await copyFile(artifact.path, copy);
    const bytes = await readFile(copy);
    bytes[bytes.length - 1] ^= 0x80;
    await writeFile(copy, bytes);
    const verdict = await opensslVerify(publicKey, artifact.signature, copy);
    expect(verdict.ok).toBe(false);
    expect(verdict.output).toContain("Verification failure");
  });

  it("the demo's tampered pack fails verification, as the sync found", async () => {
    const tampered = releases.find((r) => r.release.releaseId.includes("tampered"));
    expect(tampered).toBeDefined();
    const results = await Promise.all(
      tampered!.release.files.map(
        async (f) =>
          [
            f.file,
            (await opensslVerify(publicKey, join(tampered!.dir, f.signature), join(tampered!.dir, f.file))).ok,
          ] as const,
      ),
    );
    // Exactly one file was altered after signing; its neighbour still verifies.
    expect(results.filter(([, ok]) => !ok).map(([file]) => file)).toEqual(["nginx-1.12.0.zst"]);
    expect(results.filter(([, ok]) => ok)).toHaveLength(tampered!.release.files.length - 1);
  });

  it("every published demo release.json verifies with its release.json.sig.bin (Verified OK)", async () => {
    const published = releases.filter((r) => !r.release.releaseId.includes("forged"));
    expect(published.length).toBeGreaterThanOrEqual(5);
    for (const { dir } of published) {
      const verdict = await opensslVerify(publicKey, join(dir, "release.json.sig.bin"), join(dir, "release.json"));
      expect(verdict, dir).toEqual({ ok: true, output: "Verified OK" });
    }
  });

  it("the forged release's manifest fails verification with the studio's key, as the sync found", async () => {
    const forged = releases.find((r) => r.release.releaseId === "demo-forged-calico");
    expect(forged).toBeDefined();
    const verdict = await opensslVerify(
      publicKey,
      join(forged!.dir, "release.json.sig.bin"),
      join(forged!.dir, "release.json"),
    );
    expect(verdict.ok).toBe(false);
    expect(verdict.output).toContain("Verification failure");
  });

  it("a signature made by another key fails verification", async () => {
    const otherKey = join(work, "other.pem");
    const otherPub = join(work, "other.pub.pem");
    await run("openssl", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", otherKey]);
    await run("openssl", ["pkey", "-in", otherKey, "-pubout", "-out", otherPub]);
    const artifact = pick("pack");
    const verdict = await opensslVerify(otherPub, artifact.signature, artifact.path);
    expect(verdict.ok).toBe(false);
  });
});
