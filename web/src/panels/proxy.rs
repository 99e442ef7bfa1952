//! The proxy picker shared by Effective config, Listeners and Trace: a workload of the input, or
//! a proxy described by hand (namespace, labels, IP, interception mode).
//!
//! Built with [`crate::dom`] once per panel and brought up to date by [`update`] after each run
//! (the workloads change with the text); its events are handled once, on its root. A `view!`
//! form of the same costs the wasm several KB more (the first load has a size budget).

use wasm_bindgen::prelude::*;
use web_sys::Element;

use crate::analysis::Analysis;
use crate::app::{with_editor, AppState};
use crate::browser::document;
use crate::dom::{self, El};
use crate::share::{CustomProxy, ProxyChoice};

const CUSTOM: &str = "__custom";

thread_local! {
    /// The picker's `<select>` and the workloads its options show.
    static SHOWN: std::cell::RefCell<Option<(Element, Vec<String>)>> = const { std::cell::RefCell::new(None) };
}

/// The picker, built and listened to, up to date with the last results.
pub fn picker(state: AppState) -> El {
    let root = El::cls("div", "proxy-picker");
    build(&root.0);
    for (event, f) in [("change", on_change as fn(AppState, &web_sys::Event)), ("input", on_input), ("click", on_click)]
    {
        dom::listen(&root.0, event, move |ev| f(state, &ev));
    }
    root
}

fn build(root: &Element) {
    let input = |label: &str, field: &str, placeholder: &str| {
        El::new("label").text(label).child(
            El::new("input")
                .attr("type", "text")
                .attr("spellcheck", "false")
                .attr("data-field", field)
                .attr("placeholder", placeholder),
        )
    };
    let interception = El::new("select").attr("data-field", "interception");
    for mode in ["REDIRECT", "TPROXY", "NONE"] {
        interception.push(El::new("option").attr("value", mode).text(mode));
    }
    let parts = [
        El::new("label").attr("for", "proxy-select").text("Proxy"),
        El::new("select").attr("id", "proxy-select"),
        // Searchable: a mesh can have hundreds of workloads; picking one of the list selects it.
        El::new("input")
            .attr("type", "search")
            .attr("data-field", "find")
            .attr("list", "workload-list")
            .attr("aria-label", "Find a workload")
            .attr("placeholder", "Find a workload\u{2026}")
            .attr("autocomplete", "off"),
        El::new("datalist").attr("id", "workload-list"),
        El::cls("button", "link-button").attr("type", "button").attr("hidden", "").text("Show in editor"),
        El::cls("div", "custom-proxy")
            .attr("hidden", "")
            .child(input("Namespace", "namespace", "default"))
            .child(input("Labels", "labels", "app=ratings, version=v1"))
            .child(input("IP", "ip", "10.1.1.7"))
            .child(El::new("label").text("Interception").child(interception)),
        settings(),
    ];
    for p in parts {
        let _ = root.append_with_node_1(&p.0);
    }
}

/// What the proxy metadata and istiod flag fields read, with the keys the core honours.
const METADATA_DOC: &[(&str, &str)] = &[
    ("INTERCEPTION_MODE", "REDIRECT (default), TPROXY or NONE: how traffic reaches the proxy"),
    ("UNPRIVILEGED_POD", "true: the proxy cannot bind ports below 1024"),
    ("HTTP_PROXY_PORT", "a port: an HTTP proxy listener on 127.0.0.1"),
    ("ENVOY_STATUS_PORT", "and ENVOY_PROMETHEUS_PORT, ENVOY_SECURE_METRICS_PORT, ENVOY_SECURE_MERGED_METRICS_PORT: ports no listener may take"),
];
const ISTIOD_DOC: &[(&str, &str)] = &[
    ("ENABLE_TLS_ON_SIDECAR_INGRESS", "false: honour a Sidecar's ingress tls"),
    (
        "PILOT_ALLOW_SIDECAR_SERVICE_INBOUND_LISTENER_MERGE",
        "false: keep the services' ports as inbound chains next to a Sidecar's ingress",
    ),
    (
        "PILOT_ENABLE_HEADLESS_FILTER_CHAIN_LISTENER",
        "false: one wildcard listener with a chain per endpoint for headless TCP ports",
    ),
    ("PILOT_HTTP10", "false: also sniff HTTP/1.0"),
    ("PILOT_ENABLE_MONGO_FILTER", "true: a mongo_proxy filter before the TCP proxy"),
    ("PILOT_ENABLE_REDIS_FILTER", "false: a redis_proxy filter instead of the TCP proxy"),
    ("PILOT_ENABLE_MYSQL_FILTER", "false: a mysql_proxy filter before the TCP proxy"),
];

/// Proxy metadata and istiod flags (the CLI's `--proxy-metadata` and `--istiod-env`), folded.
fn settings() -> El {
    let field = |label: &str, field: &str, placeholder: &str, doc: &[(&str, &str)]| {
        let dl = El::cls("dl", "flag-docs");
        for (k, d) in doc {
            dl.push(El::new("dt").child(El::new("code").text(k)));
            dl.push(El::new("dd").text(d));
        }
        El::cls("div", "setting")
            .child(
                El::new("label").text(label).child(
                    El::new("input")
                        .attr("type", "text")
                        .attr("spellcheck", "false")
                        .attr("autocomplete", "off")
                        .attr("data-field", field)
                        .attr("placeholder", placeholder),
                ),
            )
            .child(dl)
    };
    El::cls("details", "proxy-settings")
        .child(El::new("summary").text("Proxy metadata and istiod flags"))
        .child(El::cls("p", "eff-meta").text("KEY=VALUE pairs, separated by commas; they are kept in share links."))
        .child(field("Proxy metadata", "metadata", "UNPRIVILEGED_POD=true, HTTP_PROXY_PORT=15080", METADATA_DOC))
        .child(field("istiod flags", "istiod", "ENABLE_TLS_ON_SIDECAR_INGRESS=true", ISTIOD_DOC))
}

/// Brings the open panel's picker up to date: the workloads, the choice, the custom fields.
/// Only the open panel is in the page, so there is at most one picker.
pub fn update(a: &Analysis, choice: &ProxyChoice) {
    let Some(root) = document().query_selector(".proxy-picker").ok().flatten() else { return };
    let q = |sel: &str| root.query_selector(sel).ok().flatten();
    if let Some(select) = q("#proxy-select") {
        let chosen = if choice.custom.is_some() { CUSTOM } else { a.workload.as_deref().unwrap_or("") };
        // A mesh can have hundreds of workloads, and an edit changes one or none of them: only
        // the options that differ from what is shown are touched (rebuilding them all costs the
        // edit a layout of them all).
        let keys: Vec<&str> = a.workloads.iter().map(|w| w.key.as_str()).collect();
        let option = |key: &str| El::new("option").attr("value", key).text(&key.replacen('/', " ", 1)).0;
        SHOWN.with(|shown| {
            let mut shown = shown.borrow_mut();
            match shown.as_mut() {
                Some((el, old)) if *el == select => {
                    let options = select.children();
                    for (i, key) in keys.iter().enumerate() {
                        match (old.get(i), options.item(i as u32)) {
                            (Some(k), _) if k == key => {}
                            (Some(_), Some(o)) => {
                                let _ = o.set_attribute("value", key);
                                o.set_text_content(Some(&key.replacen('/', " ", 1)));
                            }
                            // Before the last option, "Custom proxy…".
                            _ => {
                                let _ = select.insert_before(
                                    &option(key),
                                    select.last_element_child().as_ref().map(|c| c.as_ref()),
                                );
                            }
                        }
                    }
                    for i in (keys.len()..old.len()).rev() {
                        if let Some(o) = options.item(i as u32) {
                            o.remove();
                        }
                    }
                }
                _ => {
                    select.set_text_content(None);
                    for key in &keys {
                        let _ = select.append_with_node_1(&option(key));
                    }
                    let _ = select
                        .append_with_node_1(&El::new("option").attr("value", CUSTOM).text("Custom proxy\u{2026}").0);
                }
            }
            if shown.as_ref().is_none_or(|(el, old)| {
                *el != select || old.len() != keys.len() || old.iter().zip(&keys).any(|(a, b)| a != b)
            }) {
                if let Some(list) = q("#workload-list") {
                    list.set_text_content(None);
                    for key in &keys {
                        let _ = list.append_with_node_1(&El::new("option").attr("value", &key.replacen('/', " ", 1)).0);
                    }
                }
            }
            *shown = Some((select.clone(), keys.iter().map(|k| k.to_string()).collect()));
        });
        set_value(&select, chosen);
    }
    if let Some(show) = q(".proxy-picker > .link-button") {
        // Not when the page has no editor (`editor=0`).
        let w = a
            .workload
            .as_ref()
            .filter(|_| choice.custom.is_none() && !dom::NO_EDITOR.with(|n| n.get()))
            .and_then(|k| a.workloads.iter().find(|w| &w.key == k));
        match w {
            Some(w) => {
                let _ = show.set_attribute("data-from", &w.from.to_string());
                let _ = show.set_attribute("data-to", &w.to.to_string());
                let _ = show.remove_attribute("hidden");
            }
            None => {
                let _ = show.set_attribute("hidden", "");
            }
        }
    }
    for (name, value) in [("metadata", &choice.metadata), ("istiod", &choice.istiod)] {
        if let Some(el) = q(&format!("[data-field={name}]")) {
            if document().active_element().as_ref() != Some(&el) {
                set_value(&el, value);
            }
        }
    }
    if let Some(form) = q(".custom-proxy") {
        match &choice.custom {
            Some(c) => {
                let _ = form.remove_attribute("hidden");
                let fields = [("namespace", &c.namespace), ("labels", &c.labels), ("ip", &c.ip)];
                for (name, value) in fields {
                    if let Some(el) = q(&format!("[data-field={name}]")) {
                        // Not under the user's caret: what they type stays as typed.
                        if document().active_element().as_ref() != Some(&el) {
                            set_value(&el, value);
                        }
                    }
                }
                if let Some(el) = q("[data-field=interception]") {
                    set_value(&el, if c.interception.is_empty() { "REDIRECT" } else { &c.interception });
                }
            }
            None => {
                let _ = form.set_attribute("hidden", "");
            }
        }
    }
}

fn set_value(el: &Element, value: &str) {
    let _ = js_sys::Reflect::set(el, &"value".into(), &value.into());
}

/// The value of the event's target, and its `data-field` (or id).
fn target(ev: &web_sys::Event) -> Option<(String, String)> {
    let el: Element = ev.target()?.dyn_into().ok()?;
    let value = js_sys::Reflect::get(&el, &"value".into()).ok()?.as_string()?;
    let field = el.get_attribute("data-field").unwrap_or_else(|| el.id());
    Some((field, value))
}

fn on_change(state: AppState, ev: &web_sys::Event) {
    let Some((field, v)) = target(ev) else { return };
    match field.as_str() {
        "proxy-select" => {
            state.proxy.update(|p| {
                if v == CUSTOM {
                    // Start from the proxy shown so far.
                    let base = state.analysis.with(|a| a.proxy.clone());
                    p.custom = Some(match base {
                        Some(b) => CustomProxy {
                            namespace: b.namespace,
                            labels: b.labels.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(", "),
                            ip: b.ip.unwrap_or_default(),
                            interception: b.metadata.get("INTERCEPTION_MODE").cloned().unwrap_or_default(),
                        },
                        None => CustomProxy::default(),
                    });
                } else {
                    p.custom = None;
                    p.workload = v;
                }
            });
            state.recompute();
        }
        "interception" => edit(state, |c| c.interception = v),
        _ => {}
    }
}

fn on_input(state: AppState, ev: &web_sys::Event) {
    let Some((field, v)) = target(ev) else { return };
    match field.as_str() {
        "namespace" => edit(state, |c| c.namespace = v),
        "labels" => edit(state, |c| c.labels = v),
        "ip" => edit(state, |c| c.ip = v),
        "find" => {
            // A workload picked from the list (shown as "Kind namespace/name").
            let key = v.replacen(' ', "/", 1);
            if state.analysis.with(|a| a.workloads.iter().any(|w| w.key == key)) {
                state.proxy.update(|p| {
                    p.custom = None;
                    p.workload = key;
                });
                state.recompute();
            }
        }
        "metadata" | "istiod" => {
            state.proxy.update(|p| if field == "metadata" { p.metadata = v } else { p.istiod = v });
            state.recompute();
        }
        _ => {}
    }
}

fn edit(state: AppState, f: impl FnOnce(&mut CustomProxy)) {
    state.proxy.update(|p| {
        if let Some(c) = &mut p.custom {
            f(c);
        }
    });
    state.recompute();
}

fn on_click(_: AppState, ev: &web_sys::Event) {
    if let Some(range) = dom::closest(ev, "[data-from]").and_then(|el| dom::range_of(&el)) {
        with_editor(|e| e.select(range.0, range.1));
    }
}
