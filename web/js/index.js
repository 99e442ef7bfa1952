// The playground's JavaScript side, as the Rust app calls it through wasm-bindgen
// (web/common/src/js.rs). Bundled by esbuild (web/js/build.mjs) into one classic script that defines
// `window.SidecarscopeEditor` and `window.SidecarscopeHost` before the wasm starts:
//   editor.js     the CodeMirror editor (one per page);
//   scheduler.js  when the core runs: edits coalesced into runs, a slow run's tasks, timing marks;
//   host.js       the rest of the browser: clipboard, download, the embed API, DEFLATE;
//   deferred.js     the proxy panels' wasm module, loaded on first use.
// Both wasm modules (the shell, web/src, and the proxy panels, web/deferred) call these globals.
import { EditorHandle } from "./editor.js";
import { markResults, phase } from "./scheduler.js";
import { host } from "./host.js";
import { loadDeferred, deferredModule } from "./deferred.js";

window.SidecarscopeEditor = {
  /** The editor on the page (for the browser tests and the console). */
  active: null,
  create(parent, text, readOnly, onChange) {
    this.active = new EditorHandle(parent, text, readOnly, onChange);
    return this.active;
  },
  /** Selects a UTF-16 range of the editor's text (the panels' "Show in editor" links). */
  select(from, to) {
    this.active?.select(from, to);
  },
};

window.SidecarscopeHost = {
  ...host,
  markResults,
  phase,
  loadDeferred,
  /** True once the deferred module is loaded. */
  deferredLoaded: () => deferredModule() !== null,
  /** Shows a proxy panel in `el` (the module's `render`, web/deferred/src/lib.rs). */
  renderPanel: (el, panel, text, base, state, noEditor, callbacks) =>
    deferredModule().render(el, panel, text, base, state, noEditor, callbacks),
};
