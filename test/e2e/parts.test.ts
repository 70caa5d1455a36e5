// Media-sized parts with the real tools: a grant's tar fetched as 3 parts with curl -K, checked with
// sha256sum -c PARTS.SHA256SUMS, rejoined with cat byte for byte, untarred, and verified (openssl,
// signed release manifests) by join-and-verify.sh.
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { run } from "./support/run";

const studioUrl = inject("studioUrl");
let work: string;

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe("bundle.tar in 3 parts", () => {
  it("downloads 3 parts, checks them, rejoins them with cat and verifies the bundle", async () => {
    work = await mkdtemp(join(tmpdir(), "parts-e2e-"));
    const res = await fetch(`${studioUrl}/api/v1/grants`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ installers: { product: "palette-enterprise", version: "4.6.12" } }),
    });
    expect(res.status).toBe(201);
    const grant = (await res.json()) as { id: string; links: Record<string, string> };
    const total = Number((await fetch(grant.links["bundle.tar"], { method: "HEAD" })).headers.get("Content-Length"));
    const size = Math.ceil(total / 3);
    expect(size).toBeGreaterThanOrEqual(64 * 1024); // the local (test-only) minimum
    const curlConfig = await (await fetch(`${grant.links["bundle.curl"]}?parts=${size}`)).text();
    await writeFile(join(work, "bundle.curl"), curlConfig);
    const curl = await run("curl", ["--parallel", "--fail", "--silent", "--show-error", "-K", "bundle.curl"], work);
    expect(curl.code, curl.stderr).toBe(0);
    const folder = `artifact-studio-${grant.id}`;
    expect((await readdir(work)).filter((f) => f.includes(".tar.part-")).sort()).toEqual(
      [1, 2, 3].map((n) => `${folder}.tar.part-00${n}`),
    );

    const sums = await run("sha256sum", ["-c", "PARTS.SHA256SUMS"], work);
    expect(sums.code, sums.stdout + sums.stderr).toBe(0);
    expect(sums.stdout.trim().split("\n")).toHaveLength(3);

    // cat alone rejoins the very bytes bundle.tar serves.
    await writeFile(join(work, "whole.tar"), Buffer.from(await (await fetch(grant.links["bundle.tar"])).arrayBuffer()));
    const cat = await run("sh", ["-c", `cat ${folder}.tar.part-* > joined.tar && cmp joined.tar whole.tar`], work);
    expect(cat.code, cat.stdout + cat.stderr).toBe(0);
    await rm(join(work, "joined.tar"));

    await writeFile(
      join(work, "spectro_public_key.pem"),
      Buffer.from(await (await fetch(`${studioUrl}/spectro_public_key.pem`)).arrayBuffer()),
    );
    const joined = await run("sh", ["join-and-verify.sh"], work, { PUBKEY: "spectro_public_key.pem" });
    expect(joined.code, joined.stdout + joined.stderr).toBe(0);
    expect(joined.stdout).toContain(`${folder}.tar: ✅ rejoined`);
    expect(joined.stdout).toMatch(/\.iso: ✅ matches the bundle list and release .*signature valid/);
    expect(joined.stdout).toContain(`join-and-verify.sh: ${folder} is complete and verified`);

    // A damaged part is caught before anything is joined.
    await writeFile(join(work, `${folder}.tar.part-002`), "damaged");
    const bad = await run("sh", ["join-and-verify.sh"], work);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain(`${folder}.tar.part-002: ❌ sha256 mismatch`);
  });
});
