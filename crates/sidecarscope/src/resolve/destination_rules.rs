//! Which DestinationRule applies to each service of the scope, for outbound traffic of one
//! proxy: Istio's lookup order (`PushContext.destinationRule`) and the workloadSelector choice of
//! `SidecarScope.DestinationRule`.

use serde::Serialize;

use super::Proxy;
use crate::registry::read::labels_subset;
use crate::registry::{ConsolidatedRule, LookupStep, Registry};

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
pub(crate) fn choose<'a>(rules: &[&'a ConsolidatedRule], reg: &Registry, proxy: &Proxy, outbound: bool) -> Option<&'a ConsolidatedRule> {
    let mut catch_all = None;
    for r in rules {
        match &r.selector {
            None => catch_all = Some(*r),
            Some(sel) => {
                if outbound && reg.destination_rules[r.rule].namespace == proxy.namespace && labels_subset(sel, &proxy.labels) {
                    return Some(*r);
                }
            }
        }
    }
    catch_all
}

pub(crate) fn describe(reg: &Registry, host: &str, r: &ConsolidatedRule, step: LookupStep, proxy: &Proxy) -> DestinationRuleChoice {
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
        reason.push_str("; its workloadSelector matches the proxy's labels, so it is preferred over rules without selector");
    }
    DestinationRuleChoice {
        host: host.to_string(),
        rule: rule.id(),
        merged_from: if r.from.len() > 1 { r.from.iter().map(|&i| reg.destination_rules[i].id()).collect() } else { Vec::new() },
        subsets: r.subsets.clone(),
        workload_selector: r.selector.is_some(),
        reason,
    }
}
