// Every class of bad release is quarantined with its reason, and nothing of it is published; the
// run goes on with the other releases.
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { catalogGeneration } from "../../worker/catalog/generation";
import { primaryWriter } from "../../worker/db/client";
import { packs, packVersions, products } from "../../worker/db/schema";
import { dropRelease, releaseRow, rowsPublishedBy, type DropOptions, type PackSpec } from "./support/releases";
import { syncAndSettle } from "./support/sync";

const db = () => primaryWriter(env);

/** Drops a release with one good pack and `bad`, runs the sync, and checks that none of it landed. */
async function expectQuarantined(releaseId: string, bad: Partial<DropOptions>, reason: string | RegExp) {
  const generation = await catalogGeneration(db());
  await dropRelease(env, releaseId, {
    packs: [{ name: `good-${releaseId}`, version: "1.0.0" }],
    ...bad,
    ...(bad.packs ? { packs: [{ name: `good-${releaseId}`, version: "1.0.0" }, ...bad.packs] } : {}),
  });

  const summary = await syncAndSettle(env, { trigger: "cron" });

  expect(summary.published).toEqual([]);
  expect(summary.quarantined).toHaveLength(1);
  expect(summary.quarantined[0].releaseId).toBe(releaseId);
  if (typeof reason === "string") expect(summary.quarantined[0].reason).toBe(reason);
  else expect(summary.quarantined[0].reason).toMatch(reason);
  const row = await releaseRow(env, releaseId);
  expect(row).toMatchObject({ status: "quarantined", reason: summary.quarantined[0].reason, runId: summary.runId });
  expect((row!.details as { findings: unknown[] }).findings.length).toBeGreaterThan(0);
  expect(await rowsPublishedBy(env, releaseId)).toEqual({ packVersions: 0, releaseArtifacts: 0, productVersions: 0 });
  expect(
    await db()
      .select()
      .from(packs)
      .where(eq(packs.name, `good-${releaseId}`))
      .get(),
  ).toBeUndefined();
  expect(await catalogGeneration(db())).toBe(generation);
  return row!;
}

const pack = (name: string, extra: Partial<PackSpec> = {}): PackSpec => ({ name, version: "1.0.0", ...extra });

describe("catalog sync: quarantine", () => {
  it("refuses a signature made with another key", async () => {
    await expectQuarantined(
      "bad-signature",
      { packs: [pack("cni-calico", { version: "3.29.2", tamper: "bad-signature" })] },
      "cni-calico-3.29.2.zst: signature does not verify with key test-ec",
    );
  });

  it("refuses a bad RSA signature too", async () => {
    await expectQuarantined(
      "bad-rsa-signature",
      { keyId: "test-rsa", packs: [pack("rsa-signed", { tamper: "bad-signature" })] },
      "rsa-signed-1.0.0.zst: signature does not verify with key test-rsa",
    );
  });

  it("refuses a file whose signature file is missing", async () => {
    await expectQuarantined(
      "missing-signature",
      { packs: [pack("no-sig", { tamper: "missing-signature" })] },
      "no-sig-1.0.0.zst: missing signature file no-sig-1.0.0.sig.bin",
    );
  });

  it("refuses an unknown signing key id", async () => {
    await expectQuarantined(
      "unknown-key",
      { packs: [pack("odd-key", { keyId: "nope" })] },
      "odd-key-1.0.0.zst: unknown signing key id 'nope'",
    );
  });

  it("refuses a file whose size differs from release.json", async () => {
    await expectQuarantined(
      "size-mismatch",
      { packs: [pack("kubernetes", { version: "1.30.1", size: 1200, tamper: "size-mismatch" })] },
      "kubernetes-1.30.1.zst: size 1200 does not match release.json size 1300",
    );
  });

  it("refuses a file whose bytes changed after signing (checksum mismatch)", async () => {
    const row = await expectQuarantined(
      "checksum-mismatch",
      { packs: [pack("flipped", { tamper: "checksum-mismatch" })] },
      /^flipped-1\.0\.0\.zst: checksum mismatch: sha256 [0-9a-f]{64}, release\.json says [0-9a-f]{64}$/,
    );
    expect((row.details as { findings: { file: string }[] }).findings).toEqual([
      expect.objectContaining({ file: "flipped-1.0.0.zst" }),
    ]);
  });

  it("refuses a release whose listed file was never uploaded", async () => {
    await expectQuarantined(
      "missing-file",
      { packs: [pack("ghost", { tamper: "missing-file" })] },
      "ghost-1.0.0.zst: listed in release.json but missing from the release folder",
    );
  });

  it("refuses release.json that is not JSON", async () => {
    await expectQuarantined(
      "not-json",
      { releaseJson: '{"schemaVersion": 1, "files": [' },
      /^release\.json is not valid JSON: /,
    );
  });

  it("refuses release.json that breaks the schema, naming the field", async () => {
    await expectQuarantined(
      "bad-schema",
      { releaseJson: (m) => ({ ...m, files: m.files.map((f, i) => (i === 0 ? { ...f, sha256: "ABC" } : f)) }) },
      "release.json: files.0.sha256: must be 64 lower-case hex digits",
    );
  });

  it("refuses a release signed for another deployment (audience): a staging release replayed here", async () => {
    await expectQuarantined(
      "staging-replay",
      { audience: "staging", packs: [pack("replayed")] },
      "release.json is for audience 'staging', this studio is 'production'; sign it for 'production' to publish it here",
    );
  });

  it("refuses a signed release.json past its expiresAt: a pulled release re-dropped later", async () => {
    await expectQuarantined(
      "expired-manifest",
      { releaseJson: (m) => ({ ...m, expiresAt: "2026-01-01T00:00:00Z" }) },
      "release.json expired at 2026-01-01T00:00:00Z; sign a fresh manifest to publish it",
    );
  });

  it("refuses a release.json valid for more than 90 days, and one without expiresAt", async () => {
    await expectQuarantined(
      "forever-manifest",
      { releaseJson: (m) => ({ ...m, expiresAt: new Date(Date.now() + 91 * 86_400_000).toISOString() }) },
      /^release\.json is valid until .+, more than 90 days ahead; sign it with a shorter expiresAt$/,
    );
    await expectQuarantined(
      "undated-manifest",
      { releaseJson: ({ expiresAt: _, ...m }) => m },
      /^release\.json: expiresAt: /,
    );
  });

  it("refuses release.json whose releaseId is not its folder", async () => {
    await expectQuarantined(
      "wrong-id",
      { releaseJson: (m) => ({ ...m, releaseId: "someone-else" }) },
      "release.json: releaseId 'someone-else' does not match its folder 'wrong-id'",
    );
  });

  it("refuses a release that would change an already published pack version, and keeps the published one", async () => {
    const first = await dropRelease(env, "original", { packs: [pack("stable", { content: "the original bytes" })] });
    expect((await syncAndSettle(env, { trigger: "cron" })).published).toEqual(["original"]);

    const row = await expectQuarantined(
      "changed",
      { packs: [pack("stable", { content: "different bytes" })] },
      /^stable-1\.0\.0\.zst: would change published pack stable 1\.0\.0 \(published sha256 [0-9a-f]{12}…, release\.json [0-9a-f]{12}…\)$/,
    );

    expect(row.status).toBe("quarantined");
    const published = await db().select().from(packVersions).where(eq(packVersions.id, "stable@1.0.0")).get();
    expect(published).toMatchObject({ releaseId: "original", sha256: first.files["stable-1.0.0.zst"].sha256 });
  });

  it("refuses a release that would change an already published installer", async () => {
    const product = { id: "palette-test", name: "Palette Test", applianceName: "Palette Test Appliance" };
    await dropRelease(env, "installer-original", {
      products: [product],
      installers: [{ product: "palette-test", productVersion: "4.6.12", kind: "iso", content: "iso v1" }],
    });
    expect((await syncAndSettle(env, { trigger: "cron" })).published).toEqual(["installer-original"]);

    await expectQuarantined(
      "installer-changed",
      { installers: [{ product: "palette-test", productVersion: "4.6.12", kind: "iso", content: "iso v2" }] },
      /^palette-test-appliance-4\.6\.12\.iso: would change the published iso of palette-test 4\.6\.12 /,
    );
  });

  it("refuses a pack whose layer differs from its published layer", async () => {
    await dropRelease(env, "layer-original", { packs: [pack("shifty", { layer: "cni" })] });
    expect((await syncAndSettle(env, { trigger: "cron" })).published).toEqual(["layer-original"]);

    await expectQuarantined(
      "layer-changed",
      { packs: [pack("shifty", { version: "2.0.0", layer: "csi" })] },
      "shifty-2.0.0.zst: pack shifty is published in layer cni, release.json says csi",
    );
  });

  it("refuses installers for a product that is neither published nor declared", async () => {
    await expectQuarantined(
      "unknown-product",
      { installers: [{ product: "palette-nowhere", productVersion: "1.0.0", kind: "content-bundle" }] },
      "palette-nowhere-1.0.0.tar.zst: product 'palette-nowhere' is neither published nor declared in release.json products",
    );
    expect(await db().select().from(products).where(eq(products.id, "palette-nowhere")).get()).toBeUndefined();
  });

  it("counts further findings in the one-line reason and lists each in details", async () => {
    const row = await expectQuarantined(
      "many-problems",
      { packs: [pack("first-bad", { tamper: "missing-signature" }), pack("second-bad", { tamper: "missing-file" })] },
      "first-bad-1.0.0.zst: missing signature file first-bad-1.0.0.sig.bin (and 1 more)",
    );
    expect((row.details as { findings: unknown[] }).findings).toEqual([
      { file: "first-bad-1.0.0.zst", problem: "missing signature file first-bad-1.0.0.sig.bin" },
      { file: "second-bad-1.0.0.zst", problem: "listed in release.json but missing from the release folder" },
    ]);
  });

  it("goes on with the other releases of the run after quarantining one", async () => {
    await dropRelease(env, "run-bad", { packs: [pack("run-bad-pack", { tamper: "bad-signature" })] });
    await dropRelease(env, "run-good", { packs: [pack("run-good-pack")] });

    const summary = await syncAndSettle(env, { trigger: "cron" });

    expect(summary.quarantined.map((q) => q.releaseId)).toEqual(["run-bad"]);
    expect(summary.published).toEqual(["run-good"]);
    expect((await rowsPublishedBy(env, "run-good")).packVersions).toBe(1);
    // A quarantined release stays quarantined: the next run skips it without reading it again.
    const again = await syncAndSettle(env, { trigger: "cron" });
    expect(again.quarantined).toEqual([]);
    expect((await releaseRow(env, "run-bad"))!.status).toBe("quarantined");
  });
});
