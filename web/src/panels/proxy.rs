//! The proxy picker shared by Effective config, Listeners and Trace: a workload of the input, or
//! a proxy described by hand (namespace, labels, IP, interception mode).

use leptos::prelude::*;

use crate::app::{with_editor, AppState};
use crate::share::CustomProxy;

const CUSTOM: &str = "__custom";

#[component]
pub fn ProxyPicker() -> impl IntoView {
    let state = expect_context::<AppState>();
    let is_custom = move || state.proxy.with(|p| p.custom.is_some());
    let on_pick = move |ev: leptos::ev::Event| {
        let v = event_target_value(&ev);
        state.proxy.update(|p| {
            if v == CUSTOM {
                // Start from the proxy shown so far.
                let base = state.analysis.with_untracked(|a| a.proxy.clone());
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
    };
    let edit = move |f: fn(&mut CustomProxy, String)| {
        move |ev: leptos::ev::Event| {
            let v = event_target_value(&ev);
            state.proxy.update(|p| {
                if let Some(c) = &mut p.custom {
                    f(c, v);
                }
            });
            state.recompute();
        }
    };
    let field = move |f: fn(&CustomProxy) -> String| move || state.proxy.with(|p| p.custom.as_ref().map(f).unwrap_or_default());
    view! {
        <div class="proxy-picker">
            <label for="proxy-select">"Proxy"</label>
            <select id="proxy-select" on:change=on_pick>
                {move || {
                    let custom = state.proxy.with(|p| p.custom.is_some());
                    state.analysis.with(|a| {
                        let shown = if custom { "" } else { a.workload.as_deref().unwrap_or("") };
                        a.workloads.iter().map(|w| {
                            view! { <option value=w.key.clone() selected=w.key == shown>{w.key.replacen('/', " ", 1)}</option> }
                        }).collect_view()
                    })
                }}
                <option value=CUSTOM selected=is_custom>"Custom proxy\u{2026}"</option>
            </select>
            {move || state.analysis.with(|a| {
                let key = a.workload.as_ref()?;
                let w = a.workloads.iter().find(|w| &w.key == key)?;
                let (from, to) = (w.from, w.to);
                Some(view! {
                    <button type="button" class="link-button" on:click=move |_| { with_editor(|e| e.select(from, to)); }>"Show in editor"</button>
                })
            })}
            <Show when=is_custom>
                <div class="custom-proxy">
                    <label>"Namespace" <input type="text" spellcheck="false" prop:value=field(|c| c.namespace.clone()) on:input=edit(|c, v| c.namespace = v) placeholder="default"/></label>
                    <label>"Labels" <input type="text" spellcheck="false" prop:value=field(|c| c.labels.clone()) on:input=edit(|c, v| c.labels = v) placeholder="app=ratings, version=v1"/></label>
                    <label>"IP" <input type="text" spellcheck="false" prop:value=field(|c| c.ip.clone()) on:input=edit(|c, v| c.ip = v) placeholder="10.1.1.7"/></label>
                    <label>"Interception"
                        <select on:change=edit(|c, v| c.interception = v) prop:value=field(|c| if c.interception.is_empty() { "REDIRECT".into() } else { c.interception.clone() })>
                            <option value="REDIRECT">"REDIRECT"</option>
                            <option value="TPROXY">"TPROXY"</option>
                            <option value="NONE">"NONE"</option>
                        </select>
                    </label>
                </div>
            </Show>
        </div>
    }
}
