//! Effective config: the proxy picker (a workload of the input, or a proxy described by hand)
//! and what `sidecarscope::resolve` computes for it: the Sidecar that applies and why, each
//! egress listener with the services it imports and the host pattern that matched, ingress,
//! the outbound traffic policy and inbound connection pools with where they come from, and
//! the raw JSON.

use leptos::prelude::*;
use sidecarscope::resolve::{EgressListener, PortInfo};
use sidecarscope::Resolution;

use super::code_spans;
use crate::analysis::Effective;
use crate::app::{with_editor, AppState};
use crate::share::CustomProxy;

const CUSTOM: &str = "__custom";

#[component]
pub fn EffectivePanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <div class="effective">
            <ProxyPicker/>
            {move || state.analysis.with(|a| match &a.effective {
                Some(e) => resolution_view(e).into_any(),
                None if a.resources == 0 => view! {
                    <p class="empty">"Nothing to resolve yet: paste resources or pick an example."</p>
                }.into_any(),
                None => view! {
                    <p class="empty">"The input has no workload (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet or WorkloadEntry). Describe a proxy with \u{201c}Custom proxy\u{201d} to see its configuration."</p>
                }.into_any(),
            })}
        </div>
    }
}

#[component]
fn ProxyPicker() -> impl IntoView {
    let state = expect_context::<AppState>();
    let is_custom = move || state.proxy.with(|p| p.custom.is_some());
    let on_pick = move |ev: leptos::ev::Event| {
        let v = event_target_value(&ev);
        state.proxy.update(|p| {
            if v == CUSTOM {
                // Start from the proxy shown so far.
                let base = state.analysis.with_untracked(|a| a.effective.as_ref().map(|e| e.resolution.proxy.clone()));
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
                    let chosen = state.proxy.with(|p| if p.custom.is_some() { CUSTOM.to_string() } else { p.workload.clone() });
                    state.analysis.with(|a| {
                        let shown = a.effective.as_ref().and_then(|e| e.workload.clone()).unwrap_or_default();
                        let chosen = if chosen == CUSTOM { chosen } else { shown };
                        a.workloads.iter().map(|w| {
                            let selected = w.key == chosen;
                            view! { <option value=w.key.clone() selected=selected>{w.key.replacen('/', " ", 1)}</option> }
                        }).collect_view()
                    })
                }}
                <option value=CUSTOM selected=is_custom>"Custom proxy\u{2026}"</option>
            </select>
            {move || state.analysis.with(|a| {
                let e = a.effective.as_ref()?;
                let key = e.workload.as_ref()?;
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

fn resolution_view(e: &Effective) -> impl IntoView {
    let r = &e.resolution;
    let json = serde_json::to_string_pretty(r).unwrap_or_default();
    view! {
        <section class="card" aria-labelledby="eff-sidecar">
            <h3 id="eff-sidecar">"Sidecar"</h3>
            <p class="eff-line">
                <span class="eff-main">{match &r.sidecar {
                    Some(s) => format!("{}/{}", s.namespace, s.name),
                    None => "none: Istio's default scope".to_string(),
                }}</span>
                {e.sidecar_range.map(|(from, to)| view! {
                    <button type="button" class="link-button" on:click=move |_| { with_editor(|e| e.select(from, to)); }>"Show in editor"</button>
                })}
            </p>
            <p class="why">{code_spans(&r.selection.reason)}</p>
            <p class="eff-meta">{format!("proxy: namespace {}{}{}", r.proxy.namespace, labels_text(r), ip_text(r))}</p>
        </section>
        <section class="card" aria-labelledby="eff-egress">
            <h3 id="eff-egress">"Egress listeners"</h3>
            {r.egress.iter().enumerate().map(|(i, l)| egress_view(i, l)).collect_view()}
        </section>
        <section class="card" aria-labelledby="eff-outbound">
            <h3 id="eff-outbound">"Outbound traffic policy"</h3>
            <p class="eff-main">{r.outbound_traffic_policy.mode.clone()}</p>
            <p class="why">{r.outbound_traffic_policy.source.clone()}</p>
        </section>
        <section class="card" aria-labelledby="eff-ingress">
            <h3 id="eff-ingress">"Inbound ports"</h3>
            {if r.ingress.is_empty() {
                view! { <p class="why">"No inbound port: no Service selects this proxy and the Sidecar has no ingress."</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap"><table>
                        <thead><tr><th scope="col">"Port"</th><th scope="col">"Protocol"</th><th scope="col">"Forwarded to"</th><th scope="col">"From"</th></tr></thead>
                        <tbody>
                            {r.ingress.iter().map(|p| view! {
                                <tr>
                                    <td class="mono nowrap">{format!("{}{}", p.bind.as_ref().map(|b| format!("{b}:")).unwrap_or_default(), p.port)}</td>
                                    <td>{p.protocol}</td>
                                    <td class="mono">{p.default_endpoint.clone().filter(|d| !d.is_empty()).unwrap_or_else(|| "original destination".into())}</td>
                                    <td>{p.source.clone()}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table></div>
                }.into_any()
            }}
            {(!r.inbound_connection_pool.is_empty()).then(|| view! {
                <h4>"Inbound connection pools"</h4>
                <ul class="plain">
                    {r.inbound_connection_pool.iter().map(|(port, c)| view! {
                        <li>
                            <span class="mono">{format!("port {port}: ")}</span>
                            <span class="why">{c.source.clone()}</span>
                            {(!c.settings.is_empty()).then(|| view! { <pre class="settings">{serde_json::to_string_pretty(&c.settings).unwrap_or_default()}</pre> })}
                        </li>
                    }).collect_view()}
                </ul>
            })}
        </section>
        {(!r.destination_rules.is_empty()).then(|| view! {
            <section class="card" aria-labelledby="eff-rules">
                <h3 id="eff-rules">"DestinationRules for outbound traffic"</h3>
                <ul class="plain rules">
                    {r.destination_rules.iter().map(|d| view! {
                        <li>
                            <span class="mono">{format!("{} \u{2192} {}", d.host, d.rule)}</span>
                            <span class="why">{code_spans(&d.reason)}</span>
                        </li>
                    }).collect_view()}
                </ul>
            </section>
        })}
        {(!r.notes.is_empty()).then(|| view! {
            <section class="card" aria-labelledby="eff-notes">
                <h3 id="eff-notes">"Notes"</h3>
                <ul class="notes">{r.notes.iter().map(|n| view! { <li>{code_spans(n)}</li> }).collect_view()}</ul>
            </section>
        })}
        <details class="card raw">
            <summary>"Raw JSON"</summary>
            <pre class="json">{json}</pre>
        </details>
    }
}

fn egress_view(i: usize, l: &EgressListener) -> impl IntoView {
    let title = match l.port {
        Some(port) => format!(
            "{}. port {port}{}{}",
            i + 1,
            l.protocol.as_ref().map(|p| format!(" {p}")).unwrap_or_default(),
            l.name.as_ref().map(|n| format!(" ({n})")).unwrap_or_default()
        ),
        None => format!("{}. catch-all{}", i + 1, if l.implicit { " (implicit)" } else { "" }),
    };
    let mut meta = Vec::new();
    if let Some(b) = &l.bind {
        meta.push(format!("bind {b}"));
    }
    if l.capture_mode != "DEFAULT" {
        meta.push(format!("captureMode {}", l.capture_mode));
    }
    view! {
        <div class="listener">
            <div class="listener-head">
                <span class="listener-title">{title}</span>
                <span class="eff-meta">{meta.join(" \u{b7} ")}</span>
            </div>
            <div class="hosts" aria-label="hosts">
                {l.hosts.iter().map(|h| view! { <code class="chip">{h.clone()}</code> }).collect_view()}
            </div>
            {if l.services.is_empty() {
                view! { <p class="why">"Imports no service."</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap"><table>
                        <thead><tr><th scope="col">"Service"</th><th scope="col">"Ports"</th><th scope="col">"Matched by"</th></tr></thead>
                        <tbody>
                            {l.services.iter().map(|s| view! {
                                <tr>
                                    <td class="mono">{s.hostname.clone()}</td>
                                    <td class="mono nowrap">{ports_text(&s.ports)}</td>
                                    <td class="mono">{s.matched_by.clone()}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table></div>
                }.into_any()
            }}
            {(!l.unused_hosts.is_empty()).then(|| view! {
                <ul class="plain unused">
                    {l.unused_hosts.iter().map(|u| view! { <li><code>{u.host.clone()}</code>" imports nothing: "{code_spans(&u.reason)}</li> }).collect_view()}
                </ul>
            })}
            {(!l.shadowed.is_empty()).then(|| view! {
                <ul class="plain unused">
                    {l.shadowed.iter().map(|s| view! { <li><code>{format!("{} ({})", s.hostname, s.namespace)}</code>{format!(" not imported: {}", s.reason)}</li> }).collect_view()}
                </ul>
            })}
        </div>
    }
}

fn ports_text(ports: &[PortInfo]) -> String {
    ports.iter().map(|p| format!("{}/{}", p.number, p.protocol)).collect::<Vec<_>>().join("\n")
}

fn labels_text(r: &Resolution) -> String {
    if r.proxy.labels.is_empty() {
        return ", no labels".into();
    }
    format!(", labels {}", r.proxy.labels.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(", "))
}

fn ip_text(r: &Resolution) -> String {
    let mut s = r.proxy.ip.as_ref().map(|ip| format!(", IP {ip}")).unwrap_or_default();
    if let Some(m) = r.proxy.metadata.get("INTERCEPTION_MODE") {
        s.push_str(&format!(", interception {m}"));
    }
    s
}
