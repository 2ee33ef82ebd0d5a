// What generated TypeScript files consist of, from the TypeScript parser: per file, its syntax
// errors, the kinds of its top-level statements and class members, and every callee it calls.
// Reads {"files": [...]} on stdin; writes {file: {...}} on stdout.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const ts = require(new URL("../../node_modules/typescript/lib/typescript.js", import.meta.url).pathname);
const { files } = JSON.parse(readFileSync(0, "utf8"));
const out = {};
for (const file of files) {
  const text = readFileSync(file, "utf8");
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const calls = new Set();
  const members = [];
  const visit = (node) => {
    if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
      calls.add((ts.isNewExpression(node) ? "new " : "") + node.expression.getText(source));
    }
    if (ts.isClassDeclaration(node)) {
      for (const m of node.members) members.push(ts.SyntaxKind[m.kind]);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  out[file] = {
    diagnostics: source.parseDiagnostics.length,
    statements: source.statements.map((s) => ts.SyntaxKind[s.kind]),
    members: [...new Set(members)].sort(),
    calls: [...calls].sort(),
  };
}
process.stdout.write(JSON.stringify(out));
