// The editor's help in a Web Worker: the deferred module's `help` (web/deferred/src/help.rs)
// answers completion, hover, definition, references and quick fixes over its own workspace of
// the editor's text, off the main thread, so that typing never waits for it. A module worker,
// built into dist/ by web/js/deferred-build.mjs; web/js/help.js talks to it.
//
// Messages in: {id, glue, wasm, request, version, text?, state, from, to}: `text` only when
// `version` differs from the last one sent (the text is not copied for every request). Out:
// {id, result} (the JSON `help` returns) or {id, error}.

/** The module, loaded once: messages that arrive while it loads wait for the same load. */
let ready = null;
let text = "";

self.onmessage = async (e) => {
  const m = e.data;
  // The text this message's question is about (the last one sent, if it carries none), taken
  // now: a later message may bring another while the module loads.
  if (typeof m.text === "string") text = m.text;
  const about = text;
  if (!ready) {
    ready = import(m.glue).then(async (module) => {
      await module.default({ module_or_path: m.wasm });
      return module;
    });
    // A failed load is tried again by the next message.
    ready.catch(() => (ready = null));
  }
  try {
    const module = await ready;
    self.postMessage({ id: m.id, result: module.help(m.request, about, m.state, m.from, m.to) });
  } catch (err) {
    self.postMessage({ id: m.id, error: String((err && err.message) || err) });
  }
};
