//! DestinationRules and Istio's per-namespace indexes of them (`PushContext.setDestinationRules`,
//! `mergeDestinationRule` with `ENABLE_ENHANCED_DESTINATIONRULE_MERGE=true`, and
//! `PushContext.destinationRule` for the lookup).

use std::collections::BTreeSet;

use rustc_hash::FxHashMap as HashMap;

use super::labels::string_map;
use super::mesh_config::{MeshSettings, DEFAULT_DOMAIN};
use super::policy::TrafficPolicy;
use super::time::CreationTime;
use crate::host::{is_wildcarded, most_specific_match, resolve_short_name};
use crate::load::Resource;
use crate::yaml::fields::{list, set, string, strings};
use crate::Labels;

#[derive(Debug, Clone)]
pub struct DestinationRule {
    pub namespace: String,
    pub name: String,
    /// `spec.host` with a short name expanded like VirtualService hosts.
    pub host: String,
    /// `spec.exportTo` as written.
    pub export_to: Vec<String>,
    /// `workloadSelector.matchLabels` when `workloadSelector` is present.
    pub selector: Option<Labels>,
    pub subsets: Vec<String>,
    /// `spec.trafficPolicy` when set.
    pub traffic_policy: Option<TrafficPolicy>,
    pub creation: CreationTime,
    pub resource: usize,
}

impl DestinationRule {
    pub fn id(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }
}

pub fn from_resource(r: &Resource, index: usize) -> Option<DestinationRule> {
    let spec = r.spec().filter(|s| s.as_map().is_some())?;
    Some(DestinationRule {
        namespace: r.namespace.clone(),
        name: r.name.clone(),
        host: resolve_short_name(string(spec, "host"), &r.namespace, DEFAULT_DOMAIN),
        export_to: strings(spec, "exportTo"),
        selector: set(spec, "workloadSelector").map(|w| string_map(set(w, "matchLabels"))),
        subsets: list(spec, "subsets").iter().map(|s| string(s, "name").to_string()).collect(),
        traffic_policy: set(spec, "trafficPolicy").map(TrafficPolicy::read),
        creation: CreationTime::parse(r.creation_timestamp()),
        resource: index,
    })
}

/// Several DestinationRules for one host in one namespace, merged as Istio merges them
/// (`ConsolidatedDestRule`): the first rule's identity, subsets concatenated (first of a name
/// wins), the first non-empty top-level `trafficPolicy`.
#[derive(Debug, Clone)]
pub struct ConsolidatedRule {
    /// Index (in `Registry::destination_rules`) of the rule whose identity is kept.
    pub rule: usize,
    /// Every rule merged in, first one included.
    pub from: Vec<usize>,
    pub subsets: Vec<String>,
    /// The rule whose top-level `trafficPolicy` is used.
    pub traffic_policy_from: Option<usize>,
    pub export_to: BTreeSet<String>,
    pub selector: Option<Labels>,
}

/// Rules of one namespace (or one visibility class), by host.
#[derive(Debug, Clone, Default)]
pub struct ConsolidatedRules {
    specific: HashMap<String, Vec<ConsolidatedRule>>,
    wildcard: Vec<(String, Vec<ConsolidatedRule>)>,
}

impl ConsolidatedRules {
    /// Istio `MostSpecificHostMatch` for a service hostname.
    pub fn lookup(&self, hostname: &str) -> Option<&Vec<ConsolidatedRule>> {
        most_specific_match(hostname, self.specific.get(hostname), &self.wildcard)
    }

    fn entry(&mut self, host: &str) -> &mut Vec<ConsolidatedRule> {
        if is_wildcarded(host) {
            let i = match self.wildcard.iter().position(|(h, _)| h == host) {
                Some(i) => i,
                None => {
                    self.wildcard.push((host.to_string(), Vec::new()));
                    self.wildcard.len() - 1
                }
            };
            &mut self.wildcard[i].1
        } else {
            self.specific.entry(host.to_string()).or_default()
        }
    }

    /// Istio `mergeDestinationRule` (enhanced merge on).
    fn merge(&mut self, rules: &[DestinationRule], index: usize, export_to: &BTreeSet<String>) {
        let rule = &rules[index];
        let list = self.entry(&rule.host);
        let fresh = || ConsolidatedRule {
            rule: index,
            from: vec![index],
            subsets: dedup_subsets(&rule.subsets),
            traffic_policy_from: rule.traffic_policy.is_some().then_some(index),
            export_to: export_to.clone(),
            selector: rule.selector.clone(),
        };
        if list.is_empty() {
            list.push(fresh());
            return;
        }
        let mut append_separately = true;
        for mdr in list.iter_mut() {
            if *export_to == mdr.export_to {
                append_separately = false;
            } else if !mdr.export_to.is_empty() && export_to.is_superset(&mdr.export_to) {
                append_separately = true;
            } else {
                append_separately = true;
                continue;
            }
            let both_without = rule.selector.is_none() && mdr.selector.is_none();
            let both_with = rule.selector.is_some() && mdr.selector.is_some();
            let selectors_match = rule.selector.clone().unwrap_or_default() == mdr.selector.clone().unwrap_or_default();
            if both_with && !selectors_match {
                append_separately = true;
                continue;
            }
            if both_without || (both_with && selectors_match) {
                append_separately = false;
            }
            mdr.from.push(index);
            for s in &rule.subsets {
                if !mdr.subsets.contains(s) {
                    mdr.subsets.push(s.clone());
                }
            }
            if mdr.traffic_policy_from.is_none() && rule.traffic_policy.is_some() {
                mdr.traffic_policy_from = Some(index);
            }
        }
        if append_separately {
            list.push(fresh());
        }
    }
}

fn dedup_subsets(subsets: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in subsets {
        if !out.contains(s) {
            out.push(s.clone());
        }
    }
    out
}

/// Which step of Istio's `PushContext.destinationRule` found the rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LookupStep {
    /// Rules in the proxy's (config) namespace.
    ConfigNamespace,
    /// Private rules of the root namespace, for a proxy in the root namespace.
    RootNamespaceLocal,
    /// Exported rules in the service's namespace.
    ServiceNamespace,
    /// Exported rules in the root namespace.
    RootNamespace,
}

#[derive(Debug, Clone, Default)]
pub struct DestinationRuleIndex {
    namespace_local: HashMap<String, ConsolidatedRules>,
    exported: HashMap<String, ConsolidatedRules>,
    root_local: ConsolidatedRules,
}

impl DestinationRuleIndex {
    /// Istio `setDestinationRules`; `rules` must already be in Istio's order.
    pub fn build(rules: &[DestinationRule], mesh: &MeshSettings) -> DestinationRuleIndex {
        let mut idx = DestinationRuleIndex::default();
        let default_private = mesh.default_destination_rule_export_to.iter().any(|e| e == ".");
        for (i, rule) in rules.iter().enumerate() {
            let export_to: BTreeSet<String> = if rule.selector.is_none() {
                rule.export_to.iter().cloned().collect()
            } else {
                // Rules with a workloadSelector are never exported.
                BTreeSet::from([".".to_string()])
            };
            let ns = rule.namespace.as_str();
            if export_to.is_empty() || export_to.contains("*") || export_to.contains(".") || export_to.contains(ns) {
                idx.namespace_local.entry(ns.to_string()).or_default().merge(rules, i, &export_to);
            }
            let private_only = (export_to.is_empty() && default_private)
                || (export_to.len() == 1 && (export_to.contains(".") || export_to.contains(ns)));
            if !private_only {
                idx.exported.entry(ns.to_string()).or_default().merge(rules, i, &export_to);
            } else if ns == mesh.root_namespace {
                idx.root_local.merge(rules, i, &export_to);
            }
        }
        idx
    }

    /// Istio `PushContext.destinationRule(proxyNamespace, service)`: the candidate rules for a
    /// service of the scope, and the step that found them.
    pub fn lookup(
        &self,
        config_ns: &str,
        service_ns: &str,
        hostname: &str,
        root_ns: &str,
    ) -> Option<(Vec<&ConsolidatedRule>, LookupStep)> {
        if config_ns != root_ns {
            if let Some(found) = self.namespace_local.get(config_ns).and_then(|r| r.lookup(hostname)) {
                return Some((found.iter().collect(), LookupStep::ConfigNamespace));
            }
        } else if let Some(found) = self.root_local.lookup(hostname) {
            return Some((found.iter().collect(), LookupStep::RootNamespaceLocal));
        }
        let exported = |owner: &str| -> Vec<&ConsolidatedRule> {
            let Some(found) = self.exported.get(owner).and_then(|r| r.lookup(hostname)) else { return Vec::new() };
            found
                .iter()
                .filter(|m| m.export_to.is_empty() || m.export_to.contains("*") || m.export_to.contains(config_ns))
                .collect()
        };
        let from_service = exported(service_ns);
        if !from_service.is_empty() {
            return Some((from_service, LookupStep::ServiceNamespace));
        }
        let from_root = exported(root_ns);
        if !from_root.is_empty() {
            return Some((from_root, LookupStep::RootNamespace));
        }
        None
    }
}
