// The checks the sync runs when it claims a release and the Workflow runs again before it publishes
// (worker/sync/check-release.ts): each refusal names why and, once the signature verified, which
// release and key it was; the Workflow's recheck refuses a release.json that changed in between.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { primary } from "../../worker/db/client";
import { config } from "../../worker/env";
import { checkRelease } from "../../worker/sync/check-release";
import { dropRelease, writeReleaseJson } from "./support/releases";

const check = (releaseId: string, expectSha256?: string, now = Date.now()) =>
  checkRelease(primary(env), env.ARTIFACTS, releaseId, {
    keys: config(env).TRUSTED_PUBLIC_KEYS,
    audience: config(env).RELEASE_AUDIENCE,
    now,
    expectSha256,
  });

describe("checkRelease", () => {
  it("passes a signed, fresh release with its plan, signing key and the sha256 of the bytes that verified", async () => {
    const { manifest } = await dropRelease(env, "check-ok", { packs: [{ name: "addon-check-ok", version: "1.0.0" }] });
    const checked = await check("check-ok");
    expect(checked.ok).toBe(true);
    if (!checked.ok) return;
    expect(checked.keyId).toBe(manifest.keyId);
    expect(checked.release.releaseId).toBe("check-ok");
    expect(checked.plan.newPacks.map((f) => f.pack.name)).toEqual(["addon-check-ok"]);
    expect(checked.signed.manifestSha256).toMatch(/^[0-9a-f]{64}$/);
    // The same bytes pass the Workflow's recheck.
    expect((await check("check-ok", checked.signed.manifestSha256)).ok).toBe(true);
  });

  it("refuses a release.json that changed since the sync checked it, naming the release and its key", async () => {
    const { manifest } = await dropRelease(env, "check-swapped", {
      packs: [{ name: "addon-check-swapped", version: "1.0.0" }],
    });
    const first = await check("check-swapped");
    if (!first.ok) throw new Error(first.findings[0].problem);
    // Re-signed by the same trusted key, but not the bytes whose files were verified.
    const privateKeys = JSON.parse(env.TEST_SIGNING_KEYS) as Record<string, string>;
    const later = new Date(Date.parse(manifest.expiresAt) + 60_000).toISOString();
    await writeReleaseJson(env, "check-swapped", { ...manifest, expiresAt: later }, privateKeys["test-ec"]);
    const again = await check("check-swapped", first.signed.manifestSha256);
    expect(again).toMatchObject({
      ok: false,
      findings: [{ problem: "release.json changed while its files were verified" }],
      keyId: manifest.keyId,
      release: { releaseId: "check-swapped" },
    });
  });

  it("refuses an expired manifest with the release known, and an untrusted one without it", async () => {
    await dropRelease(env, "check-expired", {
      packs: [{ name: "addon-check-expired", version: "1.0.0" }],
      releaseJson: (m) => ({ ...m, expiresAt: new Date(Date.now() - 1000).toISOString() }),
    });
    const expired = await check("check-expired");
    expect(expired.ok).toBe(false);
    if (expired.ok) return;
    expect(expired.findings[0].problem).toMatch(/^release\.json expired at /);
    expect(expired.release?.releaseId).toBe("check-expired");

    await dropRelease(env, "check-untrusted", {
      packs: [{ name: "addon-check-untrusted", version: "1.0.0" }],
      signManifestWith: "untrusted",
    });
    const untrusted = await check("check-untrusted");
    expect(untrusted).toMatchObject({ ok: false, findings: [{ problem: /does not verify with any trusted key/ }] });
    expect(untrusted.ok === false && untrusted.release).toBeUndefined();
  });

  it("refuses what the plan refuses against the catalog as it is now", async () => {
    await dropRelease(env, "check-unknown-product", {
      installers: [{ kind: "iso", product: "no-such-product", productVersion: "1.0.0" }],
    });
    const checked = await check("check-unknown-product");
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(checked.findings.map((f) => f.problem).join("\n")).toMatch(/no-such-product/);
  });
});
