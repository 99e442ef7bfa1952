// Suggest in a real browser (web/deferred/src/panels/suggest.rs): traffic pasted in its Traffic
// tab, the suggestion naming the hosts that traffic needs, "Insert into the editor" as one
// undoable edit that raises no new finding, and the traffic kept by share links. Run by
// scripts/test-browser (SKIP_BUILD=1 node --test tests/browser/suggest.test.mjs reuses dist/).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, startServer, launch, openPage, editorText, problems, shot, settle } from "./harness.mjs";

const EXAMPLE = readFileSync(join(ROOT, "web", "examples", "namespace-override.yaml"), "utf8");

// frontend (prod-us1) calls catalog in prod-apis; the third line is cut short (SC0020).
const TRAFFIC = `# TYPE istio_requests_total counter
istio_requests_total{source_workload="frontend",source_workload_namespace="prod-us1",destination_service="catalog.prod-apis.svc.cluster.local"} 7
istio_requests_total{source_workload="frontend" 3
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

test("Suggest: paste traffic, read the suggestion, insert it into the editor, undo it", async () => {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await openPage(ctx, `${base}/?example=namespace-override`);
  assert.equal(await editorText(page), EXAMPLE);
  // Findings by severity and code (an edit above them moves their lines).
  const kinds = async () => (await problems(page)).map((p) => p.label.split(" at line")[0]).sort();
  const before = await kinds();

  // Without traffic, the panel says what to paste.
  await page.click("#tab-suggest");
  await page.waitForSelector(".suggest-panel .suggest .empty");
  assert.match(await page.textContent(".suggest-panel .suggest .empty"), /Traffic tab/);

  // The Traffic tab: the format it is recognised as, and the broken line with its number.
  await page.click("#suggest-tab-traffic");
  await page.fill("#suggest-traffic-text", TRAFFIC);
  await settle(page);
  await page.waitForSelector(".suggest-evidence .suggest-problem");
  assert.match(await page.textContent(".suggest-evidence .why"), /Prometheus text exposition format; 1 call/);
  const problem = await page.textContent(".suggest-evidence .suggest-problem");
  assert.match(problem, /^line 3:\d+ warning\[SC0020\]/);

  // The suggestion for the selected workload (frontend): the host its traffic needs, with the
  // traffic's line as its reason; nothing else of the old Sidecar's namespaces.
  await page.click("#suggest-tab-suggestion");
  await page.waitForSelector(".suggest-panel .impact-head.ok");
  assert.match(await page.textContent(".impact-head"), /^1 Sidecar for prod-us1\/frontend, proven: \d+ of 1 observed call traced identically/);
  const yaml = await page.textContent(".suggest-yaml");
  assert.match(yaml, /- "prod-apis\/catalog\.prod-apis\.svc\.cluster\.local"/);
  assert.match(yaml, /\(traffic:2\)/);
  assert.doesNotMatch(yaml, /istio-system\/\*/);
  assert.match(await page.textContent(".suggest-sidecar .why"), /^Replaces Sidecar prod-us1\/default/);
  assert.match(await page.textContent(".suggest .table-wrap"), /prod-us1\/frontend/);
  await shot(page, "suggest");

  // Insert: the Sidecar it supersedes is replaced, as one edit; Problems has nothing new.
  await page.click(".suggest-sidecar button:has-text('Insert into the editor')");
  await settle(page);
  const inserted = await editorText(page);
  assert.notEqual(inserted, EXAMPLE);
  assert.ok(inserted.includes(yaml), inserted);
  assert.equal(inserted.match(/kind: Sidecar/g).length, 1, inserted);
  assert.ok(inserted.endsWith(EXAMPLE.slice(EXAMPLE.indexOf("---\napiVersion: v1\nkind: Service"))), inserted);
  await page.click("#tab-problems");
  await settle(page);
  const afterInsert = await kinds();
  const added = afterInsert.filter((k, i) => afterInsert.filter((x) => x === k).length > before.filter((x) => x === k).length && afterInsert.indexOf(k) === i);
  assert.deepEqual(added, [], afterInsert.join("\n"));

  // The traffic is in the state: a share link (the fragment) reopens it in the Traffic tab.
  await page.waitForTimeout(400);
  const link = await page.evaluate(() => location.href);
  const other = await openPage(ctx, link);
  await other.click("#tab-suggest");
  await other.click("#suggest-tab-traffic");
  assert.equal(await other.inputValue("#suggest-traffic-text"), TRAFFIC);

  // Undo: the text as it was.
  await page.locator(".cm-content").focus();
  await page.keyboard.press("Control+z");
  await settle(page);
  assert.equal(await editorText(page), EXAMPLE);
  assert.deepEqual(page.problems(), []);
  assert.deepEqual(other.problems(), []);
  await ctx.close();
});
