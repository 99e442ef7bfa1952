//! Endpoint addresses of services, for the two places they matter: headless services get one
//! outbound listener per endpoint IP, and ServiceEntry endpoints with the proxy's IP make the
//! proxy a target of that ServiceEntry (its inbound ports, in resolution and listeners) (Istio `ServiceEndpointsByPort`,
//! `GetProxyServiceTargets`). Read from EndpointSlices and Endpoints, ServiceEntry `endpoints`,
//! and the Pods and WorkloadEntries of the input (what Kubernetes and istiod would select).

use rustc_hash::FxHashMap as HashMap;

use super::labels::labels_subset;
use super::{Registry, Service, ServiceRegistry};
use crate::load::{Input, ResourceKind};
use crate::yaml::fields::{list, string, strings};

/// One endpoint address and where it was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Endpoint {
    pub address: String,
    /// `EndpointSlice ns/name`, `ServiceEntry ns/name`, `Pod ns/name`...
    pub from: String,
    /// Resource index in the input (none for a workload's IP) and the field path, for source links.
    pub resource: Option<usize>,
    pub path: String,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Endpoints {
    /// Kubernetes `(namespace, service name)` -> addresses from EndpointSlices and Endpoints.
    kubernetes: HashMap<(String, String), Vec<Endpoint>>,
    /// ServiceEntry resource index -> its `spec.endpoints`.
    service_entries: HashMap<usize, Vec<Endpoint>>,
}

impl Endpoints {
    pub fn build(input: &Input) -> Endpoints {
        let mut out = Endpoints::default();
        for (i, r) in input.resources.iter().enumerate() {
            let id = format!("{} {}/{}", r.kind_name, r.namespace, r.name);
            match (r.kind, r.kind_name.as_str()) {
                (ResourceKind::Other, "EndpointSlice") => {
                    let service =
                        r.node.at(&["metadata", "labels", "kubernetes.io/service-name"]).and_then(|n| n.scalar_text());
                    let Some(service) = service else { continue };
                    let found = out.kubernetes.entry((r.namespace.clone(), service.to_string())).or_default();
                    for (ei, e) in list(&r.node, "endpoints").iter().enumerate() {
                        for (ai, a) in strings(e, "addresses").into_iter().enumerate() {
                            found.push(Endpoint {
                                address: a,
                                from: id.clone(),
                                resource: Some(i),
                                path: format!("endpoints[{ei}].addresses[{ai}]"),
                            });
                        }
                    }
                }
                (ResourceKind::Other, "Endpoints") => {
                    let found = out.kubernetes.entry((r.namespace.clone(), r.name.clone())).or_default();
                    for (si, s) in list(&r.node, "subsets").iter().enumerate() {
                        for (ai, a) in list(s, "addresses").iter().enumerate() {
                            let ip = string(a, "ip");
                            if !ip.is_empty() {
                                found.push(Endpoint {
                                    address: ip.to_string(),
                                    from: id.clone(),
                                    resource: Some(i),
                                    path: format!("subsets[{si}].addresses[{ai}]"),
                                });
                            }
                        }
                    }
                }
                (ResourceKind::ServiceEntry, _) => {
                    let Some(spec) = r.spec() else { continue };
                    let eps = list(spec, "endpoints")
                        .iter()
                        .enumerate()
                        .filter_map(|(ei, e)| {
                            let a = string(e, "address");
                            (!a.is_empty()).then(|| Endpoint {
                                address: a.to_string(),
                                from: id.clone(),
                                resource: Some(i),
                                path: format!("spec.endpoints[{ei}]"),
                            })
                        })
                        .collect();
                    out.service_entries.insert(i, eps);
                }
                _ => {}
            }
        }
        out
    }

    /// The endpoints of a service: listed ones, plus the workloads of the input its selector
    /// picks (in the service's namespace, with a known IP), without duplicates.
    pub fn of(&self, reg: &Registry, s: &Service) -> Vec<Endpoint> {
        let mut out: Vec<Endpoint> = match s.registry {
            ServiceRegistry::Kubernetes => {
                self.kubernetes.get(&(s.namespace.clone(), s.name.clone())).cloned().unwrap_or_default()
            }
            ServiceRegistry::ServiceEntry => self.service_entries.get(&s.resource).cloned().unwrap_or_default(),
        };
        if !s.selector.is_empty() {
            for w in &reg.workloads {
                let Some(ip) = &w.ip else { continue };
                if w.namespace == s.namespace
                    && labels_subset(&s.selector, &w.labels)
                    && !out.iter().any(|e| &e.address == ip)
                {
                    out.push(Endpoint {
                        address: ip.clone(),
                        from: format!("{} {}", w.kind, w.id()),
                        resource: None,
                        path: String::new(),
                    });
                }
            }
        }
        out
    }
}
