//! Listener generation: the listeners istiod sends a sidecar (LDS), exactly as
//! `pilot/pkg/networking/core` builds them, plus the bootstrap's static listeners, each with the
//! reason it exists and the YAML it comes from (spec `listeners.md`).
//!
//! Build the [`Registry`] once and a [`ListenerGenerator`] over it, then generate any number of
//! proxies; or call [`listeners`] for one. [`table`] renders `istioctl proxy-config listeners`;
//! [`crate::trace`] follows a call through the result.

mod chain;
mod gosort;
mod http_routes;
mod inbound;
mod locate;
mod mtls;
mod outbound;
mod routes;
mod special;
pub mod table;
mod types;

use std::collections::BTreeMap;

use crate::load::Input;
use crate::registry::read::{set, str_of, u32_of};
use crate::registry::Registry;
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
use mtls::PeerAuthentications;

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
    let mut set = ListenerGenerator::new(reg, input, istiod_env).generate(proxy);
    set.locate(input);
    set
}

/// Generates listeners for many proxies against one registry: the SidecarScopes are shared as
/// in [`Resolver`], PeerAuthentications are indexed once.
pub struct ListenerGenerator<'r> {
    reg: &'r Registry,
    /// VirtualService `http[]` routes are read from their trees.
    input: &'r Input,
    resolver: Resolver<'r>,
    peer_authentications: PeerAuthentications,
    env: IstiodEnv,
    env_notes: Vec<String>,
    /// The mesh ConfigMap (`namespace/name`, resource index), for source links.
    config_map: Option<(String, usize)>,
}

impl<'r> ListenerGenerator<'r> {
    pub fn new(reg: &'r Registry, input: &'r Input, istiod_env: &BTreeMap<String, String>) -> ListenerGenerator<'r> {
        let (env, env_notes) = IstiodEnv::from_map(istiod_env);
        let config_map = reg.mesh.config_map.as_ref().and_then(|id| {
            let (ns, name) = id.split_once('/')?;
            let i = input.resources.iter().position(|r| {
                r.kind == crate::load::ResourceKind::MeshConfigMap && r.namespace == ns && r.name == name
            })?;
            Some((id.clone(), i))
        });
        ListenerGenerator {
            reg,
            input,
            resolver: Resolver::with_env(reg, istiod_env),
            peer_authentications: PeerAuthentications::build(input),
            env,
            env_notes,
            config_map,
        }
    }

    /// The listener set of one proxy. Source links are resolved by [`ListenerSet::locate`].
    pub fn generate(&mut self, proxy: &Proxy) -> ListenerSet {
        let reg = self.reg;
        let resolution = self.resolver.resolve(proxy);
        let sidecar = resolution.selection.sidecar.map(|i| &*reg.sidecars[i]);
        let facts = ProxyFacts::new(proxy, &reg.mesh);
        let mut notes = self.env_notes.clone();
        let mut skipped = Vec::new();
        let policy = &resolution.outbound_traffic_policy;
        let egress_proxy = policy.egress_proxy.as_ref().map(|s| egress_proxy_cluster(&s.0));
        let fallthrough = special::fallthrough(&policy.mode, egress_proxy, &policy.source);
        let mtls = self.peer_authentications.for_proxy(proxy, &reg.mesh.root_namespace);

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

        let catch_all = match policy.mode.as_str() {
            "REGISTRY_ONLY" => routes::CatchAll::BlockAll,
            "ALLOW_ANY_DYNAMIC_DNS" => routes::CatchAll::DynamicDns,
            _ => routes::CatchAll::AllowAny(fallthrough.0.clone()),
        };
        let routes = routes::Routes {
            reg,
            input: self.input,
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
fn egress_proxy_cluster(node: &crate::yaml::Node) -> String {
    let host = str_of(node, "host").unwrap_or("");
    let subset = str_of(node, "subset").unwrap_or("");
    let port = set(node, "port").and_then(|p| u32_of(p, "number")).unwrap_or(0);
    format!("outbound|{port}|{subset}|{host}")
}
