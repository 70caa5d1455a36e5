// Incremental mirroring with the real tools: mirror.sh (curl, sh, sha256sum, openssl) run once,
// then a new signed release is dropped and published by the sync, and the second run fetches only
// the new files, verifies them against the signed manifest and advances its state file. It runs its
// own studio: publishing a release would change the catalog the other e2e files share.
import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  dropIntoBucket,
  ensureDemoKey,
  openLocalPlatform,
  packFile,
  writeDemoReleases,
} from "../../scripts/demo-catalog";
import { type Studio, startStudioInTemp, waitForVerification } from "../../scripts/studio";
import { run } from "./support/run";

let studio: Studio;
let studioUrl: string;
let adminToken: string;

let work: string;
let token: string;

beforeAll(async () => {
  ({ work, studio } = await startStudioInTemp("mirror-e2e-"));
  ({ url: studioUrl, adminToken } = studio);
  const minted = await fetch(`${studioUrl}/api/v1/admin/tokens`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${adminToken}` },
    body: JSON.stringify({ name: "nightly mirror", scopes: ["manifests:read"] }),
  });
  token = ((await minted.json()) as { token: string }).token;
  await writeFile(
    join(work, "mirror.sh"),
    await (await fetch(`${studioUrl}/api/v1/changes/mirror.sh?layer=addon`)).text(),
  );
});

afterAll(async () => {
  await studio?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

/** Signs a one-pack release with the demo key, drops it into the studio's local R2 and runs the sync. */
async function publishNewRelease() {
  const root = work; // this file's studio keeps keys/ and state/ here
  const key = await ensureDemoKey(join(root, "keys"));
  const releases = await writeDemoReleases(join(root, "mirror-release"), key, [
    {
      releaseId: "mirror-e2e-addon",
      products: [],
      files: [
        packFile({
          // A name that sorts last and a product range no demo version is in, so tests sharing this
          // studio (browse pages, wizard steps) see the same catalog.
          name: "zz-mirror-lab",
          displayName: "Mirror lab",
          version: "1.0.0",
          layer: "addon",
          addonType: "monitoring",
          description: "An add-on published during the mirroring test.",
          cloudTypes: ["all"],
          annotations: { source: "spectrocloud" },
          constraints: { dependencies: [] },
          architectures: ["amd64", "arm64"],
          fips: false,
          useCases: ["controller"],
          products: [{ product: "palette-enterprise", minVersion: "9.0.0" }],
        }),
      ],
    },
  ]);
  const platform = await openLocalPlatform(join(root, "state"));
  try {
    await dropIntoBucket(platform.bucket, releases);
  } finally {
    await platform.dispose();
  }
  const sync = await fetch(`${studioUrl}/api/v1/admin/sync`, {
    method: "POST",
    headers: { Authorization: `Bearer ${adminToken}` },
  });
  // The sync hands the release to a Workflow; it is published once its files are verified.
  expect(((await sync.json()) as { verifying: string[] }).verifying).toEqual(["mirror-e2e-addon"]);
  await waitForVerification(studioUrl, adminToken);
  const release = await fetch(`${studioUrl}/api/v1/admin/releases/mirror-e2e-addon`, {
    headers: { Authorization: `Bearer ${adminToken}` },
  });
  expect(((await release.json()) as { status: string }).status).toBe("published");
}

describe("mirror.sh, run nightly", () => {
  it("mirrors everything first, then only what a new publish added", async () => {
    const mirror = join(work, "mirror");
    const env = { ARTIFACT_STUDIO_TOKEN: token };
    const first = await run("sh", ["mirror.sh", mirror], work, env);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    const firstGeneration = Number(await readFile(join(mirror, ".artifact-studio-generation"), "utf8"));
    const addons = (await readdir(mirror)).filter((f) => f.endsWith(".zst"));
    expect(addons.length).toBeGreaterThan(3);
    expect(first.stdout).toMatch(/bundle: ✅ \d+ files verified, 0 other files ignored/);

    const again = await run("sh", ["mirror.sh", mirror], work, env);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`nothing new since generation ${firstGeneration}`);

    await publishNewRelease();
    const second = await run("sh", ["mirror.sh", mirror], work, env);
    expect(second.code, second.stdout + second.stderr).toBe(0);
    // Only the new pack was fetched and checked this time.
    const checked = second.stdout.split("\n").filter((l) => l.includes(": ✅ Signature valid"));
    expect(checked).toEqual(["zz-mirror-lab-1.0.0.zst: ✅ Signature valid"]);
    // The files of the first night are there too: noted as not part of this night's bundle, never a failure.
    expect(second.stdout).toMatch(/bundle: ✅ 4 files verified, \d+ other files ignored/);
    expect(Number(await readFile(join(mirror, ".artifact-studio-generation"), "utf8"))).toBe(firstGeneration + 1);
    expect(await readdir(join(mirror, "releases"))).toContain("mirror-e2e-addon");
  });

  it("moves a yanked file and its signature into yanked/ with the reason, and says so on every run", async () => {
    const mirror = join(work, "mirror"); // as the nightly runs above left it
    const env = { ARTIFACT_STUDIO_TOKEN: token };
    const yank = await fetch(`${studioUrl}/api/v1/admin/packs/zz-mirror-lab/versions/1.0.0/yank`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${adminToken}` },
      body: JSON.stringify({ reason: "CVE-2026-0001 in the chart" }),
    });
    expect(yank.status).toBe(200);
    const night = await run("sh", ["mirror.sh", mirror], work, env);
    expect(night.code, night.stdout + night.stderr).toBe(0);
    expect(night.stdout).toContain(
      "zz-mirror-lab-1.0.0.zst: yanked from the catalog (CVE-2026-0001 in the chart); moved it and its signature to yanked/",
    );
    expect(await readdir(mirror)).not.toContain("zz-mirror-lab-1.0.0.zst");
    expect((await readdir(join(mirror, "yanked"))).sort()).toEqual([
      "zz-mirror-lab-1.0.0.sig.bin",
      "zz-mirror-lab-1.0.0.zst",
      "zz-mirror-lab-1.0.0.zst.reason.txt",
    ]);
    const reminder =
      "yanked/zz-mirror-lab-1.0.0.zst: yanked (CVE-2026-0001 in the chart); kept aside in yanked/ until you delete it";
    expect(night.stdout).toContain(reminder);
    const next = await run("sh", ["mirror.sh", mirror], work, env);
    expect(next.code).toBe(0);
    expect(next.stdout).toContain(reminder);
    await rm(join(mirror, "yanked"), { recursive: true });
    expect((await run("sh", ["mirror.sh", mirror], work, env)).stdout).not.toContain("yanked/");
  });

  it("exits non-zero, keeping its state, when a file fails verification", async () => {
    const mirror = join(work, "broken");
    await run("sh", ["mirror.sh", mirror], work, { ARTIFACT_STUDIO_TOKEN: token });
    const state = join(mirror, ".artifact-studio-generation");
    await writeFile(state, "0\n"); // replay from the start over files that are already there
    const victim = (await readdir(mirror)).find((f) => f.endsWith(".zst"))!;
    const bytes = await readFile(join(mirror, victim));
    bytes[0] ^= 0xff;
    await writeFile(join(mirror, victim), bytes);
    const bad = await run("sh", ["mirror.sh", mirror], work, { ARTIFACT_STUDIO_TOKEN: token });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain(`${victim}: ❌ Checksum mismatch`);
    expect((await readFile(state, "utf8")).trim()).toBe("0");
  });
});
