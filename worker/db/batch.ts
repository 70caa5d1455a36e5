// Raw statements with a named row type, and the one way to run them: in a D1 batch (one round trip)
// through the request's session. The catalog's reads need SQL that drizzle's builder cannot express
// (FTS5 MATCH, CTEs, json_group_array), so each such statement says what its rows are with `query<Row>`
// and runBatch hands back rows of those types: no `Record<string, unknown>` and no casts at the caller.
import type { SQL } from "drizzle-orm";
import { SQLiteAsyncDialect } from "drizzle-orm/sqlite-core";
import type { Db } from "./client";

const dialect = new SQLiteAsyncDialect();

declare const ROW: unique symbol;

/** A statement whose rows are `Row` (declared by the statement's author, as D1's `all<Row>()` is). */
export type Query<Row> = SQL & { readonly [ROW]?: Row };

/** Names the row type of a raw statement. */
export const query = <Row>(statement: SQL): Query<Row> => statement as Query<Row>;

export type RowsOf<Q extends readonly Query<unknown>[]> = {
  -readonly [K in keyof Q]: Q[K] extends Query<infer R> ? R[] : never;
};

/** Runs statements in one D1 batch through the request's session (drizzle's batch cannot bind raw SQL). */
export async function runBatch<const Q extends readonly Query<unknown>[]>(db: Db, statements: Q): Promise<RowsOf<Q>> {
  const client = db.$client;
  const prepared = statements.map((statement) => {
    const q = dialect.sqlToQuery(statement);
    return client.prepare(q.sql).bind(...q.params);
  });
  const results = await client.batch(prepared);
  return results.map((r) => r.results) as RowsOf<Q>;
}

/** The SQL text and parameters of a statement (what the query-plan tests EXPLAIN). */
export const toQuery = (statement: SQL) => dialect.sqlToQuery(statement);
