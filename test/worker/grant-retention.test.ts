// Grant retention (worker/downloads/grant-retention.ts): the cron archives grants that expired more
// than GRANT_RETENTION_DAYS ago to R2 (audit/grants/YYYY/MM/DD/<first>-<last>.ndjson) and only then
// deletes exactly those rows; grants within retention stay; a backlog drains a bounded batch a run; a
// failed or unverifiable archive deletes nothing; a grant past retention answers like an expired one.
import { createExecutionContext, createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { desc, eq, inArray } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { app } from "../../worker/app";
import { toQuery } from "../../worker/db/batch";
import { primary } from "../../worker/db/client";
import { pastRetentionQuery } from "../../worker/db/grant-archive";
import { type GrantRecord, insertGrant } from "../../worker/db/grant-queries";
import { auditEvents, grants, syncRuns } from "../../worker/db/schema";
import {
  ARCHIVE_BYTES_PER_RUN,
  archiveExpiredGrants,
  GRANTS_PER_RUN,
  retainGrants,
} from "../../worker/downloads/grant-retention";
import { signedEntries } from "../../worker/downloads/granting";
import { urlSigner } from "../../worker/downloads/signers";
import { ConfigError, config } from "../../worker/env";
import worker from "../../worker/index";
import { GRANT_ARCHIVE_PREFIX, grantArchiveKey } from "../../worker/storage";
import { dropRelease } from "./support/releases";
import { ADMIN_AUTH, ORIGIN, studio } from "./support/studio";
import { syncAndSettle } from "./support/sync";

const DAY = 86_400_000;
const RETENTION = config(env).GRANT_RETENTION_DAYS * DAY; // wrangler.toml's GRANT_RETENTION_DAYS (14)
const db = () => primary(env);

let serial = 0;
/** A 22-character grant id that sorts after every earlier one (ids break ties in the archive's order). */
const nextId = (tag: string) => `${tag}${String(serial++).padStart(22 - tag.length, "0")}`;

/** A grant row as the issuer writes it, expiring at `expiresAt` (a day after it was created). */
function grantRow(expiresAt: number, over: Partial<GrantRecord> = {}): GrantRecord {
  return {
    id: nextId("g"),
    capabilityHash: crypto.randomUUID(),
    createdAt: expiresAt - DAY,
    clientIp: "198.51.100.7",
    clientCountry: "NL",
    userAgent: "curl/8.5.0",
    tokenId: null,
    request: { packs: [{ name: "cni-calico", version: "3.29.2" }] },
    files: [],
    fileCount: 0,
    totalBytes: 0,
    expiresAt,
    revoked: false,
    revokedAt: null,
    ...over,
  };
}

async function insertGrants(rows: GrantRecord[]): Promise<GrantRecord[]> {
  for (const row of rows) await insertGrant(db(), row);
  return rows;
}

/** Every archive object: its key and its grants, one parsed JSON line each. */
async function archives(): Promise<{ key: string; lines: Record<string, unknown>[] }[]> {
  const listed = await env.ARTIFACTS.list({ prefix: GRANT_ARCHIVE_PREFIX });
  return Promise.all(
    listed.objects.map(async ({ key }) => {
      const text = await (await env.ARTIFACTS.get(key))!.text();
      expect(text.endsWith("\n"), key).toBe(true);
      expect(text, key).not.toMatch(/[\r\u2028\u2029]/);
      return {
        key,
        lines: text
          .trimEnd()
          .split("\n")
          .map((l) => JSON.parse(l) as Record<string, unknown>),
      };
    }),
  );
}

async function clearArchives(): Promise<void> {
  const listed = await env.ARTIFACTS.list({ prefix: GRANT_ARCHIVE_PREFIX });
  for (const { key } of listed.objects) await env.ARTIFACTS.delete(key);
}

const remaining = async (ids: string[]) =>
  (await db().select({ id: grants.id }).from(grants).where(inArray(grants.id, ids))).map((r) => r.id).sort();

/** The archive line of a grant: the row without its capability hash. */
const asArchived = ({ capabilityHash: _hash, ...rest }: GrantRecord) => rest;

/** 00:00 UTC of the day `days` days ago. */
const dayStart = (days: number) => Math.floor((Date.now() - days * DAY) / DAY) * DAY;

describe("the cron's retention step", () => {
  it("archives grants past retention to one R2 object, then deletes exactly those; grants within retention stay", async () => {
    const day = dayStart(40);
    const old = await insertGrants([
      grantRow(day + 3600_000, { files: [{ file: "a.zst" }] as never, fileCount: 1 }),
      grantRow(day + 7200_000, { revoked: true, revokedAt: day }),
      // A user agent is the client's to write: a newline in it must not split the grant's line.
      grantRow(day + 7200_000, { tokenId: "tok-1", clientIp: null, userAgent: 'x\n{"id":"forged"}\r\u2028' }),
    ]);
    const kept = await insertGrants([
      grantRow(Date.now() - RETENTION + 3600_000), // expired an hour short of the retention period
      grantRow(Date.now() - 1), // just expired
      grantRow(Date.now() + DAY), // live
    ]);

    await worker.scheduled(createScheduledController({ cron: "*/10 * * * *" }), env);

    const [archive, ...others] = await archives();
    expect(others).toEqual([]);
    const date = new Date(day).toISOString().slice(0, 10).replaceAll("-", "/");
    expect(archive.key).toBe(`audit/grants/${date}/${old[0].id}-${old[2].id}.ndjson`);
    expect(archive.lines).toEqual(old.map(asArchived));
    expect(archive.lines.every((l) => !("capabilityHash" in l))).toBe(true);
    expect(await remaining([...old, ...kept].map((g) => g.id))).toEqual(kept.map((g) => g.id).sort());

    const head = await env.ARTIFACTS.head(archive.key);
    expect(head?.customMetadata).toEqual({ grants: "3", firstId: old[0].id, lastId: old[2].id });
    const [event] = await db().select().from(auditEvents).where(eq(auditEvents.subject, archive.key));
    expect(event).toMatchObject({ action: "grants-archived", details: { count: 3, firstId: old[0].id } });
    // The sync ran as usual beside it.
    const [run] = await db().select().from(syncRuns).orderBy(desc(syncRuns.startedAt)).limit(1);
    expect(run).toMatchObject({ trigger: "cron", error: null });

    // Nothing left past retention: the next run writes nothing.
    expect(await archiveExpiredGrants(env, Date.now())).toMatchObject({ archived: 0, more: false });
    expect(await archives()).toHaveLength(1);
    await db().delete(grants);
    await clearArchives();
  });

  it("takes a grant that expired just over the retention period and leaves one that expired exactly at it", async () => {
    const now = Date.now();
    const [over, at] = await insertGrants([grantRow(now - RETENTION - 1), grantRow(now - RETENTION)]);
    expect(await archiveExpiredGrants(env, now)).toMatchObject({ archived: 1, cutoff: now - RETENTION });
    expect(await remaining([over.id, at.id])).toEqual([at.id]);
    expect((await archives()).flatMap((o) => o.lines.map((l) => l.id))).toEqual([over.id]);
    await db().delete(grants);
    await clearArchives();
  });

  it("reads its batch along grants_by_expiry, never scanning or sorting the table", async () => {
    const q = toQuery(pastRetentionQuery(db(), Date.now() - RETENTION, GRANTS_PER_RUN).getSQL());
    const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${q.sql}`)
      .bind(...q.params)
      .all<{ detail: string }>();
    const plan = results.map((r) => r.detail).join("\n");
    expect(plan).toMatch(/SEARCH grants USING (COVERING )?INDEX grants_by_expiry \(expires_at<\?\)/);
    expect(plan).not.toMatch(/TEMP B-TREE|SCAN grants/);
  });
});

describe("a backlog", () => {
  it(`drains over several runs, at most ${GRANTS_PER_RUN} grants and one expiry day an object, every grant archived once`, async () => {
    const day = dayStart(60);
    const backlog = 2 * GRANTS_PER_RUN + 50;
    // Inserted in SQL: one statement for thousands of rows (D1 binds at most 100 parameters).
    await env.DB.prepare(
      `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?1)
       INSERT INTO grants (id, created_at, request, files, file_count, total_bytes, expires_at)
       SELECT printf('b%021d', i), ?2 - 86400000, '{}', '[]', 0, 0, CASE WHEN i < ?3 THEN ?2 + i ELSE ?2 + 86400000 + i END FROM n`,
    )
      .bind(backlog + 10, day, backlog)
      .run();

    const runs = [];
    for (let i = 0; i < 5; i++) runs.push(await archiveExpiredGrants(env, Date.now()));
    expect(runs.map((r) => r.archived)).toEqual([GRANTS_PER_RUN, GRANTS_PER_RUN, 50, 10, 0]);
    expect(runs.map((r) => r.more)).toEqual([true, true, true, false, false]);

    const objects = await archives();
    const ids = objects.flatMap((o) => o.lines.map((l) => l.id as string));
    expect(ids).toHaveLength(backlog + 10);
    expect(new Set(ids).size).toBe(backlog + 10);
    const days = objects.map((o) => o.key.split("/").slice(2, 5).join("-")).sort();
    const first = new Date(day).toISOString().slice(0, 10);
    const second = new Date(day + DAY).toISOString().slice(0, 10);
    expect(days).toEqual([first, first, first, second]);
    expect(await db().select({ id: grants.id }).from(grants)).toEqual([]);
    await clearArchives();
  });

  it("stops at the run's byte budget, but always moves the first grant however large", async () => {
    const day = dayStart(45);
    const files = [{ file: "x".repeat(3000) }] as never;
    const big = await insertGrants([1, 2, 3].map((h) => grantRow(day + h * 3600_000, { files })));
    const first = await archiveExpiredGrants(env, Date.now(), { rows: GRANTS_PER_RUN, bytes: 7000 });
    expect(first).toMatchObject({ archived: 2, more: true });
    const second = await archiveExpiredGrants(env, Date.now(), { rows: GRANTS_PER_RUN, bytes: 100 });
    expect(second).toMatchObject({ archived: 1, more: false });
    expect((await archives()).flatMap((o) => o.lines.map((l) => l.id)).sort()).toEqual(big.map((g) => g.id).sort());
    expect(ARCHIVE_BYTES_PER_RUN).toBeGreaterThan(GRANTS_PER_RUN * 4000); // room for 2,000 ordinary grants
    await clearArchives();
  });
});

/** The env with a bucket whose calls under audit/ are replaced (put or head). */
type Call = (key: string, ...rest: unknown[]) => Promise<unknown>;
function archiveBucket(over: { put?: Call; head?: Call }): Env {
  const bucket = new Proxy(env.ARTIFACTS, {
    get(target, name) {
      const replaced = over[name as keyof typeof over];
      const value = Reflect.get(target, name);
      if (replaced)
        return (key: string, ...rest: unknown[]) =>
          key.startsWith(GRANT_ARCHIVE_PREFIX)
            ? replaced(key, ...rest)
            : (value as (...a: unknown[]) => unknown).call(target, key, ...rest);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { ...env, ARTIFACTS: bucket };
}

describe("a failed archive", () => {
  const failures: [string, () => Env][] = [
    ["the put throws", () => archiveBucket({ put: async () => Promise.reject(new Error("R2 is unavailable")) })],
    ["the object is missing after the put", () => archiveBucket({ head: async () => null })],
    [
      "R2 stored other bytes than were written",
      () => archiveBucket({ put: async (key: string) => env.ARTIFACTS.put(key, "truncated") }),
    ],
  ];
  it.each(failures)("deletes nothing when %s, and the next run archives the same grants", async (_why, failing) => {
    const old = await insertGrants([grantRow(dayStart(35) + 60_000), grantRow(dayStart(35) + 120_000)]);
    const outcome = await retainGrants(failing());
    expect(outcome).toMatchObject({ error: expect.stringMatching(/R2 is unavailable|not stored as written/) });
    expect(await remaining(old.map((g) => g.id))).toEqual(old.map((g) => g.id).sort());
    await clearArchives();

    expect(await retainGrants(env)).toMatchObject({ archived: 2 });
    expect((await archives())[0].lines).toEqual(old.map(asArchived));
    expect(await remaining(old.map((g) => g.id))).toEqual([]);
    await clearArchives();
  });

  it("never replaces an archive object already at its key, and deletes nothing then", async () => {
    const old = await insertGrants([grantRow(dayStart(36) + 60_000), grantRow(dayStart(36) + 120_000)]);
    // What a concurrent run would find: the key this run writes, already holding other bytes.
    const taken = grantArchiveKey(new Date(old[0].expiresAt), old[0].id, old[1].id);
    await env.ARTIFACTS.put(taken, "an earlier run's archive");
    expect(await retainGrants(env)).toMatchObject({ error: expect.stringMatching(/not stored as written/) });
    expect(await (await env.ARTIFACTS.get(taken))?.text()).toBe("an earlier run's archive");
    expect(await remaining(old.map((g) => g.id))).toEqual(old.map((g) => g.id).sort());
    await clearArchives();
    await db().delete(grants);
  });

  it("never fails the cron: the sync still runs and records its run without an error", async () => {
    await insertGrants([grantRow(dayStart(50))]);
    const failing = archiveBucket({ put: async () => Promise.reject(new Error("R2 is unavailable")) });
    await worker.scheduled(createScheduledController({ cron: "*/10 * * * *" }), failing);
    const [run] = await db().select().from(syncRuns).orderBy(desc(syncRuns.startedAt)).limit(1);
    expect(run).toMatchObject({ trigger: "cron", error: null });
    expect(await db().select({ id: grants.id }).from(grants)).toHaveLength(1);
    await db().delete(grants);
  });
});

describe("GRANT_RETENTION_DAYS", () => {
  it("is 14 days unless set", () => {
    expect(config({ ...env, GRANT_RETENTION_DAYS: undefined } as unknown as Env).GRANT_RETENTION_DAYS).toBe(14);
    expect(config({ ...env, GRANT_RETENTION_DAYS: "7" } as unknown as Env).GRANT_RETENTION_DAYS).toBe(7);
  });

  it.each([
    ["thirty", "must be a whole number of days"],
    ["1.5", "must be a whole number of days"],
    ["0", "must be at least 1"],
    ["-3", "must be at least 1"],
    ["", "must be at least 1"],
    ["99999", "must be at most 3650"],
  ])("refuses %j with a message naming it", (value, why) => {
    const bad = { ...env, GRANT_RETENTION_DAYS: value } as unknown as Env;
    expect(() => config(bad)).toThrow(ConfigError);
    expect(() => config(bad)).toThrow(`GRANT_RETENTION_DAYS: GRANT_RETENTION_DAYS ${why}`);
  });

  it("a bad value archives and deletes nothing, and says why", async () => {
    const [old] = await insertGrants([grantRow(dayStart(40))]);
    const outcome = await retainGrants({ ...env, GRANT_RETENTION_DAYS: "thirty" } as unknown as Env);
    expect(outcome).toMatchObject({ error: expect.stringContaining("GRANT_RETENTION_DAYS") });
    expect(await remaining([old.id])).toEqual([old.id]);
    expect(await archives()).toEqual([]);
    await db().delete(grants);
  });
});

type GrantJson = { id: string; links: Record<string, string> };

async function issueGrant(): Promise<GrantJson> {
  const res = await studio("/api/v1/grants", {
    method: "POST",
    headers: { "Content-Type": "application/json", "CF-Connecting-IP": "198.51.100.72" },
    body: JSON.stringify({ packs: [{ name: "retention-probe", version: "1.0.0" }] }),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as GrantJson;
}

describe("a grant past retention, to the people who hold its links", () => {
  beforeAll(async () => {
    await dropRelease(env, "retention-2026-12-0", {
      packs: [{ name: "retention-probe", version: "1.0.0", size: 700 }],
    });
    await syncAndSettle(env, { trigger: "admin" });
  });

  /** Every way a user reaches the grant: its JSON and documents (capability) and a /dl URL signed as issued. */
  async function answers(grant: GrantJson, dlUrl: string) {
    const documents = {
      grant: grant.links["urls.txt"].replace(/\/urls\.txt$/, ""),
      "urls.txt": grant.links["urls.txt"],
      "bundle.tar": grant.links["bundle.tar"],
    };
    const seen: Record<string, { status: number; code?: string; text?: string }> = {};
    for (const [what, url] of Object.entries(documents)) {
      const res = await studio(url);
      seen[what] = { status: res.status, code: ((await res.json()) as { error?: { code: string } }).error?.code };
    }
    const dl = await studio(dlUrl);
    seen.dl = { status: dl.status, text: (await dl.text()).replace(/at \S+;/, "at <time>;") };
    return seen;
  }

  it("answers as an expired grant did before it was archived (410 expired, /dl 'link expired'); the admin API says where it went", async () => {
    const grant = await issueGrant();
    const expiresAt = Date.now() - RETENTION - DAY;
    await db()
      .update(grants)
      .set({ expiresAt, createdAt: expiresAt - DAY })
      .where(eq(grants.id, grant.id));
    const [row] = await db().select().from(grants).where(eq(grants.id, grant.id));
    // The /dl URL as it was issued: it expires with the grant.
    const [entry] = await signedEntries(row as GrantRecord, urlSigner(config(env), ORIGIN));
    const expected = {
      grant: { status: 410, code: "expired" },
      "urls.txt": { status: 410, code: "expired" },
      "bundle.tar": { status: 410, code: "expired" },
      dl: { status: 403, text: "link expired at <time>; ask for a new download\n" },
    };
    expect(await answers(grant, entry.url)).toEqual(expected);
    const live = await issueGrant();
    const recent = await issueGrant(); // expired an hour ago: within retention, still in the audit trail
    await db()
      .update(grants)
      .set({ expiresAt: Date.now() - 3600_000 })
      .where(eq(grants.id, recent.id));

    expect(await archiveExpiredGrants(env, Date.now())).toMatchObject({ archived: 1 });
    expect(await remaining([grant.id, live.id, recent.id])).toEqual([live.id, recent.id].sort());
    expect(await answers(grant, entry.url)).toEqual(expected);

    const record = await studio(`/api/v1/admin/grants/${grant.id}`, { headers: ADMIN_AUTH });
    expect(record.status).toBe(404);
    expect(((await record.json()) as { error: { message: string } }).error.message).toContain(
      "archived to R2 under audit/grants/",
    );
    const list = await studio("/api/v1/admin/grants?limit=200", { headers: ADMIN_AUTH });
    const listed = ((await list.json()) as { grants: { id: string }[] }).grants.map((g) => g.id);
    expect(listed).toEqual(expect.arrayContaining([live.id, recent.id]));
    expect(listed).not.toContain(grant.id);
    for (const kept of [live, recent])
      expect((await studio(`/api/v1/admin/grants/${kept.id}`, { headers: ADMIN_AUTH })).status).toBe(200);
    await clearArchives();
  });

  it("still answers 404 for what is not a capability at all (a grant id, a truncated link)", async () => {
    const grant = await issueGrant();
    for (const path of [grant.id, "A".repeat(42)]) {
      const res = await studio(`/api/v1/grants/${path}/urls.txt`);
      expect(res.status, path).toBe(404);
    }
  });
});

describe("POST /api/v1/admin/grants/archive", () => {
  const archiveNow = (init: RequestInit = {}) => studio("/api/v1/admin/grants/archive", { method: "POST", ...init });

  it("runs one retention batch now, for the admin only", async () => {
    expect((await archiveNow()).status).toBe(401);
    const [old] = await insertGrants([grantRow(dayStart(33))]);
    const res = await archiveNow({ headers: ADMIN_AUTH });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { archived: number; key: string; more: boolean };
    expect(body).toMatchObject({
      archived: 1,
      more: false,
      key: expect.stringContaining(`/${old.id}-${old.id}.ndjson`),
    });
    expect(await remaining([old.id])).toEqual([]);
    expect(await (await archiveNow({ headers: ADMIN_AUTH })).json()).toMatchObject({ archived: 0, more: false });
    await clearArchives();
  });

  it("answers 503 archive_failed when the archive cannot be written, and deletes nothing", async () => {
    const [old] = await insertGrants([grantRow(dayStart(33))]);
    const failing = archiveBucket({ put: async () => Promise.reject(new Error("R2 is unavailable")) });
    const request = new Request(`${ORIGIN}/api/v1/admin/grants/archive`, { method: "POST", headers: ADMIN_AUTH });
    const res = await app.fetch(request, failing, createExecutionContext());
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({
      error: { code: "archive_failed", message: expect.stringContaining("nothing was deleted: R2 is unavailable") },
    });
    expect(await remaining([old.id])).toEqual([old.id]);
    await db().delete(grants);
  });
});
