// Database handles, one per purpose: catalog reads use a D1 Session that any read replica may
// answer (catalogReader, or meteredCatalogReader to count the rows read); everything else starts at
// the primary (primary): the sync's and admin's writes, and the reads that must never lag a write.
import { drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";

export type Db = ReturnType<typeof drizzle<typeof schema>>;

// drizzle only calls prepare() and batch(), both of which a D1DatabaseSession has.
const open = (session: D1DatabaseSession) => drizzle(session as unknown as D1Database, { schema });

/** The catalog's reads: any read replica near the user may answer. */
export const catalogReader = (env: Env): Db => open(env.DB.withSession("first-unconstrained"));

/** Counts D1's `meta.rows_read` and `meta.duration` (ms in the database) over every statement run through a metered session. */
export type RowsReadMeter = { rowsRead: number; d1Ms: number };

const NATIVE = Symbol("native statement");
type Metered = D1PreparedStatement & { [NATIVE]: D1PreparedStatement };

const add = (meter: RowsReadMeter, result: { meta?: { rows_read?: number; duration?: number } }) => {
  meter.rowsRead += result.meta?.rows_read ?? 0;
  meter.d1Ms += result.meta?.duration ?? 0;
};

/**
 * A statement whose all() and run() add their rows read to the meter. first() and raw() carry no
 * meta in D1, so the catalog reads through batches and all(), never those two.
 */
function meterStatement(statement: D1PreparedStatement, meter: RowsReadMeter): Metered {
  return new Proxy(statement, {
    get(target, prop) {
      if (prop === NATIVE) return target;
      if (prop === "bind") return (...values: unknown[]) => meterStatement(target.bind(...values), meter);
      if (prop === "all" || prop === "run")
        return async () => {
          const result = await target[prop]();
          add(meter, result);
          return result;
        };
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  }) as Metered;
}

/**
 * The catalog's read session with a meter of D1 rows read, for the X-D1-Rows-Read header: the
 * figure D1 bills and the benchmark reports per request.
 */
export function meteredCatalogReader(env: Env): { db: Db; meter: RowsReadMeter } {
  const session = env.DB.withSession("first-unconstrained");
  const meter: RowsReadMeter = { rowsRead: 0, d1Ms: 0 };
  const metered = {
    prepare: (query: string) => meterStatement(session.prepare(query), meter),
    batch: async <T>(statements: D1PreparedStatement[]) => {
      const results = await session.batch<T>(statements.map((s) => (s as Metered)[NATIVE] ?? s));
      for (const result of results) add(meter, result);
      return results;
    },
    getBookmark: () => session.getBookmark(),
  };
  return { db: open(metered as unknown as D1DatabaseSession), meter };
}

/**
 * The primary: every write (the sync, the admin), and the reads of grant, revocation and yank state.
 * A replica may lag the primary, so a revoked grant or a yanked pack could still be served from one;
 * these reads start at the primary instead. (A bookmark would do only for the client that made the
 * write; a revocation is made by the admin and must stop everyone's downloads at once.)
 */
export const primary = (env: Env): Db => open(env.DB.withSession("first-primary"));

// D1 binds at most 100 parameters per statement.
export const D1_MAX_PARAMS = 100;

/** Slices of `items` small enough to bind in one statement; the default leaves room for one more parameter. */
export function chunksOf<T>(items: T[], size = D1_MAX_PARAMS - 1): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
