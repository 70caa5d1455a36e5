import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { count, desc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { catalogGeneration } from "../../worker/catalog/generation";
import { versionSortKey } from "../../worker/domain/vocabulary";
import { publishStatements } from "../../worker/db/publish-batch";
import { CLAIM_LEASE_MS, claimRelease } from "../../worker/db/releases";
import {
  packDependencies,
  packs,
  packVersionArches,
  packVersionClouds,
  packVersionProducts,
  packVersions,
  packVersionUseCases,
  products,
  productVersions,
  releaseArtifacts,
  syncRuns,
} from "../../worker/db/schema";
import worker from "../../worker/index";
import { hex } from "../../worker/encoding";
import { primary } from "../../worker/db/client";
import {
  dropRelease,
  PALETTE_ENTERPRISE,
  releaseRow as releaseRowOf,
  rowsPublishedBy as rowsOf,
  storedAsIf,
  writeReleaseJson,
} from "./support/releases";
import { releaseSettled, syncAndSettle } from "./support/sync";

const db = () => primary(env);
const sha256Of = async (key: string) =>
  hex(await crypto.subtle.digest("SHA-256", await (await env.ARTIFACTS.get(key))!.arrayBuffer()));
const releaseRow = (id: string) => releaseRowOf(env, id);
const rowsPublishedBy = (id: string) => rowsOf(env, id);

describe("catalog sync: publishing", () => {
  it("publishes a good release in one batch: rows visible, generation bumped once, run recorded", async () => {
    const dropped = await dropRelease(env, "2026-11-0", {
      products: [PALETTE_ENTERPRISE],
      packs: [
        {
          name: "kubernetes",
          version: "1.30.1",
          layer: "k8s",
          cloudTypes: ["aws", "vsphere"],
          architectures: ["amd64", "arm64"],
          useCases: ["controller", "agent"],
          products: [{ product: "palette-enterprise", minVersion: "4.6.0", maxVersion: "4.7.99" }],
        },
        {
          name: "cni-calico",
          version: "3.29.2",
          layer: "cni",
          addonType: "network",
          dependencies: [{ packName: "kubernetes", layer: "k8s", minVersion: "1.29.0", type: "required" }],
        },
      ],
      installers: [
        { product: "palette-enterprise", productVersion: "4.6.12", kind: "content-bundle" },
        { product: "palette-enterprise", productVersion: "4.6.12", kind: "iso" },
      ],
    });
    const before = await catalogGeneration(db());

    const summary = await syncAndSettle(env, { trigger: "cron" });

    expect(summary).toMatchObject({
      trigger: "cron",
      published: ["2026-11-0"],
      quarantined: [],
      uploading: [],
      skipped: 0,
      failed: [],
    });
    expect(await catalogGeneration(db())).toBe(before + 1);

    const k8s = await db().select().from(packVersions).where(eq(packVersions.id, "kubernetes@1.30.1")).get();
    expect(k8s).toMatchObject({
      packName: "kubernetes",
      versionKey: versionSortKey("1.30.1"),
      fileName: "kubernetes-1.30.1.zst",
      // The verified copies, content-addressed, each pinned to the etag R2 gave it.
      objectKey: `blobs/sha256/${dropped.files["kubernetes-1.30.1.zst"].sha256}`,
      objectEtag: (await env.ARTIFACTS.head(`blobs/sha256/${dropped.files["kubernetes-1.30.1.zst"].sha256}`))!.etag,
      signatureFileName: "kubernetes-1.30.1.sig.bin",
      signatureKey: `blobs/sha256/${await sha256Of("incoming/2026-11-0/kubernetes-1.30.1.sig.bin")}`,
      size: dropped.files["kubernetes-1.30.1.zst"].size,
      sha256: dropped.files["kubernetes-1.30.1.zst"].sha256,
      keyId: "test-ec",
      releaseId: "2026-11-0",
      yanked: false,
    });
    expect(k8s!.signatureSize).toBe((await env.ARTIFACTS.head("incoming/2026-11-0/kubernetes-1.30.1.sig.bin"))!.size);

    const id = "kubernetes@1.30.1";
    const clouds = await db()
      .select({ cloud: packVersionClouds.cloud })
      .from(packVersionClouds)
      .where(eq(packVersionClouds.packVersionId, id));
    expect(clouds.map((r) => r.cloud).sort()).toEqual(["aws", "vsphere"]);
    const arches = await db()
      .select({ arch: packVersionArches.arch })
      .from(packVersionArches)
      .where(eq(packVersionArches.packVersionId, id));
    expect(arches.map((r) => r.arch).sort()).toEqual(["amd64", "arm64"]);
    const useCases = await db()
      .select({ u: packVersionUseCases.useCase })
      .from(packVersionUseCases)
      .where(eq(packVersionUseCases.packVersionId, id));
    expect(useCases.map((r) => r.u).sort()).toEqual(["agent", "controller"]);
    expect(await db().select().from(packVersionProducts).where(eq(packVersionProducts.packVersionId, id))).toEqual([
      {
        packVersionId: id,
        productId: "palette-enterprise",
        minVersion: "4.6.0",
        maxVersion: "4.7.99",
        minVersionKey: versionSortKey("4.6.0"),
        maxVersionKey: versionSortKey("4.7.99"),
      },
    ]);
    // Both versions' child lists are kept in one value too, as a compatibility page reads them.
    const kept = await db()
      .select({ id: packVersions.id, assessed: packVersions.assessed })
      .from(packVersions)
      .orderBy(packVersions.id);
    const sorted = (text: string | null) => text?.split(",").sort().join(",");
    expect(
      kept.map(({ id, assessed }) => {
        const [arches, clouds, useCases, products, dependencies] = JSON.parse(assessed ?? "[]");
        return { id, lists: [sorted(arches), sorted(clouds), sorted(useCases), products, dependencies] };
      }),
    ).toEqual([
      {
        id: "cni-calico@3.29.2",
        lists: [
          "amd64",
          "all",
          "addon",
          [["palette-enterprise", null, null]],
          [["kubernetes", "k8s", "required", "1.29.0", null]],
        ],
      },
      {
        id: "kubernetes@1.30.1",
        lists: ["amd64,arm64", "aws,vsphere", "agent,controller", [["palette-enterprise", "4.6.0", "4.7.99"]], []],
      },
    ]);
    expect(
      await db().select().from(packDependencies).where(eq(packDependencies.packVersionId, "cni-calico@3.29.2")),
    ).toEqual([
      {
        packVersionId: "cni-calico@3.29.2",
        packName: "kubernetes",
        layer: "k8s",
        minVersion: "1.29.0",
        maxVersion: null,
        type: "required",
      },
    ]);
    expect(await db().select().from(packs).where(eq(packs.name, "cni-calico")).get()).toMatchObject({
      layer: "cni",
      addonType: "network",
      source: "spectrocloud",
    });

    expect(await db().select().from(products).where(eq(products.id, "palette-enterprise")).get()).toMatchObject({
      name: "Palette Enterprise",
      applianceName: "Palette Enterprise Appliance",
    });
    expect(await db().select().from(productVersions)).toMatchObject([
      {
        productId: "palette-enterprise",
        version: "4.6.12",
        versionKey: versionSortKey("4.6.12"),
        releaseId: "2026-11-0",
      },
    ]);
    const installers = await db().select().from(releaseArtifacts).orderBy(releaseArtifacts.kind);
    expect(installers.map((r) => [r.kind, r.fileName, r.signatureFileName, r.objectKey])).toEqual([
      [
        "content-bundle",
        "palette-enterprise-4.6.12.tar.zst",
        "palette-enterprise-4.6.12.tar.sig.bin",
        `blobs/sha256/${dropped.files["palette-enterprise-4.6.12.tar.zst"].sha256}`,
      ],
      [
        "iso",
        "palette-enterprise-appliance-4.6.12.iso",
        "palette-enterprise-appliance-4.6.12.iso.sig.bin",
        `blobs/sha256/${dropped.files["palette-enterprise-appliance-4.6.12.iso"].sha256}`,
      ],
    ]);

    const release = await releaseRow("2026-11-0");
    expect(release).toMatchObject({ status: "published", reason: null, fileCount: 4, runId: summary.runId });
    expect(release!.totalBytes).toBe(Object.values(dropped.files).reduce((sum, f) => sum + f.size, 0));
    const run = await db().select().from(syncRuns).where(eq(syncRuns.id, summary.runId)).get();
    expect(run).toMatchObject({ trigger: "cron", verifying: 1, quarantined: 0, uploading: 0, skipped: 0, error: null });
    expect(run!.finishedAt).toBeGreaterThanOrEqual(run!.startedAt);
  });

  it("re-running is harmless: the published release is skipped, not re-read, and nothing is duplicated", async () => {
    const generation = await catalogGeneration(db());
    const [{ n: rowsBefore }] = await db().select({ n: count() }).from(packVersions);
    // Were the sync to re-verify, these altered bytes would quarantine the release.
    await env.ARTIFACTS.put("incoming/2026-11-0/kubernetes-1.30.1.zst", "tampered after publishing");

    const summary = await syncAndSettle(env, { trigger: "admin" });

    expect(summary).toMatchObject({ published: [], quarantined: [], skipped: 1 });
    expect((await releaseRow("2026-11-0"))!.status).toBe("published");
    const [{ n: rowsAfter }] = await db().select({ n: count() }).from(packVersions);
    expect(rowsAfter).toBe(rowsBefore);
    expect(await catalogGeneration(db())).toBe(generation);
  });

  it("leaves a release without release.json alone, then publishes it once release.json arrives", async () => {
    const dropped = await dropRelease(env, "2026-11-1", {
      packs: [{ name: "csi-aws-ebs", version: "1.35.0", layer: "csi" }],
      releaseJson: false,
    });

    const first = await syncAndSettle(env, { trigger: "cron" });
    expect(first.uploading).toEqual(["2026-11-1"]);
    expect(first.published).toEqual([]);
    expect(await releaseRow("2026-11-1")).toBeUndefined();
    expect(await rowsPublishedBy("2026-11-1")).toEqual({ packVersions: 0, releaseArtifacts: 0, productVersions: 0 });
    expect((await db().select().from(syncRuns).where(eq(syncRuns.id, first.runId)).get())!.uploading).toBe(1);

    await writeReleaseJson(env, "2026-11-1", dropped.manifest);
    const second = await syncAndSettle(env, { trigger: "cron" });
    expect(second.uploading).toEqual([]);
    expect(second.published).toEqual(["2026-11-1"]);
    expect((await rowsPublishedBy("2026-11-1")).packVersions).toBe(1);
  });

  it("verifies an RSA (PKCS#1 v1.5) signed release, and a release mixing keys per file", async () => {
    await dropRelease(env, "rsa-release", { keyId: "test-rsa", packs: [{ name: "addon-rsa", version: "2.0.0" }] });
    await dropRelease(env, "mixed-keys", {
      keyId: "test-ec",
      packs: [
        { name: "addon-ec", version: "1.0.0" },
        { name: "addon-rsa", version: "2.1.0", keyId: "test-rsa" },
      ],
    });

    const summary = await syncAndSettle(env, { trigger: "cron" });

    expect(summary.quarantined).toEqual([]);
    expect(summary.published.sort()).toEqual(["mixed-keys", "rsa-release"]);
    const keyIds = await db()
      .select({ id: packVersions.id, keyId: packVersions.keyId })
      .from(packVersions)
      .where(eq(packVersions.packName, "addon-rsa"));
    expect(keyIds.sort((a, b) => a.id.localeCompare(b.id))).toEqual([
      { id: "addon-rsa@2.0.0", keyId: "test-rsa" },
      { id: "addon-rsa@2.1.0", keyId: "test-rsa" },
    ]);
  });

  it("publishes a release that re-lists an already published file with identical bytes", async () => {
    const generation = await catalogGeneration(db());
    await dropRelease(env, "relist", {
      packs: [
        { name: "csi-aws-ebs", version: "1.35.0", layer: "csi" }, // same bytes as release 2026.11.1
        { name: "csi-aws-ebs", version: "1.36.0", layer: "csi" },
      ],
    });

    const summary = await syncAndSettle(env, { trigger: "cron" });

    expect(summary.published).toEqual(["relist"]);
    expect(await catalogGeneration(db())).toBe(generation + 1);
    const rows = await db()
      .select({ id: packVersions.id, releaseId: packVersions.releaseId })
      .from(packVersions)
      .where(eq(packVersions.packName, "csi-aws-ebs"));
    expect(rows.sort((a, b) => a.id.localeCompare(b.id))).toEqual([
      { id: "csi-aws-ebs@1.35.0", releaseId: "2026-11-1" },
      { id: "csi-aws-ebs@1.36.0", releaseId: "relist" },
    ]);
    expect((await releaseRow("relist"))!.details).toMatchObject({ alreadyPublished: ["csi-aws-ebs-1.35.0.zst"] });
  });

  it("takes over a claim whose lease ran out, but not a live one", async () => {
    await dropRelease(env, "crashed-run", { packs: [{ name: "addon-lease", version: "1.0.0" }] });
    const claimedAt = Date.now();
    expect(await claimRelease(db(), "crashed-run", "a-run-that-died", claimedAt)).toBe(true);

    const live = await syncAndSettle(env, { trigger: "cron", now: claimedAt + 60_000 });
    expect(live).toMatchObject({ published: [], skipped: expect.any(Number) });
    expect((await releaseRow("crashed-run"))!).toMatchObject({ status: "processing", runId: "a-run-that-died" });

    const later = await syncAndSettle(env, { trigger: "cron", now: claimedAt + CLAIM_LEASE_MS + 60_000 });
    expect(later.published).toEqual(["crashed-run"]);
    expect((await releaseRow("crashed-run"))!).toMatchObject({ status: "published", runId: later.runId });
  });

  it("publishes in one transaction: a batch that collides with a racing publish leaves nothing behind", async () => {
    const dropped = await dropRelease(env, "racing", {
      products: [{ id: "palette-racing", name: "Palette Racing", applianceName: "Racing Appliance" }],
      packs: [
        { name: "addon-racing", version: "1.0.0" },
        { name: "addon-ec", version: "1.0.0" },
      ],
    });
    expect(await claimRelease(db(), "racing", "racing-run", Date.now())).toBe(true);
    const generation = await catalogGeneration(db());
    const [addonRacing, addonEc] = dropped.manifest.files.filter((f) => f.kind === "pack");
    const statements = publishStatements(db(), {
      release: dropped.manifest,
      keyId: "test-ec",
      stored: storedAsIf(dropped.manifest),
      // As if another run had published addon-ec 1.0.0 between our check and our batch.
      newPacks: [addonRacing, addonEc],
      newInstallers: [],
      productWrites: dropped.manifest.products.map((entry) => ({ entry, change: "create" as const })),
      runId: "racing-run",
      now: Date.now(),
      details: {},
    });

    await expect(db().batch(statements)).rejects.toThrow(/UNIQUE|constraint/i);

    expect(await db().select().from(products).where(eq(products.id, "palette-racing")).get()).toBeUndefined();
    expect(await db().select().from(packs).where(eq(packs.name, "addon-racing")).get()).toBeUndefined();
    expect(await catalogGeneration(db())).toBe(generation);
  });

  it("only the run holding the claim can publish: a run whose lease was taken over commits nothing", async () => {
    const dropped = await dropRelease(env, "lost-lease", { packs: [{ name: "addon-lost", version: "1.0.0" }] });
    const claimedAt = Date.now() - CLAIM_LEASE_MS - 1;
    expect(await claimRelease(db(), "lost-lease", "slow-run", claimedAt)).toBe(true);
    expect(await claimRelease(db(), "lost-lease", "newer-run", Date.now())).toBe(true);
    const generation = await catalogGeneration(db());
    const publish = (runId: string) =>
      db().batch(
        publishStatements(db(), {
          release: dropped.manifest,
          keyId: "test-ec",
          stored: storedAsIf(dropped.manifest),
          newPacks: dropped.manifest.files.filter((f) => f.kind === "pack"),
          newInstallers: [],
          productWrites: [],
          runId,
          now: Date.now(),
          details: {},
        }),
      );

    await expect(publish("slow-run")).rejects.toThrow(/UNIQUE|constraint/i);
    expect(await db().select().from(packs).where(eq(packs.name, "addon-lost")).get()).toBeUndefined();
    expect(await catalogGeneration(db())).toBe(generation);

    await publish("newer-run");
    expect((await releaseRow("lost-lease"))!).toMatchObject({ status: "published", runId: "newer-run" });
    expect(await catalogGeneration(db())).toBe(generation + 1);
  });

  it("the Cron Trigger runs the same sync and records the run as cron", async () => {
    await dropRelease(env, "via-cron", { packs: [{ name: "addon-cron", version: "1.0.0" }] });

    await worker.scheduled(createScheduledController({ cron: "*/10 * * * *" }), env);
    await releaseSettled("via-cron");

    expect((await releaseRow("via-cron"))!.status).toBe("published");
    const [latest] = await db().select().from(syncRuns).orderBy(desc(syncRuns.startedAt)).limit(1);
    expect(latest).toMatchObject({ trigger: "cron", verifying: 1, error: null });
  });
});

describe("catalog sync: an unexpected failure", () => {
  it("records the error, gives the claim back at once, and the next run publishes the release", async () => {
    await dropRelease(env, "2026-11-outage", {
      packs: [{ name: "outage-probe", version: "1.0.0", layer: "addon", addonType: "monitoring" }],
    });
    // R2 fails once while the release is read: an outage, not something wrong with the release.
    let failures = 0;
    const flakyBucket = new Proxy(env.ARTIFACTS, {
      get(target, prop) {
        if (prop === "get") {
          return async (key: string, options?: R2GetOptions) => {
            if (key.endsWith("2026-11-outage/release.json") && failures++ === 0) throw new Error("R2 is unavailable");
            return target.get(key, options);
          };
        }
        const value = Reflect.get(target, prop);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });

    const first = await syncAndSettle({ ...env, ARTIFACTS: flakyBucket }, { trigger: "cron" });
    expect(first.failed).toEqual([{ releaseId: "2026-11-outage", error: "R2 is unavailable" }]);
    expect(first.published).not.toContain("2026-11-outage");
    const failed = await releaseRow("2026-11-outage");
    expect(failed).toMatchObject({
      status: "processing",
      reason: "sync error (will retry): R2 is unavailable",
      claimedAt: 0,
    });
    expect((await rowsPublishedBy("2026-11-outage")).packVersions).toBe(0);

    const second = await syncAndSettle(env, { trigger: "cron" });
    expect(second.published).toContain("2026-11-outage");
    expect(await releaseRow("2026-11-outage")).toMatchObject({ status: "published" });
  });
});
