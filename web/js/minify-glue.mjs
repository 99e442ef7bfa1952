// Release builds: shortens the wasm's import and export names, minifies the wasm-bindgen glue
// with terser (trunk 0.21 leaves it as is), and updates both files' subresource-integrity
// hashes in index.html. Works on trunk's staging directory; run by the post_build hook
// (web/js/post-build.mjs). Anything unexpected fails the build: a glue that no longer matches
// its wasm would only fail in the browser.
import { minify } from "terser";
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
// binaryen 132 from npm (scripts/setup-web), with the features of the wasm trunk built.
const WASM_OPT = join(root, "node_modules", ".bin", "wasm-opt");
const FEATURES = ["sign-ext", "mutable-globals", "bulk-memory", "nontrapping-float-to-int", "reference-types", "multivalue"].map((f) => `--enable-${f}`);

const sri = (buf) => "sha384-" + createHash("sha384").update(buf).digest("base64");

export async function minifyGlue(dir) {
  const htmlPath = join(dir, "index.html");
  let html = readFileSync(htmlPath, "utf8");
  const names = readdirSync(dir).filter((f) => /^sidecarscope-web-[0-9a-f]+\.js$/.test(f));
  if (names.length !== 1) throw new Error(`minify-glue: expected one wasm-bindgen glue in ${dir}, found ${names.length}`);
  const gluePath = join(dir, names[0]);
  const wasmPath = gluePath.replace(/\.js$/, "_bg.wasm");
  const replaceSri = (before, after, what) => {
    if (html.split(before).length !== 2) throw new Error(`minify-glue: no single integrity ${before} for ${what} in index.html`);
    html = html.replace(before, after);
  };

  const wasmBefore = readFileSync(wasmPath);
  const glueBefore = readFileSync(gluePath, "utf8");
  const renamed = minifyNames(wasmPath, glueBefore);
  // terser, as for the editor bundle (web/js/build.mjs): 70 bytes smaller gzipped than
  // esbuild's minifier here.
  const { code } = await minify(renamed, { ecma: 2020, module: true, compress: { passes: 2, pure_getters: true }, format: { comments: false } });
  writeFileSync(gluePath, code);
  replaceSri(sri(glueBefore), sri(code), names[0]);
  replaceSri(sri(wasmBefore), sri(readFileSync(wasmPath)), "the wasm");
  writeFileSync(htmlPath, html);
  console.log(`minify-glue: ${names[0]} ${glueBefore.length} -> ${code.length} bytes; wasm ${wasmBefore.length} -> ${readFileSync(wasmPath).length} bytes`);
}

/**
 * Renames the wasm's imports and exports to short names (binaryen's
 * `--minify-imports-and-exports-and-modules`, which prints the mapping) and the glue's uses
 * of them to match: about 140 imports named like `__wbg_set_className_fcd90345b3a090af`, whose
 * hashes gzip cannot shrink, in both files (3.9 KB of the first load). The glue, as
 * wasm-bindgen 0.2 writes it, names the imports once each, as keys of the object its
 * `__wbg_get_imports` returns under the module's name, and the exports as `wasm.<name>`.
 */
function minifyNames(wasmPath, glue) {
  const map = JSON.parse(execFileSync(WASM_OPT, [...FEATURES, "--minify-imports-and-exports-and-modules", wasmPath, "-o", wasmPath], { encoding: "utf8" }));
  const wasm = new WebAssembly.Module(readFileSync(wasmPath));
  const esc = (s) => s.replace(/[$.*+?^()[\]{}|\\]/g, "\\$&");
  const once = (pattern, replacement, what) => {
    const found = glue.split(pattern).length - 1;
    if (found !== 1) throw new Error(`minify-glue: ${what} found ${found} times in the glue, expected once`);
    glue = glue.replace(pattern, () => replacement);
  };
  // The pass puts every import in one module with a short name.
  const [module, ...others] = new Set(WebAssembly.Module.imports(wasm).map((i) => i.module));
  const [old, ...more] = new Set(map.imports.map(([m]) => m));
  if (others.length || more.length) throw new Error("minify-glue: the wasm imports from more than one module");
  once(`${JSON.stringify(old)}: import0,`, `${JSON.stringify(module)}: import0,`, `the import module ${old}`);
  for (const [, name, short] of map.imports) once(`\n        ${name}: `, `\n        ${JSON.stringify(short)}: `, `the import ${name}`);
  for (const [name, short] of map.exports) glue = glue.replace(new RegExp(`\\bwasm\\.${esc(name)}(?![\\w$])`, "g"), () => `wasm.${short}`);
  // Every export the glue uses must be one of the wasm's.
  const exports = new Set(WebAssembly.Module.exports(wasm).map((e) => e.name));
  const unknown = [...glue.matchAll(/\bwasm\.([\w$]+)/g)].map((m) => m[1]).filter((n) => !exports.has(n));
  if (unknown.length) throw new Error(`minify-glue: the glue uses exports the wasm no longer has: ${[...new Set(unknown)].join(", ")}`);
  return glue;
}
