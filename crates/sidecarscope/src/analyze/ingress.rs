//! Ingress listeners (ours, SC3004): a port that no Service selecting the Sidecar's workloads
//! targets. istiod builds the inbound listener anyway (`buildInboundChainConfigs` takes the
//! Sidecar's ingress ports as they are), but traffic sent to the workload's Services arrives on
//! their target ports, never on this one.

use std::collections::BTreeSet;

use super::beyond;
use super::context::{list_some, listener_port_range, MeshContext};
use crate::diagnostic::{Code, Diagnostic};
use crate::registry::read::labels_subset;
use crate::registry::TargetPort;
use crate::workload::Workload;

/// The ports Services deliver to on a workload (Istio's service targets), with the Services.
fn targets(m: &MeshContext, w: &Workload) -> Vec<(u32, String)> {
    let mut out = Vec::new();
    for &id in m.reg.services_in_namespace(&w.namespace) {
        let s = &m.reg.services[id];
        if s.selector.is_empty() || !labels_subset(&s.selector, &w.labels) {
            continue;
        }
        for p in &s.ports {
            let target = match &p.target_port {
                None => Some(p.number),
                Some(TargetPort::Number(n)) => Some(*n),
                Some(TargetPort::Name(name)) => w.ports.iter().find(|c| &c.name == name).map(|c| c.number),
            };
            if let Some(t) = target {
                out.push((t, format!("{} port {} -> targetPort {t}", s.origin(), p.number)));
            }
        }
    }
    out
}

pub(crate) fn check(m: &MeshContext, out: &mut Vec<Diagnostic>) {
    if !m.has_workloads || !m.has_services {
        return;
    }
    for sc in &m.sidecars {
        let cfg = m.config(sc);
        if cfg.ingress.is_empty() {
            continue;
        }
        let users = m.proxies(sc);
        let targets: Vec<(u32, String)> = users.iter().flat_map(|&w| targets(m, &m.reg.workloads[w])).collect();
        if targets.is_empty() {
            continue; // No Service selects these workloads: nothing to compare with.
        }
        let target_ports: BTreeSet<u32> = targets.iter().map(|(p, _)| *p).collect();
        for (i, ing) in cfg.ingress.iter().enumerate() {
            let port = ing.port.number;
            if port == 0 || target_ports.contains(&port) {
                continue;
            }
            let names = list_some(users.iter().map(|&w| m.reg.workloads[w].name.clone()), 3);
            out.push(
                sc.resource
                    .diagnostic(
                        Code::IngressPortNotTargeted,
                        format!("no Service sends traffic to port {port} of the workloads this Sidecar applies to ({names}): this ingress listener only receives connections made to the pod IP directly"),
                        format!("spec.ingress[{i}].port"),
                        listener_port_range(sc.resource, "ingress", i),
                    )
                    .with_hint(beyond(&format!(
                        "their Services deliver to port {} ({}); use that port, or set a Service's targetPort to {port}",
                        target_ports.iter().map(u32::to_string).collect::<Vec<_>>().join(", "),
                        list_some(targets.iter().map(|(_, t)| t.clone()), 3)
                    ))),
            );
        }
    }
}
