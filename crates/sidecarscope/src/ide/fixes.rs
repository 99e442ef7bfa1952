//! Quick fixes for the findings that have one. Each is computed from the finding (its code,
//! path and range) and the registry, never from the finding's words, except SC3008's, whose
//! host is the one its hint names (the analysis computed it; `analyze/registry_only.rs`).
//!
//! | code | fix |
//! |---|---|
//! | SC0104 unknown-field | rename the key to the schema's nearest field (the did-you-mean of `suggest.rs`) |
//! | SC0105 proto-field-name | rename the key to its JSON name |
//! | SC0102 unknown-enum-value | replace the value with the nearest enum value |
//! | SC1050 egress-host-format | add the missing `namespace/`; qualify a short host name |
//! | SC3002 egress-host-imports-nothing | qualify a partial host name (`details.bookinfo`) |
//! | SC3001 egress-host-namespace-mismatch | put the service's namespace before the `/` |
//! | SC1051 duplicate-egress-host | drop the duplicate |
//! | SC1040 catch-all-not-last | merge port-less egress listeners into the last one |
//! | SC3008 registry-only-call-not-imported | import the host in the catch-all listener |
//! | SC1052 star-star-with-other-hosts | replace `*/*` with the hosts `suggest` finds the Sidecar's workloads need from the mesh alone |
//!
//! A test applies every fix to its input and checks that its finding is gone.

use serde::Serialize;

use super::{schema_at, sidecar_of, split_host};
use crate::diagnostic::{Code, Diagnostic};
use crate::registry::{EgressListenerConfig, Registry};
use crate::source::SourceId;
use crate::suggest::did_you_mean;
use crate::text::TextRange;
use crate::validate::schema::Schema;
use crate::workspace::Workspace;
use crate::yaml::cursor::Segment;

/// Replace `range` of `source` with `new_text`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TextEdit {
    #[serde(skip)]
    pub source: SourceId,
    #[serde(skip)]
    pub range: TextRange,
    pub new_text: String,
}

/// A quick fix: its title, the finding it fixes, and the edits (not overlapping, all against
/// the text as it is).
#[derive(Debug, Clone, Serialize)]
pub struct CodeAction {
    pub title: String,
    /// The code of the finding it fixes.
    pub code: &'static str,
    #[serde(skip)]
    pub diagnostic: Diagnostic,
    pub edits: Vec<TextEdit>,
}

/// The quick fixes of the findings (of [`Workspace::analyze`]) that touch `range` of `source`.
pub fn code_actions(ws: &Workspace, source: SourceId, range: TextRange) -> Vec<CodeAction> {
    code_actions_among(ws, &ws.analyze().diagnostics, source, range)
}

/// [`code_actions`] among findings the caller has already (an editor keeps those of the last
/// edit: clients ask for code actions at every move of the cursor).
pub fn code_actions_among(
    ws: &Workspace,
    findings: &[Diagnostic],
    source: SourceId,
    range: TextRange,
) -> Vec<CodeAction> {
    findings
        .iter()
        .filter(|d| d.source == source && d.range.start <= range.end && range.start <= d.range.end)
        .flat_map(|d| fixes(ws, d))
        .collect()
}

/// The codes whose findings may have a quick fix (the arms of [`fixes`]): a front end can offer
/// "Fix" on these without computing the fixes first (a finding's own fixer may still find none).
pub const FIXABLE: &[Code] = &[
    Code::UnknownField,
    Code::ProtoFieldName,
    Code::UnknownEnumValue,
    Code::EgressHostFormat,
    Code::EgressHostImportsNothing,
    Code::EgressHostNamespaceMismatch,
    Code::DuplicateEgressHost,
    Code::CatchAllNotLast,
    Code::RegistryOnlyCallNotImported,
    Code::StarStarWithOtherHosts,
];

/// Whether findings of `code` (`SC1050`) may have a quick fix ([`FIXABLE`]).
pub fn has_fix(code: &str) -> bool {
    FIXABLE.iter().any(|c| c.id() == code)
}

/// The quick fixes of one finding.
pub fn fixes(ws: &Workspace, d: &Diagnostic) -> Vec<CodeAction> {
    let text = ws.input().source(d.source).text.as_str();
    let found = match d.code {
        Code::UnknownField => rename_field(d, text, false),
        Code::ProtoFieldName => rename_field(d, text, true),
        Code::UnknownEnumValue => enum_value(d, text),
        Code::EgressHostFormat => egress_host_format(ws, d, text),
        Code::EgressHostImportsNothing => qualify_partial_host(ws, d, text),
        Code::EgressHostNamespaceMismatch => fix_namespace(ws, d, text),
        Code::DuplicateEgressHost => delete_item(text, d.range)
            .map(|r| (format!("Drop the duplicate host {}", unquote(slice(text, d.range))), vec![(r, String::new())])),
        Code::CatchAllNotLast => merge_catch_alls(ws, d, text),
        Code::RegistryOnlyCallNotImported => import_host(ws, d, text),
        Code::StarStarWithOtherHosts => replace_star_star(ws, d, text),
        _ => None,
    };
    debug_assert!(found.is_none() || FIXABLE.contains(&d.code), "{:?} has a fix: add it to FIXABLE", d.code);
    found
        .map(|(title, edits)| CodeAction {
            title,
            code: d.code.id(),
            diagnostic: d.clone(),
            edits: edits.into_iter().map(|(range, new_text)| TextEdit { source: d.source, range, new_text }).collect(),
        })
        .into_iter()
        .collect()
}

type Fix = Option<(String, Vec<(TextRange, String)>)>;

fn slice(text: &str, r: TextRange) -> &str {
    text.get(r.start as usize..r.end as usize).unwrap_or("")
}

fn unquote(s: &str) -> &str {
    s.trim_matches(['"', '\''])
}

/// `new` written with the quotes `old` has.
fn requote(old: &str, new: &str) -> String {
    match old.chars().next() {
        Some(q @ ('"' | '\'')) => format!("{q}{new}{q}"),
        _ => new.to_string(),
    }
}

/// `spec.egress[0].hots` as segments (under `spec`), and the last key.
fn parse_path(path: &str) -> Vec<Segment> {
    let mut out = Vec::new();
    for part in path.split('.').skip(1) {
        let (key, rest) = part.split_once('[').map_or((part, ""), |(k, r)| (k, r));
        out.push(Segment::Key(key.to_string()));
        for idx in rest.split('[') {
            if let Ok(i) = idx.trim_end_matches(']').parse() {
                out.push(Segment::Item(i));
            }
        }
    }
    out
}

fn rename_field(d: &Diagnostic, text: &str, proto: bool) -> Fix {
    let mut path = parse_path(&d.path);
    let Some(Segment::Key(key)) = path.pop() else { return None };
    let (Schema::Object(msg), _) = schema_at(&path)? else { return None };
    let to = if proto {
        msg.fields.iter().find(|f| f.proto == key)?.json
    } else {
        let names: Vec<&str> = msg.fields.iter().map(|f| f.json).collect();
        did_you_mean(&key, &names)?
    };
    let old = slice(text, d.range);
    Some((format!("Rename `{key}` to `{to}`"), vec![(d.range, requote(old, to))]))
}

fn enum_value(d: &Diagnostic, text: &str) -> Fix {
    let path = parse_path(&d.path);
    let (Schema::Enum { values, .. }, _) = schema_at(&path)? else { return None };
    let old = slice(text, d.range);
    let value = unquote(old);
    let to = values.iter().find(|v| v.eq_ignore_ascii_case(value)).copied().or_else(|| did_you_mean(value, values))?;
    Some((format!("Replace `{value}` with `{to}`"), vec![(d.range, requote(old, to))]))
}

/// The Sidecar (index in the registry) a finding is on.
pub(crate) fn sidecar(ws: &Workspace, d: &Diagnostic) -> Option<usize> {
    let input = ws.input();
    let (i, _) = input.resources.iter().enumerate().find(|(_, r)| {
        r.source == d.source && r.node.range.start <= d.range.start && d.range.end <= r.node.range.end
    })?;
    sidecar_of(ws.registry(), i)
}

/// The registry's hostname that a short or partial `dns` stands for, as seen from a Sidecar of
/// `sidecar_ns` whose entry names namespace `ns` (`.`, `*` or a name): the service
/// `dns.<namespace>.svc.<domain>` (`dns` without a dot) or `dns.svc.<domain>` (`name.namespace`).
fn qualified(reg: &Registry, sidecar_ns: &str, ns: &str, dns: &str) -> Option<(String, String)> {
    let want_ns = match ns {
        "." => Some(sidecar_ns),
        "*" => None,
        n => Some(n),
    };
    let mut ids: Vec<usize> = reg.services_exported_to(sidecar_ns).collect();
    ids.sort_unstable();
    ids.into_iter().map(|id| &reg.services[id]).find_map(|s| {
        let ns_ok = want_ns.is_none_or(|n| n == s.namespace);
        let rest = s.hostname.strip_prefix(dns)?.strip_prefix('.')?;
        let fits = if dns.contains('.') {
            rest.starts_with("svc.")
        } else {
            rest.strip_prefix(s.namespace.as_str()).is_some_and(|r| r.starts_with(".svc."))
        };
        (ns_ok && fits).then(|| (s.hostname.clone(), s.namespace.clone()))
    })
}

fn egress_host_format(ws: &Workspace, d: &Diagnostic, text: &str) -> Fix {
    let reg = ws.registry();
    let sc = &reg.sidecars[sidecar(ws, d)?];
    let old = slice(text, d.range);
    let host = unquote(old);
    let fix = |title: String, new: String| Some((title, vec![(d.range, requote(old, &new))]));
    if d.message.ends_with("host must be of form namespace/dnsName") {
        if host.contains('/') || host.is_empty() || matches!(host, "." | "*" | "~") {
            return None;
        }
        // The namespace of the service the host names (the Sidecar's own written `.`).
        let ns_part = |ns: &str| if ns == sc.namespace { ".".to_string() } else { ns.to_string() };
        if !host.contains('.') {
            let (full, ns) = qualified(reg, &sc.namespace, "*", host)?;
            let new = format!("{}/{full}", ns_part(&ns));
            return fix(format!("Write `{new}`"), new);
        }
        let visible = reg.services_with_hostname(host).iter().find(|&&id| reg.service_visible(id, &sc.namespace));
        let new = match visible {
            Some(&id) => format!("{}/{host}", ns_part(&reg.services[id].namespace)),
            None => format!("*/{host}"),
        };
        return fix(format!("Add the namespace: `{new}`"), new);
    }
    if d.message.ends_with("short names (non FQDN) are not allowed") {
        let (ns, exclude, dns) = split_host(host)?;
        let (full, _) = qualified(reg, &sc.namespace, ns, dns)?;
        let new = format!("{}{ns}/{full}", if exclude { "~" } else { "" });
        return fix(format!("Qualify the host: `{new}`"), new);
    }
    None
}

fn qualify_partial_host(ws: &Workspace, d: &Diagnostic, text: &str) -> Fix {
    let reg = ws.registry();
    let sc = &reg.sidecars[sidecar(ws, d)?];
    let old = slice(text, d.range);
    let (ns, exclude, dns) = split_host(unquote(old))?;
    if dns.contains('*') || !reg.services_with_hostname(dns).is_empty() {
        return None;
    }
    let (full, _) = qualified(reg, &sc.namespace, ns, dns)?;
    let new = format!("{}{ns}/{full}", if exclude { "~" } else { "" });
    Some((format!("Qualify the host: `{new}`"), vec![(d.range, requote(old, &new))]))
}

fn fix_namespace(ws: &Workspace, d: &Diagnostic, text: &str) -> Fix {
    let reg = ws.registry();
    let sc = &reg.sidecars[sidecar(ws, d)?];
    let old = slice(text, d.range);
    let (_, exclude, dns) = split_host(unquote(old))?;
    let &id = reg.services_with_hostname(dns).iter().find(|&&id| reg.service_visible(id, &sc.namespace))?;
    let ns = &reg.services[id].namespace;
    let new = format!("{}{ns}/{dns}", if exclude { "~" } else { "" });
    Some((format!("Use the service's namespace: `{new}`"), vec![(d.range, requote(old, &new))]))
}

/// The range to delete to remove the sequence item at `item` (block style: its whole line;
/// flow style: the item and one comma).
fn delete_item(text: &str, item: TextRange) -> Option<TextRange> {
    let (start, end) = (item.start as usize, item.end as usize);
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i + 1);
    let before = &text[line_start..start];
    let after = text[end..line_end].trim();
    if before.trim() == "-" && (after.is_empty() || after.starts_with('#')) {
        return Some(TextRange::new(line_start as u32, line_end as u32));
    }
    let prev = text[..start].trim_end();
    if prev.ends_with(',') {
        return Some(TextRange::new((prev.len() - 1) as u32, end as u32));
    }
    let rest = &text[end..];
    let next = rest.trim_start();
    if next.starts_with(',') {
        let comma = end + (rest.len() - next.len());
        let after_comma = text[comma + 1..].len() - text[comma + 1..].trim_start_matches([' ', '\t']).len();
        return Some(TextRange::new(start as u32, (comma + 1 + after_comma) as u32));
    }
    None
}

/// An edit that appends `host` to a listener's `hosts`, in the style they are written in.
fn append_host(text: &str, l: &EgressListenerConfig, host: &str) -> Option<(TextRange, String)> {
    let &(_, last) = l.host_ranges.last()?;
    let (start, end) = (last.start as usize, last.end as usize);
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let before = &text[line_start..start];
    let quoted = requote(slice(text, last), host);
    if before.trim() == "-" {
        let line_end = text[end..].find(['\n', '\r']).map_or(text.len(), |i| end + i);
        return Some((TextRange::empty(line_end as u32), format!("\n{before}{quoted}")));
    }
    let prev = text[..start].trim_end();
    if prev.ends_with(',') || prev.ends_with('[') {
        return Some((TextRange::empty(end as u32), format!(", {quoted}")));
    }
    None
}

/// The range of a whole block-style sequence item (`  - port: ...` and its lines).
fn item_lines(text: &str, item: TextRange) -> Option<TextRange> {
    let start = item.start as usize;
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    if text[line_start..start].trim() != "-" {
        return None;
    }
    // A block mapping's range may end where the next line starts.
    let end = text[..item.end as usize].trim_end_matches([' ', '\t']).len();
    let line_end =
        if text[..end].ends_with('\n') { end } else { text[end..].find('\n').map_or(text.len(), |i| end + i + 1) };
    if !text[end..line_end].trim().is_empty() && !text[end..line_end].trim().starts_with('#') {
        return None;
    }
    Some(TextRange::new(line_start as u32, line_end as u32))
}

fn merge_catch_alls(ws: &Workspace, d: &Diagnostic, text: &str) -> Fix {
    let reg = ws.registry();
    let sc = &reg.sidecars[sidecar(ws, d)?];
    let from = sc.egress.iter().position(|l| l.range == d.range)?;
    let target = sc.egress.iter().rposition(|l| l.port.is_none())?;
    if target == from {
        return None;
    }
    let mut edits = vec![(item_lines(text, sc.egress[from].range)?, String::new())];
    let into = &sc.egress[target];
    let mut appended: Option<(TextRange, String)> = None;
    for host in sc.egress[from].hosts.iter().filter(|h| !into.hosts.contains(h)) {
        let (at, new) = append_host(text, into, host)?;
        appended.get_or_insert((at, String::new())).1.push_str(&new);
    }
    edits.extend(appended);
    Some((format!("Merge this listener's hosts into the port-less egress listener {}", target + 1), edits))
}

fn import_host(ws: &Workspace, d: &Diagnostic, text: &str) -> Fix {
    let reg = ws.registry();
    let sc = &reg.sidecars[sidecar(ws, d)?];
    // The host the analysis found missing, as its hint names it ("add `ns/host` to the egress hosts").
    let hint = d.hint.as_deref()?;
    let host = hint.split("add `").nth(1)?.split('`').next()?;
    let l = sc.egress.iter().rfind(|l| l.port.is_none()).or(sc.egress.first())?;
    let edit = append_host(text, l, host)?;
    Some((format!("Import `{host}`"), vec![edit]))
}

/// SC1052 (`*/*` with other hosts in one listener): `*/*` replaced by what `suggest` finds the
/// Sidecar's workloads need from the mesh alone, without traffic (`tighten::needs::configured`:
/// the VirtualServices that route their requests by `sourceLabels` and their destinations, the
/// DestinationRules of their namespace for another namespace's service), less what the listener's
/// other hosts already import (so that no entry repeats one: SC1051). The listener's other hosts
/// stay. `*/*` imports everything, so traffic observed under it proves nothing about what a
/// narrower list keeps: the Suggest panel and `sidecarscope suggest --traffic` prove one.
fn replace_star_star(ws: &Workspace, d: &Diagnostic, text: &str) -> Fix {
    let index = sidecar(ws, d)?;
    let reg = ws.registry();
    let sc = &reg.sidecars[index];
    let i: usize = d.path.strip_prefix("spec.egress[")?.split(']').next()?.parse().ok()?;
    let l = sc.egress.get(i)?;
    let (_, star) = l.hosts.iter().zip(&l.host_ranges).find(|(h, _)| h.as_str() == "*/*")?.1.to_owned();
    let namespace_of = |ns: &str| if ns == "." { sc.namespace.clone() } else { ns.to_string() };
    let kept: Vec<(String, String)> = l
        .hosts
        .iter()
        .filter(|h| h.as_str() != "*/*")
        .filter_map(|h| h.split_once('/').map(|(ns, dns)| (namespace_of(ns), dns.to_string())))
        .collect();
    let mut resolver = crate::resolve::Resolver::with_env(reg, &ws.options().istiod_env);
    let mut needed: Vec<String> = Vec::new();
    for w in reg.workloads.iter().filter(|w| {
        w.namespace == sc.namespace && crate::resolve::governing_sidecar(reg, &w.namespace, &w.labels) == Some(index)
    }) {
        let r = resolver.resolve_workload(w);
        for host in crate::tighten::needs::configured(reg, ws.input(), w, &r).hosts.into_keys() {
            let Some((ns, dns)) = host.split_once('/') else { continue };
            let covered = kept.iter().any(|(k_ns, k_dns)| k_ns == ns && (k_dns == "*" || k_dns == dns));
            if !covered && !needed.contains(&host) {
                needed.push(host);
            }
        }
    }
    needed.sort();
    let title = match needed.len() {
        0 => "Drop `*/*`: the other hosts import all that the mesh shows this Sidecar's workloads call".to_string(),
        n => format!("Replace `*/*` with the {n} host(s) the mesh shows this Sidecar's workloads call"),
    };
    let Some((first, rest)) = needed.split_first() else {
        return Some((title, vec![(delete_item(text, star)?, String::new())]));
    };
    let old = slice(text, star);
    let mut new_text = requote(old, first);
    let (start, end) = (star.start as usize, star.end as usize);
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let before = &text[line_start..start];
    for h in rest {
        if before.trim() == "-" {
            new_text.push_str(&format!("\n{before}{}", requote(old, h)));
        } else {
            new_text.push_str(&format!(", {}", requote(old, h)));
        }
    }
    Some((title, vec![(TextRange::new(start as u32, end as u32), new_text)]))
}
