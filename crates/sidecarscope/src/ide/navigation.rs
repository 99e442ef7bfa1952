//! Go to definition and references: an egress host entry to the Services, ServiceEntries and
//! VirtualServices it imports; a Sidecar to the workloads it governs; a Service (or
//! ServiceEntry) to the host entries of the Sidecars that import it. What "imports" and
//! "governs" mean is the resolver's answer (`resolve::sidecar_scope`, `governing_sidecar`),
//! not a second reading of the YAML.

use serde::Serialize;

use super::{doc_at, sidecar_of, split_host, FilePosition};
use crate::load::ResourceKind;
use crate::registry::{Registry, ServiceId};
use crate::resolve::{governing_sidecar, sidecar_scope};
use crate::source::SourceId;
use crate::text::TextRange;
use crate::workspace::Workspace;
use crate::yaml::cursor::{node_path, Segment};

/// A place a definition or reference leads to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Target {
    /// `Service bookinfo/reviews`, `Deployment default/web`, `Sidecar default/default egress[0].hosts[1]`.
    pub label: String,
    #[serde(skip)]
    pub source: SourceId,
    /// The name to select (`metadata.name`, or the host entry).
    #[serde(skip)]
    pub range: TextRange,
}

/// What the node at a position is, for navigation and hover.
pub(crate) enum Subject {
    /// An egress host entry of a Sidecar: (Sidecar index, listener index, the entry).
    Host(usize, usize, String),
    /// A Sidecar (its name, kind, or selector).
    Sidecar(usize),
    /// A Service or ServiceEntry (the registry services it defines).
    Service(Vec<ServiceId>),
}

/// The subject at a position, and the path there.
pub(crate) fn subject_at(ws: &Workspace, pos: FilePosition) -> Option<(Subject, Vec<Segment>, bool, TextRange)> {
    let doc = doc_at(ws, pos)?;
    let (index, r) = doc.resource?;
    let np = node_path(&r.node, pos.offset)?;
    let reg = ws.registry();
    let key = |i: usize, k: &str| matches!(np.path.get(i), Some(Segment::Key(x)) if x == k);
    let subject = match r.kind {
        ResourceKind::Sidecar => {
            let sc = sidecar_of(reg, index)?;
            match np.path.as_slice() {
                [Segment::Key(s), Segment::Key(e), Segment::Item(l), Segment::Key(h), Segment::Item(_)]
                    if s == "spec" && e == "egress" && h == "hosts" && !np.on_key =>
                {
                    let host = ws.input().source(r.source).slice(np.range).trim_matches(['"', '\'']).to_string();
                    Subject::Host(sc, *l, host)
                }
                _ if key(0, "metadata") && key(1, "name") => Subject::Sidecar(sc),
                _ if key(0, "kind") || (key(0, "spec") && key(1, "workloadSelector")) => Subject::Sidecar(sc),
                _ => return None,
            }
        }
        ResourceKind::Service | ResourceKind::ServiceEntry if key(0, "metadata") && key(1, "name") => Subject::Service(
            reg.services.iter().enumerate().filter(|(_, s)| s.resource == index).map(|(i, _)| i).collect(),
        ),
        _ => return None,
    };
    Some((subject, np.path, np.on_key, np.range))
}

/// The workloads (indices in `Registry::workloads`) that the Sidecar governs.
pub(crate) fn governed(reg: &Registry, sidecar: usize) -> Vec<usize> {
    (0..reg.workloads.len())
        .filter(|&i| {
            let w = &reg.workloads[i];
            governing_sidecar(reg, &w.namespace, &w.labels) == Some(sidecar)
        })
        .collect()
}

/// What one host entry of a Sidecar imports, as its own namespace's proxies get it: the
/// services, the VirtualServices (by id) whose hosts it matches, and the reason when it imports
/// nothing.
pub(crate) struct HostImports {
    pub services: Vec<ServiceId>,
    pub virtual_services: Vec<String>,
    pub unused: Option<String>,
}

pub(crate) fn host_imports(reg: &Registry, sidecar: usize, listener: usize, host: &str) -> HostImports {
    let sc = &reg.sidecars[sidecar];
    let (egress, _) = sidecar_scope(reg, sc, &sc.namespace);
    let Some(l) = egress.get(listener) else {
        return HostImports { services: Vec::new(), virtual_services: Vec::new(), unused: None };
    };
    let services = l.services.iter().filter(|s| s.matched_by == host).map(|s| s.id).collect();
    let unused = l.unused_hosts.iter().find(|u| u.host == host).map(|u| u.reason.clone());
    let virtual_services = match split_host(host) {
        Some((ns, false, dns)) => l
            .virtual_services
            .iter()
            .filter(|id| {
                reg.virtual_service_by_id(id).is_some_and(|vs| {
                    let ns_ok = match ns {
                        "*" => true,
                        "." => vs.namespace == sc.namespace,
                        n => vs.namespace == n,
                    };
                    ns_ok && vs.hosts.iter().any(|h| dns == "*" || crate::host::matches(h, dns))
                })
            })
            .cloned()
            .collect(),
        _ => Vec::new(),
    };
    HostImports { services, virtual_services, unused }
}

/// The host entries (Sidecar index, listener, entry range) that import a service, each
/// Sidecar's scope computed for its own namespace.
pub(crate) fn importers(reg: &Registry, service: ServiceId) -> Vec<(usize, usize, TextRange, String)> {
    let mut out = Vec::new();
    for (i, sc) in reg.sidecars.iter().enumerate() {
        let (egress, _) = sidecar_scope(reg, sc, &sc.namespace);
        for (li, l) in egress.iter().enumerate() {
            for s in l.services.iter().filter(|s| s.id == service) {
                let Some(config) = sc.egress.get(li) else { continue };
                let hi = config.hosts.iter().position(|h| *h == s.matched_by);
                let range = hi.and_then(|hi| config.host_ranges.get(hi)).map(|(_, r)| *r);
                out.push((i, li, range.unwrap_or(sc.name_range), s.matched_by.clone()));
            }
        }
    }
    out
}

fn resource_target(ws: &Workspace, resource: usize, label: String) -> Target {
    let r = &ws.input().resources[resource];
    let range = r.range_at("metadata.name");
    Target { label, source: r.source, range }
}

fn service_target(ws: &Workspace, id: ServiceId) -> Target {
    let s = &ws.registry().services[id];
    let what = if s.registry == crate::registry::ServiceRegistry::Kubernetes { "Service" } else { "ServiceEntry" };
    resource_target(ws, s.resource, format!("{what} {}/{} ({})", s.namespace, s.resource_name, s.hostname))
}

/// Where the thing at `pos` is defined: a host entry's services and VirtualServices, a
/// Sidecar's governed workloads.
pub fn definition(ws: &Workspace, pos: FilePosition) -> Vec<Target> {
    let Some((subject, ..)) = subject_at(ws, pos) else { return Vec::new() };
    let reg = ws.registry();
    match subject {
        Subject::Host(sc, l, host) => {
            let imports = host_imports(reg, sc, l, &host);
            let mut out: Vec<Target> = imports.services.iter().map(|&id| service_target(ws, id)).collect();
            if out.is_empty() {
                // Nothing imported: the services the entry names, wherever they are.
                if let Some((_, _, dns)) = split_host(&host) {
                    out.extend(reg.services_with_hostname(dns).iter().map(|&id| service_target(ws, id)));
                }
            }
            for id in imports.virtual_services {
                if let Some(vs) = reg.virtual_service_by_id(&id) {
                    out.push(resource_target(ws, vs.resource, format!("VirtualService {id}")));
                }
            }
            out
        }
        Subject::Sidecar(sc) => governed(reg, sc)
            .into_iter()
            .map(|w| {
                let w = &reg.workloads[w];
                resource_target(ws, w.resource, format!("{} {}/{}", w.kind, w.namespace, w.name))
            })
            .collect(),
        Subject::Service(_) => Vec::new(),
    }
}

/// What refers to the thing at `pos`: the host entries of Sidecars that import a Service (or
/// ServiceEntry); for a host entry or a Sidecar, what [`definition`] gives.
pub fn references(ws: &Workspace, pos: FilePosition) -> Vec<Target> {
    let Some((subject, ..)) = subject_at(ws, pos) else { return Vec::new() };
    let reg = ws.registry();
    match subject {
        Subject::Service(ids) => {
            let mut out: Vec<Target> = Vec::new();
            for id in ids {
                for (sc, l, range, host) in importers(reg, id) {
                    let sc = &reg.sidecars[sc];
                    let source = ws.input().resources[sc.resource].source;
                    let t = Target { label: format!("Sidecar {} egress[{l}] {host}", sc.id()), source, range };
                    if !out.contains(&t) {
                        out.push(t);
                    }
                }
            }
            out
        }
        _ => definition(ws, pos),
    }
}
