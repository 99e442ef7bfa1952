// The page's side of the browser: the clipboard, downloads, the embed API (postMessage with the
// host page) and DEFLATE for share links. Text only: nothing here turns a string into markup.
// The page itself is the Rust app's (Leptos components, web/src).

/** Largest text accepted from a host page (characters). */
const MAX_HOST_TEXT = 4 * 1024 * 1024;

export const host = {
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
