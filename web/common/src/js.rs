//! The JavaScript side (web/js/: the editor, its scheduler, the host API and the deferred
//! module's loader; index.js defines these globals before either wasm module starts).

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// One CodeMirror view.
    pub type Editor;

    #[wasm_bindgen(js_namespace = SidecarscopeEditor, js_name = create)]
    pub fn create_editor(
        parent: &web_sys::HtmlElement,
        text: &str,
        read_only: bool,
        on_change: &js_sys::Function,
    ) -> Editor;
    #[wasm_bindgen(method, js_name = getText)]
    pub fn get_text(this: &Editor) -> String;
    #[wasm_bindgen(method, js_name = setText)]
    pub fn set_text(this: &Editor, text: &str);
    /// Replaces UTF-16 range `from..to` by `text` as one undoable change and selects it; false
    /// (and nothing changed) in a read-only editor.
    #[wasm_bindgen(method)]
    pub fn replace(this: &Editor, from: u32, to: u32, text: &str) -> bool;
    /// `list`: `{from, to, severity, message, hint, code}` with UTF-16 offsets.
    #[wasm_bindgen(method, js_name = setDiagnostics)]
    pub fn set_diagnostics(this: &Editor, list: &js_sys::Array);
    /// Selects UTF-16 range `from..to`, scrolls to it and focuses the editor.
    #[wasm_bindgen(method)]
    pub fn select(this: &Editor, from: u32, to: u32);
    #[wasm_bindgen(method)]
    pub fn focus(this: &Editor);
    /// Calls `f` (a function) in a task of its own, as part of the run in progress (`idle()`
    /// and the timing marks wait for it), unless an edit made that run stale meanwhile
    /// (web/js/scheduler.js, `later`).
    #[wasm_bindgen(method)]
    pub fn later(this: &Editor, f: JsValue);
    /// Waits for `promise` as part of the run in progress (the editor's `idle()` waits for
    /// it), then calls `f(null)`, or `f(message)` if it failed.
    #[wasm_bindgen(method)]
    pub fn wait(this: &Editor, promise: &js_sys::Promise, f: JsValue);
    /// Applies the quick fix of the finding of `code` at UTF-16 range `from..to` (the editor's
    /// help computes it), then calls `done(true)`, or `done(false)` if none applies.
    #[wasm_bindgen(method, js_name = fixFinding)]
    pub fn fix_finding(this: &Editor, from: u32, to: u32, code: &str, done: JsValue);
    /// Sets what the editor's help reads the text with: `f()` returns the share link's JSON of
    /// the state (the default namespace, istiod's flags).
    #[wasm_bindgen(method, js_name = setContext)]
    pub fn set_context(this: &Editor, f: &js_sys::Function);
    /// Selects a UTF-16 range of the page's editor, if there is one (either module may ask).
    #[wasm_bindgen(js_namespace = SidecarscopeEditor, js_name = select)]
    pub fn select_in_editor(from: u32, to: u32);

    #[wasm_bindgen(js_namespace = SidecarscopeHost, js_name = copyText)]
    pub fn copy_text(text: &str, done: &js_sys::Function);
    #[wasm_bindgen(js_namespace = SidecarscopeHost)]
    pub fn download(name: &str, text: &str);
    /// The embed API: `on_set(text)` for `sidecarscope:set`, `get_text()` answers `sidecarscope:get`.
    #[wasm_bindgen(js_namespace = SidecarscopeHost, js_name = listenHost)]
    pub fn listen_host(on_set: &js_sys::Function, get_text: &js_sys::Function);
    #[wasm_bindgen(js_namespace = SidecarscopeHost, js_name = markResults)]
    pub fn mark_results();
    /// `performance.measure("sc:<name>")` of the core's phases: from `start` (ms), its time
    /// `ms` (a phase done in several tasks counts only its own).
    #[wasm_bindgen(js_namespace = SidecarscopeHost)]
    pub fn phase(name: &str, start: f64, ms: f64);
    /// Loads the deferred module (web/js/deferred.js), once.
    #[wasm_bindgen(js_namespace = SidecarscopeHost, js_name = loadDeferred)]
    pub fn load_deferred() -> js_sys::Promise;
    #[wasm_bindgen(js_namespace = SidecarscopeHost, js_name = deferredLoaded)]
    pub fn deferred_loaded() -> bool;
    /// The deferred module's `render` (web/deferred/src/lib.rs); only once it is loaded.
    #[wasm_bindgen(js_namespace = SidecarscopeHost, js_name = renderPanel)]
    pub fn render_panel(
        el: &web_sys::HtmlElement,
        panel: &str,
        text: &str,
        base: Option<String>,
        state: &str,
        no_editor: bool,
        callbacks: &JsValue,
    );
    /// Raw DEFLATE by the browser: a `Uint8Array`.
    #[wasm_bindgen(js_namespace = SidecarscopeHost, js_name = deflateRaw)]
    pub async fn deflate_raw(data: &[u8]) -> JsValue;
    /// Inflates raw DEFLATE up to `limit` bytes: a `Uint8Array`, or the error as a string
    /// (`"too large"`, `"not deflate data"`).
    #[wasm_bindgen(js_namespace = SidecarscopeHost, js_name = inflateRaw)]
    pub async fn inflate_raw(data: &[u8], limit: u32) -> JsValue;
}
