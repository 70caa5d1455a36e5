// The publisher's half end to end, with the real command against the running e2e studio: a new pack
// version goes init → check → sign → check → push, is published, and downloads and verifies with the
// docs' openssl loop. Then every quarantine reason the sync has that a publisher can meet is walked:
// `check --studio` names it before upload, and pushed anyway the release is quarantined with exactly
// that reason, which `push` prints. (The reasons push cannot lead to here, an unsigned manifest past
// its grace period, a revoked key and the poison limit, are walked in test/worker/publish-verdicts.test.ts.) New names sort last and target product versions no demo version
// has, so the other tests sharing this studio see the same catalog.
import { createHash } from "node:crypto";
import { mkdir, readFile, rm, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { mkdtemp } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { tar, tarZst } from "../../scripts/demo-files";
import { ROOT } from "../../scripts/studio";
import { docsSampleScript } from "./support/docs-script";
import { run } from "./support/run";

const studioUrl = inject("studioUrl");
const adminToken = inject("adminToken");
const demoDir = inject("demoDir");
const KEY = join(dirname(demoDir), "keys", "demo-ec-p256.pem");
const ATTACKER_KEY = join(dirname(demoDir), "keys", "attacker-ec-p256.pem");
const KEY_ID = "demo-ec-p256";

let work: string;
let publisherToken: string;

const release = (...args: string[]) =>
  run(process.execPath, ["--import", "tsx", "scripts/release/main.ts", ...args], ROOT);

type Listed = {
  file: string;
  kind: string;
  product?: string;
  productVersion?: string;
  pack?: { name: string; version: string; layer: string };
};
const demoFiles = async (releaseId: string) =>
  (JSON.parse(await readFile(join(demoDir, releaseId, "release.json"), "utf8")) as { files: Listed[] }).files;

const packJson = (name: string, version: string, extra: Record<string, unknown> = {}) => ({
  name,
  displayName: `Publish lab ${name}`,
  version,
  layer: "addon",
  addonType: "monitoring",
  cloudTypes: ["all"],
  architectures: ["amd64"],
  useCases: ["controller"],
  products: [{ product: "palette-enterprise", minVersion: "9.0.0" }],
  ...extra,
});

/** A release folder with packs (pack.json inside each .zst) and plain installer files. */
async function folder(id: string, packs: Record<string, unknown>[], installers: Record<string, string> = {}) {
  const dir = join(work, id);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  for (const pack of packs)
    await writeFile(
      join(dir, `${pack.name}-${pack.version}.zst`),
      tarZst([
        { path: "pack.json", data: JSON.stringify(pack) },
        { path: "README.md", data: `${pack.name} ${pack.version} ${id}\n` },
      ]),
    );
  for (const [name, content] of Object.entries(installers)) await writeFile(join(dir, name), content);
  return dir;
}

const init = async (dir: string, ...flags: string[]) => {
  const r = await release("init", dir, "--key-id", KEY_ID, ...flags);
  expect(r.code, r.stderr + r.stdout).toBe(0);
};
const sign = async (dir: string, key = KEY) => {
  const r = await release("sign", dir, "--sign-command", `openssl dgst -sha256 -sign '${key}'`);
  expect(r.code, r.stderr + r.stdout).toBe(0);
};
/** A file's .sig.bin made again with `key` (openssl, as a publisher would by hand). */
const opensslSign = (dir: string, file: string, key: string) =>
  run(
    "openssl",
    ["dgst", "-sha256", "-sign", key, "-out", join(dir, `${file.replace(/\.zst$/, "")}.sig.bin`), join(dir, file)],
    dir,
  );
/** release.json as the edits below see it: enough shape to spoil one field. */
type Manifest = Record<string, unknown> & { files: ({ size: number } & Record<string, unknown>)[] };
const editManifest = async (dir: string, edit: (m: Manifest) => unknown) => {
  const path = join(dir, "release.json");
  const next = edit(JSON.parse(await readFile(path, "utf8")));
  await writeFile(path, typeof next === "string" ? next : `${JSON.stringify(next, null, 2)}\n`);
};
const resignManifest = (dir: string, key = KEY) =>
  run(
    "openssl",
    ["dgst", "-sha256", "-sign", key, "-out", join(dir, "release.json.sig.bin"), join(dir, "release.json")],
    dir,
  );

const lineAfter = (output: string, prefix: string) =>
  output
    .split("\n")
    .find((l) => l.startsWith(prefix))
    ?.slice(prefix.length);

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "publish-e2e-"));
  const res = await fetch(`${studioUrl}/api/v1/admin/publisher-tokens`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${adminToken}` },
    body: JSON.stringify({ name: "publish e2e", releasePrefix: "e2e-pub-" }),
  });
  expect(res.status).toBe(201);
  publisherToken = ((await res.json()) as { token: string }).token;
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

const push = (dir: string) => release("push", dir, "--studio", studioUrl, "--token", publisherToken, "--wait", "300");

describe("publishing a pack version with the publisher command", () => {
  it("init → check → sign → check → push publishes it; the docs' openssl loop verifies the download", async () => {
    const dir = await folder("e2e-pub-lab", [packJson("zz-publish-lab", "1.0.0")]);
    await init(dir);
    const unsigned = await release("check", dir, "--studio", studioUrl);
    expect(unsigned.code).toBe(1);
    expect(unsigned.stdout).toContain(
      "would be quarantined: release.json is not signed: release.json.sig.bin is missing",
    );
    await sign(dir);
    const checked = await release("check", dir, "--studio", studioUrl);
    expect(checked.stdout.trim()).toBe("would publish: adds zz-publish-lab 1.0.0; changes nothing");
    expect(checked.code).toBe(0);

    const pushed = await push(dir);
    expect(pushed.stdout, pushed.stderr).toContain(
      "published: e2e-pub-lab: 1 files verified and published (zz-publish-lab-1.0.0.zst)",
    );
    expect(pushed.code).toBe(0);
    // A re-run uploads nothing and reports the same verdict.
    const again = await push(dir);
    expect(again.stdout).toContain("already taken by the sync (published)");
    expect(again.code).toBe(0);
    const status = await release("status", "e2e-pub-lab", "--studio", studioUrl, "--token", publisherToken);
    expect(status.stdout).toContain("published: e2e-pub-lab");

    // Downloaded as a user does, and checked with the docs' loop.
    const minted = await fetch(`${studioUrl}/api/v1/admin/tokens`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${adminToken}` },
      body: JSON.stringify({ name: "publish e2e", scopes: ["grants:create"] }),
    });
    const apiToken = ((await minted.json()) as { token: string }).token;
    const grant = await fetch(`${studioUrl}/api/v1/grants`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${apiToken}` },
      body: JSON.stringify({ packs: [{ name: "zz-publish-lab", version: "1.0.0" }] }),
    });
    expect(grant.status, await grant.clone().text()).toBe(201);
    const { files } = (await grant.json()) as {
      files: { file: string; url: string; sigFile: string; sigUrl: string }[];
    };
    const out = await mkdtemp(join(work, "download-"));
    for (const f of files)
      for (const [url, name] of [
        [f.url, f.file],
        [f.sigUrl, f.sigFile],
      ]) {
        const r = await run("curl", ["--fail", "--silent", "--show-error", "-o", name, url], out);
        expect(r.code, r.stderr).toBe(0);
      }
    await writeFile(
      join(out, "spectro_public_key.pem"),
      await (await fetch(`${studioUrl}/spectro_public_key.pem`)).text(),
    );
    await writeFile(join(out, "verify-signatures.sh"), docsSampleScript(join(out, "spectro_public_key.pem")));
    const loop = await run("bash", ["verify-signatures.sh"], out);
    expect(loop.stdout.trim()).toBe("zz-publish-lab-1.0.0.zst: ✅ Signature valid");
    expect(
      createHash("sha256")
        .update(await readFile(join(out, "zz-publish-lab-1.0.0.zst")))
        .digest("hex"),
    ).toBe(
      createHash("sha256")
        .update(await readFile(join(dir, "zz-publish-lab-1.0.0.zst")))
        .digest("hex"),
    );
  });
});

describe("publish: the whole release in one command", () => {
  const publish = (dir: string) =>
    release(
      "publish",
      dir,
      "--key-id",
      KEY_ID,
      "--sign-command",
      `openssl dgst -sha256 -sign '${KEY}'`,
      "--studio",
      studioUrl,
      "--token",
      publisherToken,
      "--wait",
      "300",
    );

  it("builds, signs, checks and pushes a new pack version, and follows it to its verdict", async () => {
    const dir = await folder("e2e-pub-oneshot", [packJson("zz-publish-oneshot", "1.0.0")]);
    const published = await publish(dir);
    expect(published.code, published.stdout + published.stderr).toBe(0);
    expect(published.stdout).toContain("1/4 init: wrote");
    expect(published.stdout).toContain("2/4 sign: signed 1 files, then release.json");
    expect(published.stdout).toContain("would publish: adds zz-publish-oneshot 1.0.0; changes nothing");
    expect(published.stdout).toContain(
      "published: e2e-pub-oneshot: 1 files verified and published (zz-publish-oneshot-1.0.0.zst)",
    );
  });

  it("uploads nothing when the studio would quarantine the release, and says why", async () => {
    // Other bytes under the version just published: the sync would refuse to change a published pack.
    const dir = await folder("e2e-pub-oneshot-clash", [
      packJson("zz-publish-oneshot", "1.0.0", { description: "other bytes" }),
    ]);
    const refused = await publish(dir);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(
      /^would be quarantined: zz-publish-oneshot-1\.0\.0\.zst: would change published pack zz-publish-oneshot 1\.0\.0 /m,
    );
    expect(refused.stdout).toContain("nothing was uploaded");
    expect(refused.stdout).not.toContain("4/4 push");
    const status = await release("status", "e2e-pub-oneshot-clash", "--studio", studioUrl, "--token", publisherToken);
    expect(status.stdout).toContain("e2e-pub-oneshot-clash: not taken by the sync yet (0 objects uploaded)");
    // Run again, the folder is kept as built and signed: nothing is drafted or signed twice.
    const again = await publish(dir);
    expect(again.stdout).toContain("1/4 init: release.json kept");
    expect(again.stdout).toContain("2/4 sign: release.json.sig.bin kept");
  });
});

describe("init and sign, offline", () => {
  it("init is canonical (same folder, same bytes) and reads each pack's metadata from its own pack.json", async () => {
    const dir = await folder("e2e-pub-offline", [packJson("zz-offline", "2.0.0", { description: "from inside" })], {
      "zz-offline.iso": "iso bytes",
    });
    await init(
      dir,
      "--installer",
      "zz-offline.iso=iso:palette-enterprise:9.9.9",
      "--expires-at",
      "2027-01-01T00:00:00Z",
    );
    const first = await readFile(join(dir, "release.json"));
    await init(
      dir,
      "--installer",
      "zz-offline.iso=iso:palette-enterprise:9.9.9",
      "--expires-at",
      "2027-01-01T00:00:00Z",
    );
    expect((await readFile(join(dir, "release.json"))).equals(first)).toBe(true);
    const manifest = JSON.parse(first.toString("utf8"));
    expect(Object.keys(manifest)).toEqual([...Object.keys(manifest)].sort());
    expect(manifest.files.map((f: { file: string }) => f.file)).toEqual(["zz-offline-2.0.0.zst", "zz-offline.iso"]);
    expect(manifest.files[0].pack).toMatchObject({ name: "zz-offline", version: "2.0.0", description: "from inside" });
    // A .zst that carries no pack.json, or is not zstd at all (a plain tar renamed), is refused, naming the file.
    for (const [bytes, refusal] of [
      [tarZst([{ path: "README.md", data: "no metadata" }]), "no pack.json at the top of the pack's tar"],
      [tar([{ path: "pack.json", data: "{}" }]), "not a zstd pack"],
    ] as const) {
      await writeFile(join(dir, "broken-1.0.0.zst"), bytes);
      const broken = await release(
        "init",
        dir,
        "--key-id",
        KEY_ID,
        "--installer",
        "zz-offline.iso=iso:palette-enterprise:9.9.9",
      );
      expect(broken.code).toBe(1);
      expect(broken.stderr).toContain(`broken-1.0.0.zst: ${refusal}`);
    }
  });

  it("signs what openssl verifies: an RSA key file, and an external signer given only the digest", async () => {
    const dir = await folder("e2e-pub-signers", [packJson("zz-signers", "1.0.0")]);
    await init(dir);
    const rsa = join(work, "rsa.pem");
    expect(
      (await run("openssl", ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", rsa], work))
        .code,
    ).toBe(0);
    await run("openssl", ["pkey", "-in", rsa, "-pubout", "-out", `${rsa}.pub`], work);
    await run("openssl", ["pkey", "-in", KEY, "-pubout", "-out", join(work, "ec.pub")], work);
    const verify = async (pub: string) => {
      for (const [file, sig] of [
        ["zz-signers-1.0.0.zst", "zz-signers-1.0.0.sig.bin"],
        ["release.json", "release.json.sig.bin"],
      ]) {
        const r = await run("openssl", ["dgst", "-sha256", "-verify", pub, "-signature", sig, file], dir);
        expect(r.stdout.trim()).toBe("Verified OK");
      }
    };
    const byKey = await release("sign", dir, "--key", rsa);
    expect(byKey.code, byKey.stderr).toBe(0);
    await verify(`${rsa}.pub`);
    const byDigest = await release(
      "sign",
      dir,
      "--digest",
      "--public-key",
      join(work, "ec.pub"),
      "--sign-command",
      `openssl pkeyutl -sign -inkey '${KEY}' -pkeyopt digest:sha256`,
    );
    expect(byDigest.code, byDigest.stderr).toBe(0);
    await verify(join(work, "ec.pub"));
    // A signer that answers with another key's signature is caught before anything is written.
    const wrong = await release(
      "sign",
      dir,
      "--public-key",
      join(work, "ec.pub"),
      "--sign-command",
      `openssl dgst -sha256 -sign '${rsa}'`,
    );
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain("the signature does not verify with --public-key");
  });
});

type Case = { name: string; id: string; reason: RegExp; build: () => Promise<string> };

type Built = { installers?: Record<string, string>; flags?: string[]; def?: unknown };
/** A case's usual build: the folder (with `def` as release-def.json), init with `flags`, sign. */
const built = async (id: string, packs: Record<string, unknown>[], opts: Built = {}) => {
  const dir = await folder(id, packs, opts.installers);
  if (opts.def) await writeFile(join(dir, "release-def.json"), JSON.stringify(opts.def));
  await init(dir, ...(opts.flags ?? []));
  await sign(dir);
  return dir;
};

/** A signed one-pack release under `id`, then `spoil` applied. */
const spoiled = async (id: string, spoil: (dir: string) => Promise<unknown>, pack = packJson(`zz-${id}`, "1.0.0")) => {
  const dir = await built(id, [pack]);
  await spoil(dir);
  return dir;
};

/** A published demo pack: its release.json entry (with the pack's metadata) and its file. */
const publishedPack = async () => {
  const listed = (await demoFiles("demo-2-packs-addons"))[0] as Listed & { pack: Record<string, unknown> };
  return { ...listed, path: join(demoDir, "demo-2-packs-addons", listed.file) };
};

const CASES: Case[] = [
  {
    name: "a tampered byte",
    id: "e2e-pub-tampered",
    reason:
      /^zz-e2e-pub-tampered-1\.0\.0\.zst: checksum mismatch: sha256 [0-9a-f]{64}, release\.json says [0-9a-f]{64}$/,
    build: () =>
      spoiled("e2e-pub-tampered", async (dir) => {
        const path = join(dir, "zz-e2e-pub-tampered-1.0.0.zst");
        const bytes = await readFile(path);
        bytes[bytes.length >> 1] ^= 1;
        await writeFile(path, bytes);
      }),
  },
  {
    name: "a name clash with a published file",
    id: "e2e-pub-clash",
    reason: /^(\S+): the name \1 is already published for /,
    build: async () => {
      const published = (await demoFiles("demo-2-packs-addons"))[0].file;
      return built("e2e-pub-clash", [], {
        installers: { [published]: "not the pack" },
        flags: ["--installer", `${published}=content-bundle:palette-enterprise:9.9.9`],
      });
    },
  },
  {
    name: "a changed published pack",
    id: "e2e-pub-changed",
    reason:
      /^(\S+)-(\S+)\.zst: would change published pack \1 \2 \(published sha256 [0-9a-f]{12}…, release\.json [0-9a-f]{12}…\)$/,
    build: async () => built("e2e-pub-changed", [(await publishedPack()).pack]),
  },
  {
    name: "a published pack's bytes again with other metadata",
    id: "e2e-pub-metadata",
    reason:
      /^(\S+)\.zst: re-publishes pack \S+ \S+ with other metadata than its published release \(entry sha256 [0-9a-f]{12}…, release\.json [0-9a-f]{12}…\)$/,
    build: async () => {
      const published = await publishedPack();
      const dir = await folder("e2e-pub-metadata", []);
      await writeFile(join(dir, published.file), await readFile(published.path));
      await init(dir);
      // The same bytes, signed again, saying something else about the version (its architectures).
      const pack = published.pack as unknown as { architectures: string[] };
      const architectures = pack.architectures.join() === "arm64" ? ["amd64"] : ["arm64"];
      await editManifest(dir, (m) => ({
        ...m,
        files: [{ ...m.files[0], pack: { ...(m.files[0].pack as object), architectures } }],
      }));
      await sign(dir);
      return dir;
    },
  },
  {
    name: "a release signed for another deployment",
    id: "e2e-pub-staging",
    reason: /^release\.json is for audience 'staging', this studio is 'production'/,
    build: () => built("e2e-pub-staging", [packJson("zz-staging", "1.0.0")], { flags: ["--audience", "staging"] }),
  },
  {
    name: "an expired manifest",
    id: "e2e-pub-expired",
    reason: /^release\.json expired at 2026-01-01T00:00:00Z; sign a fresh manifest to publish it$/,
    build: () =>
      built("e2e-pub-expired", [packJson("zz-expired", "1.0.0")], { flags: ["--expires-at", "2026-01-01T00:00:00Z"] }),
  },
  {
    name: "a manifest valid implausibly long",
    id: "e2e-pub-long",
    reason: /more than 90 days ahead; sign it with a shorter expiresAt$/,
    build: () =>
      built("e2e-pub-long", [packJson("zz-long", "1.0.0")], { flags: ["--expires-at", "2035-01-01T00:00:00Z"] }),
  },
  {
    name: "an oversized manifest",
    id: "e2e-pub-hugejson",
    reason: /^release\.json is 4194305 bytes, more than the 4194304 allowed$/,
    build: () =>
      spoiled("e2e-pub-hugejson", async (dir) => {
        // Still valid JSON, signed: only its size is wrong.
        await editManifest(dir, (m) => {
          const text = JSON.stringify(m);
          return text + " ".repeat(4 * 1024 * 1024 + 1 - Buffer.byteLength(text));
        });
        await resignManifest(dir);
      }),
  },
  {
    name: "an oversized manifest signature",
    id: "e2e-pub-hugesig",
    reason: /^release\.json\.sig\.bin is 20000 bytes, not a signature$/,
    build: () =>
      spoiled("e2e-pub-hugesig", (dir) => writeFile(join(dir, "release.json.sig.bin"), Buffer.alloc(20_000, 1))),
  },
  {
    name: "a manifest for another release id than its folder",
    id: "e2e-pub-elsewhere",
    reason: /^release\.json: releaseId 'e2e-pub-elsewhere-2' does not match its folder 'e2e-pub-elsewhere'$/,
    build: () =>
      built("e2e-pub-elsewhere", [packJson("zz-elsewhere", "1.0.0")], {
        flags: ["--release-id", "e2e-pub-elsewhere-2"],
      }),
  },
  {
    name: "a manifest signed with an untrusted key",
    id: "e2e-pub-forged",
    reason: /^release\.json\.sig\.bin does not verify with any trusted key$/,
    build: () => spoiled("e2e-pub-forged", (dir) => resignManifest(dir, ATTACKER_KEY)),
  },
  {
    name: "a manifest naming another key than the one that signed it",
    id: "e2e-pub-keyid",
    reason: /^release\.json names key other-key but is signed by key demo-ec-p256$/,
    build: () =>
      spoiled("e2e-pub-keyid", async (dir) => {
        await editManifest(dir, (m) => ({ ...m, keyId: "other-key" }));
        await resignManifest(dir);
      }),
  },
  {
    name: "a manifest that is not JSON",
    id: "e2e-pub-notjson",
    reason: /^release\.json is not valid JSON: /,
    build: () =>
      spoiled("e2e-pub-notjson", async (dir) => {
        await editManifest(dir, () => '{"schemaVersion": 1, "files": [');
        await resignManifest(dir);
      }),
  },
  {
    name: "a manifest off the schema",
    id: "e2e-pub-schema",
    reason: /^release\.json: files\.0\.sha256: must be 64 lower-case hex digits$/,
    build: () =>
      spoiled("e2e-pub-schema", async (dir) => {
        await editManifest(dir, (m) => ({ ...m, files: [{ ...m.files[0], sha256: "ABC" }] }));
        await resignManifest(dir);
      }),
  },
  {
    name: "a file signed under an unknown key id",
    id: "e2e-pub-filekey",
    reason: /^zz-e2e-pub-filekey-1\.0\.0\.zst: unknown signing key id 'nope'$/,
    build: () =>
      spoiled("e2e-pub-filekey", async (dir) => {
        await editManifest(dir, (m) => ({ ...m, files: [{ ...m.files[0], keyId: "nope" }] }));
        await resignManifest(dir);
      }),
  },
  {
    name: "a published pack moved to another layer",
    id: "e2e-pub-layer",
    reason: /^(\S+)-9\.9\.9\.zst: pack \1 is published in layer addon, release\.json says csi$/,
    build: async () =>
      built("e2e-pub-layer", [
        { ...(await publishedPack()).pack, version: "9.9.9", layer: "csi", addonType: undefined },
      ]),
  },
  {
    name: "one pack in two layers within the release",
    id: "e2e-pub-twolayers",
    reason: /^zz-twolayers-1\.1\.0\.zst: pack zz-twolayers is listed in layers addon and csi$/,
    build: () =>
      built("e2e-pub-twolayers", [
        packJson("zz-twolayers", "1.0.0"),
        packJson("zz-twolayers", "1.1.0", { layer: "csi", addonType: undefined }),
      ]),
  },
  {
    name: "an installer for an unknown product",
    id: "e2e-pub-product",
    reason: /^zz-ghost\.iso: product 'zz-ghost-product' is neither published nor declared in release\.json products$/,
    build: () =>
      built("e2e-pub-product", [], {
        installers: { "zz-ghost.iso": "iso" },
        flags: ["--installer", "zz-ghost.iso=iso:zz-ghost-product:1.0.0"],
      }),
  },
  {
    name: "a changed published installer",
    id: "e2e-pub-installer",
    reason: /^zz-other\.iso: would change the published iso of (\S+) (\S+) \(published sha256/,
    build: async () => {
      const iso = (await demoFiles("demo-1-palette-enterprise")).find((f) => f.kind === "iso") as Listed;
      return built("e2e-pub-installer", [], {
        installers: { "zz-other.iso": "another iso" },
        flags: ["--installer", `zz-other.iso=iso:${iso.product}:${iso.productVersion}`],
      });
    },
  },
  {
    name: "a product marked update that is not published",
    id: "e2e-pub-update",
    reason: /^products: zz-nothing is marked "update" but is not published$/,
    build: () =>
      built("e2e-pub-update", [packJson("zz-update", "1.0.0")], {
        def: { products: [{ id: "zz-nothing", name: "N", applianceName: "N A", change: "update" }] },
      }),
  },
  {
    name: "a product changed without an update entry",
    id: "e2e-pub-rename",
    reason:
      /^products: palette-enterprise is published with name "Palette Enterprise"; release\.json says "Palette Renamed" without "change": "update"$/,
    build: () =>
      built("e2e-pub-rename", [packJson("zz-rename", "1.0.0")], {
        def: {
          products: [
            {
              id: "palette-enterprise",
              name: "Palette Renamed",
              applianceName: "Palette Enterprise Appliance",
              sortOrder: 0,
            },
          ],
        },
      }),
  },
  {
    name: "a listed file that was never uploaded",
    id: "e2e-pub-missing",
    reason: /^zz-e2e-pub-missing-1\.0\.0\.zst: listed in release\.json but missing from the release folder$/,
    build: () => spoiled("e2e-pub-missing", (dir) => unlink(join(dir, "zz-e2e-pub-missing-1.0.0.zst"))),
  },
  {
    name: "a missing signature file",
    id: "e2e-pub-nosig",
    reason: /^zz-e2e-pub-nosig-1\.0\.0\.zst: missing signature file zz-e2e-pub-nosig-1\.0\.0\.sig\.bin$/,
    build: () => spoiled("e2e-pub-nosig", (dir) => unlink(join(dir, "zz-e2e-pub-nosig-1.0.0.sig.bin"))),
  },
  {
    name: "a file signature of implausible size",
    id: "e2e-pub-bigsig",
    reason:
      /^zz-e2e-pub-bigsig-1\.0\.0\.zst: signature file zz-e2e-pub-bigsig-1\.0\.0\.sig\.bin has implausible size 20000$/,
    build: () =>
      spoiled("e2e-pub-bigsig", (dir) =>
        writeFile(join(dir, "zz-e2e-pub-bigsig-1.0.0.sig.bin"), Buffer.alloc(20_000, 1)),
      ),
  },
  {
    name: "a size that does not match release.json",
    id: "e2e-pub-size",
    reason: /^zz-e2e-pub-size-1\.0\.0\.zst: size \d+ does not match release\.json size \d+$/,
    build: () =>
      spoiled("e2e-pub-size", async (dir) => {
        await editManifest(dir, (m) => ({ ...m, files: [{ ...m.files[0], size: m.files[0].size + 100 }] }));
        await resignManifest(dir);
      }),
  },
  {
    name: "a manifest that repeats a key (the repeat hidden by a \\u escape)",
    id: "e2e-pub-repeated",
    reason: /^release\.json repeats the key "releaseId"$/,
    build: () =>
      spoiled("e2e-pub-repeated", async (dir) => {
        // JSON.parse keeps the honest releaseId (the last); a reader that keeps the first sees the decoy.
        await editManifest(dir, (m) => `{"release\\u0049d":"e2e-pub-decoy",${JSON.stringify(m).slice(1)}`);
        const refused = await release("sign", dir, "--sign-command", `openssl dgst -sha256 -sign '${KEY}'`);
        expect(refused.code).not.toBe(0);
        expect(refused.stderr + refused.stdout).toContain(
          'release.json repeats the key "releaseId": write each key once, then sign',
        );
        await resignManifest(dir); // signed by hand, as written
      }),
  },
  {
    name: "a file signature by another key",
    id: "e2e-pub-filesig",
    reason: /^zz-e2e-pub-filesig-1\.0\.0\.zst: signature does not verify with key demo-ec-p256$/,
    build: () => spoiled("e2e-pub-filesig", (dir) => opensslSign(dir, "zz-e2e-pub-filesig-1.0.0.zst", ATTACKER_KEY)),
  },
];

/** What `check --studio` predicts, what `push` then prints and what the studio records, for one folder. */
async function verdicts(dir: string, id: string) {
  const checked = await release("check", dir, "--studio", studioUrl);
  const pushed = await push(dir);
  const record = await fetch(`${studioUrl}/api/v1/admin/releases/${id}`, {
    headers: { Authorization: `Bearer ${adminToken}` },
  });
  return {
    checked,
    predicted: lineAfter(checked.stdout, "would be quarantined: "),
    pushed,
    printed: lineAfter(pushed.stdout, "quarantined: "),
    recorded: ((await record.json()) as { reason: string }).reason,
  };
}

describe("check --studio predicts the sync's quarantine reason exactly; push prints it", () => {
  it.each(CASES)("$name", async ({ id, reason, build }) => {
    const { checked, predicted, pushed, printed, recorded } = await verdicts(await build(), id);
    expect(checked.code, checked.stdout + checked.stderr).toBe(1);
    expect(predicted, checked.stdout).toMatch(reason);
    expect(pushed.code, pushed.stdout + pushed.stderr).toBe(1);
    expect(printed, pushed.stdout + pushed.stderr).toBe(predicted);
    expect(recorded).toBe(predicted);
  });
});
