//! Hover: a field's documentation (`docs.rs`, with its link to Istio's reference), and facts
//! from the mesh: the workloads a Sidecar governs, the services a host entry imports (and the
//! Service or ServiceEntry a host names), the Sidecars that import a Service, and the effective
//! outbound policy where the Sidecar leaves it to its default.

use serde::Serialize;

use super::docs::{enum_value_doc, field_doc, reference_url};
use super::navigation::{governed, host_imports, importers, subject_at, Subject};
use super::{count, doc_at, schema_at, sidecar_of, split_host, FilePosition};
use crate::load::ResourceKind;
use crate::registry::Registry;
use crate::text::TextRange;
use crate::validate::schema::Schema;
use crate::workspace::Workspace;
use crate::yaml::cursor::{node_path, Segment};

/// What hover shows: Markdown, and the range it is about.
#[derive(Debug, Clone, Serialize)]
pub struct Hover {
    #[serde(skip)]
    pub range: TextRange,
    pub markdown: String,
}

/// How many names a list shows before "and N more".
const LIST: usize = 10;

fn list(names: impl IntoIterator<Item = String>) -> String {
    let names: Vec<String> = names.into_iter().collect();
    let mut out: Vec<String> = names.iter().take(LIST).map(|n| format!("- {n}")).collect();
    if names.len() > LIST {
        out.push(format!("- and {} more", names.len() - LIST));
    }
    out.join("\n")
}

/// The hover at `pos`.
pub fn hover(ws: &Workspace, pos: FilePosition) -> Option<Hover> {
    let doc = doc_at(ws, pos)?;
    let (index, r) = doc.resource?;
    let np = node_path(&r.node, pos.offset)?;
    let reg = ws.registry();
    let mut parts: Vec<String> = Vec::new();
    if r.kind == ResourceKind::Sidecar {
        match np.path.as_slice() {
            [Segment::Key(s), rest @ ..] if s == "spec" && !rest.is_empty() => {
                parts.extend(field_markdown(rest, np.on_key));
            }
            // The resource's own fields (a value of `name` is the Sidecar: below).
            [Segment::Key(k)] if np.on_key => parts.extend(doc_of(super::completion::TOP_LEVEL, k)),
            [Segment::Key(m), Segment::Key(k)] if m == "metadata" && np.on_key => {
                parts.extend(doc_of(super::completion::METADATA, k))
            }
            _ => {}
        }
    }
    if let Some((subject, path, on_key, _)) = subject_at(ws, pos) {
        match subject {
            Subject::Host(sc, l, host) => parts.push(host_markdown(ws, sc, l, &host)),
            Subject::Sidecar(sc) if !on_key || path.len() <= 2 => parts.push(sidecar_markdown(ws, sc)),
            Subject::Sidecar(_) => {}
            Subject::Service(ids) => {
                let mut users = Vec::new();
                for id in ids {
                    for (sc, l, _, host) in importers(reg, id) {
                        users.push(format!("Sidecar {} (egress[{l}] `{host}`)", reg.sidecars[sc].id()));
                    }
                }
                users.dedup();
                parts.push(if users.is_empty() {
                    "Imported by no Sidecar of the input (proxies without a Sidecar import every visible service)."
                        .into()
                } else {
                    let entries = if users.len() == 1 {
                        "1 Sidecar host entry".to_string()
                    } else {
                        format!("{} Sidecar host entries", users.len())
                    };
                    format!("Imported by {entries}:\n\n{}", list(users))
                });
            }
        }
    } else if r.kind == ResourceKind::Sidecar && np.path.first() == Some(&Segment::Key("spec".into())) {
        // Effective values where the Sidecar leaves a default.
        if matches!(np.path.get(1), Some(Segment::Key(k)) if k == "outboundTrafficPolicy") {
            if let Some(sc) = sidecar_of(reg, index) {
                parts.push(outbound_markdown(reg, sc));
            }
        }
    }
    if parts.is_empty() {
        return None;
    }
    Some(Hover { range: np.range, markdown: parts.join("\n\n---\n\n") })
}

fn doc_of(table: &[(&str, &str)], key: &str) -> Option<String> {
    table.iter().find(|(k, _)| *k == key).map(|(k, d)| format!("**{k}**\n\n{d}"))
}

/// The documentation of the field at `path` (under `spec`), or of the enum value there.
fn field_markdown(path: &[Segment], on_key: bool) -> Option<String> {
    // A value's documentation is its field's; an item's, its list's.
    let (schema, field) = schema_at(path)?;
    let (msg, f) = field?;
    let doc = field_doc(msg, f)?;
    let mut out = format!("**{}** ({})\n\n{}", f.json, super::docs::message_name(msg), doc.summary);
    if !doc.detail.is_empty() {
        out.push_str(&format!("\n\n{}", doc.detail));
    }
    if let (Schema::Enum { values, .. }, false) = (schema, on_key) {
        out.push_str(&format!(
            "\n\nValues: {}",
            values.iter().map(|v| format!("`{v}` ({})", enum_value_doc(v))).collect::<Vec<_>>().join("; ")
        ));
    }
    out.push_str(&format!("\n\n[Istio reference]({})", reference_url(msg, f)));
    Some(out)
}

fn sidecar_markdown(ws: &Workspace, sc: usize) -> String {
    let reg = ws.registry();
    let config = &reg.sidecars[sc];
    let resource = &ws.input().resources[config.resource];
    let namespace = if resource.namespace_explicit {
        String::new()
    } else {
        format!(
            "Namespace `{}`: not written, so the one `kubectl apply` puts it in (`-n`, else `default`).\n\n",
            config.namespace
        )
    };
    let workloads: Vec<String> = governed(reg, sc)
        .into_iter()
        .map(|w| {
            let w = &reg.workloads[w];
            format!("{} {}/{}", w.kind, w.namespace, w.name)
        })
        .collect();
    let governs = if workloads.is_empty() {
        format!("Sidecar {} governs no workload of the input.", config.id())
    } else {
        format!("Sidecar {} governs {}:\n\n{}", config.id(), count(workloads.len(), "workload"), list(workloads))
    };
    format!("{namespace}{governs}\n\n{}", outbound_markdown(reg, sc))
}

fn outbound_markdown(reg: &Registry, sc: usize) -> String {
    let config = &reg.sidecars[sc];
    match &config.outbound_traffic_policy {
        Some(p) if p.mode_omitted => format!(
            "Effective outbound policy: `{}` (`mode` is omitted: Istio reads the enum's first value)",
            p.mode.as_str()
        ),
        Some(p) => format!("Effective outbound policy: `{}` (set here)", p.mode.as_str()),
        None => format!(
            "Effective outbound policy: `{}` (the Sidecar sets none: {})",
            reg.mesh.outbound_traffic_policy_mode.as_str(),
            reg.mesh.outbound_source()
        ),
    }
}

fn host_markdown(ws: &Workspace, sc: usize, listener: usize, host: &str) -> String {
    let reg = ws.registry();
    let config = &reg.sidecars[sc];
    let imports = host_imports(reg, sc, listener, host);
    let mut out = if imports.services.is_empty() {
        format!("`{host}` imports no service for the proxies of {}", config.namespace)
    } else {
        let names = imports.services.iter().map(|&id| {
            let s = &reg.services[id];
            let ports: Vec<String> = s.ports.iter().map(|p| p.number.to_string()).collect();
            format!("{} ({}, ports {})", s.hostname, s.namespace, ports.join(", "))
        });
        format!(
            "`{host}` imports {} for the proxies of {}:\n\n{}",
            count(imports.services.len(), "service"),
            config.namespace,
            list(names)
        )
    };
    if let Some(reason) = imports.unused {
        out.push_str(&format!(": {reason}"));
    }
    if !imports.virtual_services.is_empty() {
        out.push_str(&format!("\n\nand VirtualServices:\n\n{}", list(imports.virtual_services)));
    }
    if let Some((_, _, dns)) = split_host(host) {
        let named: Vec<String> = reg
            .services_with_hostname(dns)
            .iter()
            .map(|&id| {
                let s = &reg.services[id];
                let what =
                    if s.registry == crate::registry::ServiceRegistry::Kubernetes { "Service" } else { "ServiceEntry" };
                let visible =
                    if reg.service_visible(id, &config.namespace) { "" } else { " (not exported to this namespace)" };
                format!("{what} {}/{}{visible}", s.namespace, s.resource_name)
            })
            .collect();
        if !named.is_empty() {
            out.push_str(&format!("\n\n`{dns}` is defined by:\n\n{}", list(named)));
        }
    }
    out
}
