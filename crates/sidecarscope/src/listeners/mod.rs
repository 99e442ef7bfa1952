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
    /// The outbound side shared by proxies with the same inputs to it ([`Self::sharing`]).
    shared: Option<SharedOutbound>,
}

/// The outbound listeners (with the HTTP proxy and `virtualOutbound`), what building them
/// skipped and noted, and the route configs they name, of every proxy with the same inputs to
/// them: the Sidecar and namespace (the scope), the outbound traffic policy, the proxy's
/// interception mode, address family, unprivileged flag and static ports, the labels that some
/// VirtualService's `sourceLabels` reads, and the proxy's IP when a headless service's
/// endpoints were compared with it. Nothing else of the proxy is read on the outbound side
/// (`Outbound`, `Routes`, `special::http_proxy`, `special::virtual_outbound`).
#[derive(Clone)]
struct OutboundPart {
    listeners: Vec<Listener>,
    skipped: Vec<Skipped>,
    notes: Vec<String>,
    routes: Vec<RouteConfig>,
    read_ip: bool,
}

#[derive(Default)]
struct SharedOutbound {
    /// Label keys that a VirtualService match's `sourceLabels` names (of roots and delegates).
    label_keys: std::collections::BTreeSet<String>,
    /// By key without the IP; a part that read the IP is kept in `by_ip` instead.
    parts: std::collections::HashMap<String, std::rc::Rc<OutboundPart>>,
    by_ip: std::collections::HashMap<(String, Option<String>), std::rc::Rc<OutboundPart>>,
}

impl<'r> ListenerGenerator<'r> {
    pub fn new(reg: &'r Registry, istiod_env: &BTreeMap<String, String>) -> ListenerGenerator<'r> {
        let (env, env_notes) = IstiodEnv::from_map(istiod_env);
        let config_map = reg.mesh.config_map.clone().zip(reg.mesh.config_map_resource);
        ListenerGenerator {
            reg,
            resolver: Resolver::with_env(reg, istiod_env),
            env,
            env_notes,
            config_map,
            shared: None,
        }
    }

    /// A generator that builds the outbound side once for all proxies with the same inputs to it
    /// (see `OutboundPart`): the same listener sets, for a fraction of the work when many
    /// proxies share a Sidecar (a test compares every proxy's set with a plain generator's).
    pub fn sharing(reg: &'r Registry, istiod_env: &BTreeMap<String, String>) -> ListenerGenerator<'r> {
        let mut label_keys = std::collections::BTreeSet::new();
        let routes = reg.virtual_services.iter().flat_map(|vs| &vs.http_routes);
        for h in routes.chain(reg.delegate_routes.iter().flat_map(|d| &d.http)) {
            for m in &h.matches {
                label_keys.extend(m.source_labels.iter().flatten().map(|(k, _)| k.clone()));
            }
        }
        let shared = SharedOutbound { label_keys, ..SharedOutbound::default() };
        ListenerGenerator { shared: Some(shared), ..ListenerGenerator::new(reg, istiod_env) }
    }

    /// How many outbound sides a [`Self::sharing`] generator has built (0 for a plain one).
    #[doc(hidden)]
    pub fn outbound_parts(&self) -> usize {
        self.shared.as_ref().map_or(0, |s| s.parts.len() + s.by_ip.len())
    }

    /// The listener set of one proxy. Source links are resolved by [`ListenerSet::locate`].
    pub fn generate(&mut self, proxy: &Proxy) -> ListenerSet {
        let resolution = self.resolver.resolve(proxy);
        self.generate_resolved(proxy, &resolution)
    }

    /// The listener set of one proxy whose resolution the caller has (from a [`Resolver`] over
    /// the same registry and istiod environment): what [`Self::generate`] gives, without
    /// resolving again.
    pub fn generate_resolved(&mut self, proxy: &Proxy, resolution: &crate::resolve::Resolution) -> ListenerSet {
        let reg = self.reg;
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
        let mtls = reg.peer_authentications.for_proxy(proxy, &reg.mesh.root_namespace);

        let mut listeners = Vec::new();
        let mut part = None;
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
            let p = self.outbound_part(proxy, resolution, &facts);
            listeners.extend(p.listeners.iter().cloned());
            skipped.extend(p.skipped.iter().cloned());
            notes.extend(p.notes.iter().cloned());
            listeners.extend(inbound);
            part = Some(p);
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

        // The route configs the listeners name, in order: the outbound side's are built with it.
        let built = part.as_ref().map_or(&[][..], |p| &p.routes[..]);
        let mut routes: Vec<RouteConfig> = built.to_vec();
        let more: Vec<&str> = rds_names(&listeners).filter(|n| !built.iter().any(|r| r.name == *n)).collect();
        if !more.is_empty() {
            let builder = self.routes(proxy, resolution);
            routes.extend(more.into_iter().map(|n| builder.build(n)));
        }

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

    /// The proxy's outbound side: from the shared ones when it is [`Self::sharing`] and a proxy
    /// with the same inputs to it came before, else built.
    fn outbound_part(
        &mut self,
        proxy: &Proxy,
        resolution: &crate::resolve::Resolution,
        facts: &ProxyFacts,
    ) -> std::rc::Rc<OutboundPart> {
        let Some(shared) = &self.shared else {
            return std::rc::Rc::new(self.build_outbound(proxy, resolution, facts));
        };
        let labels: Vec<(&String, &String)> =
            proxy.labels.iter().filter(|(k, _)| shared.label_keys.contains(k.as_str())).collect();
        let key = format!(
            "{:?}|{}|{:?}|{}|{}|{}|{}|{:?}|{:?}|{}|{:?}",
            resolution.selection.sidecar,
            proxy.namespace,
            resolution.outbound_traffic_policy,
            facts.interception.name(),
            facts.wildcard,
            facts.localhost,
            facts.unprivileged,
            facts.static_ports,
            facts.virtual_ports,
            facts.http_proxy_port,
            labels,
        );
        if let Some(p) = shared.parts.get(&key) {
            return p.clone();
        }
        let with_ip = (key, facts.ip.clone());
        if let Some(p) = shared.by_ip.get(&with_ip) {
            return p.clone();
        }
        let part = std::rc::Rc::new(self.build_outbound(proxy, resolution, facts));
        let shared = self.shared.as_mut().expect("sharing");
        if part.read_ip {
            shared.by_ip.insert(with_ip, part.clone());
        } else {
            shared.parts.insert(with_ip.0, part.clone());
        }
        part
    }

    fn build_outbound(
        &self,
        proxy: &Proxy,
        resolution: &crate::resolve::Resolution,
        facts: &ProxyFacts,
    ) -> OutboundPart {
        let reg = self.reg;
        let sidecar = resolution.selection.sidecar.map(|i| &*reg.sidecars[i]);
        let (mut skipped, mut notes, mut read_ip) = (Vec::new(), Vec::new(), false);
        let fallthrough = self.fallthrough(resolution);
        let policy = &resolution.outbound_traffic_policy;
        let mut listeners = outbound::Outbound {
            reg,
            facts,
            env: &self.env,
            endpoints: &reg.endpoints,
            sidecar,
            fallthrough: fallthrough.clone(),
            skipped: &mut skipped,
            notes: &mut notes,
            read_ip: &mut read_ip,
            built: Default::default(),
        }
        .build(&resolution.egress);
        listeners.extend(special::http_proxy(facts, reg.mesh.proxy_http_port, self.config_map.as_ref()));
        listeners.extend(special::virtual_outbound(facts, &policy.mode, &fallthrough));
        let builder = self.routes(proxy, resolution);
        let routes = rds_names(&listeners).map(|n| builder.build(n)).collect();
        OutboundPart { listeners, skipped, notes, routes, read_ip }
    }

    /// The cluster of the `PassthroughFilterChain` and why.
    fn fallthrough(&self, resolution: &crate::resolve::Resolution) -> (String, String) {
        let sidecar = resolution.selection.sidecar.map(|i| &*self.reg.sidecars[i]);
        let policy = &resolution.outbound_traffic_policy;
        let egress_proxy = sidecar
            .and_then(|sc| sc.outbound_traffic_policy.as_ref())
            .and_then(|p| p.egress_proxy.as_ref())
            .map(egress_proxy_cluster);
        special::fallthrough(&policy.mode, egress_proxy, &policy.source)
    }

    fn routes<'a>(&'a self, proxy: &'a Proxy, resolution: &'a crate::resolve::Resolution) -> routes::Routes<'a> {
        let fallthrough = self.fallthrough(resolution);
        let catch_all = match resolution.outbound_traffic_policy.mode {
            OutboundMode::RegistryOnly => routes::CatchAll::BlockAll,
            OutboundMode::AllowAnyDynamicDns => routes::CatchAll::DynamicDns,
            OutboundMode::AllowAny | OutboundMode::Other(_) => routes::CatchAll::AllowAny(fallthrough.0.clone()),
        };
        routes::Routes { reg: self.reg, proxy, egress: &resolution.egress, catch_all, catch_all_reason: fallthrough.1 }
    }
}

/// The route configs that the listeners' filter chains name (`Action::Rds`), once each, in order.
fn rds_names(listeners: &[Listener]) -> impl Iterator<Item = &str> {
    let mut names: Vec<&str> = Vec::new();
    for c in listeners.iter().flat_map(|l| &l.filter_chains) {
        if let Action::Rds { route_config } = &c.action {
            if !names.contains(&route_config.as_str()) {
                names.push(route_config);
            }
        }
    }
    names.into_iter()
}

/// Istio `GetDestinationCluster` for the Sidecar's `outboundTrafficPolicy.egressProxy`.
fn egress_proxy_cluster(p: &EgressProxy) -> String {
    format!("outbound|{}|{}|{}", p.port, p.subset, p.host)
}
