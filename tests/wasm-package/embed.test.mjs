// The embed example (examples/embed/index.html) served as static files from the repository root
// and driven in Debian's headless Chromium: it loads the web package, shows diagnostics for the
// textarea, follows edits, and a click selects the problem's range in the textarea (UTF-16).
// Run by scripts/test-wasm after scripts/build-wasm-package. Screenshot: build/embed.png.
import assert from "node:assert/strict";
import { createReadStream, existsSync, mkdirSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { extname, join, normalize, sep } from "node:path";
import { after, before, test } from "node:test";
import { chromium } from "playwright-core";
import { HERE, PKG, ROOT } from "./lib.mjs";

const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".wasm": "application/wasm", ".json": "application/json", ".css": "text/css" };
let server;
let browser;
let base;

/** A plain static file server: what a docs site's web server does. `/pkg/` is the built packages. */
function serve(root) {
  return createServer((req, res) => {
    let path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    if (path.endsWith("/")) path += "index.html";
    const [dir, rel] = path.startsWith("/pkg/") ? [PKG, path.slice(4)] : [root, path];
    const file = normalize(join(dir, rel));
    if (!file.startsWith(normalize(dir) + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end("not found");
      return;
    }
    res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
    createReadStream(file).pipe(res);
  });
}

before(async () => {
  assert.ok(existsSync(join(PKG, "web", "sidecarscope_bg.wasm")), "run scripts/build-wasm-package first");
  server = serve(ROOT);
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${server.address().port}`;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});

after(async () => {
  await browser?.close();
  server?.close();
});

async function open() {
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(`page error: ${e.message}`));
  // Chromium asks for /favicon.ico on its own; any other failed request is an error.
  page.on("console", (m) => m.type() === "error" && !m.text().startsWith("Failed to load resource") && errors.push(`console: ${m.text()}`));
  page.on("response", (r) => r.status() >= 400 && !r.url().endsWith("/favicon.ico") && errors.push(`HTTP ${r.status()}: ${r.url()}`));
  page.on("requestfailed", (r) => errors.push(`request failed: ${r.url()}`));
  const wasm = page.waitForResponse((r) => r.url().endsWith("/sidecarscope_bg.wasm"));
  await page.goto(`${base}/examples/embed/`);
  const response = await wasm;
  assert.equal(response.status(), 200);
  assert.equal(response.headers()["content-type"], "application/wasm");
  await page.waitForFunction(() => !document.getElementById("summary").textContent.startsWith("Loading"));
  return { page, errors };
}

/** Replaces the textarea's text as a user would (an input event), then waits out the debounce. */
async function edit(page, text) {
  await page.locator("#yaml").fill(text);
  await page.waitForTimeout(500);
}

test("the example loads the package and shows the sample's problem", async () => {
  const { page, errors } = await open();
  assert.match(await page.locator("#summary").textContent(), /^1 error\(s\)/);
  const error = page.locator("#problems button.error");
  assert.equal(await error.count(), 1);
  assert.match(await error.textContent(), /error SC1050 Schema validation error: host must be of form namespace\/dnsName/);
  await error.click();
  assert.equal(await page.evaluate(() => getSelection().toString() || document.getElementById("yaml").value.slice(document.getElementById("yaml").selectionStart, document.getElementById("yaml").selectionEnd)), '"reviews.prod.svc.cluster.local"');
  assert.match(await page.locator("#version").textContent(), /^sidecarscope \d+\.\d+\.\d+/);
  mkdirSync(join(HERE, "build"), { recursive: true });
  await page.screenshot({ path: join(HERE, "build", "embed.png"), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test("edits are re-checked; a click selects the range (UTF-16 offsets, after non-BMP text)", async () => {
  const { page, errors } = await open();
  const good = "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata:\n  name: default\n  namespace: prod\nspec:\n  egress:\n  - hosts:\n    - \"./*\"\n";
  await edit(page, good);
  assert.equal(await page.locator("#problems .error").count(), 0);

  const bad = "# 🚀 déjà vu 🚀\n" + good + "    - \"bad host\"\n";
  await edit(page, bad);
  const button = page.locator("#problems button.error").first();
  assert.match(await button.textContent(), /SC1050/);
  await button.click();
  const sel = await page.evaluate(() => {
    const t = document.getElementById("yaml");
    return { start: t.selectionStart, end: t.selectionEnd, text: t.value.slice(t.selectionStart, t.selectionEnd) };
  });
  assert.equal(sel.start, bad.indexOf('"bad host"'));
  assert.equal(sel.text, '"bad host"');
  assert.deepEqual(errors, []);
  await page.close();
});

test("broken YAML is a finding on the page, not a crash", async () => {
  const { page, errors } = await open();
  await edit(page, "kind: [unclosed\n");
  assert.match(await page.locator("#problems button.error").first().textContent(), /error SC0001/);
  assert.deepEqual(errors, []);
  await page.close();
});
