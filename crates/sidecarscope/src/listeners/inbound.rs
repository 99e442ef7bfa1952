//! Inbound listeners: the chain configs (one per port the workload serves, from its services or
//! from the Sidecar's `ingress`), the chains per port by mTLS mode and protocol, and where they
//! go: `virtualInbound` or a listener of their own. Mirrors Istio's `buildInboundChainConfigs`,
//! `getFilterChainsByServicePort`, `buildInboundListeners`, `getFilterChainMatchOptions`
//! (`filterchain_options.go`), `buildInboundPassthroughChains` and `populateListenerFilters`.

use std::collections::BTreeMap;

use super::mtls::{Mtls, MtlsMode};
use super::types::{
    Action, ChainMatch, ChainTls, Direction, FilterChain, Listener, ListenerFilter, Origin, Ports, Skipped, SourceRef,
    HTTP_INSPECTOR, ORIGINAL_DST, ORIGINAL_SRC, TLS_INSPECTOR,
};
use crate::protocol::Protocol;
use crate::proxy::facts::{Interception, ProxyFacts};
use crate::proxy::IstiodEnv;
use crate::registry::{protocol_name, Registry, SidecarConfig};
use crate::resolve::inbound_ports::{targets, Target};
use crate::resolve::Proxy;

const PLAINTEXT_HTTP: &[&str] = &["http/1.1", "h2c"];
const PLAINTEXT_HTTP10: &[&str] = &["http/1.0", "http/1.1", "h2c"];
const MTLS_HTTP: &[&str] = &["istio-http/1.0", "istio-http/1.1", "istio-h2"];
const ALL_ISTIO_MTLS: &[&str] = &["istio", "istio-peer-exchange", "istio-http/1.0", "istio-http/1.1", "istio-h2"];
const MTLS_TCP_MXC: &[&str] = &["istio-peer-exchange", "istio"];

/// Istio `inboundChainConfig`.
struct ChainConfig {
    /// The port traffic arrives on (Istio's `TargetPort`).
    target: u32,
    /// The service (or ingress) port, for the inline route's virtual host name.
    port: u32,
    protocol: Option<Protocol>,
    bind: String,
    bind_to_port: bool,
    /// `inbound|<port>||`, or `InboundPassthroughCluster`.
    cluster: String,
    /// Sidecar `ingress[].tls` mode, when honoured (`ENABLE_TLS_ON_SIDECAR_INGRESS`).
    tls: Option<String>,
    passthrough: bool,
    origin: Origin,
}

impl ChainConfig {
    /// Istio `inboundChainConfig.Name`.
    fn name(&self, http: bool) -> String {
        match (self.passthrough, http) {
            (true, true) => "virtualInbound-catchall-http".into(),
            (true, false) => "virtualInbound".into(),
            (false, _) => format!("{}_{}", self.bind, self.target),
        }
    }
}

/// Istio `FilterChainMatchOptions`.
struct MatchOption {
    alpn: &'static [&'static str],
    transport: &'static str,
    http: bool,
    tls: bool,
}

const fn opt(alpn: &'static [&'static str], transport: &'static str, http: bool, tls: bool) -> MatchOption {
    MatchOption { alpn, transport, http, tls }
}

/// Istio `getFilterChainMatchOptions`: the chains of one port by mTLS mode and listener protocol.
fn match_options(mode: MtlsMode, protocol: Option<Protocol>, http10: bool) -> Vec<MatchOption> {
    let plain = if http10 { PLAINTEXT_HTTP10 } else { PLAINTEXT_HTTP };
    let (is_http, is_auto) = (protocol.is_some_and(|p| p.is_http()), protocol.is_none());
    match (mode, is_http, is_auto) {
        (MtlsMode::Strict, true, _) => vec![opt(&[], "tls", true, true)],
        (MtlsMode::Permissive, true, _) => {
            vec![opt(ALL_ISTIO_MTLS, "tls", true, true), opt(&[], "raw_buffer", true, false)]
        }
        (MtlsMode::Disable, true, _) => vec![opt(&[], "raw_buffer", true, false)],
        (MtlsMode::Strict, _, true) => vec![opt(MTLS_HTTP, "tls", true, true), opt(&[], "tls", false, true)],
        (MtlsMode::Permissive, _, true) => vec![
            opt(MTLS_HTTP, "tls", true, true),
            opt(plain, "raw_buffer", true, false),
            opt(MTLS_TCP_MXC, "tls", false, true),
            opt(&[], "raw_buffer", false, false),
            opt(&[], "tls", false, false),
        ],
        (MtlsMode::Disable, _, true) => {
            vec![opt(plain, "raw_buffer", true, false), opt(&[], "raw_buffer", false, false)]
        }
        (MtlsMode::Strict, _, _) => vec![opt(&[], "tls", false, true)],
        (MtlsMode::Permissive, _, _) => vec![
            opt(ALL_ISTIO_MTLS, "tls", false, true),
            opt(&[], "tls", false, false),
            opt(&[], "raw_buffer", false, false),
        ],
        (MtlsMode::Disable, _, _) => vec![opt(&[], "raw_buffer", false, false)],
    }
}

/// Istio `Instance.AfterTLSTermination`.
fn after_tls_termination(p: Option<Protocol>) -> Option<Protocol> {
    match p {
        Some(Protocol::Https) => Some(Protocol::Http),
        Some(Protocol::Tls) => Some(Protocol::Tcp),
        other => other,
    }
}

pub(crate) struct Inbound<'a> {
    pub reg: &'a Registry,
    pub proxy: &'a Proxy,
    pub facts: &'a ProxyFacts,
    pub env: &'a IstiodEnv,
    pub sidecar: Option<&'a SidecarConfig>,
    pub mtls: &'a Mtls,
    pub skipped: &'a mut Vec<Skipped>,
    pub notes: &'a mut Vec<String>,
}

impl Inbound<'_> {
    /// Istio `getFilterChainsByServicePort`.
    fn by_service_port(&mut self, targets: &[Target], skip_ports: &[u32]) -> BTreeMap<u32, ChainConfig> {
        let mut out = BTreeMap::new();
        let bind_to_port = self.facts.interception == Interception::None;
        let wildcard = self.facts.wildcard.to_string();
        for t in targets {
            let s = &self.reg.services[t.service];
            let path = s
                .ports
                .iter()
                .position(|p| p.number == t.service_port)
                .map(|i| format!("spec.ports[{i}]"))
                .unwrap_or_default();
            let origin = Origin::new(format!(
                "port {} ({}) of {}, whose endpoints include this workload; traffic arrives on target port {}",
                t.service_port,
                protocol_name(t.protocol),
                s.hostname,
                t.target
            ))
            .with([SourceRef::new(s.origin(), path, Some(s.resource))]);
            if let Err(why) = self.facts.can_bind(bind_to_port, &wildcard, t.target, t.protocol, true) {
                self.skipped.push(Skipped {
                    name: format!("{wildcard}_{}", t.target),
                    reason: format!("no inbound chain: {}", why.explain(t.target)),
                    origin,
                });
                continue;
            }
            if skip_ports.contains(&t.target) {
                continue;
            }
            if let Some(existing) = out.get(&t.target) {
                let existing: &ChainConfig = existing;
                self.skipped.push(Skipped {
                    name: format!("{wildcard}_{}", t.target),
                    reason: format!(
                        "{} also targets port {}; the first service target ({}) defines that inbound chain",
                        s.hostname, t.target, existing.origin.reason
                    ),
                    origin,
                });
                continue;
            }
            out.insert(
                t.target,
                ChainConfig {
                    target: t.target,
                    port: t.service_port,
                    protocol: t.protocol,
                    bind: wildcard.clone(),
                    bind_to_port,
                    cluster: format!("inbound|{}||", t.target),
                    tls: None,
                    passthrough: false,
                    origin,
                },
            );
        }
        out
    }

    /// Istio `buildInboundChainConfigs`, sorted by port.
    fn chain_configs(&mut self, targets: &[Target]) -> Vec<ChainConfig> {
        let ingress = self.sidecar.map(|s| s.ingress.as_slice()).unwrap_or(&[]);
        let none_mode = self.facts.interception == Interception::None;
        let mut by_port = if ingress.is_empty() {
            if none_mode {
                if !targets.is_empty() {
                    self.notes.push("Interception mode NONE and no Sidecar ingress: istiod builds no inbound listener from the workload's services (the application owns those ports); declare them in a Sidecar's ingress to receive traffic through the proxy.".into());
                }
                return Vec::new();
            }
            self.by_service_port(targets, &[])
        } else if self.env.sidecar_service_inbound_listener_merge {
            let ports: Vec<u32> = ingress.iter().map(|i| i.port.number).collect();
            self.by_service_port(targets, &ports)
        } else {
            BTreeMap::new()
        };
        if let Some(sc) = self.sidecar.filter(|_| !ingress.is_empty()) {
            for (i, ing) in ingress.iter().enumerate() {
                let port = ing.port.number;
                let protocol = Protocol::parse(&ing.port.protocol);
                // Istio `getBindToPort`: DEFAULT follows the proxy's interception mode.
                let bind_to_port = match ing.capture_mode.as_str() {
                    "" | "DEFAULT" => none_mode,
                    mode => mode == "NONE",
                };
                let mut reason =
                    format!("ingress[{i}] of Sidecar {} (port {port}, {})", sc.id(), protocol_name(protocol));
                if !ing.default_endpoint.is_empty() {
                    reason.push_str(&format!("; defaultEndpoint {} is where cluster inbound|{port}|| sends traffic, not what the listener binds", ing.default_endpoint));
                }
                let origin = Origin::new(reason).with([SourceRef::new(
                    format!("Sidecar {}", sc.id()),
                    format!("spec.ingress[{i}]"),
                    Some(sc.resource),
                )]);
                if let Err(why) = self.facts.can_bind(bind_to_port, &ing.bind, port, protocol, false) {
                    let bind = if ing.bind.is_empty() { self.facts.inbound_bind() } else { ing.bind.clone() };
                    self.skipped.push(Skipped {
                        name: format!("{bind}_{port}"),
                        reason: format!("no inbound listener: {}", why.explain(port)),
                        origin,
                    });
                    continue;
                }
                let bind = if ing.bind.is_empty() { self.facts.inbound_bind() } else { ing.bind.clone() };
                if by_port.contains_key(&port) {
                    self.skipped.push(Skipped {
                        name: format!("{bind}_{port}"),
                        reason: format!("port {port} is already an inbound chain; the first definition is kept"),
                        origin,
                    });
                    continue;
                }
                let mut protocol = protocol;
                let mut tls = None;
                if ing.has_tls {
                    if self.env.enable_tls_on_sidecar_ingress {
                        tls = Some(ing.tls_mode.clone());
                        protocol = after_tls_termination(protocol);
                    } else {
                        self.notes.push(format!(
                            "Sidecar {} ingress[{i}] sets tls, which istiod ignores unless ENABLE_TLS_ON_SIDECAR_INGRESS=true (pass --istiod-env ENABLE_TLS_ON_SIDECAR_INGRESS=true to see it applied)",
                            sc.id()
                        ));
                    }
                }
                by_port.insert(
                    port,
                    ChainConfig {
                        target: port,
                        port,
                        protocol,
                        bind,
                        bind_to_port,
                        cluster: format!("inbound|{port}||"),
                        tls,
                        passthrough: false,
                        origin,
                    },
                );
            }
        }
        by_port.into_values().collect()
    }

    /// The chains of one chain config (Istio `inboundChainForOpts`).
    fn chains_for(&self, cc: &ChainConfig, options: &[MatchOption], tls: Option<ChainTls>) -> Vec<FilterChain> {
        options
            .iter()
            .map(|o| {
                let chain_match = ChainMatch {
                    destination_port: (cc.target > 0).then_some(cc.target),
                    transport_protocol: Some(o.transport.to_string()),
                    application_protocols: o.alpn.iter().map(|s| s.to_string()).collect(),
                    ..ChainMatch::default()
                };
                let action = if o.http {
                    Action::InlineRoute {
                        virtual_host: format!("inbound|http|{}", cc.port),
                        route: "default".into(),
                        prefix: "/".into(),
                        cluster: cc.cluster.clone(),
                    }
                } else {
                    let filter = match cc.protocol {
                        Some(Protocol::Mongo) if self.env.mongo_filter => {
                            Some(("envoy.filters.network.mongo_proxy", false))
                        }
                        Some(Protocol::Redis) if self.env.redis_filter => {
                            Some(("envoy.filters.network.redis_proxy", true))
                        }
                        Some(Protocol::Mysql) if self.env.mysql_filter => {
                            Some(("envoy.filters.network.mysql_proxy", false))
                        }
                        _ => None,
                    };
                    Action::TcpProxy {
                        cluster: cc.cluster.clone(),
                        protocol_filter: filter.map(|f| f.0.to_string()),
                        replaced_by_filter: filter.is_some_and(|f| f.1),
                    }
                };
                let mut c = FilterChain::new(cc.name(o.http), chain_match, action, cc.origin.clone());
                if o.tls {
                    c.tls = tls;
                }
                c
            })
            .collect()
    }

    /// Istio `buildInboundListeners`: `virtualInbound` (unless interception is NONE) followed by
    /// the listeners of chain configs that bind their own port.
    pub fn build(mut self) -> Vec<Listener> {
        let targets = targets(self.reg, self.proxy, self.notes);
        let configs = self.chain_configs(&targets);
        let mut own = Vec::new();
        let mut virtual_chains = Vec::new();
        for cc in &configs {
            let mode = self.mtls.for_port(cc.target);
            let (options, tls) = match &cc.tls {
                Some(tls_mode) if mode == MtlsMode::Disable => {
                    // SIMPLE (or unset, which Istio's validation rejects) presents the user's certificate only.
                    let tls = match tls_mode.as_str() {
                        "MUTUAL" => ChainTls::Mutual,
                        "OPTIONAL_MUTUAL" => ChainTls::OptionalMutual,
                        _ => ChainTls::Simple,
                    };
                    (vec![opt(&[], "tls", cc.protocol.is_some_and(|p| p.is_http()), true)], Some(tls))
                }
                Some(_) => {
                    self.notes.push(format!(
                        "Sidecar ingress tls on port {} is not used: the port's mTLS mode is {}, and istiod terminates the user's TLS only where PeerAuthentication sets DISABLE",
                        cc.target,
                        mode.name()
                    ));
                    (match_options(mode, cc.protocol, self.env.http10), Some(ChainTls::IstioMutual))
                }
                None => (match_options(mode, cc.protocol, self.env.http10), Some(ChainTls::IstioMutual)),
            };
            let chains = self.chains_for(cc, &options, tls);
            if cc.bind_to_port {
                let mut l = Listener {
                    name: format!("{}_{}", cc.bind, cc.target),
                    address: cc.bind.clone(),
                    port: cc.target,
                    direction: Direction::Inbound,
                    bind_to_port: true,
                    destination: None,
                    default_destination: None,
                    listener_filters: listener_filters(self.facts, &chains, true),
                    filter_chains: chains,
                    origin: Origin {
                        reason: format!(
                            "{}; bound to its own port (captureMode NONE, or interception mode NONE)",
                            cc.origin.reason
                        ),
                        sources: cc.origin.sources.clone(),
                    },
                };
                l.summarize();
                own.push(l);
            } else {
                virtual_chains.extend(chains);
            }
        }
        let mut out = Vec::new();
        if self.facts.interception != Interception::None {
            let mut chains = self.passthrough_chains(&targets);
            chains.extend(virtual_chains);
            let mut l = Listener {
                name: "virtualInbound".into(),
                address: self.facts.wildcard.into(),
                port: self.facts.virtual_ports.1,
                direction: Direction::Inbound,
                bind_to_port: true,
                destination: None,
                default_destination: None,
                listener_filters: listener_filters(self.facts, &chains, false),
                filter_chains: chains,
                origin: Origin::new(format!(
                    "iptables ({}) redirects every inbound connection here; chains pick the port's handling by destination port, TLS and ALPN",
                    self.facts.interception.name()
                )),
            };
            l.summarize();
            out.push(l);
        }
        out.extend(own);
        out
    }

    /// Istio `buildInboundPassthroughChains`: the loop guard, then the passthrough chains for the
    /// workload-wide mode and for each port-level mode of a port not otherwise declared.
    fn passthrough_chains(&self, targets: &[Target]) -> Vec<FilterChain> {
        let inbound_port = self.facts.virtual_ports.1;
        let mut chains = vec![FilterChain::new(
            "virtualInbound-blackhole",
            ChainMatch { destination_port: Some(inbound_port), ..ChainMatch::default() },
            Action::TcpProxy { cluster: "BlackHoleCluster".into(), protocol_filter: None, replaced_by_filter: false },
            Origin::new(format!("loop protection: a connection addressed to port {inbound_port} itself is dropped")),
        )];
        let mut modes = vec![(0u32, self.mtls.mode)];
        let ingress = self.sidecar.map(|s| s.ingress.as_slice()).unwrap_or(&[]);
        // Go iterates a map here (random order); Sidecarscope lists the ports in ascending order.
        for (&port, &mode) in &self.mtls.per_port {
            let declared = if !ingress.is_empty() {
                ingress.iter().any(|i| i.port.number == port)
            } else {
                targets.iter().any(|t| t.target == port)
            };
            if !declared {
                modes.push((port, mode));
            }
        }
        for (port, mode) in modes {
            let cc = ChainConfig {
                target: port,
                port: 0,
                protocol: None,
                bind: String::new(),
                bind_to_port: false,
                cluster: "InboundPassthroughCluster".into(),
                tls: None,
                passthrough: true,
                origin: Origin::new(if port == 0 {
                    format!(
                        "traffic to a port no chain declares is passed through to the original destination ({}: {})",
                        mode.name(),
                        self.mtls.source
                    )
                } else {
                    format!("port {port} has a port-level mTLS mode ({}) but no service or ingress declares it: passed through", mode.name())
                }),
            };
            chains.extend(self.chains_for(
                &cc,
                &match_options(mode, None, self.env.http10),
                Some(ChainTls::IstioMutual),
            ));
        }
        chains
    }
}

/// Istio `populateListenerFilters`: original_dst for listeners reached by redirection, and the
/// TLS and HTTP inspectors only on the destination ports whose chains need them.
fn listener_filters(facts: &ProxyFacts, chains: &[FilterChain], bind_to_port: bool) -> Vec<ListenerFilter> {
    let mut out = Vec::new();
    if !bind_to_port {
        out.push(ListenerFilter { name: ORIGINAL_DST, ports: Ports::All });
        if facts.interception == Interception::Tproxy {
            out.push(ListenerFilter { name: ORIGINAL_SRC, ports: Ports::All });
        }
    }
    let mut by_port: BTreeMap<u32, (bool, bool)> = BTreeMap::new();
    for c in chains {
        let port = c.chain_match.destination_port.unwrap_or(0);
        let tls = c.chain_match.transport_protocol.as_deref() == Some("tls");
        let http = c.chain_match.application_protocols.iter().any(|a| a == "http/1.1" || a == "h2c");
        let e = by_port.entry(port).or_default();
        e.0 |= tls;
        e.1 |= http;
    }
    if by_port.values().any(|e| e.0) {
        let default_on = by_port.get(&0).is_some_and(|e| e.0);
        let ports: Vec<u32> = by_port.iter().filter(|(p, e)| **p != 0 && e.0 != default_on).map(|(p, _)| *p).collect();
        let scope = match (ports.is_empty(), default_on) {
            (true, _) => Ports::All,
            (false, true) => Ports::AllExcept(ports),
            (false, false) => Ports::Only(ports),
        };
        out.push(ListenerFilter { name: TLS_INSPECTOR, ports: scope });
    }
    if by_port.values().any(|e| e.1) {
        let ports: Vec<u32> = by_port.iter().filter(|(_, e)| !e.1).map(|(p, _)| *p).collect();
        out.push(ListenerFilter {
            name: HTTP_INSPECTOR,
            ports: if ports.is_empty() { Ports::All } else { Ports::AllExcept(ports) },
        });
    }
    out
}
