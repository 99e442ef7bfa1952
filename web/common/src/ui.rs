//! Small view helpers the panels share (Leptos views: text nodes and attributes only, never
//! markup), and the delegated click handling of panel bodies.
//!
//! Invariant: text only. Every string reaches the DOM as a text node or an attribute value
//! (Leptos escapes both); nothing here or in the panels uses `inner_html`.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::Element;

thread_local! {
    /// The page shows no editor (`editor=0`): nothing links to it.
    pub static NO_EDITOR: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// The editor is read-only (`readonly=1`): nothing offers to change the text.
    pub static READ_ONLY: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

pub fn no_editor() -> bool {
    NO_EDITOR.with(|n| n.get())
}

/// Whether the page may change the text (an editor that is not read-only).
pub fn can_edit() -> bool {
    !no_editor() && !READ_ONLY.with(|r| r.get())
}

/// Text whose `backticked` parts are code, as the core writes reasons and hints.
pub fn code_spans(text: &str) -> Vec<AnyView> {
    text.split('`')
        .enumerate()
        .filter(|(i, part)| i % 2 == 1 || !part.is_empty())
        .map(|(i, part)| {
            if i % 2 == 1 {
                view! { <code>{part.to_string()}</code> }.into_any()
            } else {
                part.to_string().into_any()
            }
        })
        .collect()
}

/// Text that may wrap after `|`, `.`, `,` and `;` (cluster names, hostnames, matches), as
/// text nodes with `<wbr>` between them.
pub fn breakable(text: &str) -> Vec<AnyView> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if matches!(c, '|' | '.' | ',' | ';') {
            out.push(text[start..=i].to_string().into_any());
            out.push(view! { <wbr/> }.into_any());
            start = i + 1;
        }
    }
    out.push(text[start..].to_string().into_any());
    out
}

/// The `data-from`/`data-to` values of an element that selects `range` in the editor when
/// clicked (the panel body's one click handler, [`on_select`], reads them).
pub fn selects(range: (u32, u32)) -> (String, String) {
    (range.0.to_string(), range.1.to_string())
}

/// `<button type="button" class="link-button">` that selects a range in the editor; plain text
/// when the page has no editor.
pub fn link(label: String, range: (u32, u32), title: Option<String>) -> AnyView {
    if no_editor() {
        return view! { <span class="mono">{label}</span> }.into_any();
    }
    let (from, to) = selects(range);
    view! { <button class="link-button" type="button" title=title data-from=from data-to=to>{label}</button> }
        .into_any()
}

/// A `<p class="...">` of text with code spans.
pub fn para(class: &'static str, text: &str) -> AnyView {
    view! { <p class=class>{code_spans(text)}</p> }.into_any()
}

/// Nearest element (from the event's target up) that matches `selector`.
pub fn closest(ev: &web_sys::Event, selector: &str) -> Option<Element> {
    ev.target()?.dyn_into::<Element>().ok()?.closest(selector).ok()?
}

/// A click on an element made with [`selects`] (or inside one) selects its range in the editor;
/// true if it was one.
pub fn on_select(ev: &web_sys::Event) -> bool {
    let Some(el) = closest(ev, "[data-from]") else { return false };
    let range = (|| Some((el.get_attribute("data-from")?.parse().ok()?, el.get_attribute("data-to")?.parse().ok()?)))();
    if let Some((from, to)) = range {
        crate::js::select_in_editor(from, to);
    }
    true
}

/// "1 thing", "2 things".
pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
