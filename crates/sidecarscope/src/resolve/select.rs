//! Which Sidecar governs a sidecar proxy, and why: Istio's `PushContext.getSidecarScope`
//! (`doGetSidecarScope`) over the order of `initSidecarScopes`.

use serde::Serialize;

use super::Proxy;
use crate::registry::labels::labels_subset;
use crate::registry::Registry;
use crate::Labels;

/// How the Sidecar was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum SelectionKind {
    /// A Sidecar in the proxy's namespace whose `workloadSelector` matches its labels.
    WorkloadSelector,
    /// The Sidecar without `workloadSelector` in the proxy's namespace.
    NamespaceDefault,
    /// The root namespace's Sidecar without `workloadSelector`, evaluated for the proxy's namespace.
    RootNamespace,
    /// No Sidecar: Istio's default scope (every visible service, hosts `*/*`).
    None,
}

#[derive(Debug, Clone, Serialize)]
pub struct Selection {
    pub kind: SelectionKind,
    /// One line saying why, in plain words.
    pub reason: String,
    /// Index in `Registry::sidecars`.
    #[serde(skip)]
    pub sidecar: Option<usize>,
    /// Doc-vs-code points this choice runs into.
    #[serde(skip)]
    pub notes: Vec<String>,
}

fn labels_text(labels: &Labels) -> String {
    if labels.is_empty() {
        return "{} (matches every workload)".to_string();
    }
    let pairs: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("{{{}}}", pairs.join(", "))
}

/// The Sidecar [`select`] picks (index in `Registry::sidecars`), without the reasons: for
/// analysis, which asks it for every workload of the input.
pub(crate) fn governing_sidecar(reg: &Registry, ns: &str, labels: &Labels) -> Option<usize> {
    let in_ns = reg.sidecars_in(ns);
    // The first selector Sidecar that selects the labels, by index (the same as scanning
    // `in_ns` in order; `select` below scans, and a test compares the two).
    let with_selector = || reg.first_selecting_sidecar(ns, labels);
    let default = || in_ns.iter().copied().find(|&i| reg.sidecars[i].workload_selector.is_none());
    with_selector().or_else(default).or(reg.root_sidecar)
}

/// Istio `doGetSidecarScope` for a sidecar proxy.
pub fn select(reg: &Registry, proxy: &Proxy) -> Selection {
    let ns = proxy.namespace.as_str();
    let in_ns = reg.sidecars_in(ns);
    let mut notes = Vec::new();
    let matching: Vec<usize> = in_ns
        .iter()
        .copied()
        .filter(|&i| reg.sidecars[i].workload_selector.as_ref().is_some_and(|sel| labels_subset(sel, &proxy.labels)))
        .collect();
    let defaults: Vec<usize> = in_ns.iter().copied().filter(|&i| reg.sidecars[i].workload_selector.is_none()).collect();
    let selector_count = in_ns.len() - defaults.len();
    if let Some(&first) = matching.first() {
        let sc = &reg.sidecars[first];
        let sel = sc.workload_selector.as_ref().map(labels_text).unwrap_or_default();
        let mut reason = format!("its workloadSelector {sel} matches the proxy's labels");
        if matching.len() > 1 {
            let others: Vec<String> = matching[1..].iter().map(|&i| reg.sidecars[i].id()).collect();
            reason.push_str(&format!(
                "; it is the oldest of {} matching Sidecars (also {})",
                matching.len(),
                others.join(", ")
            ));
            notes.push(format!(
                "Several Sidecars with a workloadSelector select this workload ({}). The Sidecar doc calls this undefined; istiod uses the oldest by creationTimestamp (then name, then namespace): {}.",
                matching.iter().map(|&i| reg.sidecars[i].id()).collect::<Vec<_>>().join(", "),
                sc.id()
            ));
        }
        if let Some(&d) = defaults.first() {
            reason.push_str(&format!(
                "; a matching workloadSelector takes precedence over the namespace-wide Sidecar {}",
                reg.sidecars[d].id()
            ));
        }
        return Selection { kind: SelectionKind::WorkloadSelector, reason, sidecar: Some(first), notes };
    }
    if let Some(&first) = defaults.first() {
        let mut reason = format!("it is the namespace-wide Sidecar (no workloadSelector) of {ns}");
        if selector_count > 0 {
            let which: Vec<String> = in_ns
                .iter()
                .filter(|&&i| reg.sidecars[i].workload_selector.is_some())
                .map(|&i| reg.sidecars[i].id())
                .collect();
            reason.push_str(&format!(
                "; the workloadSelector of {} does not match the proxy's labels {}",
                which.join(", "),
                labels_text(&proxy.labels)
            ));
        }
        if defaults.len() > 1 {
            let others: Vec<String> = defaults[1..].iter().map(|&i| reg.sidecars[i].id()).collect();
            reason.push_str(&format!(
                "; it is the oldest of {} Sidecars without workloadSelector (also {})",
                defaults.len(),
                others.join(", ")
            ));
            notes.push(format!(
                "{ns} has {} Sidecars without workloadSelector. The Sidecar doc calls this undefined (and asks for one, named `default`); istiod uses the oldest by creationTimestamp (then name): {}.",
                defaults.len(),
                reg.sidecars[first].id()
            ));
        }
        return Selection { kind: SelectionKind::NamespaceDefault, reason, sidecar: Some(first), notes };
    }
    let root_ns = reg.mesh.root_namespace.as_str();
    let names: Vec<String> = in_ns.iter().map(|&i| reg.sidecars[i].id()).collect();
    let why_not_ns = match names.len() {
        0 => format!("{ns} has no Sidecar"),
        1 => format!(
            "the only Sidecar in {ns} ({}) has a workloadSelector that does not match the proxy's labels {}",
            names[0],
            labels_text(&proxy.labels)
        ),
        n => format!(
            "all {n} Sidecars in {ns} ({}) have a workloadSelector that does not match the proxy's labels {}",
            names.join(", "),
            labels_text(&proxy.labels)
        ),
    };
    if let Some(root) = reg.root_sidecar {
        let sc = &reg.sidecars[root];
        if !in_ns.is_empty() {
            notes.push(format!(
                "The Sidecar doc says the root namespace's Sidecar applies to \"namespaces without a Sidecar\"; istiod also uses it for a namespace whose Sidecars all have non-matching workloadSelectors, as here ({}).",
                sc.id()
            ));
        }
        let reason = format!(
            "{why_not_ns}, so the default Sidecar of the root namespace {root_ns} applies, evaluated for namespace {ns} (`./` hosts mean {ns})"
        );
        return Selection { kind: SelectionKind::RootNamespace, reason, sidecar: Some(root), notes };
    }
    let root_selector: Vec<String> = reg.sidecars_in(root_ns).iter().map(|&i| reg.sidecars[i].id()).collect();
    let mut reason = format!(
        "no Sidecar applies: {why_not_ns}, and the root namespace {root_ns} has no Sidecar without workloadSelector"
    );
    if !root_selector.is_empty() && ns != root_ns {
        reason.push_str(&format!(
            " ({} in {root_ns} has a workloadSelector, so it only applies to proxies in {root_ns})",
            root_selector.join(", ")
        ));
    }
    reason.push_str("; Istio's default scope imports every service visible to the namespace (hosts */*)");
    Selection { kind: SelectionKind::None, reason, sidecar: None, notes }
}
