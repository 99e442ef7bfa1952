//! The calls a proxy makes or takes, traced on both sides: every imported `host:port`, every
//! VirtualService route (a request built to match it), every inbound port (from a mesh peer with
//! mTLS, and from a client without a proxy in plaintext). A call is traced only where its outcome
//! can differ: when the listener that takes it, or a route config that listener names, differs
//! between the sides (compared without the links to the YAML, which always differ).

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::inputs::{BASE, HEAD};
use crate::listeners::{
    Action, FilterChain, HeaderMatch, Listener, ListenerSet, PathMatch, Route, RouteAction, RouteConfig, StringMatch,
};
use crate::protocol::Protocol;
use crate::registry::Registry;
use crate::resolve::Resolution;
use crate::trace::{self, Call, CallDirection, CallProtocol, CallTls, Header, Trace, TraceError};

/// Where a call ends, as far as a change matters to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Outcome {
    /// The call reaches a destination: no error, not `BlackHoleCluster`, not `block_all`.
    pub works: bool,
    /// The trace's summary in plain words.
    pub summary: String,
    pub listener: Option<String>,
    /// The cluster, the weighted clusters (`a 90%, b 10%`), or the direct response.
    pub destination: Option<String>,
    /// The VirtualService route it takes (`namespace/name http[i]`), if any.
    pub virtual_service_route: Option<String>,
    pub error: Option<TraceError>,
}

impl Outcome {
    pub(crate) fn of(t: &Trace) -> Outcome {
        let route = t.matched_route.as_ref();
        let destination = match (&t.cluster, &t.direct_response, route.map(|r| &r.action)) {
            (Some(c), _, _) => Some(c.clone()),
            (None, Some(d), _) => Some(format!("direct response {}", d.status)),
            (None, None, Some(RouteAction::Route { clusters, .. })) => Some(
                clusters
                    .iter()
                    .map(|c| match c.weight {
                        Some(w) => format!("{} {w}%", c.cluster),
                        None => c.cluster.clone(),
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            (None, None, Some(RouteAction::Redirect { status, .. })) => Some(format!("redirect {status}")),
            _ => None,
        };
        let blocked = t.cluster.as_deref() == Some("BlackHoleCluster") || t.route.as_deref() == Some("block_all");
        Outcome {
            works: t.error.is_none() && !blocked,
            summary: t.summary.clone(),
            listener: t.listener.clone(),
            destination,
            virtual_service_route: route
                .and_then(|r| Some(format!("{} http[{}]", r.virtual_service.as_ref()?, r.http_index?))),
            error: t.error,
        }
    }

    /// What a change is judged on (not the wording, not the listener's name).
    fn verdict(&self) -> (bool, &Option<String>, &Option<String>, Option<TraceError>) {
        (self.works, &self.destination, &self.virtual_service_route, self.error)
    }
}

/// What happened to a call between the sides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum FlowKind {
    /// Worked in base, fails in head (BlackHole, `block_all`, no route, refused).
    Broken,
    /// Went to a cluster of the mesh in base, leaves through `PassthroughCluster` in head: the
    /// proxy lost the host (no mTLS, DestinationRule or VirtualService for it any more).
    Bypassed,
    /// Works on both sides, but ends elsewhere: another cluster, or without (or with another)
    /// VirtualService route.
    Rerouted,
    /// Left through `PassthroughCluster` in base, goes to a cluster of the mesh in head.
    Captured,
    /// Failed in base, works in head.
    Repaired,
    /// Fails on both sides, differently.
    Changed,
}

impl FlowKind {
    /// Broken, bypassed and rerouted calls are the breaking changes (`--fail-on breaking`).
    pub fn breaking(self) -> bool {
        matches!(self, FlowKind::Broken | FlowKind::Bypassed | FlowKind::Rerouted)
    }
    /// The kind of the same call in the comparison the other way round.
    pub fn inverse(self) -> FlowKind {
        match self {
            FlowKind::Broken => FlowKind::Repaired,
            FlowKind::Repaired => FlowKind::Broken,
            FlowKind::Bypassed => FlowKind::Captured,
            FlowKind::Captured => FlowKind::Bypassed,
            k => k,
        }
    }
}

/// A destination no registry has: a TEST-NET-3 address (RFC 5737) and a reserved name.
pub const OUTSIDE_ADDRESS: &str = "203.0.113.10";
pub const OUTSIDE_HOST: &str = "unregistered.example.com";

/// A call to trace, with what it stands for.
pub(crate) struct Candidate {
    pub what: String,
    pub call: Call,
    /// The imported host (import calls and VirtualService routes), for the causes.
    pub host: Option<String>,
    /// A VirtualService route call: the route it was built for (`ns/name http[i]`).
    pub route: Option<String>,
}

/// The calls of one side's proxy.
pub(crate) fn candidates(reg: &Registry, r: &Resolution, set: &ListenerSet, out: &mut BTreeMap<String, Candidate>) {
    for l in r.egress.iter() {
        if l.bind.as_deref().is_some_and(|b| b.starts_with("unix://")) {
            continue;
        }
        for s in &l.services {
            let address = reg.services[s.id].addresses.iter().find(|a| a.parse::<std::net::IpAddr>().is_ok()).cloned();
            let host = s.hostname.replacen('*', "any", 1);
            for p in &s.ports {
                let proto = p.protocol.0;
                let mut call = Call { address: address.clone(), port: p.number, ..Call::default() };
                let what = match proto {
                    Some(pr) if pr.is_tls() => {
                        call.tls = CallTls::Tls;
                        call.sni = Some(host.clone());
                        format!("TLS {host}:{}", p.number)
                    }
                    Some(pr) if !pr.is_http() => format!("TCP {host}:{}", p.number),
                    _ => {
                        call.protocol = match proto {
                            Some(Protocol::Http2 | Protocol::Grpc) => CallProtocol::Http2,
                            _ => CallProtocol::Http,
                        };
                        call.host = Some(host.clone());
                        format!("HTTP {host}:{} GET /", p.number)
                    }
                };
                out.entry(what.clone()).or_insert(Candidate {
                    what,
                    call,
                    host: Some(s.hostname.clone()),
                    route: None,
                });
            }
        }
    }
    for rc in &set.routes {
        let Some(port) = rc.name.rsplit(':').next().and_then(|p| p.parse::<u32>().ok()) else { continue };
        for vh in &rc.virtual_hosts {
            let Some(host) = vh.domains.iter().find(|d| !d.contains('*') && !d.contains(':')) else { continue };
            for route in &vh.routes {
                let (Some(vs), Some(i)) = (&route.virtual_service, route.http_index) else { continue };
                let Some(mut call) = request_for(route) else { continue };
                call.port = port;
                call.host = Some(host.clone());
                call.address = r
                    .egress
                    .iter()
                    .flat_map(|l| &l.services)
                    .find(|s| &s.hostname == host)
                    .and_then(|s| reg.services[s.id].addresses.iter().find(|a| a.parse::<std::net::IpAddr>().is_ok()))
                    .cloned();
                let what = format!(
                    "HTTP {host}:{port} {} {}{}",
                    call.method.as_deref().unwrap_or("GET"),
                    call.path.as_deref().unwrap_or("/"),
                    call.headers.iter().map(|h| format!(" {}={}", h.name, h.value)).collect::<String>()
                );
                let route = Some(format!("{vs} http[{i}]"));
                out.entry(what.clone()).or_insert(Candidate { what, call, host: Some(host.clone()), route });
            }
        }
    }
    // Destinations outside the registry: what the outbound traffic policy decides (Passthrough
    // under ALLOW_ANY, BlackHole under REGISTRY_ONLY). Addresses from TEST-NET-3 (RFC 5737).
    let what = format!("TCP {OUTSIDE_ADDRESS}:443 (outside the registry)");
    let call = Call { address: Some(OUTSIDE_ADDRESS.into()), port: 443, ..Call::default() };
    out.entry(what.clone()).or_insert(Candidate { what, call, host: None, route: None });
    for rc in &set.routes {
        let Ok(port) = rc.name.parse::<u32>() else { continue };
        let what = format!("HTTP {OUTSIDE_HOST}:{port} GET / (outside the registry)");
        let call = Call {
            address: Some(OUTSIDE_ADDRESS.into()),
            port,
            protocol: CallProtocol::Http,
            host: Some(OUTSIDE_HOST.into()),
            ..Call::default()
        };
        out.entry(what.clone()).or_insert(Candidate { what, call, host: None, route: None });
    }
    for p in &r.ingress {
        let protocol = match p.protocol.0 {
            Some(pr) if pr.is_http() => CallProtocol::Http,
            _ => CallProtocol::Tcp,
        };
        for (tls, label) in [(CallTls::Mtls, "mTLS from a mesh peer"), (CallTls::Plaintext, "plaintext")] {
            let call = Call { port: p.port, protocol, tls, direction: CallDirection::Inbound, ..Call::default() };
            let what = format!(
                "inbound :{} {} ({label})",
                p.port,
                if protocol == CallProtocol::Http { "HTTP" } else { "TCP" }
            );
            out.entry(what.clone()).or_insert(Candidate { what, call, host: None, route: None });
        }
    }
}

/// A request that matches `route` (`None` when its match cannot be written as a plain request:
/// a regex, a prefix or suffix header match, an inverted one).
fn request_for(route: &Route) -> Option<Call> {
    let m = &route.route_match;
    let mut path = match &m.path {
        PathMatch::Prefix(p) | PathMatch::Exact(p) => p.clone(),
        PathMatch::Regex(_) => return None,
    };
    let mut call = Call { protocol: CallProtocol::Http, ..Call::default() };
    for HeaderMatch { name, value, invert, .. } in &m.headers {
        let StringMatch::Exact(v) = value else { return None };
        if *invert {
            return None;
        }
        match name.as_str() {
            ":method" => call.method = Some(v.clone()),
            n if n.starts_with(':') => return None,
            n => call.headers.push(Header { name: n.to_string(), value: v.clone() }),
        }
    }
    for (i, q) in m.query_params.iter().enumerate() {
        let StringMatch::Exact(v) = &q.value else { return None };
        path.push(if i == 0 { '?' } else { '&' });
        path.push_str(&format!("{}={v}", q.name));
    }
    if path.is_empty() || trace::check_request(Some(&path), call.method.as_deref()).is_err() {
        return None;
    }
    call.path = Some(path);
    Some(call)
}

/// A proxy's listeners indexed as a trace looks them up.
pub(crate) struct Lookup<'a> {
    set: &'a ListenerSet,
    by_address: HashMap<(&'a str, u32), &'a Listener>,
}

impl<'a> Lookup<'a> {
    pub fn new(set: &'a ListenerSet) -> Lookup<'a> {
        let mut by_address = HashMap::new();
        for l in &set.listeners {
            by_address.entry((l.address.as_str(), l.port)).or_insert(l);
        }
        Lookup { set, by_address }
    }

    /// The listener `trace::match_listener` picks for an outbound call, else `None` for an inbound
    /// one (always traced).
    fn outbound_listener(&self, call: &Call) -> Option<Option<&'a Listener>> {
        if call.direction == CallDirection::Inbound {
            return None;
        }
        let address = call.address.as_deref().unwrap_or("1.3.3.7");
        Some(
            self.by_address
                .get(&(address, call.port))
                .or_else(|| self.by_address.get(&("0.0.0.0", call.port)))
                .copied()
                .or_else(|| self.set.listener("virtualOutbound")),
        )
    }
}

/// Whether a call can end differently: the listeners it meets differ, or a route config they
/// name. Inbound calls are always traced (few, and their chains depend on more).
pub(crate) fn may_differ(sides: [&Lookup; 2], call: &Call) -> bool {
    let (Some(b), Some(h)) = (sides[BASE].outbound_listener(call), sides[HEAD].outbound_listener(call)) else {
        return true;
    };
    match (b, h) {
        (None, None) => false,
        (Some(b), Some(h)) => {
            !same_listener(b, h)
                || b.filter_chains.iter().any(|c| match &c.action {
                    Action::Rds { route_config } => {
                        match (sides[BASE].set.route(route_config), sides[HEAD].set.route(route_config)) {
                            (Some(x), Some(y)) => !same_route_config(x, y),
                            (None, None) => false,
                            _ => true,
                        }
                    }
                    _ => false,
                })
        }
        _ => true,
    }
}

/// Listeners equal but for their origins (links to the YAML).
pub(crate) fn same_listener(a: &Listener, b: &Listener) -> bool {
    a.name == b.name
        && a.address == b.address
        && a.port == b.port
        && a.direction == b.direction
        && a.bind_to_port == b.bind_to_port
        && a.listener_filters == b.listener_filters
        && a.filter_chains.len() == b.filter_chains.len()
        && a.filter_chains.iter().zip(&b.filter_chains).all(|(x, y)| same_chain(x, y))
}

fn same_chain(a: &FilterChain, b: &FilterChain) -> bool {
    (&a.name, &a.chain_match, a.protocol, &a.destination, &a.action, a.default, a.tls)
        == (&b.name, &b.chain_match, b.protocol, &b.destination, &b.action, b.default, b.tls)
}

/// Route configs equal but for their origins.
pub(crate) fn same_route_config(a: &RouteConfig, b: &RouteConfig) -> bool {
    a.virtual_hosts.len() == b.virtual_hosts.len()
        && a.virtual_hosts.iter().zip(&b.virtual_hosts).all(|(x, y)| {
            x.name == y.name
                && x.domains == y.domains
                && x.routes.len() == y.routes.len()
                && x.routes.iter().zip(&y.routes).all(|(r, s)| same_route(r, s))
        })
}

pub(crate) fn same_route(a: &Route, b: &Route) -> bool {
    (&a.name, &a.route_match, &a.action, &a.virtual_service, a.http_index, &a.timeout, &a.retries, &a.mirrors)
        == (&b.name, &b.route_match, &b.action, &b.virtual_service, b.http_index, &b.timeout, &b.retries, &b.mirrors)
}

/// The kind of change between two outcomes of a call, `None` when it does not change.
pub(crate) fn judge(base: &Outcome, head: &Outcome) -> Option<FlowKind> {
    if base.verdict() == head.verdict() {
        return None;
    }
    let passthrough = |o: &Outcome| o.destination.as_deref() == Some("PassthroughCluster");
    Some(match (base.works, head.works) {
        (true, false) => FlowKind::Broken,
        (true, true) if passthrough(head) && !passthrough(base) => FlowKind::Bypassed,
        (true, true) if passthrough(base) && !passthrough(head) => FlowKind::Captured,
        (true, true) => FlowKind::Rerouted,
        (false, true) => FlowKind::Repaired,
        (false, false) => FlowKind::Changed,
    })
}
