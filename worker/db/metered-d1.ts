// The bench meter's D1 side (worker/bench-meter.ts): the D1 binding wrapped so that every statement's
// meta (rows read and written) is handed to a callback, on every path drizzle uses. Only ever built
// under BENCH_METER=on with ENVIRONMENT=local; it lives here because all D1 access does.

export type D1Meta = { meta?: { rows_read?: number; rows_written?: number } };
/** `sql` is the statement's text, so the meter can say which statements read the rows. */
type OnResult = (result: D1Meta | undefined, sql: string) => void;

/** Each native statement's SQL text: a batch hands over only the statements. */
const sqlOf = new WeakMap<D1PreparedStatement, string>();
const textOf = (native: D1PreparedStatement) => sqlOf.get(native) ?? "";

/** A method called on its own object (not value.bind: on an RPC stub "bind" is a remote method). */
const callOn =
  (target: object, method: unknown) =>
  (...args: unknown[]) =>
    Reflect.apply(method as (...args: unknown[]) => unknown, target, args);

const NATIVE = Symbol("native D1 statement");
type Owner = Pick<D1Database, "batch">;

/**
 * raw() and first() drop D1's meta, and a statement keeps its session private; so under the meter
 * they run as a one-statement batch on the session that prepared them, which keeps meta. A batch
 * answers rows as objects: raw()'s arrays are their values in column order, as drizzle's own batch
 * reads them (d1ToRawMapping), so a query with two result columns of one name would lose one; none
 * of the catalog's does, and the journeys check what they download.
 */
async function objectRows(native: D1PreparedStatement, owner: Owner, onResult: OnResult) {
  const [result] = await owner.batch<Record<string, unknown>>([native]);
  onResult(result, textOf(native));
  return result.results;
}

function meterStatement(
  native: D1PreparedStatement,
  owner: Owner,
  onResult: OnResult,
  sql: string,
): D1PreparedStatement {
  sqlOf.set(native, sql);
  const raw = async (options?: { columnNames?: boolean }) => {
    const rows = await objectRows(native, owner, onResult);
    const values = rows.map((r) => Object.values(r));
    return options?.columnNames ? [Object.keys(rows[0] ?? {}), ...values] : values;
  };
  const first = async (column?: string) => {
    const [row] = await objectRows(native, owner, onResult);
    if (!row) return null;
    return column === undefined ? row : row[column];
  };
  return new Proxy(native, {
    get(target, prop) {
      if (prop === NATIVE) return target;
      if (prop === "bind")
        return (...values: unknown[]) => meterStatement(target.bind(...values), owner, onResult, sql);
      if (prop === "all" || prop === "run")
        return async () => {
          const result = await target[prop]();
          onResult(result, sql);
          return result;
        };
      if (prop === "raw") return raw;
      if (prop === "first") return first;
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? callOn(target, value) : value;
    },
  });
}

const unwrap = (s: D1PreparedStatement) => (s as D1PreparedStatement & { [NATIVE]?: D1PreparedStatement })[NATIVE] ?? s;

function meterSession<T extends D1Database | D1DatabaseSession>(db: T, onResult: OnResult): T {
  return new Proxy(db, {
    get(target, prop) {
      if (prop === "prepare") return (query: string) => meterStatement(target.prepare(query), target, onResult, query);
      if (prop === "batch")
        return async (statements: D1PreparedStatement[]) => {
          const natives = statements.map(unwrap);
          const results = await target.batch(natives);
          for (const [i, result] of results.entries()) onResult(result, textOf(natives[i]));
          return results;
        };
      if (prop === "withSession")
        return (constraint?: string) => meterSession((target as D1Database).withSession(constraint), onResult);
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? callOn(target, value) : value;
    },
  });
}

/** The env's D1 binding, metered. */
export const meteredDatabase = (env: Env, onResult: OnResult): D1Database => meterSession(env.DB, onResult);
