//! Tracing a call through a proxy's listeners: which listener takes the connection, which filter
//! chain matches, and which route and cluster it ends in, with the reason for each step. The
//! matching follows Envoy's rules as Istio's own simulator applies them
//! (`pilot/pkg/simulation/traffic.go`: `matchListener`, `matchFilterChain`, `matchVirtualHost`).

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::host::subset_of;
use crate::listeners::table::match_text;
use crate::listeners::{Action, ChainTls, FilterChain, Listener, ListenerSet, TLS_INSPECTOR_NAME, HTTP_INSPECTOR_NAME};

/// The application protocol of a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum CallProtocol {
    Http,
    Http2,
    Tcp,
}

/// The transport of a call: plaintext, TLS from the application, or Istio mTLS from a peer proxy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CallTls {
    Plaintext,
    Tls,
    Mtls,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CallDirection {
    /// The application calls out; iptables sends the connection to the proxy.
    Outbound,
    /// A peer calls the workload; the connection arrives at `virtualInbound`.
    Inbound,
}

/// A call to trace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Call {
    /// Destination IP; for inbound calls only needed against prefix-range matches.
    pub address: Option<String>,
    pub port: u32,
    pub protocol: CallProtocol,
    pub tls: CallTls,
    /// The HTTP Host header (also the SNI of a TLS call when `sni` is not given).
    pub host: Option<String>,
    pub sni: Option<String>,
    pub direction: CallDirection,
}

impl Call {
    pub fn outbound(address: impl Into<String>, port: u32, protocol: CallProtocol) -> Call {
        Call { address: Some(address.into()), port, protocol, tls: CallTls::Plaintext, host: None, sni: None, direction: CallDirection::Outbound }
    }
}

/// Why a call fails inside the proxy (the simulator's errors).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TraceError {
    /// No listener takes the connection (nothing intercepts it).
    NoListener,
    /// The listener has no chain for it and no default chain: Envoy closes the connection.
    NoFilterChain,
    /// More than one chain matches equally (a configuration Envoy would reject).
    MultipleFilterChains,
    /// The chain expects another protocol (e.g. plaintext HTTP, TLS arrives).
    ProtocolError,
    /// The chain terminates TLS and the call is plaintext.
    TlsError,
    /// The chain requires Istio mTLS and the call does not present it, or the reverse.
    MtlsError,
    /// No virtual host of the route config matches the Host header.
    NoVirtualHost,
    /// The route answers with a 502 itself (`block_all`, REGISTRY_ONLY).
    DirectResponse,
}

impl TraceError {
    fn explain(self) -> &'static str {
        match self {
            TraceError::NoListener => "no listener takes the connection",
            TraceError::NoFilterChain => "no filter chain matches and the listener has no default chain, so Envoy closes the connection",
            TraceError::MultipleFilterChains => "several filter chains match equally; Envoy would reject such a listener",
            TraceError::ProtocolError => "the filter chain expects another protocol than the call speaks, so the connection fails",
            TraceError::TlsError => "the filter chain terminates TLS but the call is plaintext",
            TraceError::MtlsError => "the filter chain requires Istio mTLS (a client certificate from a mesh proxy) and the call does not present it, or the reverse",
            TraceError::NoVirtualHost => "no virtual host of the route config matches the Host header: 404",
            TraceError::DirectResponse => "the route answers 502 itself (block_all: the outbound policy is REGISTRY_ONLY and the Host is not a known service)",
        }
    }
}

/// One step of the trace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    pub what: String,
    pub why: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Trace {
    pub call: Call,
    pub listener: Option<String>,
    /// The matched chain's name (outbound service chains have none: see `filterChainIndex`).
    pub filter_chain: Option<String>,
    pub filter_chain_index: Option<usize>,
    pub route_config: Option<String>,
    pub virtual_host: Option<String>,
    pub cluster: Option<String>,
    pub error: Option<TraceError>,
    pub steps: Vec<Step>,
    /// The outcome in plain words.
    pub summary: String,
}

/// Follows `call` through `set`.
pub fn trace(set: &ListenerSet, call: &Call) -> Trace {
    let mut t = Trace {
        call: call.clone(),
        listener: None,
        filter_chain: None,
        filter_chain_index: None,
        route_config: None,
        virtual_host: None,
        cluster: None,
        error: None,
        steps: Vec::new(),
        summary: String::new(),
    };
    run(set, call, &mut t);
    t.summary = summary(set, &t);
    t
}

fn fail(t: &mut Trace, e: TraceError) {
    t.error = Some(e);
}

fn run(set: &ListenerSet, call: &Call, t: &mut Trace) {
    let address = call.address.clone().unwrap_or_else(|| "1.3.3.7".into());
    let Some((l, why)) = match_listener(set, call, &address) else {
        let why = match call.direction {
            CallDirection::Outbound if set.interception_mode == "NONE" => format!(
                "interception mode NONE: nothing redirects {address}:{} to the proxy, so the application reaches the destination directly, bypassing the proxy; to go through the proxy, connect to one of its bound listeners",
                call.port
            ),
            CallDirection::Outbound => format!("no listener for {address}:{} or 0.0.0.0:{} and no virtualOutbound", call.port, call.port),
            CallDirection::Inbound => "no virtualInbound (interception mode NONE) and no inbound listener bound on that port".into(),
        };
        t.steps.push(Step { what: "listener: none".into(), why });
        return fail(t, TraceError::NoListener);
    };
    t.listener = Some(l.name.clone());
    t.steps.push(Step { what: format!("listener {}", l.name), why: format!("{why}. It exists because: {}", l.origin.reason) });

    // The inspectors decide what Envoy knows before choosing a chain.
    let tls_inspector = has_filter(l, TLS_INSPECTOR_NAME, call.port);
    let http_inspector = has_filter(l, HTTP_INSPECTOR_NAME, call.port);
    let sni = call.sni.clone().or_else(|| (call.tls == CallTls::Tls).then(|| call.host.clone()).flatten()).unwrap_or_default();
    let mut alpn = match (call.tls, call.protocol) {
        (CallTls::Mtls, CallProtocol::Http) => "istio-http/1.1",
        (CallTls::Mtls, CallProtocol::Http2) => "istio-h2",
        (CallTls::Mtls, CallProtocol::Tcp) => "istio",
        (CallTls::Tls, CallProtocol::Http) => "http/1.1",
        (CallTls::Tls, CallProtocol::Http2) => "h2",
        _ => "",
    };
    if !tls_inspector {
        alpn = "";
    }
    if http_inspector && call.tls == CallTls::Plaintext {
        alpn = match call.protocol {
            CallProtocol::Http => "http/1.1",
            CallProtocol::Http2 => "h2c",
            CallProtocol::Tcp => alpn,
        };
    }
    let seen = Seen { port: call.port, address: &address, sni: &sni, tls: call.tls, alpn, tls_inspector };

    let (ci, c) = match match_chain(l, &seen) {
        Ok((ci, c, why)) => {
            t.steps.push(Step {
                what: format!("filter chain {}", chain_label(ci, c)),
                why: format!("{why}. It exists because: {}", c.origin.reason),
            });
            (ci, c)
        }
        Err((e, why)) => {
            t.steps.push(Step { what: "filter chain: none".into(), why });
            return fail(t, e);
        }
    };
    t.filter_chain = Some(c.name.clone()).filter(|n| !n.is_empty());
    t.filter_chain_index = Some(ci);
    if c.tls.is_some() && call.tls == CallTls::Plaintext {
        t.steps.push(Step { what: "TLS".into(), why: "the chain has a TLS transport socket; a plaintext call fails the handshake".into() });
        return fail(t, TraceError::TlsError);
    }
    if let Some(tls) = c.tls {
        let requires_mtls = tls == ChainTls::IstioMutual;
        if requires_mtls != (call.tls == CallTls::Mtls) {
            let why = if requires_mtls {
                "the chain terminates Istio mTLS and requires a mesh client certificate; the call is TLS from the application"
            } else {
                "the chain terminates the Sidecar ingress TLS with the user's certificate; an Istio mTLS client does not fit it"
            };
            t.steps.push(Step { what: "TLS".into(), why: why.into() });
            return fail(t, TraceError::MtlsError);
        }
    }
    match &c.action {
        Action::TcpProxy { cluster, .. } => {
            t.cluster = Some(cluster.clone());
            t.steps.push(Step { what: format!("cluster {cluster}"), why: cluster_meaning(set, cluster) });
        }
        action => {
            if call.tls != CallTls::Plaintext && c.tls.is_none() {
                t.steps.push(Step {
                    what: "HTTP".into(),
                    why: "the chain parses plaintext HTTP, but the call is TLS (no TLS inspector let Envoy see it, so the bytes reach the HTTP parser)".into(),
                });
                return fail(t, TraceError::ProtocolError);
            }
            if call.protocol == CallProtocol::Tcp {
                t.steps.push(Step { what: "HTTP".into(), why: "the chain is an HTTP connection manager and the call is not HTTP".into() });
                return fail(t, TraceError::ProtocolError);
            }
            route(set, action, call, t);
        }
    }
}

struct Seen<'a> {
    port: u32,
    address: &'a str,
    sni: &'a str,
    tls: CallTls,
    alpn: &'a str,
    tls_inspector: bool,
}

/// Istio simulator `matchListener`: `virtualInbound` for inbound calls; else the listener of the
/// exact address and port, then of `0.0.0.0` and the port, then `virtualOutbound`.
fn match_listener<'a>(set: &'a ListenerSet, call: &Call, address: &str) -> Option<(&'a Listener, String)> {
    if call.direction == CallDirection::Inbound {
        if let Some(l) = set.listener("virtualInbound") {
            return Some((l, "an inbound connection is redirected by iptables to virtualInbound".into()));
        }
        return set
            .listeners
            .iter()
            .find(|l| l.direction == crate::listeners::Direction::Inbound && l.port == call.port && (call.address.is_none() || l.address == address))
            .map(|l| (l, format!("the inbound listener bound to {}:{}", l.address, l.port)));
    }
    if let Some(l) = set.listeners.iter().find(|l| l.address == address && l.port == call.port) {
        return Some((l, format!("the listener for exactly {address}:{}", call.port)));
    }
    if let Some(l) = set.listeners.iter().find(|l| l.address == "0.0.0.0" && l.port == call.port) {
        return Some((l, format!("no listener for {address}:{} itself, so the wildcard listener of port {}", call.port, call.port)));
    }
    set.listener("virtualOutbound")
        .map(|l| (l, format!("no listener for {address}:{} or 0.0.0.0:{}, so the connection stays on virtualOutbound", call.port, call.port)))
}

fn has_filter(l: &Listener, name: &str, port: u32) -> bool {
    l.listener_filters.iter().any(|f| f.name == name && f.ports.includes(port))
}

fn chain_label(i: usize, c: &FilterChain) -> String {
    let name = if c.name.is_empty() { format!("#{}", i + 1) } else { c.name.clone() };
    format!("{name} ({}{})", match_text(&c.chain_match), if c.default { ", default chain" } else { "" })
}

/// Istio simulator `matchFilterChain`: criteria in Envoy's order; at each, keep the best-ranked
/// chains, or those that do not set the criterion.
fn match_chain<'a>(l: &'a Listener, s: &Seen<'_>) -> Result<(usize, &'a FilterChain, String), (TraceError, String)> {
    let mut chains: Vec<(usize, &FilterChain)> = l.filter_chains.iter().enumerate().filter(|(_, c)| !c.default).collect();
    let mut notes: Vec<String> = Vec::new();
    narrow(&mut chains, |c| c.chain_match.destination_port.is_some(), |c| (c.chain_match.destination_port == Some(s.port)) as u32);
    narrow(&mut chains, |c| !c.chain_match.prefix_ranges.is_empty(), |c| {
        c.chain_match.prefix_ranges.iter().filter_map(|r| crate::listeners::cidr_contains(r, s.address)).max().unwrap_or(0)
    });
    narrow(&mut chains, |c| !c.chain_match.server_names.is_empty(), |c| {
        c.chain_match
            .server_names
            .iter()
            .map(|n| if s.sni == n { u32::MAX } else if !s.sni.is_empty() && subset_of(s.sni, n) { n.len() as u32 } else { 0 })
            .max()
            .unwrap_or(0)
    });
    if !s.tls_inspector && s.tls != CallTls::Plaintext {
        notes.push("the listener has no TLS inspector on this port, so Envoy sees the TLS bytes as raw_buffer".into());
    }
    narrow(&mut chains, |c| c.chain_match.transport_protocol.is_some(), |c| {
        let t = c.chain_match.transport_protocol.as_deref();
        let ok = if !s.tls_inspector { t == Some("raw_buffer") } else { matches!((t, s.tls), (Some("tls"), CallTls::Tls | CallTls::Mtls) | (Some("raw_buffer"), CallTls::Plaintext)) };
        ok as u32
    });
    narrow(&mut chains, |c| !c.chain_match.application_protocols.is_empty(), |c| c.chain_match.application_protocols.iter().any(|a| a == s.alpn) as u32);
    let seen = format!(
        "Envoy sees destination port {}, address {}, {}{}{}",
        s.port,
        s.address,
        match (s.tls_inspector, s.tls) {
            (_, CallTls::Plaintext) => "transport raw_buffer",
            (true, _) => "transport tls",
            (false, _) => "transport raw_buffer (no TLS inspector)",
        },
        if s.sni.is_empty() { String::new() } else { format!(", SNI {}", s.sni) },
        if s.alpn.is_empty() { String::new() } else { format!(", ALPN {}", s.alpn) }
    );
    let extra = if notes.is_empty() { String::new() } else { format!(" ({})", notes.join("; ")) };
    match chains.as_slice() {
        [(i, c)] => Ok((*i, c, format!("{seen}{extra}; this is the only chain that matches"))),
        [] => match l.filter_chains.iter().enumerate().find(|(_, c)| c.default) {
            Some((i, c)) => Ok((i, c, format!("{seen}{extra}; no chain matches that, so the listener's default chain takes it"))),
            None => Err((TraceError::NoFilterChain, format!("{seen}{extra}; no chain matches that and there is no default chain"))),
        },
        _ => Err((TraceError::MultipleFilterChains, format!("{seen}; {} chains match equally", chains.len()))),
    }
}

/// Istio simulator `filterRank`: if any chain sets the criterion, keep the best-ranked matches,
/// else the chains that leave it unset.
fn narrow(chains: &mut Vec<(usize, &FilterChain)>, is_set: impl Fn(&FilterChain) -> bool, rank: impl Fn(&FilterChain) -> u32) {
    if !chains.iter().any(|(_, c)| is_set(c)) {
        return;
    }
    let best = chains.iter().map(|(_, c)| rank(c)).max().unwrap_or(0);
    if best > 0 {
        chains.retain(|(_, c)| rank(c) == best);
    } else {
        chains.retain(|(_, c)| !is_set(c));
    }
}

/// HTTP: the route config (inline or RDS), the virtual host by Host header, its route's cluster.
fn route(set: &ListenerSet, action: &Action, call: &Call, t: &mut Trace) {
    let host = call.host.clone().unwrap_or_default();
    match action {
        Action::InlineRoute { virtual_host, prefix, cluster } => {
            t.virtual_host = Some(virtual_host.clone());
            t.cluster = Some(cluster.clone());
            t.steps.push(Step {
                what: format!("inline route {virtual_host}"),
                why: format!("the chain's own route config: any Host, path prefix {prefix}, to {cluster}"),
            });
            t.steps.push(Step { what: format!("cluster {cluster}"), why: cluster_meaning(set, cluster) });
        }
        Action::Rds { route_config } => {
            t.route_config = Some(route_config.clone());
            let Some(rc) = set.route(route_config) else {
                t.steps.push(Step { what: format!("route config {route_config}"), why: "not generated".into() });
                return fail(t, TraceError::NoVirtualHost);
            };
            // Sidecar route configs ignore the port in the Host header.
            let bare = match host.rsplit_once(':') {
                Some((h, p)) if p.chars().all(|c| c.is_ascii_digit()) && !h.contains(':') => h.to_string(),
                _ => host.clone(),
            };
            let vh = rc
                .virtual_hosts
                .iter()
                .find(|v| v.domains.contains(&bare))
                .or_else(|| best_wildcard(&rc.virtual_hosts, &bare, true))
                .or_else(|| best_wildcard(&rc.virtual_hosts, &bare, false))
                .or_else(|| rc.virtual_hosts.iter().find(|v| v.domains.iter().any(|d| d == "*")));
            let Some(vh) = vh else {
                t.steps.push(Step { what: format!("route config {route_config}"), why: format!("Host {host:?} matches no virtual host") });
                return fail(t, TraceError::NoVirtualHost);
            };
            t.virtual_host = Some(vh.name.clone());
            let shown = if host.is_empty() { "no Host header".to_string() } else { format!("Host {host}") };
            t.steps.push(Step {
                what: format!("route config {route_config}, virtual host {}", vh.name),
                why: format!("{shown} selects it (domains {}); {}", vh.domains.join(", "), vh.origin.reason),
            });
            match &vh.cluster {
                Some(cluster) => {
                    t.cluster = Some(cluster.clone());
                    t.steps.push(Step { what: format!("cluster {cluster}"), why: cluster_meaning(set, cluster) });
                }
                None => fail(t, TraceError::DirectResponse),
            }
        }
        Action::TcpProxy { .. } => {}
    }
}

/// Envoy's wildcard domains: suffix (`*.foo.com`) first, then prefix (`foo.*`), longest first.
fn best_wildcard<'a>(hosts: &'a [crate::listeners::VirtualHost], host: &str, suffix: bool) -> Option<&'a crate::listeners::VirtualHost> {
    let mut best: Option<(&crate::listeners::VirtualHost, usize)> = None;
    for v in hosts {
        for d in &v.domains {
            let hit = if suffix {
                d.len() > 1 && d.starts_with('*') && host.len() >= d.len() && host.ends_with(&d[1..])
            } else {
                d.len() > 1 && d.ends_with('*') && host.len() >= d.len() && host.starts_with(&d[..d.len() - 1])
            };
            if hit && best.is_none_or(|(_, l)| d.len() > l) {
                best = Some((v, d.len()));
            }
        }
    }
    best.map(|(v, _)| v)
}

/// What a cluster does, in plain words.
fn cluster_meaning(set: &ListenerSet, cluster: &str) -> String {
    match cluster {
        "PassthroughCluster" => format!(
            "PassthroughCluster forwards the connection to its original destination, outside Istio's service registry (outbound policy {})",
            set.outbound_traffic_policy
        ),
        "BlackHoleCluster" => "BlackHoleCluster has no endpoints: the connection is dropped (the outbound policy is REGISTRY_ONLY, or this is loop protection for the proxy's own port)".into(),
        "InboundPassthroughCluster" => "InboundPassthroughCluster delivers the connection to the application on its original destination port; no service or Sidecar ingress declares that port, so no inbound|port|| cluster applies".into(),
        c if c.starts_with("inbound|") => format!("{c} is the workload's inbound cluster: it delivers to the application (the Sidecar ingress defaultEndpoint, else the original destination port)"),
        c if c.starts_with("outbound|") => format!("{c} is the service's outbound cluster: load balanced over its endpoints, with its DestinationRule's policy"),
        c => c.to_string(),
    }
}

fn summary(set: &ListenerSet, t: &Trace) -> String {
    let call = &t.call;
    let target = match (&call.address, call.direction) {
        (Some(a), _) => format!("{a}:{}", call.port),
        (None, _) => format!("port {}", call.port),
    };
    let what = format!(
        "{} {} {}to {target}",
        match call.direction {
            CallDirection::Outbound => "outbound",
            CallDirection::Inbound => "inbound",
        },
        match call.protocol {
            CallProtocol::Http => "HTTP",
            CallProtocol::Http2 => "HTTP/2",
            CallProtocol::Tcp => "TCP",
        },
        match call.tls {
            CallTls::Plaintext => "",
            CallTls::Tls => "over TLS ",
            CallTls::Mtls => "over Istio mTLS ",
        },
    );
    if let Some(e) = t.error {
        return format!("{what}: fails, {}", e.explain());
    }
    let via = format!("{}{}", t.listener.as_deref().unwrap_or("?"), t.route_config.as_deref().map(|r| format!(", route {r}")).unwrap_or_default());
    match t.cluster.as_deref() {
        Some("BlackHoleCluster") => format!("{what}: dropped (BlackHoleCluster, via {via})"),
        Some("PassthroughCluster") => format!("{what}: passed through to the original destination (PassthroughCluster, via {via}; policy {})", set.outbound_traffic_policy),
        Some(c) => format!("{what}: reaches {c} via {via}"),
        None => format!("{what}: no cluster"),
    }
}

/// The trace as text for a terminal.
pub fn render_text(t: &Trace) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", t.summary);
    for (i, s) in t.steps.iter().enumerate() {
        let _ = writeln!(out, "  {}. {}", i + 1, s.what);
        let _ = writeln!(out, "     {}", s.why);
    }
    out
}
