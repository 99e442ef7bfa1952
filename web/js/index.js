// The playground's JavaScript side, as the Rust app calls it through wasm-bindgen
// (web/src/js.rs). Bundled by esbuild (web/js/build.mjs) into one classic script that defines
// `window.SidecarscopeEditor` and `window.SidecarscopeHost` before the wasm starts:
//   editor.js     the CodeMirror editor (one per page);
//   scheduler.js  when the core runs: edits coalesced into runs, a slow run's tasks, timing marks;
//   host.js       the rest of the browser: clipboard, download, the embed API, DOM merge, DEFLATE.
import { EditorHandle } from "./editor.js";
import { markResults, phase } from "./scheduler.js";
import { host } from "./host.js";

window.SidecarscopeEditor = {
  /** The editor on the page (for the browser tests and the console). */
  active: null,
  create(parent, text, readOnly, onChange) {
    this.active = new EditorHandle(parent, text, readOnly, onChange);
    return this.active;
  },
};

window.SidecarscopeHost = { ...host, markResults, phase };
