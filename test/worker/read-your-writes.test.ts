// Read-your-writes with D1 read replicas: new grants, revocations and yanks take effect at once
// because every read of grant or yank state starts at the primary (D1 Sessions "first-primary").
// workerd's local D1 has no replicas, so a stale read cannot be reproduced here; instead the D1
// binding is wrapped to record the session constraint of every read, and a read that any replica
// could answer ("first-unconstrained", or no session at all) fails the test.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { app } from "../../worker/app";
import { primaryWriter } from "../../worker/db/client";
import { yankPackVersion } from "../../worker/db/yank";
import { dropRelease, PALETTE_ENTERPRISE } from "./support/releases";
import { syncAndSettle } from "./support/sync";
import { ADMIN_AUTH } from "./support/studio";

/** The D1 binding, recording how each use of it was constrained. */
function recordingDb(db: D1Database, seen: string[]): D1Database {
  return new Proxy(db, {
    get(target, prop) {
      if (prop === "withSession")
        return (constraint?: string) => {
          seen.push(constraint ?? "(session without constraint)");
          return target.withSession(constraint);
        };
      if (prop === "prepare" || prop === "batch" || prop === "exec") seen.push(`(no session: ${prop})`);
      const value = Reflect.get(target, prop);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** One request through the app with the recording binding; the constraints it used. */
async function traced(path: string, init?: RequestInit): Promise<{ res: Response; seen: string[] }> {
  const seen: string[] = [];
  const ctx = createExecutionContext();
  const res = await app.fetch(
    new Request(new URL(path, "http://studio.test"), init),
    { ...env, DB: recordingDb(env.DB, seen) },
    ctx,
  );
  await res
    .clone()
    .arrayBuffer()
    .catch(() => undefined);
  await waitOnExecutionContext(ctx);
  return { res, seen };
}

const atPrimaryOnly = (seen: string[]) => {
  expect(seen.length).toBeGreaterThan(0);
  expect(seen.every((c) => c === "first-primary")).toBe(true);
};

type GrantJson = { id: string; files: { url: string }[]; links: Record<string, string> };

async function newGrant(pack: string): Promise<GrantJson> {
  const { res, seen } = await traced("/api/v1/grants", {
    method: "POST",
    headers: { "Content-Type": "application/json", "CF-Connecting-IP": "198.51.100.61" },
    body: JSON.stringify({ packs: [{ name: pack, version: "1.0.0" }] }),
  });
  expect(res.status).toBe(201);
  atPrimaryOnly(seen); // resolving the selection included: a pack yanked a moment ago is refused
  return (await res.json()) as GrantJson;
}

beforeAll(async () => {
  await dropRelease(env, "ryw-2026-11-0", {
    products: [PALETTE_ENTERPRISE],
    packs: [
      { name: "ryw-revoked", version: "1.0.0", size: 600 },
      { name: "ryw-yanked", version: "1.0.0", size: 700 },
    ],
  });
  await syncAndSettle(env, { trigger: "admin" });
});

describe("grant and yank state is read at the primary", () => {
  it("a new grant opens at once: its JSON, manifests, tar and /dl URLs read at the primary", async () => {
    const grant = await newGrant("ryw-revoked");
    for (const url of [
      grant.links["urls.txt"].replace(/\/urls\.txt$/, ""),
      grant.links["urls.txt"],
      grant.links.SHA256SUMS,
      grant.links["bundle.tar"],
      grant.files[0].url,
    ]) {
      const { res, seen } = await traced(url);
      expect(res.status, url).toBe(200);
      atPrimaryOnly(seen);
    }
  });

  it("a revocation stops the grant's /dl URLs and manifests at once", async () => {
    const grant = await newGrant("ryw-revoked");
    const revoke = await traced(`/api/v1/admin/grants/${grant.id}/revoke`, {
      method: "POST",
      headers: ADMIN_AUTH,
    });
    expect(revoke.res.status).toBe(200);
    atPrimaryOnly(revoke.seen);
    const dl = await traced(grant.files[0].url);
    expect(dl.res.status).toBe(403);
    expect(await dl.res.text()).toMatch(/revoked/);
    atPrimaryOnly(dl.seen);
    const manifest = await traced(grant.links["urls.txt"]);
    expect(manifest.res.status).toBe(403);
    atPrimaryOnly(manifest.seen);
  });

  it("a yank stops existing grants and new grants of the pack at once", async () => {
    const grant = await newGrant("ryw-yanked");
    await yankPackVersion(primaryWriter(env), "ryw-yanked", "1.0.0", "test yank", Date.now());
    const dl = await traced(grant.files[0].url);
    expect(dl.res.status).toBe(403);
    atPrimaryOnly(dl.seen);
    const tar = await traced(grant.links["bundle.tar"]);
    expect(tar.res.status).toBe(409);
    atPrimaryOnly(tar.seen);
    const again = await traced("/api/v1/grants", {
      method: "POST",
      headers: { "Content-Type": "application/json", "CF-Connecting-IP": "198.51.100.61" },
      body: JSON.stringify({ packs: [{ name: "ryw-yanked", version: "1.0.0" }] }),
    });
    expect(again.res.status).toBe(409);
    atPrimaryOnly(again.seen);
  });
});
