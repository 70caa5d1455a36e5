// Guards of the sync that its other tests left unchecked: the claim's lease in SQL (a live claim
// cannot be taken twice) and the UNIQUE constraint that makes a racing publish of the same
// installer fail as a whole.
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { primary } from "../../worker/db/client";
import { publishStatements } from "../../worker/db/publish";
import { CLAIM_LEASE_MS, claimRelease } from "../../worker/db/releases";
import { releases } from "../../worker/db/schema";
import type { InstallerFile, PackFile } from "../../worker/sync/release-manifest";
import { dropRelease, releaseRow, rowsPublishedBy, storedAsIf } from "./support/releases";
import { syncAndSettle } from "./support/sync";

const db = () => primary(env);

describe("claimRelease", () => {
  it("gives a release to one run only while its lease lasts", async () => {
    const now = Date.now();
    expect(await claimRelease(db(), "guard-claim", "run-a", now)).toBe(true);
    expect(await claimRelease(db(), "guard-claim", "run-b", now + 1000)).toBe(false);
    expect(await claimRelease(db(), "guard-claim", "run-b", now + CLAIM_LEASE_MS - 1)).toBe(false);
    expect((await releaseRow(env, "guard-claim"))!).toMatchObject({ runId: "run-a", claimedAt: now });
    expect(await claimRelease(db(), "guard-claim", "run-c", now + CLAIM_LEASE_MS + 1)).toBe(true);
    expect((await releaseRow(env, "guard-claim"))!).toMatchObject({ runId: "run-c" });
  });

  it("never re-claims a finished release, however old its claim", async () => {
    const long = Date.now() - 10 * CLAIM_LEASE_MS;
    expect(await claimRelease(db(), "guard-finished", "run-a", long)).toBe(true);
    await db().update(releases).set({ status: "quarantined", reason: "test" }).where(eq(releases.id, "guard-finished"));
    expect(await claimRelease(db(), "guard-finished", "run-b", Date.now())).toBe(false);
    expect((await releaseRow(env, "guard-finished"))!).toMatchObject({ status: "quarantined", runId: "run-a" });
  });
});

describe("racing publishes of an installer", () => {
  it("a batch that publishes an installer another run published first fails whole, leaving nothing", async () => {
    const product = { id: "palette-guard", name: "Palette Guard", applianceName: "Guard Appliance" };
    const iso = { product: "palette-guard", productVersion: "9.1.0", kind: "iso" as const };
    await dropRelease(env, "guard-installer-first", { products: [product], installers: [iso] });
    expect((await syncAndSettle(env, { trigger: "admin" })).published).toContain("guard-installer-first");

    // A second release with the same installer and a new pack, planned before the first was published.
    const second = await dropRelease(env, "guard-installer-second", {
      products: [product],
      installers: [iso],
      packs: [{ name: "addon-guard-race", version: "1.0.0" }],
    });
    expect(await claimRelease(db(), "guard-installer-second", "racing-run", Date.now())).toBe(true);
    const statements = publishStatements(db(), {
      release: second.manifest,
      keyId: "test-ec",
      stored: storedAsIf(second.manifest),
      newPacks: second.manifest.files.filter((f): f is PackFile => f.kind === "pack"),
      newInstallers: second.manifest.files.filter((f): f is InstallerFile => f.kind !== "pack"),
      productWrites: [],
      runId: "racing-run",
      now: Date.now(),
      details: {},
    });
    await expect(db().batch(statements)).rejects.toThrow(/UNIQUE|constraint/i);
    expect(await rowsPublishedBy(env, "guard-installer-second")).toEqual({
      packVersions: 0,
      releaseArtifacts: 0,
      productVersions: 0,
    });
    expect((await rowsPublishedBy(env, "guard-installer-first")).releaseArtifacts).toBe(1);
  });
});
