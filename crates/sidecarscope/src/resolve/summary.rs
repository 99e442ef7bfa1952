//! The human-readable summary of a resolution: which Sidecar applies and why, what each egress
//! listener imports and through which host entry, the inbound ports and the outbound policy.
//! One renderer for the CLI, the wasm module and the playground.

use std::fmt::Write as _;

use super::output::{PortInfo, Settings};
use super::Resolution;
use crate::yaml::{Node, NodeKind};

/// Lists longer than this are cut, with a count of the rest (the JSON output has everything).
const MAX_LISTED: usize = 40;

fn ports_text(ports: &[PortInfo]) -> String {
    if ports.is_empty() {
        return "no ports".into();
    }
    ports.iter().map(|p| format!("{}/{}", p.number, p.protocol)).collect::<Vec<_>>().join(", ")
}

fn labels_text(labels: &crate::Labels) -> String {
    if labels.is_empty() {
        return "{}".into();
    }
    format!("{{{}}}", labels.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(", "))
}

/// A node in YAML flow style, on one line: `{http: {maxRetries: 3}}`.
fn flow(node: &Node) -> String {
    match &node.kind {
        NodeKind::Map(entries) => format!(
            "{{{}}}",
            entries
                .iter()
                .map(|e| format!("{}: {}", e.key.scalar_text().unwrap_or(""), flow(&e.value)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        NodeKind::Seq(items) => format!("[{}]", items.iter().map(flow).collect::<Vec<_>>().join(", ")),
        NodeKind::Scalar(s) => s.value.to_string(),
    }
}

fn settings_text(s: &Settings) -> String {
    if s.is_empty() {
        "Istio defaults".into()
    } else {
        flow(&s.0)
    }
}

fn more(out: &mut String, indent: &str, total: usize) {
    if total > MAX_LISTED {
        let _ = writeln!(out, "{indent}... and {} more (see --output json)", total - MAX_LISTED);
    }
}

pub fn render_text(r: &Resolution) -> String {
    let mut o = String::new();
    let p = &r.proxy;
    let _ = write!(o, "Proxy: namespace {}, labels {}", p.namespace, labels_text(&p.labels));
    if let Some(ip) = &p.ip {
        let _ = write!(o, ", IP {ip}");
    }
    if !p.metadata.is_empty() {
        let _ = write!(o, ", metadata {}", labels_text(&p.metadata));
    }
    o.push('\n');
    if let Some(w) = &r.workload {
        let _ = writeln!(o, "Workload: {} {}/{}", w.kind, w.namespace, w.name);
    }
    o.push('\n');
    match &r.sidecar {
        Some(sc) => {
            let _ = writeln!(o, "Sidecar: {}/{}", sc.namespace, sc.name);
        }
        None => o.push_str("Sidecar: none (Istio's default scope)\n"),
    }
    let _ = writeln!(o, "  why: {}", r.selection.reason);
    let otp = &r.outbound_traffic_policy;
    let _ = writeln!(o, "\nOutbound traffic policy: {}", otp.mode);
    let _ = writeln!(o, "  from: {}", otp.source);
    if let Some(ep) = &otp.egress_proxy {
        let _ = writeln!(o, "  egressProxy: {}", settings_text(ep));
    }
    match otp.mode.as_str() {
        "REGISTRY_ONLY" => o.push_str("  calls to hosts outside the services below are blocked (BlackHoleCluster)\n"),
        "ALLOW_ANY" | "ALLOW_ANY_DYNAMIC_DNS" => {
            o.push_str("  calls to unknown hosts are passed through (PassthroughCluster)\n")
        }
        _ => {}
    }

    let _ = writeln!(o, "\nEgress listeners ({}):", r.egress.len());
    for (i, l) in r.egress.iter().enumerate() {
        let head = match l.port {
            Some(port) => {
                let mut h = format!("port {port}");
                if let Some(proto) = &l.protocol {
                    let _ = write!(h, " {proto}");
                }
                if let Some(name) = &l.name {
                    let _ = write!(h, " ({name})");
                }
                h
            }
            None => "catch-all (no port)".into(),
        };
        let _ = write!(o, "  {}. {head}", i + 1);
        if let Some(bind) = &l.bind {
            let _ = write!(o, ", bind {bind}");
        }
        if l.capture_mode != "DEFAULT" {
            let _ = write!(o, ", captureMode {}", l.capture_mode);
        }
        let _ = writeln!(o, " - hosts: {}", l.hosts.join(", "));
        if l.implicit {
            o.push_str(if r.sidecar.is_some() {
                "     (implicit: the Sidecar has no egress, so Istio imports every service visible to the namespace)\n"
            } else {
                "     (implicit: no Sidecar applies, so Istio imports every service visible to the namespace)\n"
            });
        }
        if let Some(n) = l.port_filter {
            let _ = writeln!(o, "     imports only services that have port {n}, trimmed to that port");
        }
        if l.services.is_empty() {
            o.push_str("     imports no service\n");
        } else {
            let _ = writeln!(o, "     imports {} service(s):", l.services.len());
            for s in l.services.iter().take(MAX_LISTED) {
                let _ = writeln!(
                    o,
                    "       {} ({}) {}  <- {}",
                    s.hostname,
                    s.namespace,
                    ports_text(&s.ports),
                    s.matched_by
                );
            }
            more(&mut o, "       ", l.services.len());
        }
        if !l.virtual_services.is_empty() {
            let _ = writeln!(o, "     VirtualServices: {}", l.virtual_services.join(", "));
        }
        for s in &l.shadowed {
            let _ = writeln!(o, "     not imported: {} from {}: {}", s.hostname, s.namespace, s.reason);
        }
        for h in &l.unused_hosts {
            let _ = writeln!(o, "     host {} imports nothing: {}", h.host, h.reason);
        }
    }

    let _ = writeln!(
        o,
        "\nServices the proxy can reach ({}; Istio builds outbound clusters for these):",
        r.scope_services.len()
    );
    if r.scope_services.is_empty() {
        o.push_str("  none\n");
    }
    for s in r.scope_services.iter().take(MAX_LISTED) {
        let _ = writeln!(o, "  {} ({}) {}  - {}", s.hostname, s.namespace, ports_text(&s.ports), s.sources.join("; "));
    }
    more(&mut o, "  ", r.scope_services.len());

    if !r.destination_rules.is_empty() {
        let _ = writeln!(o, "\nDestinationRules ({}):", r.destination_rules.len());
        for d in r.destination_rules.iter().take(MAX_LISTED) {
            let _ = write!(o, "  {} -> {}", d.host, d.rule);
            if !d.subsets.is_empty() {
                let _ = write!(o, " (subsets {})", d.subsets.join(", "));
            }
            if !d.merged_from.is_empty() {
                let _ = write!(o, " [merged from {}]", d.merged_from.join(", "));
            }
            let _ = writeln!(o, "\n    why: {}", d.reason);
        }
        more(&mut o, "  ", r.destination_rules.len());
    }

    let _ = writeln!(o, "\nInbound ports ({}):", r.ingress.len());
    if r.ingress.is_empty() {
        o.push_str("  none\n");
    }
    for port in &r.ingress {
        let _ = write!(o, "  {} {}", port.port, port.protocol);
        if !port.name.is_empty() {
            let _ = write!(o, " ({})", port.name);
        }
        let _ = write!(o, " - {}", port.source);
        if let Some(ep) = &port.default_endpoint {
            let _ = write!(o, ", forwarded to {ep}");
        }
        o.push('\n');
        if let Some(pool) = r.inbound_connection_pool.get(&port.port) {
            let _ = writeln!(o, "    connection pool: {}", settings_text(&pool.settings));
            let _ = writeln!(o, "      from: {}", pool.source);
        }
    }

    if !r.notes.is_empty() {
        o.push_str("\nNotes:\n");
        for n in &r.notes {
            let _ = writeln!(o, "  - {n}");
        }
    }
    o
}
