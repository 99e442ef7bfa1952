// The playground in a real browser (Debian's Chromium via playwright-core), against the
// release build in dist/. Run by scripts/test-browser. Screenshots go to
// tests/browser/screenshots/ for a person to look at.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join } from "node:path";
import { deflateRawSync } from "node:zlib";
import {
  ROOT, startServer, launch, openPage, editorText, problems, shot, settle, nextFrame, waitReady,
} from "./harness.mjs";

const EXAMPLES = join(ROOT, "web", "examples");
const exampleIds = readdirSync(EXAMPLES).filter((f) => f.endsWith(".yaml")).map((f) => f.slice(0, -5)).sort();
const exampleText = (id) => readFileSync(join(EXAMPLES, `${id}.yaml`), "utf8");
// The Compare examples: `sidecarscope impact`'s examples (examples/impact/DIR/{base,head}), each
// side as one text (its mesh, then its Sidecar).
const IMPACT = join(ROOT, "examples", "impact");
const impactDirs = readdirSync(IMPACT).filter((d) => existsSync(join(IMPACT, d, "head"))).sort();
const impactSide = (dir, side) => ["mesh.yaml", "sidecar.yaml"].map((f) => readFileSync(join(IMPACT, dir, side, f), "utf8")).join("---\n");

/** A share fragment made independently of the app: raw deflate of the JSON state, base64url. */
function fragmentFor(state) {
  return "v1/" + deflateRawSync(Buffer.from(JSON.stringify(state))).toString("base64url");
}

const HOST_PAGE = `<!doctype html><html><head><title>host</title><link rel="icon" href="data:,"></head><body>
<iframe id="pg" title="playground" style="width:900px;height:520px;border:0"
  src="/?embed=1&panels=problems&readonly=1&example=mistake-short-host"></iframe>
<script>
  window.received = [];
  window.addEventListener("message", (e) => { if (e.data && e.data.type) window.received.push(e.data); });
  window.send = (m) => document.getElementById("pg").contentWindow.postMessage(m, "*");
</script></body></html>`;

let server, base, browser;

before(async () => {
  ({ server, base } = await startServer({ "/__host.html": HOST_PAGE }));
  browser = await launch();
});

after(async () => {
  await browser?.close();
  server?.close();
});

async function newContext(opts = {}) {
  return browser.newContext({ viewport: { width: 1280, height: 800 }, ...opts });
}

test("every example loads without console errors and shows what it should", async () => {
  const ctx = await newContext();
  const page = await openPage(ctx, `${base}/`);
  const all = await page.$$eval("#example-select option[value]:not([value=''])", (os) => os.map((o) => o.value));
  const options = all.filter((id) => !id.startsWith("compare-"));
  assert.deepEqual([...options].sort(), exampleIds, "the gallery lists every file of web/examples");
  // The Compare group: one example per change of examples/impact, in its order; each opens with
  // the change's base kept and its head in the editor, and Impact names the calls it breaks
  // (crates/sidecarscope/tests/impact_examples.rs has each one's calls; every change breaks some).
  const compares = await page.$$eval("#example-select optgroup[label^='Compare'] option", (os) => os.map((o) => o.value));
  assert.equal(compares.length, impactDirs.length, "one Compare example per directory of examples/impact");
  assert.deepEqual(all.filter((id) => id.startsWith("compare-")), compares);
  for (const [i, id] of compares.entries()) {
    await page.selectOption("#example-select", id);
    await settle(page);
    assert.equal(await editorText(page), impactSide(impactDirs[i], "head"), id);
    assert.equal(await page.getAttribute("#tab-impact", "aria-selected"), "true", id);
    await page.waitForSelector(".impact-head.fail");
    assert.match(await page.textContent(".impact-head"), /\d+ calls? (broken|bypassing the mesh)/, id);
    assert.equal(await page.textContent("button[aria-pressed='true']"), "Stop comparing", id);
    if (id === "compare-drop-host") {
      // The dropped `catalog/*`: frontend's and cart's calls to catalog break.
      const plan = await page.textContent(".impact-plan");
      assert.match(plan, /catalog\.catalog\.svc\.cluster\.local/, plan);
      await shot(page, "example-compare-drop-host");
    }
  }
  await page.click("#tab-problems");
  for (const id of options) {
    await page.selectOption("#example-select", id);
    await settle(page);
    assert.equal(await editorText(page), exampleText(id), id);
    const found = await problems(page);
    const errors = found.filter((p) => p.label.startsWith("error"));
    if (id.startsWith("mistake-")) {
      // Validation's errors and the mesh analysis' (two selector-less Sidecars: IST0111).
      assert.ok(errors.length > 0, `${id}: expected at least one error`);
      assert.ok(await page.$(".cm-lintRange-error"), `${id}: the error is underlined in the editor`);
      assert.ok(await page.$(".cm-gutter-lint .cm-lint-marker-error"), `${id}: and marked in the gutter`);
    } else {
      // Istio's own examples: nothing wrong (an info may explain something).
      assert.deepEqual(found.filter((p) => !p.label.startsWith("info")), [], `${id}: expected no errors or warnings`);
    }
    if (id === "mistake-two-defaults") {
      assert.equal(errors.length, 2, JSON.stringify(errors));
      for (const e of errors) assert.match(e.text, /IST0111/);
    }
    if (["ratings-uds", "mistake-short-host", "mistake-match-labels", "mistake-two-defaults"].includes(id)) await shot(page, `example-${id}`);
  }
  assert.deepEqual(page.problems(), []);
  await ctx.close();
});

test("typing an invalid egress host shows the diagnostic at its line, underlined, with a hover message", async () => {
  const ctx = await newContext();
  const page = await openPage(ctx, `${base}/?example=ratings-uds`);
  assert.deepEqual(await problems(page), []);
  const lines = exampleText("ratings-uds").split("\n");
  const line = lines.findIndex((l) => l === '    - "prod-us1/*"') + 1;
  assert.ok(line > 0);
  // Click into that line, select it after its indentation, and type over it.
  await page.locator(".cm-line", { hasText: '- "prod-us1/*"' }).click({ position: { x: 4, y: 4 } });
  await page.keyboard.press("End");
  await page.keyboard.press("Shift+Home");
  await page.keyboard.type("- reviews");
  await settle(page);
  assert.equal((await editorText(page)).split("\n")[line - 1], "    - reviews");
  const found = (await problems(page)).filter((p) => p.label.startsWith("error"));
  assert.equal(found.length, 1, JSON.stringify(found));
  assert.equal(found[0].line, line);
  assert.match(found[0].text, /host must be of form namespace\/dnsName/);
  assert.match(found[0].text, /SC1050/);
  assert.match(found[0].label, new RegExp(`^error SC1050 at line ${line}, column 7`));
  // The badge counts the most severe findings (the errors), and says all of them to a screen reader.
  const shown = await problems(page);
  assert.equal(await page.textContent("#tab-problems .badge [aria-hidden]"), String(shown.filter((p) => p.label.startsWith("error")).length));

  // The squiggle is on that line, and hovering it shows the message.
  const squiggle = page.locator(".cm-lintRange-error").first();
  assert.equal(await squiggle.textContent(), "reviews");
  await squiggle.hover();
  const tip = page.locator(".cm-tooltip-lint");
  await tip.waitFor();
  assert.match(await tip.textContent(), /host must be of form namespace\/dnsName/);
  await shot(page, "hover-diagnostic");

  // Clicking the problem selects its range in the editor.
  await page.mouse.move(0, 0);
  await page.click(".problems .problem.sev-error");
  const selected = await page.evaluate(() => getSelection().toString());
  assert.equal(selected, "reviews");

  // Fixing it clears the problem.
  await page.keyboard.type("./ratings.prod-us1.svc.cluster.local");
  await settle(page);
  assert.deepEqual(await problems(page), []);
  assert.deepEqual(page.problems(), []);
  await ctx.close();
});

test("seed-sized edits repaint within a frame or two (performance marks)", async () => {
  const ctx = await newContext();
  const page = await openPage(ctx, `${base}/?example=ratings-uds`);
  await page.locator(".cm-line", { hasText: "name: ratings" }).first().click({ position: { x: 4, y: 4 } });
  await page.keyboard.press("End");
  await page.evaluate(() => performance.clearMeasures());
  for (const ch of "-canary-v2") {
    await page.keyboard.type(ch);
    await settle(page);
  }
  for (let i = 0; i < 10; i++) {
    await page.keyboard.press("Backspace");
    await settle(page);
  }
  const m = await page.evaluate(() => ({
    results: performance.getEntriesByName("sc:edit-to-results").map((e) => e.duration),
    paint: performance.getEntriesByName("sc:edit-to-paint").map((e) => e.duration),
  }));
  const stats = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
    return `n=${s.length} median=${q(0.5).toFixed(1)}ms p95=${q(0.95).toFixed(1)}ms max=${s[s.length - 1].toFixed(1)}ms`;
  };
  const core = await page.textContent(".status-text");
  console.log(`seed edit -> results computed: ${stats(m.results)}`);
  console.log(`seed edit -> painted:          ${stats(m.paint)}`);
  console.log(`core on the seed: ${core.replace(/.*checked in /, "")}`);
  // Edits coalesce per frame (and into pauses when the machine is slow), so there is at most
  // one measure per keystroke. The bound only catches pathologies: shared CI machines are noisy.
  assert.ok(m.paint.length >= 1 && m.paint.length <= 20);
  const median = [...m.paint].sort((a, b) => a - b)[m.paint.length >> 1];
  assert.ok(median < 250, `median edit-to-paint ${median} ms`);
  assert.deepEqual(page.problems(), []);
  await ctx.close();
});

test("a large mesh: typing stays responsive while results follow", async () => {
  // 400 Services and 100 Sidecars in 20 namespaces (about 6,700 lines, 90 KB).
  const docs = [];
  for (let n = 0; n < 20; n++) {
    for (let i = 0; i < 20; i++) {
      docs.push(`apiVersion: v1\nkind: Service\nmetadata:\n  name: svc${i}\n  namespace: ns${n}\nspec:\n  clusterIP: 10.${n}.0.${i + 1}\n  selector:\n    app: svc${i}\n  ports:\n  - name: http\n    port: 80${i}`);
    }
    for (let i = 0; i < 5; i++) {
      docs.push(`apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata:\n  name: sc${i}\n  namespace: ns${n}\nspec:\n  workloadSelector:\n    labels:\n      app: svc${i}\n  egress:\n  - hosts:\n    - "./*"\n    - "ns${(n + 1) % 20}/*"\n    - "istio-system/*"`);
    }
  }
  const text = docs.join("\n---\n") + "\n";
  const ctx = await newContext();
  const page = await openPage(ctx, `${base}/#${fragmentFor({ text })}`);
  const core = (await page.textContent(".status-text")).replace(/.*checked in /, "");
  await page.locator(".cm-line", { hasText: "name: svc0" }).first().click({ position: { x: 4, y: 4 } });
  await page.keyboard.press("End");
  // Keystroke -> next frame, as the user feels it, while results are recomputed behind.
  const lat = [];
  for (const ch of "-edited") {
    const t0 = Date.now();
    await page.keyboard.type(ch);
    await nextFrame(page);
    lat.push(Date.now() - t0);
  }
  await settle(page);
  lat.sort((a, b) => a - b);
  console.log(`large mesh (${text.length} chars, ${text.split("\n").length} lines): core ${core}; keystroke -> frame median ${lat[lat.length >> 1]}ms max ${lat[lat.length - 1]}ms (results debounced while the core is slow)`);
  assert.equal((await editorText(page)).length, text.length + "-edited".length);
  assert.deepEqual(page.problems(), []);
  await ctx.close();
});

test("share link round trip, localStorage, New, Copy as Markdown", async () => {
  const ctx = await newContext({ permissions: ["clipboard-read", "clipboard-write"] });
  const page = await openPage(ctx, `${base}/?example=mistake-catch-all-order`);
  await page.locator(".cm-line", { hasText: "namespace: shop" }).first().click({ position: { x: 4, y: 4 } });
  await page.keyboard.press("End");
  await page.keyboard.type("  # edited for the link ✓");
  await settle(page);
  const text = await editorText(page);
  await page.click("button:has-text('Share')");
  await page.waitForSelector(".notice-box:has-text('Link copied')");
  const link = await page.evaluate(() => navigator.clipboard.readText());
  assert.match(link, /^http:\/\/127\.0\.0\.1:\d+\/#v1\/[A-Za-z0-9_-]+$/);

  const md = await (async () => {
    await page.click("button:has-text('Copy as Markdown')");
    await page.waitForSelector(".notice-box:has-text('Markdown copied')");
    return page.evaluate(() => navigator.clipboard.readText());
  })();
  assert.ok(md.includes("```yaml\n" + text), "markdown has the input");
  assert.match(md, /\*\*Findings:\*\* 1 error, 0 warnings/);
  assert.match(md, /\*\*error\*\* `SC1040` catch-all-not-last/);

  // Download YAML saves the input as it is (a blob: URL, no network).
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("button:has-text('Download YAML')")]);
  assert.equal(download.suggestedFilename(), "sidecarscope.yaml");
  const chunks = [];
  for await (const c of await download.createReadStream()) chunks.push(c);
  assert.equal(Buffer.concat(chunks).toString("utf8"), text);

  // A fresh browser (no localStorage) opening the link sees exactly the same input.
  const other = await newContext();
  const opened = await openPage(other, link);
  assert.equal(await editorText(opened), text);
  assert.equal((await problems(opened)).length, (await problems(page)).length);
  assert.deepEqual(opened.problems(), []);
  await other.close();

  // The same browser, reopened without the fragment, keeps the last state.
  const again = await openPage(ctx, `${base}/`);
  assert.equal(await editorText(again), text);
  // New clears the editor, the stored state and the fragment.
  await again.click("button:has-text('New')");
  await settle(again);
  assert.equal(await editorText(again), "");
  await again.waitForTimeout(400);
  assert.equal(await again.evaluate(() => localStorage.getItem("sidecarscope:state")), null);
  assert.equal(await again.evaluate(() => location.hash), "");
  await shot(again, "new-empty");
  assert.deepEqual(page.problems(), []);
  assert.deepEqual(again.problems(), []);

  // Damaged and future links say so, and still open the playground.
  const damaged = await openPage(ctx, `${base}/#v1/not-a-state`);
  await damaged.waitForSelector(".notice-box:has-text('Could not open the link')");
  const future = await openPage(ctx, `${base}/#v9/abc`);
  await future.waitForSelector(".notice-box:has-text('format v9')");
  await ctx.close();
});

test("dist/ works under a path of the server, not only at its root", async () => {
  const under = "/tools/sidecarscope/";
  const sub = await startServer({}, { under });
  try {
    const ctx = await newContext({ permissions: ["clipboard-read", "clipboard-write"] });
    const page = await openPage(ctx, `${sub.base}${under}?example=mistake-catch-all-order`);
    assert.equal(await editorText(page), exampleText("mistake-catch-all-order"));
    assert.equal((await problems(page)).length, 1);
    // Share links keep the path.
    await page.click("button:has-text('Share')");
    await page.waitForSelector(".notice-box:has-text('Link copied')");
    const link = await page.evaluate(() => navigator.clipboard.readText());
    assert.ok(link.startsWith(`${sub.base}${under}#v1/`), link);
    assert.deepEqual(page.problems(), []);
    await ctx.close();
  } finally {
    sub.server.close();
  }
});

test("a first visit downloads the shell only; the deferred module loads once, on first use", async () => {
  const ctx = await newContext();
  const page = await openPage(ctx, `${base}/?example=ratings-uds`);
  assert.equal(page.panelFiles.length, 3, "index.html names the module's glue, its wasm and the help worker");
  const module = page.panelFiles.filter((f) => !/help-worker/.test(f));
  const fetched = (f) => page.requests().filter((u) => u === f).length;
  // Problems and the status line are there without it.
  assert.match(await page.textContent(".status-text"), /Istio accepts the Sidecar/);
  assert.deepEqual(page.panelFiles.map(fetched), [0, 0, 0], "the first load fetches none of the deferred files");
  await page.click("#tab-listeners");
  await page.waitForSelector(".listeners .lst-row");
  assert.deepEqual(module.map(fetched), [1, 1]);
  await page.click("#tab-trace");
  await page.waitForSelector("#trace-to");
  await page.click("#tab-effective");
  await page.waitForSelector(".effective .eff-main");
  assert.equal(await page.textContent(".effective .eff-main"), "prod-us1/ratings");
  assert.deepEqual(module.map(fetched), [1, 1], "fetched once for every panel");
  assert.deepEqual(page.problems(), []);

  // A module that cannot be fetched: the panel says so, and the next use tries again.
  const other = await openPage(ctx, `${base}/?example=ratings-uds`);
  const wasm = other.panelFiles.find((f) => f.endsWith(".wasm"));
  await other.route(wasm, (r) => r.abort());
  await other.click("#tab-listeners");
  await other.waitForSelector(".panel-status:has-text('could not be loaded')");
  await other.unroute(wasm);
  await other.click("#tab-effective");
  await other.waitForSelector(".effective .eff-main");
  assert.equal(await other.$(".panel-status"), null);
  await ctx.close();
});

test("Compare and Impact: the edits since Compare, the calls they break, carried by share links", async () => {
  const ctx = await newContext({ permissions: ["clipboard-read", "clipboard-write"] });
  const page = await openPage(ctx, `${base}/?example=ratings-uds`);
  await page.click("#tab-impact");
  await page.waitForSelector(".impact-panel .empty");
  assert.match(await page.textContent(".impact-panel .empty"), /Press Compare/);
  await page.click("button:has-text('Compare')");
  await page.waitForSelector(".impact-head");
  assert.equal(await page.getAttribute("#tab-impact", "aria-selected"), "true");
  assert.match(await page.textContent(".impact-head"), /No change/);
  // The ratings Sidecar's port 9080 listener now imports istio-system only: calls from ratings
  // to productpage on 9080 break.
  await page.evaluate(() => {
    const e = window.SidecarscopeEditor.active;
    const t = e.getText();
    const at = t.indexOf('"prod-us1/*"');
    e.view.dispatch({ changes: { from: at, to: at + 12, insert: '"istio-system/*"' } });
  });
  await settle(page);
  await page.waitForSelector(".impact-head.fail");
  assert.match(await page.textContent(".impact-head"), /^2 calls bypassing the mesh$/);
  const plan = await page.textContent(".impact-plan");
  assert.match(plan, /productpage\.prod-us1\.svc\.cluster\.local/);
  assert.ok((await page.$$(".plan-line.breaking")).length > 0, plan);
  await shot(page, "impact");
  // Copy as Markdown: the pull-request comment.
  await page.click("button:has-text('Copy as Markdown (a pull-request comment)')");
  await page.waitForSelector(".notice-box:has-text('Copied')");
  assert.match(await page.evaluate(() => navigator.clipboard.readText()), /\|/);
  // A share link carries the base: the page it opens compares the same two texts.
  await page.waitForTimeout(400);
  const link = await page.evaluate(() => location.href);
  const other = await openPage(ctx, link);
  assert.equal(await other.getAttribute("#tab-impact", "aria-selected"), "true");
  await other.waitForSelector(".impact-head.fail");
  assert.equal(await other.textContent(".impact-plan"), plan);
  // Stop comparing: Impact explains itself again.
  await other.click("button:has-text('Stop comparing')");
  await other.waitForSelector(".impact-panel .empty");
  assert.deepEqual(page.problems(), []);
  assert.deepEqual(other.problems(), []);
  await ctx.close();
});

test("markup and scripts in the input or in a link are shown as text, never run", async () => {
  const payload = `<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>`;
  const yaml = [
    "apiVersion: networking.istio.io/v1",
    "kind: Sidecar",
    "metadata:",
    "  name: xss",
    "  namespace: ns1",
    "spec:",
    "  egress:",
    "  - hosts:",
    `    - '${payload}'`,
    "",
  ].join("\n");
  const ctx = await newContext();
  const page = await openPage(ctx, `${base}/#${fragmentFor({ text: yaml })}`);
  assert.equal(await editorText(page), yaml);
  const found = await problems(page);
  assert.ok(found.length >= 1);
  assert.ok(found.some((p) => p.text.includes("<img src=x")), "the payload is shown as text in a hint");
  await page.locator(".cm-lintRange-error").first().hover();
  await page.locator(".cm-tooltip-lint").waitFor();
  // Typed into the editor too.
  await page.locator(".cm-line", { hasText: "namespace: ns1" }).click({ position: { x: 4, y: 4 } });
  await page.keyboard.press("End");
  await page.keyboard.type(" # <b>bold</b><script>window.__pwned=3</script>");
  await settle(page);
  await page.waitForTimeout(300);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  // (CodeMirror's own `img.cm-widgetBuffer` sits beside the info diagnostic at the start.)
  assert.equal(await page.locator("img:not(.cm-widgetBuffer), b").count(), 0, "no element was made from the payload");
  assert.equal(await page.locator("body script").count(), 0);
  await shot(page, "payload-as-text");
  assert.deepEqual(page.problems(), []);
  await ctx.close();
});

test("embed mode: panels, read-only, and the postMessage API", async () => {
  const ctx = await newContext();
  const host = await openPage(ctx, `${base}/__host.html`, { waitReady: false });
  const frame = host.frameLocator("#pg");
  await frame.locator(".cm-editor").waitFor();
  await host.waitForFunction(() => window.received.some((m) => m.type === "sidecarscope:ready"));
  const pg = host.frames().find((f) => f.url().includes("embed=1"));
  await waitReady(pg);
  // Only the problems panel, no toolbar actions, read-only editor.
  assert.equal(await pg.locator("[role=tab]").count(), 1);
  assert.equal(await pg.locator("button:has-text('New')").count(), 0);
  assert.equal(await pg.locator(".cm-content").getAttribute("contenteditable"), "false");
  assert.equal(await pg.locator(".problem.sev-error").count(), 2);
  const open = await pg.getAttribute("a:has-text('Open in playground')", "href");
  assert.match(open, /^http:\/\/127\.0\.0\.1:\d+\/#v1\/[A-Za-z0-9_-]+$/, "opens the same content in the full playground");
  await shot(host, "embed");

  // get -> content
  await host.evaluate(() => window.send({ type: "sidecarscope:get" }));
  await host.waitForFunction(() => window.received.some((m) => m.type === "sidecarscope:content"));
  const content = await host.evaluate(() => window.received.find((m) => m.type === "sidecarscope:content").text);
  assert.equal(content, exampleText("mistake-short-host"));

  // set -> new content and results; a get sent right after answers with it.
  const text = "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata:\n  name: a\n  namespace: b\nspec:\n  egress:\n  - hosts: ['*']\n";
  await host.evaluate((t) => {
    window.received = [];
    window.send({ type: "sidecarscope:set", text: t });
    window.send({ type: "sidecarscope:get" });
  }, text);
  await host.waitForFunction(() => window.received.length > 0);
  assert.deepEqual(await host.evaluate(() => window.received), [{ type: "sidecarscope:content", text }]);
  await pg.waitForFunction(() => document.querySelectorAll(".problems .problem.sev-error").length === 1);
  assert.equal(await editorText(pg), text);
  await host.evaluate(() => { window.received = []; window.send({ type: "sidecarscope:get" }); });
  await host.waitForFunction(() => window.received.length > 0);
  assert.deepEqual(await host.evaluate(() => window.received), [{ type: "sidecarscope:content", text }]);

  // Anything else is ignored: unknown types, wrong shapes, messages not from the parent.
  await host.evaluate(() => {
    window.received = [];
    window.send({ type: "sidecarscope:set", text: 42 });
    window.send({ type: "sidecarscope:eval", code: "window.__pwned = 1" });
    window.send("sidecarscope:get");
    window.send([{ type: "sidecarscope:get" }]);
  });
  await pg.evaluate(() => window.postMessage({ type: "sidecarscope:set", text: "kind: Self" }, "*"));
  await host.waitForTimeout(300);
  assert.equal(await editorText(pg), text);
  assert.deepEqual(await host.evaluate(() => window.received), []);
  assert.equal(await pg.evaluate(() => window.__pwned), undefined);
  // Embedded pages keep nothing in localStorage.
  assert.equal(await pg.evaluate(() => localStorage.getItem("sidecarscope:state")), null);
  assert.deepEqual(host.problems(), []);
  await ctx.close();
});

test("themes, narrow windows and keyboard access", async () => {
  const ctx = await newContext({ colorScheme: "dark" });
  const page = await openPage(ctx, `${base}/?example=mistake-short-host`);
  const bg = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const dark = await bg();
  await shot(page, "desktop-dark-system");
  // The search panel is readable in the dark theme.
  await page.locator(".cm-content").click({ position: { x: 100, y: 10 } });
  await page.keyboard.press("Control+f");
  await page.keyboard.type("hosts");
  assert.equal(await page.locator(".cm-search [main-field]").inputValue(), "hosts");
  assert.ok((await page.locator(".cm-searchMatch").count()) >= 1);
  await shot(page, "dark-search");
  await page.keyboard.press("Escape");
  // System -> Light -> Dark -> System
  await page.click(".theme-toggle");
  assert.equal(await page.getAttribute("html", "data-theme"), "light");
  assert.notEqual(await bg(), dark);
  await shot(page, "desktop-light");
  await page.click(".theme-toggle");
  assert.equal(await page.getAttribute("html", "data-theme"), "dark");
  const reload = await openPage(ctx, `${base}/`);
  assert.equal(await reload.getAttribute("html", "data-theme"), "dark", "the choice is kept");
  await reload.click(".theme-toggle");
  assert.equal(await reload.getAttribute("html", "data-theme"), null);

  // Half a laptop screen.
  await page.setViewportSize({ width: 720, height: 800 });
  await settle(page);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `no horizontal scrolling at 720px (${overflow}px)`);
  await shot(page, "narrow-720");

  // Keyboard: tab to a problem, Enter jumps to it.
  await page.focus("#example-select");
  let reached = false;
  for (let i = 0; i < 20 && !reached; i++) {
    // The editor keeps Tab for indentation; Escape then Tab leaves it (as its help text says).
    if (await page.evaluate(() => document.activeElement?.classList.contains("cm-content"))) await page.keyboard.press("Escape");
    await page.keyboard.press("Tab");
    reached = await page.evaluate(() => document.activeElement?.classList.contains("problem"));
  }
  assert.ok(reached, "a problem can be reached with Tab");
  await page.keyboard.press("Enter");
  assert.equal(await page.evaluate(() => getSelection().toString()), "reviews");
  // Every button and the select have an accessible name.
  const unnamed = await page.$$eval("button, select, [role=tab]", (els) =>
    els.filter((e) => !(e.getAttribute("aria-label") || e.textContent.trim() || e.labels?.length)).length,
  );
  assert.equal(unnamed, 0);
  assert.deepEqual(page.problems(), []);
  await ctx.close();
});

test("Effective config: pick a workload or describe a proxy, see the Sidecar and what it imports", async () => {
  const ctx = await newContext();
  const page = await openPage(ctx, `${base}/?example=ratings-uds`);
  await page.click("#tab-effective");
  await page.waitForSelector(".effective .eff-main");
  assert.equal(await page.inputValue("#proxy-select"), "Deployment/prod-us1/ratings-v1");
  assert.equal(await page.textContent(".effective .eff-main"), "prod-us1/ratings");
  assert.match(await page.textContent(".effective .why"), /workloadSelector/);
  const listeners = await page.$$eval(".listener", (ls) =>
    ls.map((l) => ({
      title: l.querySelector(".listener-title").textContent,
      services: [...l.querySelectorAll("tbody tr td:first-child")].map((td) => td.textContent),
    })),
  );
  assert.deepEqual(listeners, [
    { title: "1. port 9080 HTTP (egresshttp)", services: ["productpage.prod-us1.svc.cluster.local", "ratings.prod-us1.svc.cluster.local"] },
    { title: "2. catch-all", services: ["istiod.istio-system.svc.cluster.local"] },
  ]);
  await shot(page, "effective-ratings");
  // The Sidecar's YAML is one click away.
  await page.click("#eff-sidecar + .eff-line .link-button");
  const selected = await page.evaluate(() => getSelection().toString());
  assert.match(selected, /^apiVersion: networking\.istio\.io\/v1\s+kind: Sidecar\s+metadata:\s+name: ratings/);

  // A proxy by hand: another app in prod-us1 gets no Sidecar.
  await page.selectOption("#proxy-select", "__custom");
  const labels = page.getByLabel("Labels");
  await labels.fill("app=reviews");
  await settle(page);
  assert.equal(await page.textContent(".effective .eff-main"), "none: Istio's default scope");
  assert.equal(await labels.inputValue(), "app=reviews", "the form keeps its value while results update");
  await page.waitForTimeout(400);
  // The choice is part of the shared state.
  const link = await page.evaluate(() => location.href);
  const other = await newContext();
  const opened = await openPage(other, link);
  assert.equal(await opened.getAttribute("#tab-effective", "aria-selected"), "true");
  assert.equal(await opened.getByLabel("Labels").inputValue(), "app=reviews");
  assert.equal(await opened.textContent(".effective .eff-main"), "none: Istio's default scope");
  await other.close();
  // The raw JSON is the core's Resolution.
  await page.click(".raw summary");
  const json = JSON.parse(await page.textContent("pre.json"));
  assert.equal(json.proxy.namespace, "prod-us1");
  assert.deepEqual(json.proxy.labels, { app: "reviews" });
  await page.setViewportSize({ width: 720, height: 800 });
  await shot(page, "effective-custom-narrow");
  assert.deepEqual(page.problems(), []);
  await ctx.close();
});

/** The Listeners table as shown: [{addresses, port, match, destination, from}]. */
function listenerRows(page) {
  return page.$$eval(".lst-table tr.lst-row", (trs) =>
    trs.map((tr) => {
      const td = [...tr.querySelectorAll("td")].map((c) => c.textContent.trim());
      return { addresses: td[0].replace(/^[\u25b8\u25be]\s*/, ""), port: td[1], match: td[2], destination: td[3], from: td[4] };
    }),
  );
}

test("Listeners: the istioctl table for the picked workload, rows expand and link to their YAML", async () => {
  const ctx = await newContext({ permissions: ["clipboard-read", "clipboard-write"] });
  const page = await openPage(ctx, `${base}/?example=ratings-uds`);
  // Effective config first: the Sidecar and what it imports, then the listeners it makes.
  await page.click("#tab-effective");
  await page.waitForSelector(".effective .eff-main");
  assert.equal(await page.textContent(".effective .eff-main"), "prod-us1/ratings");
  assert.ok((await page.textContent(".effective .listener")).includes("productpage.prod-us1.svc.cluster.local"));
  await page.click("#tab-listeners");
  await page.waitForSelector(".lst-table tr.lst-row");
  assert.equal(await page.inputValue("#proxy-select"), "Deployment/prod-us1/ratings-v1");
  assert.match(await page.textContent(".lst-summary"), /Sidecar prod-us1\/ratings/);
  assert.deepEqual(await page.$$eval(".lst-table th", (ths) => ths.map((t) => t.textContent)), ["ADDRESSES", "PORT", "MATCH", "DESTINATION", "FROM"]);
  const rows = await listenerRows(page);
  const egress = rows.find((r) => r.addresses === "0.0.0.0" && r.port === "9080" && r.destination === "Route: 9080");
  assert.ok(egress, JSON.stringify(rows, null, 1));
  assert.equal(egress.from, "Sidecar prod-us1/ratings");
  assert.ok(rows.some((r) => r.destination === "Cluster: inbound|9080||"), "the ingress port");
  assert.ok(rows.some((r) => r.addresses === "0.0.0.0" && r.port === "15001"), "virtualOutbound");
  assert.ok(rows.some((r) => r.port === "15012" && r.destination === "Cluster: outbound|15012||istiod.istio-system.svc.cluster.local"), "the catch-all imports istiod");
  await shot(page, "listeners-ratings");

  // The row's source selects the Sidecar's egress listener in the editor.
  const row = page.locator(".lst-table tr.lst-row", { hasText: "Route: 9080" }).first();
  await row.locator(".from .link-button").click();
  const selected = await page.evaluate(() => getSelection().toString());
  assert.match(selected, /port:\s+number: 9080/);
  assert.match(selected, /prod-us1\/\*/);

  // Expanding a row shows its listener and filter chain, with why, and the route's virtual hosts.
  await row.click({ position: { x: 60, y: 8 } });
  const detail = page.locator(".lst-detail").first();
  await detail.waitFor();
  const text = await detail.textContent();
  assert.match(text, /Listener 0\.0\.0\.0_9080/);
  assert.match(text, /Filter chain/);
  assert.match(text, /Route config 9080/);
  assert.match(text, /productpage\.prod-us1\.svc\.cluster\.local/);
  assert.equal(await row.locator("button.disclosure").getAttribute("aria-expanded"), "true");
  await shot(page, "listeners-expanded");
  await page.emulateMedia({ colorScheme: "dark" });
  await shot(page, "listeners-expanded-dark");
  await page.setViewportSize({ width: 720, height: 800 });
  assert.ok((await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)) <= 0, "no page scroll at 720px");
  await page.locator(".lst-detail").scrollIntoViewIfNeeded();
  await shot(page, "listeners-narrow-dark");
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.emulateMedia({ colorScheme: "light" });
  // It stays open while the text changes (an edit elsewhere).
  await page.locator(".cm-line", { hasText: "under REGISTRY_ONLY it would be blocked." }).click({ position: { x: 4, y: 4 } });
  await page.keyboard.press("End");
  await page.keyboard.type(" Edited.");
  await settle(page);
  assert.equal(await page.locator(".lst-detail").count(), 1);
  // Keyboard: the disclosure button toggles it.
  await page.locator(".lst-row.open button.disclosure").focus();
  await page.keyboard.press("Enter");
  assert.equal(await page.locator(".lst-detail").count(), 0);

  // Copy gives istioctl's text table.
  await page.click("button:has-text('Copy as istioctl text')");
  await page.waitForSelector(".notice-box:has-text('Copied')");
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  assert.match(copied, /^ADDRESSES\s+PORT\s+MATCH\s+DESTINATION\n/);
  assert.match(copied, /\n0\.0\.0\.0\s+9080\s+Trans: raw_buffer; App: http\/1\.1,h2c\s+Route: 9080\n/);

  // Another proxy: a custom one in another namespace has no Sidecar.
  await page.selectOption("#proxy-select", "__custom");
  await page.getByLabel("Namespace", { exact: true }).fill("elsewhere");
  await settle(page);
  assert.match(await page.textContent(".lst-summary"), /no Sidecar/);
  await ctx.close();
  assert.deepEqual(page.problems(), []);
});

test("pick a workload: its Sidecar, imported services and listener rows follow", async () => {
  // ratings-uds plus a second workload that no Sidecar selects.
  const text = exampleText("ratings-uds") + [
    "---",
    "apiVersion: apps/v1",
    "kind: Deployment",
    "metadata:",
    "  name: reviews-v1",
    "  namespace: prod-us1",
    "spec:",
    "  selector:",
    "    matchLabels:",
    "      app: reviews",
    "  template:",
    "    metadata:",
    "      labels:",
    "        app: reviews",
    "    spec:",
    "      containers:",
    "      - name: reviews",
    "        image: docker.io/istio/examples-bookinfo-reviews-v1:1.20.2",
    "",
  ].join("\n");
  const ctx = await newContext();
  const page = await openPage(ctx, `${base}/#${fragmentFor({ text, panel: "listeners" })}`);
  await page.waitForSelector(".lst-table tr.lst-row");
  assert.deepEqual(await page.$$eval("#proxy-select option", (os) => os.map((o) => o.value)), [
    "Deployment/prod-us1/ratings-v1",
    "Deployment/prod-us1/reviews-v1",
    "__custom",
  ]);
  const ports = async () => new Set((await listenerRows(page)).map((r) => r.port));
  assert.ok(!(await ports()).has("6379"), "ratings' Sidecar does not import cache:6379");
  await page.selectOption("#proxy-select", "Deployment/prod-us1/reviews-v1");
  await settle(page);
  assert.match(await page.textContent(".lst-summary"), /no Sidecar/);
  const rows = await listenerRows(page);
  const cache = rows.find((r) => r.port === "6379");
  assert.ok(cache, JSON.stringify(rows, null, 1));
  assert.equal(cache.addresses, "10.0.0.32");
  assert.match(cache.destination, /outbound\|6379\|\|cache\.prod-us1\.svc\.cluster\.local/);
  assert.equal(cache.from, "Service prod-us1/cache");
  await shot(page, "listeners-reviews");
  // The same proxy in Effective config: Istio's default scope imports every service.
  await page.click("#tab-effective");
  await page.waitForSelector(".effective .eff-main");
  assert.equal(await page.inputValue("#proxy-select"), "Deployment/prod-us1/reviews-v1");
  assert.equal(await page.textContent(".effective .eff-main"), "none: Istio's default scope");
  const services = await page.$$eval(".listener tbody tr td:first-child", (tds) => tds.map((td) => td.textContent));
  assert.ok(services.includes("cache.prod-us1.svc.cluster.local"), services.join(", "));
  // And back to ratings.
  await page.selectOption("#proxy-select", "Deployment/prod-us1/ratings-v1");
  await settle(page);
  assert.equal(await page.textContent(".effective .eff-main"), "prod-us1/ratings");
  await page.click("#tab-listeners");
  await page.waitForSelector(".lst-table tr.lst-row");
  assert.ok(!(await ports()).has("6379"));
  assert.deepEqual(page.problems(), []);
  await ctx.close();
});

test("Trace: a call in, listener, chain, route and cluster out, with why", async () => {
  const ctx = await newContext();
  const page = await openPage(ctx, `${base}/?example=ratings-uds`);
  await page.click("#tab-trace");
  await page.waitForSelector("#trace-to");
  assert.match(await page.textContent(".trace .empty"), /hostname:port/);
  await page.fill("#trace-to", "productpage.prod-us1.svc.cluster.local:9080");
  await page.waitForSelector(".trace-result");
  assert.equal(await page.getAttribute(".trace-result", "class"), "trace-result ok");
  const summary = await page.textContent(".trace-summary");
  assert.match(summary, /reaches outbound\|9080\|\|productpage\.prod-us1\.svc\.cluster\.local via 0\.0\.0\.0_9080, route config 9080, route default/);
  const steps = await page.$$eval(".trace-steps li .step-what", (els) => els.map((e) => e.textContent));
  assert.deepEqual(steps.map((s) => s.split(" ")[0]), ["listener", "filter", "route", "route", "cluster"], steps.join(" | "));
  assert.match(await page.textContent(".trace-result"), /10\.0\.0\.30/, "the hostname's address from the input");
  await shot(page, "trace-ok");
  // The listener step links to the Sidecar's egress listener.
  await page.locator(".trace-steps li").first().locator(".link-button").click();
  assert.match(await page.evaluate(() => getSelection().toString()), /number: 9080/);

  // cache:6379 is outside the Sidecar's port 9080 listener: only the catch-all could take it,
  // and it imports istio-system only, so the call passes through (ALLOW_ANY).
  await page.fill("#trace-to", "cache.prod-us1:6379");
  await page.selectOption("#trace-protocol", "TCP");
  await settle(page);
  assert.match(await page.textContent(".trace-summary"), /PassthroughCluster/);
  await shot(page, "trace-passthrough");

  // Inbound on 9080 is the ingress listener's Unix socket.
  await page.fill("#trace-to", "9080");
  await page.selectOption("#trace-protocol", "HTTP");
  await page.check("#trace-inbound");
  await settle(page);
  assert.match(await page.textContent(".trace-summary"), /inbound HTTP to port 9080: reaches inbound\|9080\|\|/);

  // A mistake in the form says so.
  await page.fill("#trace-to", "10.0.0.30");
  assert.match(await page.textContent(".trace .empty"), /has no port/);
  await page.fill("#trace-to", "10.0.0.30:9080");
  await page.uncheck("#trace-inbound");
  await settle(page);
  await page.waitForTimeout(400);
  // The form is part of the link.
  const link = await page.evaluate(() => location.href);
  const other = await newContext();
  const opened = await openPage(other, link);
  assert.equal(await opened.getAttribute("#tab-trace", "aria-selected"), "true");
  assert.equal(await opened.inputValue("#trace-to"), "10.0.0.30:9080");
  assert.match(await opened.textContent(".trace-summary"), /productpage/);
  await opened.setViewportSize({ width: 720, height: 800 });
  await shot(opened, "trace-narrow");
  assert.equal(await opened.evaluate(() => document.documentElement.scrollWidth - window.innerWidth), 0);
  await other.close();
  assert.deepEqual(page.problems(), []);
  await ctx.close();
});

// The medium mesh of crates/sidecarscope-bench (`gen-mesh --size medium`: 20 namespaces x 25
// services, 502 workloads, 122 Sidecars, 0.46 MB); scripts/test-browser writes it.
const MEDIUM = process.env.MEDIUM_MESH || join(ROOT, "target", "web-tests", "medium.yaml");

const CANARY = `apiVersion: v1
kind: Pod
metadata: {name: client, namespace: default, labels: {app: client}}
spec: {containers: [{name: app, image: client}]}
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: default}
spec:
  clusterIP: 10.0.0.40
  ports: [{name: http, port: 80}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: api, namespace: default}
spec:
  hosts: [api]
  http:
  - name: canary
    match: [{uri: {prefix: /api}}]
    route: [{destination: {host: api, subset: v2}}]
  - name: stable
    route: [{destination: {host: api, subset: v1}}]
`;

test("Trace: the path picks the VirtualService route (/api to the canary), linked to its YAML", async () => {
  const ctx = await newContext();
  const page = await openPage(ctx, `${base}/#${fragmentFor({ text: CANARY, panel: "trace" })}`);
  await page.waitForSelector("#trace-path");
  await page.fill("#trace-to", "api.default:80");
  await page.fill("#trace-path", "/api/x");
  await settle(page);
  await page.waitForSelector(".trace-result");
  assert.match(await page.textContent(".trace-summary"), /reaches outbound\|80\|v2\|api\.default\.svc\.cluster\.local via 0\.0\.0\.0_80, route config 80, route canary/);
  const route = page.locator(".trace-steps li", { hasText: "route canary (VirtualService default/api http[0])" });
  await route.locator(".link-button").click();
  assert.match(await page.evaluate(() => getSelection().toString()), /name: canary/);
  await page.fill("#trace-path", "/");
  await settle(page);
  assert.match(await page.textContent(".trace-summary"), /reaches outbound\|80\|v1\|api\.default\.svc\.cluster\.local via 0\.0\.0\.0_80, route config 80, route stable/);
  // A malformed header says so.
  await page.fill("#trace-headers", "x-user");
  await settle(page);
  assert.match(await page.textContent(".trace .empty"), /is not NAME=VALUE/);
  assert.deepEqual(page.problems(), []);
  await ctx.close();
});

test("medium mesh: an edit after a pause runs at once, results follow continuous typing", { skip: !existsSync(MEDIUM) && `no ${MEDIUM}` }, async () => {
  const text = readFileSync(MEDIUM, "utf8");
  const ctx = await newContext();
  const page = await openPage(ctx, `${base}/#${fragmentFor({ text })}`);
  await page.evaluate(() => {
    const ed = window.SidecarscopeEditor.active;
    const at = ed.getText().indexOf("\n", ed.getText().indexOf("name: storefront-worker"));
    ed.select(at, at);
  });
  // The first edits teach the editor that the core is slow (a run takes several tasks).
  for (const k of ["x", "Backspace"]) {
    await page.keyboard.press(k);
    await settle(page);
  }
  // Single edits after a pause: the run starts right after the edit's own frame (it used to
  // wait for a pause in typing of twice the core's cost, at least 50 ms).
  const starts = [];
  for (const k of ["y", "Backspace", "z", "Backspace"]) {
    await page.waitForTimeout(200);
    await page.evaluate(() => { performance.clearMarks("sc:edit"); performance.clearMeasures(); });
    await page.keyboard.press(k);
    await settle(page);
    starts.push(await page.evaluate(() => performance.getEntriesByName("sc:load")[0].startTime - performance.getEntriesByName("sc:edit")[0].startTime));
  }
  starts.sort((a, b) => a - b);
  console.log(`medium mesh, edit after a pause -> its run starts: ${starts.map((t) => t.toFixed(0)).join(", ")} ms`);
  assert.ok(starts[starts.length >> 1] < 50, `median ${starts[starts.length >> 1]} ms`);

  // Two seconds of typing without a pause: runs wait for pauses (a few, not one per key), yet
  // results still come while it goes on (a run that an edit has waited half a second for is not
  // dropped, unlike those that typing interrupts).
  await page.evaluate(() => performance.clearMeasures());
  for (let i = 0; i < 50; i++) {
    await page.keyboard.type(i % 2 ? "b" : "a");
    await page.waitForTimeout(40);
  }
  // (A run's last task renders the panel: `sc:panel`.)
  const during = await page.evaluate(() => ({
    results: performance.getEntriesByName("sc:panel").length,
    loads: performance.getEntriesByName("sc:load").length,
  }));
  await settle(page);
  console.log(`medium mesh, 2 s of typing: ${during.loads} runs started, ${during.results} finished while typing went on`);
  assert.ok(during.results >= 1, JSON.stringify(during));
  // Not one run per key (50): a run waits for a pause in typing as long as the run (at least
  // 50 ms), and keys 40 ms apart leave few such pauses. How many depends on the machine and the
  // core's speed (a key's own handling widens the gaps on a loaded machine; a faster run fits
  // in more of them): 12 before edits moved the parsed trees instead of copying them, 18 and 25
  // since, at load 5, so the bound is well under one per key.
  assert.ok(during.loads <= 30, `typing waits for pauses: ${JSON.stringify(during)}`);
  assert.equal((await editorText(page)).length, text.length + 50);
  assert.match(await page.textContent(".status-text"), /checked in/);
  assert.deepEqual(page.problems(), []);
  await ctx.close();
});

test("medium mesh: typing stays smooth in every panel (keystroke to frame, long tasks)", { skip: !existsSync(MEDIUM) && `no ${MEDIUM}` }, async () => {
  const text = readFileSync(MEDIUM, "utf8");
  const ctx = await newContext();
  const page = await openPage(ctx, `${base}/#${fragmentFor({ text })}`);
  await page.evaluate(() => {
    window.__long = [];
    new PerformanceObserver((l) => window.__long.push(...l.getEntries().map((e) => e.duration))).observe({ type: "longtask" });
  });
  const core = (await page.textContent(".status-text")).replace(/.*checked in /, "");
  const stats = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    if (!s.length) return "none";
    return `n=${s.length} median=${s[s.length >> 1].toFixed(0)}ms max=${s[s.length - 1].toFixed(0)}ms`;
  };
  const report = [];
  let typed = 0;
  for (const panel of ["problems", "effective", "listeners", "trace"]) {
    await page.click(`#tab-${panel}`);
    if (panel === "trace") await page.fill("#trace-to", "storefront-web.storefront:80");
    await settle(page);
    // The end of a line far down (CodeMirror only renders what is in view): select it there.
    await page.evaluate(() => {
      const ed = window.SidecarscopeEditor.active;
      const at = ed.getText().indexOf("\n", ed.getText().indexOf("name: storefront-worker"));
      ed.select(at, at);
    });
    await page.evaluate(() => { window.__long = []; performance.clearMeasures(); });
    // (clearMeasures also drops the phases of the tab switch above.)
    const lat = [];
    for (const ch of "-edited-x") {
      const t0 = Date.now();
      await page.keyboard.type(ch);
      await nextFrame(page);
      lat.push(Date.now() - t0);
      typed++;
    }
    await settle(page);
    const m = await page.evaluate(() => {
      const d = (name) => performance.getEntriesByName(name).map((e) => e.duration);
      return { long: window.__long, paint: d("sc:edit-to-paint"), load: d("sc:load"), analyze: d("sc:analyze"), body: d("sc:panel") };
    });
    report.push({ panel, lat, ...m });
    console.log(`medium mesh, ${panel}: keystroke -> frame ${stats(lat)}; long tasks ${stats(m.long)}; edit -> results painted ${stats(m.paint)}`);
    console.log(`medium mesh, ${panel}: tasks of a run: load ${stats(m.load)}; analysis ${stats(m.analyze)}; panel ${stats(m.body)}`);
  }
  console.log(`medium mesh: ${text.length} chars, ${text.split("\n").length} lines; core (load + analysis) ${core}`);
  assert.equal((await editorText(page)).length, text.length + typed);
  // Shared 2-core CI machines are noisy: this bound only catches a stall; the figures are printed.
  for (const r of report) {
    const median = [...r.lat].sort((a, b) => a - b)[r.lat.length >> 1];
    assert.ok(median < 400, `${r.panel}: median keystroke -> frame ${median} ms`);
  }
  await page.click("#tab-listeners");
  await settle(page);
  assert.ok((await page.locator(".lst-table tr.lst-row").count()) > 10);
  await shot(page, "medium-listeners");
  assert.deepEqual(page.problems(), []);
  await ctx.close();
});
