// trunk's post_build hook (Trunk.toml), on trunk's staging directory. One script on purpose:
// trunk starts the hooks of a stage concurrently, and both steps rewrite index.html.
//   1. release builds: shorten the wasm's import/export names, minify the wasm-bindgen glue
//      and update both SRI hashes (minify-glue.mjs);
//   2. every build: drop the `integrity` of the wasm's `<link rel="preload" as="fetch">`
//      (preload.mjs);
//   3. every build: build the proxy panels' wasm module, loaded on first use, and name it in
//      index.html (deferred-build.mjs);
//   4. every build: complete the Content-Security-Policy with the inline scripts' hashes
//      (csp.mjs), last, once no inline script changes any more.
import { minifyGlue } from "./minify-glue.mjs";
import { buildDeferred } from "./deferred-build.mjs";
import { dropPreloadIntegrity } from "./preload.mjs";
import { applyCsp } from "./csp.mjs";

const dir = process.env.TRUNK_STAGING_DIR;
if (!dir) {
  console.error("post-build: TRUNK_STAGING_DIR is not set (run by trunk's post_build hook)");
  process.exit(2);
}
try {
  if (process.env.TRUNK_PROFILE === "release") await minifyGlue(dir);
  dropPreloadIntegrity(dir);
  await buildDeferred(dir, process.env.TRUNK_PROFILE === "release");
  applyCsp(dir);
} catch (e) {
  console.error(`post-build: ${e.message}`);
  process.exit(1);
}
