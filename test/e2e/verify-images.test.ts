// verify-images.sh as a user runs it, after loading a bundle's images into the site's registry: a real
// grant's script, shellcheck-clean, run under sh, dash, bash and busybox sh with a stand-in `cosign` on
// the PATH that records what it was asked and refuses one image, so the test sees the rewritten
// registry host, the digest pins, the per-image lines, the exit status, and the skip without cosign.
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { run } from "./support/run";

const studioUrl = inject("studioUrl");
const SHELLS: [string, string[]][] = [
  ["sh", []],
  ["dash", []],
  ["bash", []],
  ["busybox", ["sh"]],
];

// Records each call, and fails (as cosign does, on stderr) for the image whose name holds "REFUSE_ME".
const FAKE_COSIGN = `#!/bin/sh
echo "$*" >> "$COSIGN_LOG"
case "$*" in
  *"$REFUSE"*) echo "Error: no matching signatures: invalid signature when validating ASN.1 encoded signature" >&2; exit 1 ;;
esac
echo '[{"critical":{"identity":{"docker-reference":"x"}}}]'
`;

let dir: string;
let images: string[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "verify-images-"));
  const pack = (await (await fetch(`${studioUrl}/api/v1/packs/cni-calico`)).json()) as {
    versions: { version: string }[];
  };
  const res = await fetch(`${studioUrl}/api/v1/grants`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ packs: [{ name: "cni-calico", version: pack.versions[0].version }] }),
  });
  const grant = (await res.json()) as { links: Record<string, string> };
  expect(grant.links["verify-images.sh"]).toBeDefined();
  await writeFile(join(dir, "verify-images.sh"), await (await fetch(grant.links["verify-images.sh"])).text());
  images = (await (await fetch(grant.links["images.txt"])).text()).trim().split("\n");
  await writeFile(
    join(dir, "spectro_public_key.pem"),
    await (await fetch(`${studioUrl}/spectro_public_key.pem`)).text(),
  );
  await writeFile(join(dir, "bin-cosign"), FAKE_COSIGN);
  await chmod(join(dir, "bin-cosign"), 0o755);
  await run("mkdir", ["-p", "bin"], dir);
  await run("mv", ["bin-cosign", "bin/cosign"], dir);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** PATH with the stand-in cosign first, or without any cosign. */
const withCosign = () => `${join(dir, "bin")}:${process.env.PATH}`;
const withoutCosign = "/usr/bin:/bin";

describe("verify-images.sh", () => {
  it("is clean under shellcheck (POSIX sh)", async () => {
    const check = await run("shellcheck", ["-s", "sh", "verify-images.sh"], dir);
    expect(check.stdout + check.stderr).toBe("");
    expect(check.code).toBe(0);
  });

  for (const [shell, pre] of SHELLS) {
    it(`under ${shell}: checks every image at the named registry, by digest, and fails on the refused one`, async () => {
      const log = join(dir, `${shell}.log`);
      await writeFile(log, "");
      const refused = images[1].slice(images[1].indexOf("/") + 1);
      const res = await run(shell, [...pre, "verify-images.sh", "registry.site.local:5000"], dir, {
        PATH: withCosign(),
        COSIGN_LOG: log,
        REFUSE: refused,
      });
      const calls = (await readFile(log, "utf8")).trim().split("\n");
      // One call per image, the host replaced, the digest kept, the key given.
      expect(calls).toEqual(
        images.map(
          (ref) => `verify --key spectro_public_key.pem registry.site.local:5000/${ref.slice(ref.indexOf("/") + 1)}`,
        ),
      );
      expect(res.stdout).toContain(
        `registry.site.local:5000/${refused}: ❌ Verification failed: Error: no matching signatures`,
      );
      expect(res.stdout.match(/✅ Signature valid/g)?.length).toBe(images.length - 1);
      expect(res.stdout).toContain(`${images.length} images checked, 1 failed`);
      expect(res.code).toBe(1);
    });
  }

  it("passes (exit 0) when every image verifies where it was published", async () => {
    const log = join(dir, "published.log");
    await writeFile(log, "");
    const res = await run("sh", ["verify-images.sh"], dir, {
      PATH: withCosign(),
      COSIGN_LOG: log,
      REFUSE: "none-refused",
    });
    expect((await readFile(log, "utf8")).trim().split("\n")).toEqual(
      images.map((ref) => `verify --key spectro_public_key.pem ${ref}`),
    );
    expect(res.stdout).toContain(`${images.length} images checked, 0 failed`);
    expect(res.code).toBe(0);
  });

  it("says clearly that nothing was checked when cosign is absent", async () => {
    const res = await run("/bin/sh", ["verify-images.sh", "registry.site.local"], dir, { PATH: withoutCosign });
    expect(res.stderr).toContain(
      `cosign not found on PATH: image signatures NOT checked (${images.length} images skipped)`,
    );
    expect(res.stdout).not.toContain("Signature valid");
    expect(res.code).toBe(0);
  });

  it("refuses to run without the public key", async () => {
    const res = await run("sh", ["verify-images.sh"], dir, {
      PATH: withCosign(),
      PUBKEY: "missing.pem",
      COSIGN_LOG: "/dev/null",
    });
    expect(res.stderr).toContain("missing.pem: not found");
    expect(res.code).toBe(2);
  });
});
