// Completes the page's Content-Security-Policy (web/README.md, "Security"). index.html carries
// the policy in a <meta http-equiv="Content-Security-Policy"> whose script-src names
// 'inline-scripts'; this replaces that word with the sha256 hash of every inline script of the
// page as built: the theme script of index.html (minified by trunk on release builds) and the
// module script trunk writes to load the wasm (it names the hashed file names, so it changes
// with every build). Run by the post_build hook (web/js/post-build.mjs) on trunk's staged
// index.html, after everything else that rewrites it.
//
// `trunk serve` adds its autoreload script, whose address trunk's server fills in per request:
// no hash can match it, so a served page allows inline scripts instead ('unsafe-inline') and
// keeps every other directive. Built pages (dist/) always get the hashes.
//
// Fails (and so fails the build) when the policy is missing, duplicated, placed after a script,
// or lacks the word to replace.
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const PLACEHOLDER = "'inline-scripts'";

/** The policy's meta element: `content` quoted with " or ', or not quoted (minified HTML). */
const META = /<meta\b[^>]*\bhttp-equiv=(["']?)Content-Security-Policy\1[^>]*>/gi;
const SCRIPT = /<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi;

/** CSP's hash of an inline script: sha256 of its text as the HTML parser sees it (UTF-8). */
export function scriptHash(text) {
  return "'sha256-" + createHash("sha256").update(text.replace(/\r\n?/g, "\n"), "utf8").digest("base64") + "'";
}

/** The inline scripts of an HTML page (those without `src`), in order. */
export function inlineScripts(html) {
  return [...html.matchAll(SCRIPT)].filter((m) => !/\bsrc\s*=/i.test(m[1])).map((m) => m[2]);
}

/** `html` with the policy completed; throws on anything unexpected. */
export function completePolicy(html) {
  const metas = [...html.matchAll(META)];
  if (metas.length !== 1) throw new Error(`expected one Content-Security-Policy meta element, found ${metas.length}`);
  const meta = metas[0];
  const firstScript = html.search(/<script\b/i);
  if (firstScript >= 0 && firstScript < meta.index) throw new Error("the Content-Security-Policy meta element must come before every script");
  if (!meta[0].includes(PLACEHOLDER)) throw new Error(`the policy has no ${PLACEHOLDER} to replace`);
  const scripts = inlineScripts(html);
  const served = scripts.some((s) => s.includes("{{__TRUNK_"));
  const sources = served ? ["'unsafe-inline'"] : [...new Set(scripts.map(scriptHash))];
  const completed = meta[0].split(PLACEHOLDER).join(sources.join(" "));
  return { html: html.slice(0, meta.index) + completed + html.slice(meta.index + meta[0].length), sources, served };
}

export function applyCsp(dir) {
  const path = join(dir, "index.html");
  const { html, sources, served } = completePolicy(readFileSync(path, "utf8"));
  writeFileSync(path, html);
  console.log(
    served
      ? "csp: trunk serve's autoreload script is filled in per request: inline scripts allowed ('unsafe-inline')"
      : `csp: script-src allows ${sources.length} inline script(s) by hash`,
  );
}
