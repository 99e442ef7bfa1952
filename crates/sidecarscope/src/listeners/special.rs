//! The listeners that do not come from services: `virtualOutbound` (Istio
//! `buildVirtualOutboundListener`, `buildOutboundCatchAllNetworkFilterChains`), the HTTP proxy
//! listener (`buildHTTPProxy`) and the bootstrap's static listeners
//! (`tools/packaging/common/envoy_bootstrap.json`).

use super::types::{
    Action, ChainMatch, Direction, FilterChain, Listener, ListenerFilter, Origin, Ports, SourceRef, HTTP_INSPECTOR,
};
use crate::proxy::facts::{Interception, ProxyFacts};

/// The outbound policy's catch-all cluster and why (Istio `buildOutboundCatchAllNetworkFiltersOnly`).
pub(crate) fn fallthrough(mode: &str, egress_proxy: Option<String>, source: &str) -> (String, String) {
    match mode {
        "REGISTRY_ONLY" => (
            "BlackHoleCluster".into(),
            format!("outbound policy REGISTRY_ONLY ({source}) sends it to BlackHoleCluster, which drops the connection"),
        ),
        _ => match egress_proxy {
            Some(cluster) => (cluster.clone(), format!("outbound policy {mode} with an egressProxy ({source}) sends it to {cluster}")),
            None => (
                "PassthroughCluster".into(),
                format!("outbound policy {mode} ({source}) sends it to PassthroughCluster, on to the original destination outside the mesh"),
            ),
        },
    }
}

/// Istio `buildVirtualOutboundListener`: where iptables sends every outbound connection.
pub(crate) fn virtual_outbound(facts: &ProxyFacts, mode: &str, fallthrough: &(String, String)) -> Option<Listener> {
    if facts.interception == Interception::None {
        return None;
    }
    let port = facts.virtual_ports.0;
    let mut chains = vec![FilterChain::new(
        "virtualOutbound-blackhole",
        ChainMatch { destination_port: Some(port), ..ChainMatch::default() },
        Action::TcpProxy { cluster: "BlackHoleCluster".into(), protocol_filter: None, replaced_by_filter: false },
        Origin::new(format!("loop protection: a connection addressed to port {port} itself is dropped")),
    )];
    let mut listener_filters = Vec::new();
    if mode == "ALLOW_ANY_DYNAMIC_DNS" {
        chains.push(FilterChain::new(
            "virtualOutbound-catchall-tcp-http",
            ChainMatch { application_protocols: vec!["http/1.1".into(), "h2c".into()], ..ChainMatch::default() },
            Action::InlineRoute {
                virtual_host: "allow_any_dynamic_dns".into(),
                route: "allow_any_dynamic_dns".into(),
                prefix: "/".into(),
                cluster: "AllowAnyDynamicDNSCluster".into(),
            },
            Origin::new("ALLOW_ANY_DYNAMIC_DNS (Istio `buildAllowAnyDynamicDNSHTTPFilterChain`): plaintext HTTP to an unknown destination goes to AllowAnyDynamicDNSCluster, a dynamic forward proxy that resolves the Host header"),
        ));
        listener_filters.push(ListenerFilter { name: HTTP_INSPECTOR, ports: Ports::All });
    }
    chains.push(FilterChain::new(
        "virtualOutbound-catchall-tcp",
        ChainMatch::default(),
        Action::TcpProxy { cluster: fallthrough.0.clone(), protocol_filter: None, replaced_by_filter: false },
        Origin::new(format!("a connection to an address and port without a listener of its own: {}", fallthrough.1)),
    ));
    let mut l = Listener {
        name: "virtualOutbound".into(),
        address: facts.wildcard.into(),
        port,
        direction: Direction::Outbound,
        bind_to_port: true,
        destination: None,
        default_destination: None,
        filter_chains: chains,
        listener_filters,
        origin: Origin::new(format!(
            "iptables ({}) redirects every outbound connection here; Envoy hands it to the listener of its original destination address and port, else the chains below decide",
            facts.interception.name()
        )),
    };
    l.summarize();
    Some(l)
}

/// Istio `buildHTTPProxy`: a real HTTP proxy on localhost when the mesh's `proxyHttpPort` or the
/// proxy's `HTTP_PROXY_PORT` metadata sets a port.
pub(crate) fn http_proxy(facts: &ProxyFacts, mesh_port: u32, config_map: Option<&(String, usize)>) -> Option<Listener> {
    let port = facts.http_proxy_port;
    if port == 0 {
        return None;
    }
    let origin = if port == mesh_port && mesh_port != 0 {
        let o = Origin::new(format!(
            "mesh proxyHttpPort {port}: an HTTP proxy on localhost for applications configured with HTTP_PROXY"
        ));
        match config_map {
            Some((id, index)) => o.with([SourceRef::new(format!("ConfigMap {id}"), "data.mesh", Some(*index))]),
            None => o,
        }
    } else {
        Origin::new(format!("proxy metadata HTTP_PROXY_PORT={port}: an HTTP proxy on localhost for applications configured with HTTP_PROXY"))
    };
    let chain =
        FilterChain::new("", ChainMatch::default(), Action::Rds { route_config: "http_proxy".into() }, origin.clone());
    let mut l = Listener {
        name: format!("{}_{port}", facts.localhost),
        address: facts.localhost.into(),
        port,
        direction: Direction::Outbound,
        bind_to_port: true,
        destination: None,
        default_destination: None,
        filter_chains: vec![chain],
        listener_filters: Vec::new(),
        origin,
    };
    l.summarize();
    Some(l)
}

/// The bootstrap's Prometheus and health-check listeners (not sent by istiod).
pub(crate) fn static_listeners(facts: &ProxyFacts) -> Vec<Listener> {
    let port_of =
        |key: &str, default: u32| facts.static_ports.iter().find(|(_, k)| *k == key).map_or(default, |(p, _)| *p);
    let make = |port: u32, prefix: &str, cluster: &str, why: &str| {
        let chain = FilterChain::new(
            "",
            ChainMatch::default(),
            Action::InlineRoute {
                virtual_host: "backend".into(),
                route: String::new(),
                prefix: prefix.into(),
                cluster: cluster.into(),
            },
            Origin::new(why),
        );
        let mut l = Listener {
            name: format!("0.0.0.0_{port}"),
            address: "0.0.0.0".into(),
            port,
            direction: Direction::Unspecified,
            bind_to_port: true,
            destination: None,
            default_destination: None,
            filter_chains: vec![chain],
            listener_filters: Vec::new(),
            origin: Origin::new(format!("{why} (from the proxy's bootstrap, not from istiod)")),
        };
        l.summarize();
        l
    };
    vec![
        make(
            port_of("ENVOY_PROMETHEUS_PORT", 15090),
            "/stats/prometheus",
            "prometheus_stats",
            "Prometheus scrapes the proxy's merged metrics here",
        ),
        make(
            port_of("ENVOY_STATUS_PORT", 15021),
            "/healthz/ready",
            "agent",
            "the kubelet's readiness probe asks the proxy here",
        ),
    ]
}
