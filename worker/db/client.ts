// Database handles. Catalog reads use a D1 Session that any read replica may answer; the sync and
// admin writes start at the primary so they see the latest state, and so do the reads that must
// never lag a write (whether a grant exists, is revoked, or names a yanked pack).
import { drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";

export type Db = ReturnType<typeof drizzle<typeof schema>>;

// drizzle only calls prepare() and batch(), both of which a D1DatabaseSession has.
const open = (session: D1DatabaseSession) => drizzle(session as unknown as D1Database, { schema });

export const catalogReader = (env: Env): Db => open(env.DB.withSession("first-unconstrained"));
export const primaryWriter = (env: Env): Db => open(env.DB.withSession("first-primary"));

/**
 * Reads of grant, revocation and yank state. A replica may lag the primary, so a revoked grant or
 * a yanked pack could still be served from one; these reads start at the primary instead. (A
 * bookmark would do only for the client that made the write; a revocation is made by the admin
 * and must stop everyone's downloads at once.)
 */
export const latestStateReader = (env: Env): Db => open(env.DB.withSession("first-primary"));
