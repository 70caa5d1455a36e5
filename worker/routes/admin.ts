// Admin API: the catalog sync (run now, status, quarantine) and yanking. Bearer token only.
import { Buffer } from "node:buffer";
import { timingSafeEqual } from "node:crypto";
import { Hono } from "hono";
import { bearerAuth } from "hono/bearer-auth";
import { z } from "zod";
import { primaryWriter } from "../db/client";
import { yankPackVersion } from "../db/publish";
import { getRelease, listReleases, listSyncRuns, type ReleaseCursor } from "../db/releases";
import { RELEASE_STATUSES } from "../db/schema";
import { config } from "../env";
import { notFound } from "../errors";
import { runSync } from "../sync/run";
import { validate } from "../validate";

export const adminRoutes = new Hono<{ Bindings: Env }>();

adminRoutes.use(bearerAuth({ verifyToken: (token, c) => timingSafeEqualText(token, config(c.env as Env).ADMIN_TOKEN) }));

function timingSafeEqualText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.byteLength === y.byteLength && timingSafeEqual(x, y);
}

const limit = (fallback: number) => z.coerce.number().int().min(1).max(100).default(fallback);

/** The opaque cursor is base64url JSON of the last row's sort key. */
const encodeCursor = (cursor: ReleaseCursor) => Buffer.from(JSON.stringify(cursor)).toString("base64url");
const releaseCursor = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(Buffer.from(text, "base64url").toString("utf8")) as unknown;
    } catch {
      ctx.addIssue({ code: "custom", message: "not a cursor this API returned" });
      return z.NEVER;
    }
  })
  .pipe(z.object({ claimedAt: z.number().int(), id: z.string() }, { error: "not a cursor this API returned" }));

adminRoutes.post("/sync", async (c) => c.json(await runSync(c.env, { trigger: "admin" })));

adminRoutes.get("/sync/runs", validate("query", z.object({ limit: limit(20) })), async (c) => {
  const runs = await listSyncRuns(primaryWriter(c.env), c.req.valid("query").limit);
  return c.json({ runs });
});

adminRoutes.get(
  "/releases",
  validate("query", z.object({ status: z.enum(RELEASE_STATUSES).optional(), limit: limit(50), cursor: releaseCursor.optional() })),
  async (c) => {
    const { status, limit, cursor } = c.req.valid("query");
    const page = await listReleases(primaryWriter(c.env), { status, limit, after: cursor });
    return c.json({ releases: page.releases, nextCursor: page.next ? encodeCursor(page.next) : null });
  },
);

adminRoutes.get("/releases/:id", async (c) => {
  const release = await getRelease(primaryWriter(c.env), c.req.param("id"));
  if (!release) throw notFound(`release ${c.req.param("id")}`);
  return c.json(release);
});

adminRoutes.post(
  "/packs/:name/versions/:version/yank",
  validate("param", z.object({ name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, "must be a pack name"), version: z.string().min(1).max(40) })),
  validate("json", z.object({ reason: z.string().trim().min(1, "a reason is required").max(500) })),
  async (c) => {
    const { name, version } = c.req.valid("param");
    const yanked = await yankPackVersion(primaryWriter(c.env), name, version, c.req.valid("json").reason, Date.now());
    if (!yanked) throw notFound(`pack ${name} version ${version}`);
    return c.json(yanked);
  },
);
