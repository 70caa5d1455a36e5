// The download handoff with real tools against the local studio (wrangler dev, demo catalog):
// a grant, `curl --parallel -K bundle.curl`, `sha256sum -c`, the docs' verification loop unchanged,
// the generated download.sh, an interrupted download resumed with Range, the single-file tar
// extracted with `tar -x`, and a tampered URL refused.
import { mkdtemp, readdir, readFile, rm, stat, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { docsSampleScript } from "./support/docs-script";
import { run } from "./support/run";

const studioUrl = inject("studioUrl");
const adminToken = inject("adminToken");

type GrantJson = {
  id: string;
  files: {
    kind: string;
    name: string;
    version: string;
    file: string;
    size: number;
    sha256: string;
    url: string;
    sigFile: string;
    sigUrl: string;
  }[];
  links: Record<"urls.txt" | "bundle.curl" | "manifest.json" | "SHA256SUMS" | "download.sh" | "bundle.tar", string>;
};

/** Runs a command; resolves with its exit code and output instead of throwing on failure. */
async function save(url: string, path: string) {
  const res = await fetch(url);
  expect(res.status, `${url}: ${res.status}`).toBe(200);
  await writeFile(path, Buffer.from(await res.arrayBuffer()));
}

let work: string;
let grant: GrantJson;
let apiToken: string;

/** As automation does it: an API token (made by the admin) instead of a captcha. */
async function createGrant(body: unknown): Promise<GrantJson> {
  const res = await fetch(`${studioUrl}/api/v1/grants`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${apiToken}` },
    body: JSON.stringify(body),
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as GrantJson;
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "downloads-e2e-"));
  const minted = await fetch(`${studioUrl}/api/v1/admin/tokens`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${adminToken}` },
    body: JSON.stringify({ name: "downloads e2e", scopes: ["grants:create"] }),
  });
  expect(minted.status).toBe(201);
  apiToken = ((await minted.json()) as { token: string }).token;
  const packs = (await (await fetch(`${studioUrl}/api/v1/packs?limit=6`)).json()) as {
    items: { name: string; versions: { version: string }[] }[];
  };
  expect(packs.items.length).toBeGreaterThan(2);
  grant = await createGrant({ packs: packs.items.map((p) => ({ name: p.name, version: p.versions[0].version })) });
  await save(`${studioUrl}/spectro_public_key.pem`, join(work, "spectro_public_key.pem"));
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

const filesIn = async (dir: string) => (await readdir(dir)).sort();

describe("downloads with real tools", () => {
  it("curl --parallel -K bundle.curl writes the documented names; sha256sum -c and the docs' loop pass", async () => {
    const dir = await mkdtemp(join(work, "curl-"));
    await save(grant.links["bundle.curl"], join(dir, "bundle.curl"));
    const curl = await run(
      "curl",
      ["--parallel", "--fail", "--silent", "--show-error", "--remote-time", "-K", "bundle.curl"],
      dir,
    );
    expect(curl.code, curl.stderr).toBe(0);
    const expected = grant.files.flatMap((f) => [f.file, f.sigFile]);
    // Beside the files: releases/<id>/ (the signed release manifests that cover them), studio/ (the
    // signed bundle list) and the studio's key.
    expect((await filesIn(dir)).filter((f) => f !== "bundle.curl")).toEqual(
      [...expected, "releases", "studio", "studio-local.pem"].sort(),
    );
    // --remote-time: the file carries the publish time the studio sent as Last-Modified.
    const head = await fetch(grant.files[0].url, { method: "HEAD" });
    expect(Math.floor((await stat(join(dir, grant.files[0].file))).mtimeMs / 1000)).toBe(
      Date.parse(head.headers.get("Last-Modified")!) / 1000,
    );

    await save(grant.links.SHA256SUMS, join(dir, "SHA256SUMS"));
    const sums = await run("sha256sum", ["-c", "SHA256SUMS"], dir);
    expect(sums.code, sums.stdout + sums.stderr).toBe(0);
    const manifests = (await readFile(join(dir, "SHA256SUMS"), "utf8"))
      .split("\n")
      .filter((l) => l.includes("  releases/"));
    expect(manifests.length).toBeGreaterThan(0);
    expect(sums.stdout.trim().split("\n")).toHaveLength(expected.length + manifests.length);

    await writeFile(join(dir, "verify-signatures.sh"), docsSampleScript(join(work, "spectro_public_key.pem")), {
      mode: 0o755,
    });
    const loop = await run("bash", ["verify-signatures.sh"], dir);
    const lines = loop.stdout.trim().split("\n");
    expect(lines).toEqual(grant.files.map((f) => `${f.file}: ✅ Signature valid`).sort());
  });

  it("download.sh downloads, verifies every file, keeps a log and exits 0; a corrupted file makes it exit 1", async () => {
    const dir = await mkdtemp(join(work, "script-"));
    await save(grant.links["download.sh"], join(dir, "download.sh"));
    const ok = await run("sh", ["download.sh"], dir);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    const lines = ok.stdout.trim().split("\n");
    expect(lines.slice(0, -1)).toEqual(grant.files.map((f) => `${f.file}: ✅ Signature valid`));
    // Every file, its signature, and each release manifest and its signature; the scripts, keys and log are the studio's own.
    expect(lines.at(-1)).toMatch(
      /^bundle: ✅ \d+ files verified, 0 other files ignored \(studio\/bundle-list\.txt, signed\)$/,
    );
    expect(Number(/(\d+) files verified/.exec(lines.at(-1)!)![1])).toBeGreaterThanOrEqual(2 * grant.files.length + 2);
    const log = await readFile(join(dir, `artifact-studio-${grant.id}.log`), "utf8");
    for (const f of grant.files)
      expect(log).toContain(
        `${f.file}: sha256 ${f.sha256}, signature ${f.sigFile} verified with spectro_public_key.pem`,
      );

    // Same size, different bytes: the script keeps the file (it looks complete) and must catch it.
    const victim = join(dir, grant.files[0].file);
    const bytes = await readFile(victim);
    bytes[0] ^= 0xff;
    await writeFile(victim, bytes);
    const bad = await run("sh", ["download.sh"], dir);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain(`${grant.files[0].file}: ❌ Checksum mismatch`);
  });

  it("resumes an interrupted download with Range (curl -C -) to the exact bytes", async () => {
    const dir = await mkdtemp(join(work, "resume-"));
    const biggest = [...grant.files].sort((a, b) => b.size - a.size)[0];
    const path = join(dir, biggest.file);
    await save(biggest.url, path);
    await truncate(path, Math.floor(biggest.size / 3)); // the connection dropped a third of the way in
    const resumed = await run(
      "curl",
      ["--fail", "--silent", "--show-error", "-C", "-", "-o", biggest.file, "-w", "%{http_code}", biggest.url],
      dir,
    );
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toBe("206");
    const sum = await run("sha256sum", [biggest.file], dir);
    expect(sum.stdout.split(" ")[0]).toBe(biggest.sha256);
  });

  it("the single-file tar extracts with tar -x and verifies the same way", async () => {
    const dir = await mkdtemp(join(work, "tar-"));
    const fetched = await run(
      "curl",
      ["--fail", "--silent", "--show-error", "-o", "bundle.tar", "-w", "%{size_download}", grant.links["bundle.tar"]],
      dir,
    );
    expect(fetched.code, fetched.stderr).toBe(0);
    const list = await run("tar", ["-tf", "bundle.tar"], dir);
    const folder = `artifact-studio-${grant.id}`;
    const listed = list.stdout.trim().split("\n");
    const manifests = listed.filter((p) => p.startsWith(`${folder}/releases/`));
    expect(manifests.length).toBeGreaterThan(0);
    expect(listed).toEqual([
      ...grant.files.flatMap((f) => [`${folder}/${f.file}`, `${folder}/${f.sigFile}`]),
      ...manifests,
      `${folder}/SHA256SUMS`,
      `${folder}/studio/bundle-list.txt`,
      `${folder}/studio/bundle-list.txt.sig.bin`,
      `${folder}/spectro_public_key.pem`,
      `${folder}/studio-local.pem`,
      `${folder}/verify-signatures.sh`,
      `${folder}/verify-bundle.sh`,
    ]);
    const extract = await run("tar", ["-xf", "bundle.tar"], dir);
    expect(extract.code, extract.stderr).toBe(0);
    const inside = join(dir, folder);
    const sums = await run("sha256sum", ["-c", "SHA256SUMS"], inside);
    expect(sums.code, sums.stdout).toBe(0);
    const shipped = await run("./verify-signatures.sh", [], inside);
    expect(shipped.stdout.trim().split("\n")).toEqual(grant.files.map((f) => `${f.file}: ✅ Signature valid`).sort());
    // The docs' loop with the key fetched from the studio agrees with the key inside the tar.
    await writeFile(join(inside, "docs-loop.sh"), docsSampleScript(join(work, "spectro_public_key.pem")));
    const docs = await run("bash", ["docs-loop.sh"], inside);
    expect(
      docs.stdout
        .trim()
        .split("\n")
        .every((l) => l.endsWith("✅ Signature valid")),
    ).toBe(true);
  });

  it("the download forms work without JavaScript: /download leads to them, a POST renders every link", async () => {
    const file = grant.files[0];
    // A /download link shared before lands on Browse packs with the selection and its form.
    const page = await run(
      "curl",
      ["--fail", "--silent", "--show-error", "-L", `${studioUrl}/download?packs=${file.name}@${file.version}`],
      work,
    );
    expect(page.stdout).toContain("Captcha off (local development).");
    expect(page.stdout).toContain(`value="${file.name}@${file.version}"`);
    const posted = await run(
      "curl",
      [
        "--fail",
        "--silent",
        "--show-error",
        "--data-urlencode",
        `selected=${file.name}@${file.version}`,
        "--data-urlencode",
        "action=download",
        `${studioUrl}/packs`,
      ],
      work,
    );
    expect(posted.code, posted.stderr).toBe(0);
    expect(posted.stdout).toMatch(
      new RegExp(
        `href="${studioUrl.replace(/[.]/g, "\\.")}/dl/[A-Za-z0-9_-]{22}/\\d+\\.k1\\.[A-Za-z0-9_-]{43}/${file.file.replace(/[.]/g, "\\.")}" download="${file.file.replace(/[.]/g, "\\.")}"`,
      ),
    );
    const tarUrl = /href="([^"]+\/bundle\.tar)"/.exec(posted.stdout)?.[1];
    expect(tarUrl).toMatch(/\/api\/v1\/grants\/[A-Za-z0-9_-]{43}\/bundle\.tar$/);
    const head = await fetch(tarUrl!, { method: "HEAD" });
    expect(head.status).toBe(200);
  });

  it("refuses a tampered URL with a 403 and a one-line reason", async () => {
    const url = new URL(grant.files[0].url);
    const [exp, kid, sig] = url.pathname.split("/")[3].split(".");
    url.pathname = url.pathname.replace(`/${exp}.`, `/${Number(exp) + 86400}.`);
    expect(`${kid}.${sig}`).toMatch(/^k1\./);
    const res = await run("curl", ["--silent", "-w", "\n%{http_code}", url.toString()], work);
    expect(res.stdout).toBe("invalid signature\n\n403");
    const failed = await run("curl", ["--fail", "--silent", "-o", "/dev/null", url.toString()], work);
    expect(failed.code).toBe(22);
  });
});
