//! Listener generation: the listeners istiod sends a sidecar (LDS), exactly as
//! `pilot/pkg/networking/core` builds them, plus the bootstrap's static listeners, each with the
//! reason it exists and the YAML it comes from (`ListenerBuilder`, `buildSidecarOutboundListeners`,
//! `buildInboundListeners` in `pilot/pkg/networking/core/listener.go` and its neighbours).
//!
//! Build the [`Registry`] once and a [`ListenerGenerator`] over it, then generate any number of
//! proxies; or call [`listeners`] for one. [`table`] renders `istioctl proxy-config listeners`;
//! [`crate::trace`] follows a call through the result.

mod chain;
mod gosort;
mod http_routes;
mod inbound;
mod locate;
mod outbound;
mod routes;
mod special;
pub mod table;
mod types;

use std::collections::BTreeMap;

use crate::load::Input;
use crate::registry::{EgressProxy, OutboundMode, Registry};
use crate::resolve::{Proxy, Resolver};

pub use crate::proxy::IstiodEnv;
pub use chain::cidr_contains;
pub use types::{
    Action, ChainMatch, ChainTls, Direction, FilterChain, HeaderMatch, Listener, ListenerFilter, ListenerSet, Mirror,
    Origin, PathMatch, Ports, QueryParamMatch, RegexRewrite, Route, RouteAction, RouteConfig, RouteMatch, Skipped,
    SourceRef, StringMatch, VirtualHost, WeightedCluster,
};
pub use types::{HTTP_INSPECTOR as HTTP_INSPECTOR_NAME, TLS_INSPECTOR as TLS_INSPECTOR_NAME};

use crate::proxy::facts::ProxyFacts;

/// Generates the listeners of one proxy (builds the registry; use [`ListenerGenerator`] for many).
/// `istiod_env` holds istiod's feature flags as `KEY=VALUE` pairs (see [`IstiodEnv`]).
pub fn listeners(input: &Input, proxy: &Proxy, istiod_env: &BTreeMap<String, String>) -> ListenerSet {
    let reg = Registry::build(input);
    listeners_with(&reg, input, proxy, istiod_env)
}

/// Generates the listeners of one proxy against an existing registry.
pub fn listeners_with(
    reg: &Registry,
    input: &Input,
    proxy: &Proxy,
    istiod_env: &BTreeMap<String, String>,
) -> ListenerSet {
    let mut set = ListenerGenerator::new(reg, istiod_env).generate(proxy);
    set.locate(input);
    set
}

/// Generates listeners for many proxies against one registry: the SidecarScopes are shared as
/// in [`Resolver`].
pub struct ListenerGenerator<'r> {
    reg: &'r Registry,
    resolver: Resolver<'r>,
    env: IstiodEnv,
    env_notes: Vec<String>,
    /// The mesh ConfigMap (`namespace/name`, resource index), for source links.
    config_map: Option<(String, usize)>,
}

impl<'r> ListenerGenerator<'r> {
    pub fn new(reg: &'r Registry, istiod_env: &BTreeMap<String, String>) -> ListenerGenerator<'r> {
        let (env, env_notes) = IstiodEnv::from_map(istiod_env);
        let config_map = reg.mesh.config_map.clone().zip(reg.mesh.config_map_resource);
        ListenerGenerator { reg, resolver: Resolver::with_env(reg, istiod_env), env, env_notes, config_map }
    }

    /// The listener set of one proxy. Source links are resolved by [`ListenerSet::locate`].
    pub fn generate(&mut self, proxy: &Proxy) -> ListenerSet {
        let reg = self.reg;
        let resolution = self.resolver.resolve(proxy);
        let sidecar = resolution.selection.sidecar.map(|i| &*reg.sidecars[i]);
        let facts = ProxyFacts::new(proxy, &reg.mesh);
        let mut notes = self.env_notes.clone();
        if facts.dual_stack {
            notes.push(format!(
                "dual-stack proxy ({}): istiod binds the IPv4 wildcard {} and its IPv4 localhost, as for an IPv4 proxy (`getActualWildcardAndLocalHost`); the first global unicast address {} is the inbound bind IP (`GlobalUnicastIP`). Only with ISTIO_DUAL_STACK=true on istiod would the listeners also get `::` as additional_addresses, which is not modelled here",
                proxy.ip.iter().chain(&proxy.additional_ips).cloned().collect::<Vec<_>>().join(", "),
                facts.wildcard,
                facts.global_unicast_ip.as_deref().unwrap_or("(none)")
            ));
        }
        let mut skipped = Vec::new();
        let policy = &resolution.outbound_traffic_policy;
        let egress_proxy = sidecar
            .and_then(|sc| sc.outbound_traffic_policy.as_ref())
            .and_then(|p| p.egress_proxy.as_ref())
            .map(egress_proxy_cluster);
        let fallthrough = special::fallthrough(&policy.mode, egress_proxy, &policy.source);
        let mtls = reg.peer_authentications.for_proxy(proxy, &reg.mesh.root_namespace);

        let mut listeners = Vec::new();
        if reg.mesh.proxy_listen_port == 0 {
            notes.push("MeshConfig proxyListenPort is 0: istiod builds no listeners for sidecars at all".into());
        } else {
            let inbound = inbound::Inbound {
                reg,
                proxy,
                facts: &facts,
                env: &self.env,
                sidecar,
                mtls: &mtls,
                skipped: &mut skipped,
                notes: &mut notes,
            }
            .build();
            let outbound = outbound::Outbound {
                reg,
                facts: &facts,
                env: &self.env,
                endpoints: &reg.endpoints,
                sidecar,
                fallthrough: fallthrough.clone(),
                skipped: &mut skipped,
                notes: &mut notes,
                built: Default::default(),
            }
            .build(&resolution.egress);
            listeners.extend(outbound);
            listeners.extend(special::http_proxy(&facts, reg.mesh.proxy_http_port, self.config_map.as_ref()));
            listeners.extend(special::virtual_outbound(&facts, &policy.mode, &fallthrough));
            listeners.extend(inbound);
        }
        let static_listeners = special::static_listeners(&facts);
        for l in &listeners {
            if static_listeners.iter().any(|s| s.name == l.name) {
                notes.push(format!(
                    "istiod sends {} although the bootstrap has a static listener of the same name: its wildcard check only looks at HTTP ports and explicit binds, and this port's listener had no bind yet when checked",
                    l.name
                ));
            }
        }
        if facts.interception == crate::proxy::facts::Interception::None {
            notes.push("Interception mode NONE: no virtualOutbound or virtualInbound, and every outbound listener binds 127.0.0.1 (or the egress bind) for real; the application must address the proxy explicitly".into());
        }

        let catch_all = match policy.mode {
            OutboundMode::RegistryOnly => routes::CatchAll::BlockAll,
            OutboundMode::AllowAnyDynamicDns => routes::CatchAll::DynamicDns,
            OutboundMode::AllowAny | OutboundMode::Other(_) => routes::CatchAll::AllowAny(fallthrough.0.clone()),
        };
        let routes = routes::Routes {
            reg,
            proxy,
            egress: &resolution.egress,
            catch_all,
            catch_all_reason: fallthrough.1.clone(),
        };
        let mut names: Vec<&str> = Vec::new();
        for c in listeners.iter().flat_map(|l| &l.filter_chains) {
            if let Action::Rds { route_config } = &c.action {
                if !names.contains(&route_config.as_str()) {
                    names.push(route_config);
                }
            }
        }
        let routes = names.into_iter().map(|n| routes.build(n)).collect();

        ListenerSet {
            proxy: proxy.clone(),
            sidecar: resolution.sidecar.clone(),
            interception_mode: facts.interception.name(),
            outbound_traffic_policy: policy.mode.clone(),
            outbound_traffic_policy_source: policy.source.clone(),
            inbound_mtls: mtls.source.clone(),
            listeners,
            static_listeners,
            routes,
            skipped,
            istiod_env: self.env.clone(),
            notes,
        }
    }
}

/// Istio `GetDestinationCluster` for the Sidecar's `outboundTrafficPolicy.egressProxy`.
fn egress_proxy_cluster(p: &EgressProxy) -> String {
    format!("outbound|{}|{}|{}", p.port, p.subset, p.host)
}
