// Bundles web/js/editor.js (CodeMirror 6 and the browser helpers) into web/build/editor.js,
// a minified classic script that trunk copies into dist/. esbuild bundles; terser minifies, 3%
// smaller gzipped than esbuild's minifier (it counts against the first-load budget).
// Run by trunk's pre_build hook (Trunk.toml) and by `npm run bundle`. Writes only when the output changes, so that
// `trunk serve` does not rebuild in a loop.
import { build } from "esbuild";
import { minify } from "terser";
import { mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const out = join(root, "web", "build", "editor.js");

const result = await build({
  entryPoints: [join(root, "web", "js", "editor.js")],
  bundle: true,
  minify: false,
  format: "iife",
  target: ["es2020"],
  write: false,
  logLevel: "warning",
  legalComments: "none",
});
const min = await minify(result.outputFiles[0].text, {
  ecma: 2020,
  toplevel: true,
  compress: { passes: 2, pure_getters: true },
  mangle: { toplevel: true },
  format: { comments: false },
});
const code = min.code;
mkdirSync(dirname(out), { recursive: true });
if (!existsSync(out) || readFileSync(out, "utf8") !== code) {
  writeFileSync(out, code);
  console.log(`bundled ${out} (${code.length} bytes)`);
}
