// Key incidents, tried as the issue did with a second trusted key that then "leaked": revoking it in
// TRUSTED_PUBLIC_KEYS takes what it signed out of every path within one request; the publisher's
// re-signed release brings the same bytes back under a new key (a version yanked by hand stays
// yanked); a key past notAfter keeps what it signed; and a key yank rolls back the product and pack
// metadata the key wrote, so search forgets it and the next honest release publishes.
import { displaySortKey } from "../../worker/domain/display-sort";
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { app } from "../../worker/app";
import { primary } from "../../worker/db/client";
import { auditEvents, distrustedKeys, packs, packVersions, products, releaseArtifacts } from "../../worker/db/schema";
import { loadLiveGrant } from "../../worker/downloads/granting";
import { keyDistrust } from "../../worker/key-status";
import type { ReleaseManifest } from "../../worker/sync/release-manifest";
import { dropRelease, PALETTE_ENTERPRISE, type ProductSpec } from "./support/releases";
import { forgetKeyIncidents } from "./support/key-trust";
import { syncAndSettle } from "./support/sync";

afterEach(() => forgetKeyIncidents(env));

const db = () => primary(env);
/** Each test syncs releases through Workflows; on a loaded machine that takes longer than vitest's 5 s. */
const SYNC_TIMEOUT_MS = 60_000;
const ADMIN = { Authorization: `Bearer ${env.ADMIN_TOKEN}`, "Content-Type": "application/json" };
const packRow = (id: string) => db().select().from(packVersions).where(eq(packVersions.id, id)).get();
const installerRow = (file: string) =>
  db().select().from(releaseArtifacts).where(eq(releaseArtifacts.fileName, file)).get();

// The tests of this file share one catalog. test-rsa is the key that leaks (revoked or yanked), and
// each test forgets the incident after it. The Workflow that verifies files reads the deployed
// settings, where both test keys are current, so only the sync's own checks see a test's settings.
const LEAKED = "test-rsa";

/** The settings with the leaking key's entry in TRUSTED_PUBLIC_KEYS changed: an operator's settings change. */
function withLeakKey(status: Record<string, unknown> = {}): Env {
  const keys = JSON.parse(env.TRUSTED_PUBLIC_KEYS) as { id: string }[];
  return { ...env, TRUSTED_PUBLIC_KEYS: JSON.stringify(keys.map((k) => (k.id === LEAKED ? { ...k, ...status } : k))) };
}
const revoked = () => withLeakKey({ revoked: true, revokedAt: "2026-12-01" });
/** dropRelease options for a release signed by the leaking key. */
const signedBy = () => ({ keyId: LEAKED });

/** The Worker as deployed with `on` as its settings. */
async function call(on: Env, path: string, init?: RequestInit): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await app.fetch(new Request(new URL(path, "http://studio.test"), init), on, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}
const grantOf = (on: Env, selection: unknown) =>
  call(on, "/api/v1/grants", {
    method: "POST",
    headers: { "Content-Type": "application/json", "CF-Connecting-IP": "198.51.100.77" },
    body: JSON.stringify(selection),
  });
type Grant = { capability: string; files: { url: string; sigUrl: string }[]; links: Record<string, string> };
const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; message: string } }).error;
const packNames = async (on: Env, query = "") =>
  ((await (await call(on, `/api/v1/packs${query}`)).json()) as { items: { name: string }[] }).items.map((i) => i.name);

const installer = (productVersion: string) => ({ product: "palette-enterprise", productVersion, kind: "iso" as const });
const isoOf = (productVersion: string) => `palette-enterprise-appliance-${productVersion}.iso`;

/** A release by the key that will leak (`key`), one by a key that stays, both published; names end in `tag`. */
async function publishLeakedAndHonest(tag: string, productVersion: string) {
  const current = withLeakKey();
  await dropRelease(env, `leaky-${tag}`, {
    ...signedBy(),
    products: [PALETTE_ENTERPRISE],
    packs: [{ name: `addon-leak-${tag}`, version: "1.0.0" }],
    installers: [installer(productVersion)],
  });
  await dropRelease(env, `honest-${tag}`, { packs: [{ name: `addon-honest-${tag}`, version: "1.0.0" }] });
  const summary = await syncAndSettle(current);
  expect(summary.published.sort(), JSON.stringify(summary.quarantined)).toEqual([`honest-${tag}`, `leaky-${tag}`]);
  return current;
}

describe("revoking a key", () => {
  it(
    "takes what it signed out of every path within one request, and the changes feed says why",
    async () => {
      const current = await publishLeakedAndHonest("a", "4.6.1");
      const ISO = isoOf("4.6.1");
      const before = (await (
        await grantOf(current, { packs: [{ name: "addon-leak-a", version: "1.0.0" }] })
      ).json()) as Grant;
      const isoGrant = (await (
        await grantOf(current, { installers: { product: "palette-enterprise", version: "4.6.1" } })
      ).json()) as Grant;
      const generation = ((await (await call(current, "/api/v1/changes?since=0")).json()) as { generation: number })
        .generation;

      const settings = revoked();
      // The very first request under the new settings already answers without it.
      expect(await packNames(settings, "?q=addon-leak-a")).toEqual([]);
      expect(await packNames(settings, "?q=addon-honest-a")).toEqual(["addon-honest-a"]);
      expect(await (await call(settings, "/packs?q=addon")).text()).not.toContain("addon-leak-a");
      // Asked for by name, the withdrawn version answers 410 with the revocation as its yank reason.
      const withdrawn = await call(settings, "/api/v1/packs/addon-leak-a/versions/1.0.0");
      expect(withdrawn.status).toBe(410);
      expect(((await withdrawn.json()) as { error: { message: string } }).error.message).toMatch(/revoked/);
      const installers = await call(settings, "/api/v1/products/palette-enterprise/versions/4.6.1/artifacts");
      expect(JSON.stringify(await installers.json())).not.toContain(ISO);

      // New grants are refused, naming the revocation.
      const packGrant = await grantOf(settings, { packs: [{ name: "addon-leak-a", version: "1.0.0" }] });
      expect(packGrant.status).toBe(409);
      expect(JSON.stringify(await packGrant.json())).toMatch(
        /addon-leak-a@1\.0\.0 was yanked: signing key test-rsa was revoked/,
      );
      const installerGrant = await grantOf(settings, {
        installers: { product: "palette-enterprise", version: "4.6.1" },
      });
      expect(installerGrant.status).toBe(409);
      expect(JSON.stringify(await installerGrant.json())).toMatch(/signing key test-rsa was revoked/);

      // Grants issued before: single files, the tar, parts, manifests and the grant itself all refuse.
      for (const url of [before.files[0].url, before.files[0].sigUrl, isoGrant.files[0].url]) {
        const res = await call(settings, url);
        expect(res.status, url).toBe(403);
        expect(await res.text()).toMatch(/signed with revoked key test-rsa/);
      }
      const grantJson = before.links["bundle.tar"].replace(/\/bundle\.tar$/, "");
      for (const link of [
        before.links["bundle.tar"],
        before.links["download.sh"],
        before.links["urls.txt"],
        `${grantJson}/urls.txt?parts=dvd`,
        `${grantJson}/bundle.tar.part-1?size=dvd`,
        grantJson,
        isoGrant.links["bundle.tar"],
      ]) {
        const res = await call(settings, link);
        expect(res.status, link).toBe(409);
        expect((await errorOf(res)).message).toMatch(
          /signed with a key it may not hand out: .* \(revoked key test-rsa\)/,
        );
      }

      // The changes feed lists the withdrawal as a yank, with its reason; the honest release is untouched.
      const changes = (await (await call(settings, `/api/v1/changes?since=${generation}`)).json()) as {
        yanked: { packs: { name: string; reason: string }[]; installers: { file: string; reason: string }[] };
      };
      expect(changes.yanked.packs).toEqual([
        expect.objectContaining({
          name: "addon-leak-a",
          reason: expect.stringMatching(/^signing key test-rsa was revoked on 2026-12-01/),
        }),
      ]);
      expect(changes.yanked.installers.map((i) => i.file)).toEqual([ISO]);
      expect(await packRow("addon-honest-a@1.0.0")).toMatchObject({ yanked: false });
      expect(await packRow("addon-leak-a@1.0.0")).toMatchObject({ yanked: true, withdrawnByKey: "test-rsa" });

      // Once: one audit record, however many requests follow.
      await call(settings, "/api/v1/packs");
      await call(revoked(), "/api/v1/packs");
      const audits = await db().select().from(auditEvents).where(eq(auditEvents.action, "revoke-key"));
      expect(audits).toEqual([
        expect.objectContaining({
          action: "revoke-key",
          details: { packVersions: ["addon-leak-a@1.0.0"], installers: [ISO] },
        }),
      ]);
    },
    SYNC_TIMEOUT_MS,
  );

  it(
    "refuses a grant's files from the settings alone, before the catalog is reconciled",
    async () => {
      const current = await publishLeakedAndHonest("b", "4.6.2");
      const grant = (await (
        await grantOf(current, { packs: [{ name: "addon-leak-b", version: "1.0.0" }] })
      ).json()) as Grant;
      // The catalog still offers it (nothing reconciled): only the revoked set from the env stands in the way.
      const distrustOn = (on: Env) => keyDistrust(JSON.parse(on.TRUSTED_PUBLIC_KEYS));
      await expect(loadLiveGrant(db(), grant.capability, Date.now(), distrustOn(revoked()))).rejects.toMatchObject({
        status: 409,
        code: "key_revoked",
      });
      await expect(loadLiveGrant(db(), grant.capability, Date.now(), distrustOn(current))).resolves.toMatchObject({
        id: expect.any(String),
      });
    },
    SYNC_TIMEOUT_MS,
  );

  it(
    "hands out nothing a key signed once the settings no longer list it, and everything again once they do",
    async () => {
      const current = await publishLeakedAndHonest("d", "4.6.4");
      const grant = (await (
        await grantOf(current, { packs: [{ name: "addon-leak-d", version: "1.0.0" }] })
      ).json()) as Grant;
      // An operator deletes the leaked key's entry instead of marking it revoked.
      const keys = JSON.parse(env.TRUSTED_PUBLIC_KEYS) as { id: string }[];
      const unlisted = { ...env, TRUSTED_PUBLIC_KEYS: JSON.stringify(keys.filter((k) => k.id !== LEAKED)) };
      const dl = await call(unlisted, grant.files[0].url);
      expect(dl.status).toBe(403);
      expect(await dl.text()).toContain(
        "addon-leak-d-1.0.0.zst is signed with key test-rsa, which this studio no longer trusts (not in TRUSTED_PUBLIC_KEYS)",
      );
      expect((await call(unlisted, grant.links["bundle.tar"])).status).toBe(409);
      const fresh = await grantOf(unlisted, { packs: [{ name: "addon-leak-d", version: "1.0.0" }] });
      expect(fresh.status).toBe(409);
      expect((await errorOf(fresh)).message).toContain("(key test-rsa, which this studio no longer trusts");
      expect((await grantOf(unlisted, { packs: [{ name: "addon-honest-d", version: "1.0.0" }] })).status).toBe(201);
      // Unlisted is not revoked: nothing was withdrawn for good, and listing the key again restores it.
      expect(await db().select().from(distrustedKeys).where(eq(distrustedKeys.keyId, LEAKED))).toEqual([]);
      expect((await call(current, grant.files[0].url)).status).toBe(200);
    },
    SYNC_TIMEOUT_MS,
  );

  it(
    "keeps what a key signed when it merely passes notAfter, and refuses its new drops",
    async () => {
      await publishLeakedAndHonest("c", "4.6.3");
      const expired = withLeakKey({ notAfter: "2026-01-31" });
      expect(await packNames(expired, "?q=addon-leak-c")).toEqual(["addon-leak-c"]);
      expect((await grantOf(expired, { packs: [{ name: "addon-leak-c", version: "1.0.0" }] })).status).toBe(201);
      const distrusted = await db().select().from(distrustedKeys).where(eq(distrustedKeys.keyId, "test-rsa"));
      expect(distrusted).toEqual([]);
      await dropRelease(env, "leaky-c2", { ...signedBy(), packs: [{ name: "addon-leak-c", version: "1.1.0" }] });
      expect((await syncAndSettle(expired)).quarantined).toContainEqual({
        releaseId: "leaky-c2",
        reason: "release.json is signed by key test-rsa, which expired 2026-01-31",
      });
      expect(await packRow("addon-leak-c@1.0.0")).toMatchObject({ yanked: false, keyId: "test-rsa" });
    },
    SYNC_TIMEOUT_MS,
  );
});

describe("rotating to a new key", () => {
  it(
    "moves the same bytes to the new key, brings back what the revocation withdrew, and leaves a hand-yanked version yanked",
    async () => {
      const ISO = isoOf("4.7.0");
      const leaky = {
        products: [PALETTE_ENTERPRISE],
        packs: [
          { name: "addon-rot", version: "1.0.0" },
          { name: "addon-rot", version: "1.1.0" },
        ],
        installers: [installer("4.7.0")],
      };
      const current = withLeakKey();
      await dropRelease(env, "rot-1", { ...signedBy(), ...leaky });
      expect((await syncAndSettle(current)).published).toEqual(["rot-1"]);
      const yank = await call(current, "/api/v1/admin/packs/addon-rot/versions/1.1.0/yank", {
        method: "POST",
        headers: ADMIN,
        body: JSON.stringify({ reason: "broken chart" }),
      });
      expect(yank.status).toBe(200);
      const first = { v1: (await packRow("addon-rot@1.0.0"))!, iso: (await installerRow(ISO))! };
      const oldGrant = (await (
        await grantOf(current, { packs: [{ name: "addon-rot", version: "1.0.0" }] })
      ).json()) as Grant;

      const settings = revoked();
      expect(await packNames(settings, "?q=addon-rot")).toEqual([]);
      await dropRelease(env, "rot-2", { keyId: "test-ec", ...leaky });
      expect((await syncAndSettle(settings)).published).toEqual(["rot-2"]);

      const v1 = (await packRow("addon-rot@1.0.0"))!;
      expect(v1).toMatchObject({ yanked: false, withdrawnByKey: null, keyId: "test-ec", releaseId: "rot-2" });
      // Not a new version: the same bytes and blob, a new signature.
      expect([v1.sha256, v1.objectKey, v1.objectEtag, v1.size]).toEqual([
        first.v1.sha256,
        first.v1.objectKey,
        first.v1.objectEtag,
        first.v1.size,
      ]);
      expect(v1.signatureKey).not.toBe(first.v1.signatureKey);
      expect(await packRow("addon-rot@1.1.0")).toMatchObject({
        yanked: true,
        yankReason: "broken chart",
        keyId: "test-ec",
      });
      expect(await installerRow(ISO)).toMatchObject({
        yanked: false,
        keyId: "test-ec",
        sha256: first.iso.sha256,
        objectKey: first.iso.objectKey,
      });
      expect(await packNames(settings, "?q=addon-rot")).toEqual(["addon-rot"]);

      // A new grant serves it; the grant from before the rotation (old signature, revoked key) does not.
      expect((await grantOf(settings, { packs: [{ name: "addon-rot", version: "1.0.0" }] })).status).toBe(201);
      expect((await call(settings, oldGrant.links["bundle.tar"])).status).toBe(409);
      expect(await (await call(settings, oldGrant.files[0].url)).text()).toMatch(/revoked key test-rsa/);
      // Settings that list the old key as current again (an isolate of the previous version) lift
      // nothing, and the old grant would hand out the old signature: refused.
      const stale = withLeakKey();
      expect(await (await call(stale, oldGrant.files[0].url)).text()).toMatch(
        /re-signed with key test-ec since this grant was issued/,
      );
      expect(await packNames(stale, "?q=addon-leak")).toEqual([]);

      // A "re-sign" that says something else about the version is still refused.
      await dropRelease(env, "rot-3", {
        keyId: "test-ec",
        packs: [{ name: "addon-rot", version: "1.0.0", cloudTypes: ["aws"] }],
      });
      const refused = (await syncAndSettle()).quarantined.find((q) => q.releaseId === "rot-3");
      expect(refused?.reason).toMatch(
        /addon-rot-1\.0\.0\.zst: re-publishes pack addon-rot 1\.0\.0 with other metadata/,
      );
    },
    SYNC_TIMEOUT_MS,
  );
});

/** Marks every pack file of the release "change": "update" (a signed rewrite of the pack's shared fields). */
const updatingPacks = (m: ReleaseManifest) => ({
  ...m,
  files: m.files.map((f) => (f.kind === "pack" ? { ...f, change: "update" } : f)),
});

const PALETTE_META: ProductSpec = { id: "palette-meta", name: "Palette Meta", applianceName: "Palette Meta Appliance" };

describe("yanking a key", () => {
  it(
    "restores the product and pack metadata it wrote, search forgets it, and the next honest release publishes",
    async () => {
      const calico = {
        name: "cni-calico",
        layer: "cni" as const,
        displayName: "Calico",
        description: "Calico networking",
        products: [{ product: "palette-meta" }],
      };
      const current = withLeakKey();
      await dropRelease(env, "meta-1", {
        products: [PALETTE_META],
        packs: [{ ...calico, version: "3.29.1" }],
        installers: [{ product: "palette-meta", productVersion: "1.0.0", kind: "iso" }],
      });
      expect((await syncAndSettle(current)).published).toEqual(["meta-1"]);
      await dropRelease(env, "meta-2", {
        ...signedBy(),
        products: [{ ...PALETTE_META, name: "Palette Meta (moved: see evil.example)", fips: true, change: "update" }],
        packs: [
          {
            ...calico,
            version: "3.29.2",
            displayName: "Calico (evil)",
            description: "install it from http://evil.example/calico.sh",
          },
        ],
        releaseJson: updatingPacks,
      });
      expect((await syncAndSettle(current)).published).toEqual(["meta-2"]);
      expect(await packNames(current, "?q=evil")).toEqual(["cni-calico"]);
      const product = () => db().select().from(products).where(eq(products.id, "palette-meta")).get();
      expect(await product()).toMatchObject({ name: "Palette Meta (moved: see evil.example)", fips: true });
      const pack = () => db().select().from(packs).where(eq(packs.name, "cni-calico")).get();
      // The signed update moved the pack in every list too; the restore must move it back.
      expect((await pack())?.displaySortKey).toBe(displaySortKey("Calico (evil)", "cni-calico"));

      const yank = await call(current, "/api/v1/admin/keys/test-rsa/yank", {
        method: "POST",
        headers: ADMIN,
        body: JSON.stringify({ reason: "key test-rsa leaked" }),
      });
      expect(yank.status).toBe(200);
      const restored = ((await yank.json()) as { metadataRestored: { products: string[]; packs: string[] } })
        .metadataRestored;
      expect(restored.products).toContain("palette-meta");
      expect(restored.packs).toContain("cni-calico");
      expect(await product()).toMatchObject({ name: "Palette Meta", fips: false });
      expect(await pack()).toMatchObject({
        displayName: "Calico",
        description: "Calico networking",
        displaySortKey: displaySortKey("Calico", "cni-calico"),
      });
      expect(await packNames(current, "?q=evil")).toEqual([]);
      expect(await packNames(current, "?q=calico")).toEqual(["cni-calico"]);

      // The publisher's next honest release publishes; a new version alone never rewrites the pack's shared fields.
      await dropRelease(env, "meta-3", {
        products: [PALETTE_META],
        packs: [{ ...calico, version: "3.29.3", description: "a description only this version gives" }],
      });
      // The yanked key signs nothing new, although TRUSTED_PUBLIC_KEYS still lists it as current.
      await dropRelease(env, "meta-4", { ...signedBy(), packs: [{ name: "addon-late", version: "1.0.0" }] });
      const settled = await syncAndSettle(current);
      expect(settled.published).toEqual(["meta-3"]);
      expect(settled.quarantined.find((q) => q.releaseId === "meta-4")?.reason).toMatch(
        /signed under key test-rsa, which the catalog distrusts \(an admin yanked it\)/,
      );
      expect(await pack()).toMatchObject({ displayName: "Calico", description: "Calico networking" });
    },
    SYNC_TIMEOUT_MS,
  );
});
