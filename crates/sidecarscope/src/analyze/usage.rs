//! Sidecars that no proxy uses although their namespace has workloads (ours, SC3007). Which
//! Sidecar each workload gets is resolution's answer (`PushContext.getSidecarScope`); Sidecars
//! already reported by a selector finding (IST0101, IST0110, IST0111, IST0167) are left to it.

use std::collections::BTreeSet;

use super::beyond;
use super::mesh::{injection_disabled, list_some, name_range, Mesh};
use crate::diagnostic::{Code, Diagnostic};

pub(crate) fn check(m: &Mesh, flagged: &BTreeSet<usize>, out: &mut Vec<Diagnostic>) {
    if !m.has_workloads {
        return;
    }
    for sc in &m.sidecars {
        if flagged.contains(&sc.config) || m.is_root_default(sc) {
            continue;
        }
        let in_ns: Vec<usize> = (0..m.reg.workloads.len()).filter(|&i| m.reg.workloads[i].namespace == sc.namespace()).collect();
        if in_ns.is_empty() {
            continue;
        }
        let users = m.users(sc);
        let with_proxy: Vec<usize> = users
            .iter()
            .copied()
            .filter(|&i| {
                let w = &m.reg.workloads[i];
                !injection_disabled(m.input, &w.kind, &w.namespace, &w.name)
            })
            .collect();
        if !with_proxy.is_empty() {
            continue;
        }
        let message = if users.is_empty() {
            let taken: BTreeSet<String> = in_ns
                .iter()
                .filter_map(|&i| m.resolutions[i].sidecar.as_ref().map(|s| format!("{}/{}", s.namespace, s.name)))
                .collect();
            let workloads = list_some(in_ns.iter().map(|&i| m.reg.workloads[i].name.clone()), 3);
            if taken.is_empty() {
                format!("this Sidecar applies to no workload of namespace {} ({workloads})", sc.namespace())
            } else {
                format!(
                    "this Sidecar applies to no workload: every workload of namespace {} ({workloads}) gets another Sidecar ({})",
                    sc.namespace(),
                    list_some(taken, 3)
                )
            }
        } else {
            format!(
                "this Sidecar applies only to workloads without a sidecar proxy ({}: sidecar.istio.io/inject is \"false\")",
                list_some(users.iter().map(|&i| m.reg.workloads[i].name.clone()), 3)
            )
        };
        out.push(
            sc.resource
                .diagnostic(Code::SidecarAppliesToNoWorkload, message, "metadata.name", name_range(sc.resource))
                .with_hint(beyond("its settings configure no proxy of the input; remove it, or fix its workloadSelector")),
        );
    }
}
