// verify-bundle.sh (as the studio serves it, run by sh with openssl) refuses a signed release.json
// that repeats a key, as the studio's sync does: its awk reader kept the first value of a repeated
// key where JSON.parse keeps the last, so a manifest could say one thing to the user's check and
// another to the studio. Each bundle here is honest but for its release.json, and every signature
// (the file's, the manifest's, the studio's bundle list) is real and made with openssl, so without
// the guard each spoiled bundle would pass. A key merely spelled with escapes is the same key to
// both readers, and passes.
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { run } from "./support/run";

const studioUrl = inject("studioUrl");
const RELEASE = "dup-lab";
const PACK = "zz-dup-lab-1.0.0.zst";
const PACK_SIG = "zz-dup-lab-1.0.0.sig.bin";
const MANIFEST = `releases/${RELEASE}/release.json`;
const BUNDLE_LIST = "studio/bundle-list.txt";

let work: string;
let checker: string;
const pack = Buffer.from("the pack's bytes\n");
const sha = (b: Buffer | string) => createHash("sha256").update(b).digest("hex");

const openssl = async (cwd: string, ...args: string[]) => {
  const r = await run("openssl", args, cwd);
  expect(r.code, r.stderr).toBe(0);
};

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "verify-bundle-keys-e2e-"));
  for (const role of ["publisher", "studio"]) {
    await openssl(work, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", `${role}.key`);
    await openssl(work, "pkey", "-in", `${role}.key`, "-pubout", "-out", `${role}.pem`);
  }
  checker = join(work, "verify-bundle.sh");
  const res = await fetch(`${studioUrl}/verify-bundle.sh`);
  expect(res.status).toBe(200);
  await writeFile(checker, await res.text());
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

/** The pack's entry in release.json, as JSON text (so a test can spell or repeat its keys). */
const entry = (extra = "") =>
  `{"file":"${PACK}","size":${pack.length},"sha256":"${sha(pack)}","signature":"${PACK_SIG}"${extra}}`;

/** A bundle whose release.json is `manifest` as written, everything signed as the studio and publisher sign it. */
async function bundle(manifest: string): Promise<string> {
  const dir = await mkdtemp(join(work, "bundle-"));
  await mkdir(join(dir, "releases", RELEASE), { recursive: true });
  await mkdir(join(dir, "studio"));
  await writeFile(join(dir, PACK), pack);
  await writeFile(join(dir, MANIFEST), manifest);
  const publisherKey = join(work, "publisher.key");
  await openssl(dir, "dgst", "-sha256", "-sign", publisherKey, "-out", PACK_SIG, PACK);
  await openssl(dir, "dgst", "-sha256", "-sign", publisherKey, "-out", `${MANIFEST}.sig.bin`, MANIFEST);
  const files = await Promise.all(
    [PACK, PACK_SIG, MANIFEST, `${MANIFEST}.sig.bin`].map(async (file) => {
      const bytes = await readFile(join(dir, file));
      return { file, size: bytes.length, sha256: sha(bytes) };
    }),
  );
  // The studio's list, as worker/downloads/bundle-list.ts writes it (the honest case shows the script takes it).
  const list = [
    "format artifact-studio-bundle-list/1",
    "grant g-dup-lab",
    `issued ${new Date().toISOString()}`,
    "key studio-lab",
    `files ${files.length}`,
    ...files.map((f) => `file ${f.sha256} ${f.size} ${f.file}`),
  ];
  await writeFile(join(dir, BUNDLE_LIST), `${list.join("\n")}\n`);
  await openssl(
    dir,
    "dgst",
    "-sha256",
    "-sign",
    join(work, "studio.key"),
    "-out",
    `${BUNDLE_LIST}.sig.bin`,
    BUNDLE_LIST,
  );
  return dir;
}

/** The checker under sh (dash), bash and busybox sh, as users run it: every shell must say the same. */
async function check(dir: string) {
  const env = { PUBKEY: join(work, "publisher.pem"), STUDIO_PUBKEY: join(work, "studio.pem") };
  const [dash, ...others] = await Promise.all(
    [["sh"], ["bash"], ["busybox", "sh"]].map(([shell, ...args]) => run(shell, [...args, checker, dir], work, env)),
  );
  for (const other of others)
    expect({ code: other.code, stdout: other.stdout }).toEqual({ code: dash.code, stdout: dash.stdout });
  return dash;
}

const refusal = (key: string) =>
  `${MANIFEST}: ❌ repeats the key "${key}": JSON readers disagree on which value counts, so it is refused (the studio's sync refuses it too)`;

describe("verify-bundle.sh and a release.json that repeats a key", () => {
  it("passes the honest bundle, and one whose keys are only spelled with escapes", async () => {
    const honest = await check(await bundle(`{"releaseId":"${RELEASE}","files":[${entry()}]}`));
    expect(honest.code, honest.stdout + honest.stderr).toBe(0);
    expect(honest.stdout).toContain("verify-bundle.sh: 4 files verified, 0 other files ignored");
    // JSON.parse reads these as releaseId, files, file and size: so does the script.
    const spelled = `{"release\\u0049d":"${RELEASE}","fil\\u0065s":[${entry().replace('"file"', '"fi\\u006Ce"').replace('"size"', '"\\u0073ize"')}]}`;
    expect(JSON.parse(spelled)).toEqual(JSON.parse(`{"releaseId":"${RELEASE}","files":[${entry()}]}`));
    const escaped = await check(await bundle(spelled));
    expect(escaped.code, escaped.stdout + escaped.stderr).toBe(0);
    expect(escaped.stdout).toContain(`${MANIFEST}: ✅ Signature valid (release ${RELEASE}, 1 files)`);
  });

  it.each([
    [
      "releaseId, the folder's first and another last",
      `{"releaseId":"${RELEASE}","files":[${entry()}],"releaseId":"x"}`,
      "releaseId",
    ],
    [
      "releaseId, the repeat hidden by a \\u escape",
      `{"releaseId":"${RELEASE}","files":[${entry()}],"release\\u0049d":"x"}`,
      "releaseId",
    ],
    [
      "files: the honest list first, an empty one last",
      `{"releaseId":"${RELEASE}","files":[${entry()}],"files":[]}`,
      "files",
    ],
    [
      "sha256 inside a file entry",
      `{"releaseId":"${RELEASE}","files":[${entry(`,"sha256":"${sha(pack)}"`)}]}`,
      "sha256",
    ],
  ])("refuses a repeated %s, names the key and exits 1", async (_, manifest, key) => {
    expect(() => JSON.parse(manifest)).not.toThrow();
    const refused = await check(await bundle(manifest));
    expect(refused.code, refused.stdout + refused.stderr).toBe(1);
    expect(refused.stdout).toContain(refusal(key));
    expect(refused.stderr).toContain("verify-bundle.sh: FAILED: 3 of 4 files failed");
  });
});
