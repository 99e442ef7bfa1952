// Writes package.json and README.md of one built package directory (scripts/build-wasm-package).
// Usage: node make-package.mjs <dir> <web|nodejs> <version>
import { readFileSync, writeFileSync, readdirSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const [dir, target, version] = process.argv.slice(2);
const here = dirname(fileURLToPath(import.meta.url));
const web = target === "web";
const name = web ? "sidecarscope-wasm-web" : "sidecarscope-wasm-nodejs";
const files = readdirSync(dir).filter((f) => !f.startsWith(".") && f !== "package.json");
if (!files.includes("README.md")) files.push("README.md");

const pkg = {
  name,
  version,
  description: web
    ? "Istio-exact Sidecar validation, analysis, resolution and listeners in the browser (WebAssembly, ES module)"
    : "Istio-exact Sidecar validation, analysis, resolution and listeners in Node.js (WebAssembly)",
  license: "Apache-2.0",
  keywords: ["istio", "sidecar", "kubernetes", "service-mesh", "wasm", "validation"],
  ...(web ? { type: "module" } : {}),
  main: "sidecarscope.js",
  types: "sidecarscope.d.ts",
  exports: {
    ".": { types: "./sidecarscope.d.ts", default: "./sidecarscope.js" },
    "./sidecarscope_bg.wasm": "./sidecarscope_bg.wasm",
    "./package.json": "./package.json",
  },
  files: files.sort(),
  sideEffects: web ? ["./snippets/*"] : ["./sidecarscope.js"],
  engines: web ? undefined : { node: ">=18" },
};

const usage = web
  ? `An ES module for browsers, and for bundlers that resolve \`new URL("…", import.meta.url)\`
(Vite, webpack 5, Parcel). Call the default export once; it fetches \`sidecarscope_bg.wasm\` next
to \`sidecarscope.js\`. Elsewhere, serve that file yourself and pass its URL:
\`await init({ module_or_path: "/assets/sidecarscope_bg.wasm" })\`.

\`\`\`html
<script type="module">
  import init, { analyze } from "./${name}/sidecarscope.js";
  await init();
  const report = analyze(document.querySelector("textarea").value);
  for (const d of report.diagnostics) {
    console.log(\`\${d.file}:\${d.range.start.line}:\${d.range.start.column} \${d.severity}[\${d.code}] \${d.message}\`);
  }
</script>
\`\`\`

Serve \`.wasm\` as \`application/wasm\` for streaming compilation (other types work, slower).
\`initSync({ module })\` takes bytes or a \`WebAssembly.Module\` you fetched yourself.`
  : `\`\`\`js
const { analyze, resolve } = require("${name}"); // or: import { analyze } from "${name}";
const fs = require("node:fs");

const text = fs.readFileSync("mesh.yaml", "utf8");
const report = analyze([{ name: "mesh.yaml", text }]);
console.log(report.summary); // { errors: 0, warnings: 1, infos: 0 }
const r = resolve(text, { namespace: "prod", labels: { app: "ratings" } });
console.log(r.sidecar, r.selection.reason);
\`\`\`

The module is ready when \`require\`/\`import\` returns; nothing to initialise.`;

const readme = readFileSync(join(here, "README.md"), "utf8")
  .replaceAll("{{NAME}}", name)
  .replaceAll("{{WHERE}}", web ? "the browser" : "Node.js")
  .replace("{{USAGE}}", usage);
writeFileSync(join(dir, "README.md"), readme);
writeFileSync(join(dir, "package.json"), JSON.stringify(pkg, null, 2) + "\n");
