//! Which DestinationRule applies to each service of the scope, for outbound traffic of one
//! proxy: Istio's lookup order (`PushContext.destinationRule`) and the workloadSelector choice of
//! `SidecarScope.DestinationRule`.

use serde::Serialize;

use std::collections::HashMap;

use super::scope::Scope;
use super::Proxy;
use crate::registry::labels::labels_subset;
use crate::registry::{ConsolidatedRule, LookupStep, Registry};

/// The candidate DestinationRules of every service of a scope, for one config namespace
/// (Istio `selectDestinationRules`, which calls `PushContext.destinationRule` per service).
pub(crate) struct ScopeRules<'r> {
    /// Per scope service (same order): the candidates and the lookup step that found them.
    pub rules: Vec<Option<(Vec<&'r ConsolidatedRule>, LookupStep)>>,
    /// Scope hostname to index; a hostname outside the scope has no DestinationRule at all.
    pub by_host: HashMap<&'r str, usize>,
    /// Whether a rule with a workloadSelector is a candidate (the choice then depends on labels).
    pub per_proxy: bool,
}

impl<'r> ScopeRules<'r> {
    pub(crate) fn new(reg: &'r Registry, scope: &Scope, config_ns: &str) -> ScopeRules<'r> {
        let root = reg.mesh.root_namespace.as_str();
        let mut by_host = HashMap::with_capacity(scope.service_ids.len());
        let rules: Vec<_> = scope
            .service_ids
            .iter()
            .enumerate()
            .map(|(i, &id)| {
                let s = &reg.services[id];
                by_host.insert(s.hostname.as_str(), i);
                reg.destination_rule_index.lookup(config_ns, &s.namespace, &s.hostname, root)
            })
            .collect();
        let per_proxy = rules.iter().flatten().any(|(rs, _)| rs.iter().any(|r| r.selector.is_some()));
        ScopeRules { rules, by_host, per_proxy }
    }

    /// The rules chosen for a proxy, one per scope host that has one.
    pub(crate) fn choices(&self, reg: &Registry, scope: &Scope, proxy: &Proxy) -> Vec<DestinationRuleChoice> {
        scope
            .services
            .iter()
            .zip(&self.rules)
            .filter_map(|(s, found)| {
                let (rules, step) = found.as_ref()?;
                let r = choose(rules, reg, proxy, true)?;
                Some(describe(reg, &s.hostname, r, *step, proxy))
            })
            .collect()
    }

    /// Explains Istio's merge of a rule without selector into a rule with one (both count as
    /// exported to `.` only, so `mergeDestinationRule` merges them and keeps no separate entry):
    /// the selector-less rule then only reaches the workloads the other rule selects.
    pub(crate) fn merge_notes(&self, reg: &Registry, proxy: &Proxy) -> Vec<String> {
        let mut out = Vec::new();
        for (rules, _) in self.rules.iter().flatten() {
            for r in rules.iter().filter(|r| r.selector.is_some()) {
                for &i in r.from.iter().filter(|&&i| reg.destination_rules[i].selector.is_none()) {
                    let (swallowed, into) = (reg.destination_rules[i].id(), reg.destination_rules[r.rule].id());
                    let applies = reg.destination_rules[r.rule].namespace == proxy.namespace
                        && r.selector.as_ref().is_some_and(|sel| labels_subset(sel, &proxy.labels));
                    let effect = if applies {
                        "this proxy matches that selector, so it gets the merged rule".to_string()
                    } else {
                        format!("this proxy does not match that selector, so {swallowed} does not apply to it")
                    };
                    let note = format!(
                        "DestinationRule {swallowed} has no workloadSelector, but istiod merged it into {into}, which has one (same host, and both count as exported to `.` only; Istio's mergeDestinationRule): {effect}."
                    );
                    if !out.contains(&note) {
                        out.push(note);
                    }
                }
            }
        }
        out
    }
}

/// The DestinationRule used for one host of the scope.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DestinationRuleChoice {
    pub host: String,
    /// `namespace/name` of the rule (the first one when several were merged).
    pub rule: String,
    /// Every rule merged into it, when more than one.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub merged_from: Vec<String>,
    /// Subset names after merging.
    pub subsets: Vec<String>,
    /// Whether the rule has a workloadSelector that selected this proxy.
    pub workload_selector: bool,
    pub reason: String,
}

/// Istio `SidecarScope.DestinationRule(direction, proxy, host)`: a rule of the proxy's namespace
/// whose workloadSelector matches the proxy wins for outbound traffic; otherwise the (last)
/// rule without selector. Inbound never uses selector rules.
pub(crate) fn choose<'a>(
    rules: &[&'a ConsolidatedRule],
    reg: &Registry,
    proxy: &Proxy,
    outbound: bool,
) -> Option<&'a ConsolidatedRule> {
    let mut catch_all = None;
    for r in rules {
        match &r.selector {
            None => catch_all = Some(*r),
            Some(sel) => {
                if outbound
                    && reg.destination_rules[r.rule].namespace == proxy.namespace
                    && labels_subset(sel, &proxy.labels)
                {
                    return Some(*r);
                }
            }
        }
    }
    catch_all
}

pub(crate) fn describe(
    reg: &Registry,
    host: &str,
    r: &ConsolidatedRule,
    step: LookupStep,
    proxy: &Proxy,
) -> DestinationRuleChoice {
    let rule = &reg.destination_rules[r.rule];
    let root = &reg.mesh.root_namespace;
    let mut reason = match step {
        LookupStep::ConfigNamespace => format!(
            "the proxy's namespace {} has a DestinationRule for {}; rules there take precedence over the service's and the root namespace's",
            proxy.namespace, rule.host
        ),
        LookupStep::RootNamespaceLocal => format!("a rule private to the root namespace {root}, for a proxy in {root}"),
        LookupStep::ServiceNamespace => format!(
            "exported by the service's namespace {} (the proxy's namespace {} has no rule for this host)",
            rule.namespace, proxy.namespace
        ),
        LookupStep::RootNamespace => format!(
            "exported by the root namespace {root} (neither the proxy's namespace nor the service's has a rule for this host)"
        ),
    };
    if rule.host != host {
        reason.push_str(&format!("; its host {} is the most specific match for {host}", rule.host));
    }
    if r.selector.is_some() {
        reason.push_str(
            "; its workloadSelector matches the proxy's labels, so it is preferred over rules without selector",
        );
    }
    DestinationRuleChoice {
        host: host.to_string(),
        rule: rule.id(),
        merged_from: if r.from.len() > 1 {
            r.from.iter().map(|&i| reg.destination_rules[i].id()).collect()
        } else {
            Vec::new()
        },
        subsets: r.subsets.clone(),
        workload_selector: r.selector.is_some(),
        reason,
    }
}
