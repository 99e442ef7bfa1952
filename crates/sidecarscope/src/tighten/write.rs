//! The suggested Sidecars as YAML (each host entry with its reasons as comments), and the
//! report as text and Markdown. JSON is the report's own serialization.

use std::fmt::Write as _;

use super::{Group, SuggestReport, Suggestion};
use crate::load::Input;
use crate::registry::Registry;

/// A YAML double-quoted scalar (JSON's escaping is YAML's).
fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// A comment on one line.
fn comment(s: &str) -> String {
    s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

/// The Sidecar of a group as YAML.
pub(super) fn sidecar_yaml(reg: &Registry, input: &Input, g: &Group) -> String {
    let mut y = String::new();
    let members: Vec<String> = g.members.iter().map(|&m| reg.workloads[m].id()).collect();
    let _ = writeln!(y, "# Suggested by `sidecarscope suggest` for {}.", comment(&members.join(", ")));
    if let Some(i) = g.replaces {
        let sc = &reg.sidecars[i];
        let (file, line) = super::needs::position(input, sc.resource);
        let _ = writeln!(y, "# Replaces Sidecar {} ({file}:{line}).", comment(&sc.id()));
    }
    let _ = writeln!(y, "apiVersion: networking.istio.io/v1");
    let _ = writeln!(y, "kind: Sidecar");
    let _ = writeln!(y, "metadata:");
    let _ = writeln!(y, "  name: {}", quote(&g.name));
    let _ = writeln!(y, "  namespace: {}", quote(&g.namespace));
    let _ = writeln!(y, "spec:");
    if let Some(sel) = &g.selector {
        let _ = writeln!(y, "  workloadSelector:");
        let _ = writeln!(y, "    labels:");
        for (k, v) in sel.iter() {
            let _ = writeln!(y, "      {}: {}", quote(k), quote(v));
        }
    }
    let _ = writeln!(y, "  egress:");
    let _ = writeln!(y, "  - hosts:");
    if g.needs.hosts.is_empty() {
        let _ = writeln!(y, "    # No call needs an import: `~/*` imports nothing.");
        let _ = writeln!(y, "    - \"~/*\"");
    }
    for (host, reasons) in &g.needs.hosts {
        for r in reasons {
            let _ = writeln!(y, "    # {} ({}:{})", comment(&r.why), comment(&r.file), r.line);
        }
        let _ = writeln!(y, "    - {}", quote(host));
    }
    if let Some(mode) = &g.outbound {
        let _ = writeln!(y, "  outboundTrafficPolicy:");
        let _ = writeln!(y, "    mode: {mode}");
    }
    y
}

pub(super) fn suggestion(reg: &Registry, input: &Input, g: &Group, workloads: Vec<String>) -> Suggestion {
    Suggestion {
        namespace: g.namespace.clone(),
        name: g.name.clone(),
        workload_selector: g.selector.as_ref().map(|s| s.iter().map(|(k, v)| (k.clone(), v.clone())).collect()),
        replaces: g.replaces.map(|i| {
            let sc = &reg.sidecars[i];
            let (file, line) = super::needs::position(input, sc.resource);
            format!("{} ({file}:{line})", sc.id())
        }),
        workloads,
        hosts: g.needs.hosts.iter().map(|(h, r)| super::HostEntry { host: h.clone(), reasons: r.clone() }).collect(),
        outbound_traffic_policy: g.outbound.clone(),
        yaml: sidecar_yaml(reg, input, g),
        replaced: g.replaces,
    }
}

/// The report as text: the suggested YAML, then what was not offered and why, the reduction,
/// and the evidence's problems (as comments, so the whole text is still YAML to apply).
pub fn render_text(r: &SuggestReport) -> String {
    let mut out = String::new();
    out.push_str(&r.yaml);
    let mut notes = String::new();
    for p in &r.problems {
        let _ =
            writeln!(notes, "{}:{}:{}: {} {}: {}", p.file, p.line, p.column, p.severity.as_str(), p.code, p.message);
    }
    for f in &r.refused {
        let _ = writeln!(notes, "not offered: Sidecar {} ({}): {}", f.sidecar, f.workloads.join(", "), f.reason);
        for c in &f.calls {
            let _ = writeln!(
                notes,
                "  {} {}{}: {} -> {}",
                c.workload,
                c.call,
                c.seen.as_deref().map(|s| format!(" ({s})")).unwrap_or_default(),
                c.before.summary,
                c.after.summary
            );
        }
    }
    for w in &r.workloads {
        let b = w.before;
        match (w.after, &w.suggested) {
            (Some(a), Some(s)) => {
                let _ = writeln!(
                    notes,
                    "{} ({}): {}/{} calls traced identically; services {} -> {}, listeners {} -> {}, clusters {} -> {}, routes {} -> {}",
                    w.workload, s, w.traced, w.calls, b.imported_services, a.imported_services, b.listeners, a.listeners,
                    b.clusters, a.clusters, b.routes, a.routes
                );
            }
            _ => {
                let _ = writeln!(notes, "{}: no suggestion", w.workload);
            }
        }
        for p in &w.passthrough {
            let _ = writeln!(
                notes,
                "  {} only works through PassthroughCluster (breaks under REGISTRY_ONLY), {}",
                p.host, p.seen
            );
        }
        for p in &w.not_imported {
            let _ = writeln!(
                notes,
                "  {} is not imported now, so the call does not reach it today; left out ({})",
                p.host, p.seen
            );
        }
    }
    for u in &r.unattributed {
        let _ = writeln!(notes, "call to {} not counted: {}", u.host, u.seen);
    }
    if r.suggestions.is_empty() && r.refused.is_empty() {
        let _ = writeln!(notes, "no suggestion: no call of a workload of the input in the evidence");
    }
    if !notes.is_empty() {
        if !out.is_empty() {
            out.push('\n');
        }
        for l in notes.lines() {
            let _ = writeln!(out, "# {}", comment(l));
        }
    }
    out
}

/// The report as Markdown (a pull request's description).
pub fn render_markdown(r: &SuggestReport) -> String {
    let mut out = String::from("## Suggested Sidecars\n\n");
    if !r.workloads.is_empty() {
        out.push_str("| workload | Sidecar now | suggested | calls traced identically | services | listeners | clusters | routes |\n");
        out.push_str("|---|---|---|---|---|---|---|---|\n");
        for w in &r.workloads {
            let b = w.before;
            let cell = |x: usize, y: Option<usize>| match y {
                Some(y) => format!("{x} → {y}"),
                None => x.to_string(),
            };
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {}/{} | {} | {} | {} | {} |",
                w.workload,
                w.current.as_deref().map(|s| format!("`{s}`")).unwrap_or_else(|| "none".into()),
                w.suggested.as_deref().map(|s| format!("`{s}`")).unwrap_or_else(|| "not offered".into()),
                w.traced,
                w.calls,
                cell(b.imported_services, w.after.map(|a| a.imported_services)),
                cell(b.listeners, w.after.map(|a| a.listeners)),
                cell(b.clusters, w.after.map(|a| a.clusters)),
                cell(b.routes, w.after.map(|a| a.routes)),
            );
        }
        out.push('\n');
    }
    if !r.yaml.is_empty() {
        let _ = writeln!(out, "```yaml\n{}```\n", r.yaml);
    }
    for f in &r.refused {
        let _ = writeln!(out, "- **Not offered:** `{}`: {}", f.sidecar, f.reason);
        for c in &f.calls {
            let _ = writeln!(out, "  - `{}` {}: {} → {}", c.workload, c.call, c.before.summary, c.after.summary);
        }
    }
    for p in &r.problems {
        let _ = writeln!(out, "- `{}:{}` {}: {}", p.file, p.line, p.code, p.message);
    }
    out
}
