//! The RDS route configs the outbound HTTP chains name: their virtual hosts (which a Host header
//! selects) and the routes inside each. Mirrors Istio's `buildSidecarOutboundHTTPRouteConfig`,
//! `BuildSidecarOutboundVirtualHosts`, `BuildSidecarVirtualHostWrapper`,
//! `separateVSHostsAndServices`, `selectVirtualServices`, `generateVirtualHostDomains`,
//! `getVirtualHostsForSniffedServicePort`, `mergeAllVirtualHosts` and `buildCatchAllVirtualHost`
//! (`pilot/pkg/networking/core/httproute.go`, `route/route.go`); the routes of a VirtualService
//! come from [`super::http_routes`].

use std::borrow::Cow;

use rustc_hash::FxHashSet;

use super::http_routes::{self, RouteContext};
use super::types::{Origin, Route, RouteAction, RouteConfig, RouteMatch, SourceRef, VirtualHost, WeightedCluster};
use crate::host::{is_wildcarded, matches, most_specific_match};
use crate::load::Input;
use crate::protocol::Protocol;
use crate::registry::read::string;
use crate::registry::virtual_service::VirtualService;
use crate::registry::{Registry, Service, ServiceRegistry, ServiceResolution};
use crate::resolve::{EgressListener, Proxy};

/// A domain as Envoy compares it (lowercase); most are lowercase already and are not copied.
fn folded(d: &str) -> Cow<'_, str> {
    if d.bytes().any(|b| b.is_ascii_uppercase() || !b.is_ascii()) {
        Cow::Owned(d.to_lowercase())
    } else {
        Cow::Borrowed(d)
    }
}

/// What the catch-all virtual host does (Istio `buildCatchAllVirtualHost`).
#[derive(Debug, Clone)]
pub(crate) enum CatchAll {
    /// `allow_any`: to this cluster (PassthroughCluster, or the Sidecar's egressProxy).
    AllowAny(String),
    /// `allow_any_dynamic_dns`: to `AllowAnyDynamicDNSCluster`, a dynamic forward proxy by Host.
    DynamicDns,
    /// `block_all`: a 502 direct response.
    BlockAll,
}

pub(crate) struct Routes<'a> {
    pub reg: &'a Registry,
    pub input: &'a Input,
    pub proxy: &'a Proxy,
    pub egress: &'a [EgressListener],
    pub catch_all: CatchAll,
    pub catch_all_reason: String,
}

/// One VirtualService's or service's virtual hosts on a port (Istio `VirtualHostWrapper`).
struct Wrapper<'a> {
    port: u32,
    services: Vec<&'a Service>,
    /// VirtualService hosts with no service behind them (Istio `VirtualServiceHosts`).
    vs_hosts: Vec<String>,
    routes: Vec<Route>,
    origin: Origin,
}

impl Routes<'_> {
    /// Istio `GetEgressListenerForRDS`: the egress listener of that port (for port 0, of that
    /// socket), else the catch-all.
    fn egress_for(&self, port: u32, bind: &str) -> Option<&EgressListener> {
        self.egress.iter().find(|e| match e.port {
            None => true,
            Some(0) => port == 0 && e.bind.as_deref() == Some(bind),
            Some(p) => p == port,
        })
    }

    pub fn build(&self, name: &str) -> RouteConfig {
        // Istio `extractListenerPort`: `9080`, `host:9080` (sniffed), a socket or `http_proxy` (port 0).
        let uds = name.starts_with("unix://");
        let (port, sniffed_host) = if uds {
            (0, None)
        } else {
            match name.rsplit_once(':') {
                Some((h, p)) => (p.parse().unwrap_or(0), Some(h)),
                None => (name.parse().unwrap_or(0), None),
            }
        };
        let Some(listener) = self.egress_for(port, name) else {
            return RouteConfig { name: name.into(), virtual_hosts: Vec::new() };
        };
        let mut listener_port = port;
        if listener.protocol.as_deref().and_then(Protocol::parse) == Some(Protocol::HttpProxy) {
            listener_port = 0;
        }
        // Istio `servicesByName`: on a port, the services with that port, trimmed to it. A sniffed
        // service's route config only ever keeps that service's virtual host (Istio computes the
        // port's virtual hosts once and filters; skipping the others here keeps thousands of
        // per-service route configs linear). VirtualServices that claim no service here are
        // skipped before their routes are built.
        let mut services: Vec<(&Service, Vec<u32>)> = Vec::new();
        for imp in &listener.services {
            let s = &self.reg.services[imp.id];
            if sniffed_host.is_some_and(|h| h != s.hostname) {
                continue;
            }
            let ports: Vec<u32> = if listener_port == 0 {
                imp.ports.iter().map(|p| p.number).collect()
            } else {
                imp.ports.iter().map(|p| p.number).filter(|p| *p == listener_port).collect()
            };
            if !ports.is_empty() && !services.iter().any(|(x, _)| x.hostname.eq_ignore_ascii_case(&s.hostname)) {
                services.push((s, ports));
            }
        }
        let mut vss: Vec<&VirtualService> =
            listener.virtual_services.iter().filter_map(|id| self.reg.virtual_service_by_id(id)).collect();
        // Istio keeps VirtualServices without a service only on port 80 ("a hack to keep
        // consistent with previous behavior", `selectVirtualServices`).
        if listener_port != 80 {
            vss.retain(|vs| {
                vs.hosts.iter().any(|h| {
                    let h = h.to_ascii_lowercase();
                    services.iter().any(|(s, _)| {
                        s.hostname == h || matches(&h, &s.hostname) && (is_wildcarded(&h) || is_wildcarded(&s.hostname))
                    })
                })
            });
        }
        let index = self.wildcard_index(listener, &services);
        let mut wrappers: Vec<Wrapper<'_>> = Vec::new();
        for vs in &vss {
            let (vs_hosts, matching) = separate(vs, &services, &index);
            if vs_hosts.is_empty() && matching.is_empty() {
                continue;
            }
            // Istio `LookupService` over `servicesByName`: on a port, the services with that port
            // trimmed to it (one port); for port 0 all of a service's ports.
            let single_port = |h: &str| -> Option<u32> {
                let imp = listener.services.iter().find(|i| self.reg.services[i.id].hostname == h)?;
                let ports: Vec<u32> =
                    imp.ports.iter().map(|p| p.number).filter(|p| listener_port == 0 || *p == listener_port).collect();
                (ports.len() == 1).then(|| ports[0])
            };
            let alias_target = |h: &str| self.alias_target(h);
            let cx = RouteContext {
                reg: self.reg,
                input: self.input,
                proxy: self.proxy,
                listen_port: listener_port,
                single_port: &single_port,
                alias_target: &alias_target,
            };
            let routes = http_routes::build(&cx, vs);
            if routes.is_empty() {
                continue;
            }
            let mut by_port: Vec<(u32, Vec<&Service>)> = Vec::new();
            for s in matching {
                let ports =
                    services.iter().find(|(x, _)| x.hostname == s.hostname).map(|(_, p)| p.clone()).unwrap_or_default();
                for p in ports {
                    if !http_or_sniffed(s, p) {
                        continue;
                    }
                    match by_port.iter_mut().find(|(q, _)| *q == p) {
                        Some((_, v)) => v.push(s),
                        None => by_port.push((p, vec![s])),
                    }
                }
            }
            if by_port.is_empty() && listener_port == 80 {
                by_port.push((80, Vec::new()));
            }
            let origin = Origin::new(format!("VirtualService {} (routes of http[])", vs.id())).with([SourceRef::new(
                format!("VirtualService {}", vs.id()),
                "spec.http",
                Some(vs.resource),
            )]);
            for (p, svcs) in by_port {
                wrappers.push(Wrapper {
                    port: p,
                    services: svcs,
                    vs_hosts: vs_hosts.clone(),
                    routes: routes.clone(),
                    origin: origin.clone(),
                });
            }
        }
        // Services without a VirtualService get the default route.
        let claimed: FxHashSet<&str> =
            wrappers.iter().flat_map(|w| w.services.iter().map(|s| s.hostname.as_str())).collect();
        for (s, ports) in &services {
            if claimed.contains(s.hostname.as_str()) {
                continue;
            }
            for &p in ports {
                let cluster = format!("outbound|{p}||{}", s.hostname);
                let service_src = SourceRef::new(s.origin(), "", Some(s.resource));
                let route = Route {
                    name: "default".into(),
                    route_match: RouteMatch::any(),
                    action: RouteAction::Route { clusters: vec![WeightedCluster { cluster, weight: None }], prefix_rewrite: None, regex_rewrite: None, host_rewrite: None },
                    virtual_service: None,
                    http_index: None,
                    timeout: Some("0s (disabled, Istio's default)".into()),
                    retries: Some("2 attempts, retryOn connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes (503) (the mesh default)".into()),
                    mirrors: Vec::new(),
                    origin: Origin::new(format!("the default route of {} port {p}: no VirtualService routes it", s.hostname)).with([service_src.clone()]),
                };
                let origin = Origin::new(format!("the default route of {} port {p}", s.hostname)).with([service_src]);
                wrappers.push(Wrapper {
                    port: p,
                    services: vec![*s],
                    vs_hosts: Vec::new(),
                    routes: vec![route],
                    origin,
                });
            }
        }

        let mut hosts: Vec<VirtualHost> = Vec::new();
        let mut names: FxHashSet<String> = FxHashSet::default();
        // Domains already taken by an earlier virtual host, compared case-insensitively.
        let mut seen_domains: FxHashSet<String> = FxHashSet::default();
        for w in &wrappers {
            if listener_port != 0 && w.port != listener_port {
                continue;
            }
            let mut push = |vh_name: String, mut domains: Vec<String>, hosts: &mut Vec<VirtualHost>| {
                if !names.insert(vh_name.clone()) {
                    return;
                }
                // Istio `mergeAllVirtualHosts`: for port 0 routes only `host:port` domains survive,
                // except on port 80.
                if listener_port == 0 && w.port != 80 {
                    domains.retain(|d| d.contains(':'));
                }
                domains.retain(|d| !seen_domains.contains(folded(d).as_ref()));
                if domains.is_empty() {
                    return;
                }
                seen_domains.extend(domains.iter().map(|d| folded(d).into_owned()));
                hosts.push(VirtualHost { name: vh_name, domains, routes: w.routes.clone(), origin: w.origin.clone() });
            };
            for h in &w.vs_hosts {
                let h = h.to_ascii_lowercase();
                let name = format!("{h}:{}", w.port);
                push(name, vec![h], &mut hosts);
            }
            for s in &w.services {
                push(format!("{}:{}", s.hostname, w.port), self.domains(s, listener_port, w.port), &mut hosts);
            }
        }
        if let Some(host) = sniffed_host {
            // Istio `getVirtualHostsForSniffedServicePort`: the virtual host of that service only,
            // matching any Host.
            hosts.retain(|v| v.domains.iter().any(|d| d == name || d == host));
            if let [v] = hosts.as_mut_slice() {
                v.domains = vec!["*".into()];
            }
            return RouteConfig { name: name.into(), virtual_hosts: hosts };
        }
        hosts.sort_by(|a, b| a.name.cmp(&b.name));
        hosts.push(self.catch_all_host());
        RouteConfig { name: name.into(), virtual_hosts: hosts }
    }

    /// Istio `buildCatchAllVirtualHost`.
    fn catch_all_host(&self) -> VirtualHost {
        let origin = match self.catch_all {
            CatchAll::DynamicDns => Origin::new(
                "a Host no service matches: outbound policy ALLOW_ANY_DYNAMIC_DNS sends it to AllowAnyDynamicDNSCluster, a dynamic forward proxy that resolves the Host header",
            ),
            _ => Origin::new(format!("a Host no service matches: {}", self.catch_all_reason)),
        };
        let (name, action) = match &self.catch_all {
            CatchAll::AllowAny(cluster) => (
                "allow_any",
                RouteAction::Route {
                    clusters: vec![WeightedCluster { cluster: cluster.clone(), weight: None }],
                    prefix_rewrite: None,
                    regex_rewrite: None,
                    host_rewrite: None,
                },
            ),
            CatchAll::DynamicDns => (
                "allow_any_dynamic_dns",
                RouteAction::Route {
                    clusters: vec![WeightedCluster { cluster: "AllowAnyDynamicDNSCluster".into(), weight: None }],
                    prefix_rewrite: None,
                    regex_rewrite: None,
                    host_rewrite: None,
                },
            ),
            CatchAll::BlockAll => ("block_all", RouteAction::DirectResponse { status: 502, body: None }),
        };
        let timeout = matches!(action, RouteAction::Route { .. }).then(|| "0s (disabled)".to_string());
        let route = Route {
            name: name.into(),
            route_match: RouteMatch::any(),
            action,
            virtual_service: None,
            http_index: None,
            timeout,
            retries: None,
            mirrors: Vec::new(),
            origin: origin.clone(),
        };
        VirtualHost { name: name.into(), domains: vec!["*".into()], routes: vec![route], origin }
    }

    /// Istio `computeWildcardHostVirtualServiceIndex`: for each service, the VirtualService of
    /// its most specific host (an exact host before any wildcard), the oldest first.
    fn wildcard_index(&self, listener: &EgressListener, services: &[(&Service, Vec<u32>)]) -> Vec<(String, String)> {
        let mut exact: Vec<(String, String)> = Vec::new();
        let mut wild: Vec<(String, String)> = Vec::new();
        for vs in listener.virtual_services.iter().filter_map(|id| self.reg.virtual_service_by_id(id)) {
            for h in &vs.hosts {
                let list = if is_wildcarded(h) { &mut wild } else { &mut exact };
                if !list.iter().any(|(x, _)| x == h) {
                    list.push((h.clone(), vs.id()));
                }
            }
        }
        let mut out = Vec::new();
        for (s, _) in services {
            let e = exact.iter().find(|(h, _)| *h == s.hostname).map(|(_, v)| v);
            if let Some(v) = most_specific_match(&s.hostname, e, &wild) {
                out.push((s.hostname.clone(), v.clone()));
            }
        }
        out
    }

    /// ExternalName services: a route to the alias goes to the concrete host.
    fn alias_target(&self, host: &str) -> Option<String> {
        self.reg.services.iter().find(|s| s.hostname == host && s.resolution == ServiceResolution::Alias).and_then(
            |s| {
                let spec = self.input.resources.get(s.resource)?.spec()?;
                Some(string(spec, "externalName").to_string()).filter(|e| !e.is_empty())
            },
        )
    }

    /// Istio `generateVirtualHostDomains` for a sidecar (ports are ignored in host matching, so
    /// `host:port` forms are only generated for port-0 routes).
    fn domains(&self, s: &Service, listener_port: u32, port: u32) -> Vec<String> {
        let with_port = listener_port == 0;
        let mut out = Vec::new();
        let push = |d: String, out: &mut Vec<String>| {
            if with_port {
                out.push(d.clone());
                out.push(format!("{d}:{port}"));
            } else {
                out.push(d);
            }
        };
        push(s.hostname.clone(), &mut out);
        // Istio `generateAltVirtualHostsForKubernetesService` with the proxy's domain `<ns>.svc.cluster.local`.
        if let Some(ih) = s.hostname.find(".svc.") {
            if s.hostname.ends_with(".svc.cluster.local") {
                // `baz.svc.cluster.local` has no namespace label: no alternate names (found by fuzzing).
                if let Some(dot) = s.hostname.find('.').filter(|dot| *dot < ih) {
                    let (name, ns) = (&s.hostname[..dot], &s.hostname[dot + 1..ih]);
                    if ns == self.proxy.namespace {
                        push(name.to_string(), &mut out);
                        push(format!("{}.svc", &s.hostname[..ih]), &mut out);
                        push(s.hostname[..ih].to_string(), &mut out);
                    } else {
                        push(s.hostname[..ih].to_string(), &mut out);
                        push(format!("{}.svc", &s.hostname[..ih]), &mut out);
                    }
                }
            }
        }
        if s.resolution == ServiceResolution::Passthrough && s.registry == ServiceRegistry::Kubernetes {
            let wild: Vec<String> = out.iter().map(|d| format!("*.{d}")).collect();
            out.extend(wild);
        }
        for a in &s.addresses {
            if a != "0.0.0.0" {
                push(a.clone(), &mut out);
            }
        }
        out
    }
}

/// Istio `Protocol.IsHTTPOrSniffed` for a service port.
fn http_or_sniffed(s: &Service, port: u32) -> bool {
    s.port(port).is_none_or(|p| p.protocol.is_none_or(|p| p.is_http()))
}

/// Istio `separateVSHostsAndServices`: the VirtualService's hosts with no service behind them,
/// and the services it routes (a wildcard host only claims the services it is the most specific
/// VirtualService host for).
fn separate<'a>(
    vs: &VirtualService,
    services: &[(&'a Service, Vec<u32>)],
    index: &[(String, String)],
) -> (Vec<String>, Vec<&'a Service>) {
    let mut hosts = Vec::new();
    let mut matching: Vec<&'a Service> = Vec::new();
    let id = vs.id();
    let mut wildcards = Vec::new();
    for h in &vs.hosts {
        let h = h.to_ascii_lowercase();
        if is_wildcarded(&h) {
            wildcards.push(h);
            continue;
        }
        match services.iter().find(|(s, _)| s.hostname == h) {
            Some((s, _)) => matching.push(s),
            None => hosts.push(h),
        }
    }
    for h in wildcards {
        let mut found = false;
        for (s, _) in services {
            if !matches(&s.hostname, &h) {
                continue;
            }
            found = true;
            if index.iter().any(|(sh, v)| *sh == s.hostname && *v == id) {
                matching.push(s);
            }
        }
        if !found {
            hosts.push(h);
        }
    }
    (hosts, matching)
}
