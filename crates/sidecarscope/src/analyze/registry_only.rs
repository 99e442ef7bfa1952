//! REGISTRY_ONLY Sidecars whose workloads call hosts they do not import (ours, SC3008). The
//! calls are not observed; they are shown by configuration that only makes sense if the
//! workloads make them: a VirtualService route matching their labels or namespace
//! (`sourceLabels`, `sourceNamespace`), a DestinationRule whose `workloadSelector` selects them,
//! or a DestinationRule in their namespace for another namespace's service. Under REGISTRY_ONLY
//! the proxy only reaches hosts of its SidecarScope, so such calls are blocked.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::beyond;
use super::context::{labels_text, list_some, MeshContext};
use crate::diagnostic::{Code, Diagnostic};
use crate::host::is_wildcarded;
use crate::registry::labels::labels_subset;
use crate::registry::{DestinationRule, ServiceId};
use crate::workload::Workload;
use crate::Labels;

/// What the evidence of every workload is drawn from, read once per analysis rather than once
/// per workload: the route matches of each VirtualService that name source labels or a source
/// namespace (the only ones that can show a call), and per namespace the DestinationRules that
/// can show one, in registry order.
struct Index<'m> {
    /// Per VirtualService (index in `reg.virtual_services`): (sourceLabels, sourceNamespace) of
    /// its matches that set either.
    vs_matches: Vec<Vec<(Labels, &'m str)>>,
    /// Per namespace: its DestinationRules that may show a call.
    rules: HashMap<&'m str, Vec<RuleEvidence<'m>>>,
}

enum RuleEvidence<'m> {
    /// A rule with a workloadSelector: evidence for the workloads it selects.
    Selector(&'m DestinationRule, &'m Labels),
    /// A selector-less rule of the namespace for another namespace's service: (host, why).
    Namespace(String, String),
}

impl<'m> Index<'m> {
    fn build(m: &'m MeshContext) -> Index<'m> {
        let vs_matches = m
            .reg
            .virtual_services
            .iter()
            .map(|vs| {
                vs.http
                    .iter()
                    .flat_map(|h| &h.source_matches)
                    .map(|(labels, ns)| (labels.clone(), ns.as_str()))
                    .collect()
            })
            .collect();
        let mut rules: HashMap<&str, Vec<RuleEvidence>> = HashMap::new();
        for dr in &m.reg.destination_rules {
            if is_wildcarded(&dr.host) || dr.host.is_empty() {
                continue;
            }
            // The root namespace's rules apply to every namespace, and a rule exported to others is
            // a provider's rule: neither shows what this namespace calls.
            let exported_elsewhere = dr.export_to.iter().any(|e| e != "." && e != &dr.namespace);
            if dr.selector.is_none() && (dr.namespace == m.reg.mesh.root_namespace || exported_elsewhere) {
                continue;
            }
            let e = match &dr.selector {
                Some(sel) => RuleEvidence::Selector(dr, sel),
                None => {
                    let local = m.reg.services_by_hostname(&dr.host).iter().any(|(ns, _)| *ns == dr.namespace);
                    if local {
                        continue;
                    }
                    RuleEvidence::Namespace(
                        dr.host.clone(),
                        format!("DestinationRule {}, in the workloads' namespace, configures calls to it", dr.id()),
                    )
                }
            };
            rules.entry(dr.namespace.as_str()).or_default().push(e);
        }
        Index { vs_matches, rules }
    }
}

/// Hosts a workload calls, each with the configuration that shows it and whether that
/// configuration is about the whole namespace rather than this workload.
fn evidence(m: &MeshContext, index: &Index, w: &Workload) -> Vec<(String, String, bool)> {
    let mut out: Vec<(String, String, bool)> = Vec::new();
    for i in m.reg.mesh_virtual_services_for(&w.namespace) {
        let matches = &index.vs_matches[i];
        if matches.is_empty() {
            continue;
        }
        let vs = &m.reg.virtual_services[i];
        // Some match of a route names these workloads: by labels (this workload) or by namespace.
        let mut by_labels = false;
        let mut by_namespace = false;
        for (labels, ns) in matches {
            if labels_subset(labels, &w.labels) && (ns.is_empty() || *ns == w.namespace) {
                by_labels |= !labels.is_empty();
                by_namespace |= labels.is_empty() && !ns.is_empty();
            }
        }
        if by_labels || by_namespace {
            for h in vs.hosts.iter().filter(|h| !is_wildcarded(h)) {
                out.push((
                    h.clone(),
                    format!("VirtualService {} routes the workloads' requests to it", vs.id()),
                    !by_labels,
                ));
            }
        }
    }
    for e in index.rules.get(w.namespace.as_str()).into_iter().flatten() {
        match e {
            RuleEvidence::Selector(dr, sel) if labels_subset(sel, &w.labels) => out.push((
                dr.host.clone(),
                format!(
                    "DestinationRule {} configures the workloads' calls to it (workloadSelector {})",
                    dr.id(),
                    labels_text(sel)
                ),
                false,
            )),
            RuleEvidence::Selector(..) => {}
            RuleEvidence::Namespace(host, why) => out.push((host.clone(), why.clone(), true)),
        }
    }
    out
}

/// `imports`: the services of each workload scope (`MeshContext::scope_keys`).
pub(crate) fn check(m: &MeshContext, imports: &[Vec<ServiceId>], out: &mut Vec<Diagnostic>) {
    if !m.has_workloads || !m.has_services {
        return;
    }
    // Hosts some workload of each namespace imports: configuration about a whole namespace only
    // shows that some of its workloads make the call, not which.
    // Workloads sharing a scope share its services: each scope is added once per namespace.
    let mut ns_imports: HashMap<&str, HashSet<&str>> = HashMap::new();
    let mut added: HashSet<(&str, usize)> = HashSet::new();
    for (wi, r) in m.governing.iter().enumerate() {
        let ns = m.reg.workloads[wi].namespace.as_str();
        if added.insert((ns, r.scope)) {
            ns_imports
                .entry(ns)
                .or_default()
                .extend(imports[r.scope].iter().map(|&id| m.reg.services[id].hostname.as_str()));
        }
    }
    let index = Index::build(m);
    // Configuration about a whole namespace is attributed to its namespace-wide Sidecar when one
    // applies there (a per-workload Sidecar, e.g. of a database, is not blamed for it).
    let mut ns_default_used: HashSet<&str> = HashSet::new();
    for (wi, r) in m.governing.iter().enumerate() {
        let selectorless =
            r.sidecar.is_some_and(|i| m.reg.sidecars[i].workload_selector.as_ref().is_none_or(|l| l.is_empty()));
        if selectorless {
            ns_default_used.insert(m.reg.workloads[wi].namespace.as_str());
        }
    }
    // (Sidecar, host) -> (workloads, evidence)
    let mut found: BTreeMap<(usize, String), (Vec<String>, String)> = BTreeMap::new();
    for (wi, r) in m.governing.iter().enumerate() {
        let Some(sc) = r.sidecar else { continue };
        if !r.registry_only || m.no_proxy[wi].is_some() {
            continue;
        }
        let w = &m.reg.workloads[wi];
        for (host, why, namespace_level) in evidence(m, &index, w) {
            if imports[r.scope].iter().any(|&id| m.reg.services[id].hostname == host) {
                continue;
            }
            if namespace_level && ns_imports.get(w.namespace.as_str()).is_some_and(|h| h.contains(host.as_str())) {
                continue;
            }
            let selectorless = m.reg.sidecars[sc].workload_selector.as_ref().is_none_or(|l| l.is_empty());
            if namespace_level && !selectorless && ns_default_used.contains(w.namespace.as_str()) {
                continue;
            }
            let e = found.entry((sc, host)).or_insert_with(|| (Vec::new(), why));
            if !e.0.contains(&w.id()) {
                e.0.push(w.id());
            }
        }
    }
    for ((config, host), (workloads, why)) in found {
        let Some(sc) = m.sidecars.iter().find(|s| s.config == config) else { continue };
        let known = !m.reg.services_by_hostname(&host).is_empty();
        let (path, range) = match m.reg.sidecars[config].egress_key {
            Some(key) => ("spec.egress", key),
            None => ("metadata.name", m.config(sc).name_range),
        };
        let what = if known { "this Sidecar does not import it" } else { "no Service or ServiceEntry defines it" };
        let fix = if known {
            let ns = m.reg.services_by_hostname(&host).first().map(|(ns, _)| ns.clone()).unwrap_or_else(|| "*".into());
            format!("add `{ns}/{host}` to the egress hosts")
        } else {
            format!("define {host} with a ServiceEntry and import it")
        };
        out.push(
            sc.resource
                .diagnostic(
                    Code::RegistryOnlyCallNotImported,
                    format!(
                        "{} {} {} {host} ({why}), but {what}: under REGISTRY_ONLY these calls are blocked",
                        if workloads.len() == 1 { "workload" } else { "workloads" },
                        list_some(workloads.clone(), 3),
                        if workloads.len() == 1 { "calls" } else { "call" }
                    ),
                    path,
                    range,
                )
                .with_hint(beyond(&fix)),
        );
    }
}
