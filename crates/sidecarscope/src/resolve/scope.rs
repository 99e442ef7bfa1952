//! The SidecarScope of one Sidecar (or none) evaluated for one config namespace: its egress
//! listeners and the scope-wide service set. Everything here is shared by every proxy of that
//! namespace using that Sidecar, as in istiod. Mirrors `initSidecarScopeInternalIndexes`,
//! `collectImportedServices`, `appendSidecarServices` and `canMergeServices`.

use std::collections::HashMap;

use serde::Serialize;

use super::egress::{self, port_filter, trim_to_port, ImportedService, ShadowedService};
use super::output::{port_info, PortInfo, Shared};
use crate::protocol::{DeclaredProtocol, Protocol};
use crate::registry::{
    EgressListenerConfig, ExportTo, Registry, ServiceId, ServicePort, ServiceRegistry, SidecarConfig,
};

/// One egress listener of the effective configuration.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EgressListener {
    /// `port.number`; `None` for the catch-all listener.
    pub port: Option<u32>,
    /// `port.protocol`, canonical when Istio recognises it.
    pub protocol: Option<DeclaredProtocol>,
    pub name: Option<String>,
    pub bind: Option<String>,
    /// `DEFAULT`, `IPTABLES` or `NONE`.
    pub capture_mode: String,
    pub hosts: Vec<String>,
    /// Synthesized by Istio (no Sidecar, or a Sidecar without `egress`): hosts `*/*`.
    pub implicit: bool,
    /// Only services exposing this port are imported, trimmed to it.
    pub port_filter: Option<u32>,
    pub services: Vec<ImportedService>,
    /// `namespace/name` of the imported VirtualServices.
    pub virtual_services: Vec<String>,
    /// Services with an imported hostname that were dropped for another namespace's.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub shadowed: Vec<ShadowedService>,
    /// Host entries that imported nothing (no service, no VirtualService), with the reason.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unused_hosts: Vec<UnusedHost>,
}

#[derive(Debug, Clone, Serialize)]
pub struct UnusedHost {
    pub host: String,
    pub reason: String,
}

/// A service of the scope-wide set: what istiod builds outbound clusters for.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScopeService {
    pub hostname: String,
    pub namespace: String,
    pub registry: ServiceRegistry,
    pub ports: Vec<PortInfo>,
    /// How it got in: `egress listener 1 (prod-us1/*)`, `destination of VirtualService ns/name`.
    pub sources: Vec<String>,
}

/// An entry of the scope-wide set while it is built (Istio merges ports into copies).
struct Entry {
    id: ServiceId,
    ports: Vec<ServicePort>,
    sources: Vec<String>,
}

/// The shared part of a resolution.
pub(crate) struct Scope {
    pub egress: Shared<Vec<EgressListener>>,
    pub services: Shared<Vec<ScopeService>>,
    /// The registry service of each scope service (same order).
    pub service_ids: Vec<ServiceId>,
    pub notes: Vec<String>,
}

/// A listener's label for reasons: `egress listener 2 (port 9080)`.
pub(crate) fn listener_label(index: usize, l: &EgressListenerConfig) -> String {
    match &l.port {
        Some(p) => format!("egress listener {} (port {})", index + 1, p.number),
        None => format!("egress listener {} (catch-all)", index + 1),
    }
}

pub(crate) fn compute(reg: &Registry, sidecar: Option<&SidecarConfig>, config_ns: &str) -> Scope {
    build(reg, sidecar, config_ns, true)
}

/// The scope for analysis: the egress listeners and the scope services' registry ids, without
/// the scope services themselves (`Scope::services` is empty), how each got in, their merged
/// ports or the notes about them. For a Sidecar importing `*/*` those were the peak of
/// analysis's memory.
pub(crate) fn compute_for_analysis(reg: &Registry, sidecar: Option<&SidecarConfig>, config_ns: &str) -> Scope {
    build(reg, sidecar, config_ns, false)
}

/// `explain`: build the scope services with their sources.
fn build(reg: &Registry, sidecar: Option<&SidecarConfig>, config_ns: &str, explain: bool) -> Scope {
    let implicit = sidecar.is_none_or(|s| s.egress.is_empty());
    let default_listener = [EgressListenerConfig::catch_all_default()];
    let configs: &[EgressListenerConfig] = match sidecar {
        Some(s) if !s.egress.is_empty() => &s.egress,
        _ => &default_listener,
    };
    let mut notes = Vec::new();
    let mut listeners = Vec::with_capacity(configs.len());
    let mut entries: Vec<Entry> = Vec::new();
    let mut added: HashMap<&str, usize> = HashMap::new();
    let mut uses_exclusion = false;
    for (li, l) in configs.iter().enumerate() {
        let hosts = egress::parse_hosts(&l.hosts, config_ns);
        uses_exclusion |= l.hosts.iter().any(|h| h.starts_with('~'));
        let mut selected = egress::select_services(reg, l, &hosts, config_ns);
        let vss = egress::select_virtual_services(reg, &hosts, config_ns, &mut selected.used_entries);
        let label = listener_label(li, l);
        for imp in &selected.imported {
            // Without reasons only the services matter, not their merged ports (which never
            // decide whether a service is in the scope).
            let (ports, source) = match explain {
                true => (imp.ports.clone(), Some(format!("{label} via {}", imp.matched_by))),
                false => (Vec::new(), None),
            };
            append(reg, &mut entries, &mut added, &mut notes, imp.id, ports, source);
        }
        // Istio: "Infer more possible destinations from virtual services".
        let filter = port_filter(l);
        for &vi in &vss {
            let vs = &reg.virtual_services[vi];
            for (host, ports) in vs.destinations_for(config_ns) {
                let pick = match reg.service_in(&host, config_ns) {
                    Some(id) => Some(id),
                    None => pick_best_namespace(reg, &host, config_ns),
                };
                let Some(id) = pick else { continue };
                let s = &reg.services[id];
                let trimmed = match filter {
                    Some(n) => trim_to_port(&s.ports, n),
                    None => trim_to_destination_ports(&s.ports, &ports),
                };
                if let Some(p) = trimmed {
                    let (ports, source) = match explain {
                        true => (p, Some(format!("destination of VirtualService {} ({label})", vs.id()))),
                        false => (Vec::new(), None),
                    };
                    append(reg, &mut entries, &mut added, &mut notes, id, ports, source);
                }
            }
            if vs.has_delegate() {
                notes.push(format!("VirtualService {} delegates routes; Sidecarscope does not merge delegate VirtualServices, so their destinations are not in the scope", vs.id()));
            }
        }
        let mut unused_hosts: Vec<UnusedHost> = hosts
            .malformed
            .iter()
            .map(|h| UnusedHost {
                host: h.to_string(),
                reason: "not of the form namespace/dnsName; istiod skips it".into(),
            })
            .collect();
        for h in &l.hosts {
            if h.starts_with('~')
                || hosts.malformed.contains(&h.as_str())
                || selected.used_entries.contains(&h.as_str())
            {
                continue;
            }
            unused_hosts.push(UnusedHost { host: h.clone(), reason: unused_reason(reg, h, config_ns) });
        }
        let protocol = l.port.as_ref().and_then(|p| p.protocol.clone());
        listeners.push(EgressListener {
            port: l.port.as_ref().map(|p| p.number),
            protocol,
            name: l.port.as_ref().map(|p| p.name.clone()).filter(|n| !n.is_empty()),
            bind: Some(l.bind.clone()).filter(|b| !b.is_empty()),
            capture_mode: if l.capture_mode.is_empty() { "DEFAULT".into() } else { l.capture_mode.clone() },
            hosts: l.hosts.clone(),
            implicit,
            port_filter: filter,
            services: selected.imported.iter().map(|imp| ImportedService::new(reg, imp)).collect(),
            virtual_services: vss.iter().map(|&i| reg.virtual_services[i].id()).collect(),
            shadowed: selected.shadowed,
            unused_hosts,
        });
    }
    most_specific_port_note(&listeners, &mut notes);
    if uses_exclusion {
        notes.push(
            "A `~` host entry excludes matching services and VirtualServices (`~/*` excludes everything, cancelling the listener's other entries). The Sidecar doc still describes `~` as \"no namespace\"; this Istio version treats it as an exclusion.".into(),
        );
    }
    let service_ids: Vec<ServiceId> = entries.iter().map(|e| e.id).collect();
    let services: Vec<ScopeService> = entries
        .into_iter()
        .filter(|_| explain)
        .map(|e| {
            let s = &reg.services[e.id];
            ScopeService {
                hostname: s.hostname.clone(),
                namespace: s.namespace.clone(),
                registry: s.registry,
                ports: e.ports.iter().map(port_info).collect(),
                sources: e.sources,
            }
        })
        .collect();
    Scope { egress: Shared::new(listeners), services: Shared::new(services), service_ids, notes }
}

/// The catch-all listener's list is the resolution result; at listener generation a port that a
/// port-specific listener (without bind) already claims is closed to the catch-all (the
/// most-specific-port rule, "most specific port wins": `Outbound::claim_most_specific_ports` in
/// `listeners/outbound.rs`, Istio's `outboundListenerEntry.locked` in
/// `buildSidecarOutboundListeners`), so HTTP and auto-detected services on that port are not
/// served by the catch-all.
fn most_specific_port_note(listeners: &[EgressListener], notes: &mut Vec<String>) {
    let Some((ci, catch_all)) = listeners.iter().enumerate().find(|(_, l)| l.port.is_none()) else { return };
    for (i, l) in listeners.iter().enumerate().take(ci) {
        let Some(port) = l.port.filter(|p| *p != 0 && l.bind.as_deref().is_none_or(|b| b == "0.0.0.0")) else {
            continue;
        };
        let affected: Vec<String> = catch_all
            .services
            .iter()
            .filter(|s| {
                s.ports
                    .iter()
                    .any(|p| p.number == port && p.protocol.0.is_none_or(|x| x.is_http() && x != Protocol::HttpProxy))
            })
            .filter(|s| !l.services.iter().any(|own| own.hostname == s.hostname))
            .map(|s| s.hostname.clone())
            .collect();
        if affected.is_empty() {
            continue;
        }
        let shown = affected.iter().take(5).cloned().collect::<Vec<_>>().join(", ");
        let more = if affected.len() > 5 { format!(" and {} more", affected.len() - 5) } else { String::new() };
        notes.push(format!(
            "Port {port} is claimed by egress listener {} (when listeners are generated, the most specific port wins), so the catch-all egress listener {} gets no route on 0.0.0.0:{port} for {shown}{more}, although it lists them (TCP services with their own address may still get a listener).",
            i + 1,
            ci + 1
        ));
    }
}

/// Why a host entry imported nothing, with the fix when it is a short name.
fn unused_reason(reg: &Registry, entry: &str, config_ns: &str) -> String {
    let (ns, name) = entry.split_once('/').unwrap_or(("", entry));
    if ns.starts_with('~') {
        // An exclusion imports nothing by design, whether or not a service matches it.
        return "an exclusion (`~`) imports nothing itself: it removes the services it matches from what the listener's other entries import".into();
    }
    let ns = if ns == "." { config_ns } else { ns };
    if !name.contains('.') && name != "*" && !name.starts_with('*') && ns != "*" {
        let fqdn = crate::registry::service::kubernetes_hostname(name, ns);
        if reg.service_in(&fqdn, ns).is_some() {
            return format!("no service has the hostname {name}; Sidecar hosts are matched literally, without short-name expansion: write {ns}/{fqdn}");
        }
    }
    if ns != "*" && reg.services_in_namespace(ns).is_empty() {
        return format!("no service (visible or not) exists in namespace {ns}");
    }
    "no service or VirtualService visible to this namespace matches it (on this listener's port)".into()
}

/// Istio `pickBestVisibleNamespace` (`PILOT_SIDECAR_PICK_BEST_SERVICE_NAMESPACE=true`): a visible
/// Kubernetes Service, else the oldest visible service. Ties (which Go leaves to map order) go
/// to the first in registry order.
fn pick_best_namespace(reg: &Registry, host: &str, config_ns: &str) -> Option<ServiceId> {
    let mut best: Option<ServiceId> = None;
    for &(_, id) in reg.services_by_hostname(host) {
        if !reg.service_visible(id, config_ns) {
            continue;
        }
        if reg.services[id].registry == ServiceRegistry::Kubernetes {
            return Some(id);
        }
        if best.is_none_or(|b| reg.services[id].creation < reg.services[b].creation) {
            best = Some(id);
        }
    }
    best
}

/// Istio `serviceMatchingVirtualServicePorts`: a destination without port needs every port;
/// otherwise keep the destination ports the service has, or nothing.
fn trim_to_destination_ports(ports: &[ServicePort], wanted: &[Option<u32>]) -> Option<Vec<ServicePort>> {
    if wanted.is_empty() || wanted.contains(&None) {
        return Some(ports.to_vec());
    }
    let found: Vec<ServicePort> = ports.iter().filter(|p| wanted.contains(&Some(p.number))).cloned().collect();
    (!found.is_empty()).then_some(found)
}

/// Istio `appendSidecarServices`: first in wins, except that a Kubernetes Service replaces a
/// ServiceEntry; same-hostname services merge their ports only when `canMergeServices`.
/// Drops that change what the proxy reaches are explained in `notes`.
/// `source`: how the service got in (`None` when the scope is computed without reasons).
fn append<'r>(
    reg: &'r Registry,
    entries: &mut Vec<Entry>,
    added: &mut HashMap<&'r str, usize>,
    notes: &mut Vec<String>,
    id: ServiceId,
    ports: Vec<ServicePort>,
    source: Option<String>,
) {
    let s = &reg.services[id];
    let Some(&at) = added.get(s.hostname.as_str()) else {
        added.insert(&s.hostname, entries.len());
        entries.push(Entry { id, ports, sources: source.into_iter().collect() });
        return;
    };
    let source_text = source.as_deref().unwrap_or_default();
    let existing = &mut entries[at];
    let ex = &reg.services[existing.id];
    if ex.registry == ServiceRegistry::Kubernetes && s.registry != ServiceRegistry::Kubernetes {
        notes.push(format!(
            "{} ({}, {source_text}) is not added to the scope: it already has the Kubernetes Service with that hostname from {}, which is never merged with other registries",
            s.hostname,
            s.origin(),
            ex.namespace
        ));
        return;
    }
    if ex.registry != ServiceRegistry::Kubernetes && s.registry == ServiceRegistry::Kubernetes {
        notes.push(format!(
            "{} from {} replaces {} in the scope: a Kubernetes Service takes a hostname over from ServiceEntries",
            s.hostname,
            s.origin(),
            ex.origin()
        ));
        *existing = Entry { id, ports, sources: source.into_iter().collect() };
        return;
    }
    let same_ports =
        existing.ports.len() == ports.len() && existing.ports.iter().zip(&ports).all(|(a, b)| a.same_as(b));
    if same_ports {
        if let Some(source) = source.filter(|src| existing.id == id && !existing.sources.contains(src)) {
            existing.sources.push(source);
        }
        return;
    }
    if let Some(why) = cannot_merge(reg, existing.id, id) {
        notes.push(format!(
            "{} from {} ({source_text}) is not added to the scope: it already has {} from {}, and {why}",
            s.hostname,
            s.origin(),
            s.hostname,
            ex.origin()
        ));
        return;
    }
    for p in ports {
        if !existing.ports.iter().any(|e| e.number == p.number) {
            existing.ports.push(p);
        }
    }
    if let Some(source) = source.filter(|src| !existing.sources.contains(src)) {
        existing.sources.push(source);
    }
}

/// Istio `canMergeServices`: same namespace, resolution, registry, labels, selector and exportTo.
/// Returns why not, in plain words.
fn cannot_merge(reg: &Registry, a: ServiceId, b: ServiceId) -> Option<&'static str> {
    let (a, b) = (&reg.services[a], &reg.services[b]);
    let export = |e: &Option<ExportTo>| e.clone().unwrap_or_default();
    if a.namespace != b.namespace {
        Some("services of different namespaces are never merged")
    } else if a.resolution != b.resolution {
        Some("their resolutions differ, so their ports are not merged")
    } else if a.registry != b.registry {
        Some("they come from different registries")
    } else if a.labels != b.labels {
        Some("their labels differ, so their ports are not merged")
    } else if a.selector != b.selector {
        Some("their workload selectors differ, so their ports are not merged")
    } else if export(&a.export_to) != export(&b.export_to) {
        Some("their exportTo differ, so their ports are not merged")
    } else {
        None
    }
}
