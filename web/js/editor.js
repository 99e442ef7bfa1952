// The editor: CodeMirror 6 with YAML highlighting, folding by indentation, lint squiggles and
// the keyboard behaviour of web/README.md ("Keyboard"). When the core runs is the scheduler's
// (scheduler.js); the rest of the browser side is host.js; index.js puts them on `window`.
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
import { Scheduler } from "./scheduler.js";
import { Help } from "./help.js";
import { helpExtensions } from "./editor-help.js";

const SEVERITIES = ["error", "warning", "info"];
/** A pause in typing this long has the help worker read the text (`primeSoon`). */
const PRIME_PAUSE_MS = 40;

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

/** One CodeMirror view, as the app uses it (web/common/src/js.rs, `Editor`). */
export class EditorHandle {
  constructor(parent, text, readOnly, onChange) {
    this.readOnly = new Compartment();
    /** The editor's help (completion, hover, definition, quick fixes: editor-help.js), in a
     * worker started on the first edit or click. */
    this.help = new Help();
    /** Counts the text's changes: an answer about an older text is dropped. */
    this.version = 0;
    /** The state that shapes the input (the default namespace, istiod's flags), as the share
     * link's JSON: the app sets it (`setContext`). */
    this.context = () => "{}";
    /** When the core runs on the text (web/js/scheduler.js). */
    this.scheduler = new Scheduler(() => onChange(this.view.state.doc.toString()));
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
        self.help.start();
      },
      focus() {
        if (!pointer) self.tabIndents = false;
      },
      blur() {
        pointer = false;
      },
      keydown(e) {
        if (!["Tab", "Escape", "Shift", "Control", "Alt", "Meta"].includes(e.key)) {
          self.tabIndents = true;
          self.help.start();
        }
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
        helpExtensions(this),
        keymap.of([...tabKeys, ...defaultKeymap, ...searchKeymap, ...historyKeymap, ...foldKeymap, ...lintKeymap]),
        this.readOnly.of(readOnlyExtensions(readOnly)),
        // tabindex: the editor's scroller then has focusable content in axe-core's eyes too
        // (a contenteditable without it does not count for its scrollable-region rule).
        EditorView.contentAttributes.of({ "aria-label": "Input YAML", "aria-describedby": "editor-help", tabindex: "0" }),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) {
            self.version++;
            self.scheduler.schedule();
            self.primeSoon();
          }
        }),
      ],
    });
    this.view = new EditorView({ state, parent });
  }

  /** Resolves once the results of every edit so far are computed (for tests and tools). */
  idle() {
    return this.scheduler.idle();
  }

  /** Runs `f` in a task of its own as part of the current run (`Scheduler.later`). */
  later(f) {
    this.scheduler.later(f);
  }

  /** Waits for `promise` as part of the work in progress (`idle()` waits for it too), then
   * calls `f(null)` once it resolves, or `f(message)` if it fails. */
  wait(promise, f) {
    this.scheduler.beginWork();
    promise
      .then(
        () => f(null),
        (e) => f(String((e && e.message) || e)),
      )
      .finally(() => this.scheduler.endWork());
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

  /** Replaces `from..to` (UTF-16 offsets) by `text` as one undoable change, selects what was
   * inserted and scrolls to it (Suggest's "Insert into the editor"); false in a read-only editor. */
  replace(from, to, text) {
    if (this.view.state.readOnly) return false;
    const len = this.view.state.doc.length;
    from = Math.min(Math.max(0, from | 0), len);
    to = Math.min(Math.max(from, to | 0), len);
    this.view.dispatch({
      changes: { from, to, insert: text },
      selection: { anchor: from, head: from + text.length },
      scrollIntoView: true,
      userEvent: "input.insert",
    });
    this.view.focus();
    return true;
  }

  /** Once the help runs: the worker reads the text (off the main thread) so that completion and
   * hover find it read. At each run of the core's end (`setDiagnostics`), and at a pause in
   * typing (`PRIME_PAUSE_MS` without a key): completion asks 100 ms after the last key, so the
   * worker has read the text by then, while the core's run on the main thread may still be
   * going. A text already read is not read again (help.js sends only a new version). */
  primeHelp() {
    clearTimeout(this.primeTimer);
    if (this.help.worker) this.ask("prime", 0).catch(() => {});
  }

  primeSoon() {
    if (!this.help.worker) return;
    clearTimeout(this.primeTimer);
    this.primeTimer = setTimeout(() => this.primeHelp(), PRIME_PAUSE_MS);
  }

  /** Sets the state the editor's help reads the text with (`f()` returns its JSON). */
  setContext(f) {
    this.context = f;
  }

  /** Asks the editor's help about the current text (help.js). */
  ask(request, from, to = from) {
    if (this.textVersion !== this.version) {
      this.text = this.view.state.doc.toString();
      this.textVersion = this.version;
    }
    return this.help.ask(request, this.text, this.version, this.context(), from, to);
  }

  /** Applies the quick fix of the finding of `code` at `from..to` (Problems' "Fix"); calls
   * `done(true)`, or `done(false)` when none applies (the text changed, or its fixer found none). */
  fixFinding(from, to, code, done) {
    const version = this.version;
    this.ask("fixes", from, to).then(
      (fixes) => {
        const f = this.version === version && (fixes || []).find((x) => x.diagnostic.code === code && x.diagnostic.range.start.utf16 === from);
        if (f) this.applyFix(f);
        done(!!f);
      },
      () => done(false),
    );
  }

  /** Applies a quick fix's edits (against the current text) as one undoable change; nothing in a
   * read-only editor. */
  applyFix(fix) {
    if (this.view.state.readOnly) return;
    const len = this.view.state.doc.length;
    const changes = fix.edits
      .filter((e) => e.source === 0)
      .map((e) => ({ from: Math.min(e.range.start.utf16, len), to: Math.min(e.range.end.utf16, len), insert: e.newText }));
    if (changes.length) {
      // The cursor after the last edit, as editors leave it after a fix.
      const set = this.view.state.changes(changes);
      const last = changes.reduce((a, c) => (c.to >= a.to ? c : a));
      this.view.dispatch({ changes: set, selection: { anchor: set.mapPos(last.to, 1) }, userEvent: "input.fix" });
    }
    this.view.focus();
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
    this.primeHelp();
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

