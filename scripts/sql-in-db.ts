// Keeps "all SQL lives in worker/db/" true: fails (exit 1) when a file under worker/ outside
// worker/db/ runs SQL or builds it, naming each place. What counts as SQL:
// - a value import from drizzle-orm (sql, eq, and, …: query building; `import type` is fine);
// - a table imported from a drizzle schema module (upper-case constants and types are fine), or the
//   raw-statement runner (db/batch.ts);
// - D1 calls: .prepare(), .batch(), .withSession(), .exec("…"), the `$client` under drizzle, or
//   the D1 binding itself (`env.DB`): sessions are opened in worker/db/client.ts.
// Before scanning, it checks itself against planted violations, so a rule that stops catching them
// fails too. Part of `npm run lint`. Usage: tsx scripts/sql-in-db.ts
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";

export type Violation = { file: string; line: number; what: string };

const SCHEMA_MODULE = /(^|\/)db\/(.*\/)?[\w-]*schema$/;
const CONSTANT = /^[A-Z][A-Z0-9_]*$/;
const D1_CALLS = new Set(["prepare", "batch", "withSession"]);

function importViolations(node: ts.ImportDeclaration): string[] {
  const from = (node.moduleSpecifier as ts.StringLiteral).text;
  const clause = node.importClause;
  if (!clause || clause.isTypeOnly) return [];
  const bindings = clause.namedBindings;
  const named = bindings && ts.isNamedImports(bindings) ? bindings.elements.filter((e) => !e.isTypeOnly) : [];
  const whole = Boolean(clause.name) || (bindings !== undefined && ts.isNamespaceImport(bindings));
  if (/^drizzle-orm(\/|$)/.test(from) && (whole || named.length))
    return [`builds SQL with drizzle-orm (imports ${named.map((e) => e.name.text).join(", ") || "*"} from "${from}")`];
  if (/(^|\/)db\/batch$/.test(from) && named.length)
    return [`runs raw statements (imports ${named.map((e) => e.name.text).join(", ")} from "${from}")`];
  if (!SCHEMA_MODULE.test(from)) return [];
  const tables = named.map((e) => (e.propertyName ?? e.name).text).filter((name) => !CONSTANT.test(name));
  if (whole || tables.length) return [`imports tables (${tables.join(", ") || "*"}) from "${from}"`];
  return [];
}

function callViolation(node: ts.CallExpression): string | undefined {
  if (!ts.isPropertyAccessExpression(node.expression)) return undefined;
  const name = node.expression.name.text;
  if (D1_CALLS.has(name)) return `calls .${name}() (D1)`;
  const [first] = node.arguments;
  // RegExp#exec takes a variable; D1's exec takes the SQL text.
  if (name === "exec" && first && (ts.isStringLiteral(first) || ts.isTemplateLiteral(first)))
    return "calls .exec() with SQL text (D1)";
  return undefined;
}

/** Every place in one source text that runs or builds SQL. */
export function sqlViolations(file: string, text: string): Violation[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: Violation[] = [];
  const add = (node: ts.Node, what: string) =>
    found.push({ file, line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1, what });
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node)) for (const what of importViolations(node)) add(node, what);
    if (ts.isCallExpression(node)) {
      const what = callViolation(node);
      if (what) add(node, what);
    }
    if (ts.isPropertyAccessExpression(node) && ["$client", "DB"].includes(node.name.text))
      add(node, `reads .${node.name.text} (the D1 binding; open a session in worker/db/client.ts)`);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Planted violations (each must be caught, each by one rule) and clean code (nothing may be). */
const PLANTED = [
  'import { sql } from "drizzle-orm";',
  'import { and as both } from "drizzle-orm";',
  'import * as d from "drizzle-orm";',
  'import { packVersions } from "../db/schema";',
  'import { packFacetCounts } from "../db/counts/facets-schema";',
  'import { runBatch } from "../db/batch";',
  "const client = db.$client;",
  'await statement.prepare("SELECT 1").all();',
  "await session.batch([]);",
  "const d1 = env.DB;",
  'session.withSession("first-primary");',
  'await d1.exec("DELETE FROM packs");',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: planted source text holding a template literal
  "await d1.exec(`DELETE FROM ${table}`);",
];
const CLEAN = [
  'import type { SQL } from "drizzle-orm";',
  'import { type SQL } from "drizzle-orm";',
  'import { RELEASE_STATUSES, type SyncTrigger } from "../db/schema";',
  'import { readPackPage } from "../db/pack-page";',
  'import type { Query } from "../db/batch";',
  "const m = /^(\\d+)$/.exec(text);",
  "// a comment that says db.prepare() is not code",
  'const text = "env.DB.prepare(...)";',
].join("\n");

export function selfCheck(): string[] {
  const problems = PLANTED.filter((line) => sqlViolations("planted.ts", line).length === 0).map(
    (line) => `not caught: ${line}`,
  );
  for (const v of sqlViolations("clean.ts", CLEAN)) problems.push(`false alarm on line ${v.line}: ${v.what}`);
  return problems;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return path === join("worker", "db") ? [] : sourceFiles(path);
    return /\.tsx?$/.test(name) && !name.endsWith(".d.ts") ? [path] : [];
  });
}

function main() {
  const problems = selfCheck();
  if (problems.length) {
    console.error(`scripts/sql-in-db.ts no longer catches what it must:\n  ${problems.join("\n  ")}`);
    process.exit(1);
  }
  const violations = sourceFiles("worker").flatMap((file) =>
    sqlViolations(relative(".", file), readFileSync(file, "utf8")),
  );
  for (const v of violations) console.error(`${v.file}:${v.line}: ${v.what}`);
  if (violations.length) {
    console.error(
      `${violations.length} place(s) outside worker/db/ run SQL: move the query into worker/db/ as a function.`,
    );
    process.exit(1);
  }
  console.log("sql-in-db: no SQL outside worker/db/");
}

if (process.argv[1]?.endsWith("sql-in-db.ts")) main();
