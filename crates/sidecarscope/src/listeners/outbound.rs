//! Outbound listeners: one per address and port that the proxy's egress listeners import a
//! service on. Mirrors Istio's `buildSidecarOutboundListeners`, `buildSidecarOutboundListener`
//! (the conflict rules between HTTP, TCP and sniffed ports), `buildSidecarOutboundHTTPListenerOpts`,
//! `buildSidecarOutboundTCPListenerOpts` (`tls.go`), `mergeTCPFilterChains` and
//! `buildListenerFromEntry`.

use std::collections::HashMap;

use super::chain::ChainOpts;
use super::types::{
    Action, Direction, Listener, ListenerFilter, Origin, Ports, Skipped, SourceRef, HTTP_INSPECTOR, TLS_INSPECTOR,
};
use crate::go::net::is_ip_address;
use crate::protocol::{DeclaredProtocol, Protocol};
use crate::proxy::facts::{CannotBind, Interception, ProxyFacts};
use crate::proxy::IstiodEnv;
use crate::registry::endpoints::Endpoints;
use crate::registry::{Registry, Service, ServicePort, ServiceRegistry, ServiceResolution, SidecarConfig};
use crate::resolve::{EgressListener, ImportedService};

/// The port a listener is built for: the egress listener's, or the service's.
#[derive(Debug, Clone)]
struct ListenPort {
    number: u32,
    /// `None` is Istio's `Unsupported`: sniffed ("auto").
    protocol: Option<Protocol>,
}

/// Istio `ListenerProtocol`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ListenerProtocol {
    Http,
    Tcp,
    Auto,
    Unknown,
}

/// Istio `ModelProtocolToListenerProtocol`.
fn listener_protocol(p: Option<Protocol>) -> ListenerProtocol {
    match p {
        None => ListenerProtocol::Auto,
        Some(Protocol::Udp) => ListenerProtocol::Unknown,
        Some(p) if p.is_http() => ListenerProtocol::Http,
        Some(_) => ListenerProtocol::Tcp,
    }
}

/// Istio `Instance.IsTCP`.
fn is_tcp(p: Option<Protocol>) -> bool {
    matches!(
        p,
        Some(Protocol::Tcp | Protocol::Https | Protocol::Tls | Protocol::Mongo | Protocol::Redis | Protocol::Mysql)
    )
}

fn is_http(p: Option<Protocol>) -> bool {
    p.is_some_and(|p| p.is_http())
}

/// Istio's conflict types in `buildSidecarOutboundListener`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Conflict {
    None,
    HttpOverTcp,
    TcpOverHttp,
    TcpOverTcp,
    TcpOverAuto,
    AutoOverHttp,
    AutoOverTcp,
}

/// Istio `outboundListenerEntry`.
struct Entry {
    port: u32,
    binds: Vec<String>,
    bind_to_port: bool,
    /// The most-specific-port rule (most specific port wins): set on every listener the egress
    /// listeners with a port built, before the catch-all egress listener (no port) runs; the
    /// catch-all then never adds a service to, or merges one into, such a listener. Istio's
    /// `outboundListenerEntry.locked`, set in `buildSidecarOutboundListeners` and honoured by
    /// `buildSidecarOutboundListener` (`pilot/pkg/networking/core/listener.go`). See
    /// [`Outbound::claim_most_specific_ports`].
    most_specific_port: bool,
    chains: Vec<ChainOpts>,
    /// The listener's protocol: `None` once it sniffs (HTTP and TCP chains side by side).
    protocol: Option<Protocol>,
    origin: Origin,
}

/// What one `buildSidecarOutboundListener` call is about.
#[derive(Clone)]
struct Opts<'a> {
    binds: Vec<String>,
    bind_to_port: bool,
    cidr: Vec<String>,
    port: ListenPort,
    service: &'a Service,
    /// How many ports the service has as the egress listener imported it (Istio uses the
    /// service's only port for the cluster name).
    service_ports: &'a ImportedService,
    headless_pod_cidr: bool,
    /// The service port and the egress listener that brought it.
    origin: Origin,
}

pub(crate) struct Outbound<'a> {
    pub reg: &'a Registry,
    pub facts: &'a ProxyFacts,
    pub env: &'a IstiodEnv,
    pub endpoints: &'a Endpoints,
    pub sidecar: Option<&'a SidecarConfig>,
    /// The cluster of the `PassthroughFilterChain` (PassthroughCluster, BlackHoleCluster or the
    /// egress proxy's), and why.
    pub fallthrough: (String, String),
    pub skipped: &'a mut Vec<Skipped>,
    pub notes: &'a mut Vec<String>,
    /// Set when the proxy's own IP was compared with an endpoint's (a headless service's
    /// listeners leave out the proxy's own endpoint): the listeners then depend on that IP.
    pub read_ip: &'a mut bool,
    /// The listeners built so far (Istio's `listenerMap`), in creation order.
    pub built: Built,
}

/// Istio's `listenerMap`; kept in creation order (Go iterates the map in random order, so the
/// LDS order of outbound listeners is not stable in istiod).
#[derive(Default)]
pub(crate) struct Built {
    entries: Vec<Entry>,
    by_key: HashMap<(String, u32), usize>,
}

fn listener_name(bind: &str, port: u32) -> String {
    format!("{bind}_{port}")
}

impl<'a> Outbound<'a> {
    /// The egress listener as a source: `Sidecar ns/name spec.egress[i]`, or none when implicit.
    fn egress_source(&self, index: usize, l: &EgressListener) -> (String, Option<SourceRef>) {
        match self.sidecar {
            Some(sc) if !l.implicit => {
                let label = match l.port {
                    Some(p) => format!("egress listener {} (port {p}) of Sidecar {}", index + 1, sc.id()),
                    None => format!("catch-all egress listener {} of Sidecar {}", index + 1, sc.id()),
                };
                (
                    label,
                    Some(SourceRef::new(
                        format!("Sidecar {}", sc.id()),
                        format!("spec.egress[{index}]"),
                        Some(sc.resource),
                    )),
                )
            }
            Some(sc) => (format!("the implicit catch-all egress listener (Sidecar {} has no egress)", sc.id()), None),
            None => ("the implicit catch-all egress listener (no Sidecar applies)".to_string(), None),
        }
    }

    fn service_source(&self, s: &Service, port: &ServicePort) -> SourceRef {
        let path = s.ports.iter().position(|p| p == port).map(|i| format!("spec.ports[{i}]")).unwrap_or_default();
        SourceRef::new(s.origin(), path, Some(s.resource))
    }

    /// Istio `buildSidecarOutboundListeners`, for the egress listeners of the resolution.
    pub fn build(mut self, egress: &[EgressListener]) -> Vec<Listener> {
        let none_mode = self.facts.interception == Interception::None;
        for (li, l) in egress.iter().enumerate() {
            let bind = l.bind.clone().unwrap_or_default();
            let bind_to_port = none_mode || l.capture_mode == "NONE" || bind.starts_with("unix://");
            let binds = if !bind.is_empty() {
                vec![bind.clone()]
            } else if bind_to_port {
                vec![self.facts.localhost.to_string()]
            } else {
                Vec::new()
            };
            let (label, egress_src) = self.egress_source(li, l);
            if let Some(number) = l.port {
                // An egress listener with a port: every imported service on the listener's port,
                // number and protocol (not the service's).
                let port = ListenPort { number, protocol: l.protocol.as_ref().and_then(DeclaredProtocol::known) };
                let primary = binds.first().cloned().unwrap_or_default();
                if let Err(why) = self.facts.can_bind(bind_to_port, &primary, number, port.protocol, true) {
                    self.skip_port(
                        &primary,
                        number,
                        &why,
                        Origin::new(format!("{label} declares port {number}")).with(egress_src.clone()),
                    );
                    continue;
                }
                if l.services.is_empty() {
                    self.notes.push(format!(
                        "{label} imports no service with port {number}, so istiod builds no listener for it (the doc does not say so)"
                    ));
                }
                for imp in &l.services {
                    let s = &self.reg.services[imp.id];
                    let origin =
                        Origin::new(format!("{} (port {number}) via {} of {label}", s.hostname, imp.matched_by))
                            .with(egress_src.clone())
                            .with(s.port(number).map(|p| self.service_source(s, p)));
                    let opts = Opts {
                        binds: binds.clone(),
                        bind_to_port,
                        cidr: Vec::new(),
                        port: port.clone(),
                        service: s,
                        service_ports: imp,
                        headless_pod_cidr: false,
                        origin,
                    };
                    self.build_listener(opts);
                }
            } else {
                // The catch-all: the ports earlier egress listeners built are theirs, then every
                // service port.
                self.claim_most_specific_ports();
                for imp in &l.services {
                    let s = &self.reg.services[imp.id];
                    for pi in &imp.ports {
                        // By number and name: a Kubernetes Service may list one number twice (53/UDP, 53/TCP).
                        let Some(sp) = s.ports.iter().find(|p| p.number == pi.number && p.name == pi.name) else {
                            continue;
                        };
                        let port = ListenPort { number: sp.number, protocol: sp.protocol };
                        let origin = Origin::new(format!(
                            "port {} ({}) of {} via {} of {label}",
                            sp.number,
                            crate::registry::protocol_name(sp.protocol),
                            s.hostname,
                            imp.matched_by
                        ))
                        .with(egress_src.clone())
                        .with([self.service_source(s, sp)]);
                        let primary = binds.first().cloned().unwrap_or_default();
                        if let Err(why) = self.facts.can_bind(bind_to_port, &primary, sp.number, sp.protocol, true) {
                            self.skip_port(&primary, sp.number, &why, origin);
                            continue;
                        }
                        let opts = Opts {
                            binds: binds.clone(),
                            bind_to_port,
                            cidr: Vec::new(),
                            port,
                            service: s,
                            service_ports: imp,
                            headless_pod_cidr: false,
                            origin,
                        };
                        if primary.is_empty()
                            && s.resolution == ServiceResolution::Passthrough
                            && address_for_proxy(s) == "0.0.0.0"
                            && (is_tcp(sp.protocol) || sp.protocol.is_none())
                        {
                            self.build_headless(opts);
                        } else {
                            self.build_listener(opts);
                        }
                    }
                }
            }
        }
        let entries = std::mem::take(&mut self.built.entries);
        entries.into_iter().map(|e| self.finish(e)).collect()
    }

    /// The most-specific port rule (also written most-specific-port rule: "most specific port
    /// wins"): a port that an egress listener with a port declared belongs to that listener, so
    /// the catch-all egress listener (no port), which Istio requires to be the last, adds nothing
    /// to a listener so built (same address and port): no HTTP route, no TCP chain, no merge,
    /// whatever its services. Istio sets `locked` on every `outboundListenerEntry` built so
    /// far before it runs the catch-all (`buildSidecarOutboundListeners` in
    /// `pilot/pkg/networking/core/listener.go`), and `buildSidecarOutboundListener` returns early
    /// on a locked entry ([`Outbound::build_listener`] does the same, with a reason in `skipped`).
    /// `resolve::scope` notes the services this leaves out, in the resolution's `notes`.
    fn claim_most_specific_ports(&mut self) {
        for e in &mut self.built.entries {
            e.most_specific_port = true;
        }
    }

    fn skip_port(&mut self, bind: &str, port: u32, why: &CannotBind, origin: Origin) {
        let name = if bind.is_empty() { format!("port {port}") } else { listener_name(bind, port) };
        self.skipped.push(Skipped { name, reason: format!("no outbound listener: {}", why.explain(port)), origin });
    }

    /// Passthrough services without an address (headless Services, ServiceEntries with
    /// resolution NONE): one listener per endpoint IP, as Istio's catch-all loop does.
    fn build_headless(&mut self, opts: Opts<'_>) {
        let s = opts.service;
        let eps = self.endpoints.of(self.reg, s);
        if s.registry != ServiceRegistry::Kubernetes && eps.is_empty() && s.selector.is_empty() {
            // A plain ServiceEntry with resolution NONE and no endpoints: one wildcard listener.
            self.build_listener(opts);
            return;
        }
        if eps.is_empty() {
            self.skipped.push(Skipped {
                name: format!("port {}", opts.port.number),
                reason: format!(
                    "no outbound listener for headless {} port {}: it has no endpoints in the input, and a headless service gets one listener per endpoint IP",
                    s.hostname, opts.port.number
                ),
                origin: opts.origin.clone(),
            });
            return;
        }
        for ep in eps {
            if !is_ip_address(&ep.address) {
                continue;
            }
            *self.read_ip = true;
            if self.facts.ip.as_deref() == Some(ep.address.as_str()) {
                continue;
            }
            let mut origin = opts.origin.clone();
            origin.reason.push_str(&format!("; headless, so one listener per endpoint: {} ({})", ep.address, ep.from));
            if let Some(i) = ep.resource {
                origin = origin.with([SourceRef::new(ep.from.clone(), ep.path.clone(), Some(i))]);
            }
            let mut per = Opts { binds: vec![ep.address.clone()], origin, ..opts.clone() };
            if self.env.headless_filter_chain_listener && is_tcp(opts.port.protocol) {
                per.binds = vec![self.facts.wildcard.to_string()];
                per.cidr = vec![ep.address.clone()];
                per.headless_pod_cidr = true;
            }
            self.build_listener(per);
        }
    }

    /// Istio `buildSidecarOutboundListener`: adds or merges one service port into the listener
    /// of its address and port.
    fn build_listener(&mut self, mut opts: Opts<'_>) {
        let s = opts.service;
        if s.resolution == ServiceResolution::Alias {
            return;
        }
        let lp = listener_protocol(opts.port.protocol);
        let wildcard = self.facts.wildcard;
        match lp {
            ListenerProtocol::Tcp | ListenerProtocol::Auto => {
                if opts.binds.is_empty() {
                    let mut addr = address_for_proxy(s);
                    // Istio `buildSidecarOutboundListener`: a ServiceEntry without address on an
                    // IPv6-only proxy listens on `::`.
                    if s.registry == ServiceRegistry::ServiceEntry && wildcard == "::" && addr == "0.0.0.0" {
                        addr = wildcard.to_string();
                    }
                    if addr.contains('/') {
                        // A CIDR address: listen on the wildcard and match the range in the chain.
                        opts.binds = vec![wildcard.to_string()];
                        opts.cidr = vec![addr];
                    } else {
                        opts.binds = vec![addr];
                    }
                }
            }
            ListenerProtocol::Http => {
                if opts.binds.is_empty() {
                    opts.binds = vec![wildcard.to_string()];
                }
            }
            ListenerProtocol::Unknown => {}
        }
        let primary = opts.binds.first().cloned().unwrap_or_default();
        let key = (primary.clone(), opts.port.number);
        let name = listener_name(&primary, opts.port.number);
        let current = self.built.by_key.get(&key).copied();
        if let Some(i) = current {
            if self.built.entries[i].most_specific_port {
                self.skipped.push(Skipped {
                    name,
                    reason: format!(
                        "{} is not added: an egress listener with a port already declared {}:{}, and the catch-all never adds to such a listener",
                        s.hostname, primary, opts.port.number
                    ),
                    origin: opts.origin,
                });
                return;
            }
        }
        let existing_protocol = current.map(|i| self.built.entries[i].protocol);
        let mut conflict = Conflict::None;
        let mut listener_port_protocol = opts.port.protocol;
        let chains: Vec<ChainOpts>;
        if opts.port.protocol == Some(Protocol::HttpProxy) {
            chains = vec![self.http_chain(&opts, lp)];
        } else {
            match lp {
                ListenerProtocol::Http => {
                    if let Some(ep) = existing_protocol {
                        if is_tcp(ep) {
                            conflict = Conflict::HttpOverTcp;
                        } else {
                            // HTTP (or sniffed) already: its route config covers this service too.
                            return;
                        }
                    }
                    let mut c = self.http_chain(&opts, lp);
                    if primary == wildcard {
                        self.sniff(&mut c);
                        listener_port_protocol = None;
                    }
                    chains = vec![c];
                }
                ListenerProtocol::Tcp => {
                    chains = self.tcp_chains(&opts);
                    if let Some(ep) = existing_protocol {
                        conflict = if is_http(ep) {
                            Conflict::TcpOverHttp
                        } else if is_tcp(ep) {
                            Conflict::TcpOverTcp
                        } else {
                            Conflict::TcpOverAuto
                        };
                    }
                }
                ListenerProtocol::Auto => match existing_protocol {
                    Some(ep) if is_http(ep) => {
                        conflict = Conflict::AutoOverHttp;
                        chains = self.auto_chains(&opts, lp);
                    }
                    Some(ep) if is_tcp(ep) => {
                        conflict = Conflict::AutoOverTcp;
                        chains = self.auto_chains(&opts, lp);
                    }
                    // Auto over auto: only the TCP chains are merged (the HTTP chain is there).
                    Some(_) => {
                        conflict = Conflict::TcpOverAuto;
                        chains = self.tcp_chains(&opts);
                    }
                    None => chains = self.auto_chains(&opts, lp),
                },
                ListenerProtocol::Unknown => {
                    self.skipped.push(Skipped {
                        name: format!("port {}", opts.port.number),
                        reason: format!(
                            "{} port {} is UDP: sidecars get no outbound listener for it",
                            s.hostname, opts.port.number
                        ),
                        origin: opts.origin,
                    });
                    return;
                }
            }
        }
        // Istio `isConflictWithWellKnownPort`: Mongo and MySQL share a port with nothing else.
        if let Some(ep) = existing_protocol {
            let server_first = |p: Option<Protocol>| matches!(p, Some(Protocol::Mongo | Protocol::Mysql));
            if conflict != Conflict::None
                && (server_first(opts.port.protocol) || server_first(ep))
                && opts.port.protocol != ep
            {
                self.skipped.push(Skipped {
                    name,
                    reason: format!(
                        "{} port {} ({}) is dropped: the listener already serves {}, and Mongo/MySQL never share a port with another protocol (protocol sniffing would break these server-first protocols)",
                        s.hostname,
                        opts.port.number,
                        crate::registry::protocol_name(opts.port.protocol),
                        crate::registry::protocol_name(ep)
                    ),
                    origin: opts.origin,
                });
                return;
            }
        }
        match (conflict, current) {
            (Conflict::None | Conflict::AutoOverHttp, _) | (_, None) => {
                let reason = match conflict {
                    Conflict::AutoOverHttp => format!(
                        "{}; it replaced the HTTP listener of the same address and port (Istio's AutoOverHTTP)",
                        opts.origin.reason
                    ),
                    _ => opts.origin.reason.clone(),
                };
                let entry = Entry {
                    port: opts.port.number,
                    binds: opts.binds.clone(),
                    bind_to_port: opts.bind_to_port,
                    most_specific_port: false,
                    chains,
                    protocol: listener_port_protocol,
                    origin: Origin { reason, sources: opts.origin.sources.clone() },
                };
                match current {
                    Some(i) => self.built.entries[i] = entry,
                    None => {
                        self.built.by_key.insert(key, self.built.entries.len());
                        self.built.entries.push(entry);
                    }
                }
            }
            (_, Some(i)) => {
                self.merge(i, chains, &opts, &name);
                let e = &mut self.built.entries[i];
                if matches!(conflict, Conflict::HttpOverTcp | Conflict::TcpOverHttp | Conflict::AutoOverTcp) {
                    e.protocol = None;
                }
                e.origin = std::mem::take(&mut e.origin).with(opts.origin.sources.clone());
            }
        }
    }

    /// Istio `mergeTCPFilterChains`: adds the chains whose match differs from every chain already
    /// there; an identical match keeps the first service's chain.
    fn merge(&mut self, i: usize, incoming: Vec<ChainOpts>, opts: &Opts<'_>, name: &str) {
        for c in incoming {
            if let Some(existing) = self.built.entries[i].chains.iter().find(|e| e.conflicts_with(&c)) {
                let first = existing.action.destination().to_string();
                self.skipped.push(Skipped {
                    name: name.to_string(),
                    reason: format!(
                        "the chain to {} is dropped: {name} already has a chain with the same match (to {first}); the first service in istiod's order (oldest first) keeps it",
                        c.action.destination()
                    ),
                    origin: opts.origin.clone(),
                });
                continue;
            }
            self.built.entries[i].chains.push(c);
        }
    }

    /// Sniffing: the HTTP chain only takes plaintext HTTP/1.1 and h2c (and HTTP/1.0 with `PILOT_HTTP10`).
    fn sniff(&self, c: &mut ChainOpts) {
        c.alpn = if self.env.http10 { vec!["http/1.0", "http/1.1", "h2c"] } else { vec!["http/1.1", "h2c"] }
            .into_iter()
            .map(String::from)
            .collect();
        c.transport = Some("raw_buffer");
    }

    /// Istio `buildSidecarOutboundHTTPListenerOpts`: the RDS route config name.
    fn http_chain(&self, opts: &Opts<'_>, lp: ListenerProtocol) -> ChainOpts {
        let primary = opts.binds.first().map(String::as_str).unwrap_or("");
        let rds = if opts.port.number == 0 {
            // A Unix domain socket: the route config is named after the socket.
            primary.to_string()
        } else if lp == ListenerProtocol::Auto && primary != self.facts.wildcard {
            // A sniffed service on its own address gets a route config of its own.
            format!("{}:{}", opts.service.hostname, opts.port.number)
        } else {
            opts.port.number.to_string()
        };
        ChainOpts::new(Action::Rds { route_config: rds }, opts.origin.clone())
    }

    /// Auto (sniffed) ports: the TCP chain(s) and an HTTP chain for plaintext HTTP.
    fn auto_chains(&self, opts: &Opts<'_>, lp: ListenerProtocol) -> Vec<ChainOpts> {
        let mut chains = self.tcp_chains(opts);
        let mut http = self.http_chain(opts, lp);
        self.sniff(&mut http);
        chains.push(http);
        chains
    }

    /// Istio `buildSidecarOutboundTLSFilterChainOpts` / `buildSidecarOutboundTCPFilterChainOpts`
    /// without VirtualService `tls`/`tcp` routes: one chain to the service's cluster.
    fn tcp_chains(&self, opts: &Opts<'_>) -> Vec<ChainOpts> {
        let s = opts.service;
        let port = match opts.service_ports.ports.as_slice() {
            [only] => only.number,
            _ => opts.port.number,
        };
        let cluster = format!("outbound|{port}||{}", s.hostname);
        let filter = self.protocol_filter(opts.port.protocol);
        let mut c = ChainOpts::new(
            Action::TcpProxy {
                cluster: cluster.clone(),
                protocol_filter: filter.map(|(f, _)| f.to_string()),
                replaced_by_filter: filter.is_some_and(|(_, r)| r),
            },
            opts.origin.clone(),
        );
        c.cidrs = opts.cidr.clone();
        if opts.port.protocol.is_some_and(|p| p.is_tls()) {
            let mut addr = address_for_proxy(s);
            if addr.contains('/') {
                addr.clear();
            }
            let bind = opts.binds.first().map(String::as_str).unwrap_or("");
            let wildcard = self.facts.wildcard;
            // Without a dedicated address the chain can only tell services apart by SNI.
            if !opts.headless_pod_cidr
                && (!opts.cidr.is_empty()
                    || addr.is_empty()
                    || (addr == wildcard && bind == wildcard)
                    || (s.hostname.starts_with('*') && s.resolution == ServiceResolution::DynamicDns))
            {
                c.sni_hosts = vec![s.hostname.clone()];
            }
        }
        vec![c]
    }

    /// Istio `buildNetworkFiltersStack`: the protocol filter in front of (or instead of) the TCP proxy.
    fn protocol_filter(&self, p: Option<Protocol>) -> Option<(&'static str, bool)> {
        match p {
            Some(Protocol::Mongo) if self.env.mongo_filter => Some(("envoy.filters.network.mongo_proxy", false)),
            Some(Protocol::Redis) if self.env.redis_filter => Some(("envoy.filters.network.redis_proxy", true)),
            Some(Protocol::Mysql) if self.env.mysql_filter => Some(("envoy.filters.network.mysql_proxy", false)),
            _ => None,
        }
    }

    /// Istio `buildListenerFromEntry`.
    fn finish(&self, e: Entry) -> Listener {
        let primary = e.binds.first().cloned().unwrap_or_default();
        let needs_tls = e.chains.iter().any(|c| !c.sni_hosts.is_empty());
        let needs_http = e.chains.iter().any(|c| !c.alpn.is_empty());
        let mut listener_filters = Vec::new();
        if needs_tls {
            listener_filters.push(ListenerFilter { name: TLS_INSPECTOR, ports: Ports::All });
        }
        if needs_http {
            listener_filters.push(ListenerFilter { name: HTTP_INSPECTOR, ports: Ports::All });
        }
        let mut chains = Vec::new();
        let mut default = None;
        for c in e.chains {
            if c.is_match_all() {
                default = Some(c.into_chain());
            } else {
                chains.push(c.into_chain());
            }
        }
        match default {
            // A single chain that matches everything stays a plain chain.
            Some(d) if chains.is_empty() => chains.push(d),
            Some(mut d) => {
                d.default = true;
                chains.push(d);
            }
            None => {
                let (cluster, why) = &self.fallthrough;
                let mut d = super::types::FilterChain::new(
                    "PassthroughFilterChain",
                    Default::default(),
                    Action::TcpProxy { cluster: cluster.clone(), protocol_filter: None, replaced_by_filter: false },
                    Origin::new(format!("no other chain matched (other destination, other protocol): {why}")),
                );
                d.default = true;
                chains.push(d);
            }
        }
        let address = primary.strip_prefix("unix://").map_or_else(|| primary.clone(), str::to_string);
        let mut l = Listener {
            name: listener_name(&primary, e.port),
            address,
            port: e.port,
            direction: Direction::Outbound,
            bind_to_port: e.bind_to_port,
            destination: None,
            default_destination: None,
            filter_chains: chains,
            listener_filters,
            origin: e.origin,
        };
        l.summarize();
        l
    }
}

/// Istio `Service.GetAddressForProxy`: the cluster IP or first ServiceEntry address, else `0.0.0.0`.
pub(crate) fn address_for_proxy(s: &Service) -> String {
    s.addresses.first().cloned().unwrap_or_else(|| "0.0.0.0".to_string())
}
