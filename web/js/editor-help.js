// The editor's help, as CodeMirror extensions over `Help` (help.js: the deferred module in a
// Web Worker): completion as you type, hover documentation and facts, go to definition
// (Ctrl/Cmd+click, F12), and quick fixes (buttons in the hover of a finding, Ctrl/Cmd+. at the
// cursor). Answers are computed off the main thread and only when asked (nothing runs per
// edit); one that arrives after the text changed is dropped. Nothing here turns text into markup: hover Markdown is rendered with text nodes and
// elements (`renderMarkdown`), and links are kept only when they are https.

import { autocompletion, completionKeymap } from "@codemirror/autocomplete";
import { hoverTooltip, keymap, EditorView } from "@codemirror/view";

/** CodeMirror's icon types for the core's completion kinds. */
const KIND_TYPE = { field: "property", enumValue: "enum", namespace: "namespace", host: "variable", label: "keyword", port: "constant" };

/** What a word being completed may hold (hosts, labels, ports, field names). */
const WORD = /[\w./*~-]*$/;

export function helpExtensions(handle) {
  const completion = autocompletion({
    override: [(ctx) => complete(handle, ctx)],
    activateOnTypingDelay: 100,
  });
  const hover = hoverTooltip((view, pos) => hoverAt(handle, pos), { hoverTime: 350 });
  const keys = keymap.of([
    { key: "F12", run: (v) => (goToDefinition(handle, v.state.selection.main.head), true) },
    { key: "Mod-.", run: (v) => (quickFixAt(handle, v.state.selection.main.head), true) },
    ...completionKeymap,
  ]);
  const clicks = EditorView.domEventHandlers({
    mousedown(e, view) {
      if (!(e.ctrlKey || e.metaKey) || e.button !== 0) return false;
      const pos = view.posAtCoords({ x: e.clientX, y: e.clientY });
      if (pos == null) return false;
      e.preventDefault();
      goToDefinition(handle, pos);
      return true;
    },
  });
  return [completion, hover, keys, clicks];
}

async function complete(handle, ctx) {
  const word = ctx.matchBefore(WORD);
  const before = ctx.state.sliceDoc(Math.max(0, ctx.pos - (word ? word.text.length : 0) - 2), word ? word.from : ctx.pos);
  // Typing asks only where something can be completed: a word, or the start of a value or item.
  if (!ctx.explicit && !(word && word.text) && !/(: |- )$/.test(before)) return null;
  const version = handle.version;
  let r;
  try {
    r = await handle.ask("complete", ctx.pos);
  } catch (_) {
    return null;
  }
  if (ctx.aborted || handle.version !== version || !r || !r.items || !r.items.length) return null;
  return {
    from: r.range.start.utf16,
    to: r.range.end.utf16,
    options: r.items.map((i) => ({
      label: i.label,
      detail: i.detail,
      apply: i.insert,
      type: KIND_TYPE[i.kind] || "text",
      // A field's documentation beside the list (the same Markdown as its hover).
      info: i.documentation ? () => renderMarkdown(i.documentation) : undefined,
    })),
    validFor: /^[\w./*~-]*$/,
  };
}

/** Hover: the quick fixes of the findings at `pos` (buttons), then the core's Markdown. */
async function hoverAt(handle, pos) {
  const version = handle.version;
  let h, fixes;
  try {
    [h, fixes] = await Promise.all([handle.ask("hover", pos), handle.ask("fixes", pos, pos)]);
  } catch (_) {
    return null;
  }
  if (handle.version !== version || (!h && !(fixes && fixes.length))) return null;
  // The tooltip covers the hovered word, or the finding a fix is for.
  const range = h ? h.range : fixes[0].diagnostic.range;
  return {
    pos: range.start.utf16,
    end: range.end.utf16,
    above: true,
    create: (view) => {
      const dom = document.createElement("div");
      dom.className = "sc-help";
      const seen = new Set();
      for (const f of fixes || []) {
        if (seen.has(f.title)) continue;
        seen.add(f.title);
        const b = dom.appendChild(document.createElement("button"));
        b.type = "button";
        b.className = "sc-fix";
        appendTitle(b, "Quick fix: " + f.title);
        b.onclick = () => handle.version === version && handle.applyFix(f);
      }
      if (h) dom.appendChild(renderMarkdown(h.markdown));
      return { dom };
    },
  };
}

/** A fix's title, its `code` parts as <code>. */
function appendTitle(el, text) {
  text.split("`").forEach((part, i) => {
    if (i % 2) el.appendChild(document.createElement("code")).textContent = part;
    else if (part) el.appendChild(document.createTextNode(part));
  });
}

async function goToDefinition(handle, pos) {
  const version = handle.version;
  const targets = await handle.ask("definition", pos).catch(() => null);
  if (!targets || !targets.length || handle.version !== version) return;
  const t = targets[0];
  handle.select(t.range.start.utf16, t.range.end.utf16);
}

/** Applies the first quick fix of the findings at `pos`, if there is one. */
async function quickFixAt(handle, pos) {
  const version = handle.version;
  const fixes = await handle.ask("fixes", pos, pos).catch(() => null);
  if (!fixes || !fixes.length || handle.version !== version) return;
  handle.applyFix(fixes[0]);
}

/** The core's hover Markdown (paragraphs, `- ` lists, `---` rules, `code`, **bold** and
 * [links](https://...)) as elements and text nodes. */
export function renderMarkdown(md) {
  const box = document.createElement("div");
  box.className = "sc-hover";
  for (const block of String(md).split(/\n{2,}/)) {
    if (block.trim() === "---") {
      box.appendChild(document.createElement("hr"));
      continue;
    }
    const lines = block.split("\n");
    if (lines.every((l) => l.startsWith("- "))) {
      const ul = document.createElement("ul");
      for (const l of lines) inline(ul.appendChild(document.createElement("li")), l.slice(2));
      box.appendChild(ul);
    } else {
      inline(box.appendChild(document.createElement("p")), lines.join(" "));
    }
  }
  return box;
}

function inline(el, text) {
  const re = /`([^`]+)`|\*\*([^*]+)\*\*|\[([^\]]+)\]\(([^)\s]+)\)/g;
  let last = 0;
  for (const m of text.matchAll(re)) {
    if (m.index > last) el.appendChild(document.createTextNode(text.slice(last, m.index)));
    if (m[1] !== undefined) {
      el.appendChild(document.createElement("code")).textContent = m[1];
    } else if (m[2] !== undefined) {
      el.appendChild(document.createElement("strong")).textContent = m[2];
    } else if (/^https:\/\//.test(m[4])) {
      const a = el.appendChild(document.createElement("a"));
      a.href = m[4];
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      a.textContent = m[3];
    } else {
      el.appendChild(document.createTextNode(m[3]));
    }
    last = m.index + m[0].length;
  }
  if (last < text.length) el.appendChild(document.createTextNode(text.slice(last)));
}
