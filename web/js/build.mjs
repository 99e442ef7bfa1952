// Bundles web/js/index.js (the editor, the scheduler and the host API: CodeMirror 6 and the
// browser helpers) into web/build/editor.js,
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

// CodeMirror's styles come from style-mod, which writes them into a <style> element: the page's
// Content-Security-Policy (style-src 'self', no 'unsafe-inline') refuses that. style-mod has a
// second way, a constructed stylesheet adopted by the root (CSSOM, which CSP does not govern),
// which it takes only for shadow roots; this makes it take it for the document too. Every
// browser the playground supports has `document.adoptedStyleSheets` (Chrome 73, Firefox 101,
// Safari 16.4). The build fails if style-mod's code no longer has the expected line.
const STYLE_MOD_FROM = "if (!root.head && root.adoptedStyleSheets && win.CSSStyleSheet) {";
const STYLE_MOD_TO = "if (root.adoptedStyleSheets && win.CSSStyleSheet) {";
let patched = false;
const styleModAdopted = {
  name: "style-mod-adopted",
  setup(b) {
    b.onLoad({ filter: /[\\/]style-mod[\\/]src[\\/]style-mod\.js$/ }, (args) => {
      const src = readFileSync(args.path, "utf8");
      if (src.split(STYLE_MOD_FROM).length !== 2) {
        throw new Error(`${args.path}: expected exactly one "${STYLE_MOD_FROM}" (see web/js/build.mjs)`);
      }
      patched = true;
      return { contents: src.replace(STYLE_MOD_FROM, STYLE_MOD_TO), loader: "js" };
    });
  },
};

const result = await build({
  entryPoints: [join(root, "web", "js", "index.js")],
  plugins: [styleModAdopted],
  bundle: true,
  minify: false,
  format: "iife",
  target: ["es2020"],
  write: false,
  logLevel: "warning",
  legalComments: "none",
});
if (!patched) throw new Error("style-mod was not bundled from node_modules/style-mod/src/style-mod.js (see web/js/build.mjs)");
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
