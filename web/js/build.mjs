// Bundles web/js/editor.js (CodeMirror 6 and the browser helpers) into web/build/editor.js,
// a minified classic script that trunk copies into dist/. Run by trunk's pre_build hook
// (Trunk.toml) and by `npm run bundle`. Writes only when the output changes, so that
// `trunk serve` does not rebuild in a loop.
import { build } from "esbuild";
import { mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const out = join(root, "web", "build", "editor.js");

const result = await build({
  entryPoints: [join(root, "web", "js", "editor.js")],
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2020"],
  write: false,
  logLevel: "warning",
  legalComments: "none",
});
const code = result.outputFiles[0].text;
mkdirSync(dirname(out), { recursive: true });
if (!existsSync(out) || readFileSync(out, "utf8") !== code) {
  writeFileSync(out, code);
  console.log(`bundled ${out} (${code.length} bytes)`);
}
