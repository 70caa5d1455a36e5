// The admin API: bearer auth, sync now, run history, the release list (quarantine), and yanking.
import { env, exports } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { primary } from "../../worker/db/client";
import { packVersions } from "../../worker/db/schema";
import {
  releasePageSchema,
  releaseSchema,
  syncRunListSchema,
  syncSummarySchema,
  yankedPackVersionSchema,
} from "../../worker/sync/admin-schemas";
import type { SyncSummary } from "../../worker/sync/run";
import { dropRelease, releaseRow } from "./support/releases";
import { releaseSettled } from "./support/sync";

const TOKEN = "test-admin-token-0123456789abcdef";
const admin = (path: string, init: RequestInit = {}) =>
  exports.default.fetch(`http://studio.test/api/v1/admin${path}`, {
    ...init,
    headers: { Authorization: `Bearer ${TOKEN}`, ...init.headers },
  });
const yank = (name: string, version: string, body: unknown) =>
  admin(`/packs/${name}/versions/${version}/yank`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
type ErrorBody = { error: { code: string; message: string; details?: { field: string }[] } };

describe("admin API", () => {
  it("refuses every endpoint without the bearer token, or with a wrong one", async () => {
    for (const [method, path] of [
      ["POST", "/sync"],
      ["GET", "/sync/runs"],
      ["GET", "/releases"],
      ["GET", "/releases/anything"],
      ["POST", "/packs/foo/versions/1.0.0/yank"],
      ["POST", "/catalog/recount"],
    ]) {
      const bare = await exports.default.fetch(`http://studio.test/api/v1/admin${path}`, { method });
      expect(bare.status, `${method} ${path}`).toBe(401);
      expect(((await bare.json()) as ErrorBody).error.code).toBe("unauthorized");
      const wrong = await exports.default.fetch(`http://studio.test/api/v1/admin${path}`, {
        method,
        headers: { Authorization: `Bearer ${TOKEN.replace("0", "1")}` },
      });
      expect(wrong.status, `${method} ${path}`).toBe(401);
    }
    expect((await primary(env).select().from(packVersions)).length).toBe(0);
  });

  it("POST /sync runs the sync now and answers with the run summary", async () => {
    await dropRelease(env, "admin-good", {
      packs: [
        { name: "prometheus", version: "2.55.0", addonType: "monitoring" },
        { name: "nginx", version: "1.12.0" },
      ],
    });
    await dropRelease(env, "admin-bad", { packs: [{ name: "grafana", version: "11.3.0", tamper: "bad-signature" }] });
    await dropRelease(env, "admin-uploading", { packs: [{ name: "loki", version: "3.2.0" }], releaseJson: false });

    const res = await admin("/sync", { method: "POST" });

    expect(res.status).toBe(200);
    const summary: SyncSummary = syncSummarySchema.parse(await res.json());
    expect(summary).toMatchObject({
      trigger: "admin",
      verifying: ["admin-bad", "admin-good"],
      quarantined: [],
      uploading: ["admin-uploading"],
      skipped: 0,
    });
    expect(summary.runId).toMatch(/^[0-9a-f-]{36}$/);
    // Each release's files are verified by its Workflow, which publishes or quarantines it.
    await Promise.all([releaseSettled("admin-good"), releaseSettled("admin-bad")]);
    expect(await releaseRow(env, "admin-good")).toMatchObject({ status: "published" });
    expect(await releaseRow(env, "admin-bad")).toMatchObject({
      status: "quarantined",
      reason: "grafana-11.3.0.zst: signature does not verify with key test-ec",
    });
  });

  it("GET /sync/runs lists recent runs newest first, limited", async () => {
    const second = (await (await admin("/sync", { method: "POST" })).json()) as SyncSummary;
    expect(second).toMatchObject({ verifying: [], skipped: 2, uploading: ["admin-uploading"] });

    const res = await admin("/sync/runs?limit=1");
    expect(res.status).toBe(200);
    const { runs } = syncRunListSchema.parse(await res.json());
    expect(runs).toEqual([expect.objectContaining({ id: second.runId, trigger: "admin", skipped: 2, uploading: 1 })]);
    const all = (await (await admin("/sync/runs")).json()) as { runs: { id: string; verifying: number }[] };
    expect(all.runs).toHaveLength(2);
    expect(all.runs[1].verifying).toBe(2);
  });

  it("GET /sync/runs refuses a bad limit, naming the field", async () => {
    for (const limit of ["0", "abc", "101"]) {
      const res = await admin(`/sync/runs?limit=${limit}`);
      expect(res.status).toBe(400);
      const body = (await res.json()) as ErrorBody;
      expect(body.error.code).toBe("invalid_request");
      expect(body.error.message).toMatch(/^limit: /);
    }
  });

  it("GET /releases filters by status and pages with a cursor", async () => {
    const quarantined = releasePageSchema.parse(await (await admin("/releases?status=quarantined")).json());
    expect(quarantined.releases).toEqual([
      expect.objectContaining({
        id: "admin-bad",
        status: "quarantined",
        reason: "grafana-11.3.0.zst: signature does not verify with key test-ec",
        fileCount: 1,
      }),
    ]);
    expect(quarantined.nextCursor).toBeNull();
    expect(quarantined.releases[0].details).toEqual({
      findings: [{ file: "grafana-11.3.0.zst", problem: "signature does not verify with key test-ec" }],
    });

    const firstPage = (await (await admin("/releases?limit=1")).json()) as {
      releases: { id: string }[];
      nextCursor: string;
    };
    expect(firstPage.releases).toHaveLength(1);
    expect(firstPage.nextCursor).toEqual(expect.any(String));
    const secondPage = (await (await admin(`/releases?limit=1&cursor=${firstPage.nextCursor}`)).json()) as {
      releases: { id: string }[];
      nextCursor: string | null;
    };
    expect(secondPage.releases).toHaveLength(1);
    expect(secondPage.nextCursor).toBeNull();
    expect([firstPage.releases[0].id, secondPage.releases[0].id].sort()).toEqual(["admin-bad", "admin-good"]);
  });

  it("GET /releases refuses a bad status or cursor, naming the field", async () => {
    const status = await admin("/releases?status=deleted");
    expect(status.status).toBe(400);
    expect(((await status.json()) as ErrorBody).error.message).toMatch(/^status: /);
    const cursor = await admin("/releases?cursor=not-a-cursor");
    expect(cursor.status).toBe(400);
    expect(((await cursor.json()) as ErrorBody).error.message).toMatch(/^cursor: /);
  });

  it("GET /releases/:id shows one release, 404 for an unknown one", async () => {
    const res = await admin("/releases/admin-good");
    expect(res.status).toBe(200);
    const release = releaseSchema.parse(await res.json());
    expect(release).toMatchObject({
      id: "admin-good",
      status: "published",
      reason: null,
      fileCount: 2,
      totalBytes: 4096,
    });
    expect((release.details as { verified: unknown[] }).verified).toHaveLength(2);

    const missing = await admin("/releases/never-dropped");
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: { code: "not_found", message: "release never-dropped not found" } });
  });

  it("yanks a pack version: marked on record, gone from the catalog, the catalog ETag changes", async () => {
    const before = await exports.default.fetch("http://studio.test/api/v1/packs/prometheus/versions/2.55.0");
    expect(before.status).toBe(200);
    const etagBefore = before.headers.get("ETag");

    const res = await yank("prometheus", "2.55.0", { reason: "CVE-2026-0001 in the bundled exporter" });

    expect(res.status).toBe(200);
    const record = yankedPackVersionSchema.parse(await res.json());
    expect(record).toMatchObject({
      name: "prometheus",
      version: "2.55.0",
      yanked: true,
      yankReason: "CVE-2026-0001 in the bundled exporter",
      changed: true,
    });
    const row = await primary(env).select().from(packVersions).where(eq(packVersions.id, "prometheus@2.55.0")).get();
    expect(row).toMatchObject({
      yanked: true,
      yankedAt: record.yankedAt,
      yankReason: "CVE-2026-0001 in the bundled exporter",
    });

    // Gone from the catalog, and asking for it by name says when and why (410), on the API and the page.
    const after = await exports.default.fetch("http://studio.test/api/v1/packs/prometheus/versions/2.55.0");
    expect(after.status).toBe(410);
    const when = new Date(record.yankedAt).toISOString();
    const words = `yanked on ${when.slice(0, 16).replace("T", " ")} UTC: CVE-2026-0001 in the bundled exporter`;
    expect(await after.json()).toEqual({
      error: {
        code: "yanked",
        message: `prometheus 2.55.0 was ${words}`,
        details: [
          {
            version: "2.55.0",
            yankedAt: when,
            reason: "CVE-2026-0001 in the bundled exporter",
            message: `prometheus 2.55.0 ${words}`,
          },
        ],
      },
    });
    // Its only version: the pack itself answers 410 with the list, and its page says the same.
    const pack = await exports.default.fetch("http://studio.test/api/v1/packs/prometheus");
    expect(pack.status).toBe(410);
    expect(((await pack.json()) as ErrorBody).error.message).toBe(`prometheus 2.55.0 was ${words}`);
    const page = await exports.default.fetch("http://studio.test/packs/prometheus?version=2.55.0", {
      headers: { Accept: "text/html" },
    });
    expect(page.status).toBe(410);
    expect(await page.text()).toContain(`prometheus 2.55.0 was ${words}`);
    const other = await exports.default.fetch("http://studio.test/api/v1/packs/nginx/versions/1.12.0");
    expect(other.status).toBe(200);
    expect(other.headers.get("ETag")).not.toBe(etagBefore);
  });

  it("yanking twice is harmless: 200 with the first yank's record", async () => {
    const res = await yank("prometheus", "2.55.0", { reason: "a second opinion" });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      yanked: true,
      yankReason: "CVE-2026-0001 in the bundled exporter",
      changed: false,
    });
  });

  it("refuses a yank without a reason (400 naming it) and 404s an unknown pack version", async () => {
    for (const body of [{}, { reason: "   " }, { reason: 42 }]) {
      const res = await yank("nginx", "1.12.0", body);
      expect(res.status).toBe(400);
      expect(((await res.json()) as ErrorBody).error.message).toMatch(/^reason: /);
    }
    const badName = await yank("Not_A_Pack", "1.0.0", { reason: "x" });
    expect(badName.status).toBe(400);
    expect(((await badName.json()) as ErrorBody).error.message).toMatch(/^name: /);

    const unknown = await yank("nginx", "9.9.9", { reason: "no such version" });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({
      error: { code: "not_found", message: "pack nginx version 9.9.9 not found" },
    });
    const row = await primary(env).select().from(packVersions).where(eq(packVersions.id, "nginx@1.12.0")).get();
    expect(row!.yanked).toBe(false);
  });

  it("recounts kept counts that drifted from the catalog, in a new generation, audited", async () => {
    const packs = async (query: string) => {
      const res = await exports.default.fetch(`http://studio.test/api/v1/packs?${query}`);
      expect(res.status).toBe(200);
      const { total, facets } = (await res.json()) as { total: number; facets: Record<string, Record<string, number>> };
      return { total, facets, etag: res.headers.get("ETag") };
    };
    const queries = ["product=palette-enterprise&version=4.6.12", "cloud=aws", "q=nginx&product=palette-enterprise"];
    const right = await Promise.all(queries.map((q) => packs(`${q}&_=right`)));
    expect(right[0].total).toBeGreaterThan(0);
    // What a publish by a worker without the kept tables' code would leave: counts off, rows missing.
    await env.DB.batch([
      env.DB.prepare("UPDATE product_version_counts SET n = n + 7"),
      env.DB.prepare("UPDATE pack_facet_counts SET n = n + 3"),
      env.DB.prepare("DELETE FROM pack_facet_profiles"),
      env.DB.prepare("UPDATE pack_versions SET assessed = NULL"),
    ]);
    const drifted = await Promise.all(queries.map((q) => packs(`${q}&_=drifted`)));
    for (const [i, answer] of drifted.entries()) expect(answer.total, queries[i]).not.toBe(right[i].total);

    const refused = await admin("/catalog/recount", { method: "POST", body: JSON.stringify({}) });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as ErrorBody).error.details?.[0].field).toBe("reason");

    const res = await admin("/catalog/recount", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ reason: "worker deployed before migration 0011" }),
    });
    expect(res.status).toBe(200);
    const recount = (await res.json()) as { generation: number; auditId: string; rows: Record<string, number> };
    expect(recount.rows.productVersionCounts).toBeGreaterThan(0);
    // Each version's kept child lists are written again, from its lists.
    const unkept = await env.DB.prepare("SELECT count(*) AS n FROM pack_versions WHERE assessed IS NULL").first<{
      n: number;
    }>();
    expect(unkept?.n).toBe(0);
    expect(recount.rows.facetProfiles).toBeGreaterThan(0);
    const repaired = await Promise.all(queries.map((q) => packs(`${q}&_=repaired`)));
    for (const [i, answer] of repaired.entries()) {
      expect({ total: answer.total, facets: answer.facets }, queries[i]).toEqual({
        total: right[i].total,
        facets: right[i].facets,
      });
      expect(answer.etag).not.toBe(right[i].etag);
    }
    const audit = (await (await admin("/audit")).json()) as {
      events: { id: string; action: string; reason: string }[];
    };
    expect(audit.events[0]).toMatchObject({
      id: recount.auditId,
      action: "recount-catalog",
      reason: "worker deployed before migration 0011",
    });
    const state = await env.DB.prepare("SELECT generation FROM catalog_state WHERE id = 1").first<{
      generation: number;
    }>();
    expect(recount.generation).toBe(state?.generation);
  });

  it("documents every admin operation in the OpenAPI document, behind the bearer scheme", async () => {
    const doc = (await (await exports.default.fetch("http://studio.test/api/v1/openapi.json")).json()) as {
      paths: Record<string, Record<string, { security?: unknown[]; responses: Record<string, unknown> }>>;
      components: { securitySchemes?: Record<string, unknown> };
    };
    for (const [path, method] of [
      ["/api/v1/admin/sync", "post"],
      ["/api/v1/admin/sync/runs", "get"],
      ["/api/v1/admin/releases", "get"],
      ["/api/v1/admin/releases/{id}", "get"],
      ["/api/v1/admin/packs/{name}/versions/{version}/yank", "post"],
    ]) {
      expect(doc.paths[path]?.[method], `${method} ${path}`).toMatchObject({ security: [{ adminToken: [] }] });
      expect(Object.keys(doc.paths[path][method].responses)).toContain("401");
    }
    expect(doc.components.securitySchemes?.adminToken).toMatchObject({ type: "http", scheme: "bearer" });
  });
});
