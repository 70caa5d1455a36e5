// Grant issuance over a synced catalog: installers, bundle specs and packs; validation; the
// per-client rate limit; the admin audit trail; and the API-token manifests for automation.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { rateLimitKey } from "../../worker/downloads/client-key";
import { grantViewSchema } from "../../worker/routes/api/grants";
import { dropRelease, PALETTE_ENTERPRISE } from "./support/releases";
import { syncAndSettle } from "./support/sync";
import { ADMIN_JSON, studio } from "./support/studio";
import { freshRateWindow, RATE_WINDOW_TIMEOUT } from "./support/rate-window";

const admin = ADMIN_JSON;
const postGrant = (body: unknown, ip = "198.51.100.20", headers: Record<string, string> = {}) =>
  studio("/api/v1/grants", {
    method: "POST",
    headers: { "Content-Type": "application/json", "CF-Connecting-IP": ip, ...headers },
    body: JSON.stringify(body),
  });

type GrantJson = {
  id: string;
  files: { kind: string; file: string; sigFile: string; url: string }[];
  links: Record<string, string>;
};

beforeAll(async () => {
  await dropRelease(env, "grants-4-6-12", {
    products: [PALETTE_ENTERPRISE],
    packs: [
      { name: "ubuntu-aws", version: "22.04", layer: "os" },
      { name: "kubernetes", version: "1.30.4", layer: "k8s" },
    ],
    installers: [
      { product: "palette-enterprise", productVersion: "4.6.12", kind: "helm-chart" },
      { product: "palette-enterprise", productVersion: "4.6.12", kind: "iso" },
      { product: "palette-enterprise", productVersion: "4.6.12", kind: "content-bundle" },
    ],
  });
  await syncAndSettle(env, { trigger: "admin" });
});

describe("POST /api/v1/grants", () => {
  it("grants a product version's installers in the documented order, or only the kinds asked for", async () => {
    const all = await postGrant({ installers: { product: "palette-enterprise", version: "4.6.12" } });
    expect(all.status).toBe(201);
    const grant = (await all.json()) as GrantJson;
    expect(grant.files.map((f) => [f.kind, f.file, f.sigFile])).toEqual([
      ["content-bundle", "palette-enterprise-4.6.12.tar.zst", "palette-enterprise-4.6.12.tar.sig.bin"],
      ["iso", "palette-enterprise-appliance-4.6.12.iso", "palette-enterprise-appliance-4.6.12.iso.sig.bin"],
      ["helm-chart", "palette-enterprise-4.6.12-chart.tgz", "palette-enterprise-4.6.12-chart.tgz.sig.bin"],
    ]);
    expect(Object.keys(grant.links)).toEqual([
      "urls.txt",
      "bundle.curl",
      "manifest.json",
      "SHA256SUMS",
      "download.sh",
      "images.txt",
      "verify-images.sh",
      "bundle.tar",
    ]);
    // The documented response schema describes the real response.
    expect(grantViewSchema.strict().safeParse(grant).error).toBeUndefined();

    const isoOnly = (await (
      await postGrant({ installers: { product: "palette-enterprise", version: "4.6.12", kinds: ["iso"] } })
    ).json()) as GrantJson;
    expect(isoOnly.files.map((f) => f.kind)).toEqual(["iso"]);

    const missing = await postGrant({ installers: { product: "palette-enterprise", version: "9.9.9" } });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { message: "palette-enterprise 9.9.9 not found" } });
  });

  it("grants a bundle spec's packs and checks its product version", async () => {
    const spec = {
      product: "palette-enterprise",
      version: "4.6.12",
      useCase: "controller",
      cloud: "aws",
      packs: [
        { name: "ubuntu-aws", version: "22.04" },
        { name: "kubernetes", version: "1.30.4" },
      ],
    };
    const res = await postGrant({ bundle: spec });
    expect(res.status).toBe(201);
    expect(((await res.json()) as GrantJson).files.map((f) => f.file)).toEqual([
      "ubuntu-aws-22.04.zst",
      "kubernetes-1.30.4.zst",
    ]);
    const wrongVersion = await postGrant({ bundle: { ...spec, version: "1.0.0" } });
    expect(wrongVersion.status).toBe(404);
    const badUseCase = await postGrant({ bundle: { ...spec, useCase: "everything" } });
    expect(badUseCase.status).toBe(400);
    expect(((await badUseCase.json()) as { error: { message: string } }).error.message).toMatch(/^bundle\.useCase: /);
  });

  it("grants installers and packs together in one grant (an upgrade), and refuses them beside a bundle", async () => {
    const both = await postGrant({
      installers: { product: "palette-enterprise", version: "4.6.12", kinds: ["content-bundle"] },
      packs: [{ name: "kubernetes", version: "1.30.4" }],
    });
    expect(both.status).toBe(201);
    expect(((await both.json()) as GrantJson).files.map((f) => [f.kind, f.file])).toEqual([
      ["content-bundle", "palette-enterprise-4.6.12.tar.zst"],
      ["pack", "kubernetes-1.30.4.zst"],
    ]);
    const unknownPack = await postGrant({
      installers: { product: "palette-enterprise", version: "4.6.12" },
      packs: [{ name: "kubernetes", version: "9.9.9" }],
    });
    expect(unknownPack.status).toBe(404);
    const withBundle = await postGrant({
      bundle: { product: "palette-enterprise", version: "4.6.12", useCase: "addon", packs: [] },
      packs: [{ name: "kubernetes", version: "1.30.4" }],
    });
    expect(withBundle.status).toBe(400);
    expect(await withBundle.json()).toMatchObject({
      error: { details: [{ field: "bundle", message: "give a bundle, or installers and/or packs" }] },
    });
  });

  it("rejects an empty selection, a non-JSON body and an over-long token", async () => {
    expect((await postGrant({})).status).toBe(400);
    expect((await postGrant({ packs: [] })).status).toBe(400);
    const notJson = await studio("/api/v1/grants", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: "{",
    });
    expect(notJson.status).toBe(400);
    expect(
      (await postGrant({ packs: [{ name: "kubernetes", version: "1.30.4" }], captchaToken: "x".repeat(5000) })).status,
    ).toBe(400);
  });

  it("refuses 501 packs in one grant or one bundle before looking any up, naming the field (mutants grant-pack-count-unbounded, bundle-pack-count-unbounded)", async () => {
    // Each pack is a lookup: an unbounded list turns one request into thousands of D1 reads.
    const packs = Array.from({ length: 501 }, (_, i) => ({ name: "kubernetes", version: `1.30.${i}` }));
    const asPacks = await postGrant({ packs }, "198.51.100.31");
    expect(asPacks.status).toBe(400);
    expect(((await asPacks.json()) as { error: { message: string } }).error.message).toMatch(
      /^packs: at most 500 packs a grant/,
    );
    const bundle = { product: "palette-enterprise", version: "4.6.12", useCase: "controller", cloud: "aws", packs };
    const asBundle = await postGrant({ bundle }, "198.51.100.31");
    expect(asBundle.status).toBe(400);
    expect(((await asBundle.json()) as { error: { message: string } }).error.message).toMatch(
      /^bundle\.packs: a bundle holds at most 500 packs/,
    );
  });

  it("limits each client to 20 grants a minute with 429 and Retry-After, without affecting others", {
    timeout: RATE_WINDOW_TIMEOUT,
  }, async () => {
    const body = { packs: [{ name: "kubernetes", version: "1.30.4" }] };
    await freshRateWindow();
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) statuses.push((await postGrant(body, "203.0.113.250")).status);
    expect(statuses.slice(0, 20).every((s) => s === 201)).toBe(true);
    expect(statuses[20]).toBe(429);
    const limited = await postGrant(body, "203.0.113.250");
    expect(limited.status).toBe(429);
    expect(limited.headers.get("Retry-After")).toBe("60");
    expect(await limited.json()).toMatchObject({ error: { code: "rate_limited" } });
    expect((await postGrant(body, "203.0.113.251")).status).toBe(201);
  });
});

describe("rate limit keys", () => {
  it("keys IPv4 by address, IPv6 by its /64, and IPv4-mapped IPv6 as the IPv4 address", () => {
    expect(rateLimitKey("203.0.113.7")).toBe("ip:203.0.113.7");
    expect(rateLimitKey(undefined)).toBe("ip:unknown");
    expect(rateLimitKey("2001:db8:a:b::1")).toBe("ip6:2001:db8:a:b::/64");
    expect(rateLimitKey("2001:0DB8:000a:000b:ffff:1:2:3")).toBe("ip6:2001:db8:a:b::/64");
    expect(rateLimitKey("2001:db8::1")).toBe("ip6:2001:db8:0:0::/64");
    expect(rateLimitKey("::1")).toBe("ip6:0:0:0:0::/64");
    expect(rateLimitKey("fe80::1%eth0")).toBe("ip6:fe80:0:0:0::/64");
    expect(rateLimitKey("::ffff:198.51.100.9")).toBe("ip:198.51.100.9");
    expect(rateLimitKey("2001:db8:a:b:c:d:192.0.2.1")).toBe("ip6:2001:db8:a:b::/64");
    expect(rateLimitKey("2001:db8:a:c::1")).not.toBe(rateLimitKey("2001:db8:a:b::1"));
    expect(rateLimitKey("not:an:address::x")).toBe("ip:not:an:address::x");
  });

  it("limits a whole IPv6 /64 as one client: the 21st grant from any address in it is a 429", {
    timeout: RATE_WINDOW_TIMEOUT,
  }, async () => {
    const body = { packs: [{ name: "kubernetes", version: "1.30.4" }] };
    await freshRateWindow();
    for (let i = 1; i <= 20; i++) expect((await postGrant(body, `2001:db8:77:1::${i.toString(16)}`)).status).toBe(201);
    const limited = await postGrant(body, "2001:db8:77:1:abcd:ef01:2345:6789");
    expect(limited.status).toBe(429);
    expect(await limited.json()).toMatchObject({ error: { code: "rate_limited" } });
    expect((await postGrant(body, "2001:db8:77:2::1")).status).toBe(201);
  });

  it("limits an API token to 20 grants a minute, from whatever address it is used", {
    timeout: RATE_WINDOW_TIMEOUT,
  }, async () => {
    const minted = (await (
      await studio("/api/v1/admin/tokens", {
        method: "POST",
        headers: admin,
        body: JSON.stringify({ name: "busy job", scopes: ["grants:create"] }),
      })
    ).json()) as { token: string };
    const body = { packs: [{ name: "kubernetes", version: "1.30.4" }] };
    const auth = { Authorization: `Bearer ${minted.token}` };
    await freshRateWindow();
    for (let i = 1; i <= 20; i++) expect((await postGrant(body, `192.0.2.${i}`, auth)).status).toBe(201);
    const limited = await postGrant(body, "192.0.2.99", auth);
    expect(limited.status).toBe(429);
    expect(limited.headers.get("Retry-After")).toBe("60");
    // The same address without the token is another client.
    expect((await postGrant(body, "192.0.2.99")).status).toBe(201);
  });
});

describe("OpenAPI", () => {
  it("documents grant issuance, the manifests and the token-only automation endpoints", async () => {
    const doc = (await (await studio("/api/v1/openapi.json")).json()) as {
      paths: Record<
        string,
        Record<
          string,
          {
            security?: unknown[];
            responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }> }>;
          }
        >
      >;
    };
    expect(doc.paths["/api/v1/grants"].post.responses["201"].content?.["application/json"].schema.$ref).toBe(
      "#/components/schemas/Grant",
    );
    expect(Object.keys(doc.paths["/api/v1/grants"].post.responses)).toEqual(
      expect.arrayContaining(["201", "400", "403", "404", "409", "429", "503"]),
    );
    expect(doc.paths["/api/v1/manifests/bundle/{format}"].post.security).toEqual([{ apiToken: [] }]);
    expect(doc.paths["/api/v1/admin/grants"].get).toBeDefined();
  });
});

describe("admin audit trail", () => {
  it("lists grants newest first with who asked and what, and needs the admin token", async () => {
    const res = await postGrant({ packs: [{ name: "ubuntu-aws", version: "22.04" }] }, "198.51.100.99", {
      "User-Agent": "audit-test/1.0",
    });
    const { id } = (await res.json()) as GrantJson;
    expect((await studio("/api/v1/admin/grants")).status).toBe(401);
    const list = await studio("/api/v1/admin/grants?limit=5", { headers: admin });
    expect(list.status).toBe(200);
    const { grants } = (await list.json()) as { grants: Record<string, unknown>[] };
    expect(grants[0]).toMatchObject({
      id,
      clientIp: "198.51.100.99",
      userAgent: "audit-test/1.0",
      fileCount: 1,
      revoked: false,
      request: { packs: [{ name: "ubuntu-aws", version: "22.04" }] },
    });
    expect(grants[0]).not.toHaveProperty("files");
    expect((await studio("/api/v1/admin/grants?limit=0", { headers: admin })).status).toBe(400);
  });
});

describe("API tokens and automation manifests", () => {
  it("creates a token shown once, stores only its hash, and lists it without the secret", async () => {
    const res = await studio("/api/v1/admin/tokens", {
      method: "POST",
      headers: admin,
      body: JSON.stringify({ name: "mirror job", scopes: ["manifests:read"] }),
    });
    expect(res.status).toBe(201);
    const created = (await res.json()) as { id: string; token: string; scopes: string[] };
    expect(created.token).toMatch(/^ast_[A-Za-z0-9_-]{43}$/);
    const stored = await env.DB.prepare("select token_hash from api_tokens where id = ?")
      .bind(created.id)
      .first<{ token_hash: string }>();
    expect(stored!.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(stored!.token_hash).not.toContain(created.token);
    const listed = JSON.stringify(await (await studio("/api/v1/admin/tokens", { headers: admin })).json());
    expect(listed).toContain("mirror job");
    expect(listed).not.toContain(created.token);
    expect(listed).not.toContain(stored!.token_hash);
    const badScope = await studio("/api/v1/admin/tokens", {
      method: "POST",
      headers: admin,
      body: JSON.stringify({ name: "x", scopes: ["root"] }),
    });
    expect(badScope.status).toBe(400);
  });

  it("serves pre-generated manifests to a manifests:read token, and only to it", async () => {
    const minted = (await (
      await studio("/api/v1/admin/tokens", {
        method: "POST",
        headers: admin,
        body: JSON.stringify({ name: "ci", scopes: ["manifests:read"] }),
      })
    ).json()) as { token: string };
    const auth = { Authorization: `Bearer ${minted.token}` };
    const urls = await studio(
      "/api/v1/manifests/installers/palette-enterprise/4.6.12/urls.txt?kinds=content-bundle,iso",
      { headers: auth },
    );
    expect(urls.status).toBe(200);
    const lines = (await urls.text()).trim().split("\n");
    expect(lines).toHaveLength(4); // two installers and their signatures (flat: the trust files need folders)
    expect(lines[0]).toMatch(
      /\/dl\/[A-Za-z0-9_-]{22}\/\d+\.k2\.[A-Za-z0-9_-]{43}\/palette-enterprise-4\.6\.12\.tar\.zst$/,
    );
    expect(urls.headers.get("X-Grant-Id")).toMatch(/^[A-Za-z0-9_-]{22}$/);
    // The Link opens the grant with its capability, not with the public id.
    const link = /^<(.*)>; rel="grant"$/.exec(urls.headers.get("Link") ?? "")?.[1];
    expect(link).toMatch(/\/api\/v1\/grants\/[A-Za-z0-9_-]{43}$/);
    const linked = (await (await studio(link!)).json()) as GrantJson;
    expect(linked.id).toBe(urls.headers.get("X-Grant-Id"));

    const spec = {
      product: "palette-enterprise",
      version: "4.6.12",
      useCase: "controller",
      cloud: "aws",
      packs: [{ name: "kubernetes", version: "1.30.4" }],
    };
    const json = await studio("/api/v1/manifests/bundle/manifest.json", {
      method: "POST",
      headers: { ...auth, "Content-Type": "application/json" },
      body: JSON.stringify(spec),
    });
    expect(json.status).toBe(200);
    expect(((await json.json()) as { files: { file: string }[] }).files.map((f) => f.file)).toEqual([
      "kubernetes-1.30.4.zst",
    ]);

    expect((await studio("/api/v1/manifests/installers/palette-enterprise/4.6.12/urls.txt")).status).toBe(401);
    expect(
      (await studio("/api/v1/manifests/installers/palette-enterprise/4.6.12/nope.txt", { headers: auth })).status,
    ).toBe(400);
    const grantToken = (await (
      await studio("/api/v1/admin/tokens", {
        method: "POST",
        headers: admin,
        body: JSON.stringify({ name: "g", scopes: ["grants:create"] }),
      })
    ).json()) as { token: string };
    expect(
      (
        await studio("/api/v1/manifests/installers/palette-enterprise/4.6.12/urls.txt", {
          headers: { Authorization: `Bearer ${grantToken.token}` },
        })
      ).status,
    ).toBe(403);
  });
});
