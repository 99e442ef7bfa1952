//! The inbound side of a proxy: which ports accept traffic (Istio's `buildInboundChainConfigs`)
//! and, per port, the connection pool of the inbound cluster with the level it came from
//! (`buildInboundCluster`, `InboundConnectionPoolForPort`, `applyDefaultTrafficPolicy`).

use std::collections::BTreeMap;

use serde::Serialize;

use super::destination_rules::{choose, ScopeRules};
use super::output::Settings;
use super::Proxy;
use crate::protocol::Protocol;
use crate::proxy::IstiodEnv;
use crate::registry::read::{labels_subset, list, set, u32_of};
use crate::registry::{protocol_name, Registry, ServiceId, ServiceRegistry, SidecarConfig, TargetPort};

/// One inbound port (one `inbound|<port>||` cluster and filter chain).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InboundPort {
    /// The port traffic arrives on at the workload (the target port).
    pub port: u32,
    pub protocol: &'static str,
    pub name: String,
    /// Sidecar ingress `bind`, when set.
    pub bind: Option<String>,
    /// Sidecar ingress `captureMode` (`DEFAULT` for ports from services).
    pub capture_mode: String,
    /// Sidecar ingress `defaultEndpoint` (empty: the original destination).
    pub default_endpoint: Option<String>,
    /// The service this port belongs to (telemetry, inbound DestinationRule), if any.
    pub service: Option<String>,
    /// That service's port number (matched against DestinationRule `portLevelSettings`).
    pub service_port: Option<u32>,
    /// Where the port comes from.
    pub source: String,
}

/// Which level of the precedence chain the connection pool came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum PoolLevel {
    SidecarIngressPort,
    SidecarInbound,
    DestinationRulePort,
    DestinationRule,
    MeshDefault,
    BuiltIn,
}

/// The effective connection pool of one inbound port. Levels replace each other, never merge.
#[derive(Debug, Clone, Serialize)]
pub struct PoolChoice {
    pub settings: Settings,
    pub level: PoolLevel,
    pub source: String,
}

/// A service that selects the workload, with the port it serves on the workload.
pub(crate) struct Target {
    pub service: ServiceId,
    pub service_port: u32,
    pub target: u32,
    pub protocol: Option<Protocol>,
    pub name: String,
}

fn interception_none(proxy: &Proxy) -> bool {
    proxy.metadata.get("INTERCEPTION_MODE").is_some_and(|m| m == "NONE")
}

/// Istio `conflictWithReservedListener`: a port taken by the bootstrap's static listeners (the
/// proxy's `ENVOY_STATUS_PORT`/`ENVOY_PROMETHEUS_PORT`) or, with `virtual_ports`, by
/// `virtualOutbound`/`virtualInbound` (15001/15006).
fn reserved(proxy: &Proxy, bind: &str, port: u32, protocol: Option<Protocol>, virtual_ports: bool) -> Option<String> {
    if !bind.is_empty() && bind != "0.0.0.0" {
        return None;
    }
    if bind.is_empty() && !protocol.is_some_and(|p| p.is_http()) {
        return None;
    }
    for key in ["ENVOY_STATUS_PORT", "ENVOY_PROMETHEUS_PORT"] {
        if proxy.metadata.get(key).and_then(|v| v.parse::<u32>().ok()) == Some(port) {
            return Some(format!("port {port} is the proxy's {key}"));
        }
    }
    if virtual_ports && (port == 15001 || port == 15006) {
        return Some(format!("port {port} is taken by the proxy's virtual listeners (15001 outbound, 15006 inbound)"));
    }
    None
}

/// The proxy's service targets, one entry per port: services of its namespace whose selector
/// matches its labels (oldest first), then ServiceEntries with an endpoint at its IP.
pub(crate) fn targets(reg: &Registry, proxy: &Proxy, notes: &mut Vec<String>) -> Vec<Target> {
    let mut out = Vec::new();
    for &id in reg.services_in_namespace(&proxy.namespace) {
        let s = &reg.services[id];
        if s.selector.is_empty() || !labels_subset(&s.selector, &proxy.labels) {
            continue;
        }
        for p in &s.ports {
            let target = match &p.target_port {
                None => p.number,
                Some(TargetPort::Number(n)) => *n,
                Some(TargetPort::Name(name)) => match named_port(reg, proxy, name) {
                    Some(n) => n,
                    None => {
                        notes.push(format!(
                            "{} port {} has targetPort {name:?}, a container port name; no workload in the input with the proxy's labels declares it, so this port is left out",
                            s.origin(),
                            p.number
                        ));
                        continue;
                    }
                },
            };
            out.push(Target {
                service: id,
                service_port: p.number,
                target,
                protocol: p.protocol,
                name: p.name.clone(),
            });
        }
    }
    // Istio `GetProxyServiceTargets` also counts ServiceEntries of the proxy's namespace with an
    // endpoint (listed, or a WorkloadEntry it selects) at the proxy's IP.
    let Some(ip) = &proxy.ip else { return out };
    for &id in reg.services_in_namespace(&proxy.namespace) {
        let s = &reg.services[id];
        if s.registry != ServiceRegistry::ServiceEntry || out.iter().any(|t| t.service == id) {
            continue;
        }
        if reg.endpoints.of(reg, s).iter().any(|e| &e.address == ip) {
            for p in &s.ports {
                let target = match &p.target_port {
                    Some(TargetPort::Number(n)) => *n,
                    _ => p.number,
                };
                out.push(Target {
                    service: id,
                    service_port: p.number,
                    target,
                    protocol: p.protocol,
                    name: p.name.clone(),
                });
            }
        }
    }
    out
}

/// A named container port of a workload of the input with exactly the proxy's labels.
fn named_port(reg: &Registry, proxy: &Proxy, name: &str) -> Option<u32> {
    reg.workloads
        .iter()
        .filter(|w| w.namespace == proxy.namespace && w.labels == proxy.labels)
        .find_map(|w| w.ports.iter().find(|p| p.name == name).map(|p| p.number))
}

pub(crate) struct Inbound {
    pub ports: Vec<InboundPort>,
    pub pools: BTreeMap<u32, PoolChoice>,
}

pub(crate) fn compute(
    reg: &Registry,
    rules: &ScopeRules<'_>,
    sidecar: Option<&SidecarConfig>,
    proxy: &Proxy,
    env: &IstiodEnv,
    notes: &mut Vec<String>,
) -> Inbound {
    let all_targets = targets(reg, proxy, notes);
    let none_mode = interception_none(proxy);
    let unprivileged = proxy
        .metadata
        .get("UNPRIVILEGED_POD")
        .is_some_and(|v| matches!(v.as_str(), "true" | "True" | "TRUE" | "1" | "t" | "T"));
    let mut ports: Vec<InboundPort> = Vec::new();
    let mut dr_service: BTreeMap<u32, (ServiceId, u32)> = BTreeMap::new();
    let ingress = sidecar.map(|s| s.ingress.as_slice()).unwrap_or(&[]);
    if ingress.is_empty() {
        if none_mode {
            notes.push("Interception mode NONE and no Sidecar ingress: istiod builds no inbound listeners from services (the workload would fight the proxy for its ports); declare them in a Sidecar's ingress.".into());
        } else {
            service_ports(reg, proxy, &all_targets, &[], &mut ports, &mut dr_service, notes);
        }
    } else if let Some(sc) = sidecar {
        if all_targets.is_empty() {
            notes.push(format!(
                "No service selects this workload, yet Sidecar {}'s ingress ports are built: the doc says inbound ports are configured only for workloads that belong to a service; istiod builds them regardless.",
                sc.id()
            ));
        }
        let left_out: Vec<String> = all_targets
            .iter()
            .filter(|t| !ingress.iter().any(|i| i.port.number == t.target))
            .map(|t| t.target.to_string())
            .collect();
        if !left_out.is_empty() && !env.sidecar_service_inbound_listener_merge {
            notes.push(format!(
                "Sidecar {} declares ingress, so its ingress ports replace the service ports; port(s) {} of the workload's services get no inbound listener (PILOT_ALLOW_SIDECAR_SERVICE_INBOUND_LISTENER_MERGE is off by default).",
                sc.id(),
                left_out.join(", ")
            ));
        }
        for (i, ing) in ingress.iter().enumerate() {
            let port = ing.port.number;
            let protocol = Protocol::parse(&ing.port.protocol);
            let bind_to_port = ing.capture_mode == "NONE"
                || ((ing.capture_mode.is_empty() || ing.capture_mode == "DEFAULT") && none_mode);
            if bind_to_port && unprivileged && (1..1024).contains(&port) {
                notes.push(format!("ingress port {port} of Sidecar {} is skipped: the proxy is unprivileged (UNPRIVILEGED_POD) and cannot bind ports below 1024", sc.id()));
                continue;
            }
            if let Some(why) = reserved(proxy, &ing.bind, port, protocol, false) {
                notes.push(format!("ingress port {port} of Sidecar {} is skipped: {why}", sc.id()));
                continue;
            }
            if ports.iter().any(|p| p.port == port) {
                notes.push(format!("Sidecar {} lists ingress port {port} twice; the first entry is used", sc.id()));
                continue;
            }
            if ing.has_tls && !env.enable_tls_on_sidecar_ingress {
                notes.push(format!(
                    "Sidecar {} ingress port {port} sets tls, which istiod ignores unless it runs with ENABLE_TLS_ON_SIDECAR_INGRESS=true (off by default): the proxy does not terminate TLS on this port.",
                    sc.id()
                ));
            }
            // Istio `findOrCreateService`: the service whose target port is the ingress port.
            let svc = all_targets.iter().find(|t| t.target == port);
            if let Some(t) = svc {
                dr_service.insert(port, (t.service, port));
            }
            ports.push(InboundPort {
                port,
                protocol: protocol_name(protocol),
                name: ing.port.name.clone(),
                bind: Some(ing.bind.clone()).filter(|b| !b.is_empty()),
                capture_mode: if ing.capture_mode.is_empty() { "DEFAULT".into() } else { ing.capture_mode.clone() },
                default_endpoint: Some(ing.default_endpoint.clone()).filter(|e| !e.is_empty()),
                service: Some(svc.map_or_else(
                    || format!("{}.{}", sc.name, proxy.namespace),
                    |t| reg.services[t.service].hostname.clone(),
                )),
                service_port: Some(port),
                source: format!("Sidecar {} ingress[{i}]", sc.id()),
            });
        }
        if env.sidecar_service_inbound_listener_merge && !left_out.is_empty() {
            let declared: Vec<u32> = ingress.iter().map(|i| i.port.number).collect();
            service_ports(reg, proxy, &all_targets, &declared, &mut ports, &mut dr_service, notes);
            notes.push(format!(
                "istiod runs with PILOT_ALLOW_SIDECAR_SERVICE_INBOUND_LISTENER_MERGE=true: port(s) {} of the workload's services stay inbound ports next to Sidecar {}'s ingress (an ingress entry wins on the same port).",
                left_out.join(", "),
                sc.id()
            ));
        }
    }
    ports.sort_by_key(|p| p.port);
    for (port, (id, _)) in &dr_service {
        let s = &reg.services[*id];
        if rules.by_host.contains_key(s.hostname.as_str()) {
            continue;
        }
        let found =
            reg.destination_rule_index.lookup(&proxy.namespace, &s.namespace, &s.hostname, &reg.mesh.root_namespace);
        if let Some(r) = found.and_then(|(rules, _)| choose(&rules, reg, proxy, false)) {
            notes.push(format!(
                "DestinationRule {} for the workload's own service {} does not apply to inbound port {port}: istiod looks DestinationRules up only for services in the proxy's scope, and this Sidecar's egress does not import {}.",
                reg.destination_rules[r.rule].id(),
                s.hostname,
                s.hostname
            ));
        }
    }
    let pools = ports
        .iter()
        .map(|p| (p.port, pool_for(reg, rules, sidecar, proxy, p.port, dr_service.get(&p.port).copied())))
        .collect();
    Inbound { ports, pools }
}

/// One inbound port per distinct target port of the service targets, except `skip` (ports a
/// Sidecar's ingress defines); when services share a target port the oldest defines it.
fn service_ports(
    reg: &Registry,
    proxy: &Proxy,
    targets: &[Target],
    skip: &[u32],
    ports: &mut Vec<InboundPort>,
    dr_service: &mut BTreeMap<u32, (ServiceId, u32)>,
    notes: &mut Vec<String>,
) {
    for t in targets.iter().filter(|t| !skip.contains(&t.target)) {
        if let Some(why) = reserved(proxy, "0.0.0.0", t.target, t.protocol, true) {
            notes.push(format!("inbound port {} of {} is skipped: {why}", t.target, reg.services[t.service].origin()));
            continue;
        }
        if let Some(existing) = ports.iter().find(|p| p.port == t.target) {
            notes.push(format!(
                "{} also targets port {}; the oldest service ({}) defines that inbound port and its protocol",
                reg.services[t.service].origin(),
                t.target,
                existing.service.clone().unwrap_or_default()
            ));
            continue;
        }
        let s = &reg.services[t.service];
        dr_service.insert(t.target, (t.service, t.service_port));
        ports.push(InboundPort {
            port: t.target,
            protocol: protocol_name(t.protocol),
            name: t.name.clone(),
            bind: None,
            capture_mode: "DEFAULT".into(),
            default_endpoint: None,
            service: Some(s.hostname.clone()),
            service_port: Some(t.service_port),
            source: format!(
                "{} port {} ({}) targets port {}",
                s.origin(),
                t.service_port,
                if t.name.is_empty() { "unnamed" } else { &t.name },
                t.target
            ),
        });
    }
}

/// Istio `SidecarScope.InboundConnectionPoolForPort`: the ingress entry's pool for that port,
/// else the top-level `inboundConnectionPool`, else nothing (levels 1-2 only).
pub fn sidecar_pool_for_port(sidecar: Option<&SidecarConfig>, port: u32) -> Option<(Settings, PoolLevel, String)> {
    let sc = sidecar?;
    if let Some((i, ing)) =
        sc.ingress.iter().enumerate().find(|(_, ing)| ing.port.number == port && ing.connection_pool.is_some())
    {
        let pool = ing.connection_pool.clone()?;
        return Some((
            Settings(pool),
            PoolLevel::SidecarIngressPort,
            format!("Sidecar {} ingress[{i}].connectionPool (port {port})", sc.id()),
        ));
    }
    sc.inbound_connection_pool.clone().map(|p| {
        (
            Settings(p),
            PoolLevel::SidecarInbound,
            format!("Sidecar {} inboundConnectionPool (applies to every inbound port)", sc.id()),
        )
    })
}

/// The whole precedence chain for one inbound port.
fn pool_for(
    reg: &Registry,
    scope_rules: &ScopeRules<'_>,
    sidecar: Option<&SidecarConfig>,
    proxy: &Proxy,
    port: u32,
    service: Option<(ServiceId, u32)>,
) -> PoolChoice {
    if let Some((settings, level, source)) = sidecar_pool_for_port(sidecar, port) {
        return PoolChoice { settings, level, source };
    }
    // The DestinationRule of the service, as the scope knows it (selector rules never apply inbound).
    if let Some((id, service_port)) = service {
        let host = &reg.services[id].hostname;
        let rule = scope_rules
            .by_host
            .get(host.as_str())
            .and_then(|&i| scope_rules.rules[i].as_ref())
            .and_then(|(rules, _)| choose(rules, reg, proxy, false));
        if let Some(tp_rule) = rule.and_then(|r| r.traffic_policy_from) {
            let dr = &reg.destination_rules[tp_rule];
            if let Some(tp) = &dr.traffic_policy {
                let port_level = list(tp, "portLevelSettings")
                    .iter()
                    .find(|pl| set(pl, "port").and_then(|p| u32_of(p, "number")) == Some(service_port));
                match port_level {
                    Some(pl) => {
                        if let Some(pool) = set(pl, "connectionPool") {
                            return PoolChoice {
                                settings: Settings(pool.clone()),
                                level: PoolLevel::DestinationRulePort,
                                source: format!("DestinationRule {} trafficPolicy.portLevelSettings (port {service_port}) for {host}; port-level settings replace the top-level policy", dr.id()),
                            };
                        }
                    }
                    None => {
                        if let Some(pool) = set(tp, "connectionPool") {
                            return PoolChoice {
                                settings: Settings(pool.clone()),
                                level: PoolLevel::DestinationRule,
                                source: format!("DestinationRule {} trafficPolicy.connectionPool for {host}", dr.id()),
                            };
                        }
                    }
                }
            }
        }
    }
    if let Some(pool) = &reg.mesh.default_connection_pool {
        return PoolChoice {
            settings: Settings(pool.clone()),
            level: PoolLevel::MeshDefault,
            source: "MeshConfig defaultTrafficPolicy.connectionPool (newer than the Sidecar doc, which does not list this level)".into(),
        };
    }
    PoolChoice {
        settings: Settings::empty(),
        level: PoolLevel::BuiltIn,
        source: "Istio's built-in defaults (nothing sets a connection pool for this port)".into(),
    }
}
