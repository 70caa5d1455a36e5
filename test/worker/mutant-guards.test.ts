// Tests written for the hand mutants of scripts/mutants.ts that the other tests let through: each
// names the mutant it kills. Run `npm run mutants` to see every guard fail its tests when broken.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { primary } from "../../worker/db/client";
import { publishStatements } from "../../worker/db/publish-batch";
import { claimRelease } from "../../worker/db/releases";
import { releaseFolder } from "../../worker/storage";
import type { InstallerFile } from "../../worker/sync/release-manifest";
import { dropRelease, releaseRow, rowsPublishedBy, storedAsIf } from "./support/releases";
import { syncAndSettle } from "./support/sync";

describe("one installer of a kind per product version (mutant installer-unique-dropped)", () => {
  it("a racing publish of the same installer under another file name fails whole on the installer key", async () => {
    // Another file name than the first release's, so the file-name index cannot be what refuses it:
    // only release_artifacts' key (product, version, kind) stands between the catalog and two ISOs.
    const db = primary(env);
    const product = { id: "palette-mutant", name: "Palette Mutant", applianceName: "Mutant Appliance" };
    const iso = { product: "palette-mutant", productVersion: "9.2.0", kind: "iso" as const };
    await dropRelease(env, "mutant-installer-first", { products: [product], installers: [iso] });
    expect((await syncAndSettle(env, { trigger: "admin" })).published).toContain("mutant-installer-first");

    const second = await dropRelease(env, "mutant-installer-second", {
      products: [product],
      installers: [{ ...iso, file: "palette-mutant-appliance-9.2.0-rebuilt.iso" }],
    });
    expect(await claimRelease(db, "mutant-installer-second", "racing-run", Date.now())).toBe(true);
    const statements = publishStatements(db, {
      release: second.manifest,
      keyId: "test-ec",
      stored: storedAsIf(second.manifest),
      newPacks: [],
      newInstallers: second.manifest.files as InstallerFile[],
      productWrites: [],
      runId: "racing-run",
      now: Date.now(),
      details: {},
    });
    await expect(db.batch(statements)).rejects.toThrow(
      /UNIQUE constraint failed: release_artifacts\.product_id, release_artifacts\.version, release_artifacts\.kind/,
    );
    expect(await rowsPublishedBy(env, "mutant-installer-second")).toEqual({
      packVersions: 0,
      releaseArtifacts: 0,
      productVersions: 0,
    });
  });
});

describe("a signature must be over the file's own bytes (mutant rsa-digest-not-compared)", () => {
  for (const keyId of ["test-rsa", "test-ec"]) {
    it(`refuses a valid ${keyId} signature of another file of the release`, async () => {
      // Both signatures are genuine, by the trusted key; only their files are swapped. An RSA check
      // that stopped at valid padding, without comparing the signed digest, would accept them.
      const releaseId = `swapped-signatures-${keyId}`;
      const names = [`swap-a-${keyId}`, `swap-b-${keyId}`];
      await dropRelease(env, releaseId, { keyId, packs: names.map((name) => ({ name, version: "1.0.0" })) });
      const folder = releaseFolder(releaseId);
      const [a, b] = await Promise.all(
        names.map(async (n) => (await env.ARTIFACTS.get(`${folder}${n}-1.0.0.sig.bin`))!.arrayBuffer()),
      );
      await env.ARTIFACTS.put(`${folder}${names[0]}-1.0.0.sig.bin`, b);
      await env.ARTIFACTS.put(`${folder}${names[1]}-1.0.0.sig.bin`, a);

      const summary = await syncAndSettle(env, { trigger: "admin" });
      expect(summary.published).not.toContain(releaseId);
      expect(summary.quarantined).toContainEqual({
        releaseId,
        reason: `${names[0]}-1.0.0.zst: signature does not verify with key ${keyId} (and 1 more)`,
      });
      expect((await releaseRow(env, releaseId))!.status).toBe("quarantined");
      expect(await rowsPublishedBy(env, releaseId)).toEqual({
        packVersions: 0,
        releaseArtifacts: 0,
        productVersions: 0,
      });
    });
  }
});
