// The deferred module: what the page loads on first use (the panels Effective config,
// Listeners, Trace and Impact; the editor's help runs it in a worker, help.js): a second wasm
// module (`sidecarscope-web-deferred`, web/deferred), fetched the first time one of those panels
// opens, so that a first visit downloads only the shell, the editor and the mesh analysis (web/README.md, "Two
// wasm modules"). The build names its files in `<meta name="sidecarscope-deferred">`
// (web/js/deferred-build.mjs, trunk's post_build hook).

let loading = null;
let loaded = null;

/** The module, once loaded (`null` before). */
export function deferredModule() {
  return loaded;
}

/** The module's files as absolute URLs: `{glue, wasm, worker}` (the editor's help runs the
 * module in a worker too, help-worker.js), or null if the build names none. */
export function deferredFiles() {
  const meta = document.querySelector('meta[name="sidecarscope-deferred"]');
  const [glue, wasm, worker] = (meta?.content || "").split(" ");
  if (!glue || !wasm || !worker) return null;
  const url = (f) => new URL(f, document.baseURI).href;
  return { glue: url(glue), wasm: url(wasm), worker: url(worker) };
}

/** Loads the module once; resolves to it. A failed load is tried again on the next call. */
export function loadDeferred() {
  if (!loading) {
    const files = deferredFiles();
    if (!files) return Promise.reject(new Error("this build has no deferred module"));
    loading = import(files.glue)
      .then(async (m) => {
        await m.default({ module_or_path: files.wasm });
        loaded = m;
        return m;
      })
      .catch((e) => {
        loading = null;
        throw e;
      });
  }
  return loading;
}
