//! An [`ImpactReport`] as text (a plan: breaking calls first, then per namespace and workload
//! `+`/`-`/`~` lines, then a summary line), as Markdown (a pull-request comment: a summary
//! table, the breaking calls, details folded per namespace) and as SARIF 2.1.0 (one result per
//! breaking call, at the head lines that caused it, or at the base lines when head has none, a
//! deleted host entry).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use crate::diagnostic::{Code, Severity};
use crate::impact::{Cause, Change, Flow, FlowKind, ImpactReport, Presence, Side, WorkloadImpact};
use crate::report::{escape_controls, JsonDiagnostic};
use crate::sarif;

/// The formats an impact report is written in.
pub const IMPACT_FORMATS: &[super::Format] =
    &[super::Format::Json, super::Format::Text, super::Format::Markdown, super::Format::Sarif, super::Format::Yaml];

fn kind_word(k: FlowKind) -> &'static str {
    match k {
        FlowKind::Broken => "broken",
        FlowKind::Bypassed => "bypasses the mesh",
        FlowKind::Rerouted => "rerouted",
        FlowKind::Captured => "joins the mesh",
        FlowKind::Repaired => "repaired",
        FlowKind::Changed => "fails differently",
    }
}

fn flow_sign(k: FlowKind) -> char {
    match k {
        FlowKind::Broken | FlowKind::Bypassed | FlowKind::Rerouted => '!',
        FlowKind::Repaired | FlowKind::Captured => '+',
        FlowKind::Changed => '~',
    }
}

fn outcome_text(o: &crate::impact::Outcome) -> String {
    let mut s = match (&o.destination, o.error) {
        (Some(d), _) => d.clone(),
        (None, Some(e)) => {
            serde_json::to_value(e).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
        }
        (None, None) => "nothing".into(),
    };
    if let Some(r) = &o.virtual_service_route {
        let _ = write!(s, " via {r}");
    }
    if !o.works {
        s.push_str(" (fails)");
    }
    s
}

fn cause_text(c: &Cause) -> String {
    let path = if c.path.is_empty() { String::new() } else { format!(" {}", c.path) };
    format!("{} {}:{}:{} {}{path}", c.side.name(), c.file, c.range.start.line, c.range.start.column, c.resource)
}

fn summary_line(r: &ImpactReport) -> String {
    let s = &r.summary;
    format!(
        "{} of {} workloads changed ({} recomputed); calls: {} broken, {} bypassing the mesh, {} rerouted, {} joining the mesh, {} repaired, {} failing differently; findings: {} appeared, {} disappeared",
        s.changed,
        s.workloads,
        s.recomputed,
        s.broken,
        s.bypassed,
        s.rerouted,
        s.captured,
        s.repaired,
        s.changed_failures,
        s.findings_appeared,
        s.findings_disappeared
    )
}

fn by_namespace(r: &ImpactReport) -> BTreeMap<&str, Vec<&WorkloadImpact>> {
    let mut out: BTreeMap<&str, Vec<&WorkloadImpact>> = BTreeMap::new();
    for w in &r.workloads {
        out.entry(w.namespace.as_str()).or_default().push(w);
    }
    out
}

/// The lines of one workload (without its flows' causes), indented by `indent`.
fn workload_lines(w: &WorkloadImpact, indent: &str, out: &mut String) {
    let head = match w.presence {
        Presence::Both => ' ',
        Presence::Added => '+',
        Presence::Removed => '-',
    };
    let _ = write!(out, "{indent}{head} {} {}", w.kind, w.name);
    match w.presence {
        Presence::Added => out.push_str(" (only in head)"),
        Presence::Removed => out.push_str(" (only in base)"),
        Presence::Both => {}
    }
    out.push('\n');
    let i2 = format!("{indent}    ");
    let none = || "none (Istio's default scope)".to_string();
    if let Some(s) = &w.sidecar {
        let (b, h) = (s.base.clone().unwrap_or_else(none), s.head.clone().unwrap_or_else(none));
        if s.content_changed {
            let _ = writeln!(out, "{i2}~ Sidecar {b} changed");
        } else {
            let _ = writeln!(out, "{i2}~ Sidecar {b} -> {h}");
        }
    }
    if let Some(p) = &w.outbound_traffic_policy {
        let _ = writeln!(out, "{i2}~ outbound traffic policy {} -> {}", p.base, p.head);
    }
    for f in &w.flows {
        let _ = writeln!(
            out,
            "{i2}{} {} {}: {} -> {}{}",
            flow_sign(f.kind),
            kind_word(f.kind),
            f.call,
            outcome_text(&f.base),
            outcome_text(&f.head),
            f.origin.as_ref().map(|o| format!(" (seen at {o})")).unwrap_or_default()
        );
    }
    for i in &w.imports {
        let entries = match (&i.base_entry, &i.head_entry) {
            (Some(b), Some(h)) => format!("entry {b} -> {h}"),
            (Some(b), None) => format!("was imported by {b}"),
            (None, Some(h)) => format!("imported by {h}"),
            (None, None) => String::new(),
        };
        let _ = writeln!(out, "{i2}{} import {}:{} ({}, {entries})", i.change.sign(), i.host, i.port, i.protocol);
    }
    for l in &w.listeners {
        let _ = writeln!(out, "{i2}{} listener {}", l.change.sign(), l.name);
        if l.change == Change::Changed {
            for row in l.base.iter().filter(|r| !l.head.contains(r)) {
                let _ = writeln!(out, "{i2}    - {row}");
            }
            for row in l.head.iter().filter(|r| !l.base.contains(r)) {
                let _ = writeln!(out, "{i2}    + {row}");
            }
        }
    }
    for v in &w.virtual_hosts {
        let _ = writeln!(out, "{i2}{} virtual host {} (route {})", v.change.sign(), v.name, v.route_config);
        for r in &v.routes_removed {
            let _ = writeln!(out, "{i2}    - route {r}");
        }
        for r in &v.routes_added {
            let _ = writeln!(out, "{i2}    + route {r}");
        }
    }
    for c in &w.clusters {
        let _ = writeln!(out, "{i2}{} cluster {}", c.change.sign(), c.name);
    }
    for p in &w.inbound_ports {
        let side = |v: &Option<String>| v.clone().unwrap_or_else(|| "none".into());
        let _ =
            writeln!(out, "{i2}{} inbound port {} ({} -> {})", p.change.sign(), p.port, side(&p.base), side(&p.head));
    }
}

/// `file:line:column: severity[code]: message`, as the compiler-style text of `analyze`.
fn diagnostic_line(d: &JsonDiagnostic) -> String {
    format!(
        "{}:{}:{}: {}[{}]: {}",
        d.file,
        d.range.start.line,
        d.range.start.column,
        d.severity.as_str(),
        d.code,
        d.message
    )
}

/// The problems that stopped the comparison, one per line with side and position.
pub fn problems_text(r: &ImpactReport) -> String {
    let mut out = String::new();
    for p in &r.problems {
        let d = &p.diagnostic;
        let _ = write!(out, "{}: {}", p.side.name(), diagnostic_line(d));
        if let Some(h) = &d.hint {
            let _ = write!(out, " ({h})");
        }
        out.push('\n');
    }
    out
}

/// The report as a plan.
pub fn text(r: &ImpactReport) -> String {
    let mut out = String::new();
    if !r.problems.is_empty() {
        out.push_str("The comparison was not made: a side did not load completely.\n");
        out.push_str(&problems_text(r));
        return escape_controls(&out).into_owned();
    }
    let breaking: Vec<(&WorkloadImpact, &Flow)> =
        r.workloads.iter().flat_map(|w| w.flows.iter().filter(|f| f.kind.breaking()).map(move |f| (w, f))).collect();
    if !breaking.is_empty() {
        out.push_str("Breaking calls:\n");
        for (w, f) in &breaking {
            let _ = writeln!(out, "  ! {} {}: {}", w.id(), kind_word(f.kind), f.call);
            let _ = writeln!(out, "      base: {}", outcome_text(&f.base));
            let _ = writeln!(out, "      head: {}", outcome_text(&f.head));
            if let Some(o) = &f.origin {
                let _ = writeln!(out, "      seen at {o}");
            }
            for c in &f.causes {
                let _ = writeln!(out, "      at {}", cause_text(c));
            }
        }
        out.push('\n');
    }
    for (ns, ws) in by_namespace(r) {
        let _ = writeln!(out, "namespace {ns}");
        for w in ws {
            workload_lines(w, "  ", &mut out);
        }
        out.push('\n');
    }
    if !r.findings.appeared.is_empty() || !r.findings.disappeared.is_empty() {
        out.push_str("Analysis findings:\n");
        for (sign, list) in [('+', &r.findings.appeared), ('-', &r.findings.disappeared)] {
            for d in list {
                let _ = writeln!(out, "  {sign} {}", diagnostic_line(d));
            }
        }
        out.push('\n');
    }
    if !r.summary.any() {
        out.push_str("No change: every workload's proxy gets the same configuration.\n");
    }
    out.push_str(&summary_line(r));
    out.push('\n');
    // Every line is made of the input's names: no control character reaches a terminal.
    escape_controls(&out).into_owned()
}

/// A Markdown table cell: pipes escaped, on one line.
fn cell(s: &str) -> String {
    escape_controls(s).replace('|', "\\|").replace('\n', " ")
}

/// The report as a pull-request comment.
pub fn markdown(r: &ImpactReport) -> String {
    let mut out = String::from("### Sidecarscope impact\n\n");
    if !r.problems.is_empty() {
        out.push_str("**The comparison was not made**: a side did not load completely.\n\n```\n");
        out.push_str(&problems_text(r).replace("```", "'''"));
        out.push_str("```\n");
        return out;
    }
    let s = &r.summary;
    out.push_str("| | |\n|---|---|\n");
    let _ = writeln!(out, "| workloads changed | {} of {} ({} recomputed) |", s.changed, s.workloads, s.recomputed);
    let _ = writeln!(out, "| broken calls | {} |", s.broken);
    let _ = writeln!(out, "| calls bypassing the mesh (to PassthroughCluster) | {} |", s.bypassed);
    let _ = writeln!(out, "| rerouted calls | {} |", s.rerouted);
    let _ = writeln!(out, "| calls joining the mesh (from PassthroughCluster) | {} |", s.captured);
    let _ = writeln!(out, "| repaired calls | {} |", s.repaired);
    let _ = writeln!(out, "| calls failing differently | {} |", s.changed_failures);
    let _ = writeln!(out, "| analysis findings | +{} −{} |", s.findings_appeared, s.findings_disappeared);
    out.push('\n');
    let breaking: Vec<(&WorkloadImpact, &Flow)> =
        r.workloads.iter().flat_map(|w| w.flows.iter().filter(|f| f.kind.breaking()).map(move |f| (w, f))).collect();
    if !breaking.is_empty() {
        out.push_str("**Breaking calls**\n\n| workload | call | base | head | caused by |\n|---|---|---|---|---|\n");
        for (w, f) in breaking {
            let mut causes: Vec<String> = f.causes.iter().map(|c| format!("`{}`", cell(&cause_text(c)))).collect();
            if let Some(o) = &f.origin {
                causes.push(format!("seen at `{}`", cell(o)));
            }
            let _ = writeln!(
                out,
                "| `{}` | {} `{}` | {} | {} | {} |",
                cell(&w.id()),
                kind_word(f.kind),
                cell(&f.call),
                cell(&outcome_text(&f.base)),
                cell(&outcome_text(&f.head)),
                causes.join("<br>")
            );
        }
        out.push('\n');
    }
    for (ns, ws) in by_namespace(r) {
        let breaking: usize = ws.iter().map(|w| w.flows.iter().filter(|f| f.kind.breaking()).count()).sum();
        let _ = writeln!(
            out,
            "<details><summary>namespace <code>{}</code>: {} workload(s), {breaking} breaking call(s)</summary>\n\n```diff",
            cell(ns).replace('<', "&lt;"),
            ws.len()
        );
        let mut body = String::new();
        for w in ws {
            workload_lines(w, "", &mut body);
        }
        // `diff` colours lines by their first character.
        for line in escape_controls(&body).replace("```", "'''").lines() {
            let t = line.trim_start();
            let sign = t.chars().next().filter(|c| matches!(c, '+' | '-' | '!' | '~'));
            let lead = match sign {
                Some('+') => "+",
                Some('-') | Some('!') => "-",
                _ => " ",
            };
            let _ = writeln!(out, "{lead}{line}");
        }
        out.push_str("```\n\n</details>\n\n");
    }
    if !r.findings.appeared.is_empty() || !r.findings.disappeared.is_empty() {
        out.push_str(
            "<details><summary>analysis findings</summary>\n\n| | code | file | message |\n|---|---|---|---|\n",
        );
        for (sign, list) in [('+', &r.findings.appeared), ('−', &r.findings.disappeared)] {
            for d in list {
                let _ = writeln!(
                    out,
                    "| {sign} | {} | `{}:{}` | {} |",
                    d.code,
                    cell(&d.file),
                    d.range.start.line,
                    cell(&d.message)
                );
            }
        }
        out.push_str("\n</details>\n\n");
    }
    let _ = writeln!(out, "_{}_", cell(&summary_line(r)));
    out
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: sarif::Text,
    locations: Vec<sarif::Location>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Related>,
    properties: ResultProperties,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct Related {
    id: usize,
    physical_location: sarif::PhysicalLocation,
    message: sarif::Text,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultProperties {
    workload: String,
    call: String,
    /// `head` when the result points at head's lines, `base` when head has none.
    side: Side,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct Run {
    tool: sarif::Tool,
    results: Vec<SarifResult>,
    column_kind: &'static str,
}

#[derive(Debug, Clone, Serialize)]
struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run>,
}

fn physical(c: &Cause) -> sarif::PhysicalLocation {
    sarif::PhysicalLocation {
        artifact_location: sarif::ArtifactLocation { uri: sarif::uri(&c.file) },
        region: sarif::Region {
            start_line: c.range.start.line,
            start_column: c.range.start.column,
            end_line: c.range.end.line,
            end_column: c.range.end.column,
        },
    }
}

/// The codes of impact's SARIF results.
const RULES: [Code; 2] = [Code::ImpactBrokenCall, Code::ImpactReroutedCall];

/// The breaking calls as a SARIF log: one result per call, located at the head lines that
/// caused it (the base lines go in `relatedLocations`); when head has none (a deleted host
/// entry or Sidecar), at the base lines, with `properties.side` `base` and the message saying so.
pub fn sarif(r: &ImpactReport) -> serde_json::Value {
    let mut results = Vec::new();
    for w in &r.workloads {
        for f in w.flows.iter().filter(|f| f.kind.breaking()) {
            let code = if f.kind == FlowKind::Broken { Code::ImpactBrokenCall } else { Code::ImpactReroutedCall };
            let rule_index = RULES.iter().position(|c| *c == code).unwrap_or(0);
            let head: Vec<&Cause> = f.causes.iter().filter(|c| c.side == Side::Head).collect();
            let base: Vec<&Cause> = f.causes.iter().filter(|c| c.side == Side::Base).collect();
            let (at, related, side) =
                if head.is_empty() { (base, Vec::new(), Side::Base) } else { (head, base, Side::Head) };
            let mut message = format!(
                "{} {}: {} {} (base: {}; head: {})",
                w.kind,
                w.id(),
                kind_word(f.kind),
                f.call,
                outcome_text(&f.base),
                outcome_text(&f.head)
            );
            if side == Side::Base {
                message.push_str(". Head has no line for it (removed); shown where base has it");
            }
            if let Some(o) = &f.origin {
                message.push_str(&format!(". Seen at {o}"));
            }
            let locations = at
                .iter()
                .map(|c| sarif::Location {
                    physical_location: physical(c),
                    logical_locations: vec![sarif::LogicalLocation {
                        fully_qualified_name: c.resource.clone(),
                        kind: "resource",
                    }],
                })
                .collect();
            let related_locations = related
                .iter()
                .enumerate()
                .map(|(i, c)| Related {
                    id: i,
                    physical_location: physical(c),
                    message: sarif::Text { text: format!("base: {} {}", c.resource, c.path) },
                })
                .collect();
            results.push(SarifResult {
                rule_id: code.id(),
                rule_index,
                level: sarif::level(if f.kind == FlowKind::Broken { Severity::Error } else { Severity::Warning }),
                message: sarif::Text { text: message },
                locations,
                related_locations,
                properties: ResultProperties { workload: w.id(), call: f.call.clone(), side },
            });
        }
    }
    let log = Log {
        schema: sarif::SCHEMA,
        version: sarif::VERSION,
        runs: vec![Run {
            tool: sarif::Tool {
                driver: sarif::Driver {
                    name: "sidecarscope",
                    version: crate::VERSION,
                    semantic_version: crate::VERSION,
                    rules: RULES.iter().map(|c| sarif::rule(*c)).collect(),
                },
            },
            results,
            column_kind: "unicodeCodePoints",
        }],
    };
    serde_json::to_value(log).unwrap_or_default()
}
