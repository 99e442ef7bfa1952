//! What a workload's calls need imported, read from the mesh: the service each call reaches
//! (as its proxy imports it now), the VirtualServices that apply to the call (bound to the `mesh`
//! gateway, exported to the caller's namespace, a host matching the call's) and every
//! destination of those (routes, mirrors, delegates' routes). A call through a VirtualService
//! needs both: Istio's `SidecarScope` takes a VirtualService only when an egress host selects
//! its namespace and host (`SelectVirtualServices`), and its destinations only when an egress
//! host also selects them (`pilot/pkg/model/sidecar.go`, `selectServices`; the scope-wide
//! service set does add them, see `resolve/scope.rs`, but listeners do not).

use std::collections::BTreeMap;

use serde::Serialize;

use super::evidence::{Observed, Seen};
use crate::host;
use crate::registry::Registry;
use crate::resolve::Resolution;
use crate::workload::Workload;

/// Why a host entry is in the suggestion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Reason {
    /// In words: `called (istio_requests_total{...})`, `destination of VirtualService ns/name`.
    pub why: String,
    /// The evidence record or YAML that needs it.
    pub file: String,
    pub line: u32,
}

impl Reason {
    fn seen(why: impl Into<String>, s: &Seen) -> Reason {
        Reason { why: why.into(), file: s.file.clone(), line: s.line }
    }
}

/// A workload's needs: host entry (`namespace/dnsName`) → its reasons (first few).
#[derive(Debug, Clone, Default)]
pub struct Needs {
    pub hosts: BTreeMap<String, Vec<Reason>>,
    /// The VirtualServices its calls go through (`namespace/name`).
    pub virtual_services: Vec<String>,
    /// Calls to a host the proxy does not import now: they do not reach that service today, so
    /// importing it would change them; left out.
    pub not_imported: Vec<(String, Seen)>,
    /// Calls that only work through `PassthroughCluster` (the host is in no registry the proxy
    /// sees): they break under `REGISTRY_ONLY`.
    pub passthrough: Vec<(String, Seen)>,
}

/// The most reasons kept per host (the count of the others is the evidence's business).
const MAX_REASONS: usize = 3;

impl Needs {
    fn add(&mut self, entry: String, reason: Reason) {
        let reasons = self.hosts.entry(entry).or_default();
        if reasons.len() < MAX_REASONS && !reasons.contains(&reason) {
            reasons.push(reason);
        }
    }

    pub fn merge(&mut self, other: &Needs) {
        for (h, rs) in &other.hosts {
            for r in rs {
                self.add(h.clone(), r.clone());
            }
        }
        for vs in &other.virtual_services {
            if !self.virtual_services.contains(vs) {
                self.virtual_services.push(vs.clone());
            }
        }
    }
}

/// The needs of workload `w` (resolved as `r`) from its calls.
pub fn needs(reg: &Registry, input: &crate::load::Input, w: &Workload, r: &Resolution, calls: &[&Observed]) -> Needs {
    let mut out = Needs::default();
    for c in calls {
        let host = c.host.as_str();
        let imported: Vec<_> = r
            .egress
            .iter()
            .flat_map(|l| &l.services)
            .filter(|s| s.hostname == host || (s.hostname.starts_with('*') && host::matches(host, &s.hostname)))
            .collect();
        let what = format!("observed: {}", c.seen.record);
        let vss: Vec<_> = reg
            .virtual_services
            .iter()
            .filter(|vs| {
                vs.applies_to_mesh() && reg.virtual_service_export_to(vs).indexed_for(&vs.namespace, &w.namespace)
            })
            .filter(|vs| vs.hosts.iter().any(|h| host::matches(host, h)))
            .collect();
        if imported.is_empty() && vss.is_empty() {
            let in_registry = !reg.services_with_hostname(host).is_empty();
            let list = if in_registry && !c.passthrough { &mut out.not_imported } else { &mut out.passthrough };
            list.push((host.to_string(), c.seen.clone()));
            continue;
        }
        if c.passthrough {
            out.passthrough.push((host.to_string(), c.seen.clone()));
        }
        for s in imported.iter().take(1) {
            out.add(format!("{}/{}", s.namespace, s.hostname), Reason::seen(what.clone(), &c.seen));
        }
        for vs in vss {
            let vs_host = vs.hosts.iter().find(|h| host::matches(host, h)).cloned().unwrap_or_default();
            let reason = Reason::seen(format!("VirtualService {}: {what}", vs.id()), &c.seen);
            through_virtual_service(reg, input, w, r, vs, &vs_host, reason, &mut out);
        }
    }
    out
}

/// A call through `vs` (to its host `vs_host`): the VirtualService's host and every
/// destination (routes, mirrors, delegates' routes).
#[allow(clippy::too_many_arguments)]
fn through_virtual_service(
    reg: &Registry,
    input: &crate::load::Input,
    w: &Workload,
    r: &Resolution,
    vs: &crate::registry::VirtualService,
    vs_host: &str,
    reason: Reason,
    out: &mut Needs,
) {
    let id = vs.id();
    let (file, line) = position(input, vs.resource);
    out.add(format!("{}/{vs_host}", vs.namespace), reason);
    if !out.virtual_services.contains(&id) {
        out.virtual_services.push(id.clone());
    }
    let mut dests: Vec<String> = vs.destinations_for(&w.namespace).into_iter().map(|(h, _)| h).collect();
    for d in vs.http_routes.iter().filter_map(|h| h.delegate.as_ref()) {
        let dns = d.namespace.clone().unwrap_or_else(|| vs.namespace.clone());
        if let Some(del) = reg.delegate_routes.iter().find(|x| x.namespace == dns && x.name == d.name) {
            for h in &del.http {
                let hosts = h
                    .route
                    .iter()
                    .filter_map(|w| w.destination.as_ref())
                    .chain(h.mirror.as_ref())
                    .chain(h.mirrors.iter().flatten().filter_map(|m| m.destination.as_ref()))
                    .filter_map(|d| d.host.as_deref());
                dests.extend(hosts.map(|x| host::resolve_short_name(x, &dns, "cluster.local")));
            }
        }
    }
    for d in dests {
        if let Some(ns) = service_namespace(r, &d) {
            let why = format!("destination of VirtualService {id}");
            out.add(format!("{ns}/{d}"), Reason { why, file: file.clone(), line });
        }
    }
}

/// The namespace of the service `hostname` as the proxy imports it now (`None` when it does
/// not: a suggestion never imports what the proxy cannot reach today).
fn service_namespace(r: &Resolution, hostname: &str) -> Option<String> {
    r.egress.iter().flat_map(|l| &l.services).find(|s| s.hostname == hostname).map(|s| s.namespace.clone())
}

/// What the configuration says a workload calls, though nothing observed it: the evidence of
/// our REGISTRY_ONLY check (`analyze/registry_only.rs`, SC3008), so that a suggestion does not
/// raise it: a VirtualService route matching the workload's labels or namespace
/// (`sourceLabels`, `sourceNamespace`), a DestinationRule whose `workloadSelector` selects it, a
/// selector-less DestinationRule of its namespace (not the root namespace's, not exported
/// elsewhere) for another namespace's service.
pub fn configured(reg: &Registry, input: &crate::load::Input, w: &Workload, r: &Resolution) -> Needs {
    let mut out = Needs::default();
    for i in reg.mesh_virtual_services_for(&w.namespace) {
        let vs = &reg.virtual_services[i];
        let selects = vs.http.iter().flat_map(|h| &h.source_matches).any(|(labels, ns)| {
            (ns.is_empty() || *ns == w.namespace)
                && crate::registry::labels::labels_subset(labels, &w.labels)
                && (!labels.is_empty() || !ns.is_empty())
        });
        if !selects {
            continue;
        }
        let (file, line) = position(input, vs.resource);
        for h in vs.hosts.iter().filter(|h| !host::is_wildcarded(h)) {
            let reason = Reason {
                why: format!("VirtualService {} routes this workload's requests to it", vs.id()),
                file: file.clone(),
                line,
            };
            through_virtual_service(reg, input, w, r, vs, h, reason, &mut out);
        }
    }
    for dr in reg.destination_rules.iter().filter(|d| d.namespace == w.namespace) {
        if host::is_wildcarded(&dr.host) || dr.host.is_empty() {
            continue;
        }
        let shows = match &dr.selector {
            Some(sel) => crate::registry::labels::labels_subset(sel, &w.labels),
            None => {
                let exported_elsewhere = dr.export_to.iter().any(|e| e != "." && e != &dr.namespace);
                let local = reg.services_by_hostname(&dr.host).iter().any(|(ns, _)| *ns == dr.namespace);
                dr.namespace != reg.mesh.root_namespace && !exported_elsewhere && !local
            }
        };
        if !shows {
            continue;
        }
        if let Some(ns) = service_namespace(r, &dr.host) {
            let (file, line) = position(input, dr.resource);
            let why = format!("DestinationRule {} configures calls to it", dr.id());
            out.add(format!("{ns}/{}", dr.host), Reason { why, file, line });
        }
    }
    out
}

/// The file and 1-based line of a resource.
pub(crate) fn position(input: &crate::load::Input, resource: usize) -> (String, u32) {
    let r = &input.resources[resource];
    let src = &input.sources[r.source.0 as usize];
    let line = src.line_index().line_of(r.node.range.start) as u32 + 1;
    (src.name.clone(), line)
}
