// The capacity benchmark's meter (scripts/bench-journeys.ts): with BENCH_METER=on under
// ENVIRONMENT=local only, the D1, R2 and Workflow bindings are wrapped in counting proxies and the
// isolate's totals are served (and reset) at GET /__bench/meter. Anywhere else the bindings are
// handed over untouched and that path is an ordinary 404: production never pays for or shows it.
// Counted: D1 meta.rows_read / rows_written of every statement (raw() and first() included, which
// carry no meta in D1's API: under the meter they run as one-statement batches, which keep it); R2 class A (put, list, multipart create / part / complete) and class B (get, head)
// operations with the bytes each moves as R2 reports them; Workflow instances created and steps run.
// The D1 side lives in worker/db/metered-d1.ts, with all other D1 access.

import { type D1Meta, meteredDatabase } from "./db/metered-d1";

export type BenchTotals = {
  requests: number;
  d1Queries: number;
  d1RowsRead: number;
  d1RowsWritten: number;
  /** Statements whose meta could not be read (counted, never guessed). */
  d1Unmetered: number;
  r2ClassA: number;
  r2ClassB: number;
  r2Free: number;
  r2BytesIn: number;
  r2BytesOut: number;
  workflowsCreated: number;
  workflowSteps: number;
};

/**
 * A method called on its own object. Not value.bind(target): on an RPC stub (the Workflow binding)
 * "bind" is taken for a remote method.
 */
const callOn =
  (target: object, method: unknown) =>
  (...args: unknown[]) =>
    Reflect.apply(method as (...args: unknown[]) => unknown, target, args);

const zero = (): BenchTotals => ({
  requests: 0,
  d1Queries: 0,
  d1RowsRead: 0,
  d1RowsWritten: 0,
  d1Unmetered: 0,
  r2ClassA: 0,
  r2ClassB: 0,
  r2Free: 0,
  r2BytesIn: 0,
  r2BytesOut: 0,
  workflowsCreated: 0,
  workflowSteps: 0,
});

/** One isolate's totals: locally, wrangler dev runs the fetch handler, cron and Workflows in one. */
let totals = zero();

/** Rows read per statement text since the last read: where a journey's rows go. */
export type HeavyStatement = { sql: string; statements: number; rowsRead: number };
let bySql = new Map<string, HeavyStatement>();
const HEAVIEST_SHOWN = 8;
const SQL_SHOWN = 240;

function addToStatement(sql: string, rowsRead: number) {
  const text = sql.replace(/\s+/g, " ").trim().slice(0, SQL_SHOWN);
  const entry = bySql.get(text) ?? { sql: text, statements: 0, rowsRead: 0 };
  entry.statements++;
  entry.rowsRead += rowsRead;
  bySql.set(text, entry);
}

/** The statements that read the most rows, most first. */
export const heaviest = (statements: Iterable<HeavyStatement>, shown = HEAVIEST_SHOWN) =>
  [...statements].sort((a, b) => b.rowsRead - a.rowsRead).slice(0, shown);

type RawEnv = { BENCH_METER?: string; ENVIRONMENT?: string };

export const meterIsOn = (env: RawEnv) => env.BENCH_METER === "on" && env.ENVIRONMENT === "local";

/** The totals since the last read, with the heaviest statements, as JSON; reading resets them. */
export function takeTotals(): Response {
  const taken = { ...totals, heaviest: heaviest(bySql.values()) };
  totals = zero();
  bySql = new Map();
  return Response.json(taken);
}

export const countRequest = () => {
  totals.requests++;
};

function addMeta(result: D1Meta | undefined, sql: string) {
  totals.d1Queries++;
  if (!result?.meta) {
    totals.d1Unmetered++;
    return;
  }
  addToStatement(sql, result.meta.rows_read ?? 0);
  totals.d1RowsRead += result.meta.rows_read ?? 0;
  totals.d1RowsWritten += result.meta.rows_written ?? 0;
}

/** Bytes an R2 get sends: the range asked for, else the whole object; none for a conditional miss. */
function bytesSent(object: R2Object | R2ObjectBody | null): number {
  if (!object || !("body" in object)) return 0;
  const range = object.range as { offset?: number; length?: number; suffix?: number } | undefined;
  if (!range) return object.size;
  if (range.suffix !== undefined) return Math.min(range.suffix, object.size);
  return range.length ?? object.size - (range.offset ?? 0);
}

function meterUpload(upload: R2MultipartUpload): R2MultipartUpload {
  return new Proxy(upload, {
    get(target, prop) {
      if (prop === "uploadPart")
        return (...args: Parameters<R2MultipartUpload["uploadPart"]>) => {
          totals.r2ClassA++;
          return target.uploadPart(...args);
        };
      if (prop === "complete")
        return async (...args: Parameters<R2MultipartUpload["complete"]>) => {
          totals.r2ClassA++;
          const object = await target.complete(...args);
          totals.r2BytesIn += object.size;
          return object;
        };
      if (prop === "abort") totals.r2Free++;
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? callOn(target, value) : value;
    },
  });
}

const R2_CALLS: Record<string, (args: unknown[], result: unknown) => unknown> = {
  head: (_args, result) => {
    totals.r2ClassB++;
    return result;
  },
  get: (_args, result) => {
    totals.r2ClassB++;
    totals.r2BytesOut += bytesSent(result as R2ObjectBody | null);
    return result;
  },
  put: (_args, result) => {
    totals.r2ClassA++;
    totals.r2BytesIn += (result as R2Object | null)?.size ?? 0;
    return result;
  },
  list: (_args, result) => {
    totals.r2ClassA++;
    return result;
  },
  delete: (_args, result) => {
    totals.r2Free++;
    return result;
  },
  createMultipartUpload: (_args, result) => {
    totals.r2ClassA++;
    return meterUpload(result as R2MultipartUpload);
  },
  // No request to R2: it only names an upload already created.
  resumeMultipartUpload: (_args, result) => meterUpload(result as R2MultipartUpload),
};

function meterBucket(bucket: R2Bucket): R2Bucket {
  return new Proxy(bucket, {
    get(target, prop) {
      const count = typeof prop === "string" ? R2_CALLS[prop] : undefined;
      const value = Reflect.get(target, prop, target);
      if (!count || typeof value !== "function") return typeof value === "function" ? callOn(target, value) : value;
      return (...args: unknown[]) => {
        const result = value.apply(target, args);
        return result instanceof Promise ? result.then((r) => count(args, r)) : count(args, result);
      };
    },
  });
}

function meterWorkflow(workflow: Workflow): Workflow {
  return new Proxy(workflow, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (prop === "create") totals.workflowsCreated++;
      if (prop === "createBatch")
        return (batch: unknown[]) => {
          totals.workflowsCreated += batch.length;
          return target.createBatch(batch as Parameters<Workflow["createBatch"]>[0]);
        };
      return typeof value === "function" ? callOn(target, value) : value;
    },
  });
}

const metered = new WeakMap<Env, Env>();

/** The env with counting bindings when the meter is on (one per env, as settings are parsed once per env); the env itself otherwise. */
export function meteredEnv(env: Env): Env {
  if (!meterIsOn(env as RawEnv)) return env;
  let wrapped = metered.get(env);
  if (!wrapped) {
    wrapped = {
      ...env,
      DB: meteredDatabase(env, addMeta),
      ARTIFACTS: meterBucket(env.ARTIFACTS),
      VERIFY_RELEASE: meterWorkflow(env.VERIFY_RELEASE),
    };
    metered.set(env, wrapped);
  }
  return wrapped;
}

/** A Workflow step runner that counts each step.do it runs. */
export function meteredStep<S extends { do: (...args: never[]) => unknown }>(step: S, env: Env): S {
  if (!meterIsOn(env as RawEnv)) return step;
  return new Proxy(step, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (prop === "do") totals.workflowSteps++;
      return typeof value === "function" ? callOn(target, value) : value;
    },
  });
}
