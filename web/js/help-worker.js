// The editor's help in a Web Worker: the deferred module's `help` (web/deferred/src/help.rs)
// answers completion, hover, definition, references and quick fixes over its own workspace of
// the editor's text, off the main thread, so that typing never waits for it. A module worker,
// built into dist/ by web/js/deferred-build.mjs; web/js/help.js talks to it.
//
// Messages in: {id, glue, wasm, request, version, text?, state, from, to}: `text` only when
// `version` differs from the last one sent (the text is not copied for every request). Out:
// {id, result} (the JSON `help` returns) or {id, error}.

let module = null;
let text = "";

self.onmessage = async (e) => {
  const m = e.data;
  try {
    if (!module) {
      module = await import(m.glue);
      await module.default({ module_or_path: m.wasm });
    }
    if (typeof m.text === "string") text = m.text;
    self.postMessage({ id: m.id, result: module.help(m.request, text, m.state, m.from, m.to) });
  } catch (err) {
    module = null;
    self.postMessage({ id: m.id, error: String((err && err.message) || err) });
  }
};
