//! What changed between the two sides, and whose configuration it may change: the inputs of a
//! workload's proxy, so that only the workloads whose inputs changed are resolved, given
//! listeners and traced again.
//!
//! A resource is the same on both sides when a resource of the same group, kind, namespace and
//! name has the same content (`Node::same_content`: keys, scalars, order; not positions or
//! formatting). The inputs of a workload's proxy are:
//!
//! * its own resource (labels, IP, annotations: the Sidecar it gets, its proxy metadata);
//! * the Sidecar that governs it on each side (which one, and its content);
//! * the mesh ConfigMap (root namespace, outbound policy, exportTo defaults): any change there
//!   recomputes every workload;
//! * the services, VirtualServices and DestinationRules its egress hosts can reach: a changed
//!   one counts when one of its hosts overlaps the `dnsName` of an egress host entry of the
//!   governing Sidecar (on either side; the namespace part and `exportTo` are ignored, so this
//!   is a superset), or when it is the destination of a VirtualService whose host does (Istio
//!   adds a VirtualService's destinations to the scope); no Sidecar means `*/*`, which every
//!   host overlaps;
//! * what decides its inbound ports and chains: the resources of its namespace (its Services,
//!   and ServiceEntries with an endpoint at its IP, which Istio's `GetProxyServiceTargets` takes
//!   from the proxy's namespace only; PeerAuthentications), the DestinationRules and services
//!   of the changed hosts' namespaces, and the root namespace's PeerAuthentications and
//!   DestinationRules (everyone);
//! * the workloads and endpoint lists of a namespace (headless services' listeners, named
//!   target ports): a changed one counts as a change of every service of its namespace.
//!
//! Everything else (Namespaces, kinds nothing reads) changes only the analysis, which runs whole
//! on both sides. A test compares the result with recomputing every workload.

use std::collections::{HashMap, HashSet};

use crate::host;
use crate::load::{Input, Resource, ResourceKind};
use crate::registry::Registry;
use crate::workload::Workload;

/// The two sides of a comparison, as indexes of arrays of two.
pub(crate) const BASE: usize = 0;
pub(crate) const HEAD: usize = 1;

/// What changed between the two inputs.
pub(crate) struct Changes {
    /// Per side, per resource: its content differs on the other side (or it is missing there).
    pub changed: [Vec<bool>; 2],
    /// Everything is recomputed (the mesh ConfigMap, a delegate VirtualService, a root
    /// namespace DestinationRule or PeerAuthentication changed).
    pub all: bool,
    /// Hosts of changed services, VirtualServices (and their destinations) and DestinationRules.
    pub hosts: Vec<String>,
    /// Namespaces whose every workload is recomputed: those of every changed resource but
    /// Sidecars, and of
    /// the services the changed hosts name (their inbound side may have changed).
    pub namespaces: HashSet<String>,
    /// Per side: VirtualService destination host → the hosts of the VirtualServices routing to it.
    routed_by: [HashMap<String, Vec<String>>; 2],
}

/// A resource's identity across the two sides: group, kind, namespace, name.
fn key(r: &Resource) -> (&str, &str, &str, &str) {
    let group = r.api_version.rsplit_once('/').map_or("", |(g, _)| g);
    (group, r.kind_name.as_str(), r.namespace.as_str(), r.name.as_str())
}

/// Which resources differ: resources with the same identity are paired in input order (a
/// duplicate without a partner is a change).
fn changed_resources(inputs: [&Input; 2]) -> [Vec<bool>; 2] {
    let mut by_key: rustc_hash::FxHashMap<(&str, &str, &str, &str), [Vec<usize>; 2]> = Default::default();
    for (side, input) in inputs.iter().enumerate() {
        for (i, r) in input.resources.iter().enumerate() {
            by_key.entry(key(r)).or_default()[side].push(i);
        }
    }
    let mut changed = [vec![true; inputs[0].resources.len()], vec![true; inputs[1].resources.len()]];
    for [base, head] in by_key.values() {
        for (&b, &h) in base.iter().zip(head) {
            if inputs[0].resources[b].same_content(inputs[0], &inputs[1].resources[h], inputs[1]) {
                changed[BASE][b] = false;
                changed[HEAD][h] = false;
            }
        }
    }
    changed
}

impl Changes {
    pub fn new(inputs: [&Input; 2], regs: [&Registry; 2]) -> Changes {
        let changed = changed_resources(inputs);
        let mut c = Changes {
            changed,
            all: regs[0].mesh.root_namespace != regs[1].mesh.root_namespace,
            hosts: Vec::new(),
            namespaces: HashSet::new(),
            routed_by: [routed_by(regs[0]), routed_by(regs[1])],
        };
        for side in [BASE, HEAD] {
            let (input, reg) = (inputs[side], regs[side]);
            let root = reg.mesh.root_namespace.as_str();
            for (i, r) in input.resources.iter().enumerate().filter(|(i, _)| c.changed[side][*i]) {
                // A Sidecar counts through the workloads it governs (`Engine::sidecar_changed`).
                if r.kind != ResourceKind::Sidecar {
                    c.namespaces.insert(r.namespace.clone());
                }
                match r.kind {
                    ResourceKind::MeshConfigMap => c.all = true,
                    ResourceKind::Service | ResourceKind::ServiceEntry => {
                        for s in reg.services.iter().filter(|s| s.resource == i) {
                            c.hosts.push(s.hostname.clone());
                        }
                    }
                    ResourceKind::VirtualService => {
                        let mut found = false;
                        for vs in reg.virtual_services.iter().filter(|v| v.resource == i) {
                            found = true;
                            c.hosts.extend(vs.hosts.iter().cloned());
                            let dests = vs.http.iter().flat_map(|h| &h.destinations).chain(&vs.tcp_tls);
                            c.hosts.extend(dests.map(|d| d.host.clone()));
                        }
                        // A VirtualService without hosts is a delegate: its roots are found by
                        // name, from any namespace.
                        c.all |= !found;
                    }
                    ResourceKind::DestinationRule => {
                        c.all |= r.namespace == root;
                        c.hosts
                            .extend(reg.destination_rules.iter().filter(|d| d.resource == i).map(|d| d.host.clone()));
                    }
                    ResourceKind::PeerAuthentication => c.all |= r.namespace == root,
                    ResourceKind::Sidecar | ResourceKind::Namespace => {}
                    // A workload, an EndpointSlice or anything else of a namespace: endpoints
                    // and named target ports of that namespace's services.
                    _ => {
                        for s in reg.services.iter().filter(|s| s.namespace == r.namespace) {
                            c.hosts.push(s.hostname.clone());
                        }
                    }
                }
            }
        }
        c.hosts.sort_unstable();
        c.hosts.dedup();
        // The inbound side: the namespaces of the services the changed hosts name.
        for reg in regs {
            for s in &reg.services {
                if c.hosts.iter().any(|h| host::matches(h, &s.hostname)) {
                    c.namespaces.insert(s.namespace.clone());
                }
            }
        }
        c
    }

    /// Whether a changed host can be in the scope of a proxy governed by `sidecar` (index in
    /// `reg`; `None`: no Sidecar, hosts `*/*`).
    pub fn reaches(&self, reg: &Registry, sidecar: Option<usize>) -> bool {
        if self.hosts.is_empty() {
            return false;
        }
        let Some(sc) = sidecar.map(|i| &reg.sidecars[i]).filter(|sc| !sc.egress.is_empty()) else {
            return true;
        };
        let names: Vec<&str> = sc
            .egress
            .iter()
            .flat_map(|l| &l.hosts)
            .filter(|h| !h.starts_with('~'))
            .filter_map(|h| h.split_once('/').map(|(_, d)| d))
            .collect();
        let overlaps = |h: &str| names.iter().any(|d| host::matches(h, d));
        self.hosts.iter().any(|h| {
            overlaps(h) || self.routed_by.iter().any(|m| m.get(h).is_some_and(|vs| vs.iter().any(|v| overlaps(v))))
        })
    }

    /// Whether the inputs of `w`'s proxy changed, apart from its Sidecar and the hosts.
    pub fn touches(&self, w: [&Workload; 2]) -> bool {
        self.all
            || self.changed[BASE][w[BASE].resource]
            || self.changed[HEAD][w[HEAD].resource]
            || self.namespaces.contains(&w[BASE].namespace)
    }
}

/// VirtualService destination host → the hosts of the VirtualServices that route to it.
fn routed_by(reg: &Registry) -> HashMap<String, Vec<String>> {
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    for vs in &reg.virtual_services {
        for d in vs.http.iter().flat_map(|h| &h.destinations).chain(&vs.tcp_tls) {
            out.entry(d.host.clone()).or_default().extend(vs.hosts.iter().cloned());
        }
    }
    out
}
