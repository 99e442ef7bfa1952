//! Tracing a call through a proxy's listeners: which listener takes the connection, which filter
//! chain matches, and which route and cluster it ends in, with the reason for each step. The
//! matching follows Envoy's rules as Istio's own simulator applies them
//! (`pilot/pkg/simulation/traffic.go`: `matchListener`, `matchFilterChain`, `matchVirtualHost`).

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::host::subset_of;
use crate::listeners::table::match_text;
use crate::listeners::{
    Action, ChainTls, FilterChain, HeaderMatch, Listener, ListenerSet, Mirror, PathMatch, Route, RouteAction,
    RouteMatch, SourceRef, StringMatch, HTTP_INSPECTOR_NAME, TLS_INSPECTOR_NAME,
};

/// The application protocol of a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum CallProtocol {
    Http,
    Http2,
    #[default]
    Tcp,
}

/// The transport of a call: plaintext, TLS from the application, or Istio mTLS from a peer proxy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CallTls {
    #[default]
    Plaintext,
    Tls,
    Mtls,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CallDirection {
    /// The application calls out; iptables sends the connection to the proxy.
    #[default]
    Outbound,
    /// A peer calls the workload; the connection arrives at `virtualInbound`.
    Inbound,
}

/// A call to trace.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
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
    /// The request path with any query string (default `/`, the simulator's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The request method (default `GET`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Request headers other than Host, in order (names compare without case).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<Header>,
    /// The ALPN a TLS client offers; default: the simulator's for its protocol and transport.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alpn: Option<String>,
    /// For an mTLS call: `true` the client presents the mesh (workload) certificate, `false` some
    /// other certificate; unset: the certificate the chain asks for (the simulator's
    /// `MtlsSecretConfigName`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mesh_cert: Option<bool>,
}

/// One request header.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    pub name: String,
    pub value: String,
}

/// An HTTP token (RFC 9110): header names and methods.
fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

impl Header {
    /// `NAME=VALUE`, as the front ends take a header; the error starts with the text given.
    pub fn parse(text: &str) -> Result<Header, String> {
        let Some((name, value)) = text.split_once('=') else {
            return Err(format!("{text:?} is not NAME=VALUE (e.g. x-user=alice)"));
        };
        let name = name.trim();
        if !is_token(name) {
            return Err(format!("{text:?}: {name:?} is not a header name (letters, digits and !#$%&'*+-.^_`|~ only)"));
        }
        if name.eq_ignore_ascii_case("host") {
            return Err(format!("{text:?}: the Host header is the call's host"));
        }
        if value.chars().any(|c| c.is_control() && c != '\t') {
            return Err(format!("{text:?}: the value of {name} has a control character"));
        }
        Ok(Header { name: name.to_ascii_lowercase(), value: value.trim().to_string() })
    }
}

/// Checks a call's path and method; the error starts with the field's name.
pub fn check_request(path: Option<&str>, method: Option<&str>) -> Result<(), String> {
    if let Some(p) = path {
        if !p.starts_with('/') || p.chars().any(|c| c.is_control() || c == ' ') {
            return Err(format!("path {p:?} is not a request path: it starts with / and has no spaces or control characters (e.g. /api/v2?x=1)"));
        }
    }
    if let Some(m) = method {
        if !is_token(m) {
            return Err(format!("method {m:?} is not an HTTP method (a token such as GET or POST)"));
        }
    }
    Ok(())
}

impl Call {
    pub fn outbound(address: impl Into<String>, port: u32, protocol: CallProtocol) -> Call {
        Call { address: Some(address.into()), port, protocol, ..Call::default() }
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
    /// No route of the virtual host matches the request: Envoy answers 404.
    NoRoute,
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
            TraceError::NoRoute => "no route of the virtual host matches the request: Envoy answers 404",
        }
    }
}

/// The route a request matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MatchedRoute {
    pub name: String,
    /// `namespace/name` of the VirtualService and the index of its `http[]` entry.
    pub virtual_service: Option<String>,
    pub http_index: Option<usize>,
    #[serde(rename = "match")]
    pub route_match: RouteMatch,
    pub action: RouteAction,
    pub timeout: Option<String>,
    pub retries: Option<String>,
    pub mirrors: Vec<Mirror>,
    /// The YAML it comes from (`spec.http[i]`), located when the listener set is.
    pub sources: Vec<SourceRef>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DirectResponse {
    pub status: u32,
    pub body: Option<String>,
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
    /// The matched route's name (istiod's; empty when the VirtualService names none).
    pub route: Option<String>,
    /// The matched route: where it comes from and what it does.
    pub matched_route: Option<MatchedRoute>,
    /// The cluster; `None` for weighted clusters (see `matchedRoute`), a redirect or a direct response.
    pub cluster: Option<String>,
    /// A route that answers by itself (`block_all`'s 502, a VirtualService `directResponse`).
    pub direct_response: Option<DirectResponse>,
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
        route: None,
        matched_route: None,
        cluster: None,
        direct_response: None,
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
    t.steps.push(Step {
        what: format!("listener {}", l.name),
        why: format!("{why}. It exists because: {}", l.origin.reason),
    });

    // The inspectors decide what Envoy knows before choosing a chain.
    let (sni, alpn, tls_inspector) = inspected(l, call);
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
        t.steps.push(Step {
            what: "TLS".into(),
            why: "the chain has a TLS transport socket; a plaintext call fails the handshake".into(),
        });
        return fail(t, TraceError::TlsError);
    }
    if let Some(tls) = c.tls {
        // The simulator's `requiresMTLS`: the chain's certificate is the one the client asks for
        // (Istio's `default` workload certificate, or the Sidecar's own) and it requires a client
        // certificate; that must agree with the call being mTLS.
        let client_cert_required = matches!(tls, ChainTls::IstioMutual | ChainTls::Mutual);
        let asks_for_this_chain = match (tls, call.mesh_cert) {
            (_, None) => true,
            (ChainTls::IstioMutual, Some(mesh)) => mesh,
            (_, Some(mesh)) => !mesh,
        };
        let requires_mtls = client_cert_required && asks_for_this_chain;
        if requires_mtls != (call.tls == CallTls::Mtls) {
            let why = match (tls, call.tls) {
                (ChainTls::IstioMutual, CallTls::Mtls) => "the chain terminates Istio mTLS and requires the mesh client certificate; the client presents another one",
                (ChainTls::IstioMutual, _) => "the chain terminates Istio mTLS and requires a mesh client certificate; the call is TLS from the application without one",
                (ChainTls::Mutual, CallTls::Mtls) => "the chain terminates the Sidecar ingress TLS (MUTUAL) and verifies client certificates against its caCertificates; the mesh certificate is not one it accepts",
                (ChainTls::Mutual, _) => "the chain terminates the Sidecar ingress TLS in MUTUAL mode (Istio `BuildListenerTLSContext` sets requireClientCertificate), and the call presents no client certificate: the handshake fails",
                (ChainTls::Simple | ChainTls::OptionalMutual, _) => "the chain terminates the Sidecar ingress TLS with the user's certificate and requires no client certificate (SIMPLE or OPTIONAL_MUTUAL); a client set up for mTLS does not fit it",
            };
            t.steps.push(Step { what: "TLS".into(), why: why.into() });
            return fail(t, TraceError::MtlsError);
        }
        if tls == ChainTls::Mutual {
            t.steps.push(Step {
                what: "TLS".into(),
                why: "the chain terminates the Sidecar ingress TLS in MUTUAL mode and the client presents a certificate (accepted if its caCertificates sign it)".into(),
            });
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
                t.steps.push(Step {
                    what: "HTTP".into(),
                    why: "the chain is an HTTP connection manager and the call is not HTTP".into(),
                });
                return fail(t, TraceError::ProtocolError);
            }
            route(set, action, call, c.tls.is_some(), t);
        }
    }
}

/// What the listener's inspectors let Envoy know of a call before it picks a chain: the SNI,
/// the ALPN, and whether a TLS inspector runs on its port.
fn inspected<'c>(l: &Listener, call: &'c Call) -> (String, &'c str, bool) {
    let tls_inspector = has_filter(l, TLS_INSPECTOR_NAME, call.port);
    let http_inspector = has_filter(l, HTTP_INSPECTOR_NAME, call.port);
    let sni = call
        .sni
        .clone()
        .or_else(|| (call.tls == CallTls::Tls).then(|| call.host.clone()).flatten())
        .unwrap_or_default();
    let default_alpn = match (call.tls, call.protocol) {
        (CallTls::Mtls, CallProtocol::Http) => "istio-http/1.1",
        (CallTls::Mtls, CallProtocol::Http2) => "istio-h2",
        (CallTls::Mtls, CallProtocol::Tcp) => "istio",
        (CallTls::Tls, CallProtocol::Http) => "http/1.1",
        (CallTls::Tls, CallProtocol::Http2) => "h2",
        _ => "",
    };
    let mut alpn = match (&call.alpn, call.tls) {
        (Some(a), CallTls::Tls | CallTls::Mtls) => a.as_str(),
        _ => default_alpn,
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
    (sni, alpn, tls_inspector)
}

/// The filter chain of `l` that `call` takes, as a trace picks it (`None`: no chain matches, or
/// several do). Impact compares the chains a call meets on two sides without tracing it.
pub(crate) fn matched_chain(l: &Listener, call: &Call) -> Option<usize> {
    let address = call.address.clone().unwrap_or_else(|| "1.3.3.7".into());
    let (sni, alpn, tls_inspector) = inspected(l, call);
    let seen = Seen { port: call.port, address: &address, sni: &sni, tls: call.tls, alpn, tls_inspector };
    match_chain(l, &seen).ok().map(|(i, _, _)| i)
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
            .find(|l| {
                l.direction == crate::listeners::Direction::Inbound
                    && l.port == call.port
                    && (call.address.is_none() || l.address == address)
            })
            .map(|l| (l, format!("the inbound listener bound to {}:{}", l.address, l.port)));
    }
    if let Some(l) = set.listeners.iter().find(|l| l.address == address && l.port == call.port) {
        return Some((l, format!("the listener for exactly {address}:{}", call.port)));
    }
    if let Some(l) = set.listeners.iter().find(|l| l.address == "0.0.0.0" && l.port == call.port) {
        return Some((
            l,
            format!("no listener for {address}:{} itself, so the wildcard listener of port {}", call.port, call.port),
        ));
    }
    set.listener("virtualOutbound").map(|l| {
        (
            l,
            format!(
                "no listener for {address}:{} or 0.0.0.0:{}, so the connection stays on virtualOutbound",
                call.port, call.port
            ),
        )
    })
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
    let mut chains: Vec<(usize, &FilterChain)> =
        l.filter_chains.iter().enumerate().filter(|(_, c)| !c.default).collect();
    let mut notes: Vec<String> = Vec::new();
    narrow(
        &mut chains,
        |c| c.chain_match.destination_port.is_some(),
        |c| (c.chain_match.destination_port == Some(s.port)) as u32,
    );
    narrow(
        &mut chains,
        |c| !c.chain_match.prefix_ranges.is_empty(),
        |c| {
            c.chain_match
                .prefix_ranges
                .iter()
                .filter_map(|r| crate::listeners::cidr_contains(r, s.address))
                .max()
                .unwrap_or(0)
        },
    );
    narrow(
        &mut chains,
        |c| !c.chain_match.server_names.is_empty(),
        |c| {
            c.chain_match
                .server_names
                .iter()
                .map(|n| {
                    if s.sni == n {
                        u32::MAX
                    } else if !s.sni.is_empty() && subset_of(s.sni, n) {
                        n.len() as u32
                    } else {
                        0
                    }
                })
                .max()
                .unwrap_or(0)
        },
    );
    if !s.tls_inspector && s.tls != CallTls::Plaintext {
        notes.push("the listener has no TLS inspector on this port, so Envoy sees the TLS bytes as raw_buffer".into());
    }
    narrow(
        &mut chains,
        |c| c.chain_match.transport_protocol.is_some(),
        |c| {
            let t = c.chain_match.transport_protocol.as_deref();
            let ok = if !s.tls_inspector {
                t == Some("raw_buffer")
            } else {
                matches!(
                    (t, s.tls),
                    (Some("tls"), CallTls::Tls | CallTls::Mtls) | (Some("raw_buffer"), CallTls::Plaintext)
                )
            };
            ok as u32
        },
    );
    narrow(
        &mut chains,
        |c| !c.chain_match.application_protocols.is_empty(),
        |c| c.chain_match.application_protocols.iter().any(|a| a == s.alpn) as u32,
    );
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
            Some((i, c)) => {
                Ok((i, c, format!("{seen}{extra}; no chain matches that, so the listener's default chain takes it")))
            }
            None => Err((
                TraceError::NoFilterChain,
                format!("{seen}{extra}; no chain matches that and there is no default chain"),
            )),
        },
        _ => Err((TraceError::MultipleFilterChains, format!("{seen}; {} chains match equally", chains.len()))),
    }
}

/// Istio simulator `filterRank`: if any chain sets the criterion, keep the best-ranked matches,
/// else the chains that leave it unset.
fn narrow(
    chains: &mut Vec<(usize, &FilterChain)>,
    is_set: impl Fn(&FilterChain) -> bool,
    rank: impl Fn(&FilterChain) -> u32,
) {
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

/// HTTP: the route config (inline or RDS), the virtual host by Host header, then the route by
/// path, headers and query parameters (simulator `matchVirtualHost`, `matchRoute`; the route
/// match itself as Envoy evaluates it).
fn route(set: &ListenerSet, action: &Action, call: &Call, terminates_tls: bool, t: &mut Trace) {
    let host = call.host.clone().unwrap_or_default();
    match action {
        Action::InlineRoute { virtual_host, route, prefix, cluster } => {
            t.virtual_host = Some(virtual_host.clone());
            let path = call.path.as_deref().unwrap_or("/");
            if !path.starts_with(prefix.as_str()) {
                t.steps.push(Step {
                    what: format!("inline route {virtual_host}"),
                    why: format!(
                        "the chain's own route config only routes path prefix {prefix}; {path} is not under it"
                    ),
                });
                return fail(t, TraceError::NoRoute);
            }
            t.route = Some(route.clone());
            t.cluster = Some(cluster.clone());
            t.steps.push(Step {
                what: format!(
                    "inline route {virtual_host}{}",
                    if route.is_empty() { String::new() } else { format!(", route {route}") }
                ),
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
                t.steps.push(Step {
                    what: format!("route config {route_config}"),
                    why: format!("Host {host:?} matches no virtual host"),
                });
                return fail(t, TraceError::NoVirtualHost);
            };
            t.virtual_host = Some(vh.name.clone());
            let shown = if host.is_empty() { "no Host header".to_string() } else { format!("Host {host}") };
            t.steps.push(Step {
                what: format!("route config {route_config}, virtual host {}", vh.name),
                why: format!("{shown} selects it (domains {}); {}", vh.domains.join(", "), vh.origin.reason),
            });
            let req = Request::of(call, terminates_tls);
            let mut skipped = Vec::new();
            let mut found = None;
            for (i, r) in vh.routes.iter().enumerate() {
                match route_matches(&r.route_match, &req) {
                    Ok(()) => {
                        found = Some((i, r));
                        break;
                    }
                    Err(why) => skipped.push(format!("{} {why}", route_label(i, r))),
                }
            }
            let Some((i, r)) = found else {
                t.steps.push(Step {
                    what: "route: none".into(),
                    why: format!(
                        "{} matches no route of {} ({}): Envoy answers 404",
                        req.describe(),
                        vh.name,
                        skipped.join("; ")
                    ),
                });
                return fail(t, TraceError::NoRoute);
            };
            apply_route(set, i, r, &req, &skipped, t);
        }
        Action::TcpProxy { .. } => {}
    }
}

fn route_label(i: usize, r: &Route) -> String {
    let name = if r.name.is_empty() { format!("route #{}", i + 1) } else { format!("route {}", r.name) };
    match (&r.virtual_service, r.http_index) {
        (Some(vs), Some(h)) => format!("{name} (VirtualService {vs} http[{h}])"),
        _ => name,
    }
}

fn apply_route(set: &ListenerSet, i: usize, r: &Route, req: &Request<'_>, skipped: &[String], t: &mut Trace) {
    t.route = Some(r.name.clone());
    t.matched_route = Some(MatchedRoute {
        name: r.name.clone(),
        virtual_service: r.virtual_service.clone(),
        http_index: r.http_index,
        route_match: r.route_match.clone(),
        action: r.action.clone(),
        timeout: r.timeout.clone(),
        retries: r.retries.clone(),
        mirrors: r.mirrors.clone(),
        sources: r.origin.sources.clone(),
    });
    let before = if skipped.is_empty() {
        String::new()
    } else {
        format!(" (earlier routes do not match: {})", skipped.join("; "))
    };
    t.steps.push(Step {
        what: route_label(i, r),
        why: format!("{} matches {}{before}; {}", req.describe(), describe_match(&r.route_match), r.origin.reason),
    });
    let mut facts = Vec::new();
    // Istio's own routes carry its defaults (in the JSON); the text shows a VirtualService's.
    if let (Some(to), Some(_)) = (&r.timeout, &r.virtual_service) {
        facts.push(format!("timeout {to}"));
    }
    if let (Some(re), Some(_)) = (&r.retries, &r.virtual_service) {
        facts.push(format!("retries: {re}"));
    }
    for m in &r.mirrors {
        facts.push(format!("mirrors {}% to {}", m.percent, m.cluster));
    }
    let facts = if facts.is_empty() { String::new() } else { format!(" ({})", facts.join("; ")) };
    match &r.action {
        RouteAction::Route { clusters, prefix_rewrite, regex_rewrite, host_rewrite } => {
            let mut rewrites = Vec::new();
            if let Some(p) = prefix_rewrite {
                rewrites.push(format!("the matched path prefix is rewritten to {p}"));
            }
            if let Some(re) = regex_rewrite {
                rewrites.push(format!("the path is rewritten by regex {} to {}", re.pattern, re.substitution));
            }
            if let Some(h) = host_rewrite {
                rewrites.push(format!("the Host is rewritten to {h}"));
            }
            let rewrites = if rewrites.is_empty() { String::new() } else { format!("; {}", rewrites.join(", ")) };
            match clusters.as_slice() {
                [one] if one.weight.is_none() => {
                    t.cluster = Some(one.cluster.clone());
                    t.steps.push(Step {
                        what: format!("cluster {}", one.cluster),
                        why: format!("{}{rewrites}{facts}", cluster_meaning(set, &one.cluster)),
                    });
                }
                many => {
                    let total: u64 = many.iter().map(|c| u64::from(c.weight.unwrap_or(0))).sum();
                    let split: Vec<String> =
                        many.iter().map(|c| format!("{} weight {}", c.cluster, c.weight.unwrap_or(0))).collect();
                    t.steps.push(Step {
                        what: format!("weighted clusters: {}", split.join(", ")),
                        why: format!("each request goes to one of them at random, in proportion to its weight (total {total}){rewrites}{facts}"),
                    });
                }
            }
        }
        RouteAction::Redirect { status, scheme, host, port, path, prefix_rewrite } => {
            let mut to = Vec::new();
            if let Some(s) = scheme {
                to.push(format!("scheme {s}"));
            }
            if let Some(h) = host {
                to.push(format!("host {h}"));
            }
            if let Some(p) = port {
                to.push(format!("port {p}"));
            }
            if let Some(p) = path {
                to.push(format!("path {p}"));
            }
            if let Some(p) = prefix_rewrite {
                to.push(format!("path prefix {p}"));
            }
            let to = if to.is_empty() { "the same URL".to_string() } else { to.join(", ") };
            t.steps.push(Step {
                what: format!("redirect {status}"),
                why: format!("the route answers {status} itself, redirecting to {to}; no cluster is called"),
            });
        }
        RouteAction::DirectResponse { status, body } => {
            t.direct_response = Some(DirectResponse { status: *status, body: body.clone() });
            let why = if r.name == "block_all" {
                format!("the route answers {status} itself: the outbound policy is REGISTRY_ONLY and the Host is not a known service; no cluster is called")
            } else {
                format!(
                    "the route answers {status} itself{}; no cluster is called",
                    body.as_deref().map(|b| format!(" with body {b:?}")).unwrap_or_default()
                )
            };
            t.steps.push(Step { what: format!("direct response {status}"), why });
        }
        RouteAction::None => {
            t.steps.push(Step {
                what: "route without action".into(),
                why: "istiod leaves the route without an action (an unsupported redirect code); Envoy rejects such a route configuration".into(),
            });
        }
    }
}

/// The request as Envoy's route matching reads it.
struct Request<'a> {
    /// The path without the query string.
    path: &'a str,
    /// The `:path` header as sent.
    full_path: &'a str,
    query: Vec<(String, String)>,
    method: &'a str,
    authority: &'a str,
    scheme: &'static str,
    headers: &'a [Header],
}

impl<'a> Request<'a> {
    fn of(call: &'a Call, terminates_tls: bool) -> Request<'a> {
        let full_path = call.path.as_deref().unwrap_or("/");
        let (path, query) = match full_path.split_once('?') {
            Some((p, q)) => (p, q),
            None => (full_path, ""),
        };
        let query = query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| match p.split_once('=') {
                Some((k, v)) => (percent_decode(k), percent_decode(v)),
                None => (percent_decode(p), String::new()),
            })
            .collect();
        Request {
            path,
            full_path,
            query,
            method: call.method.as_deref().unwrap_or("GET"),
            authority: call.host.as_deref().unwrap_or(""),
            scheme: if terminates_tls { "https" } else { "http" },
            headers: &call.headers,
        }
    }

    fn describe(&self) -> String {
        format!("{} {}", self.method, self.full_path)
    }

    /// The header's value as Envoy's matchers read it: several values joined by commas.
    fn header(&self, name: &str) -> Option<String> {
        match name {
            ":method" => return Some(self.method.to_string()),
            ":authority" => return (!self.authority.is_empty()).then(|| self.authority.to_string()),
            ":scheme" => return Some(self.scheme.to_string()),
            ":path" => return Some(self.full_path.to_string()),
            _ => {}
        }
        let values: Vec<&str> =
            self.headers.iter().filter(|h| h.name.eq_ignore_ascii_case(name)).map(|h| h.value.as_str()).collect();
        (!values.is_empty()).then(|| values.join(","))
    }
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        if b[i] == b'%' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Envoy `safe_regex`: RE2 syntax, matching the whole value. An invalid or too large pattern
/// matches nothing (Envoy would reject the route configuration; Istio's validation rejects it first).
#[cfg(feature = "route-regex")]
fn full_match(re: &str, value: &str) -> Result<bool, String> {
    regex_lite::RegexBuilder::new(&format!("^(?:{re})$"))
        .size_limit(1 << 20)
        .build()
        .map(|r| r.is_match(value))
        .map_err(|e| format!("regex {re:?} does not compile ({}; invalid RE2, or a Unicode class such as \\pL, which regex-lite lacks)", e.to_string().lines().last().unwrap_or("").trim()))
}

/// Without the `route-regex` feature (the playground): a regex cannot be decided.
#[cfg(not(feature = "route-regex"))]
fn full_match(re: &str, _: &str) -> Result<bool, String> {
    Err(format!("regex {re:?} is not evaluated here (the playground leaves out its regex engine to stay within its download size; the CLI and the wasm package evaluate it): if it matches, the request takes this route instead"))
}

fn string_matches(m: &StringMatch, value: &str) -> Result<bool, String> {
    Ok(match m {
        StringMatch::Exact(e) => value == e,
        StringMatch::Prefix(p) => value.starts_with(p.as_str()),
        StringMatch::Regex(r) => full_match(r, value)?,
        StringMatch::Present => true,
    })
}

fn describe_string(m: &StringMatch) -> String {
    match m {
        StringMatch::Exact(e) => format!("= {e:?}"),
        StringMatch::Prefix(p) => format!("prefix {p:?}"),
        StringMatch::Regex(r) => format!("regex {r:?}"),
        StringMatch::Present => "present".into(),
    }
}

fn describe_match(m: &RouteMatch) -> String {
    let mut parts = vec![match &m.path {
        PathMatch::Prefix(p) => format!("path prefix {p}"),
        PathMatch::Exact(p) => format!("path {p}"),
        PathMatch::Regex(r) => format!("path regex {r}"),
    }];
    if !m.case_sensitive {
        parts.push("ignoring case".into());
    }
    for h in &m.headers {
        parts.push(format!("header {}{} {}", if h.invert { "not " } else { "" }, h.name, describe_string(&h.value)));
    }
    for q in &m.query_params {
        parts.push(format!("query {} {}", q.name, describe_string(&q.value)));
    }
    parts.join(", ")
}

/// Envoy `HeaderUtility::matchHeaders`.
fn header_matches(h: &HeaderMatch, req: &Request<'_>) -> Result<bool, String> {
    let value = req.header(&h.name);
    let Some(value) = value.or_else(|| h.treat_missing_as_empty.then(String::new)) else {
        // A missing header: only an inverted matcher (other than presence) matches.
        return Ok(h.invert && h.value != StringMatch::Present);
    };
    Ok(string_matches(&h.value, &value)? != h.invert)
}

/// Whether the request fits the route's match, and if not, why.
fn route_matches(m: &RouteMatch, req: &Request<'_>) -> Result<(), String> {
    let fold = |s: &str| if m.case_sensitive { s.to_string() } else { s.to_lowercase() };
    let path_ok = match &m.path {
        // Envoy: a prefix applies to the beginning of `:path`; an exact path and a regex to the
        // path once the query string is removed.
        PathMatch::Prefix(p) => fold(req.full_path).starts_with(&fold(p)),
        PathMatch::Exact(p) => fold(req.path) == fold(p),
        PathMatch::Regex(r) => full_match(r, req.path)?,
    };
    if !path_ok {
        return Err(format!(
            "wants {}",
            describe_match(&RouteMatch { headers: Vec::new(), query_params: Vec::new(), ..m.clone() })
        ));
    }
    for h in &m.headers {
        if !header_matches(h, req)? {
            let got = req.header(&h.name).map_or("absent".to_string(), |v| format!("{v:?}"));
            return Err(format!(
                "wants header {}{} {} (the request has {got})",
                if h.invert { "not " } else { "" },
                h.name,
                describe_string(&h.value)
            ));
        }
    }
    for q in &m.query_params {
        let v = req.query.iter().find(|(k, _)| *k == q.name).map(|(_, v)| v.as_str());
        let ok = match v {
            Some(v) => string_matches(&q.value, v)?,
            None => false,
        };
        if !ok {
            return Err(format!("wants query parameter {} {}", q.name, describe_string(&q.value)));
        }
    }
    Ok(())
}

/// Envoy's wildcard domains: suffix (`*.foo.com`) first, then prefix (`foo.*`), longest first.
fn best_wildcard<'a>(
    hosts: &'a [crate::listeners::VirtualHost],
    host: &str,
    suffix: bool,
) -> Option<&'a crate::listeners::VirtualHost> {
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
    let route = match t.route.as_deref() {
        Some("") => ", an unnamed route".to_string(),
        Some(r) => format!(", route {r}"),
        None => String::new(),
    };
    let via = format!(
        "{}{}{route}",
        t.listener.as_deref().unwrap_or("?"),
        t.route_config.as_deref().map(|r| format!(", route config {r}")).unwrap_or_default()
    );
    match t.cluster.as_deref() {
        Some("BlackHoleCluster") => format!("{what}: dropped (BlackHoleCluster, via {via})"),
        Some("PassthroughCluster") => format!(
            "{what}: passed through to the original destination (PassthroughCluster, via {via}; policy {})",
            set.outbound_traffic_policy
        ),
        Some(c) => format!("{what}: reaches {c} via {via}"),
        None => match t.matched_route.as_ref().map(|r| &r.action) {
            Some(RouteAction::Route { clusters, .. }) => format!(
                "{what}: split over {} via {via}",
                clusters
                    .iter()
                    .map(|c| format!("{} ({})", c.cluster, c.weight.unwrap_or(0)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Some(RouteAction::Redirect { status, .. }) => {
                format!("{what}: answered with a {status} redirect via {via}")
            }
            Some(RouteAction::DirectResponse { status, .. }) => {
                format!("{what}: answered with {status} by the proxy itself via {via}")
            }
            _ => format!("{what}: no cluster"),
        },
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
