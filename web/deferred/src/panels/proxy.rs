//! The proxy picker shared by Effective config, Listeners and Trace: a workload of the input, or
//! a proxy described by hand (namespace, labels, IP, interception mode).
//!
//! A Leptos component over the panels' state: the workloads and the choice come from the
//! target ([`crate::model::Target`]) and the proxy signal; the workloads' options are keyed (`For`), so an edit that
//! changes one workload of a mesh of hundreds touches one option. Its events are handled once,
//! on its root (`data-field` names the field).

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::Element;

use crate::Ctx;
use sidecarscope_web_common::share::CustomProxy;
use sidecarscope_web_common::ui::no_editor;

const CUSTOM: &str = "__custom";

#[component]
pub fn ProxyPicker() -> impl IntoView {
    let state = expect_context::<Ctx>();
    let keys = Memo::new(move |_| state.target.with(|a| a.workloads.iter().map(|w| w.key.clone()).collect::<Vec<_>>()));
    let chosen = Memo::new(move |_| {
        if state.proxy.with(|p| p.custom.is_some()) {
            CUSTOM.to_string()
        } else {
            state.target.with(|a| a.workload.clone().unwrap_or_default())
        }
    });
    // "Show in editor": the chosen workload's YAML (not when the page has no editor).
    let shown = Memo::new(move |_| {
        if no_editor() || state.proxy.with(|p| p.custom.is_some()) {
            return None;
        }
        state.target.with(|a| {
            let k = a.workload.as_ref()?;
            a.workloads.iter().find(|w| &w.key == k).map(|w| (w.from.to_string(), w.to.to_string()))
        })
    });
    let custom =
        move |f: fn(&CustomProxy) -> String| state.proxy.with(|p| p.custom.as_ref().map(f).unwrap_or_default());
    let input = move |label: &'static str,
                      field: &'static str,
                      placeholder: &'static str,
                      get: fn(&CustomProxy) -> String| {
        view! {
            <label>{label}<input type="text" spellcheck="false" data-field=field placeholder=placeholder prop:value=move || custom(get)/></label>
        }
    };
    let mode = move || custom(|c| if c.interception.is_empty() { "REDIRECT".into() } else { c.interception.clone() });
    let modes = ["REDIRECT", "TPROXY", "NONE"]
        .map(|m| view! { <option value=m prop:selected=move || mode() == m>{m}</option> });
    view! {
        <div class="proxy-picker" on:change=move |ev| on_change(state, &ev) on:input=move |ev| on_input(state, &ev)
            on:click=move |ev| { sidecarscope_web_common::ui::on_select(&ev); }>
            <label for="proxy-select">"Proxy"</label>
            <select id="proxy-select">
                <For each=move || keys.get() key=|k| k.clone() let:key>
                    {
                        let value = key.clone();
                        view! { <option value=key.clone() prop:selected=move || chosen.with(|c| *c == value)>{key.replacen('/', " ", 1)}</option> }
                    }
                </For>
                <option value=CUSTOM prop:selected=move || chosen.with(|c| c == CUSTOM)>"Custom proxy\u{2026}"</option>
            </select>
            // Searchable: a mesh can have hundreds of workloads; picking one of the list selects it.
            <input type="search" data-field="find" list="workload-list" aria-label="Find a workload"
                placeholder="Find a workload\u{2026}" autocomplete="off"/>
            <datalist id="workload-list">
                <For each=move || keys.get() key=|k| k.clone() let:key>
                    <option value=key.replacen('/', " ", 1)></option>
                </For>
            </datalist>
            <button class="link-button" type="button" hidden=move || shown.with(Option::is_none)
                data-from=move || shown.get().map(|s| s.0) data-to=move || shown.get().map(|s| s.1)>"Show in editor"</button>
            <div class="custom-proxy" hidden=move || state.proxy.with(|p| p.custom.is_none())>
                {input("Namespace", "namespace", "default", |c| c.namespace.clone())}
                {input("Labels", "labels", "app=ratings, version=v1", |c| c.labels.clone())}
                {input("IP", "ip", "10.1.1.7", |c| c.ip.clone())}
                <label>"Interception"
                    <select data-field="interception">{modes}</select>
                </label>
            </div>
            <Settings/>
        </div>
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
#[component]
fn Settings() -> impl IntoView {
    let state = expect_context::<Ctx>();
    let field = move |label: &'static str,
                      field: &'static str,
                      placeholder: &'static str,
                      doc: &'static [(&'static str, &'static str)]| {
        let dl = doc.iter().map(|(k, d)| view! { <dt><code>{*k}</code></dt><dd>{*d}</dd> }).collect_view();
        let value =
            move || state.proxy.with(|p| if field == "metadata" { p.metadata.clone() } else { p.istiod.clone() });
        view! {
            <div class="setting">
                <label>{label}<input type="text" spellcheck="false" autocomplete="off" data-field=field placeholder=placeholder prop:value=value/></label>
                <dl class="flag-docs">{dl}</dl>
            </div>
        }
    };
    view! {
        <details class="proxy-settings">
            <summary>"Proxy metadata and istiod flags"</summary>
            <p class="eff-meta">"KEY=VALUE pairs, separated by commas; they are kept in share links."</p>
            {field("Proxy metadata", "metadata", "UNPRIVILEGED_POD=true, HTTP_PROXY_PORT=15080", METADATA_DOC)}
            {field("istiod flags", "istiod", "ENABLE_TLS_ON_SIDECAR_INGRESS=true", ISTIOD_DOC)}
        </details>
    }
}

/// The value of the event's target, and its `data-field` (or id).
fn target(ev: &web_sys::Event) -> Option<(String, String)> {
    let el: Element = ev.target()?.dyn_into().ok()?;
    let value = js_sys::Reflect::get(&el, &"value".into()).ok()?.as_string()?;
    let field = el.get_attribute("data-field").unwrap_or_else(|| el.id());
    Some((field, value))
}

fn on_change(state: Ctx, ev: &web_sys::Event) {
    let Some((field, v)) = target(ev) else { return };
    match field.as_str() {
        "proxy-select" => {
            state.proxy.update(|p| {
                if v == CUSTOM {
                    // Start from the proxy shown so far.
                    let base = state.target.with_untracked(|a| a.proxy.clone());
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

fn on_input(state: Ctx, ev: &web_sys::Event) {
    let Some((field, v)) = target(ev) else { return };
    match field.as_str() {
        "namespace" => edit(state, |c| c.namespace = v),
        "labels" => edit(state, |c| c.labels = v),
        "ip" => edit(state, |c| c.ip = v),
        "find" => {
            // A workload picked from the list (shown as "Kind namespace/name").
            let key = v.replacen(' ', "/", 1);
            if state.target.with_untracked(|a| a.workloads.iter().any(|w| w.key == key)) {
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

fn edit(state: Ctx, f: impl FnOnce(&mut CustomProxy)) {
    state.proxy.update(|p| {
        if let Some(c) = &mut p.custom {
            f(c);
        }
    });
    state.recompute();
}
