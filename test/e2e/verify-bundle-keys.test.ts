// verify-bundle.sh (as the studio serves it, run by sh with openssl) refuses a signed release.json
// that repeats a key, as the studio's sync does: its awk reader kept the first value of a repeated
// key where JSON.parse keeps the last, so a manifest could say one thing to the user's check and
// another to the studio. Each bundle here is honest but for its release.json, and every signature
// (the file's, the manifest's, the studio's bundle list) is real and made with openssl, so without
// the guard each spoiled bundle would pass. A key merely spelled with escapes is the same key to
// both readers, and passes.
import { rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type CheckerLab, openCheckerLab, sha, signedBundle } from "./support/checker-lab";
import { run } from "./support/run";

const studioUrl = inject("studioUrl");
const RELEASE = "dup-lab";
const PACK = "zz-dup-lab-1.0.0.zst";
const PACK_SIG = "zz-dup-lab-1.0.0.sig.bin";
const MANIFEST = `releases/${RELEASE}/release.json`;

let lab: CheckerLab;
const pack = Buffer.from("the pack's bytes\n");

beforeAll(async () => {
  lab = await openCheckerLab(studioUrl, "verify-bundle-keys-e2e-");
});

afterAll(async () => {
  if (lab) await rm(lab.work, { recursive: true, force: true });
});

/** The pack's entry in release.json, as JSON text (so a test can spell or repeat its keys). */
const entry = (extra = "") =>
  `{"file":"${PACK}","size":${pack.length},"sha256":"${sha(pack)}","signature":"${PACK_SIG}"${extra}}`;

/** A bundle whose release.json is `manifest` as written, everything signed as the studio and publisher sign it. */
const bundle = (manifest: string) =>
  signedBundle(lab, {
    releaseId: RELEASE,
    file: { name: PACK, signature: PACK_SIG, bytes: pack },
    manifest,
    grant: "g-dup-lab",
  });

/** The checker under sh (dash), bash and busybox sh, as users run it: every shell must say the same. */
async function check(dir: string) {
  const [dash, ...others] = await Promise.all(
    [["sh"], ["bash"], ["busybox", "sh"]].map(([shell, ...args]) =>
      run(shell, [...args, lab.checker, dir], lab.work, lab.env),
    ),
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
