// The user's last mile with the real tools: the docs' curl recipe exactly as written (grant.json in
// the folder) exits 0; a pack dropped on the way, with its SHA256SUMS line, is named missing by
// verify-bundle.sh; a key the studio reports as revoked is refused by the scripts; every served
// script runs under sh (dash), bash and busybox sh and is shellcheck-clean; and wget -i urls.txt,
// curl -K bundle.curl and aria2c -i urls.txt all save the docs' names, over which the docs' own
// verification script prints its lines.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { cp, mkdir, mkdtemp, readdir, readFile, rename, rm, unlink, writeFile } from "node:fs/promises";
import { createServer, request as httpRequest, type Server } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { docsSampleScript } from "./support/docs-script";
import { run } from "./support/run";

const studioUrl = inject("studioUrl");
const adminToken = inject("adminToken");
const SHELLS = [["sh"], ["bash"], ["busybox", "sh"]] as const;

type GrantJson = {
  id: string;
  capability: string;
  files: { file: string; sigFile: string }[];
  links: Record<string, string>;
};

let work: string;
let token: string;
let grant: GrantJson;

async function save(url: string, path: string) {
  const res = await fetch(url);
  expect(res.status, url).toBe(200);
  await writeFile(path, Buffer.from(await res.arrayBuffer()));
}

/** The block of docs/downloads.md under **With curl.**, as printed. */
function docsCurlRecipe(): string {
  const doc = readFileSync(new URL("../../docs/downloads.md", import.meta.url), "utf8");
  const from = doc.indexOf("**With curl.**");
  const block = /```sh\n([\s\S]*?)```/.exec(doc.slice(from));
  if (!block) throw new Error("docs/downloads.md has no curl recipe under **With curl.**");
  return block[1];
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "bundle-scripts-e2e-"));
  const minted = await fetch(`${studioUrl}/api/v1/admin/tokens`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${adminToken}` },
    body: JSON.stringify({ name: "bundle scripts e2e", scopes: ["grants:create", "manifests:read"] }),
  });
  token = ((await minted.json()) as { token: string }).token;
  const res = await fetch(`${studioUrl}/api/v1/grants`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
    body: JSON.stringify({
      packs: [
        { name: "cni-calico", version: "3.29.2" },
        { name: "kubernetes", version: "1.32.3" },
      ],
    }),
  });
  expect(res.status, await res.clone().text()).toBe(201);
  grant = (await res.json()) as GrantJson;
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe("the docs' curl recipe, as written", () => {
  let folder: string;

  it("exits 0 with grant.json (and download.sh's own redirected output) in the folder", async () => {
    folder = await mkdtemp(join(work, "recipe-"));
    const recipe = docsCurlRecipe().replace("STUDIO=http://localhost:8787", `STUDIO=${studioUrl}`);
    expect(recipe).toContain("> grant.json");
    const ran = await run("sh", ["-e", "-c", recipe], folder, { TOKEN: token });
    expect(ran.code, ran.stdout + ran.stderr).toBe(0);
    expect(ran.stdout).toMatch(/^bundle: ✅ \d+ files verified, 1 other files ignored/m); // grant.json
    expect(ran.stdout).not.toContain("❌");
    expect(ran.stdout.match(/^Verified OK$/gm)?.length).toBe(2); // the docs' openssl loop
    // Run again the way the issue found it failing: output redirected into the folder it checks.
    const redirected = await run("sh", ["-c", "sh download.sh > out.txt"], folder);
    expect(redirected.code, await readFile(join(folder, "out.txt"), "utf8")).toBe(0);
    const check = await run("sh", ["verify-bundle.sh"], folder);
    expect(check.code, check.stdout + check.stderr).toBe(0);
    expect(check.stdout).toContain("grant.json: ignored (not an artifact)");
    expect(check.stdout).toContain("out.txt: ignored (not an artifact)");
    // The recipe's last line extracted the .tar into the folder: that bundle is checked on its own.
    expect(check.stdout).toMatch(/^artifact-studio-[\w-]+\/: ignored \(another bundle's folder: check it on its own/m);
    expect(check.stdout.trim().split("\n").at(-1)).toMatch(
      /^verify-bundle\.sh: \d+ files verified, 3 other files ignored$/,
    );
  });

  it("names a pack dropped on the way, with its SHA256SUMS line, as missing and exits 1", async () => {
    const dropped = await mkdtemp(join(work, "dropped-"));
    await cp(folder, dropped, { recursive: true });
    const victim = (await readdir(dropped)).find((f) => f.startsWith("kubernetes-") && f.endsWith(".zst"))!;
    await unlink(join(dropped, victim));
    await unlink(join(dropped, victim.replace(/\.zst$/, ".sig.bin")));
    const sums = await readFile(join(dropped, "SHA256SUMS"), "utf8");
    await writeFile(
      join(dropped, "SHA256SUMS"),
      sums
        .split("\n")
        .filter((l) => !l.endsWith(`  ${victim}`) && !l.endsWith(`  ${victim.replace(/\.zst$/, ".sig.bin")}`))
        .join("\n"),
    );
    // What the courier counted on: the checksums alone still pass.
    expect((await run("sha256sum", ["-c", "SHA256SUMS"], dropped)).code).toBe(0);
    const check = await run("sh", ["verify-bundle.sh"], dropped);
    expect(check.code).toBe(1);
    expect(check.stdout).toContain(`${victim}: ❌ missing (listed in the studio's bundle list)`);
    expect(check.stderr).toMatch(/verify-bundle\.sh: FAILED: 2 of \d+ files failed/);
  });
});

describe("checking a bundle with what you brought: pinned keys and your own checker", () => {
  let honest: string;
  let pins: { PUBKEY_SHA256: string; STUDIO_KEY_SHA256: string };
  let listKey: string;
  /** verify-bundle.sh as fetched from the studio, kept outside any bundle: the user's own copy. */
  let checker: string;

  /** The fingerprint openssl itself gives a PEM public key: the SHA-256 of its DER form. */
  async function opensslSha256(pemFile: string) {
    const der = await run("sh", ["-c", `openssl pkey -pubin -in '${pemFile}' -outform DER | sha256sum`], work);
    expect(der.code, der.stderr).toBe(0);
    return der.stdout.split(" ")[0];
  }
  /** A copy of the honest bundle, spoiled by `spoil`, checked by the user's own checker with the pins. */
  async function spoiled(spoil: (dir: string) => Promise<unknown>, env: Record<string, string> = pins) {
    const dir = await mkdtemp(join(work, "spoiled-"));
    await cp(honest, dir, { recursive: true });
    await spoil(dir);
    return run("sh", [checker, dir], work, env);
  }
  /** The honest list without `gone`'s lines, signed with `key` (a private key file) by the forger. */
  async function forgeList(dir: string, gone: string[], key: string, keyLine = listKey) {
    const list = await readFile(join(dir, "studio/bundle-list.txt"), "utf8");
    const kept = list
      .split("\n")
      .filter((line) => !gone.some((f) => line.startsWith("file ") && line.endsWith(` ${f}`)));
    const count = kept.filter((line) => line.startsWith("file ")).length;
    await writeFile(
      join(dir, "studio/bundle-list.txt"),
      kept
        .map((line) => (line.startsWith("files ") ? `files ${count}` : line))
        .map((line) => (line.startsWith("key ") ? `key ${keyLine}` : line))
        .join("\n"),
    );
    const signed = await run(
      "openssl",
      ["dgst", "-sha256", "-sign", key, "-out", "studio/bundle-list.txt.sig.bin", "studio/bundle-list.txt"],
      dir,
    );
    expect(signed.code, signed.stderr).toBe(0);
  }
  const dropKubernetes = async (dir: string) => {
    const victim = (await readdir(dir)).find((f) => f.startsWith("kubernetes-") && f.endsWith(".zst"))!;
    const gone = [victim, victim.replace(/\.zst$/, ".sig.bin")];
    for (const f of gone) await unlink(join(dir, f));
    return gone;
  };

  beforeAll(async () => {
    honest = await mkdtemp(join(work, "pinned-"));
    const saved = await run(
      "sh",
      ["-e", "-c", docsCurlRecipe().replace("STUDIO=http://localhost:8787", `STUDIO=${studioUrl}`)],
      honest,
      { TOKEN: token },
    );
    expect(saved.code, saved.stdout + saved.stderr).toBe(0);
    listKey = /^key (\S+)$/m.exec(await readFile(join(honest, "studio/bundle-list.txt"), "utf8"))![1];
    // What a user records before the air gap: from the studio, never from the bundle.
    const publisher = await fetch(`${studioUrl}/spectro_public_key.pem`);
    const studio = await fetch(`${studioUrl}/keys/${listKey}.pem`);
    await writeFile(join(work, "publisher.pem"), await publisher.text());
    await writeFile(join(work, "studio.pem"), await studio.text());
    expect(publisher.headers.get("X-Key-Sha256")).toBe(await opensslSha256(join(work, "publisher.pem")));
    expect(studio.headers.get("X-Key-Sha256")).toBe(await opensslSha256(join(work, "studio.pem")));
    pins = {
      PUBKEY_SHA256: publisher.headers.get("X-Key-Sha256")!,
      STUDIO_KEY_SHA256: studio.headers.get("X-Key-Sha256")!.toUpperCase(),
    };
    checker = join(work, "trusted-verify-bundle.sh");
    await save(`${studioUrl}/verify-bundle.sh`, checker);
    // The page gives the checker's sha256, so a copy can be checked too.
    const page = await (await fetch(`${studioUrl}/verify`)).text();
    expect(page).toContain(
      createHash("sha256")
        .update(await readFile(checker))
        .digest("hex"),
    );
  });

  it("proves an honest bundle against the pinned keys with the user's own checker, and says what it could not prove", async () => {
    const pinned = await run("sh", [checker, honest], work, pins);
    expect(pinned.code, pinned.stdout + pinned.stderr).toBe(0);
    expect(pinned.stdout).toMatch(/^spectro_public_key\.pem: ✅ publisher key, sha256 [0-9a-f]{64} \(pinned\)$/m);
    expect(pinned.stdout).toMatch(
      new RegExp(`^${listKey}\\.pem: ✅ studio key, sha256 [0-9a-f]{64} \\(pinned\\)$`, "m"),
    );
    expect(pinned.stdout).not.toContain("not pinned");
    expect(pinned.stdout).not.toContain("came with the bundle");
    // The bundle's own copy, unpinned, passes and says both things it could not prove.
    const inside = await run("sh", ["verify-bundle.sh"], honest);
    expect(inside.code).toBe(0);
    expect(inside.stdout).toContain("verify-bundle.sh: not pinned: STUDIO_KEY_SHA256 PUBKEY_SHA256:");
    expect(inside.stdout).toContain("verify-bundle.sh: this copy of the script came with the bundle");
  });

  it("fails a bundle whose list was re-signed with a swapped studio key, naming the key", async () => {
    // The attack: drop a pack on the way, rewrite the list without it and sign it with a key of one's
    // own, saved under the studio key's name inside the bundle.
    const forge = async (dir: string) => {
      const gone = await dropKubernetes(dir);
      await run("openssl", ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "forger.key"], dir);
      await run("openssl", ["ec", "-in", "forger.key", "-pubout", "-out", `${listKey}.pem`], dir);
      await forgeList(dir, gone, join(dir, "forger.key"));
      await unlink(join(dir, "forger.key"));
    };
    const unpinned = await spoiled(forge, {});
    expect(unpinned.stdout).toContain("verify-bundle.sh: not pinned:"); // it agrees with itself, and says so
    const pinned = await spoiled(forge);
    expect(pinned.code).toBe(1);
    expect(pinned.stdout).toMatch(
      new RegExp(
        `^${listKey}\\.pem: ❌ studio key with sha256 [0-9a-f]{64}, which is not one of STUDIO_KEY_SHA256`,
        "m",
      ),
    );
    expect(pinned.stderr).toContain(`verify-bundle.sh: FAILED: ${listKey}.pem is not a studio key you pinned`);
    expect(pinned.stdout).not.toContain("Signature valid"); // stopped before the list was read
  });

  it("does not take a pinned publisher key as the studio's: pins are per role", async () => {
    const publisherKey = join(dirname(inject("demoDir")), "keys", "demo-ec-p256.pem");
    const result = await spoiled(async (dir) => {
      const gone = await dropKubernetes(dir);
      await unlink(join(dir, `${listKey}.pem`));
      await forgeList(dir, gone, publisherKey, "spectro_public_key");
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /^spectro_public_key\.pem: ❌ studio key with sha256 [0-9a-f]{64}, which is not one of STUDIO_KEY_SHA256/m,
    );
  });

  it("takes the bundle's other <id>.pem files as publisher keys, as a rotation ships them", async () => {
    // The files of this bundle as if signed by a second trusted key: the tar carries it as <id>.pem.
    const rotated = await spoiled((dir) => rename(join(dir, "spectro_public_key.pem"), join(dir, "other-2027.pem")));
    expect(rotated.code, rotated.stdout + rotated.stderr).toBe(0);
    expect(rotated.stdout).toMatch(/^other-2027\.pem: ✅ publisher key, sha256 [0-9a-f]{64} \(pinned\)$/m);
  });

  it("reads the key paths a user gives from where the user stands, not from inside the bundle", async () => {
    const dir = await mkdtemp(join(work, "caller-keys-"));
    await cp(honest, join(dir, "bundle"), { recursive: true });
    const gone = await dropKubernetes(join(dir, "bundle"));
    await run("openssl", ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "forger.key"], dir);
    await run("openssl", ["ec", "-in", "forger.key", "-pubout", "-out", "studio.pem"], join(dir, "bundle"));
    await forgeList(join(dir, "bundle"), gone, join(dir, "forger.key"));
    // The genuine keys beside the bundle, named relatively, as a user would.
    await cp(join(work, "publisher.pem"), join(dir, "spectro_public_key.pem"));
    await cp(join(work, "studio.pem"), join(dir, "studio.pem"));
    const result = await run("sh", [checker, "bundle"], dir, {
      PUBKEY: "spectro_public_key.pem",
      STUDIO_PUBKEY: "studio.pem",
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      `studio/bundle-list.txt: ❌ signature invalid: not signed by the studio key ${dir}/studio.pem`,
    );
  });

  it("finds extra artifacts wherever they hide, and fails names with a newline", async () => {
    const evil = "#!/bin/sh\necho owned\n";
    const hidden = {
      "-ecni-calico-3.29.2.zst": (dir: string) => writeFile(join(dir, "-ecni-calico-3.29.2.zst"), evil),
      ".evil.zst": (dir: string) => writeFile(join(dir, ".evil.zst"), evil),
      "extra/evil.zst": async (dir: string) => {
        await mkdir(join(dir, "extra"));
        await writeFile(join(dir, "extra/evil.zst"), evil);
      },
      "releases/x/y/evil.zst": async (dir: string) => {
        await mkdir(join(dir, "releases/x/y"), { recursive: true });
        await writeFile(join(dir, "releases/x/y/evil.zst"), evil);
      },
    };
    for (const [name, plant] of Object.entries(hidden)) {
      const result = await spoiled(plant);
      expect(result.code, name).toBe(1);
      expect(result.stdout, name).toContain(`${name}: ❌ extra: not in the studio's bundle list`);
    }
    const newline = await spoiled((dir) => writeFile(join(dir, "evil.zst\ncni-calico-3.29.2.zst"), evil));
    expect(newline.code).toBe(1);
    expect(newline.stdout).toContain("(file names): ❌ 1 files or folders whose names hold a control character");
    // Not an artifact, wherever it is: ignored, never a false alarm.
    const notes = await spoiled(async (dir) => {
      const [release] = await readdir(join(dir, "releases"));
      await writeFile(join(dir, "releases", release, "README.txt"), "notes\n");
      await writeFile(join(dir, ".DS_Store"), "\0");
    });
    expect(notes.code, notes.stdout + notes.stderr).toBe(0);
    expect(notes.stdout).toMatch(/^releases\/[^/]+\/README\.txt: ignored \(not an artifact\)$/m);
    expect(notes.stdout).toContain(".DS_Store: ignored (not an artifact)");
  });
});

describe("a key the studio reports as revoked", () => {
  let proxy: Server;
  let proxyUrl: string;

  // The studio as a client sees it, except that it reports the publisher's key as revoked.
  beforeAll(async () => {
    const upstream = new URL(studioUrl);
    proxy = createServer((req, res) => {
      const up = httpRequest(
        { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers },
        (answer) => {
          const headers = { ...answer.headers };
          if (headers["x-key-status"] && headers["x-key-role"] !== "studio") headers["x-key-status"] = "revoked";
          res.writeHead(answer.statusCode ?? 502, headers);
          answer.pipe(res);
        },
      );
      req.pipe(up);
    });
    await new Promise<void>((done) => proxy.listen(0, "127.0.0.1", done));
    const address = proxy.address();
    proxyUrl = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  });
  afterAll(async () => {
    await new Promise((done) => proxy?.close(done));
  });

  it("download.sh refuses it, says so and exits 1, even with a key given on the command line", async () => {
    const dir = await mkdtemp(join(work, "revoked-"));
    await save(`${proxyUrl}/api/v1/grants/${grant.capability}/download.sh`, join(dir, "download.sh"));
    expect(await readFile(join(dir, "download.sh"), "utf8")).toContain(
      `key 'spectro_public_key.pem' '${proxyUrl}/keys/`,
    );
    const refused = await run("sh", ["download.sh"], dir);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain(
      "spectro_public_key.pem: ❌ the studio reports this key as revoked; refusing to verify anything with it",
    );
    expect(refused.stdout).not.toContain("✅");
    await save(`${studioUrl}/spectro_public_key.pem`, join(dir, "given.pem"));
    const given = await run("sh", ["download.sh", "given.pem"], dir);
    expect(given.code).toBe(1);
    expect(given.stdout).toContain("❌ the studio reports this key as revoked");
    // The same script from the studio itself (the key current) verifies.
    await save(grant.links["download.sh"], join(dir, "download.sh"));
    expect((await run("sh", ["download.sh"], dir)).code).toBe(0);
  });

  it("mirror.sh refuses it too, and keeps its state for the next run", async () => {
    const dir = await mkdtemp(join(work, "revoked-mirror-"));
    await save(`${proxyUrl}/api/v1/changes/mirror.sh?layer=cni`, join(dir, "mirror.sh"));
    const mirrored = await run("sh", ["mirror.sh", "m"], dir, { ARTIFACT_STUDIO_TOKEN: token });
    expect(mirrored.code).toBe(1);
    expect(mirrored.stdout).toContain("❌ the studio reports this key as revoked");
    expect(await readdir(join(dir, "m"))).not.toContain(".artifact-studio-generation");
  });
});

describe("every served script under sh, bash and busybox sh", () => {
  const scripts = [
    ["download.sh", () => grant.links["download.sh"]],
    ["verify-signatures.sh", () => `${studioUrl}/verify-signatures.sh`],
    ["verify-bundle.sh", () => `${studioUrl}/verify-bundle.sh`],
    ["mirror.sh", () => `${studioUrl}/api/v1/changes/mirror.sh?layer=csi`],
  ] as const;

  it("is shellcheck-clean as POSIX sh", async () => {
    const dir = await mkdtemp(join(work, "shellcheck-"));
    for (const [name, url] of scripts) await save(url(), join(dir, name));
    const checked = await run("shellcheck", ["-s", "sh", ...scripts.map(([name]) => name)], dir);
    expect(checked.code, checked.stdout).toBe(0);
  });

  for (const shell of SHELLS) {
    it(`runs download.sh, verify-bundle.sh, verify-signatures.sh and mirror.sh under ${shell.join(" ")}`, async () => {
      const dir = await mkdtemp(join(work, `${shell.join("-")}-`));
      for (const [name, url] of scripts) await save(url(), join(dir, name));
      const [cmd, ...args] = shell;
      const download = await run(cmd, [...args, "download.sh"], dir);
      expect(download.code, download.stdout + download.stderr).toBe(0);
      expect(download.stdout).toMatch(/^bundle: ✅ \d+ files verified/m);
      const bundle = await run(cmd, [...args, "verify-bundle.sh"], dir);
      expect(bundle.code, bundle.stdout + bundle.stderr).toBe(0);
      const signatures = await run(cmd, [...args, "verify-signatures.sh"], dir);
      expect(signatures.code, signatures.stdout + signatures.stderr).toBe(0);
      expect(signatures.stdout.trim().split("\n")).toEqual(
        grant.files.map((f) => `${f.file}: ✅ Signature valid`).sort(),
      );
      const mirror = await run(cmd, [...args, "mirror.sh", "mirror"], dir, { ARTIFACT_STUDIO_TOKEN: token });
      expect(mirror.code, mirror.stdout + mirror.stderr).toBe(0);
      expect(mirror.stdout).toMatch(/mirrored up to generation \d+/);
    });
  }

  it("runs join-and-verify.sh under each shell over the same parts", async () => {
    const dir = await mkdtemp(join(work, "parts-"));
    const total = Number((await fetch(grant.links["bundle.tar"], { method: "HEAD" })).headers.get("Content-Length"));
    await save(
      `${grant.links["bundle.curl"]}?parts=${Math.max(65536, Math.ceil(total / 2))}`,
      join(dir, "bundle.curl"),
    );
    expect(
      (await run("curl", ["--parallel", "--fail", "--silent", "--show-error", "-K", "bundle.curl"], dir)).code,
    ).toBe(0);
    for (const [cmd, ...args] of SHELLS) {
      const copy = await mkdtemp(join(work, "join-"));
      await cp(dir, copy, { recursive: true });
      const joined = await run(cmd, [...args, "join-and-verify.sh"], copy);
      expect(joined.code, joined.stdout + joined.stderr).toBe(0);
      expect(joined.stdout).toContain("is complete and verified");
    }
  });
});

describe("download managers save the docs' names", () => {
  const names = () => grant.files.flatMap((f) => [f.file, f.sigFile]).sort();
  const docsLines = () => grant.files.map((f) => `${f.file}: ✅ Signature valid`).sort();

  /** The docs' own sample script, verbatim but for the key path, over what the tool saved. */
  async function docsLoop(dir: string) {
    const keyDir = await mkdtemp(join(work, "key-"));
    await save(`${studioUrl}/spectro_public_key.pem`, join(keyDir, "spectro_public_key.pem"));
    await writeFile(join(dir, "verify-signatures.sh"), docsSampleScript(join(keyDir, "spectro_public_key.pem")));
    const loop = await run("bash", ["verify-signatures.sh"], dir);
    await unlink(join(dir, "verify-signatures.sh"));
    return loop.stdout.trim().split("\n");
  }

  it("wget -i urls.txt", async () => {
    const dir = await mkdtemp(join(work, "wget-"));
    await save(grant.links["urls.txt"], join(dir, "urls.txt"));
    const wget = await run("wget", ["--quiet", "-i", "urls.txt"], dir);
    expect(wget.code, wget.stderr).toBe(0);
    expect((await readdir(dir)).filter((f) => f !== "urls.txt").sort()).toEqual(names());
    expect(await docsLoop(dir)).toEqual(docsLines());
  });

  it("aria2c -i urls.txt", async () => {
    const dir = await mkdtemp(join(work, "aria2c-"));
    await save(grant.links["urls.txt"], join(dir, "urls.txt"));
    const aria = await run("aria2c", ["--quiet=true", "--allow-overwrite=true", "-i", "urls.txt"], dir);
    expect(aria.code, aria.stdout + aria.stderr).toBe(0);
    expect((await readdir(dir)).filter((f) => f !== "urls.txt").sort()).toEqual(names());
    expect(await docsLoop(dir)).toEqual(docsLines());
  });

  it("curl -K bundle.curl (and curl -O on each URL of urls.txt)", async () => {
    const dir = await mkdtemp(join(work, "curl-k-"));
    await save(grant.links["bundle.curl"], join(dir, "bundle.curl"));
    const curl = await run("curl", ["--parallel", "--fail", "--silent", "--show-error", "-K", "bundle.curl"], dir);
    expect(curl.code, curl.stderr).toBe(0);
    const top = (await readdir(dir)).filter((f) => f.endsWith(".zst") || f.endsWith(".sig.bin")).sort();
    expect(top).toEqual(names());
    expect(await docsLoop(dir)).toEqual(docsLines());

    const plain = await mkdtemp(join(work, "curl-o-"));
    const urls = (await (await fetch(grant.links["urls.txt"])).text()).trim().split("\n");
    const fetched = await run("curl", ["--fail", "--silent", "--show-error", "--remote-name-all", ...urls], plain);
    expect(fetched.code, fetched.stderr).toBe(0);
    expect((await readdir(plain)).sort()).toEqual(names());
  });
});
