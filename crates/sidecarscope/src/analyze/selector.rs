//! Which workloads Sidecars select, as istioctl's `sidecar.SelectorAnalyzer` (IST0101, IST0110,
//! IST0111, IST0167) and Kiali's `WorkloadSelectorNoWorkloadFoundChecker` (KIA0004),
//! `GenericMultiMatchChecker` (KIA0002, KIA0003) and `GlobalChecker` (KIA1006) check them. Where
//! both tools report the same finding on the same Sidecar, one diagnostic carries both codes.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::context::{labels_text, list_some, MeshContext, SidecarRef};
use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::go::strconv::go_quote;
use crate::registry::labels::{labels_subset, LabelIndex};
use crate::text::TextRange;

const KIALI_NO_WORKLOAD: &str = "No matching workload found for the selector in this namespace";
const KIALI_MULTI_SELECTOR: &str = "More than one object applied to the same workload";
const KIALI_MULTI_SELECTORLESS: &str = "More than one selector-less object in the same namespace";

/// Istio `getNames`: the sorted names, rendered as Go's `%v` of a `[]string`.
///
/// Istio lists every name in every message; past `MAX_LISTED` names we list the first ones and
/// count the rest, so a namespace with thousands of competing Sidecars cannot make the output
/// (one message per Sidecar) grow with the square of their number.
fn go_names(sidecars: &[&SidecarRef]) -> String {
    const MAX_LISTED: usize = 50;
    let mut names: Vec<&str> = sidecars.iter().map(|s| s.name()).collect();
    names.sort();
    if names.len() > MAX_LISTED {
        let more = names.len() - MAX_LISTED;
        names.truncate(MAX_LISTED);
        return format!("[{} ... (+{more} more)]", names.join(" "));
    }
    format!("[{}]", names.join(" "))
}

/// The Sidecar istiod applies where several compete: the first in its selection order
/// (`initSidecarScopes`: oldest by creationTimestamp, then name).
fn winner<'s>(group: &[&'s SidecarRef<'s>]) -> &'s SidecarRef<'s> {
    group.iter().min_by_key(|s| s.config).copied().expect("non-empty group")
}

/// Ranks the conflicts and no-match findings of every Sidecar.
pub(crate) fn check(m: &MeshContext, out: &mut Vec<Diagnostic>, flagged: &mut BTreeSet<usize>) {
    selectorless(m, out, flagged);
    if m.has_workloads {
        with_selector(m, out, flagged);
    }
    root_with_selector(m, out);
}

/// IST0111 / IST0167 (namespace) / KIA0002: several selector-less Sidecars in one namespace.
fn selectorless(m: &MeshContext, out: &mut Vec<Diagnostic>, flagged: &mut BTreeSet<usize>) {
    let mut by_ns: BTreeMap<&str, Vec<&SidecarRef>> = BTreeMap::new();
    for sc in m.sidecars.iter().filter(|s| !s.has_selector()) {
        by_ns.entry(sc.namespace()).or_default().push(sc);
    }
    for (ns, group) in by_ns {
        let ambient = m.namespace_ambient(ns);
        let names = go_names(&group);
        let used = winner(&group);
        for sc in &group {
            let r = sc.resource;
            let range = sc_selector_or_name(m, sc);
            if ambient {
                out.push(
                    r.diagnostic(
                        Code::IneffectiveInAmbient,
                        "The policy has no impact: namespace is in ambient mode, the policy has no impact.",
                        path_selector_or_name(m, sc),
                        range,
                    )
                    .with_hint(format!(
                        "namespace {ns} has the label istio.io/dataplane-mode=ambient: its workloads run without sidecar proxies, so no proxy reads this Sidecar"
                    )),
                );
                flagged.insert(sc.config);
                if group.len() > 1 {
                    out.push(
                        r.diagnostic(Code::SelectorlessConflictKiali, KIALI_MULTI_SELECTORLESS, path_selector_or_name(m, sc), range)
                            .with_kiali_code(Some("KIA0002"))
                            .with_hint(format!(
                                "Kiali reports {names} in namespace {ns}; istioctl reports IST0167 instead, since the namespace is ambient"
                            )),
                    );
                }
                continue;
            }
            if group.len() < 2 {
                continue;
            }
            let msg = format!(
                "The Sidecars {names} in namespace {} have no workload selector, which can lead to undefined behavior.",
                go_quote(ns)
            );
            let hint = if sc.config == used.config {
                format!("istiod uses this one (the first by creationTimestamp, then name) for every workload of {ns} without a matching selector Sidecar and ignores the others; keep one Sidecar without workloadSelector per namespace")
            } else {
                format!("istiod uses {} (the first by creationTimestamp, then name) as the namespace default and ignores this one entirely; keep one Sidecar without workloadSelector per namespace", used.name())
            };
            out.push(
                r.diagnostic(Code::MultipleSelectorlessSidecars, msg, path_selector_or_name(m, sc), range)
                    .with_kiali_code(Some("KIA0002"))
                    .with_hint(format!("{hint}. Kiali: {KIALI_MULTI_SELECTORLESS} (KIA0002)")),
            );
            flagged.insert(sc.config);
        }
    }
}

fn sc_selector_or_name(m: &MeshContext, sc: &SidecarRef) -> TextRange {
    m.reg.sidecars[sc.config].workload_selector_key.unwrap_or_else(|| m.config(sc).name_range)
}

fn path_selector_or_name(m: &MeshContext, sc: &SidecarRef) -> &'static str {
    if m.reg.sidecars[sc.config].workload_selector_key.is_some() {
        "spec.workloadSelector"
    } else {
        "metadata.name"
    }
}

/// The range and path of the first selector label (sorted by key), as istioctl pins IST0101.
fn first_label(m: &MeshContext, sc: &SidecarRef) -> (TextRange, String) {
    let Some(key) = sc.labels.keys().next() else { return (m.config(sc).name_range, "metadata.name".into()) };
    let config = &m.reg.sidecars[sc.config];
    // The last entry of a key written twice, as decoding keeps it.
    let range = config
        .workload_selector_label_keys
        .iter()
        .rev()
        .find(|(k, _)| k == key)
        .map_or_else(|| config.workload_selector_key.unwrap_or_else(|| m.config(sc).name_range), |(_, r)| *r);
    (range, format!("spec.workloadSelector.labels.{key}"))
}

/// IST0101, IST0110, IST0167 (pods), KIA0003, KIA0004 for Sidecars with a selector.
fn with_selector(m: &MeshContext, out: &mut Vec<Diagnostic>, flagged: &mut BTreeSet<usize>) {
    let selector: Vec<&SidecarRef> = m.sidecars.iter().filter(|s| s.has_selector()).collect();
    // Istio: pods of the Sidecar's own namespace only (looked up by namespace, in pod order,
    // and by label: see `LabelIndex`).
    let mut pods_in: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, p) in m.pods.iter().enumerate() {
        pods_in.entry(p.namespace).or_default().push(i);
    }
    let pod_index: HashMap<&str, LabelIndex> =
        pods_in.iter().map(|(ns, pods)| (*ns, LabelIndex::new(pods.iter().map(|&i| m.pods[i].labels)))).collect();
    let mut pod_sidecars: Vec<Vec<&SidecarRef>> = vec![Vec::new(); m.pods.len()];
    let mut workloads = NamespaceWorkloads::new(m);
    for sc in &selector {
        let mut found = false;
        if let (Some(pods), Some(index)) = (pods_in.get(sc.namespace()), pod_index.get(sc.namespace())) {
            for pos in index.candidates(&sc.labels) {
                let i = pods[pos];
                if labels_subset(&sc.labels, m.pods[i].labels) {
                    pod_sidecars[i].push(sc);
                    found = true;
                }
            }
        }
        if !found {
            no_pod(m, sc, &mut workloads, out);
            flagged.insert(sc.config);
        }
    }
    // Kiali: workloads of every namespace; Sidecars of one namespace sharing a workload. A
    // Sidecar can only select a workload that has its first selector label: the candidates of
    // a workload are looked up by its labels, then checked in Sidecar order.
    let mut by_first_label: HashMap<(&str, &str), Vec<usize>> = HashMap::new();
    for (k, sc) in selector.iter().enumerate() {
        if let Some((key, value)) = sc.labels.iter().next() {
            by_first_label.entry((key.as_str(), value.as_str())).or_default().push(k);
        }
    }
    let mut kiali_flagged: BTreeMap<usize, String> = BTreeMap::new();
    let mut candidates: Vec<usize> = Vec::new();
    for w in &m.kiali_workloads {
        candidates.clear();
        for (key, value) in w.labels {
            candidates.extend(by_first_label.get(&(key.as_str(), value.as_str())).into_iter().flatten());
        }
        candidates.sort_unstable();
        candidates.dedup();
        let mut by_ns: BTreeMap<&str, Vec<&SidecarRef>> = BTreeMap::new();
        for sc in candidates.iter().map(|&k| selector[k]).filter(|sc| labels_subset(&sc.labels, w.labels)) {
            by_ns.entry(sc.namespace()).or_default().push(sc);
        }
        for (ns, group) in by_ns.into_iter().filter(|(_, g)| g.len() > 1) {
            for sc in &group {
                let why = if w.namespace != ns {
                    format!(
                        "{} {}/{} matches them, although it is in another namespace, where these Sidecars do not apply",
                        w.kind, w.namespace, w.name
                    )
                } else {
                    format!("{} {}/{} matches them", w.kind, w.namespace, w.name)
                };
                kiali_flagged.entry(sc.config).or_insert(why);
            }
        }
    }
    let mut ambient_reported = BTreeSet::new();
    let mut first_conflict: BTreeMap<usize, usize> = BTreeMap::new();
    for (i, group) in pod_sidecars.iter().enumerate() {
        let pod = &m.pods[i];
        if group.is_empty() {
            continue;
        }
        if pod.ambient {
            for sc in group {
                if ambient_reported.insert(sc.config) {
                    let (range, path) = first_label(m, sc);
                    out.push(
                        sc.resource
                            .diagnostic(Code::IneffectiveInAmbient, "The policy has no impact: selected workload is in ambient mode, the policy has no impact.", path, range)
                            .with_hint(format!(
                                "pod {}/{} has ambient.istio.io/redirection=enabled: it runs without a sidecar proxy, so this Sidecar has no effect on it",
                                pod.namespace, pod.name
                            )),
                    );
                    flagged.insert(sc.config);
                }
            }
            continue;
        }
        if group.len() < 2 {
            continue;
        }
        let names = go_names(group);
        let used = winner(group);
        for sc in group {
            let msg = format!(
                "The Sidecars {names} in namespace {} select the same workload pod {}, which can lead to undefined behavior.",
                go_quote(pod.namespace),
                go_quote(&pod.name)
            );
            let mut hint = if sc.config == used.config {
                "istiod applies this one (the first by creationTimestamp, then name) to the pod and ignores the others for it".to_string()
            } else {
                format!("istiod applies {} (the first by creationTimestamp, then name) to the pod and ignores this one for it", used.name())
            };
            if let Some(c) = &pod.implied_by {
                hint.push_str(&format!("; the pod stands for the running pods of {c} (istioctl names each of them)"));
            }
            hint.push_str("; make the selectors disjoint");
            out.push(
                sc.resource
                    .diagnostic(Code::ConflictingWorkloadSelectors, msg, "metadata.name", m.config(sc).name_range)
                    .with_hint(hint),
            );
            first_conflict.entry(sc.config).or_insert(out.len() - 1);
            flagged.insert(sc.config);
        }
    }
    // KIA0003 rides on the Sidecar's first IST0110; else it is reported alone.
    for (config, why) in kiali_flagged {
        let sc = selector.iter().find(|s| s.config == config).expect("flagged Sidecar has a selector");
        if let Some(&at) = first_conflict.get(&config) {
            let d = &mut out[at];
            d.kiali_code = Some("KIA0003");
            let h = d.hint.take().unwrap_or_default();
            d.hint = Some(format!("{h}. Kiali: {KIALI_MULTI_SELECTOR} (KIA0003, once per Sidecar)"));
            continue;
        }
        let cross_namespace = why.contains("another namespace");
        let mut hint = format!("Kiali reports this because {why}");
        if cross_namespace {
            hint.push_str(
                "; istioctl and istiod match a Sidecar's selector only in its own namespace, so this is not a conflict",
            );
        } else if ambient_reported.contains(&config) {
            hint.push_str("; istioctl reports IST0167 instead: the workload is in ambient mode");
        } else {
            hint.push_str("; istioctl, which looks at running pods, finds no pod selected twice");
        }
        let severity = if cross_namespace { Severity::Info } else { Severity::Warning };
        out.push(
            sc.resource
                .diagnostic(
                    Code::SelectorConflictKiali,
                    KIALI_MULTI_SELECTOR,
                    "spec.workloadSelector",
                    sc_selector_or_name(m, sc),
                )
                .with_kiali_code(Some("KIA0003"))
                .with_severity(severity)
                .with_hint(hint),
        );
    }
}

/// The workloads of each namespace, indexed by label, for IST0101's hints: which Kiali workload
/// and which WorkloadEntry a selector matches (the first, in their order) and the namespace's
/// workload list, each found without scanning every workload for every Sidecar.
struct NamespaceWorkloads<'m> {
    /// Kiali workloads of each namespace (indexes in `m.kiali_workloads`) and their index.
    kiali: HashMap<&'m str, (Vec<usize>, LabelIndex<'m>)>,
    /// WorkloadEntries of each namespace (indexes in `m.reg.workloads`) and their index.
    entries: HashMap<&'m str, (Vec<usize>, LabelIndex<'m>)>,
    /// `name (labels)` of every workload of a namespace, as listed in the hint (made once).
    listed: HashMap<&'m str, Option<String>>,
}

impl<'m> NamespaceWorkloads<'m> {
    fn new(m: &'m MeshContext) -> Self {
        let mut kiali: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, w) in m.kiali_workloads.iter().enumerate() {
            kiali.entry(w.namespace).or_default().push(i);
        }
        let mut entries: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, w) in m.reg.workloads.iter().enumerate().filter(|(_, w)| w.kind == "WorkloadEntry") {
            entries.entry(w.namespace.as_str()).or_default().push(i);
        }
        NamespaceWorkloads {
            kiali: kiali
                .into_iter()
                .map(|(ns, ids)| {
                    let index = LabelIndex::new(ids.iter().map(|&i| m.kiali_workloads[i].labels));
                    (ns, (ids, index))
                })
                .collect(),
            entries: entries
                .into_iter()
                .map(|(ns, ids)| {
                    let index = LabelIndex::new(ids.iter().map(|&i| &m.reg.workloads[i].labels));
                    (ns, (ids, index))
                })
                .collect(),
            listed: HashMap::new(),
        }
    }

    /// The namespace's workloads as the hint lists them (`None`: it has none).
    fn listed(&mut self, m: &'m MeshContext, ns: &'m str) -> Option<&str> {
        self.listed
            .entry(ns)
            .or_insert_with(|| {
                let in_ns: Vec<String> = m
                    .reg
                    .workloads
                    .iter()
                    .filter(|w| w.namespace == ns)
                    .map(|w| format!("{} ({})", w.name, labels_text(&w.labels)))
                    .collect();
                (!in_ns.is_empty()).then(|| list_some(in_ns, 4))
            })
            .as_deref()
    }
}

/// IST0101 (and KIA0004 when Kiali finds no workload either).
fn no_pod<'m>(
    m: &'m MeshContext,
    sc: &'m SidecarRef,
    ns_workloads: &mut NamespaceWorkloads<'m>,
    out: &mut Vec<Diagnostic>,
) {
    let selector = labels_text(&sc.labels);
    let (range, path) = first_label(m, sc);
    let kiali_match = ns_workloads.kiali.get(sc.namespace()).and_then(|(ids, ix)| {
        ix.candidates(&sc.labels)
            .into_iter()
            .map(|pos| &m.kiali_workloads[ids[pos]])
            .find(|w| labels_subset(&sc.labels, w.labels))
    });
    let entry_match = ns_workloads.entries.get(sc.namespace()).and_then(|(ids, ix)| {
        ix.candidates(&sc.labels)
            .into_iter()
            .map(|pos| &m.reg.workloads[ids[pos]])
            .find(|w| labels_subset(&sc.labels, &w.labels))
    });
    let in_ns = ns_workloads.listed(m, sc.namespace());
    let mut hint = match in_ns {
        None => format!(
            "no proxy uses this Sidecar. The input has no workload in namespace {}: if its workloads are in other files, add them to the input",
            sc.namespace()
        ),
        Some(listed) => format!("no proxy uses this Sidecar, so its settings have no effect; workloads of {}: {listed}", sc.namespace()),
    };
    let mut d = sc.resource.diagnostic(
        Code::SelectorMatchesNoPod,
        format!("Referenced selector not found: {}", go_quote(&selector)),
        path,
        range,
    );
    match (kiali_match, entry_match) {
        (_, Some(we)) => {
            hint = format!(
                "istioctl only looks at Pods; this Sidecar does apply to WorkloadEntry {}/{}, whose proxy has these labels",
                we.namespace, we.name
            );
            d = d.with_severity(Severity::Info);
            if kiali_match.is_none() {
                d = d.with_kiali_code(Some("KIA0004"));
            }
        }
        (Some(w), None) => {
            let why = if w.scaled_to_zero { " (scaled to 0, it runs no pod)" } else { "" };
            hint.push_str(&format!("; Kiali does not report it: {} {} matches{why}", w.kind, w.name));
        }
        (None, None) => {
            d = d.with_kiali_code(Some("KIA0004"));
            hint.push_str(&format!(". Kiali: {KIALI_NO_WORKLOAD} (KIA0004)"));
        }
    }
    out.push(d.with_hint(hint));
}

/// KIA1006: a Sidecar with a selector in the root namespace is not the mesh-wide default.
fn root_with_selector(m: &MeshContext, out: &mut Vec<Diagnostic>) {
    for sc in m.sidecars.iter().filter(|s| s.has_selector() && s.namespace() == m.root_namespace()) {
        out.push(
            sc.resource
                .diagnostic(
                    Code::RootSidecarWithSelector,
                    "Global default sidecar should not have workloadSelector",
                    "spec.workloadSelector",
                    sc_selector_or_name(m, sc),
                )
                .with_kiali_code(Some("KIA1006"))
                .with_hint(format!(
                    "a Sidecar in the root namespace {} is the mesh-wide default only without a workloadSelector; with one, it applies only to the selected workloads of {} itself",
                    m.root_namespace(),
                    m.root_namespace()
                )),
        );
    }
}
