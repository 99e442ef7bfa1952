// Minifies the wasm-bindgen glue (trunk 0.21 leaves it as is) and updates its
// subresource-integrity hash in index.html. Works on trunk's staging directory; run by the
// post_build hook (web/js/post-build.mjs) on release builds. If anything does not match what
// is expected, it leaves the glue untouched.
import { transform } from "esbuild";
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

export async function minifyGlue(dir) {
  const sri = (buf) => "sha384-" + createHash("sha384").update(buf).digest("base64");
  const htmlPath = join(dir, "index.html");
  let html = readFileSync(htmlPath, "utf8");
  for (const name of readdirSync(dir).filter((f) => /^sidecarscope-web-[0-9a-f]+\.js$/.test(f))) {
    const path = join(dir, name);
    const src = readFileSync(path);
    const old = sri(src);
    if (!html.includes(old)) {
      console.warn(`minify-glue: no integrity ${old} for ${name} in index.html; left as is`);
      continue;
    }
    const { code } = await transform(src.toString("utf8"), { minify: true, format: "esm", target: "es2020", legalComments: "none" });
    writeFileSync(path, code);
    html = html.split(old).join(sri(Buffer.from(code)));
    console.log(`minify-glue: ${name} ${src.length} -> ${code.length} bytes`);
  }
  writeFileSync(htmlPath, html);
}
