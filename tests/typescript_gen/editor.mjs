// Drives the TypeScript language service as an editor does, over a generated package: completion
// after `model.`, signature help inside a call, quick info (hover) on a method.
// Reads {"root", "module", "className", "method"} on stdin; writes what the service answers.
import { readFileSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(import.meta.url);
const ts = require(new URL("../../node_modules/typescript/lib/typescript.js", import.meta.url).pathname);
const { root, module, className, method, literalAt } = JSON.parse(readFileSync(0, "utf8"));
const scratch = path.join(root, "editor_scratch.ts");
const head = `import { ${className} } from "./${module}.js";\nconst model = new ${className}();\n`;
// Each probe on its own statement; `|` marks where the editor's cursor is.
const probes = [`model.|\n;`, `model.${method}(|);`, `model.${method}(|);`, `${literalAt}|" });`];
const body = probes.join("\n");
const cursors = [];
let text = head;
for (const part of body.split("|")) {
  cursors.push(text.length);
  text += part;
}
cursors.shift();
text += "\n";
const options = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  strict: true,
  types: [],
  lib: ["lib.es2022.d.ts"],
};
const host = {
  getScriptFileNames: () => [scratch],
  getScriptVersion: () => "1",
  getScriptSnapshot: (name) => {
    if (name === scratch) return ts.ScriptSnapshot.fromString(text);
    return existsSync(name) ? ts.ScriptSnapshot.fromString(readFileSync(name, "utf8")) : undefined;
  },
  getCurrentDirectory: () => root,
  getCompilationSettings: () => options,
  getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
  fileExists: (name) => name === scratch || ts.sys.fileExists(name),
  readFile: (name) => (name === scratch ? text : ts.sys.readFile(name)),
  readDirectory: ts.sys.readDirectory,
  directoryExists: ts.sys.directoryExists,
  getDirectories: ts.sys.getDirectories,
};
const service = ts.createLanguageService(host, ts.createDocumentRegistry());
const afterDot = cursors[0];
const completions = service.getCompletionsAtPosition(scratch, afterDot, {}) ?? { entries: [] };
const inCall = cursors[1];
const help = service.getSignatureHelpItems(scratch, inCall, {});
const show = (parts) => (parts ?? []).map((p) => p.text).join("");
const signatures = (help?.items ?? []).map((item) => ({
  prefix: show(item.prefixDisplayParts),
  parameters: item.parameters.map((p) => show(p.displayParts)),
  documentation: show(item.documentation),
}));
const onMethod = cursors[2] - 2;
const info = service.getQuickInfoAtPosition(scratch, onMethod);
const inLiteral = cursors[3];
const literals = service.getCompletionsAtPosition(scratch, inLiteral, {}) ?? { entries: [] };
process.stdout.write(
  JSON.stringify({
    completions: completions.entries.map((e) => e.name).sort(),
    signatures,
    hover: { display: show(info?.displayParts), documentation: show(info?.documentation) },
    literals: literals.entries.map((e) => e.name).sort(),
  }),
);
