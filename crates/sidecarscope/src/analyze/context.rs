//! What every check of the analysis looks at, computed once: the registry, the workloads as
//! istioctl sees them (Pods) and as Kiali sees them (controllers and owner-less Pods), the
//! Namespaces (ambient mode, existence), and each Sidecar with its resource for positions.

use std::collections::{BTreeSet, HashMap};

use crate::load::{Input, Resource, ResourceKind};
use crate::registry::labels::labels_subset;
use crate::registry::sidecar::EgressListenerConfig;
use crate::registry::{Registry, ServiceRegistry, SidecarConfig};
use crate::resolve::{governing, EgressListener, ScopeKey, Shared};
use crate::text::TextRange;
use crate::workload::{no_sidecar_proxy, Workload};
use crate::Labels;

/// A Sidecar's egress listeners for one config namespace.
pub(crate) type ConfigScope = (String, Shared<Vec<EgressListener>>);

/// What the checks read of a workload's resolution (`resolve::Governing`, its scope numbered).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Governed {
    /// The Sidecar that applies (index in `Registry::sidecars`).
    pub sidecar: Option<usize>,
    /// Its outbound traffic policy is REGISTRY_ONLY.
    pub registry_only: bool,
    /// Its scope: index in `MeshContext::scope_keys`.
    pub scope: usize,
}

/// A Pod as istioctl's `SelectorAnalyzer` sees it.
#[derive(Debug, Clone)]
pub(crate) struct Pod<'a> {
    pub namespace: &'a str,
    /// The Pod's name; for the pods of a controller that the input does not list, `<name>-*`.
    pub name: String,
    /// The pod's labels: those of its workload in the registry (the controller's template).
    pub labels: &'a Labels,
    /// Istio `util.PodInAmbientMode`: annotation `ambient.istio.io/redirection: enabled`.
    pub ambient: bool,
    /// `Deployment web` when this stands for the running pods of a controller of the input.
    pub implied_by: Option<String>,
}

/// A workload as Kiali's checkers see it (`models.Workload`): its kind, name and pod labels.
#[derive(Debug, Clone)]
pub(crate) struct KialiWorkload<'a> {
    pub namespace: &'a str,
    pub kind: &'a str,
    pub name: &'a str,
    /// The pod labels: those of its workload in the registry.
    pub labels: &'a Labels,
    /// A controller with `replicas: 0` (it runs no pod).
    pub scaled_to_zero: bool,
}

/// One Sidecar of the input.
pub(crate) struct SidecarRef<'a> {
    pub resource: &'a Resource,
    /// Index in `Registry::sidecars`.
    pub config: usize,
    /// `workloadSelector.labels`; empty for a selector-less Sidecar (no selector, or no labels),
    /// as both istioctl and Kiali treat the two alike.
    pub labels: Labels,
}

impl SidecarRef<'_> {
    pub fn namespace(&self) -> &str {
        &self.resource.namespace
    }
    pub fn name(&self) -> &str {
        &self.resource.name
    }
    pub fn has_selector(&self) -> bool {
        !self.labels.is_empty()
    }
}

pub(crate) struct MeshContext<'a> {
    pub reg: &'a Registry,
    /// Sidecars in input order.
    pub sidecars: Vec<SidecarRef<'a>>,
    /// istioctl's view: Pods, plus the pods of controllers whose Pods the input lacks.
    pub pods: Vec<Pod<'a>>,
    pub kiali_workloads: Vec<KialiWorkload<'a>>,
    /// Namespace resources of the input: name -> labels.
    pub namespaces: HashMap<String, Labels>,
    /// Every namespace some resource of the input lives in (or a Namespace names).
    pub known_namespaces: BTreeSet<String>,
    /// The input is known to list every namespace of the mesh: it has Namespace objects and
    /// every other resource lives in one of them. Only then is a namespace it does not name
    /// reported missing (SC3002); a partial input (some Namespaces, resources elsewhere) says
    /// nothing about the namespaces it lacks.
    pub lists_all_namespaces: bool,
    /// The input has workloads (Pods, controllers or WorkloadEntries).
    pub has_workloads: bool,
    /// The input has Services or ServiceEntries.
    pub has_services: bool,
    /// What the checks read of each workload's resolution, in `reg.workloads` order (not the
    /// full `Resolution`, whose explanations for every workload were most of analysis's memory).
    pub governing: Vec<Governed>,
    /// Per Sidecar config (`reg.sidecars` order): the workloads it governs, in workload order.
    pub users_by_sidecar: Vec<Vec<usize>>,
    /// The scopes of the workloads, each once. The scopes themselves are computed one Sidecar
    /// at a time by the checks that read them (`super::scope_checks`), and dropped after.
    /// Each with the namespace of its first workload, which it is computed for (the key of a
    /// scope shared by neutral namespaces names none).
    pub scope_keys: Vec<(ScopeKey, String)>,
    pub scope_index: HashMap<ScopeKey, usize>,
    /// Per workload (`reg.workloads` order): why it has no sidecar proxy, if so.
    pub no_proxy: Vec<Option<&'static str>>,
    /// Indexes of the ServiceEntry services, in registry order.
    pub service_entry_ids: Vec<usize>,
}

impl<'a> MeshContext<'a> {
    pub fn build(input: &'a Input, reg: &'a Registry) -> MeshContext<'a> {
        let mut sidecars = Vec::new();
        // Resource index -> Sidecar config index, built once (a scan per Sidecar is quadratic).
        let config_of: HashMap<usize, usize> = reg.sidecars.iter().enumerate().map(|(c, s)| (s.resource, c)).collect();
        for (i, r) in input.resources.iter().enumerate() {
            if r.kind != ResourceKind::Sidecar {
                continue;
            }
            let Some(&config) = config_of.get(&i) else { continue };
            let labels = reg.sidecars[config].workload_selector.clone().unwrap_or_default();
            sidecars.push(SidecarRef { resource: r, config, labels });
        }
        let namespaces: HashMap<String, Labels> = reg.namespace_labels.iter().cloned().collect();
        let mut known_namespaces: BTreeSet<String> = input
            .resources
            .iter()
            .filter(|r| r.kind != ResourceKind::Other && r.kind != ResourceKind::Namespace)
            .map(|r| r.namespace.clone())
            .collect();
        let lists_all_namespaces =
            !namespaces.is_empty() && known_namespaces.iter().all(|ns| namespaces.contains_key(ns));
        known_namespaces.extend(namespaces.keys().cloned());
        // Every workload's Sidecar and scope.
        let mut scope_keys = Vec::new();
        let mut scope_index = HashMap::new();
        let governing: Vec<Governed> = reg
            .workloads
            .iter()
            .map(|w| {
                let g = governing(reg, w);
                let scope = *scope_index.entry(g.scope).or_insert_with_key(|key| {
                    scope_keys.push((key.clone(), w.namespace.clone()));
                    scope_keys.len() - 1
                });
                Governed { sidecar: g.sidecar, registry_only: g.registry_only, scope }
            })
            .collect();
        let mut users_by_sidecar = vec![Vec::new(); reg.sidecars.len()];
        for (i, g) in governing.iter().enumerate() {
            if let Some(c) = g.sidecar {
                users_by_sidecar[c].push(i);
            }
        }
        // Each resource's workload in the registry, if it is one (its tree may be released).
        let mut workload_at: Vec<Option<&Workload>> = vec![None; input.resources.len()];
        for w in &reg.workloads {
            workload_at[w.resource] = Some(w);
        }
        // The last resource of each id, as a workload's proxy is looked up.
        let by_id: HashMap<(&str, &str, &str), usize> = input
            .resources
            .iter()
            .enumerate()
            .map(|(i, r)| ((r.kind_name.as_str(), r.namespace.as_str(), r.name.as_str()), i))
            .collect();
        let no_proxy = reg
            .workloads
            .iter()
            .map(|w| {
                let &i = by_id.get(&(w.kind.as_str(), w.namespace.as_str(), w.name.as_str()))?;
                match workload_at[i] {
                    Some(found) => found.pod.no_proxy,
                    // Not a workload (an unserved version, a WorkloadEntry without spec): its
                    // tree is never released.
                    None => no_sidecar_proxy(&input.resources[i]),
                }
            })
            .collect();
        let service_entry_ids =
            (0..reg.services.len()).filter(|&id| reg.services[id].registry != ServiceRegistry::Kubernetes).collect();
        MeshContext {
            service_entry_ids,
            no_proxy,
            pods: pods(input, reg),
            kiali_workloads: kiali_workloads(input, reg),
            has_workloads: !reg.workloads.is_empty(),
            has_services: !reg.services.is_empty(),
            reg,
            sidecars,
            namespaces,
            known_namespaces,
            lists_all_namespaces,
            governing,
            users_by_sidecar,
            scope_keys,
            scope_index,
        }
    }

    pub fn config(&self, sc: &SidecarRef) -> &SidecarConfig {
        &self.reg.sidecars[sc.config]
    }

    pub fn root_namespace(&self) -> &str {
        &self.reg.mesh.root_namespace
    }

    /// Whether this Sidecar is the mesh-wide default (selector-less, in the root namespace,
    /// the one istiod picks there).
    pub fn is_root_default(&self, sc: &SidecarRef) -> bool {
        self.reg.root_sidecar == Some(sc.config)
    }

    /// Istio `util.IsNamespaceInAmbientMode`: label `istio.io/dataplane-mode: ambient`, unless
    /// sidecar injection is enabled on the namespace (`istio-injection: enabled` or a revision).
    pub fn namespace_ambient(&self, ns: &str) -> bool {
        let Some(labels) = self.namespaces.get(ns) else { return false };
        let get = |k: &str| labels.get(k).map(String::as_str);
        get("istio.io/dataplane-mode") == Some("ambient")
            && get("istio-injection") != Some("enabled")
            && get("istio.io/rev").is_none_or(str::is_empty)
    }

    /// Indexes (in `reg.workloads`) of the workloads with a sidecar proxy that uses this Sidecar.
    pub fn proxies(&self, sc: &SidecarRef) -> Vec<usize> {
        self.users(sc).into_iter().filter(|&i| self.no_proxy[i].is_none()).collect()
    }

    /// Indexes (in `reg.workloads`) of the workloads whose proxies use this Sidecar (from
    /// `users_by_sidecar`, made once: a scan of every workload per Sidecar is quadratic).
    pub fn users(&self, sc: &SidecarRef) -> Vec<usize> {
        self.users_by_sidecar.get(sc.config).cloned().unwrap_or_default()
    }

    /// The Kubernetes services whose hostname, `name.ns` or `name.ns.svc` is `host`, the names
    /// Kiali's `KubeServiceHosts` has for each (each service at most once per form).
    pub fn kube_services_called<'s>(&'s self, host: &'s str) -> impl Iterator<Item = usize> + 's {
        let by_hostname = self
            .reg
            .services_with_hostname(host)
            .iter()
            .copied()
            .filter(|&id| self.reg.services[id].registry == ServiceRegistry::Kubernetes);
        // `name.ns` (and `name.ns.svc`) split at every dot (names and namespaces of the input may
        // hold dots), each looked for among the services of that namespace.
        let by_name = [Some(host), host.strip_suffix(".svc")]
            .into_iter()
            .flatten()
            .flat_map(|t| t.match_indices('.').map(move |(k, _)| (&t[..k], &t[k + 1..])))
            .flat_map(move |(name, ns)| {
                self.reg.services_in_namespace(ns).iter().copied().filter(move |&id| {
                    let s = &self.reg.services[id];
                    s.registry == ServiceRegistry::Kubernetes && s.resource_name == name
                })
            });
        by_hostname.chain(by_name)
    }

    /// The ServiceEntry services of the registry.
    pub fn service_entries(&self) -> impl Iterator<Item = &crate::registry::Service> {
        self.service_entry_ids.iter().map(|&i| &self.reg.services[i])
    }
}

/// The namespaces whose proxies a Sidecar configures: its own; for the mesh-wide default,
/// also every namespace without a selector-less Sidecar of its own (`./` means each of them).
pub(crate) fn config_namespaces(reg: &Registry, known_namespaces: &BTreeSet<String>, sc: &SidecarRef) -> Vec<String> {
    let mut out = vec![sc.namespace().to_string()];
    if reg.root_sidecar == Some(sc.config) {
        for ns in known_namespaces {
            let has_default = reg
                .sidecars_in(ns)
                .iter()
                .any(|&i| reg.sidecars[i].workload_selector.as_ref().is_none_or(|l| l.is_empty()));
            if !has_default && !out.contains(ns) {
                out.push(ns.clone());
            }
        }
    }
    out
}

/// istioctl's pods: the Pods of the input, then one stand-in for the running pods of each
/// Deployment, StatefulSet, DaemonSet and (owner-less) ReplicaSet that none of the input's Pods
/// belongs to and that is not scaled to zero. A live cluster has those pods; the input often
/// holds only the manifests.
fn pods<'a>(input: &'a Input, reg: &'a Registry) -> Vec<Pod<'a>> {
    let kind = |w: &Workload| input.resources[w.resource].kind;
    let mut out: Vec<Pod> = reg
        .workloads
        .iter()
        .filter(|w| kind(w) == ResourceKind::Pod)
        .map(|w| Pod {
            namespace: &w.namespace,
            name: w.name.clone(),
            labels: &w.labels,
            ambient: w.pod.ambient,
            implied_by: None,
        })
        .collect();
    let listed = out.len();
    for w in reg.workloads.iter().filter(|w| kind(w).is_controller()) {
        if w.pod.replicas == Some(0) || w.labels.is_empty() || w.pod.owned {
            continue;
        }
        if out[..listed].iter().any(|p| p.namespace == w.namespace && labels_subset(&w.labels, p.labels)) {
            continue;
        }
        out.push(Pod {
            namespace: &w.namespace,
            name: format!("{}-*", w.name),
            labels: &w.labels,
            ambient: w.pod.ambient,
            implied_by: Some(format!("{} {}", w.kind, w.name)),
        });
    }
    out
}

/// Kiali's workloads (`business.fetchWorkloads`): controllers and Pods, with their pod labels.
/// ReplicaSets owned by a Deployment are represented by it; WorkloadEntries are not workloads.
fn kiali_workloads<'a>(input: &'a Input, reg: &'a Registry) -> Vec<KialiWorkload<'a>> {
    reg.workloads
        .iter()
        .filter(|w| {
            let kind = input.resources[w.resource].kind;
            kind == ResourceKind::Pod || (kind.is_controller() && !w.pod.owned)
        })
        .map(|w| KialiWorkload {
            namespace: &w.namespace,
            kind: &w.kind,
            name: &w.name,
            labels: &w.labels,
            scaled_to_zero: w.pod.replicas == Some(0),
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Positions in a Sidecar
// ---------------------------------------------------------------------------------------

/// A listener's hosts as written: (index in `hosts`, range, text) for the string items.
pub(crate) fn egress_hosts(l: &EgressListenerConfig) -> Vec<(usize, TextRange, &str)> {
    l.host_ranges.iter().zip(&l.hosts).map(|(&(j, range), h)| (j, range, h.as_str())).collect()
}

/// The `port` key of `spec.egress[i]`, else the listener, else the name.
pub(crate) fn egress_port_range(cfg: &SidecarConfig, i: usize) -> TextRange {
    cfg.egress.get(i).map_or(cfg.name_range, |l| l.port_key.unwrap_or(l.range))
}

/// The `port` key of `spec.ingress[i]`, else the listener, else the name.
pub(crate) fn ingress_port_range(cfg: &SidecarConfig, i: usize) -> TextRange {
    cfg.ingress.get(i).map_or(cfg.name_range, |l| l.port_key.unwrap_or(l.range))
}

/// Up to `n` items joined by `, `, with `and N more` after.
pub(crate) fn list_some<I: IntoIterator<Item = String>>(items: I, n: usize) -> String {
    let all: Vec<String> = items.into_iter().collect();
    if all.len() <= n {
        return all.join(", ");
    }
    format!("{} and {} more", all[..n].join(", "), all.len() - n)
}

/// Labels as `app=web,version=v1` (Kubernetes' `labels.Set.String`: sorted by key).
pub(crate) fn labels_text(labels: &Labels) -> String {
    labels.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(",")
}
