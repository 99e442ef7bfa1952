// trunk 0.21 preloads the wasm with `<link rel="preload" as="fetch" integrity="sha384-...">`.
// Chromium ignores `integrity` on preloads of the `fetch` destination and says so on every page
// load ("The `integrity` attribute is currently ignored for preload destinations that do not
// support subresource integrity", crbug.com/981419), and the wasm-bindgen loader fetches the
// wasm without one anyway, so the attribute protects nothing: it is removed. The glue's
// `modulepreload` keeps its hash (module preloads do check it). Part of trunk's post_build hook
// (web/js/post-build.mjs); fails the build when the page has no such preload, or more than one.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Removes `integrity` from the `as="fetch"` preload links of `html`; returns the new text and
 * how many links it changed. */
export function stripFetchPreloadIntegrity(html) {
  let n = 0;
  const out = html.replace(/<link\b[^>]*>/g, (tag) => {
    if (!/\brel="?preload"?[\s>/]/.test(tag) || !/\bas="?fetch"?[\s>/]/.test(tag)) return tag;
    n++;
    return tag.replace(/\s+integrity=("[^"]*"|[^\s>]+)/, "");
  });
  return { html: out, changed: n };
}

export function dropPreloadIntegrity(dir) {
  const path = join(dir, "index.html");
  const { html, changed } = stripFetchPreloadIntegrity(readFileSync(path, "utf8"));
  if (changed !== 1) throw new Error(`preload: expected one <link rel="preload" as="fetch"> (the wasm) in index.html, found ${changed}`);
  writeFileSync(path, html);
}
