//! The RDS route configs the outbound HTTP chains name, as far as a traced call needs them:
//! which virtual host a Host header selects and the cluster it routes to. Mirrors Istio's
//! `buildSidecarOutboundHTTPRouteConfig`, `BuildSidecarOutboundVirtualHosts`,
//! `generateVirtualHostDomains`, `getVirtualHostsForSniffedServicePort`, `mergeAllVirtualHosts`
//! and `buildCatchAllVirtualHost`. VirtualService routes are reduced to the first destination
//! of the first HTTP route (matches on path or headers are not evaluated).

use std::borrow::Cow;

use rustc_hash::FxHashSet;

use super::types::{Origin, RouteConfig, SourceRef, VirtualHost};
use crate::host::matches;
use crate::registry::{Registry, Service, ServiceRegistry, ServiceResolution};
use crate::resolve::EgressListener;
use crate::validate::values::Protocol;

/// A domain as Envoy compares it (lowercase); most are lowercase already and are not copied.
fn folded(d: &str) -> Cow<'_, str> {
    if d.bytes().any(|b| b.is_ascii_uppercase() || !b.is_ascii()) {
        Cow::Owned(d.to_lowercase())
    } else {
        Cow::Borrowed(d)
    }
}

pub(crate) struct Routes<'a> {
    pub reg: &'a Registry,
    pub egress: &'a [EgressListener],
    pub proxy_namespace: &'a str,
    /// The catch-all virtual host's cluster (`None`: `block_all`, a 502).
    pub catch_all: Option<String>,
    pub catch_all_reason: String,
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
        let mut hosts: Vec<VirtualHost> = Vec::new();
        // Domains already taken by an earlier virtual host, compared case-insensitively.
        let mut seen_domains: FxHashSet<String> = FxHashSet::default();
        for imp in &listener.services {
            let s = &self.reg.services[imp.id];
            // A sniffed service's route config only ever keeps that service's virtual host
            // (Istio computes the port's virtual hosts once and filters; skipping the others here
            // keeps thousands of per-service route configs linear).
            if sniffed_host.is_some_and(|h| h != s.hostname) {
                continue;
            }
            let ports = (listener_port == 0).then(|| imp.ports.iter().map(|p| p.number));
            for p in ports.into_iter().flatten().chain((listener_port != 0).then_some(listener_port)) {
                if !imp.ports.iter().any(|x| x.number == p) {
                    continue;
                }
                let mut domains = self.domains(s, listener_port, p);
                // Istio `mergeAllVirtualHosts`: for port 0 routes only `host:port` domains survive,
                // except on port 80.
                if listener_port == 0 && p != 80 {
                    domains.retain(|d| d.contains(':'));
                }
                domains.retain(|d| !seen_domains.contains(folded(d).as_ref()));
                if domains.is_empty() {
                    continue;
                }
                seen_domains.extend(domains.iter().map(|d| folded(d).into_owned()));
                let (cluster, origin) = self.destination(listener, s, p);
                hosts.push(VirtualHost { name: format!("{}:{p}", s.hostname), domains, cluster: Some(cluster), origin });
            }
        }
        if let Some(host) = sniffed_host {
            // A sniffed service's own route config: its virtual host only, matching any Host.
            hosts.retain(|v| v.name == name || v.name.rsplit_once(':').map(|(h, _)| h) == Some(host));
            hosts.truncate(1);
            if let Some(v) = hosts.first_mut() {
                v.domains = vec!["*".into()];
            }
            return RouteConfig { name: name.into(), virtual_hosts: hosts };
        }
        hosts.sort_by(|a, b| a.name.cmp(&b.name));
        let (vh_name, origin) = match &self.catch_all {
            Some(_) => ("allow_any", Origin::new(format!("a Host no service matches: {}", self.catch_all_reason))),
            None => ("block_all", Origin::new(format!("a Host no service matches: {}", self.catch_all_reason))),
        };
        hosts.push(VirtualHost { name: vh_name.into(), domains: vec!["*".into()], cluster: self.catch_all.clone(), origin });
        RouteConfig { name: name.into(), virtual_hosts: hosts }
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
                    if ns == self.proxy_namespace {
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

    /// The service's cluster, or what a VirtualService of the egress listener routes it to.
    fn destination(&self, listener: &EgressListener, s: &Service, port: u32) -> (String, Origin) {
        let service_src = SourceRef::new(s.origin(), "", Some(s.resource));
        for id in &listener.virtual_services {
            let Some(vs) = self.reg.virtual_service_by_id(id) else { continue };
            if !vs.hosts.iter().any(|h| matches(h, &s.hostname)) {
                continue;
            }
            let Some(d) = vs.http.iter().find_map(|r| r.destinations.first()) else { continue };
            let dport = d.port.unwrap_or_else(|| {
                let ports = self.reg.service_in(&d.host, &s.namespace).map(|i| &self.reg.services[i].ports);
                match ports.map(Vec::as_slice) {
                    Some([only]) => only.number,
                    _ => port,
                }
            });
            let cluster = format!("outbound|{dport}||{}", d.host);
            let origin = Origin::new(format!(
                "VirtualService {} routes {}: its first HTTP route goes to {cluster} (route matches and subsets are not evaluated here)",
                vs.id(),
                s.hostname
            ))
            .with([SourceRef::new(format!("VirtualService {}", vs.id()), "spec.http[0]", Some(vs.resource)), service_src]);
            return (cluster, origin);
        }
        (format!("outbound|{port}||{}", s.hostname), Origin::new(format!("the default route of {} port {port}", s.hostname)).with([service_src]))
    }
}
