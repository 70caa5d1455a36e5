// Provenance that travels, with the real tools: a grant's .tar extracted with tar, checked by
// verify-bundle.sh with openssl against the studio's signed bundle list and the signed release
// manifests it carries; then a renamed file, a missing file and an extra file, each reported by
// name, and a bundle whose list is missing or altered, which fails.
import { cp, mkdtemp, rename, rm, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { run } from "./support/run";

const studioUrl = inject("studioUrl");

let work: string;
let bundle: string; // the extracted, untouched bundle folder
let files: { file: string; sigFile: string }[];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "provenance-e2e-"));
  const packs = (await (await fetch(`${studioUrl}/api/v1/packs?layer=cni&limit=3`)).json()) as {
    items: { name: string; versions: { version: string }[] }[];
  };
  const res = await fetch(`${studioUrl}/api/v1/grants`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ packs: packs.items.map((p) => ({ name: p.name, version: p.versions[0].version })) }),
  });
  expect(res.status).toBe(201);
  const grant = (await res.json()) as { id: string; files: typeof files; links: Record<string, string> };
  files = grant.files;
  await writeFile(join(work, "bundle.tar"), Buffer.from(await (await fetch(grant.links["bundle.tar"])).arrayBuffer()));
  await writeFile(
    join(work, "spectro_public_key.pem"),
    Buffer.from(await (await fetch(`${studioUrl}/spectro_public_key.pem`)).arrayBuffer()),
  );
  expect((await run("tar", ["-xf", "bundle.tar"], work)).code).toBe(0);
  bundle = join(work, `artifact-studio-${grant.id}`);
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

/** A fresh copy of the bundle, spoiled by `spoil`, checked by its verify-bundle.sh with the independent key. */
async function verifyCopy(spoil: (dir: string) => Promise<void>) {
  const dir = await mkdtemp(join(work, "copy-"));
  await cp(bundle, dir, { recursive: true });
  await spoil(dir);
  return run("sh", ["verify-bundle.sh"], dir, { PUBKEY: join(work, "spectro_public_key.pem") });
}

describe("verify-bundle.sh against the signed release manifests", () => {
  it("passes an untouched bundle: every manifest signed, every file matched", async () => {
    const result = await verifyCopy(async () => {});
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/releases\/[a-z0-9-]+\/release\.json: ✅ Signature valid/);
    expect(result.stdout).toMatch(
      /studio\/bundle-list\.txt: ✅ Signature valid \(grant [A-Za-z0-9_-]{22}, issued [0-9T:.-]+Z, \d+ files, studio key studio-local\)/,
    );
    for (const f of files) expect(result.stdout).toContain(`${f.file}: ✅ matches the bundle list and release`);
    expect(result.stdout.trim().split("\n").at(-1)).toMatch(
      /^verify-bundle\.sh: \d+ files verified, 0 other files ignored$/,
    );
  });

  it("reports a renamed file as the signed bytes of its real name (and the real name as missing)", async () => {
    const [first] = files;
    const result = await verifyCopy((dir) => rename(join(dir, first.file), join(dir, "renamed.zst")));
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`renamed.zst: ❌ renamed: these are the bytes of ${first.file}`);
    expect(result.stdout).toContain(`${first.file}: ❌ missing (listed in the studio's bundle list)`);
  });

  it("reports a missing file", async () => {
    const last = files[files.length - 1];
    const result = await verifyCopy((dir) => unlink(join(dir, last.file)));
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`${last.file}: ❌ missing (listed in the studio's bundle list)`);
  });

  it("reports an extra file that no signed manifest covers", async () => {
    const result = await verifyCopy((dir) => writeFile(join(dir, "backdoor-1.0.zst"), "not from the publisher"));
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("backdoor-1.0.zst: ❌ extra: not in the studio's bundle list");
  });

  it("refuses a manifest that the key did not sign", async () => {
    const result = await verifyCopy(async (dir) => {
      const [manifest] = (await run("sh", ["-c", "ls releases/*/release.json"], dir)).stdout.trim().split("\n");
      await writeFile(join(dir, manifest), '{"releaseId":"forged","files":[]}');
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/release\.json: ❌ signature invalid/);
  });

  it("fails a bundle without its signed list, and one whose list was altered", async () => {
    const without = await verifyCopy((dir) => rm(join(dir, "studio"), { recursive: true }));
    expect(without.code).toBe(1);
    expect(without.stdout).toContain("studio/bundle-list.txt: ❌ missing");
    const altered = await verifyCopy(async (dir) => {
      // Drop a file from the list as a courier who dropped it would: the list no longer verifies.
      const list = join(dir, "studio", "bundle-list.txt");
      const text = (await run("cat", [list], dir)).stdout;
      await writeFile(list, text.replace(new RegExp(`^file .* ${files[0].file.replaceAll(".", "\\.")}\n`, "m"), ""));
      await unlink(join(dir, files[0].file));
    });
    expect(altered.code).toBe(1);
    expect(altered.stdout).toContain("studio/bundle-list.txt: ❌ signature invalid: not signed by the studio key");
  });
});
