// download.sh and a key an admin yanked, with the real tools (sh, curl, openssl) against a studio of
// its own (a yank withdraws everything the demo key signed, which the other e2e files share): a user
// holds a grant's download.sh that verified fine, the key that signed its files is yanked
// (`POST /api/v1/admin/keys/<id>/yank`), and the same script then refuses before it downloads
// anything, naming the key and what to do, even with a key given on the command line.
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_KEY_ID } from "../../scripts/demo-catalog";
import { type Studio, startStudioInTemp } from "../../scripts/studio";
import { run } from "./support/run";

let studio: Studio;
let work: string;
let grant: { id: string; links: Record<string, string> };

beforeAll(async () => {
  ({ work, studio } = await startStudioInTemp("yanked-key-e2e-"));
  const minted = await fetch(`${studio.url}/api/v1/admin/tokens`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${studio.adminToken}` },
    body: JSON.stringify({ name: "yanked key e2e", scopes: ["grants:create"] }),
  });
  const { token } = (await minted.json()) as { token: string };
  const res = await fetch(`${studio.url}/api/v1/grants`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
    body: JSON.stringify({ packs: [{ name: "cni-calico", version: "3.29.2" }] }),
  });
  expect(res.status, await res.clone().text()).toBe(201);
  grant = (await res.json()) as typeof grant;
});

afterAll(async () => {
  await studio?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

/** A folder holding only the grant's download.sh, as saved before the yank. */
async function folderWithScript(script: string): Promise<string> {
  const dir = await mkdtemp(join(work, "dl-"));
  await writeFile(join(dir, "download.sh"), script);
  return dir;
}

describe("download.sh and a yanked key", () => {
  it("verifies while the key is current, and refuses once an admin yanks it, naming the key and what to do", async () => {
    const script = await (await fetch(grant.links["download.sh"])).text();
    const before = await folderWithScript(script);
    const ok = await run("sh", ["download.sh"], before);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toContain("cni-calico-3.29.2.zst: ✅ Signature valid");

    const yank = await fetch(`${studio.url}/api/v1/admin/keys/${DEMO_KEY_ID}/yank`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${studio.adminToken}` },
      body: JSON.stringify({ reason: "leaked from a CI runner" }),
    });
    expect(yank.status, await yank.clone().text()).toBe(200);
    // What the script reads, as curl shows it.
    const head = await run("curl", ["-sSI", `${studio.url}/keys/${DEMO_KEY_ID}.pem`], work);
    expect(head.stdout).toMatch(/^x-key-status: yanked\r?$/im);

    const refusal =
      "spectro_public_key.pem: ❌ the studio reports this key as yanked (what it signed was withdrawn); refusing to " +
      `verify anything with it (key ${DEMO_KEY_ID}: do not use files it verified before; make a new grant at the ` +
      "studio, which offers only what current keys signed)";
    // Under every shell users run it with: dash (sh), bash and busybox sh.
    for (const [shell, ...args] of [["sh"], ["bash"], ["busybox", "sh"]]) {
      const folder = await folderWithScript(script);
      const refusedBy = await run(shell, [...args, "download.sh"], folder);
      expect(refusedBy.code, `${shell}: ${refusedBy.stdout}${refusedBy.stderr}`).toBe(1);
      expect(refusedBy.stdout.trim(), shell).toBe(refusal);
    }
    const after = await folderWithScript(script);
    const refused = await run("sh", ["download.sh"], after);
    expect(refused.code, refused.stdout + refused.stderr).toBe(1);
    expect(refused.stdout.trim()).toBe(refusal);
    expect((await readdir(after)).sort()).toEqual(["download.sh", `artifact-studio-${grant.id}.log`].sort());
    const log = await readFile(join(after, `artifact-studio-${grant.id}.log`), "utf8");
    expect(log).toContain("spectro_public_key.pem: the studio reports key status 'yanked'");

    // A key given on the command line (the copy saved before the yank) is refused as well.
    const given = await run("sh", ["download.sh", join(before, "spectro_public_key.pem")], after);
    expect(given.code, given.stdout + given.stderr).toBe(1);
    expect(given.stdout.trim()).toBe(refusal);
    // And in the folder that verified before: nothing there is vouched for again, and the key copy the
    // earlier run saved is gone, so verify-bundle.sh run there offline cannot trust it either.
    expect(await readdir(before)).toContain("spectro_public_key.pem");
    const savedKey = await readFile(join(before, "spectro_public_key.pem"));
    const again = await run("sh", ["download.sh"], before);
    expect(again.code).toBe(1);
    expect(again.stdout).not.toContain("✅");
    expect(await readdir(before)).not.toContain("spectro_public_key.pem");
    // The same under busybox sh, in a folder holding a copy saved before the yank.
    const busyboxFolder = await folderWithScript(script);
    await writeFile(join(busyboxFolder, "spectro_public_key.pem"), savedKey);
    const underBusybox = await run("busybox", ["sh", "download.sh"], busyboxFolder);
    expect(underBusybox.code).toBe(1);
    expect(await readdir(busyboxFolder)).not.toContain("spectro_public_key.pem");
  });
});
