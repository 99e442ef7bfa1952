//! Sidecars that no proxy uses although their namespace has workloads (ours, SC3007). Which
//! Sidecar each workload gets is resolution's answer (`PushContext.getSidecarScope`); Sidecars
//! already reported by a selector finding (IST0101, IST0110, IST0111, IST0167) are left to it.

use std::collections::{BTreeSet, HashMap};

use super::beyond;
use super::context::{list_some, MeshContext};
use crate::diagnostic::{Code, Diagnostic, Severity};

pub(crate) fn check(m: &MeshContext, flagged: &BTreeSet<usize>, out: &mut Vec<Diagnostic>) {
    if !m.has_workloads {
        return;
    }
    // The workloads of each namespace, found once (not once per Sidecar), and what the message
    // says of them, made once per namespace.
    let mut by_ns: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, w) in m.reg.workloads.iter().enumerate() {
        by_ns.entry(w.namespace.as_str()).or_default().push(i);
    }
    let mut described: HashMap<&str, (BTreeSet<String>, String)> = HashMap::new();
    for sc in &m.sidecars {
        if flagged.contains(&sc.config) || m.is_root_default(sc) {
            continue;
        }
        let Some(in_ns) = by_ns.get(sc.namespace()) else { continue };
        let users = m.users(sc);
        if !m.proxies(sc).is_empty() {
            continue;
        }
        let mut severity = Severity::Warning;
        let mut hint =
            "its settings configure no proxy of the input; remove it, or fix its workloadSelector".to_string();
        let message = if users.is_empty() {
            let (taken, workloads) = described.entry(sc.namespace()).or_insert_with(|| {
                let taken: BTreeSet<String> = in_ns
                    .iter()
                    .filter_map(|&i| {
                        m.governing[i]
                            .sidecar
                            .map(|s| format!("{}/{}", m.reg.sidecars[s].namespace, m.reg.sidecars[s].name))
                    })
                    .collect();
                // Sorted, so the message does not depend on the order of the input's documents.
                let mut names: Vec<String> = in_ns.iter().map(|&i| m.reg.workloads[i].name.clone()).collect();
                names.sort();
                (taken, list_some(names, 3))
            });
            if !sc.has_selector() {
                // A namespace default kept for workloads to come is a choice, not a mistake.
                severity = Severity::Info;
                hint = "if it is meant for workloads added later, nothing to do; otherwise remove it".into();
            }
            if taken.is_empty() {
                format!("this Sidecar applies to no workload of namespace {} ({workloads})", sc.namespace())
            } else {
                format!(
                    "this Sidecar applies to no workload: every workload of namespace {} ({workloads}) gets another Sidecar ({})",
                    sc.namespace(),
                    list_some(taken.iter().cloned(), 3)
                )
            }
        } else {
            let mut why: Vec<String> = users
                .iter()
                .map(|&i| format!("{}: {}", m.reg.workloads[i].name, m.no_proxy[i].unwrap_or_default()))
                .collect();
            why.sort();
            format!("this Sidecar applies only to workloads without a sidecar proxy ({})", list_some(why, 3))
        };
        out.push(
            sc.resource
                .diagnostic(Code::SidecarAppliesToNoWorkload, message, "metadata.name", m.config(sc).name_range)
                .with_severity(severity)
                .with_hint(beyond(&hint)),
        );
    }
}
