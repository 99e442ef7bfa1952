// The playground as its users meet it (issue 18): Istio's verdict first, a Markdown export that
// escapes what a crafted link puts in it, proxy metadata and istiod flags carried in links, a
// searchable workload picker, keyboard and focus, axe-core, and a phone-sized window. Against the
// release build in dist/; run by scripts/test-browser.
//
// axe-core (an npm devDependency) is injected with playwright's `addScriptTag`. The page's
// Content-Security-Policy refuses injected scripts (script-src has no 'unsafe-inline' and no
// host of ours), so only the axe contexts are created with `bypassCSP: true`; every other test
// keeps the policy (and fails on any violation, tests/browser/harness.mjs).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createRequire } from "node:module";
import { deflateRawSync, inflateRawSync } from "node:zlib";
import { ROOT, startServer, launch, openPage, editorText, problems, shot, settle } from "./harness.mjs";

const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
const exampleText = (id) => readFileSync(join(ROOT, "web", "examples", `${id}.yaml`), "utf8");
const fragmentFor = (state) => "v1/" + deflateRawSync(Buffer.from(JSON.stringify(state))).toString("base64url");
const stateOf = (url) => JSON.parse(inflateRawSync(Buffer.from(url.split("#v1/")[1], "base64url")).toString());

/** One Sidecar that Istio's webhook rejects (two bad egress hosts), and nothing else. */
const INVALID = `apiVersion: networking.istio.io/v1
kind: Sidecar
metadata:
  name: bad
  namespace: shop
spec:
  egress:
  - hosts:
    - reviews
    - "ns2/ratings"
`;

let server, base, browser;

before(async () => {
  ({ server, base } = await startServer());
  browser = await launch();
});

after(async () => {
  await browser?.close();
  server?.close();
});

const newContext = (opts = {}) => browser.newContext({ viewport: { width: 1280, height: 800 }, ...opts });

test("a single invalid Sidecar: Istio's rejection and its messages come first; badge and status count by severity", async () => {
  const ctx = await newContext();
  const page = await openPage(ctx, `${base}/#${fragmentFor({ text: INVALID })}`);
  await settle(page);
  const order = await page.$$eval("#panel-problems .panel-body > div > *", (els) => els.map((e) => e.tagName + ":" + e.textContent.slice(0, 60)));
  assert.match(order[0], /^H3:Istio's verdict/, JSON.stringify(order));
  const verdict = page.locator(".verdicts .verdict").first();
  assert.equal(await verdict.textContent(), "\u2716Sidecar shop/bad: rejected: 2 errors");
  // Its messages, right under it, before any finding of the mesh analysis.
  const mine = await page.$$eval(".verdicts .problem", (els) => els.map((e) => e.textContent));
  assert.equal(mine.length, 2, JSON.stringify(mine));
  for (const m of mine) assert.match(m, /SC1050/);
  const all = await problems(page);
  assert.deepEqual(all.slice(0, 2).map((p) => p.text), mine, "nothing comes before Istio's messages");
  // The mesh analysis' infos (no workloads, no services) are folded, after its errors and warnings.
  assert.ok(await page.$("#problems-mesh"), "the mesh analysis has its own section");
  const folded = page.locator("details.infos");
  assert.equal(await folded.getAttribute("open"), null);
  assert.match(await folded.locator("summary").textContent(), /^\d+ infos?$/);
  assert.equal(await folded.locator(".problem").first().isVisible(), false);
  const sevs = all.map((p) => p.label.split(" ")[0]);
  const mesh = sevs.slice(2);
  assert.deepEqual(mesh, [...mesh].sort((a, b) => ["error", "warning", "info"].indexOf(a) - ["error", "warning", "info"].indexOf(b)));
  // The badge: the errors' count (2) in red, not every finding's.
  const errors = sevs.filter((s) => s === "error").length;
  assert.equal(await page.textContent("#tab-problems .badge [aria-hidden]"), String(errors));
  assert.match(await page.getAttribute("#tab-problems .badge", "class"), /badge-error/);
  assert.ok(all.length > errors, "there are findings other than errors, which the badge does not count");
  // The status line: Istio's verdict, then the mesh analysis, apart.
  assert.match(await page.textContent(".status-text"), /Istio rejects 1 of 1 Sidecar \(2 errors, 0 warnings\) · mesh analysis: \d+ errors?, \d+ warnings?, \d+ infos?/);
  // Opening the infos survives an edit (the app keeps it in its state: App::infos_open).
  await folded.locator("summary").click();
  await page.evaluate(() => window.SidecarscopeEditor.active.setText(window.SidecarscopeEditor.active.getText() + "# edited\n"));
  await settle(page);
  assert.equal(await page.locator("details.infos").getAttribute("open"), "");
  // Fixed: accepted.
  await page.evaluate((t) => window.SidecarscopeEditor.active.setText(t), INVALID.replace("    - reviews\n    - \"ns2/ratings\"\n", '    - "./*"\n'));
  await settle(page);
  assert.equal(await page.locator(".verdicts .verdict").first().textContent(), "\u2714Sidecar shop/bad: accepted");
  assert.match(await page.textContent(".status-text"), /Istio accepts the Sidecar · mesh analysis:/);
  await shot(page, "verdict-first");
  assert.deepEqual(page.problems(), []);
  await ctx.close();
});

test("Copy as Markdown of a crafted link: no markup from the input survives unescaped", async () => {
  const ctx = await newContext({ permissions: ["clipboard-read", "clipboard-write"] });
  const text = INVALID.replace("name: bad", 'name: "<img src=x onerror=alert(1)>"').replace("namespace: shop", 'namespace: "[x](javascript:alert(1))"');
  const page = await openPage(ctx, `${base}/#${fragmentFor({ text })}`);
  let dialogs = 0;
  page.on("dialog", (d) => (dialogs++, d.dismiss()));
  await settle(page);
  // Shown as text in the page.
  assert.match(await page.locator(".verdict").first().textContent(), /<img src=x onerror=alert\(1\)>/);
  assert.equal(await page.$("img[src=x]"), null);
  await page.click("button:has-text('Copy as Markdown')");
  await page.waitForSelector(".notice-box:has-text('Markdown copied')");
  const md = await page.evaluate(() => navigator.clipboard.readText());
  const findings = md.split("**Findings:**")[1];
  assert.ok(findings, md);
  assert.ok(findings.includes("Sidecar \\[x\\](javascript:alert(1))/\\<img src=x onerror=alert(1)\\>"), findings);
  // Outside the YAML fence, no '<' and no '[' is left unescaped.
  const outside = findings.replace(/`[^`]*`/g, "").replace(/\[Open in the Sidecarscope playground\]\([^)]*\)/, "");
  assert.equal(outside.replace(/\\[<[]/g, "").match(/[<[]/), null, outside);
  assert.equal(dialogs, 0);
  assert.deepEqual(page.problems(), []);
  await ctx.close();
});

test("proxy metadata and istiod flags: set in the page, applied, kept in share links; the workload picker is searchable", async () => {
  const ctx = await newContext({ permissions: ["clipboard-read", "clipboard-write"] });
  const page = await openPage(ctx, `${base}/?example=ratings-tls`);
  await page.click("#tab-listeners");
  await settle(page);
  // The note says what to do in the page, not on a command line.
  const notes = await page.textContent("#panel-listeners");
  assert.match(notes, /add the istiod flag ENABLE_TLS_ON_SIDECAR_INGRESS=true/);
  assert.doesNotMatch(notes, /--istiod-env/);
  await page.click(".proxy-settings summary");
  assert.match(await page.textContent(".proxy-settings"), /UNPRIVILEGED_POD/);
  assert.match(await page.textContent(".proxy-settings"), /PILOT_ENABLE_MYSQL_FILTER/);
  await page.fill("[data-field=istiod]", "ENABLE_TLS_ON_SIDECAR_INGRESS=true");
  await page.fill("[data-field=metadata]", "HTTP_PROXY_PORT=15080");
  await settle(page);
  assert.doesNotMatch(await page.textContent("#panel-listeners"), /ENABLE_TLS_ON_SIDECAR_INGRESS=true/);
  const ports = await page.$$eval(".lst-row td:nth-child(2)", (tds) => tds.map((t) => t.textContent));
  assert.ok(ports.includes("15080"), `the HTTP proxy listener of HTTP_PROXY_PORT: ${ports}`);
  // Carried in the link, and read back from it.
  await page.click("button:has-text('Share')");
  await page.waitForSelector(".notice-box:has-text('Link copied')");
  const link = await page.evaluate(() => navigator.clipboard.readText());
  const state = stateOf(link);
  assert.equal(state.proxy.metadata, "HTTP_PROXY_PORT=15080");
  assert.equal(state.proxy.istiod, "ENABLE_TLS_ON_SIDECAR_INGRESS=true");
  const ctx2 = await newContext();
  const opened = await openPage(ctx2, link);
  await settle(opened);
  assert.equal(await opened.inputValue("[data-field=metadata]"), "HTTP_PROXY_PORT=15080");
  assert.equal(await opened.inputValue("[data-field=istiod]"), "ENABLE_TLS_ON_SIDECAR_INGRESS=true");
  assert.ok((await opened.$$eval(".lst-row td:nth-child(2)", (tds) => tds.map((t) => t.textContent))).includes("15080"));

  // Searchable picker: typing a workload's name picks it.
  const text = exampleText("ratings-uds") + "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: reviews-v1-abc\n  namespace: prod-us1\n  labels: {app: reviews}\nspec: {containers: [{name: a, image: b}]}\n";
  const third = await openPage(ctx2, `${base}/#${fragmentFor({ text, panel: "effective" })}`);
  assert.equal(await third.$$eval("#workload-list option", (os) => os.length), 2);
  await third.fill("[data-field=find]", "Pod prod-us1/reviews-v1-abc");
  await settle(third);
  assert.equal(await third.inputValue("#proxy-select"), "Pod/prod-us1/reviews-v1-abc");
  assert.deepEqual([...page.problems(), ...opened.problems(), ...third.problems()], []);
  await ctx.close();
  await ctx2.close();
});

test("keyboard: Tab passes through the editor until you type, a visible focus ring and help", async () => {
  const ctx = await newContext();
  const page = await openPage(ctx, `${base}/?example=ratings-uds`);
  const before = await editorText(page);
  assert.equal(await page.isVisible("#editor-help"), false);
  await page.focus("#example-select");
  // Tab through the toolbar into the editor.
  for (let i = 0; i < 10 && !(await page.evaluate(() => document.activeElement?.classList.contains("cm-content"))); i++) await page.keyboard.press("Tab");
  assert.ok(await page.evaluate(() => document.activeElement?.classList.contains("cm-content")), "Tab reaches the editor");
  await page.waitForSelector(".cm-editor.cm-focused");
  assert.equal(await page.$eval(".cm-editor", (e) => getComputedStyle(e).outlineStyle), "solid", "a focus ring");
  assert.ok(await page.isVisible("#editor-help"), "the way out is shown");
  assert.match(await page.textContent("#editor-help"), /Esc, then Tab, leaves the editor/);
  // The next Tab leaves it, and nothing was indented.
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement?.classList.contains("cm-content")), false);
  assert.equal(await editorText(page), before);
  // Clicked and typed in, Tab indents; Escape, then Tab, leaves.
  await page.locator(".cm-line", { hasText: "name: ratings" }).first().click({ position: { x: 4, y: 4 } });
  await page.keyboard.press("Home");
  await page.keyboard.press("Tab");
  assert.notEqual(await editorText(page), before, "Tab indents while editing");
  await page.keyboard.press("Escape");
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement?.classList.contains("cm-content")), false);
  assert.deepEqual(page.problems(), []);
  await ctx.close();
});

/** axe-core's serious and critical violations of the page as it is. */
async function axe(page) {
  await page.addScriptTag({ path: AXE });
  const found = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ["violations"] });
    return r.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).slice(0, 5).join(", ")}`);
  });
  return found;
}

test("axe-core: no serious or critical violation in light, dark, embed and phone layouts", async () => {
  const layouts = [
    ["light", `${base}/?example=mistake-short-host&theme=light`, { width: 1280, height: 800 }],
    ["dark", `${base}/?example=mistake-short-host&theme=dark`, { width: 1280, height: 800 }],
    ["embed", `${base}/?embed=1&example=mistake-short-host`, { width: 900, height: 520 }],
    ["phone", `${base}/?example=ratings-uds`, { width: 390, height: 844 }],
  ];
  for (const [name, url, viewport] of layouts) {
    // bypassCSP: only so that axe's script tag may run (the policy refuses injected scripts).
    const ctx = await browser.newContext({ viewport, bypassCSP: true });
    const page = await openPage(ctx, url);
    for (const tab of ["problems", "effective", "listeners", "trace"]) {
      await page.click(`#tab-${tab}`);
      await settle(page);
      // The editor focused too: its active line and focus ring.
      if (tab === "listeners") await page.locator(".cm-content").focus();
      assert.deepEqual(await axe(page), [], `${name}, ${tab}`);
    }
    await ctx.close();
  }
});

test("a phone (390x844): whole tabs, the results get the height, the Listeners table fits", async () => {
  const ctx = await newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const page = await openPage(ctx, `${base}/?example=ratings-uds`);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `no horizontal scrolling (${overflow}px)`);
  const tabs = await page.$$eval("[role=tab]", (els) => els.map((e) => ({ t: e.textContent, clipped: e.scrollWidth > e.clientWidth, right: e.getBoundingClientRect().right })));
  for (const t of tabs) assert.ok(!t.clipped && t.right <= 390, `tab ${t.t} is whole: ${JSON.stringify(t)}`);
  const h = await page.evaluate(() => [document.querySelector(".editor-pane").getBoundingClientRect().height, document.querySelector(".results-pane").getBoundingClientRect().height]);
  assert.ok(h[0] < h[1], `the editor (${h[0]}px) takes less height than the results (${h[1]}px)`);
  assert.ok(h[0] / 844 < 0.4, `the editor takes ${Math.round((h[0] / 844) * 100)}% of the height`);
  await page.click("#tab-listeners");
  await settle(page);
  const from = await page.$$eval(".lst-row td.from", (tds) => tds.map((t) => t.getBoundingClientRect().right));
  assert.ok(from.length > 0);
  for (const r of from) assert.ok(r <= 390, `the FROM cell is on screen (right edge ${r}px)`);
  await shot(page, "phone-listeners");
  await page.click("#tab-problems");
  await shot(page, "phone-problems");
  assert.deepEqual(page.problems(), []);
  await ctx.close();
});

test("the trace form knows the input: suggestions, a did-you-mean for an unknown host, the address explained", async () => {
  const ctx = await newContext();
  const page = await openPage(ctx, `${base}/#${fragmentFor({ text: exampleText("ratings-uds"), panel: "trace" })}`);
  await page.fill("#trace-to", "ratingz.prod-us1:9080");
  await settle(page);
  const options = await page.$$eval("#trace-suggestions option", (os) => os.map((o) => o.value));
  assert.ok(options.includes("ratings.prod-us1.svc.cluster.local:9080"), JSON.stringify(options));
  assert.equal(await page.getAttribute("#trace-to", "list"), "trace-suggestions");
  const warn = await page.textContent(".trace-note.warn");
  assert.match(warn, /No service of the input has the hostname ratingz\.prod-us1: the call is traced to 1\.3\.3\.7/);
  assert.match(warn, /Did you mean ratings\.prod-us1\.svc\.cluster\.local\?/);
  // Markup as a host is text, and gets the same warning.
  await page.fill("#trace-to", "<img src=x onerror=alert(1)>:9080");
  await settle(page);
  assert.match(await page.textContent(".trace-note.warn"), /hostname <img src=x onerror=alert\(1\)>/);
  assert.equal(await page.$("img[src=x]"), null);
  // A service of the input: no warning, and the note says which address it used.
  await page.fill("#trace-to", "ratings.prod-us1:9080");
  await settle(page);
  assert.equal(await page.$(".trace-note.warn"), null);
  assert.match(await page.textContent(".trace-note"), /ratings\.prod-us1\.svc\.cluster\.local/);
  // The example's comment and its trace agree: cache:6379 leaves through PassthroughCluster.
  assert.match(exampleText("ratings-uds"), /PassthroughCluster/);
  await page.fill("#trace-to", "cache.prod-us1:6379");
  await settle(page);
  assert.match(await page.textContent(".trace-summary"), /PassthroughCluster/);
  assert.deepEqual(page.problems(), []);
  await ctx.close();
});

test("a misspelled kind: did you mean Sidecar", async () => {
  const ctx = await newContext();
  const page = await openPage(ctx, `${base}/#${fragmentFor({ text: INVALID.replace("kind: Sidecar", "kind: SideCar") })}`);
  await settle(page);
  const found = await problems(page);
  const ignored = found.find((p) => p.label.startsWith("info SC0004"));
  assert.ok(ignored, JSON.stringify(found));
  assert.match(ignored.text, /did you mean Sidecar\? Kinds are case-sensitive/);
  assert.deepEqual(page.problems(), []);
  await ctx.close();
});

test("smaller: editor=0 embeds link nothing to the editor; a bad interception in a link; New resets the trace form", async () => {
  const ctx = await newContext();
  const embed = await openPage(ctx, `${base}/?embed=1&editor=0&example=ratings-uds&panels=effective,listeners`, { waitReady: false });
  await embed.waitForFunction(() => /checked in/.test(document.querySelector(".status-text")?.textContent || ""));
  await settle(embed);
  assert.equal(await embed.$$eval("button[data-from]", (b) => b.filter((e) => e.offsetParent !== null).length), 0, "no visible button selects in an editor that is not there");
  assert.equal(await embed.isVisible("text=Show in editor"), false);
  await embed.click("#tab-listeners");
  await settle(embed);
  assert.equal(await embed.$$eval("button[data-from]", (b) => b.filter((e) => e.offsetParent !== null).length), 0);

  const custom = { namespace: "prod-us1", labels: "app=ratings", ip: "", interception: "BOGUS" };
  const link = await openPage(ctx, `${base}/#${fragmentFor({ text: exampleText("ratings-uds"), panel: "effective", proxy: { custom } })}`);
  await settle(link);
  assert.equal(await link.inputValue("[data-field=interception]"), "REDIRECT");

  const page = await openPage(ctx, `${base}/#${fragmentFor({ text: exampleText("ratings-uds"), panel: "trace", trace: { to: "reviews.prod-us1:9080", protocol: "TCP" } })}`);
  await settle(page);
  assert.equal(await page.inputValue("#trace-to"), "reviews.prod-us1:9080");
  await page.click("button:has-text('New')");
  await settle(page);
  assert.equal(await page.inputValue("#trace-to"), "");
  assert.equal(await page.inputValue("#trace-protocol"), "HTTP");
  assert.deepEqual([...embed.problems(), ...link.problems(), ...page.problems()], []);
  await ctx.close();
});
