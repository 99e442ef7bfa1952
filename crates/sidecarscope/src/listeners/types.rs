//! The listener list as it leaves the core: what `istioctl proxy-config listeners -o json`
//! would show, reduced to what users read, plus why each listener and filter chain exists.

use serde::Serialize;

use crate::proxy::IstiodEnv;
use crate::report::Range;
use crate::resolve::{Proxy, SelectedSidecar};

/// Envoy `traffic_direction`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Outbound,
    Inbound,
    /// The bootstrap's static listeners set none.
    Unspecified,
}

/// A resource (and field of it) that produced a listener or chain, so a front end can link to it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SourceRef {
    /// `Sidecar ns/name`, `Service ns/name`, `ServiceEntry ns/name`, `ConfigMap istio-system/istio`...
    pub resource: String,
    /// The field inside it, e.g. `spec.egress[0]`, `spec.ports[1]`; empty for the whole resource.
    pub path: String,
    /// Set by [`ListenerSet::locate`](super::ListenerSet::locate).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub range: Option<Range>,
    /// Index of the resource in `Input::resources`.
    #[serde(skip)]
    pub index: Option<usize>,
}

/// Equal when they name the same field of the same resource (located or not).
impl PartialEq for SourceRef {
    fn eq(&self, other: &SourceRef) -> bool {
        (self.index, &self.resource, &self.path) == (other.index, &other.resource, &other.path)
    }
}

impl Eq for SourceRef {}

impl SourceRef {
    pub(crate) fn new(resource: String, path: impl Into<String>, index: Option<usize>) -> SourceRef {
        SourceRef { resource, path: path.into(), file: None, range: None, index }
    }
}

/// Why a listener or filter chain exists.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Origin {
    /// One sentence in plain words.
    pub reason: String,
    /// The YAML it comes from (empty for Istio's built-in listeners and chains).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<SourceRef>,
}

impl Origin {
    pub(crate) fn new(reason: impl Into<String>) -> Origin {
        Origin { reason: reason.into(), sources: Vec::new() }
    }
    pub(crate) fn with(mut self, sources: impl IntoIterator<Item = SourceRef>) -> Origin {
        for s in sources {
            if !self.sources.contains(&s) {
                self.sources.push(s);
            }
        }
        self
    }
}

/// Envoy `FilterChainMatch`, the parts Istio sets.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChainMatch {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination_port: Option<u32>,
    /// `address/len`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub prefix_ranges: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub server_names: Vec<String>,
    /// `tls` or `raw_buffer`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transport_protocol: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub application_protocols: Vec<String>,
}

impl ChainMatch {
    pub fn is_empty(&self) -> bool {
        *self == ChainMatch::default()
    }
}

/// What a filter chain does with a connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Action {
    /// An HTTP connection manager whose routes come from RDS, by route config name.
    #[serde(rename_all = "camelCase")]
    Rds { route_config: String },
    /// An HTTP connection manager with an inline route config: one virtual host, one prefix route
    /// (`route` is its name, empty where Istio gives none).
    #[serde(rename_all = "camelCase")]
    InlineRoute { virtual_host: String, route: String, prefix: String, cluster: String },
    /// A TCP proxy to a cluster, possibly behind a protocol filter (`envoy.filters.network.mongo_proxy`).
    #[serde(rename_all = "camelCase")]
    TcpProxy {
        cluster: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        protocol_filter: Option<String>,
        /// A terminating protocol filter (`redis_proxy`) replaced the TCP proxy.
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        replaced_by_filter: bool,
    },
}

impl Action {
    /// The RDS route config name, or the cluster the connection goes to.
    pub fn destination(&self) -> &str {
        match self {
            Action::Rds { route_config } => route_config,
            Action::InlineRoute { cluster, .. } | Action::TcpProxy { cluster, .. } => cluster,
        }
    }
    pub fn is_http(&self) -> bool {
        !matches!(self, Action::TcpProxy { .. })
    }
}

/// Downstream TLS of a filter chain (its transport socket).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ChainTls {
    /// Istio mTLS with the workload certificate; a client certificate is required.
    IstioMutual,
    /// Sidecar `ingress[].tls` SIMPLE: the user's certificate, no client certificate.
    Simple,
    /// Sidecar `ingress[].tls` MUTUAL: the user's certificates; a client certificate is required
    /// (Istio `BuildListenerTLSContext` sets `requireClientCertificate`).
    Mutual,
    /// Sidecar `ingress[].tls` OPTIONAL_MUTUAL: a client certificate is verified if presented.
    OptionalMutual,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FilterChain {
    /// Istio's chain name; outbound service chains have none.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(rename = "match")]
    pub chain_match: ChainMatch,
    /// `HTTP` (HTTP connection manager) or `TCP` (TCP proxy).
    pub protocol: &'static str,
    /// The RDS route config name (`9080`, `reviews.default.svc.cluster.local:9080`), or the
    /// cluster (`outbound|3306||db.default.svc.cluster.local`, `inbound|9080||`, `PassthroughCluster`).
    pub destination: String,
    pub action: Action,
    /// The listener's `default_filter_chain`: used when no other chain matches.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub default: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls: Option<ChainTls>,
    pub origin: Origin,
}

impl FilterChain {
    pub(crate) fn new(name: impl Into<String>, chain_match: ChainMatch, action: Action, origin: Origin) -> FilterChain {
        FilterChain {
            name: name.into(),
            chain_match,
            protocol: if action.is_http() { "HTTP" } else { "TCP" },
            destination: action.destination().to_string(),
            action,
            default: false,
            tls: None,
            origin,
        }
    }
}

/// On which destination ports a listener filter runs (Envoy `filter_disabled` predicates).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Ports {
    All,
    AllExcept(Vec<u32>),
    Only(Vec<u32>),
}

impl Ports {
    pub fn includes(&self, port: u32) -> bool {
        match self {
            Ports::All => true,
            Ports::AllExcept(ports) => !ports.contains(&port),
            Ports::Only(ports) => ports.contains(&port),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListenerFilter {
    /// `envoy.filters.listener.original_dst`, `...tls_inspector`, `...http_inspector`, `...original_src`.
    pub name: &'static str,
    pub ports: Ports,
}

pub const ORIGINAL_DST: &str = "envoy.filters.listener.original_dst";
pub const ORIGINAL_SRC: &str = "envoy.filters.listener.original_src";
pub const TLS_INSPECTOR: &str = "envoy.filters.listener.tls_inspector";
pub const HTTP_INSPECTOR: &str = "envoy.filters.listener.http_inspector";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Listener {
    pub name: String,
    /// The socket address, or the path of a Unix domain socket.
    pub address: String,
    /// 0 for a Unix domain socket.
    pub port: u32,
    pub direction: Direction,
    /// Envoy binds the address itself (else it only receives connections that `virtualOutbound`
    /// or `virtualInbound` hand over by original destination).
    pub bind_to_port: bool,
    /// The main chain's route config or cluster (the first HTTP chain's, else the first chain's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination: Option<String>,
    /// Where traffic that no more specific chain matches goes: the default chain's cluster, or
    /// that of the last chain that matches everything.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_destination: Option<String>,
    /// Envoy `filter_chains`, then the `default_filter_chain` (flagged `default`).
    pub filter_chains: Vec<FilterChain>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub listener_filters: Vec<ListenerFilter>,
    pub origin: Origin,
}

impl Listener {
    /// Fills `destination` and `default_destination` from the chains.
    pub(crate) fn summarize(&mut self) {
        let chains = &self.filter_chains;
        let loop_guard =
            |c: &FilterChain| c.chain_match.destination_port == Some(self.port) && c.destination == "BlackHoleCluster";
        self.destination = chains
            .iter()
            .find(|c| c.action.is_http())
            .or_else(|| chains.iter().find(|c| !loop_guard(c)))
            .map(|c| c.destination.clone());
        self.default_destination = chains
            .iter()
            .find(|c| c.default)
            .or_else(|| chains.iter().rev().find(|c| c.chain_match.is_empty()))
            .map(|c| c.destination.clone());
    }
}

/// A listener or ingress port istiod would have built but skips.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Skipped {
    /// The listener or chain name it would have had (`0.0.0.0_15021`), or `port N`.
    pub name: String,
    pub reason: String,
    pub origin: Origin,
}

/// One virtual host of an RDS route config, with its routes in Envoy's order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VirtualHost {
    pub name: String,
    pub domains: Vec<String>,
    /// Matched in order; the first whose match fits the request wins (none: 404).
    pub routes: Vec<Route>,
    pub origin: Origin,
}

/// An Envoy route as istiod builds it (`TranslateRoute`, `BuildDefaultHTTPOutboundRoute`,
/// `buildCatchAllVirtualHost`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Route {
    /// istiod's route name: `http[].name` (with `.match[].name` appended), `default`,
    /// `allow_any`, `block_all`; empty where the VirtualService names none.
    pub name: String,
    #[serde(rename = "match")]
    pub route_match: RouteMatch,
    pub action: RouteAction,
    /// The VirtualService (`namespace/name`) and the index of its `http[]` entry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub virtual_service: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_index: Option<usize>,
    /// The route's timeout (`0s`: disabled, Istio's default) and retry policy, as facts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retries: Option<String>,
    /// Clusters that get a copy of each request (`mirror`, `mirrors`), with the percentage.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub mirrors: Vec<Mirror>,
    pub origin: Origin,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Mirror {
    pub cluster: String,
    /// `100` unless `mirrorPercentage` says otherwise.
    pub percent: String,
}

/// Envoy `RouteMatch` as Istio's `TranslateRouteMatch` fills it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RouteMatch {
    pub path: PathMatch,
    /// `false` with `ignoreUriCase`: prefix and exact paths compare without case.
    pub case_sensitive: bool,
    /// Sorted by name as Istio sorts them, then `:method`, `:authority`, `:scheme`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<HeaderMatch>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub query_params: Vec<QueryParamMatch>,
}

impl RouteMatch {
    /// `prefix: /`, case-sensitive, nothing else: every request.
    pub fn any() -> RouteMatch {
        RouteMatch {
            path: PathMatch::Prefix("/".into()),
            case_sensitive: true,
            headers: Vec::new(),
            query_params: Vec::new(),
        }
    }
    /// Istio `IsCatchAllRoute`.
    pub fn is_catch_all(&self) -> bool {
        let path = match &self.path {
            PathMatch::Prefix(p) => p == "/",
            PathMatch::Regex(r) => r == ".*",
            PathMatch::Exact(_) => false,
        };
        path && self.headers.is_empty() && self.query_params.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum PathMatch {
    Prefix(String),
    /// Envoy `path`: the whole path without the query string.
    Exact(String),
    /// Envoy `safe_regex` (RE2): the whole path without the query string.
    Regex(String),
}

/// Envoy `StringMatcher` / `present_match` as `ConvertToEnvoyMatch` and
/// `canBeConvertedToPresentMatch` produce them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum StringMatch {
    Exact(String),
    Prefix(String),
    Regex(String),
    /// The header or parameter is present, whatever its value (an empty match, or regex `*`).
    Present,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HeaderMatch {
    /// Lowercase, or a pseudo-header (`:method`, `:authority`, `:scheme`).
    pub name: String,
    pub value: StringMatch,
    /// `withoutHeaders`: the result is inverted.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub invert: bool,
    /// `withoutHeaders` other than presence: a missing header reads as empty.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub treat_missing_as_empty: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryParamMatch {
    pub name: String,
    pub value: StringMatch,
}

/// What a route does with the request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum RouteAction {
    /// Forward to a cluster, or to weighted clusters.
    #[serde(rename_all = "camelCase")]
    Route {
        clusters: Vec<WeightedCluster>,
        #[serde(skip_serializing_if = "Option::is_none")]
        prefix_rewrite: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        regex_rewrite: Option<RegexRewrite>,
        #[serde(skip_serializing_if = "Option::is_none")]
        host_rewrite: Option<String>,
    },
    /// Answer with a redirect (`ApplyRedirect`).
    #[serde(rename_all = "camelCase")]
    Redirect {
        status: u32,
        #[serde(skip_serializing_if = "Option::is_none")]
        scheme: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        host: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        port: Option<u32>,
        #[serde(skip_serializing_if = "Option::is_none")]
        path: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        prefix_rewrite: Option<String>,
    },
    /// Answer by itself (`ApplyDirectResponse`, `block_all`'s 502).
    #[serde(rename_all = "camelCase")]
    DirectResponse {
        status: u32,
        #[serde(skip_serializing_if = "Option::is_none")]
        body: Option<String>,
    },
    /// No action: istiod leaves it unset (a redirect code it does not support); Envoy rejects such a route.
    None,
}

/// `rewrite.uriRegexRewrite`: Envoy's `regex_rewrite`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RegexRewrite {
    pub pattern: String,
    pub substitution: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WeightedCluster {
    pub cluster: String,
    /// `None` for a single destination (no weights).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weight: Option<u32>,
}

/// An RDS route config referenced by a listener (Istio `buildSidecarOutboundHTTPRouteConfig`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RouteConfig {
    pub name: String,
    pub virtual_hosts: Vec<VirtualHost>,
}

/// Every listener Envoy would have for one proxy, and why.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListenerSet {
    pub proxy: Proxy,
    /// The Sidecar that applies, if any.
    pub sidecar: Option<SelectedSidecar>,
    /// `REDIRECT`, `TPROXY` or `NONE`.
    pub interception_mode: &'static str,
    /// `ALLOW_ANY`, `REGISTRY_ONLY` or `ALLOW_ANY_DYNAMIC_DNS`, and where it comes from.
    pub outbound_traffic_policy: String,
    pub outbound_traffic_policy_source: String,
    /// The mTLS mode of inbound traffic and the PeerAuthentications deciding it.
    pub inbound_mtls: String,
    /// What istiod sends (LDS), in its order: outbound, HTTP proxy, virtualOutbound,
    /// virtualInbound, bound inbound listeners.
    pub listeners: Vec<Listener>,
    /// The bootstrap's listeners (not from istiod).
    pub static_listeners: Vec<Listener>,
    /// The RDS route configs the listeners name.
    pub routes: Vec<RouteConfig>,
    /// Listeners and ports istiod skips, with the reason.
    pub skipped: Vec<Skipped>,
    pub istiod_env: IstiodEnv,
    /// Plain-words explanations of what users trip over.
    pub notes: Vec<String>,
}

impl ListenerSet {
    pub fn listener(&self, name: &str) -> Option<&Listener> {
        self.listeners.iter().find(|l| l.name == name)
    }
    pub fn route(&self, name: &str) -> Option<&RouteConfig> {
        self.routes.iter().find(|r| r.name == name)
    }
}
