// Playground timings of issue 8, with the app's own performance marks (web/js/editor.js:
// `sc:edit` when an edit arrives, `sc:edit-to-paint` once its results are painted):
//   - an edit to a seed example repaints within 16 ms;
//   - an edit to the medium bench mesh (crates/sidecarscope-bench gen-mesh --size medium, 20
//     namespaces x 25 services) repaints within 150 ms, and typing is not blocked meanwhile
//     (keystroke -> next frame, measured in the page); also reported: the core's own work per
//     edit (the app's phase marks `sc:load`, `sc:analyze`, `sc:panel`) and what the app adds to it.
// Run by scripts/bench (which also writes the figures to $BENCH_OUT); on its own:
//   node --test tests/browser/perf.test.mjs      (after scripts/build-web)
// The hard bounds are generous (shared machines are noisy): the figures are the result, and
// BENCH_STRICT=1 asserts the targets themselves. What the app adds to the core's work on an edit
// is asserted always (under 60 ms): it hardly depends on the machine.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { ROOT, startServer, launch, openPage, settle } from "./harness.mjs";

const STRICT = process.env.BENCH_STRICT === "1";
const figures = {};

function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { n: s.length, median: q(0.5), p95: q(0.95), max: s[s.length - 1] };
}
const show = (s) => `n=${s.n} median=${s.median.toFixed(1)}ms p95=${s.p95.toFixed(1)}ms max=${s.max.toFixed(1)}ms`;

function mediumMesh() {
  const file = process.env.MEDIUM_MESH || join(ROOT, "target", "bench", "medium.yaml");
  if (!existsSync(file)) {
    return execFileSync("cargo", ["run", "--release", "-q", "-p", "sidecarscope-bench", "--bin", "gen-mesh", "--", "--size", "medium"], {
      cwd: ROOT,
      encoding: "utf8",
      maxBuffer: 64 << 20,
    });
  }
  return readFileSync(file, "utf8");
}

let server, base, browser;

before(async () => {
  ({ server, base } = await startServer());
  browser = await launch();
});

after(async () => {
  await browser?.close();
  server?.close();
  if (process.env.BENCH_OUT) writeFileSync(process.env.BENCH_OUT, JSON.stringify(figures, null, 2) + "\n");
});

/** Puts the cursor at the end of the first line containing `needle` (through the editor:
 * CodeMirror only renders the lines in view). */
async function endOfLine(page, needle) {
  await page.evaluate((needle) => {
    const view = window.SidecarscopeEditor.active.view;
    const t = view.state.doc.toString();
    const end = t.indexOf("\n", t.indexOf(needle));
    view.dispatch({ selection: { anchor: end < 0 ? t.length : end }, scrollIntoView: true });
    view.focus();
  }, needle);
}

/** Edit-to-paint measures of `count` single edits, each typed after the previous one settled. */
async function singleEdits(page, keys) {
  await page.evaluate(() => performance.clearMeasures());
  for (const k of keys) {
    if (k === "Backspace") await page.keyboard.press(k);
    else await page.keyboard.type(k);
    await settle(page);
    // A pause between edits, as between a user's separate changes.
    await page.waitForTimeout(60);
  }
  return page.evaluate(() => {
    const d = (name) => performance.getEntriesByName(name).map((e) => e.duration);
    return { paint: d("sc:edit-to-paint"), results: d("sc:edit-to-results"), load: d("sc:load"), analyze: d("sc:analyze"), panel: d("sc:panel") };
  });
}

test("an edit to a seed example repaints within a frame", async () => {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const paint = [];
  for (const id of ["ratings-uds", "connection-pool", "namespace-override", "global-default"]) {
    const page = await openPage(ctx, `${base}/?example=${id}`);
    await endOfLine(page, "name: ");
    const m = await singleEdits(page, ["-", "x", "Backspace", "Backspace", "-", "y", "Backspace", "Backspace"]);
    paint.push(...m.paint);
    assert.deepEqual(page.problems(), []);
    await page.close();
  }
  figures.seed = stats(paint);
  console.log(`seed example, edit -> painted: ${show(figures.seed)}`);
  assert.ok(figures.seed.median < (STRICT ? 16 : 250), `median edit-to-paint ${figures.seed.median} ms`);
  await ctx.close();
});

test("an edit to the medium mesh repaints within 150 ms, and typing is not blocked", async () => {
  const text = mediumMesh();
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await openPage(ctx, `${base}/?example=ratings-uds`);
  await page.evaluate((t) => window.SidecarscopeEditor.active.setText(t), text);
  await settle(page);
  await page.waitForTimeout(300);
  const firstRun = (await page.textContent(".status-text")).replace(/.*checked in /, "");
  await endOfLine(page, "name: storefront-api");

  // Separate edits: each one's edit -> paint (what "repaints within 150 ms" is about).
  const m = await singleEdits(page, ["-", "x", "Backspace", "Backspace", "-", "y", "Backspace", "Backspace"]);
  figures.medium = stats(m.paint);
  // The core's own work per edit: its three tasks (load; analysis and squiggles; the open
  // panel), as the app measures them. What edit -> paint adds to it is the app's: waiting to
  // start, the frames painted between the tasks, the last frame.
  assert.equal(m.load.length, m.paint.length, "one run per edit");
  const core = m.load.map((l, i) => l + m.analyze[i] + (m.panel[i] ?? 0));
  figures.medium_core = stats(core);
  figures.medium_overhead = stats(m.paint.map((p, i) => p - core[i]));

  // A burst of typing: keystroke -> the next frame, measured in the page from the key's handler
  // (`typing`) and from the key event's creation (`typing_input`: a key that arrives while a task
  // of the core runs also counts the rest of that task).
  await page.evaluate(() => {
    window.__lat = [];
    window.__input = [];
    document.addEventListener(
      "keydown",
      (e) => {
        const t0 = performance.now();
        requestAnimationFrame(() => {
          window.__lat.push(performance.now() - t0);
          window.__input.push(performance.now() - e.timeStamp);
        });
      },
      true,
    );
  });
  for (const ch of "-canary-v2-edited") {
    await page.keyboard.type(ch);
    await page.waitForTimeout(40); // about 25 keys a second, a fast typist
  }
  await settle(page);
  for (let i = 0; i < 17; i++) await page.keyboard.press("Backspace", { delay: 40 });
  await settle(page);
  const lat = await page.evaluate(() => window.__lat);
  figures.typing = stats(lat);
  figures.typing_input = stats(await page.evaluate(() => window.__input));
  console.log(`medium mesh (${text.length} bytes, checked in ${firstRun} when pasted), edit -> painted: ${show(figures.medium)}`);
  console.log(`medium mesh, the core per edit (load + analysis + panel): ${show(figures.medium_core)}`);
  console.log(`medium mesh, edit -> painted minus the core: ${show(figures.medium_overhead)}`);
  console.log(`medium mesh, keystroke -> next frame while typing: ${show(figures.typing)}`);
  console.log(`medium mesh, key event created -> next frame while typing: ${show(figures.typing_input)}`);
  assert.equal((await page.evaluate(() => window.SidecarscopeEditor.active.getText())).length, text.length);
  assert.ok(figures.medium.median < (STRICT ? 150 : 1500), `median edit-to-paint ${figures.medium.median} ms`);
  // What the app adds to the core's own work (starting the run, the frames between its tasks,
  // the last paint) depends little on the machine's speed: bounded here even on a busy machine.
  // (It was about 100 ms, and up to 300, when every edit waited for a pause in typing first.)
  assert.ok(figures.medium_overhead.median < 60, `median edit-to-paint minus the core ${figures.medium_overhead.median} ms`);
  assert.ok(figures.typing.p95 < (STRICT ? 50 : 1000), `keystroke-to-frame p95 ${figures.typing.p95} ms`);
  assert.deepEqual(page.problems(), []);
  await ctx.close();
});
