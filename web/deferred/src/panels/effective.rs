//! Effective config: what `sidecarscope::resolve` computes for the chosen proxy: the Sidecar that
//! applies and why, each egress listener with the services it imports and the host pattern that
//! matched, ingress, the outbound traffic policy and inbound connection pools with where they
//! come from, and the raw JSON.

use leptos::prelude::*;
use sidecarscope::resolve::{EgressListener, PortInfo};
use sidecarscope::Resolution;

use crate::model::{self, Model, Target};
use sidecarscope_web_common::ui::{code_spans, link, no_editor, para};

pub fn body(a: &Target, model: &Model) -> AnyView {
    let Some(proxy) = &a.proxy else { return super::no_proxy(a) };
    let e = model::effective(model, proxy);
    let r = &e.resolution;

    let main = match &r.sidecar {
        Some(s) => format!("{}/{}", s.namespace, s.name),
        None => "none: Istio's default scope".to_string(),
    };
    let show = e.sidecar_range.filter(|_| !no_editor()).map(|range| link("Show in editor".into(), range, None));
    let sidecar = card(
        "eff-sidecar",
        "Sidecar",
        view! {
            <p class="eff-line"><span class="eff-main">{main}</span>{show}</p>
            {para("why", &r.selection.reason)}
            <p class="eff-meta">{format!("proxy: namespace {}{}{}", r.proxy.namespace, labels_text(r), ip_text(r))}</p>
        }
        .into_any(),
    );

    let egress = card(
        "eff-egress",
        "Egress listeners",
        r.egress.iter().enumerate().map(|(i, l)| egress_view(i, l)).collect_view().into_any(),
    );

    let outbound = card(
        "eff-outbound",
        "Outbound traffic policy",
        view! {
            <p class="eff-main">{r.outbound_traffic_policy.mode.as_str().to_string()}</p>
            {para("why", &r.outbound_traffic_policy.source)}
        }
        .into_any(),
    );

    let ports = if r.ingress.is_empty() {
        para("why", "No inbound port: no Service selects this proxy and the Sidecar has no ingress.")
    } else {
        let rows = r.ingress.iter().map(|p| {
            let port = match &p.bind {
                Some(b) => format!("{b}:{}", p.port),
                None => p.port.to_string(),
            };
            let to =
                p.default_endpoint.clone().filter(|d| !d.is_empty()).unwrap_or_else(|| "original destination".into());
            vec![("mono nowrap", port), ("", p.protocol.to_string()), ("mono", to), ("", p.source.clone())]
        });
        table(&["Port", "Protocol", "Forwarded to", "From"], rows)
    };
    let pools = (!r.inbound_connection_pool.is_empty()).then(|| {
        let items = r
            .inbound_connection_pool
            .iter()
            .map(|(port, c)| {
                let settings = (!c.settings.is_empty())
                    .then(|| view! { <pre class="settings">{sidecarscope_web_common::json::to_string_pretty(&c.settings)}</pre> });
                view! {
                    <li><span class="mono">{format!("port {port}: ")}</span><span class="why">{c.source.clone()}</span>{settings}</li>
                }
            })
            .collect_view();
        view! { <h4>"Inbound connection pools"</h4><ul class="plain">{items}</ul> }
    });
    let ingress = card("eff-ingress", "Inbound ports", view! { {ports}{pools} }.into_any());

    let rules = (!r.destination_rules.is_empty()).then(|| {
        let items = r
            .destination_rules
            .iter()
            .map(|d| {
                view! {
                    <li><span class="mono">{format!("{} \u{2192} {}", d.host, d.rule)}</span><span class="why">{code_spans(&d.reason)}</span></li>
                }
            })
            .collect_view();
        card("eff-rules", "DestinationRules for outbound traffic", view! { <ul class="plain rules">{items}</ul> }.into_any())
    });
    let notes = (!r.notes.is_empty()).then(|| card("eff-notes", "Notes", notes(&r.notes)));
    let raw = sidecarscope_web_common::json::to_string_pretty(r);
    view! {
        <div class="effective-body">
            {sidecar}{egress}{outbound}{ingress}{rules}{notes}
            <details class="card raw"><summary>"Raw JSON"</summary><pre class="json">{raw}</pre></details>
        </div>
    }
    .into_any()
}

/// `<section class="card">` with an `<h3>` that labels it.
pub(super) fn card(id: &'static str, title: &'static str, content: AnyView) -> AnyView {
    view! { <section class="card" aria-labelledby=id><h3 id=id>{title}</h3>{content}</section> }.into_any()
}

/// A list of notes with code spans.
pub(super) fn notes(list: &[String]) -> AnyView {
    // Worded for the page: its flags are set in the proxy picker, not on a command line.
    let items =
        list.iter().map(|n| view! { <li>{code_spans(&n.replace("pass --istiod-env ", "add the istiod flag "))}</li> });
    view! { <ul class="notes">{items.collect_view()}</ul> }.into_any()
}

/// A table in a scrolling wrapper: a header row, then cells of (class, text).
pub(super) fn table(head: &[&'static str], rows: impl Iterator<Item = Vec<(&'static str, String)>>) -> AnyView {
    let th = head.iter().map(|h| view! { <th scope="col">{*h}</th> }).collect_view();
    let body = rows
        .map(|cells| {
            let tds = cells.into_iter().map(|(class, text)| view! { <td class=class>{text}</td> }).collect_view();
            view! { <tr>{tds}</tr> }
        })
        .collect_view();
    let label = head.first().copied().unwrap_or("Table");
    // Focusable: it may scroll sideways, and the keyboard must reach it.
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label=label>
            <table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>
        </div>
    }
    .into_any()
}

fn egress_view(i: usize, l: &EgressListener) -> AnyView {
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
    let hosts = l.hosts.iter().map(|h| view! { <code class="chip">{h.clone()}</code> }).collect_view();
    let services = if l.services.is_empty() {
        para("why", "Imports no service.")
    } else {
        let rows = l.services.iter().map(|s| {
            vec![("mono", s.hostname.clone()), ("mono nowrap", ports_text(&s.ports)), ("mono", s.matched_by.clone())]
        });
        table(&["Service", "Ports", "Matched by"], rows)
    };
    let unused = (!l.unused_hosts.is_empty() || !l.shadowed.is_empty()).then(|| {
        let unused = l
            .unused_hosts
            .iter()
            .map(|u| view! { <li><code>{u.host.clone()}</code>" imports nothing: "{code_spans(&u.reason)}</li> })
            .collect_view();
        let shadowed = l
            .shadowed
            .iter()
            .map(|s| {
                view! {
                    <li><code>{format!("{} ({})", s.hostname, s.namespace)}</code>{format!(" not imported: {}", s.reason)}</li>
                }
            })
            .collect_view();
        view! { <ul class="plain unused">{unused}{shadowed}</ul> }
    });
    view! {
        <div class="listener">
            <div class="listener-head">
                <span class="listener-title">{title}</span>
                <span class="eff-meta">{meta.join(" \u{b7} ")}</span>
            </div>
            <div class="hosts" aria-label="hosts">{hosts}</div>
            {services}
            {unused}
        </div>
    }
    .into_any()
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
