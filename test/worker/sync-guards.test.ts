// Guards of the sync that its other tests left unchecked: the claim's lease in SQL (a live claim
// cannot be taken twice), the UNIQUE constraint that makes a racing publish of the same installer
// fail as a whole, blobs planted in the bucket ahead of a release, a release.json swapped while its
// files verify, and file names that would leave the release folder or hide in it.
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { primary } from "../../worker/db/client";
import { publishStatements } from "../../worker/db/publish-batch";
import { CLAIM_LEASE_MS, claimRelease } from "../../worker/db/releases";
import { packVersions, releases } from "../../worker/db/schema";
import { sha256Hex } from "../../worker/encoding";
import { blobKey, releaseFolder } from "../../worker/storage";
import { type InstallerFile, type PackFile, releaseManifest } from "../../worker/sync/release-manifest";
import { runSync } from "../../worker/sync/run";
import type { VerifyReleaseParams } from "../../worker/sync/workflow";
import {
  dropRelease,
  releaseRow,
  rowsPublishedBy,
  storedAsIf,
  testSigningKey,
  writeReleaseJson,
} from "./support/releases";
import { syncAndSettle, workflowFinished } from "./support/sync";

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

const packRow = (id: string) => db().select().from(packVersions).where(eq(packVersions.id, id)).get();
const blobBytes = async (key: string) => new Uint8Array(await (await env.ARTIFACTS.get(key))!.arrayBuffer());

describe("blobs planted in the bucket before a release arrives", () => {
  it("replaces a planted blob that holds other bytes under a file's sha256, never pinning it (mutant blob-reused-unchecked)", async () => {
    // Anyone who can write the bucket can guess the blob key of a file about to be published
    // (blobs/sha256/<its sha256>, listed in the signed release.json) and put their own bytes there first.
    const release = await dropRelease(env, "planted-blob", { packs: [{ name: "addon-planted", version: "1.0.0" }] });
    const { sha256, size } = release.files["addon-planted-1.0.0.zst"];
    const evil = new Uint8Array(size).fill(0x41);
    await env.ARTIFACTS.put(blobKey(sha256), evil);

    expect((await syncAndSettle(env)).published).toContain("planted-blob");
    const row = (await packRow("addon-planted@1.0.0"))!;
    expect(row.objectKey).toBe(blobKey(sha256));
    expect(await sha256Hex(await blobBytes(row.objectKey))).toBe(sha256);
    expect(row.objectEtag).toBe((await env.ARTIFACTS.head(row.objectKey))!.etag);
  });

  it("re-checks the signature of a file whose bytes an earlier release already stored (mutants blob-reused-unchecked, blob-reuse-signature-unchecked)", async () => {
    const content = "bytes published once with a good signature";
    await dropRelease(env, "reuse-good", { packs: [{ name: "addon-reuse-good", version: "1.0.0", content }] });
    expect((await syncAndSettle(env)).published).toContain("reuse-good");
    // The same bytes again, now with a signature by a key nobody trusts: the blob exists, but the
    // release's own signature over it must still verify.
    await dropRelease(env, "reuse-bad-sig", {
      packs: [{ name: "addon-reuse-bad", version: "1.0.0", content, tamper: "bad-signature" }],
    });
    const summary = await syncAndSettle(env);
    expect(summary.published).not.toContain("reuse-bad-sig");
    expect(summary.quarantined).toContainEqual({
      releaseId: "reuse-bad-sig",
      reason: "addon-reuse-bad-1.0.0.zst: signature does not verify with key test-ec",
    });
    expect(await packRow("addon-reuse-bad@1.0.0")).toBeUndefined();
  });

  it("replaces a planted blob under a signature's sha256, so the .sig.bin served is the one that verified (mutant small-blob-reused-unchecked)", async () => {
    await dropRelease(env, "planted-sig", { packs: [{ name: "addon-planted-sig", version: "1.0.0" }] });
    const signature = await blobBytes(`${releaseFolder("planted-sig")}addon-planted-sig-1.0.0.sig.bin`);
    const signatureKey = blobKey(await sha256Hex(signature));
    await env.ARTIFACTS.put(signatureKey, "not the signature that verified");

    expect((await syncAndSettle(env)).published).toContain("planted-sig");
    const row = (await packRow("addon-planted-sig@1.0.0"))!;
    expect(row.signatureKey).toBe(signatureKey);
    expect(await blobBytes(row.signatureKey)).toEqual(signature);
    expect(row.signatureEtag).toBe((await env.ARTIFACTS.head(row.signatureKey))!.etag);
  });
});

describe("a file's .sig.bin is bounded before it is read", () => {
  it("quarantines a release whose .sig.bin is larger than any signature, without reading it (mutant file-signature-size-unbounded)", async () => {
    // The verify step reads a .sig.bin whole into memory: a huge one would exhaust the isolate on
    // every retry. 17 KiB is past the 16 KiB bound and far past any DER or RSA-4096 signature.
    await dropRelease(env, "huge-file-sig", { packs: [{ name: "addon-huge-sig", version: "1.0.0" }] });
    await env.ARTIFACTS.put(`${releaseFolder("huge-file-sig")}addon-huge-sig-1.0.0.sig.bin`, new Uint8Array(17 * 1024));
    expect((await syncAndSettle(env)).quarantined).toContainEqual({
      releaseId: "huge-file-sig",
      reason: "addon-huge-sig-1.0.0.zst: signature file addon-huge-sig-1.0.0.sig.bin has implausible size 17408",
    });
  });
});

describe("release.json swapped while its files are verified", () => {
  it("quarantines a release whose release.json changed (even to another validly signed one) before the publish step (mutant publish-manifest-change-unchecked)", async () => {
    const releaseId = "swapped-manifest";
    const dropped = await dropRelease(env, releaseId, { packs: [{ name: "addon-swapped", version: "1.0.0" }] });
    // Hold the Workflow back until the swap is made, so the swap lands between the sync's read and
    // the publish step's, deterministically.
    let held: { id: string; params: VerifyReleaseParams } | undefined;
    const holding = {
      ...env,
      VERIFY_RELEASE: {
        create: async (options: { id: string; params: VerifyReleaseParams }) => {
          held = options;
          return { id: options.id };
        },
        get: (id: string) => env.VERIFY_RELEASE.get(id),
      },
    } as unknown as Env;
    expect((await runSync(holding, { trigger: "admin" })).verifying).toContain(releaseId);

    // Another manifest for the same folder, signed by the same trusted key (an earlier build the
    // publisher signed, replayed by someone with bucket access): other metadata, same files.
    const replayed = structuredClone(dropped.manifest);
    const pack = replayed.files[0] as PackFile;
    pack.pack.description = "install it from http://evil.example/addon.sh";
    pack.pack.fips = true;
    await writeReleaseJson(env, releaseId, replayed, testSigningKey(env, "test-ec"));

    await env.VERIFY_RELEASE.create(held!);
    await workflowFinished(held!.id);
    expect((await releaseRow(env, releaseId))!).toMatchObject({
      status: "quarantined",
      reason: "release.json changed while its files were verified",
    });
    expect(await rowsPublishedBy(env, releaseId)).toEqual({ packVersions: 0, releaseArtifacts: 0, productVersions: 0 });
  });
});

describe("file names in release.json", () => {
  const sha = "ab".repeat(32);
  const manifestWith = (file: string) => ({
    schemaVersion: 1,
    releaseId: "names",
    keyId: "test-ec",
    audience: "production",
    expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
    products: [{ id: "palette-names", name: "Palette Names", applianceName: "Names Appliance" }],
    files: [
      {
        kind: "helm-chart",
        product: "palette-names",
        productVersion: "1.0.0",
        file,
        signature: `${file}.sig.bin`,
        size: 10,
        sha256: sha,
      },
    ],
  });

  it("accepts a plain file name", () => {
    expect(releaseManifest.safeParse(manifestWith("palette-names-1.0.0-chart.tgz")).success).toBe(true);
  });

  it.each([
    ["a path into another folder", "charts/palette-names-1.0.0-chart.tgz"],
    ["a traversal out of the release folder", "../../blobs/sha256/palette.tgz"],
    ["the parent folder itself", ".."],
    ["a hidden file", ".palette-names-chart.tgz"],
    ["a Windows path", "charts\\palette-names-chart.tgz"],
    ["a NUL that ends the name early in C tools", "palette.tgz\u0000.iso"],
    ["an absolute path", "/etc/palette-names-chart.tgz"],
  ])("refuses %s as a file name, naming the field (mutants release-file-name-*)", (_what, file) => {
    const result = releaseManifest.safeParse(manifestWith(file));
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => i.path.join("."))).toContain("files.0.file");
  });
});
