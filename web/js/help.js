// The editor's help (completion, hover, go to definition, quick fixes): requests to the
// deferred module running in a Web Worker (help-worker.js), started the first time it is
// needed. Each request carries the text's version; the text itself goes only when it changed.

import { deferredFiles } from "./deferred.js";

export class Help {
  constructor() {
    this.worker = null;
    this.seq = 0;
    this.pending = new Map();
    this.sentVersion = -1;
    this.failed = null;
  }

  /** Starts the worker (once). False if this build has none. */
  start() {
    if (this.worker) return true;
    const files = deferredFiles();
    if (!files) return false;
    this.files = files;
    this.worker = new Worker(files.worker, { type: "module" });
    this.worker.onmessage = (e) => {
      const { id, result, error } = e.data;
      const p = this.pending.get(id);
      if (!p) return;
      this.pending.delete(id);
      if (error !== undefined) p.reject(new Error(error));
      else p.resolve(JSON.parse(result));
    };
    this.worker.onerror = (e) => {
      const err = new Error(e.message || "the help worker failed");
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
      this.worker = null;
      this.sentVersion = -1;
    };
    return true;
  }

  /** Asks `request` about `text` (whose version is `version`) at UTF-16 offsets `from..to`;
   * resolves to the parsed JSON answer. */
  ask(request, text, version, state, from, to = from) {
    if (!this.start()) return Promise.reject(new Error("this build has no help worker"));
    const id = ++this.seq;
    const msg = { id, glue: this.files.glue, wasm: this.files.wasm, request, version, state, from, to };
    if (version !== this.sentVersion) {
      msg.text = text;
      this.sentVersion = version;
    }
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage(msg);
    });
  }
}
