//! Completion: field names and enum values from the CRD schema's tables (`validate/schema.rs`),
//! each with its one-line documentation; egress hosts as `namespace/` and then the services
//! that namespace exports to the Sidecar's (the registry's exportTo index, as istiod's
//! `servicesExportedToNamespace`); workload selector labels and values from the input's
//! workloads; port numbers and names from Services.

use std::collections::BTreeMap;

use serde::Serialize;

use super::docs::{enum_value_doc, field_doc, message_name, reference_url};
use super::{count, doc_at, namespaces, schema_at, Doc, FilePosition};
use crate::registry::service::protocol_name;
use crate::registry::ServiceRegistry;
use crate::text::TextRange;
use crate::validate::schema::Schema;
use crate::workspace::Workspace;
use crate::yaml::cursor::{cursor_at, Cursor, Segment, Slot};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum CompletionKind {
    /// A field name (the insert text ends with `: `).
    Field,
    /// An enum value, `true`/`false`, `kind` and `apiVersion` values.
    EnumValue,
    /// A namespace part of an egress host (`bookinfo/`, `./`, `*/`, `~/`), or a namespace.
    Namespace,
    /// A whole egress host (`bookinfo/reviews.bookinfo.svc.cluster.local`, `./*`).
    Host,
    /// A label key or value.
    Label,
    /// A port number or name.
    Port,
}

/// One completion: what the list shows, its one-line documentation, and the text that replaces
/// the [`Completions::range`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CompletionItem {
    pub label: String,
    pub kind: CompletionKind,
    pub detail: String,
    pub insert: String,
    /// Markdown for a field: what hover says of it, with the link to Istio's reference.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub documentation: String,
}

/// The completions at a position and the range they replace (the word at the position).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Completions {
    #[serde(skip)]
    pub range: TextRange,
    pub items: Vec<CompletionItem>,
}

fn item(label: impl Into<String>, kind: CompletionKind, detail: impl Into<String>) -> CompletionItem {
    let label = label.into();
    let insert = if kind == CompletionKind::Field { format!("{label}: ") } else { label.clone() };
    CompletionItem { label, kind, detail: detail.into(), insert, documentation: String::new() }
}

const API_VERSIONS: &[&str] =
    &["networking.istio.io/v1", "networking.istio.io/v1beta1", "networking.istio.io/v1alpha3"];
pub(crate) const TOP_LEVEL: &[(&str, &str)] = &[
    ("apiVersion", "networking.istio.io/v1 (or v1beta1, v1alpha3)"),
    ("kind", "Sidecar"),
    ("metadata", "The Sidecar's name, namespace, labels and annotations."),
    ("spec", "The Sidecar's configuration."),
];
pub(crate) const METADATA: &[(&str, &str)] = &[
    ("name", "The Sidecar's name (a DNS-1123 subdomain)."),
    ("namespace", "The namespace the Sidecar applies in (`default` when absent)."),
    ("labels", "Labels of the Sidecar resource itself (not a selector)."),
    ("annotations", "Annotations (e.g. `galley.istio.io/analyze-suppress`)."),
];
/// Sidecar port protocols istiod recognises (`protocol.Parse`).
const PROTOCOLS: &[(&str, &str)] = &[
    ("HTTP", "HTTP/1.1 (an HTTP listener with routes)."),
    ("HTTP2", "HTTP/2."),
    ("HTTPS", "TLS carrying HTTP, passed through (a TCP listener routed by SNI)."),
    ("GRPC", "gRPC (HTTP/2)."),
    ("GRPC-Web", "gRPC-Web (HTTP)."),
    ("TCP", "Plain TCP."),
    ("TLS", "TLS, routed by SNI."),
    ("Mongo", "MongoDB (TCP)."),
    ("Redis", "Redis (TCP)."),
    ("MySQL", "MySQL (TCP)."),
];

/// The completions at `pos`.
pub fn complete(ws: &Workspace, pos: FilePosition) -> Completions {
    let Some(doc) = doc_at(ws, pos) else { return Completions::default() };
    let offset = pos.offset.min(doc.text.len() as u32);
    let cursor = cursor_at(doc.text, offset);
    let mut items = items(ws, &doc, &cursor);
    // A field already written in the mapping is not offered again.
    items.retain(|i| i.kind != CompletionKind::Field || !cursor.siblings.contains(&i.label));
    // Over a key that has its colon already, a field's name replaces the name only.
    if doc.text[cursor.replace.end as usize..].starts_with(':') {
        for i in items.iter_mut().filter(|i| i.kind == CompletionKind::Field) {
            i.insert = i.label.clone();
        }
    }
    let prefix = cursor.prefix.to_lowercase();
    items.retain(|i| i.label.to_lowercase().starts_with(&prefix) || i.insert.to_lowercase().starts_with(&prefix));
    Completions { range: cursor.replace, items }
}

fn items(ws: &Workspace, doc: &Doc<'_>, c: &Cursor) -> Vec<CompletionItem> {
    use CompletionKind::*;
    let path = c.path.as_slice();
    let key = |k: &str| Segment::Key(k.to_string());
    match (path, c.slot) {
        ([], Slot::Key) => TOP_LEVEL.iter().map(|(k, d)| item(*k, Field, *d)).collect(),
        ([Segment::Key(k)], Slot::Value) if k == "apiVersion" => {
            API_VERSIONS.iter().map(|v| item(*v, EnumValue, "Sidecar's API group and version")).collect()
        }
        ([Segment::Key(k)], Slot::Value) if k == "kind" => {
            vec![item("Sidecar", EnumValue, "networking.istio.io Sidecar")]
        }
        ([Segment::Key(k)], Slot::Key) if k == "metadata" => {
            METADATA.iter().map(|(k, d)| item(*k, Field, *d)).collect()
        }
        ([m, n], Slot::Value) if *m == key("metadata") && *n == key("namespace") => {
            namespaces(ws).into_iter().map(|ns| item(ns, Namespace, "a namespace of the input")).collect()
        }
        ([s, rest @ ..], slot) if *s == key("spec") && doc.is_sidecar() => spec_items(ws, doc, rest, slot),
        _ => Vec::new(),
    }
}

fn spec_items(ws: &Workspace, doc: &Doc<'_>, path: &[Segment], slot: Slot) -> Vec<CompletionItem> {
    use CompletionKind::*;
    let Some((schema, field)) = schema_at(path) else { return Vec::new() };
    let field_name = field.map(|(_, f)| f.json);
    let in_labels = matches!(path, [Segment::Key(w), Segment::Key(l), ..] if w == "workloadSelector" && l == "labels");
    match (schema, slot) {
        (Schema::Object(msg), Slot::Key | Slot::ItemStart) => msg
            .fields
            .iter()
            .map(|f| {
                let doc = field_doc(msg, f);
                let mut i = item(f.json, Field, format!("{} ({})", doc.map_or("", |d| d.summary), message_name(msg)));
                let detail = doc.map_or("", |d| d.detail);
                let link = format!("[Istio reference]({})", reference_url(msg, f));
                i.documentation = if detail.is_empty() { link } else { format!("{detail}\n\n{link}") };
                i
            })
            .collect(),
        (Schema::SelectorLabels, Slot::Key) => label_keys(ws, doc),
        (Schema::String, Slot::Value) if in_labels => match path.last() {
            Some(Segment::Key(k)) => label_values(ws, doc, k),
            _ => Vec::new(),
        },
        (Schema::Enum { values, .. }, Slot::Value) => {
            values.iter().map(|v| item(*v, EnumValue, enum_value_doc(v))).collect()
        }
        (Schema::Bool, Slot::Value) => vec![item("true", EnumValue, ""), item("false", EnumValue, "")],
        (Schema::String, Slot::Value | Slot::ItemStart) if field_name == Some("hosts") => hosts(ws, doc, path),
        (Schema::String, Slot::Value) if field_name == Some("protocol") => {
            PROTOCOLS.iter().map(|(p, d)| item(*p, EnumValue, *d)).collect()
        }
        (Schema::UInt32, Slot::Value) if field_name == Some("number") && is_listener_port(path) => {
            ports(ws, doc, path, false)
        }
        (Schema::String, Slot::Value) if field_name == Some("name") && is_listener_port(path) => {
            ports(ws, doc, path, true)
        }
        _ => Vec::new(),
    }
}

fn is_listener_port(path: &[Segment]) -> bool {
    matches!(path, [Segment::Key(l), Segment::Item(_), Segment::Key(p), _] if (l == "egress" || l == "ingress") && p == "port")
}

/// The services the Sidecar's namespace can see (exportTo honoured), in registry order.
fn visible_services<'w>(ws: &'w Workspace, doc: &Doc<'_>) -> impl Iterator<Item = &'w crate::registry::Service> + 'w {
    let reg = ws.registry();
    let mut ids: Vec<usize> = reg.services_exported_to(&doc.namespace).collect();
    ids.sort_unstable();
    ids.dedup();
    ids.into_iter().map(move |id| &reg.services[id])
}

fn describe(s: &crate::registry::Service) -> String {
    let what = match s.registry {
        ServiceRegistry::Kubernetes => "Service",
        ServiceRegistry::ServiceEntry => "ServiceEntry",
    };
    let ports: Vec<String> = s.ports.iter().map(|p| format!("{}/{}", p.number, protocol_name(p.protocol))).collect();
    let ports = if ports.is_empty() { "no ports".to_string() } else { format!("ports {}", ports.join(", ")) };
    format!("{what} {}/{}, {ports}", s.namespace, s.resource_name)
}

/// Egress host entries: the namespace part first, then the hosts of that namespace that the
/// Sidecar's namespace can import.
fn hosts(ws: &Workspace, doc: &Doc<'_>, _path: &[Segment]) -> Vec<CompletionItem> {
    use CompletionKind::*;
    let mut out = vec![
        item("./", Namespace, format!("the Sidecar's own namespace ({})", doc.namespace)),
        item("*/", Namespace, "any namespace"),
        item("~/", Namespace, "no namespace: imports nothing (a listener that captures no host)"),
        item("./*", Host, format!("every service of {} that it can see", doc.namespace)),
        item("*/*", Host, "every service of every namespace exported to this one"),
    ];
    let mut per_ns: BTreeMap<&str, usize> = BTreeMap::new();
    for s in visible_services(ws, doc) {
        *per_ns.entry(s.namespace.as_str()).or_default() += 1;
    }
    for ns in namespaces(ws) {
        let n = per_ns.get(ns.as_str()).copied().unwrap_or(0);
        out.push(item(
            format!("{ns}/"),
            Namespace,
            format!("namespace {ns}: {} visible from {}", count(n, "service"), doc.namespace),
        ));
        out.push(item(
            format!("{ns}/*"),
            Host,
            format!("the {} of {ns} visible from {}", count(n, "service"), doc.namespace),
        ));
    }
    // Hosts under each namespace part (the client filters them by what is typed).
    let mut seen = std::collections::HashSet::new();
    for s in visible_services(ws, doc) {
        let mut parts = vec![format!("{}/", s.namespace), "*/".to_string()];
        if s.namespace == doc.namespace {
            parts.push("./".to_string());
        }
        for part in parts {
            let host = format!("{part}{}", s.hostname);
            if seen.insert(host.clone()) {
                out.push(item(host, Host, describe(s)));
            }
        }
    }
    out
}

/// Label keys of the workloads of the Sidecar's namespace.
fn label_keys(ws: &Workspace, doc: &Doc<'_>) -> Vec<CompletionItem> {
    let mut keys: BTreeMap<&str, usize> = BTreeMap::new();
    for w in ws.registry().workloads.iter().filter(|w| w.namespace == doc.namespace) {
        for (k, _) in w.labels.iter() {
            *keys.entry(k.as_str()).or_default() += 1;
        }
    }
    keys.into_iter()
        .map(|(k, n)| {
            item(k, CompletionKind::Label, format!("a label of {} of {}", count(n, "workload"), doc.namespace))
        })
        .map(|mut i| {
            i.insert = format!("{}: ", i.label);
            i
        })
        .collect()
}

/// The values of one label among the workloads of the Sidecar's namespace.
fn label_values(ws: &Workspace, doc: &Doc<'_>, key: &str) -> Vec<CompletionItem> {
    let mut values: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for w in ws.registry().workloads.iter().filter(|w| w.namespace == doc.namespace) {
        if let Some(v) = w.labels.get(key) {
            values.entry(v.as_str()).or_default().push(w.name.as_str());
        }
    }
    values
        .into_iter()
        .map(|(v, ws)| {
            let names = ws.iter().take(3).copied().collect::<Vec<_>>().join(", ");
            let more = if ws.len() > 3 { format!(" and {} more", ws.len() - 3) } else { String::new() };
            item(v, CompletionKind::Label, format!("selects {names}{more}"))
        })
        .collect()
}

/// Port numbers (or names) of Services: for an egress listener, of the services the namespace
/// can see; for an ingress listener, of the Services of the Sidecar's namespace.
fn ports(ws: &Workspace, doc: &Doc<'_>, path: &[Segment], names: bool) -> Vec<CompletionItem> {
    let egress = matches!(path.first(), Some(Segment::Key(k)) if k == "egress");
    let reg = ws.registry();
    let services: Vec<&crate::registry::Service> = if egress {
        visible_services(ws, doc).collect()
    } else {
        reg.services_in_namespace(&doc.namespace).iter().map(|&id| &reg.services[id]).collect()
    };
    let mut seen: BTreeMap<String, (String, usize)> = BTreeMap::new();
    for s in services {
        for p in &s.ports {
            let label = if names { p.name.clone() } else { p.number.to_string() };
            if label.is_empty() {
                continue;
            }
            let e = seen.entry(label).or_insert_with(|| {
                (format!("{} {} of {}/{}", protocol_name(p.protocol), p.number, s.namespace, s.resource_name), 0)
            });
            e.1 += 1;
        }
    }
    let mut out: Vec<(String, String, usize)> = seen.into_iter().map(|(l, (d, n))| (l, d, n)).collect();
    if !names {
        out.sort_by_key(|(l, _, _)| l.parse::<u32>().unwrap_or(u32::MAX));
    }
    out.into_iter()
        .map(|(l, d, n)| {
            let d = if n > 1 { format!("{d} and {} more", n - 1) } else { d };
            item(l, CompletionKind::Port, d)
        })
        .collect()
}
