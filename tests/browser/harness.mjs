// Test harness: a static server for dist/ on a free local port, Debian's Chromium through
// playwright-core, and page helpers that fail a test on console errors or on any network
// request made after the page has loaded.
import { createServer } from "node:http";
import { readFile, mkdir } from "node:fs/promises";
import { extname, join, normalize, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const DIST = process.env.DIST_DIR || join(ROOT, "dist");
export const SHOTS = join(ROOT, "tests", "browser", "screenshots");

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".json": "application/json",
  ".svg": "image/svg+xml",
};

/** Serves dist/ (and extra in-memory pages, e.g. an embedding host page) on 127.0.0.1; under
 * `under` (e.g. `/tools/sidecarscope/`) instead of the root when given. */
export async function startServer(extra = {}, { under = "/" } = {}) {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, "http://127.0.0.1");
    if (extra[url.pathname]) {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(extra[url.pathname]);
      return;
    }
    if (!url.pathname.startsWith(under)) {
      res.writeHead(404).end("not found");
      return;
    }
    const rel = normalize(decodeURIComponent(url.pathname.slice(under.length - 1))).replace(/^(\.\.[/\\])+/, "");
    const file = join(DIST, rel.endsWith("/") ? join(rel, "index.html") : rel);
    if (!file.startsWith(DIST)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { "content-type": TYPES[extname(file)] || "application/octet-stream" });
      res.end(body);
    } catch {
      res.writeHead(404).end("not found");
    }
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address();
  return { server, base: `http://127.0.0.1:${port}` };
}

export async function launch() {
  await mkdir(SHOTS, { recursive: true });
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/**
 * Opens a page and watches it: `problems()` lists console errors, uncaught exceptions, network
 * requests made after load (the playground must make none, but for the deferred module,
 * fetched on first use: the files index.html names in `<meta name="sidecarscope-deferred">`,
 * its glue, its wasm and the editor's help worker) and Content-Security-Policy violations
 * (`securitypolicyviolation` events, in the page and its frames), which `violations()` lists as
 * objects. `requests()` lists every URL the page requested, `panelFiles` the module's.
 */
export async function openPage(context, url, { waitReady = true } = {}) {
  const page = await context.newPage();
  const errors = [];
  const lateRequests = [];
  const requests = [];
  const violations = [];
  let loaded = false;
  let panelFiles = new Set();
  // Recorded from the start of every document (frames included), before the page's scripts.
  await page.exposeBinding("__scViolation", ({ frame }, v) => violations.push({ ...v, frame: frame.url() }));
  await page.addInitScript(() => {
    document.addEventListener(
      "securitypolicyviolation",
      (e) => window.__scViolation({ directive: e.effectiveDirective, blocked: e.blockedURI, sample: e.sample }),
      true,
    );
  });
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  page.on("request", (r) => {
    const u = r.url();
    if (u.startsWith("data:") || u.startsWith("blob:")) return;
    requests.push(u);
    if (loaded && !panelFiles.has(u)) lateRequests.push(u);
  });
  await page.goto(url, { waitUntil: "load" });
  if (waitReady) await waitReady_(page);
  await page.waitForLoadState("networkidle");
  panelFiles = new Set(
    await page.evaluate(() =>
      (document.querySelector('meta[name="sidecarscope-deferred"]')?.content || "")
        .split(" ")
        .filter(Boolean)
        .map((n) => new URL(n, document.baseURI).href),
    ),
  );
  loaded = true;
  page.panelFiles = [...panelFiles];
  page.requests = () => [...requests];
  page.violations = () => [...violations];
  page.problems = () => [
    ...errors,
    ...lateRequests.map((u) => `request after load: ${u}`),
    ...violations.map((v) => `CSP violation: ${v.directive} refused ${v.blocked} in ${v.frame}`),
  ];
  return page;
}

async function waitReady_(page) {
  await page.waitForSelector(".cm-editor .cm-content");
  await page.waitForFunction(() => /checked in/.test(document.querySelector(".status-text")?.textContent || ""));
}
export { waitReady_ as waitReady };

/** The editor's whole text. */
export function editorText(page) {
  return page.evaluate(() => window.SidecarscopeEditor.active.getText());
}

/** Problems as shown: [{line, text, label}], the label as "error SC1050 at line 8, column 7"
 * (from the row's severity class, code and position). */
export function problems(page) {
  return page.$$eval(".problems .problem", (els) =>
    els.map((e) => {
      const sev = /sev-(\w+)/.exec(e.className)[1];
      const code = e.querySelector(".problem-meta").textContent.split(" ")[0];
      const [line, col] = e.querySelector(".problem-loc").textContent.split(":");
      return { line: Number(e.dataset.line), text: e.textContent, label: `${sev} ${code} at line ${line}, column ${col}` };
    }),
  );
}

export function shot(page, name) {
  return page.screenshot({ path: join(SHOTS, `${name}.png`) });
}

/** Waits until the results of the latest edit are computed and painted. */
export function settle(page) {
  return page.evaluate(async () => {
    await window.SidecarscopeEditor.active?.idle();
    await new Promise((ok) => requestAnimationFrame(() => setTimeout(ok, 0)));
  });
}

/** Waits for the next painted frame only (what a keystroke feels like), not for results. */
export function nextFrame(page) {
  return page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => setTimeout(ok, 0))));
}
