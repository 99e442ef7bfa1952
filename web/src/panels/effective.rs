//! Effective config: what `sidecarscope::resolve` computes for the chosen proxy: the Sidecar that
//! applies and why, each egress listener with the services it imports and the host pattern that
//! matched, ingress, the outbound traffic policy and inbound connection pools with where they
//! come from, and the raw JSON.

use sidecarscope::resolve::{EgressListener, PortInfo};
use sidecarscope::Resolution;

use crate::analysis::{self, Analysis, Model};
use crate::dom::{link, para, El};

pub fn body(a: &Analysis, model: &Model) -> El {
    let Some(proxy) = &a.proxy else { return super::no_proxy(a) };
    let e = analysis::effective(model, proxy);
    let r = &e.resolution;
    let out = El::cls("div", "effective-body");

    let line = El::cls("p", "eff-line").child(El::cls("span", "eff-main").text(&match &r.sidecar {
        Some(s) => format!("{}/{}", s.namespace, s.name),
        None => "none: Istio's default scope".to_string(),
    }));
    if let Some(range) = e.sidecar_range {
        if !crate::dom::NO_EDITOR.with(|n| n.get()) {
            line.push(link("Show in editor", range));
        }
    }
    out.push(card("eff-sidecar", "Sidecar").child(line).child(para("why", &r.selection.reason)).child(
        El::cls("p", "eff-meta").text(&format!(
            "proxy: namespace {}{}{}",
            r.proxy.namespace,
            labels_text(r),
            ip_text(r)
        )),
    ));

    let egress = card("eff-egress", "Egress listeners");
    for (i, l) in r.egress.iter().enumerate() {
        egress.push(egress_view(i, l));
    }
    out.push(egress);

    out.push(
        card("eff-outbound", "Outbound traffic policy")
            .child(El::cls("p", "eff-main").text(r.outbound_traffic_policy.mode.as_str()))
            .child(para("why", &r.outbound_traffic_policy.source)),
    );

    let ingress = card("eff-ingress", "Inbound ports");
    if r.ingress.is_empty() {
        ingress.push(para("why", "No inbound port: no Service selects this proxy and the Sidecar has no ingress."));
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
        ingress.push(table(&["Port", "Protocol", "Forwarded to", "From"], rows));
    }
    if !r.inbound_connection_pool.is_empty() {
        ingress.push(El::new("h4").text("Inbound connection pools"));
        let list = El::cls("ul", "plain");
        for (port, c) in &r.inbound_connection_pool {
            let li = El::new("li")
                .child(El::cls("span", "mono").text(&format!("port {port}: ")))
                .child(El::cls("span", "why").text(&c.source));
            if !c.settings.is_empty() {
                li.push(El::cls("pre", "settings").text(&crate::json::to_string_pretty(&c.settings)));
            }
            list.push(li);
        }
        ingress.push(list);
    }
    out.push(ingress);

    if !r.destination_rules.is_empty() {
        let list = El::cls("ul", "plain rules");
        for d in r.destination_rules.iter() {
            list.push(
                El::new("li")
                    .child(El::cls("span", "mono").text(&format!("{} \u{2192} {}", d.host, d.rule)))
                    .child(El::cls("span", "why").code_spans(&d.reason)),
            );
        }
        out.push(card("eff-rules", "DestinationRules for outbound traffic").child(list));
    }
    if !r.notes.is_empty() {
        out.push(card("eff-notes", "Notes").child(notes(&r.notes)));
    }
    out.push(
        El::cls("details", "card raw")
            .child(El::new("summary").text("Raw JSON"))
            .child(El::cls("pre", "json").text(&crate::json::to_string_pretty(r))),
    );
    out
}

/// `<section class="card">` with an `<h3>` that labels it.
pub(super) fn card(id: &str, title: &str) -> El {
    El::cls("section", "card").attr("aria-labelledby", id).child(El::new("h3").attr("id", id).text(title))
}

/// A list of notes with code spans.
pub(super) fn notes(list: &[String]) -> El {
    let ul = El::cls("ul", "notes");
    for n in list {
        // Worded for the page: its flags are set in the proxy picker, not on a command line.
        ul.push(El::new("li").code_spans(&n.replace("pass --istiod-env ", "add the istiod flag ")));
    }
    ul
}

/// A table in a scrolling wrapper: a header row, then cells of (class, text).
pub(super) fn table(head: &[&str], rows: impl Iterator<Item = Vec<(&'static str, String)>>) -> El {
    let tr = El::new("tr");
    for h in head {
        tr.push(El::new("th").attr("scope", "col").text(h));
    }
    let body = El::new("tbody");
    for cells in rows {
        let tr = El::new("tr");
        for (class, text) in cells {
            tr.push(El::cls("td", class).text(&text));
        }
        body.push(tr);
    }
    // Focusable: it may scroll sideways, and the keyboard must reach it.
    El::cls("div", "table-wrap")
        .attr("tabindex", "0")
        .attr("role", "region")
        .attr("aria-label", head.first().copied().unwrap_or("Table"))
        .child(El::new("table").child(El::new("thead").child(tr)).child(body))
}

fn egress_view(i: usize, l: &EgressListener) -> El {
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
    let hosts = El::cls("div", "hosts").attr("aria-label", "hosts");
    for h in &l.hosts {
        hosts.push(El::cls("code", "chip").text(h));
    }
    let out = El::cls("div", "listener")
        .child(
            El::cls("div", "listener-head")
                .child(El::cls("span", "listener-title").text(&title))
                .child(El::cls("span", "eff-meta").text(&meta.join(" \u{b7} "))),
        )
        .child(hosts);
    if l.services.is_empty() {
        out.push(para("why", "Imports no service."));
    } else {
        let rows = l.services.iter().map(|s| {
            vec![("mono", s.hostname.clone()), ("mono nowrap", ports_text(&s.ports)), ("mono", s.matched_by.clone())]
        });
        out.push(table(&["Service", "Ports", "Matched by"], rows));
    }
    if !l.unused_hosts.is_empty() || !l.shadowed.is_empty() {
        let ul = El::cls("ul", "plain unused");
        for u in &l.unused_hosts {
            ul.push(
                El::new("li").child(El::new("code").text(&u.host)).text(" imports nothing: ").code_spans(&u.reason),
            );
        }
        for s in &l.shadowed {
            ul.push(
                El::new("li")
                    .child(El::new("code").text(&format!("{} ({})", s.hostname, s.namespace)))
                    .text(&format!(" not imported: {}", s.reason)),
            );
        }
        out.push(ul);
    }
    out
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
