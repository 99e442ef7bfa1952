// The playground's Content-Security-Policy (web/README.md, "Security"): the release build carries
// it, the app runs under it without a violation (every page the browser tests open fails on any
// `securitypolicyviolation` event: harness.mjs), and it refuses what it should: requests to other
// origins, inline scripts and handlers, eval, styles injected into the page.
// Run by scripts/test-browser, against dist/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DIST, startServer, launch, openPage, settle } from "./harness.mjs";
import { completePolicy, inlineScripts, scriptHash } from "../../web/js/csp.mjs";

/** Directives of a policy: name -> list of sources. */
function parsePolicy(policy) {
  const out = new Map();
  for (const part of policy.split(";").map((p) => p.trim()).filter(Boolean)) {
    const [name, ...sources] = part.split(/\s+/);
    assert.ok(!out.has(name), `directive ${name} given twice`);
    out.set(name, sources);
  }
  return out;
}

function metaPolicy(html) {
  const m = /<meta\b[^>]*\bhttp-equiv=(["']?)Content-Security-Policy\1[^>]*>/i.exec(html);
  assert.ok(m, "a Content-Security-Policy meta element");
  const content = /\bcontent=(?:"([^"]*)"|'([^']*)')/i.exec(m[0]);
  assert.ok(content, m[0]);
  return { policy: content[1] ?? content[2], index: m.index };
}

/** Another origin that counts what reaches it (nothing should). */
let other, otherBase;
const hits = [];
let server, base, browser;

before(async () => {
  ({ server, base } = await startServer());
  const gif = Buffer.from("R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==", "base64");
  other = createServer((req, res) => {
    hits.push(req.url);
    const [type, body] = req.url.endsWith(".js") ? ["text/javascript", "window.__imported = 1;"] : req.url.endsWith(".png") ? ["image/gif", gif] : ["text/plain", "ok"];
    res.writeHead(200, { "access-control-allow-origin": "*", "content-type": type });
    res.end(body);
  });
  await new Promise((ok) => other.listen(0, "127.0.0.1", ok));
  otherBase = `http://127.0.0.1:${other.address().port}`;
  browser = await launch();
});

after(async () => {
  await browser?.close();
  server?.close();
  other?.close();
});

test("the release page carries the policy, with the hash of each of its inline scripts", async () => {
  const html = readFileSync(join(DIST, "index.html"), "utf8");
  const { policy, index } = metaPolicy(html);
  assert.ok(index < html.search(/<script\b/i), "the policy comes before every script");
  const d = parsePolicy(policy);
  // Each inline script of the page as built, hashed here independently of web/js/csp.mjs.
  const inline = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)].filter((m) => !/\bsrc=/.test(m[1])).map((m) => m[2]);
  assert.equal(inline.length, 2, "the theme script and trunk's module loader");
  const hashes = inline.map((s) => `'sha256-${createHash("sha256").update(s, "utf8").digest("base64")}'`);
  assert.deepEqual(Object.fromEntries(d), {
    "default-src": ["'none'"],
    "script-src": ["'self'", "'wasm-unsafe-eval'", ...hashes],
    "style-src": ["'self'"],
    "connect-src": ["'self'"],
    "img-src": ["data:"],
    "base-uri": ["'none'"],
    "form-action": ["'none'"],
    "object-src": ["'none'"],
  });

  // The browser reads the same policy.
  const ctx = await browser.newContext();
  const page = await openPage(ctx, `${base}/?example=ratings-uds`);
  assert.equal(await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', "content"), policy);
  assert.deepEqual(page.problems(), []);
  await ctx.close();
});

test("the post_build hook: hashes for a built page, 'unsafe-inline' for trunk serve's, errors otherwise", () => {
  const page = (head, body = "") =>
    `<!doctype html><html><head><meta charset=utf-8>${head}</head><body>${body}</body></html>`;
  const meta = `<meta http-equiv="Content-Security-Policy" content="script-src 'self' 'inline-scripts'">`;
  const built = completePolicy(page(`${meta}<script>a()</script><script type=module>b()</script><script src=/c.js></script>`));
  assert.equal(built.served, false);
  assert.deepEqual(built.sources, [scriptHash("a()"), scriptHash("b()")]);
  assert.match(built.html, /content="script-src 'self' 'sha256-[^']+' 'sha256-[^']+'"/);
  assert.deepEqual(inlineScripts(built.html), ["a()", "b()"]);
  const served = completePolicy(page(meta, `<script>const address = '{{__TRUNK_ADDRESS__}}';</script>`));
  assert.equal(served.served, true);
  assert.match(served.html, /content="script-src 'self' 'unsafe-inline'"/);
  assert.throws(() => completePolicy(page("<script>a()</script>")), /one Content-Security-Policy meta/);
  assert.throws(() => completePolicy(page(meta + meta)), /one Content-Security-Policy meta/);
  assert.throws(() => completePolicy(page(`<script>a()</script>${meta}`)), /before every script/);
  assert.throws(() => completePolicy(page(`<meta http-equiv="Content-Security-Policy" content="script-src 'self'">`)), /no 'inline-scripts'/);
});

/** What an injected script would try: each attempt's result, read back after the events. */
function attempts(otherBase) {
  const out = {};
  const tries = [];
  tries.push(fetch(`${otherBase}/fetch`).then(() => (out.fetch = "allowed"), () => (out.fetch = "refused")));
  tries.push(
    new Promise((done) => {
      const img = new Image();
      img.onload = () => done((out.image = "allowed"));
      img.onerror = () => done((out.image = "refused"));
      img.src = `${otherBase}/pixel.png`; // (a GIF)
    }),
  );
  tries.push(import(`${otherBase}/module.js`).then(() => (out.import = "allowed"), () => (out.import = "refused")));
  const s = document.createElement("script");
  s.textContent = "window.__inline = 1;";
  document.head.appendChild(s);
  const b = document.createElement("button");
  b.setAttribute("onclick", "window.__handler = 1;");
  document.body.appendChild(b);
  b.click();
  b.remove();
  // In a task of the page's own: code run by the test driver itself may eval regardless.
  tries.push(
    new Promise((done) =>
      setTimeout(() => {
        try {
          eval("window.__eval = 1;");
        } catch (e) {
          out.evalError = e.name;
        }
        done();
      }, 0),
    ),
  );
  const style = document.createElement("style");
  style.textContent = ":root { --sc-probe: injected; }";
  document.head.appendChild(style);
  return Promise.all(tries).then(() => {
    out.inline = window.__inline;
    out.handler = window.__handler;
    out.eval = window.__eval;
    out.imported = window.__imported;
    out.style = getComputedStyle(document.documentElement).getPropertyValue("--sc-probe").trim() || "none";
    style.remove();
    return out;
  });
}

test("the policy bites: other origins, inline scripts and handlers, eval and injected styles are refused", async () => {
  // Control: the same attempts on the same page with the policy bypassed all succeed, and reach
  // the other origin, so what is refused below is refused by the policy.
  const lax = await browser.newContext({ bypassCSP: true });
  const open = await lax.newPage();
  await open.goto(`${base}/?example=ratings-uds`);
  hits.length = 0;
  assert.deepEqual(await open.evaluate(attempts, otherBase), {
    fetch: "allowed", image: "allowed", import: "allowed", inline: 1, handler: 1, eval: 1, imported: 1, style: "injected",
  });
  assert.deepEqual([...hits].sort(), ["/fetch", "/module.js", "/pixel.png"]);
  await lax.close();

  hits.length = 0;
  const ctx = await browser.newContext();
  const page = await openPage(ctx, `${base}/?example=ratings-uds`);
  assert.deepEqual(page.violations(), [], "the app itself raises none");
  const result = await page.evaluate(attempts, otherBase);
  assert.deepEqual(result, {
    fetch: "refused", image: "refused", import: "refused", evalError: "EvalError",
    inline: undefined, handler: undefined, eval: undefined, imported: undefined, style: "none",
  });
  assert.deepEqual(hits, [], "nothing reached the other origin");
  // Each refusal fired its violation event.
  const want = ["connect-src", "img-src", "script-src-elem", "script-src-elem", "script-src-attr", "script-src", "style-src-elem"];
  for (let i = 0; i < 50 && page.violations().length < want.length; i++) await page.waitForTimeout(20);
  const got = page.violations().map((v) => v.directive).sort();
  assert.deepEqual(got, [...want].sort(), JSON.stringify(page.violations()));
  const blocked = page.violations().map((v) => v.blocked);
  for (const path of ["/fetch", "/pixel.png", "/module.js"]) assert.ok(blocked.includes(otherBase + path), `${path}: ${blocked}`);
  // The only problems are these refusals: Chromium logs each as a console error, and the driver
  // sees the image and the module asked for (refused before the network: no hit above).
  const refused = (p) => /^CSP violation: |Content Security Policy/.test(p) || p.startsWith(`request after load: ${otherBase}/`);
  const unexpected = page.problems().filter((p) => !refused(p));
  assert.deepEqual(unexpected, []);

  // The app still works after all this.
  await page.selectOption("#example-select", "mistake-short-host");
  await settle(page);
  assert.equal(await page.locator(".problems .problem.sev-error").count(), 2);
  await ctx.close();
});
