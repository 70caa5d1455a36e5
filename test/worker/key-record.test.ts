// A key's status follows the catalog's record, not only the settings: once the catalog has recorded a
// key as revoked (distrusted_keys), settings that list it as current again show it revoked everywhere a
// user reads a key's status (keys routes, /verify, publish config, admin keys, a new grant's
// spectro_public_key.pem and download.sh's X-Key-Status check). A key yanked by an admin shows "yanked".
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { app } from "../../worker/app";
import { primary } from "../../worker/db/client";
import { productVersionRows } from "../../worker/db/product-rows";
import { dropRelease, PALETTE_ENTERPRISE } from "./support/releases";
import { forgetKeyIncidents } from "./support/key-trust";
import { syncAndSettle } from "./support/sync";

afterEach(() => forgetKeyIncidents(env));

const SYNC_TIMEOUT_MS = 60_000;
const ADMIN = { Authorization: `Bearer ${env.ADMIN_TOKEN}`, "Content-Type": "application/json" };
type Key = { id: string; pem: string };
const KEYS = JSON.parse(env.TRUSTED_PUBLIC_KEYS) as Key[];
const FIRST = KEYS[0].id; // the key /spectro_public_key.pem serves while it is current
const pemOf = (id: string) => KEYS.find((k) => k.id === id)!.pem.trim();

/** The settings with key `id`'s entry changed: an operator's settings change. */
function withKey(id: string, status: Record<string, unknown>): Env {
  return { ...env, TRUSTED_PUBLIC_KEYS: JSON.stringify(KEYS.map((k) => (k.id === id ? { ...k, ...status } : k))) };
}

/** The Worker as deployed with `on` as its settings. */
async function call(on: Env, path: string, init?: RequestInit): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await app.fetch(new Request(new URL(path, "http://studio.test"), init), on, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

type ConfigKey = { id: string; status: string; revoked: boolean; revokedAt?: string; yankedAt?: string };
const configKeys = async (on: Env) =>
  ((await (await call(on, "/api/v1/publish/config")).json()) as { keys: ConfigKey[] }).keys;
const adminKeys = async (on: Env) =>
  ((await (await call(on, "/api/v1/admin/keys", { headers: ADMIN })).json()) as { keys: ConfigKey[] }).keys;

/** The PEM a grant's bundle.tar ships as spectro_public_key.pem. */
function tarredDefaultKey(tar: string): string {
  const at = tar.indexOf("/spectro_public_key.pem\0");
  expect(at).toBeGreaterThan(-1);
  const begin = tar.indexOf("-----BEGIN PUBLIC KEY-----", at);
  const end = tar.indexOf("-----END PUBLIC KEY-----", begin) + "-----END PUBLIC KEY-----".length;
  return tar.slice(begin, end);
}

const iso = (productVersion: string) => ({ product: PALETTE_ENTERPRISE.id, productVersion, kind: "iso" as const });

beforeAll(async () => {
  // Signed by the second key, so it stays offered while the first key is revoked.
  await dropRelease(env, "key-record-2026-12-0", {
    keyId: KEYS[1].id,
    products: [PALETTE_ENTERPRISE],
    packs: [{ name: "record-a", version: "1.0.0" }],
    installers: [iso("4.8.0")],
  });
  expect((await syncAndSettle(env)).published).toEqual(["key-record-2026-12-0"]);
  // The newer version's installers rest on the first key only (the product is published by then).
  await dropRelease(env, "key-record-2026-12-1", { keyId: FIRST, installers: [iso("4.9.1")] });
  const summary = await syncAndSettle(env);
  expect(summary.published, JSON.stringify(summary.quarantined)).toEqual(["key-record-2026-12-1"]);
}, SYNC_TIMEOUT_MS);

describe("a key recorded as revoked, listed as current again", () => {
  it("is revoked, with the recorded time, in publish config, admin keys, /keys/<id>.pem and /verify", async () => {
    expect((await call(withKey(FIRST, { revoked: true }), "/api/v1/publish/config")).status).toBe(200);
    const relisted = withKey(FIRST, {}); // a fresh settings object: the reconcile runs again, lifts nothing
    const first = (await configKeys(relisted)).find((k) => k.id === FIRST)!;
    expect(first).toMatchObject({ status: "revoked", revoked: true });
    expect(Date.parse(first.revokedAt!)).toBeGreaterThan(Date.now() - 600_000);
    expect((await adminKeys(relisted)).find((k) => k.id === FIRST)).toMatchObject({
      status: "revoked",
      revokedAt: first.revokedAt,
    });
    const pem = await call(relisted, `/keys/${FIRST}.pem`);
    expect(pem.headers.get("X-Key-Status")).toBe("revoked");
    expect(pem.headers.get("X-Key-Revoked-At")).toBe(first.revokedAt);
    const page = await (await call(relisted, "/verify")).text();
    expect(page).toContain(`revoked</span> since ${first.revokedAt}`);
  });

  it(
    "is no longer /spectro_public_key.pem: the next current key is, there and in a new grant's tar and download.sh",
    async () => {
      const second = KEYS[1].id;
      expect((await call(withKey(FIRST, { revoked: true }), "/api/v1/publish/config")).status).toBe(200);
      const relisted = withKey(FIRST, {});
      const served = await call(relisted, "/spectro_public_key.pem");
      expect([served.headers.get("X-Key-Id"), served.headers.get("X-Key-Status")]).toEqual([second, "current"]);
      const res = await call(relisted, "/api/v1/grants", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ packs: [{ name: "record-a", version: "1.0.0" }] }),
      });
      expect(res.status, await res.clone().text()).toBe(201);
      const grant = (await res.json()) as { id: string; links: Record<string, string> };
      const tar = new TextDecoder().decode(await (await call(relisted, grant.links["bundle.tar"])).arrayBuffer());
      expect(tarredDefaultKey(tar)).toBe(pemOf(second));
      expect(tar).not.toContain(pemOf(FIRST));
      const script = await (await call(relisted, grant.links["download.sh"])).text();
      expect(script).toContain(`key 'spectro_public_key.pem' 'http://studio.test/keys/${second}.pem'`);
      expect(script).not.toContain(`/keys/${FIRST}.pem`);
    },
    SYNC_TIMEOUT_MS,
  );
});

describe("a key yanked by an admin", () => {
  it("shows yanked (not current, not revoked) and is not served as spectro_public_key.pem", async () => {
    const yank = await call(env, `/api/v1/admin/keys/${FIRST}/yank`, {
      method: "POST",
      headers: ADMIN,
      body: JSON.stringify({ reason: "leaked from a CI runner" }),
    });
    expect(yank.status, await yank.clone().text()).toBe(200);
    const first = (await configKeys(env)).find((k) => k.id === FIRST)!;
    expect(first).toMatchObject({ status: "yanked", revoked: false });
    expect(Date.parse(first.yankedAt!)).toBeGreaterThan(Date.now() - 600_000);
    expect((await call(env, `/keys/${FIRST}.pem`)).headers.get("X-Key-Status")).toBe("yanked");
    expect((await call(env, "/spectro_public_key.pem")).headers.get("X-Key-Id")).toBe(KEYS[1].id);
    expect(await (await call(env, "/verify")).text()).toContain(`yanked</span> since ${first.yankedAt}`);
  });
});

describe("every key revoked", () => {
  const allRevoked = () =>
    ({ ...env, TRUSTED_PUBLIC_KEYS: JSON.stringify(KEYS.map((k) => ({ ...k, revoked: true }))) }) as Env;

  it("/spectro_public_key.pem is 410 no_current_key, and /verify says so instead of offering the download", async () => {
    const res = await call(allRevoked(), "/spectro_public_key.pem");
    expect(res.status).toBe(410);
    expect(await res.json()).toEqual({
      error: { code: "no_current_key", message: "no current key: every trusted key is revoked or yanked" },
    });
    const page = await (await call(allRevoked(), "/verify")).text();
    expect(page).toContain("No key to download: every trusted key is revoked or yanked");
    expect(page).not.toContain("Download spectro_public_key.pem");
    // Each key is still listed, and served by id, so old downloads can be checked and the status read.
    expect((await call(allRevoked(), `/keys/${FIRST}.pem`)).headers.get("X-Key-Status")).toBe("revoked");
  });

  it("serves the first expired key when none is current: what it signed stays offered and needs it", async () => {
    const keys = KEYS.map((k, i) => ({ ...k, ...(i === 0 ? { revoked: true } : { notAfter: "2020-01-01" }) }));
    const res = await call({ ...env, TRUSTED_PUBLIC_KEYS: JSON.stringify(keys) } as Env, "/spectro_public_key.pem");
    expect(res.status).toBe(200);
    expect([res.headers.get("X-Key-Id"), res.headers.get("X-Key-Status")]).toEqual([KEYS[1].id, "expired"]);
  });
});

describe("a product version whose installers were all withdrawn", () => {
  it("is not offered on the home and install pages, says why when asked by name, and is marked in the API", async () => {
    const before = await (await call(env, "/")).text();
    expect(before).toContain('<option value="4.9.1">');
    const revoked = withKey(FIRST, { revoked: true });
    const home = await (await call(revoked, "/")).text();
    expect(home).not.toContain('value="4.9.1"');
    expect(home).toContain('<option value="4.8.0">');
    const install = await (await call(revoked, `/install/${PALETTE_ENTERPRISE.id}`)).text();
    expect(install).not.toContain('value="4.9.1"');
    expect(install).toContain('value="4.8.0"');
    const asked = await (await call(revoked, `/install/${PALETTE_ENTERPRISE.id}?version=4.9.1`)).text();
    expect(asked).not.toContain("This version has no installers yet");
    expect(asked).toContain(
      `This version was withdrawn: none of its installers is offered any more (signing key ${FIRST} was revoked`,
    );
    const api = (await (await call(revoked, "/api/v1/products")).json()) as {
      items: { id: string; versions: { version: string; withdrawn?: string }[] }[];
    };
    const versions = api.items.find((p) => p.id === PALETTE_ENTERPRISE.id)!.versions;
    expect(versions.find((v) => v.version === "4.9.1")?.withdrawn).toMatch(`signing key ${FIRST} was revoked`);
    expect(versions.find((v) => v.version === "4.8.0")).not.toHaveProperty("withdrawn");
  });
});

describe("what it costs", () => {
  it("lists product versions with their installers' state in one query that finds installers by primary key", async () => {
    const { sql, params } = productVersionRows(primary(env)).toSQL();
    const plan = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
      .bind(...params)
      .all<{ detail: string }>();
    const details = plan.results.map((r) => r.detail);
    expect(
      details.some((d) =>
        /SEARCH release_artifacts USING (PRIMARY KEY|INDEX sqlite_autoindex_release_artifacts_\d) \(product_id=\? AND version=\?\)/.test(
          d,
        ),
      ),
      details.join("; "),
    ).toBe(true);
    expect(details.filter((d) => /SCAN release_artifacts/.test(d))).toEqual([]);
  });
});
