// A lab for verify-bundle.sh end to end: publisher and studio P-256 keys made with openssl, the
// checker as the studio serves it, and bundles laid out and signed the way the publisher and the
// studio sign them (the file, release.json, the studio's bundle list), so a test changes only the
// bytes it is about, usually release.json's, and without the guard under test the bundle would pass.
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { run } from "./run";

export const BUNDLE_LIST = "studio/bundle-list.txt";

export const sha = (b: Buffer | string) => createHash("sha256").update(b).digest("hex");

export async function openssl(cwd: string, ...args: string[]) {
  const r = await run("openssl", args, cwd);
  expect(r.code, r.stderr).toBe(0);
}

/** Where a lab keeps its keys and the checker; `PUBKEY` and `STUDIO_PUBKEY` for the checker's env. */
export type CheckerLab = { work: string; checker: string; env: { PUBKEY: string; STUDIO_PUBKEY: string } };

/** A fresh lab in a temporary folder (the caller removes `work`), the checker fetched from the studio. */
export async function openCheckerLab(studioUrl: string, prefix: string): Promise<CheckerLab> {
  const work = await mkdtemp(join(tmpdir(), prefix));
  for (const role of ["publisher", "studio"]) {
    await openssl(work, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", `${role}.key`);
    await openssl(work, "pkey", "-in", `${role}.key`, "-pubout", "-out", `${role}.pem`);
  }
  const checker = join(work, "verify-bundle.sh");
  const res = await fetch(`${studioUrl}/verify-bundle.sh`);
  expect(res.status).toBe(200);
  await writeFile(checker, await res.text());
  return { work, checker, env: { PUBKEY: join(work, "publisher.pem"), STUDIO_PUBKEY: join(work, "studio.pem") } };
}

export type BundleParts = {
  releaseId: string;
  /** The one artifact: its name, its signature's name and its bytes. */
  file: { name: string; signature: string; bytes: Buffer };
  /** release.json exactly as written. */
  manifest: string | Buffer;
  grant: string;
};

/** A bundle folder whose every signature is real: the publisher's over the file and release.json, the studio's over its list. */
export async function signedBundle(lab: CheckerLab, parts: BundleParts): Promise<string> {
  const { file } = parts;
  const manifestPath = `releases/${parts.releaseId}/release.json`;
  const dir = await mkdtemp(join(lab.work, "bundle-"));
  await mkdir(join(dir, "releases", parts.releaseId), { recursive: true });
  await mkdir(join(dir, "studio"));
  await writeFile(join(dir, file.name), file.bytes);
  await writeFile(join(dir, manifestPath), parts.manifest);
  const publisherKey = join(lab.work, "publisher.key");
  await openssl(dir, "dgst", "-sha256", "-sign", publisherKey, "-out", file.signature, file.name);
  await openssl(dir, "dgst", "-sha256", "-sign", publisherKey, "-out", `${manifestPath}.sig.bin`, manifestPath);
  const listed = await Promise.all(
    [file.name, file.signature, manifestPath, `${manifestPath}.sig.bin`].map(async (name) => {
      const bytes = await readFile(join(dir, name));
      return { name, size: bytes.length, sha256: sha(bytes) };
    }),
  );
  // The studio's list, as worker/downloads/bundle-list.ts writes it.
  const list = [
    "format artifact-studio-bundle-list/1",
    `grant ${parts.grant}`,
    `issued ${new Date().toISOString()}`,
    "key studio-lab",
    `files ${listed.length}`,
    ...listed.map((f) => `file ${f.sha256} ${f.size} ${f.name}`),
  ];
  await writeFile(join(dir, BUNDLE_LIST), `${list.join("\n")}\n`);
  const studioKey = join(lab.work, "studio.key");
  await openssl(dir, "dgst", "-sha256", "-sign", studioKey, "-out", `${BUNDLE_LIST}.sig.bin`, BUNDLE_LIST);
  return dir;
}
