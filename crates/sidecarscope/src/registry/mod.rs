//! The service registry and config indexes istiod builds once per push (`PushContext`):
//! services from Kubernetes Services and ServiceEntries, VirtualServices, DestinationRules and
//! Sidecars, each in Istio's order, indexed by namespace and hostname so that resolving a proxy
//! never scans what it cannot see. Built once with [`Registry::build`], shared by every
//! resolution.

pub mod destination_rule;
pub(crate) mod endpoints;
pub mod export_to;
pub mod http_route;
pub mod labels;
pub mod mesh_config;
pub mod peer_authentication;
pub mod policy;
pub mod service;
pub mod sidecar;
pub mod time;
pub mod virtual_service;

use std::collections::HashSet;

use rustc_hash::FxHashMap as HashMap;
use std::sync::Arc;

use crate::load::{Input, ResourceKind};
use crate::workload::Workload;
use crate::yaml::Node;

pub use destination_rule::{ConsolidatedRule, DestinationRule, DestinationRuleIndex, LookupStep};
pub use export_to::{ExportTo, Exported};
pub use mesh_config::MeshSettings;
pub use peer_authentication::{Mtls, MtlsMode, PeerAuthentications};
pub use policy::{EgressProxy, OutboundMode, OutboundPolicy, PortTrafficPolicy, Settings, TrafficPolicy};
pub use service::{protocol_name, Service, ServicePort, ServiceRegistry, ServiceResolution, TargetPort};
pub use sidecar::{EgressListenerConfig, IngressListenerConfig, ListenerPort, SidecarConfig};
pub use time::CreationTime;
pub use virtual_service::{VirtualService, MESH_GATEWAY};

/// Index of a service in [`Registry::services`].
pub type ServiceId = usize;

#[derive(Debug, Clone, Default)]
pub struct Registry {
    pub mesh: MeshSettings,
    /// Every service, oldest first (ties: name, then namespace), as Istio's
    /// `SortServicesByCreationTime`.
    pub services: Vec<Service>,
    /// Istio `ServiceIndex.HostnameAndNamespace`: one service per hostname and namespace (the
    /// oldest, unless a later one is a Kubernetes Service).
    host_and_namespace: HashMap<String, Vec<(String, ServiceId)>>,
    /// Services exported to everyone (`*`).
    public: Vec<ServiceId>,
    /// Services private to, or explicitly exported to, a namespace.
    exported_to: HashMap<String, Vec<ServiceId>>,
    /// Services by namespace (for the services that select a workload).
    by_namespace: HashMap<String, Vec<ServiceId>>,
    /// Every service by hostname, in registry order.
    by_hostname: HashMap<String, Vec<ServiceId>>,
    /// VirtualServices with hosts, oldest first.
    pub virtual_services: Vec<VirtualService>,
    vs_public: Vec<usize>,
    vs_private: HashMap<String, Vec<usize>>,
    vs_exported: HashMap<String, Vec<usize>>,
    /// `namespace/name` -> the first VirtualService of that id.
    vs_by_id: HashMap<String, usize>,
    /// DestinationRules with a selector first, then oldest first.
    pub destination_rules: Vec<DestinationRule>,
    pub destination_rule_index: DestinationRuleIndex,
    /// Sidecars with a `workloadSelector` first, then the others; oldest first in each group.
    /// Shared (`Arc`) so that every resolution can keep the Sidecar it used without copying it.
    pub sidecars: Vec<Arc<SidecarConfig>>,
    /// Endpoint addresses of the services (EndpointSlices, Endpoints, ServiceEntry endpoints).
    pub(crate) endpoints: endpoints::Endpoints,
    sidecars_by_namespace: HashMap<String, Vec<usize>>,
    /// The selectors of each namespace's Sidecars (positions in `sidecars_by_namespace`), so
    /// that picking a workload's Sidecar does not scan every Sidecar of its namespace.
    sidecar_selectors: HashMap<String, labels::SelectorIndex>,
    /// The root Sidecar: the first selector-less Sidecar in the root namespace.
    pub root_sidecar: Option<usize>,
    /// The Namespaces of the input (name, `metadata.labels`), in input order.
    pub namespace_labels: Vec<(String, labels::Labels)>,
    /// The routes of VirtualServices with an empty `hosts` list, in input order (Istio looks a
    /// root's `http[].delegate` up among them).
    pub delegate_routes: Vec<http_route::DelegateRoutes>,
    /// Workloads of the input (for named target ports).
    pub workloads: Vec<Workload>,
    /// PeerAuthentications, oldest first.
    pub peer_authentications: PeerAuthentications,
    /// Namespaces that something singles out (see [`Registry::namespace_is_neutral`]).
    distinct_namespaces: HashSet<String>,
}

impl Registry {
    /// Builds every index from the input; cost O(n log n) in the number of resources.
    pub fn build(input: &Input) -> Registry {
        let mut reg = Registry::for_input(input);
        (0..input.resources.len()).for_each(|i| reg.read_resource(input, i));
        reg.index(input);
        reg
    }

    /// As [`Registry::build`], releasing each resource's tree once the registry has read it when
    /// nothing else reads it after (`Resource::tree_is_extracted`): Services and workloads, most
    /// of a mesh's documents. For callers that need no more of the input than its Sidecars and
    /// other Istio resources, its sources and its annotations (the CLI's `analyze`).
    pub fn build_releasing_trees(input: &mut Input) -> Registry {
        Registry::build_releasing_trees_validated(input, Vec::new())
    }

    /// As [`Registry::build_releasing_trees`], with the validation errors of the Sidecars
    /// (`sidecar::validation_errors`, by resource index) when the caller has them already.
    pub(crate) fn build_releasing_trees_validated(
        input: &mut Input,
        mut validated: Vec<Option<Vec<String>>>,
    ) -> Registry {
        let mut reg = Registry::for_input(input);
        for i in 0..input.resources.len() {
            let errors = validated.get_mut(i).and_then(Option::take);
            reg.read_resource_validated(input, i, errors);
            let r = &mut input.resources[i];
            if r.tree_is_extracted() {
                r.release_tree();
            }
        }
        reg.index(input);
        reg
    }

    /// An empty registry with the input's MeshConfig, its workloads' and services' lists sized
    /// for the input (grown by doubling, they held up to twice their size on a large mesh).
    fn for_input(input: &Input) -> Registry {
        let workloads = input.resources.iter().filter(|r| r.kind.is_workload()).count();
        // One service per Kubernetes Service and (usually) per ServiceEntry host.
        let services = input
            .resources
            .iter()
            .map(|r| match r.kind {
                ResourceKind::Service => 1,
                ResourceKind::ServiceEntry => {
                    r.spec().and_then(|s| s.get("hosts")).and_then(Node::as_seq).map_or(0, <[Node]>::len)
                }
                _ => 0,
            })
            .sum();
        Registry {
            mesh: MeshSettings::from_input(input),
            workloads: Vec::with_capacity(workloads),
            services: Vec::with_capacity(services),
            ..Registry::default()
        }
    }

    /// Reads what the registry keeps of one resource.
    fn read_resource(&mut self, input: &Input, i: usize) {
        self.read_resource_validated(input, i, None);
    }

    fn read_resource_validated(&mut self, input: &Input, i: usize, validated: Option<Vec<String>>) {
        let r = &input.resources[i];
        self.workloads.extend(crate::workload::workload(input, r, i));
        match r.kind {
            ResourceKind::Service => self.services.push(service::from_kubernetes(r, i)),
            ResourceKind::ServiceEntry => self.services.extend(service::from_service_entry(r, i)),
            ResourceKind::VirtualService => {
                self.delegate_routes.extend(virtual_service::delegate_from_resource(r, i));
                self.virtual_services.extend(virtual_service::from_resource(r, i));
            }
            ResourceKind::DestinationRule => self.destination_rules.extend(destination_rule::from_resource(r, i)),
            ResourceKind::Namespace => {
                self.namespace_labels.push((r.name.clone(), labels::string_map(r.node.at(&["metadata", "labels"]))))
            }
            ResourceKind::Sidecar => self.sidecars.push(Arc::new(sidecar::from_resource_validated(r, i, validated))),
            _ => {}
        }
    }

    /// Orders and indexes what [`Registry::read_resource`] read.
    fn index(&mut self, input: &Input) {
        self.index_services();
        self.index_virtual_services();
        for (i, vs) in self.virtual_services.iter().enumerate() {
            self.vs_by_id.entry(vs.id()).or_insert(i);
        }
        self.destination_rules.sort_by(|a, b| {
            (a.selector.is_none(), a.creation, &a.name, &a.namespace).cmp(&(
                b.selector.is_none(),
                b.creation,
                &b.name,
                &b.namespace,
            ))
        });
        self.destination_rule_index = DestinationRuleIndex::build(&self.destination_rules, &self.mesh);
        self.index_sidecars();
        self.index_distinct_namespaces();
        self.endpoints = endpoints::Endpoints::build(input);
        self.peer_authentications = PeerAuthentications::build(input);
    }

    /// Records every namespace that some config treats specially, so that all other namespaces
    /// are known to see the same services, VirtualServices and DestinationRules.
    fn index_distinct_namespaces(&mut self) {
        let mut out: HashSet<String> = HashSet::new();
        for s in &self.services {
            let export = self.service_export_to(s);
            if !export.contains("*") {
                out.insert(s.namespace.clone());
            }
            out.extend(export.0.iter().filter(|e| !matches!(e.as_str(), "*" | "." | "~")).cloned());
        }
        for per_ns in self.host_and_namespace.values().filter(|v| v.len() > 1) {
            out.extend(per_ns.iter().map(|(ns, _)| ns.clone()));
        }
        out.extend(self.vs_private.keys().cloned());
        out.extend(self.vs_exported.keys().cloned());
        for vs in &self.virtual_services {
            if vs.gateway_semantics {
                out.insert(vs.namespace.clone());
            }
            out.extend(vs.http.iter().flat_map(|h| h.source_namespaces.iter().cloned()));
        }
        self.distinct_namespaces = out;
    }

    /// Whether nothing singles this namespace out for services and VirtualServices: no service
    /// or VirtualService names it in exportTo or a sourceNamespace match, its own services are
    /// public with hostnames no other namespace uses, and no VirtualService is private or
    /// exported to it. The egress listeners and scope-wide services of a Sidecar without `./`
    /// hosts are then the same for all such namespaces, so istiod's per-namespace work can be
    /// shared. (DestinationRules are still looked up per namespace.)
    pub fn namespace_is_neutral(&self, ns: &str) -> bool {
        !self.distinct_namespaces.contains(ns)
    }

    /// The first VirtualService whose `namespace/name` is `id` (as resolution lists them), by
    /// lookup: listeners and analysis ask for each imported VirtualService of each proxy.
    pub fn virtual_service_by_id(&self, id: &str) -> Option<&VirtualService> {
        self.vs_by_id.get(id).map(|&i| &self.virtual_services[i])
    }

    /// Istio `initServiceRegistry`.
    fn index_services(&mut self) {
        self.services.sort_by(|a, b| (a.creation, &a.name, &a.namespace).cmp(&(b.creation, &b.name, &b.namespace)));
        for (id, s) in self.services.iter().enumerate() {
            let per_ns = self.host_and_namespace.entry(s.hostname.clone()).or_default();
            match per_ns.iter_mut().find(|(ns, _)| *ns == s.namespace) {
                None => per_ns.push((s.namespace.clone(), id)),
                Some((_, existing)) => {
                    // A Kubernetes Service takes a hostname over from a ServiceEntry ("domain squatting").
                    if self.services[*existing].registry != ServiceRegistry::Kubernetes
                        && s.registry == ServiceRegistry::Kubernetes
                    {
                        *existing = id;
                    }
                }
            }
            self.by_namespace.entry(s.namespace.clone()).or_default().push(id);
            self.by_hostname.entry(s.hostname.clone()).or_default().push(id);
            let export_to = self.service_export_to(s);
            match export_to.exported(&s.namespace) {
                Exported::Public => self.public.push(id),
                Exported::Hidden => {}
                Exported::To(namespaces) => {
                    for ns in namespaces {
                        self.exported_to.entry(ns).or_default().push(id);
                    }
                }
            }
        }
    }

    /// Istio `initVirtualServices`, for the `mesh` gateway only (sidecars use nothing else).
    fn index_virtual_services(&mut self) {
        self.virtual_services
            .sort_by(|a, b| (a.creation, &a.name, &a.namespace).cmp(&(b.creation, &b.name, &b.namespace)));
        for (i, vs) in self.virtual_services.iter().enumerate() {
            if !vs.applies_to_mesh() {
                continue;
            }
            match self.virtual_service_export_to(vs).exported(&vs.namespace) {
                Exported::Public => self.vs_public.push(i),
                Exported::Hidden => {}
                Exported::To(namespaces) => {
                    for ns in namespaces {
                        let map = if ns == vs.namespace { &mut self.vs_private } else { &mut self.vs_exported };
                        map.entry(ns).or_default().push(i);
                    }
                }
            }
        }
    }

    /// Istio `initSidecarScopes`: selector Sidecars first, each group oldest first.
    fn index_sidecars(&mut self) {
        let mut sidecars = std::mem::take(&mut self.sidecars);
        sidecars.sort_by(|a, b| (a.creation, &a.name, &a.namespace).cmp(&(b.creation, &b.name, &b.namespace)));
        let (mut with, without): (Vec<_>, Vec<_>) = sidecars.into_iter().partition(|s| s.workload_selector.is_some());
        with.extend(without);
        self.sidecars = with;
        for (i, sc) in self.sidecars.iter().enumerate() {
            self.sidecars_by_namespace.entry(sc.namespace.clone()).or_default().push(i);
        }
        for (ns, in_ns) in &self.sidecars_by_namespace {
            let index = labels::SelectorIndex::new(in_ns.iter().map(|&i| self.sidecars[i].workload_selector.as_ref()));
            self.sidecar_selectors.insert(ns.clone(), index);
        }
        self.root_sidecar =
            self.sidecars.iter().position(|s| s.namespace == self.mesh.root_namespace && s.workload_selector.is_none());
    }

    /// A service's effective exportTo: its own, or MeshConfig `defaultServiceExportTo`.
    pub fn service_export_to(&self, s: &Service) -> ExportTo {
        s.export_to.clone().unwrap_or_else(|| ExportTo::new(self.mesh.default_service_export_to.iter().cloned()))
    }

    /// A VirtualService's effective exportTo (`.` already replaced by its namespace).
    pub fn virtual_service_export_to(&self, vs: &VirtualService) -> ExportTo {
        vs.export_to.clone().unwrap_or_else(|| {
            ExportTo::new(self.mesh.default_virtual_service_export_to.iter().map(|e| {
                if e == "." {
                    vs.namespace.clone()
                } else {
                    e.clone()
                }
            }))
        })
    }

    /// Istio `IsServiceVisible`.
    pub fn service_visible(&self, id: ServiceId, ns: &str) -> bool {
        let s = &self.services[id];
        match &s.export_to {
            Some(e) => e.service_visible(&s.namespace, ns),
            None => {
                ExportTo::new(self.mesh.default_service_export_to.iter().cloned()).service_visible(&s.namespace, ns)
            }
        }
    }

    /// Istio `servicesExportedToNamespace`: services private or exported to `ns`, then public ones.
    pub fn services_exported_to(&self, ns: &str) -> impl Iterator<Item = ServiceId> + '_ {
        self.exported_to.get(ns).into_iter().flatten().chain(self.public.iter()).copied()
    }

    /// Keeps the services that `servicesExportedToNamespace(config_ns)` would list, in that
    /// list's order (exported-to-namespace first, then public; oldest first in each). Lets an
    /// egress listener look only at the services its hosts can match, yet see them as Istio's
    /// full scan does.
    pub fn in_exported_order(&self, ids: impl IntoIterator<Item = ServiceId>, config_ns: &str) -> Vec<ServiceId> {
        let exported = self.exported_to.get(config_ns).map_or(&[][..], Vec::as_slice);
        let mut out: Vec<(bool, ServiceId)> = ids
            .into_iter()
            .filter_map(|id| {
                if exported.binary_search(&id).is_ok() {
                    Some((false, id))
                } else {
                    self.public.binary_search(&id).is_ok().then_some((true, id))
                }
            })
            .collect();
        out.sort_unstable();
        out.dedup();
        out.into_iter().map(|(_, id)| id).collect()
    }

    /// Every service with this hostname, in registry order.
    pub fn services_with_hostname(&self, hostname: &str) -> &[ServiceId] {
        self.by_hostname.get(hostname).map_or(&[], Vec::as_slice)
    }

    /// Istio `ServiceIndex.HostnameAndNamespace[hostname][namespace]`.
    pub fn service_in(&self, hostname: &str, ns: &str) -> Option<ServiceId> {
        self.host_and_namespace.get(hostname)?.iter().find(|(n, _)| n == ns).map(|(_, id)| *id)
    }

    /// Istio `ServiceIndex.HostnameAndNamespace[hostname]`: one service per namespace.
    pub fn services_by_hostname(&self, hostname: &str) -> &[(String, ServiceId)] {
        self.host_and_namespace.get(hostname).map_or(&[], Vec::as_slice)
    }

    /// Every service of a namespace, in registry order.
    pub fn services_in_namespace(&self, ns: &str) -> &[ServiceId] {
        self.by_namespace.get(ns).map_or(&[], Vec::as_slice)
    }

    /// VirtualServices bound to `mesh` that `ns` can see: private, then exported, then public
    /// (Istio `SelectVirtualServices` walks them in this order).
    pub fn mesh_virtual_services_for(&self, ns: &str) -> impl Iterator<Item = usize> + '_ {
        let private = self.vs_private.get(ns).into_iter().flatten();
        let exported = self.vs_exported.get(ns).into_iter().flatten();
        private.chain(exported).chain(self.vs_public.iter()).copied()
    }

    /// Sidecars in a namespace, in Istio's selection order.
    pub fn sidecars_in(&self, ns: &str) -> &[usize] {
        self.sidecars_by_namespace.get(ns).map_or(&[], Vec::as_slice)
    }

    /// The first Sidecar of `ns` (in [`Registry::sidecars_in`] order) whose `workloadSelector`
    /// selects `labels`: looked up by the selectors' first labels, not scanned.
    pub(crate) fn first_selecting_sidecar(&self, ns: &str, labels: &labels::Labels) -> Option<usize> {
        let in_ns = self.sidecars_in(ns);
        let index = self.sidecar_selectors.get(ns)?;
        let selects = |pos: usize| {
            self.sidecars[in_ns[pos]].workload_selector.as_ref().is_some_and(|sel| labels::labels_subset(sel, labels))
        };
        index.first_match(labels, selects).map(|pos| in_ns[pos])
    }
}
