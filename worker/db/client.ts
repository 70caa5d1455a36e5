// Database handles. Catalog reads use a D1 Session that any read replica may answer; the sync and
// admin writes start at the primary so they see the latest state.
import { drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";

export type Db = ReturnType<typeof drizzle<typeof schema>>;

// drizzle only calls prepare() and batch(), both of which a D1DatabaseSession has.
const open = (session: D1DatabaseSession) => drizzle(session as unknown as D1Database, { schema });

export const catalogReader = (env: Env): Db => open(env.DB.withSession("first-unconstrained"));
export const primaryWriter = (env: Env): Db => open(env.DB.withSession("first-primary"));
