// Builds the deferred module (web/deferred: Effective config, Listeners, Trace, Impact, the
// editor's help) into
// trunk's staging directory, beside the shell that trunk built: cargo (same target directory
// and flags as trunk's build of the shell; for release, its own profile, built for speed), then
// wasm-bindgen (`--target web`: an ES module the shell imports on first use, web/js/deferred.js),
// then, for release builds, `wasm-opt -O3` and terser; and the editor's help worker
// (web/js/help-worker.js), which runs the same module off the main thread. The file names carry a
// hash of their content (caches never serve a stale module), and index.html names them in
// `<meta name="sidecarscope-deferred" content="GLUE WASM WORKER">`. Run by the post_build hook
// (web/js/post-build.mjs), before the Content-Security-Policy is completed.
import { minify } from "terser";
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const WASM_OPT = join(root, "node_modules", ".bin", "wasm-opt");
const FEATURES = ["sign-ext", "mutable-globals", "bulk-memory", "nontrapping-float-to-int", "reference-types", "multivalue"].map((f) => `--enable-${f}`);
export const META = "sidecarscope-deferred";

export async function buildDeferred(dir, release) {
  const started = Date.now();
  // Release: the `playground-deferred` profile (Cargo.toml: the shell's `playground` profile at
  // opt-level 3, for the editor's help's latency; this module is not part of the first load);
  // the environment (scripts/lib/web-env.sh: std rebuilt, components erased) is trunk's.
  const profile = release ? "playground-deferred" : "dev";
  const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: ["ignore", "inherit", "inherit"] });
  run("cargo", ["build", "--target=wasm32-unknown-unknown", "--locked", "--offline", "-p", "sidecarscope-web-deferred", "--lib", "--profile", profile]);
  const built = join(root, "target", "wasm32-unknown-unknown", release ? "playground-deferred" : "debug", "sidecarscope_web_deferred.wasm");

  const tmp = mkdtempSync(join(tmpdir(), "sidecarscope-deferred-"));
  try {
    run("wasm-bindgen", ["--target", "web", "--no-typescript", "--out-dir", tmp, "--out-name", "deferred", built]);
    const wasmPath = join(tmp, "deferred_bg.wasm");
    let glue = readFileSync(join(tmp, "deferred.js"), "utf8");
    if (release) {
      run(WASM_OPT, [...FEATURES, "-O3", wasmPath, "-o", wasmPath]);
      glue = (await minify(glue, { ecma: 2020, module: true, compress: { passes: 2 }, format: { comments: false } })).code;
    }
    const wasm = readFileSync(wasmPath);
    const hash = createHash("sha256").update(wasm).update(glue).digest("hex").slice(0, 16);
    // The editor's help runs the module in a worker too (web/js/help-worker.js, an ES module).
    let worker = readFileSync(join(root, "web", "js", "help-worker.js"), "utf8");
    if (release) worker = (await minify(worker, { ecma: 2020, module: true, format: { comments: false } })).code;
    const workerHash = createHash("sha256").update(worker).digest("hex").slice(0, 16);
    const names = [
      `sidecarscope-web-deferred-${hash}.js`,
      `sidecarscope-web-deferred-${hash}_bg.wasm`,
      `sidecarscope-help-worker-${workerHash}.js`,
    ];
    writeFileSync(join(dir, names[0]), glue);
    writeFileSync(join(dir, names[1]), wasm);
    writeFileSync(join(dir, names[2]), worker);

    const htmlPath = join(dir, "index.html");
    const html = readFileSync(htmlPath, "utf8");
    const meta = `<meta name="${META}" content="${names.join(" ")}">`;
    if (html.includes(`name="${META}"`)) throw new Error(`deferred-build: index.html already names ${META}`);
    if (html.split("</head>").length !== 2) throw new Error("deferred-build: expected one </head> in index.html");
    writeFileSync(htmlPath, html.replace("</head>", `${meta}</head>`));
    console.log(`deferred-build: ${names[0]} and its wasm (${wasm.length} bytes) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
