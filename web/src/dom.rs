//! The small DOM builder of the whole page: the shell (`app.rs`), the results panels' bodies
//! (Problems, Effective config, Listeners, Trace) and their forms (the proxy picker, the trace
//! form). It is the page's one UI model (web/README.md, "One UI model"): no framework, no
//! reactivity; the bodies are rebuilt whole from the core's results whenever they change, and
//! building them with these few non-generic calls costs the wasm a fraction of what a framework's
//! views cost (the first load has a size budget). The rebuilt body is merged into the page
//! ([`replace`]): what stayed the same is not touched.
//!
//! Invariant: text only. Every string reaches the DOM as a text node or an attribute value,
//! never as markup.
//!
//! Events are handled once per control, panel body or form (`app.rs`, `panels::mount`, `panels::proxy`,
//! `panels::trace`): an element with `data-from`/`data-to` ([`El::selects`]) selects that UTF-16
//! range in the editor; the Listeners panel's rows toggle their details.

use wasm_bindgen::JsCast;
use web_sys::Element;

pub struct El(pub Element);

impl El {
    pub fn new(tag: &str) -> El {
        El(crate::browser::document().create_element(tag).expect("create_element"))
    }

    /// `<tag class="...">`.
    pub fn cls(tag: &str, class: &str) -> El {
        let e = El::new(tag);
        e.0.set_class_name(class);
        e
    }

    pub fn attr(self, name: &str, value: &str) -> El {
        let _ = self.0.set_attribute(name, value);
        self
    }

    /// Appends a text node.
    pub fn text(self, text: &str) -> El {
        let _ = self.0.append_with_str_1(text);
        self
    }

    pub fn child(self, child: El) -> El {
        self.push(child);
        self
    }

    pub fn push(&self, child: El) {
        let _ = self.0.append_with_node_1(&child.0);
    }

    /// Text whose `backticked` parts are code, as the core writes reasons and hints.
    pub fn code_spans(self, text: &str) -> El {
        for (i, part) in text.split('`').enumerate() {
            if i % 2 == 1 {
                self.push(El::new("code").text(part));
            } else if !part.is_empty() {
                let _ = self.0.append_with_str_1(part);
            }
        }
        self
    }

    /// Text that may wrap after `|`, `.`, `,` and `;` (cluster names, hostnames, matches), as
    /// text nodes with `<wbr>` between them.
    pub fn breakable(self, text: &str) -> El {
        let mut start = 0;
        for (i, c) in text.char_indices() {
            if matches!(c, '|' | '.' | ',' | ';') {
                let _ = self.0.append_with_str_1(&text[start..=i]);
                self.push(El::new("wbr"));
                start = i + 1;
            }
        }
        let _ = self.0.append_with_str_1(&text[start..]);
        self
    }

    /// Clicking it (or anything inside) selects `from..to` in the editor.
    pub fn selects(self, range: (u32, u32)) -> El {
        self.attr("data-from", &range.0.to_string()).attr("data-to", &range.1.to_string())
    }
}

thread_local! {
    /// The page shows no editor (`editor=0`): nothing links to it.
    pub static NO_EDITOR: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// `<button type="button" class="link-button">` that selects a range in the editor; plain text
/// when the page has no editor.
pub fn link(label: &str, range: (u32, u32)) -> El {
    if NO_EDITOR.with(|n| n.get()) {
        return El::cls("span", "mono").text(label);
    }
    El::cls("button", "link-button").attr("type", "button").text(label).selects(range)
}

/// A `<p class="...">` of text with code spans.
pub fn para(class: &str, text: &str) -> El {
    El::cls("p", class).code_spans(text)
}

/// Replaces the content of `host`, keeping what stays the same (`SidecarscopeHost.morph`).
pub fn replace(host: &Element, content: El) {
    crate::js::morph(host, &content.0);
}

/// Handles `event` on `el` for the page's lifetime (one handler per panel body or form).
pub fn listen(el: &Element, event: &str, f: impl FnMut(web_sys::Event) + 'static) {
    let h = wasm_bindgen::closure::Closure::<dyn FnMut(web_sys::Event)>::new(f).into_js_value();
    let _ = el.add_event_listener_with_callback(event, h.unchecked_ref());
}

/// Nearest element (from the event's target up) that matches `selector`.
pub fn closest(ev: &web_sys::Event, selector: &str) -> Option<Element> {
    ev.target()?.dyn_into::<Element>().ok()?.closest(selector).ok()?
}

/// Reads `data-from`/`data-to` of a link made by [`El::selects`].
pub fn range_of(el: &Element) -> Option<(u32, u32)> {
    Some((el.get_attribute("data-from")?.parse().ok()?, el.get_attribute("data-to")?.parse().ok()?))
}

/// "1 thing", "2 things".
pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
