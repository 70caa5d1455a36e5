// Lists functions longer than a limit (default 60 lines) in worker/ and web/, longest first, so the
// codebase's "short functions with names" goal is a number anyone can re-measure.
// Usage: tsx scripts/long-functions.ts [--limit 60]
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";

const limitFlag = process.argv.indexOf("--limit");
const limit = limitFlag > 0 ? Number(process.argv[limitFlag + 1]) : 60;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === "public" ? [] : sourceFiles(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}

function functionName(node: ts.Node): string {
  if ((ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node)) && node.name) return node.name.getText();
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent)) return parent.name.getText();
  if (ts.isPropertyAssignment(parent)) return parent.name.getText();
  if (ts.isCallExpression(parent)) return `${parent.expression.getText().slice(0, 40)}(… callback)`;
  return "(anonymous)";
}

const long: { file: string; name: string; lines: number }[] = [];
for (const file of [...sourceFiles("worker"), ...sourceFiles("web")]) {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && "body" in node && node.body) {
      const start = source.getLineAndCharacterOfPosition(node.getStart()).line;
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      if (end - start + 1 > limit) long.push({ file, name: functionName(node), lines: end - start + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
}
long.sort((a, b) => b.lines - a.lines);
for (const f of long) console.log(`${String(f.lines).padStart(4)}  ${f.file}  ${f.name.replace(/\s+/g, " ")}`);
console.log(`${long.length} functions over ${limit} lines`);
