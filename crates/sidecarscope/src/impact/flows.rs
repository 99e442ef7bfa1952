//! The calls a proxy makes or takes, traced on both sides: every imported `host:port`, every
//! VirtualService route (a request built to match it), every inbound port (from a mesh peer with
//! mTLS, and from a client without a proxy in plaintext). A call is traced only where its outcome
//! can differ: when the listener that takes it, or a route config that listener names, differs
//! between the sides (compared without the links to the YAML, which always differ).

use std::collections::BTreeMap;

use rustc_hash::FxHashMap as HashMap;

use serde::Serialize;

use super::inputs::{BASE, HEAD};
use crate::listeners::{
    Action, FilterChain, HeaderMatch, Listener, ListenerSet, PathMatch, Route, RouteAction, RouteConfig, StringMatch,
    VirtualHost,
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
    /// An observed call: where (`file:line` of the evidence).
    pub origin: Option<String>,
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
                    origin: None,
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
                out.entry(what.clone()).or_insert(Candidate {
                    what,
                    call,
                    host: Some(host.clone()),
                    route,
                    origin: None,
                });
            }
        }
    }
    // Destinations outside the registry: what the outbound traffic policy decides (Passthrough
    // under ALLOW_ANY, BlackHole under REGISTRY_ONLY). Addresses from TEST-NET-3 (RFC 5737).
    let what = format!("TCP {OUTSIDE_ADDRESS}:443 (outside the registry)");
    let call = Call { address: Some(OUTSIDE_ADDRESS.into()), port: 443, ..Call::default() };
    out.entry(what.clone()).or_insert(Candidate { what, call, host: None, route: None, origin: None });
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
        out.entry(what.clone()).or_insert(Candidate { what, call, host: None, route: None, origin: None });
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
            out.entry(what.clone()).or_insert(Candidate { what, call, host: None, route: None, origin: None });
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

/// A route config's virtual hosts by exact domain, and those with a wildcard domain.
struct RouteIndex<'a> {
    config: &'a RouteConfig,
    exact: HashMap<&'a str, Vec<usize>>,
    wildcard: Vec<usize>,
}

/// A proxy's listeners indexed as a trace looks them up.
pub(crate) struct Lookup<'a> {
    set: &'a ListenerSet,
    by_address: HashMap<(&'a str, u32), &'a Listener>,
    routes: HashMap<&'a str, RouteIndex<'a>>,
}

impl<'a> Lookup<'a> {
    pub fn new(set: &'a ListenerSet) -> Lookup<'a> {
        let mut by_address = HashMap::default();
        for l in &set.listeners {
            by_address.entry((l.address.as_str(), l.port)).or_insert(l);
        }
        let mut routes = HashMap::default();
        for rc in &set.routes {
            let mut index = RouteIndex { config: rc, exact: HashMap::default(), wildcard: Vec::new() };
            for (i, vh) in rc.virtual_hosts.iter().enumerate() {
                if vh.domains.iter().any(|d| d.contains('*')) {
                    index.wildcard.push(i);
                }
                for d in vh.domains.iter().filter(|d| !d.contains('*')) {
                    index.exact.entry(d.as_str()).or_default().push(i);
                }
            }
            routes.entry(rc.name.as_str()).or_insert(index);
        }
        Lookup { set, by_address, routes }
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

    /// What a trace of an outbound `call` reads of the proxy's listeners: the listener it takes,
    /// and of each route config that listener names, the virtual hosts that can match the call's
    /// Host (those with that exact domain, and every wildcard one, in their order), so that a
    /// proxy with thousands of virtual hosts is not scanned for each call. The trace through it
    /// is the trace through the whole set (a test compares them). `None` for an inbound call.
    pub fn for_call(&self, call: &Call) -> Option<ListenerSet> {
        let listener = self.outbound_listener(call)?;
        let s = self.set;
        let bare = bare_host(call);
        let mut routes = Vec::new();
        for c in listener.iter().flat_map(|l| &l.filter_chains) {
            let Action::Rds { route_config } = &c.action else { continue };
            let Some(index) = self.routes.get(route_config.as_str()) else { continue };
            if routes.iter().any(|r: &RouteConfig| &r.name == route_config) {
                continue;
            }
            let mut keep: Vec<usize> = index.exact.get(bare).cloned().unwrap_or_default();
            keep.extend(&index.wildcard);
            keep.sort_unstable();
            keep.dedup();
            let virtual_hosts = keep.iter().map(|&i| index.config.virtual_hosts[i].clone()).collect();
            routes.push(RouteConfig { name: index.config.name.clone(), virtual_hosts });
        }
        Some(ListenerSet {
            proxy: s.proxy.clone(),
            sidecar: s.sidecar.clone(),
            interception_mode: s.interception_mode,
            outbound_traffic_policy: s.outbound_traffic_policy.clone(),
            outbound_traffic_policy_source: String::new(),
            inbound_mtls: String::new(),
            listeners: listener.into_iter().cloned().collect(),
            static_listeners: Vec::new(),
            routes,
            skipped: Vec::new(),
            istiod_env: s.istiod_env.clone(),
            notes: Vec::new(),
        })
    }
}

/// Whether a call can end differently: the listener it meets, the filter chain it takes there, or
/// (for an HTTP chain with routes from RDS) the virtual host its Host selects differ between the
/// sides. What a trace reads is only these (and for an inbound call more: those are always
/// traced). A test compares the skipped calls' traces.
pub(crate) fn may_differ(sides: [&Lookup; 2], call: &Call) -> bool {
    let (Some(b), Some(h)) = (sides[BASE].outbound_listener(call), sides[HEAD].outbound_listener(call)) else {
        return true;
    };
    let (b, h) = match (b, h) {
        (None, None) => return false,
        (Some(b), Some(h)) => (b, h),
        _ => return true,
    };
    if (&b.name, &b.address, b.port) != (&h.name, &h.address, h.port) {
        return true;
    }
    let bare = bare_host(call);
    if same_listener(b, h) {
        // The same chain either way: only the virtual hosts its route configs give the Host matter.
        return b.filter_chains.iter().any(|c| match &c.action {
            Action::Rds { route_config } => {
                !same_choice(sides[BASE].virtual_host(route_config, bare), sides[HEAD].virtual_host(route_config, bare))
            }
            _ => false,
        });
    }
    let (Some(cb), Some(ch)) = (trace::matched_chain(b, call), trace::matched_chain(h, call)) else {
        return true;
    };
    let (x, y) = (&b.filter_chains[cb], &h.filter_chains[ch]);
    if !same_chain(x, y) {
        return true;
    }
    match &x.action {
        Action::Rds { route_config } => {
            !same_choice(sides[BASE].virtual_host(route_config, bare), sides[HEAD].virtual_host(route_config, bare))
        }
        _ => false,
    }
}

/// The Host of a call without its port, as a sidecar route config reads it.
fn bare_host(call: &Call) -> &str {
    let host = call.host.as_deref().unwrap_or_default();
    match host.rsplit_once(':') {
        Some((h, p)) if p.chars().all(|c| c.is_ascii_digit()) && !h.contains(':') => h,
        _ => host,
    }
}

/// Which virtual host of a route config a Host selects, as far as comparing two sides needs.
enum Choice<'a> {
    /// No such route config.
    Missing,
    /// The first virtual host with the exact domain (it wins over any wildcard).
    Exact(&'a VirtualHost),
    /// No exact domain: the wildcard virtual hosts decide.
    Wildcards(Vec<&'a VirtualHost>),
}

impl<'a> Lookup<'a> {
    fn virtual_host(&self, route_config: &str, bare: &str) -> Choice<'a> {
        let Some(index) = self.routes.get(route_config) else { return Choice::Missing };
        match index.exact.get(bare).and_then(|v| v.first()) {
            Some(&i) => Choice::Exact(&index.config.virtual_hosts[i]),
            None => Choice::Wildcards(index.wildcard.iter().map(|&i| &index.config.virtual_hosts[i]).collect()),
        }
    }
}

fn same_choice(a: Choice<'_>, b: Choice<'_>) -> bool {
    match (a, b) {
        (Choice::Missing, Choice::Missing) => true,
        (Choice::Exact(x), Choice::Exact(y)) => same_virtual_host(x, y),
        (Choice::Wildcards(x), Choice::Wildcards(y)) => {
            x.len() == y.len() && x.iter().zip(&y).all(|(v, w)| same_virtual_host(v, w))
        }
        _ => false,
    }
}

/// Virtual hosts equal but for their origins.
pub(crate) fn same_virtual_host(a: &VirtualHost, b: &VirtualHost) -> bool {
    a.name == b.name
        && a.domains == b.domains
        && a.routes.len() == b.routes.len()
        && a.routes.iter().zip(&b.routes).all(|(r, s)| same_route(r, s))
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
