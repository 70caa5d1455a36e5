// Guards of a grant's lifetime that its other tests left unchecked: the TTL is applied in seconds,
// and the documents of an expired grant or of one whose pack was yanked afterwards are refused
// (bundle.tar, urls.txt and the JSON), not served.
import { env, exports } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { primary } from "../../worker/db/client";
import { grants } from "../../worker/db/downloads-schema";
import { packVersions } from "../../worker/db/schema";
import { config } from "../../worker/env";
import { dropRelease, PALETTE_ENTERPRISE } from "./support/releases";
import { syncAndSettle } from "./support/sync";

type GrantJson = { id: string; createdAt: string; expiresAt: string; links: Record<string, string> };

async function grantFor(name: string): Promise<GrantJson> {
  const res = await exports.default.fetch("http://studio.test/api/v1/grants", {
    method: "POST",
    headers: { "Content-Type": "application/json", "CF-Connecting-IP": "198.51.100.71" },
    body: JSON.stringify({ packs: [{ name, version: "1.0.0" }] }),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as GrantJson;
}

const documents = (g: GrantJson) => ({
  "bundle.tar": g.links["bundle.tar"],
  "urls.txt": g.links["urls.txt"],
  grant: g.links["urls.txt"].replace(/\/urls\.txt$/, ""),
});

beforeAll(async () => {
  await dropRelease(env, "guards-2026-11-0", {
    products: [PALETTE_ENTERPRISE],
    packs: [
      { name: "guard-expiring", version: "1.0.0", size: 800 },
      { name: "guard-yanked-later", version: "1.0.0", size: 900 },
    ],
  });
  await syncAndSettle(env, { trigger: "admin" });
});

describe("grant lifetime", () => {
  it("expires GRANT_TTL_SECONDS seconds after it was issued", async () => {
    const ttl = config(env).GRANT_TTL_SECONDS;
    const grant = await grantFor("guard-expiring");
    const [row] = await primary(env).select().from(grants).where(eq(grants.id, grant.id));
    expect(row.expiresAt - row.createdAt).toBe(ttl * 1000);
    expect(Date.parse(grant.expiresAt) - Date.parse(grant.createdAt)).toBe(ttl * 1000);
  });

  it("answers bundle.tar, urls.txt and the grant of an expired grant with 410 expired", async () => {
    const grant = await grantFor("guard-expiring");
    for (const [what, url] of Object.entries(documents(grant)))
      expect((await exports.default.fetch(url)).status, what).toBe(200);
    await primary(env)
      .update(grants)
      .set({ expiresAt: Date.now() - 1 })
      .where(eq(grants.id, grant.id));
    for (const [what, url] of Object.entries(documents(grant))) {
      const res = await exports.default.fetch(url);
      expect(res.status, what).toBe(410);
      expect(await res.json()).toMatchObject({ error: { code: "expired" } });
    }
  });

  it("answers bundle.tar, urls.txt and the grant with 409 yanked once a pack in it is yanked", async () => {
    const grant = await grantFor("guard-yanked-later");
    for (const [what, url] of Object.entries(documents(grant)))
      expect((await exports.default.fetch(url)).status, what).toBe(200);
    await primary(env)
      .update(packVersions)
      .set({ yanked: true, yankReason: "guard test" })
      .where(eq(packVersions.id, "guard-yanked-later@1.0.0"));
    for (const [what, url] of Object.entries(documents(grant))) {
      const res = await exports.default.fetch(url);
      expect(res.status, what).toBe(409);
      expect(await res.json()).toMatchObject({
        error: { code: "yanked", message: expect.stringContaining("guard-yanked-later@1.0.0") },
      });
    }
  });
});
