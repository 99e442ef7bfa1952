// The playground's JavaScript side: a CodeMirror 6 editor and a few browser helpers that the
// Leptos app calls through wasm-bindgen (web/src/js.rs). Bundled by esbuild (web/js/build.mjs)
// into one classic script that defines `window.SidecarscopeEditor` and `window.SidecarscopeHost`
// before the wasm starts.
//
// Nothing here turns text into markup: diagnostics, hints and pasted YAML only ever reach the
// DOM as text (CodeMirror's own rendering, or `textContent`).

import { EditorState, Compartment } from "@codemirror/state";
import {
  EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter,
  drawSelection, highlightSpecialChars, placeholder,
} from "@codemirror/view";
import { defaultKeymap, history, historyKeymap, indentMore, indentLess } from "@codemirror/commands";
import {
  syntaxHighlighting, bracketMatching, foldGutter, foldKeymap, indentUnit,
  StreamLanguage, foldService,
} from "@codemirror/language";
import { classHighlighter, tags } from "@lezer/highlight";
// CodeMirror's legacy YAML mode (a small tokenizer) rather than @codemirror/lang-yaml (a Lezer
// grammar): 11 KB less gzipped on the first load, and the core reports YAML errors anyway.
import { yaml as yamlMode } from "@codemirror/legacy-modes/mode/yaml";
import { setDiagnostics, forEachDiagnostic, lintGutter, lintKeymap } from "@codemirror/lint";
import { search, searchKeymap, highlightSelectionMatches } from "@codemirror/search";

/** `SidecarscopeHost.postTask`'s queue. */
const tasks = [];
const taskChannel = new MessageChannel();
taskChannel.port1.onmessage = () => tasks.shift()();

/** Keys closer than this (ms) are typing that goes on; a key after a longer pause starts a run. */
const TYPING_MS = 150;

/** A core that typically takes less than this (ms) runs in the edit's own task. */
const INSTANT_MS = 8;

/** Largest text accepted from a host page (characters). */
const MAX_HOST_TEXT = 4 * 1024 * 1024;

const SEVERITIES = ["error", "warning", "info"];

/** YAML highlighting: keys as property names, `-`, `:` and brackets as punctuation. */
const yamlLanguage = StreamLanguage.define({
  ...yamlMode,
  tokenTable: { atom: tags.propertyName, meta: tags.punctuation, def: tags.meta, variable: tags.labelName },
});

/** Folding by indentation: a line folds the lines below it that are indented deeper. */
const foldByIndent = foldService.of((state, from, to) => {
  const line = state.doc.lineAt(from);
  const indent = (l) => /^\s*/.exec(l.text)[0].length;
  if (!line.text.trim() || line.text.trimStart().startsWith("#")) return null;
  const base = indent(line);
  let end = line;
  for (let n = line.number + 1; n <= state.doc.lines; n++) {
    const next = state.doc.line(n);
    if (!next.text.trim()) continue;
    // `- item` under `key:` at the same indentation still belongs to the key.
    const deeper = indent(next) > base || (indent(next) === base && /^\s*- /.test(next.text) && /:\s*$/.test(line.text));
    if (!deeper) break;
    end = next;
  }
  return end.number > line.number ? { from: to, to: end.to } : null;
});

/** Appends text to an element, with `backticked` parts as <code> (text nodes only). */
function appendCodeSpans(el, text) {
  String(text).split("`").forEach((part, i) => {
    if (i % 2 === 1) {
      const code = document.createElement("code");
      code.textContent = part;
      el.appendChild(code);
    } else if (part) {
      el.appendChild(document.createTextNode(part));
    }
  });
}

function diagnosticMessage(d) {
  // Rendered with textContent only: a message or hint can never become markup.
  return () => {
    const box = document.createElement("div");
    box.className = "sc-diag";
    const head = document.createElement("div");
    head.className = "sc-diag-message";
    appendCodeSpans(head, d.message);
    box.appendChild(head);
    if (d.hint) {
      const hint = document.createElement("div");
      hint.className = "sc-diag-hint";
      appendCodeSpans(hint, "help: " + d.hint);
      box.appendChild(hint);
    }
    return box;
  };
}

class EditorHandle {
  constructor(parent, text, readOnly, onChange) {
    this.readOnly = new Compartment();
    this.onChange = onChange;
    this.pending = false;
    /** Cancels the scheduled run, if any. */
    this.cancel = null;
    /** How long the last runs took, from the edit flushed to its results (ms). */
    this.costs = [];
    /** The last cost is the first task of a run still going on. */
    this.provisional = false;
    /** A frame's callback is running the core (`schedule`). */
    this.inFrame = false;
    this.waiters = [];
    this.lastEdit = -Infinity;
    /** When the oldest edit not yet in the results came (0: none waits). */
    this.waitingSince = 0;
    this.runStart = 0;
    /** The current run was forced by an edit waiting too long: it is not dropped. */
    this.forced = false;
    /** A run deferred until the one in progress ends (whether forced), or null. */
    this.next = null;
    this.work = 0;
    this.measuring = false;
    /** Tab indents (true) or moves the focus on (false): false while the editor was reached by
     * the keyboard and nothing was typed yet, and after Escape; a click or a typed key sets it. */
    this.tabIndents = false;
    let pointer = false;
    const self = this;
    // Tab reaches the editor and leaves it again untouched; typing or a click makes it indent.
    const tabKeys = [
      { key: "Tab", run: (v) => self.tabIndents && indentMore(v), shift: (v) => self.tabIndents && indentLess(v) },
      { key: "Escape", run: () => ((self.tabIndents = false), false) },
    ];
    const focusKeys = EditorView.domEventHandlers({
      pointerdown() {
        pointer = true;
        self.tabIndents = true;
      },
      focus() {
        if (!pointer) self.tabIndents = false;
      },
      blur() {
        pointer = false;
      },
      keydown(e) {
        if (!["Tab", "Escape", "Shift", "Control", "Alt", "Meta"].includes(e.key)) self.tabIndents = true;
      },
    });
    const state = EditorState.create({
      doc: text,
      extensions: [
        lineNumbers(),
        foldGutter(),
        lintGutter(),
        highlightSpecialChars(),
        history(),
        drawSelection(),
        indentUnit.of("  "),
        EditorState.tabSize.of(2),
        yamlLanguage,
        foldByIndent,
        syntaxHighlighting(classHighlighter),
        bracketMatching(),
        highlightActiveLine(),
        highlightActiveLineGutter(),
        highlightSelectionMatches(),
        search({ top: true }),
        placeholder("Paste Sidecars, Services and workloads here, or pick an example"),
        focusKeys,
        keymap.of([...tabKeys, ...defaultKeymap, ...searchKeymap, ...historyKeymap, ...foldKeymap, ...lintKeymap]),
        this.readOnly.of(readOnlyExtensions(readOnly)),
        // tabindex: the editor's scroller then has focusable content in axe-core's eyes too
        // (a contenteditable without it does not count for its scrollable-region rule).
        EditorView.contentAttributes.of({ "aria-label": "Input YAML", "aria-describedby": "editor-help", tabindex: "0" }),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) self.schedule();
        }),
      ],
    });
    this.view = new EditorView({ state, parent });
  }

  // Coalesces edits into runs of the core (`onChange`).
  // A fast core (the median of the last runs under `INSTANT_MS`: the seed examples) runs at the
  // end of the edit's task, so the edit and its results are painted in one frame; one within a
  // frame's budget runs once per frame, just before it is painted. A slow one (a large mesh: a
  // run takes several tasks, `beginWork`, the load alone in 8 ms slices) must not come between
  // keys and their frames:
  //  - the first edit after a pause in typing starts a run right after its own frame is
  //    painted: a single change shows its results as soon as the core can give them. The price:
  //    when it is the first key of a fast burst, the second key waits for the task of the run
  //    that is going on (waiting 50 ms for a second key before starting was measured: every edit
  //    pays the wait, and keys did not clearly gain);
  //  - an edit while typing goes on waits for a pause as long as a run, and what is left of the
  //    run it interrupts is dropped (`stale()`), so a key waits for one task of the core at most;
  //  - but an edit that has waited half a second forces a run that is not dropped: results
  //    still follow continuous typing.
  schedule() {
    const now = performance.now();
    const quiet = now - this.lastEdit;
    this.lastEdit = now;
    const idle = !this.pending && !this.work;
    if (!this.pending) {
      performance.mark("sc:edit");
      this.measuring = true;
    }
    if (!this.waitingSince) this.waitingSince = now;
    this.pending = true;
    const cost = this.typicalCost();
    if (cost <= INSTANT_MS) {
      // At the end of this task, before the edit's frame: the edit and its results show in one.
      if (!this.cancel) {
        let live = true;
        queueMicrotask(() => live && this.flush(false));
        this.cancel = () => (live = false);
      }
      return;
    }
    if (cost <= 16) {
      if (!this.cancel) {
        const id = requestAnimationFrame(() => {
          this.inFrame = true;
          this.flush(false);
          this.inFrame = false;
        });
        this.cancel = () => cancelAnimationFrame(id);
      }
      return;
    }
    this.cancel?.();
    if (idle && quiet >= TYPING_MS) {
      // After this frame: a task queued by the frame's own callback runs once it is painted.
      let timer = 0;
      const id = requestAnimationFrame(() => (timer = setTimeout(() => this.flush(false), 0)));
      this.cancel = () => (cancelAnimationFrame(id), clearTimeout(timer));
      return;
    }
    const forced = now - this.waitingSince >= 500;
    const timer = setTimeout(() => this.flush(forced), forced ? 0 : Math.min(300, Math.max(50, cost)));
    this.cancel = () => clearTimeout(timer);
  }

  /** The run in progress is for an older text and may be dropped: the app asks between tasks. */
  stale() {
    return this.pending && !this.forced;
  }

  /** The median of the last runs (the largest while there are fewer than three). */
  typicalCost() {
    if (this.costs.length < 3) return Math.max(0, ...this.costs);
    const sorted = [...this.costs].sort((a, b) => a - b);
    return sorted[sorted.length >> 1];
  }

  /** Resolves once the results of every edit so far are computed (for tests and tools). */
  idle() {
    if (!this.pending && !this.work) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** The app finishes this edit's results in later tasks (a large input); see `endWork`. */
  beginWork() {
    this.work++;
  }

  endWork() {
    this.work = Math.max(0, this.work - 1);
    if (this.work) return;
    const next = this.next;
    this.next = null;
    if (!this.pending) {
      this.finished();
    } else if (next !== null && !this.cancel) {
      // The run deferred by `flush`, unless a newer edit scheduled its own since.
      const timer = setTimeout(() => this.flush(next), 0);
      this.cancel = () => clearTimeout(timer);
    }
  }

  flush(forced) {
    this.cancel = null;
    if (!this.pending) return;
    if (this.work) {
      // A run is in progress (its rest dropped if stale): this one starts when it ends.
      this.next = forced || this.next === true;
      return;
    }
    this.pending = false;
    this.forced = forced;
    // A forced run is never dropped: the edits so far no longer wait.
    if (forced) this.waitingSince = 0;
    this.runStart = performance.now();
    this.onChange(this.view.state.doc.toString());
    if (!this.work) {
      this.finished();
      return;
    }
    // The app goes on in later tasks: the core is slow. Until the run ends (it may be dropped),
    // its first task stands for its cost.
    this.record(performance.now() - this.runStart);
    this.provisional = true;
  }

  record(cost) {
    if (this.provisional) this.costs.pop();
    this.provisional = false;
    this.costs.push(cost);
    if (this.costs.length > 5) this.costs.shift();
  }

  /** The results of the latest edit are computed: timing marks, and `idle()` resolves. */
  finished() {
    if (this.runStart) {
      this.record(performance.now() - this.runStart);
      this.runStart = 0;
    }
    this.waitingSince = 0;
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((resolve) => resolve());
    // Only edits are measured (not the first text, nor a proxy picked in a panel).
    if (!this.measuring) return;
    this.measuring = false;
    performance.measure("sc:edit-to-results", "sc:edit");
    // The panels' DOM updates follow in microtasks, the next frame is painted, then the measure
    // (a task queued by a frame's callback runs once that frame is painted).
    const measure = () => setTimeout(() => performance.measure("sc:edit-to-paint", "sc:edit"), 0);
    if (this.inFrame) measure();
    else requestAnimationFrame(measure);
  }

  getText() {
    return this.view.state.doc.toString();
  }

  /** Replaces the whole text as one undoable change. */
  setText(text) {
    this.view.dispatch({
      changes: { from: 0, to: this.view.state.doc.length, insert: text },
      selection: { anchor: 0 },
      scrollIntoView: true,
    });
  }

  /** `list`: objects {from, to, severity, message, hint, code} with UTF-16 offsets. */
  setDiagnostics(list) {
    const len = this.view.state.doc.length;
    const diags = [];
    for (const d of list) {
      const from = Math.min(Math.max(0, d.from | 0), len);
      const to = Math.min(Math.max(from, d.to | 0), len);
      diags.push({
        from,
        to,
        severity: SEVERITIES.includes(d.severity) ? d.severity : "info",
        source: String(d.code),
        message: String(d.message) + (d.hint ? "\nhelp: " + d.hint : ""),
        renderMessage: diagnosticMessage(d),
      });
    }
    // Most edits leave the findings as they were (CodeMirror has moved the old ones with the
    // text): then nothing is dispatched, which would redraw every squiggle (up to 10 ms).
    const key = (d, from, to) => `${from}:${to}:${d.severity}:${d.source}:${d.message}`;
    const now = [];
    forEachDiagnostic(this.view.state, (d, from, to) => now.push(key(d, from, to)));
    const next = diags.map((d) => key(d, d.from, d.to));
    now.sort();
    next.sort();
    if (now.length === next.length && now.every((k, i) => k === next[i])) return;
    this.view.dispatch(setDiagnostics(this.view.state, diags));
  }

  /** Selects a range, scrolls it into view (centred) and focuses the editor. */
  select(from, to) {
    const len = this.view.state.doc.length;
    const a = Math.min(Math.max(0, from | 0), len);
    const b = Math.min(Math.max(a, to | 0), len);
    this.view.dispatch({
      selection: { anchor: a, head: b },
      effects: EditorView.scrollIntoView(a, { y: "center" }),
    });
    this.view.focus();
  }

  setReadOnly(ro) {
    this.view.dispatch({ effects: this.readOnly.reconfigure(readOnlyExtensions(ro)) });
  }

  focus() {
    this.view.focus();
  }
}

function readOnlyExtensions(ro) {
  return ro ? [EditorState.readOnly.of(true), EditorView.editable.of(false)] : [];
}

/** `SidecarscopeHost.morph`: `old` (in the page) becomes like `fresh` (same tag, detached). */
function morphElement(old, fresh) {
  // A <details> the user opened stays open.
  for (const { name } of [...old.attributes]) if (!fresh.hasAttribute(name) && name !== "open") old.removeAttribute(name);
  for (const { name, value } of fresh.attributes) if (old.getAttribute(name) !== value) old.setAttribute(name, value);
  let o = old.firstChild;
  let f = fresh.firstChild;
  while (f) {
    const next = f.nextSibling;
    if (!o) {
      old.appendChild(f);
    } else if (o.nodeType === Node.TEXT_NODE && f.nodeType === Node.TEXT_NODE) {
      if (o.data !== f.data) o.data = f.data;
      o = o.nextSibling;
    } else if (o.nodeType === Node.ELEMENT_NODE && o.nodeName === f.nodeName) {
      morphElement(o, f);
      o = o.nextSibling;
    } else {
      const after = o.nextSibling;
      old.replaceChild(f, o);
      o = after;
    }
    f = next;
  }
  while (o) {
    const next = o.nextSibling;
    o.remove();
    o = next;
  }
}

window.SidecarscopeEditor = {
  /** The editor on the page (for the browser tests and the console). */
  active: null,
  create(parent, text, readOnly, onChange) {
    this.active = new EditorHandle(parent, text, readOnly, onChange);
    return this.active;
  },
};

window.SidecarscopeHost = {
  /** Copies text to the clipboard; calls done(true|false). */
  copyText(text, done) {
    const fallback = () => {
      const ta = document.createElement("textarea");
      ta.value = text;
      ta.setAttribute("readonly", "");
      ta.style.position = "fixed";
      ta.style.opacity = "0";
      document.body.appendChild(ta);
      ta.select();
      let ok = false;
      try {
        ok = document.execCommand("copy");
      } catch (_) {
        ok = false;
      }
      ta.remove();
      done(ok);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(() => done(true), fallback);
    } else {
      fallback();
    }
  },

  /** Saves text as a file, without any network request. */
  download(name, text) {
    const url = URL.createObjectURL(new Blob([text], { type: "application/yaml" }));
    const a = document.createElement("a");
    a.href = url;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  },

  /**
   * The embed API (documented in web/README.md). Only the embedding page (window.parent) is
   * listened to, and only these messages are accepted:
   *   {type: "sidecarscope:set", text: string}  -> onSet(text)
   *   {type: "sidecarscope:get"}                -> replies {type: "sidecarscope:content", text}
   * Anything else is ignored. Announces {type: "sidecarscope:ready"} to the parent once.
   */
  listenHost(onSet, getText) {
    if (window.parent === window) return;
    window.addEventListener("message", (ev) => {
      if (ev.source !== window.parent) return;
      const d = ev.data;
      if (d === null || typeof d !== "object" || Array.isArray(d)) return;
      if (d.type === "sidecarscope:set") {
        if (typeof d.text !== "string" || d.text.length > MAX_HOST_TEXT) return;
        onSet(d.text);
      } else if (d.type === "sidecarscope:get") {
        const origin = ev.origin && ev.origin !== "null" ? ev.origin : "*";
        ev.source.postMessage({ type: "sidecarscope:content", text: getText() }, origin);
      }
    });
    window.parent.postMessage({ type: "sidecarscope:ready" }, "*");
  },

  /**
   * Makes `host`'s content `content` (a panel body, rebuilt after every edit), touching only
   * what differs: most of a body stays the same from one edit to the next (or only its source
   * links move), and replacing it whole costs a style, layout and paint of all of it. Elements of
   * the same tag at the same place are kept (attributes and text brought up to date), so focus
   * and scrolling inside the body stay too. Text and attributes only, as `dom.rs` builds them.
   */
  morph(host, content) {
    const first = host.firstChild;
    if (first && first.nodeName === content.nodeName && !first.nextSibling) morphElement(first, content);
    else host.replaceChildren(content);
  },

  /** Runs `f` in a task of its own, after the tasks already queued (input first): a
   * MessageChannel message, as a chain of `setTimeout(0)` waits 4 ms per task from its fifth. */
  postTask(f) {
    tasks.push(f);
    taskChannel.port2.postMessage(0);
  },

  /** Marks that the results of the latest edit are in the DOM (for performance tests). */
  markResults() {
    performance.mark("sc:results");
  },

  /** Measures a phase of the app's work on an edit (`sc:load`, `sc:analyze`, `sc:panel`):
   * its start and its own time (a load read in several tasks counts only its slices). */
  phase(name, start, duration) {
    performance.measure("sc:" + name, { start, duration });
  },

  /** Raw DEFLATE (RFC 1951) of share links, by the browser's CompressionStream. */
  async deflateRaw(bytes) {
    const out = new Blob([bytes]).stream().pipeThrough(new CompressionStream("deflate-raw"));
    return new Uint8Array(await new Response(out).arrayBuffer());
  },

  /**
   * Inflates a share link's raw DEFLATE, reading no more than `limit` bytes (a link is untrusted:
   * a small one can inflate to gigabytes). Resolves to a Uint8Array, or to "too large" or
   * "not deflate data".
   */
  async inflateRaw(bytes, limit) {
    const reader = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate-raw")).getReader();
    const chunks = [];
    let total = 0;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        total += value.length;
        if (total > limit) {
          reader.cancel().catch(() => {});
          return "too large";
        }
        chunks.push(value);
      }
    } catch (_) {
      return "not deflate data";
    }
    const out = new Uint8Array(total);
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  },
};
