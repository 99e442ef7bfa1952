// The deferred module: what the page loads on first use, today the proxy panels (Effective
// config, Listeners, Trace): a second wasm module
// (`sidecarscope-web-deferred`, web/deferred), fetched the first time one of them opens, so that a
// first visit downloads only the shell, the editor and the mesh analysis (web/README.md, "Two
// wasm modules"). The build names its files in `<meta name="sidecarscope-deferred">`
// (web/js/deferred-build.mjs, trunk's post_build hook).

let loading = null;
let loaded = null;

/** The module, once loaded (`null` before). */
export function deferredModule() {
  return loaded;
}

/** Loads the module once; resolves to it. A failed load is tried again on the next call. */
export function loadDeferred() {
  if (!loading) {
    const meta = document.querySelector('meta[name="sidecarscope-deferred"]');
    const [glue, wasm] = (meta?.content || "").split(" ");
    if (!glue || !wasm) return Promise.reject(new Error("this build has no deferred module"));
    loading = import(new URL(glue, document.baseURI).href)
      .then(async (m) => {
        await m.default({ module_or_path: new URL(wasm, document.baseURI) });
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
