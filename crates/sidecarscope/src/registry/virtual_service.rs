//! VirtualServices as a sidecar's egress listeners see them: hosts with short names expanded
//! (`ResolveVirtualServiceShortnames`), gateways, exportTo, and the route destinations that
//! pull services into the SidecarScope (`virtualServiceDestinationsFilteredBySourceNamespace`).

use super::export_to::ExportTo;
use super::http_route::{http_routes, DelegateRoutes, HttpRoute};
use super::labels::string_map;
use super::mesh_config::DEFAULT_DOMAIN;
use super::time::CreationTime;
use crate::host::resolve_short_name;
use crate::load::Resource;
use crate::yaml::fields::{list, set, str_of, string, strings, u32_of};
use crate::yaml::Node;
use crate::Labels;

/// The gateway name that means "sidecars".
pub const MESH_GATEWAY: &str = "mesh";

/// One route destination: host (short names expanded) and port (`None`: no port given).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destination {
    pub host: String,
    pub port: Option<u32>,
}

/// The destinations of one HTTP route with the `sourceNamespace` values of its matches.
#[derive(Debug, Clone)]
pub struct HttpRouteDestinations {
    /// Non-empty `match[].sourceNamespace` values.
    pub source_namespaces: Vec<String>,
    /// `match[]` items with `sourceLabels` or `sourceNamespace`: those labels and namespace
    /// (empty when unset), in written order.
    pub source_matches: Vec<(Labels, String)>,
    pub destinations: Vec<Destination>,
}

#[derive(Debug, Clone)]
pub struct VirtualService {
    pub namespace: String,
    pub name: String,
    /// `spec.hosts` with short names expanded to `name.<vs-namespace>.svc.cluster.local`.
    pub hosts: Vec<String>,
    /// Gateways with `mesh` meaning sidecars; empty `spec.gateways` means `[mesh]`.
    pub gateways: Vec<String>,
    /// Own exportTo with `.` replaced by the own namespace; `None`: MeshConfig default.
    pub export_to: Option<ExportTo>,
    pub http: Vec<HttpRouteDestinations>,
    /// `tcp[]` and `tls[]` route destinations (no source-namespace filtering).
    pub tcp_tls: Vec<Destination>,
    /// Generated from Gateway API routes (internal annotation): one-directional host matching.
    pub gateway_semantics: bool,
    /// `spec.http`, typed, for the routes listeners and trace build.
    pub http_routes: Vec<HttpRoute>,
    pub creation: CreationTime,
    pub resource: usize,
}

impl VirtualService {
    pub fn id(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }

    /// Has `http[].delegate`. Listeners merge the delegates' routes; the SidecarScope does not
    /// take their destinations (a note says so).
    pub fn has_delegate(&self) -> bool {
        self.http_routes.iter().any(|h| h.delegate.is_some())
    }

    /// Whether sidecars use it (bound to the `mesh` gateway).
    pub fn applies_to_mesh(&self) -> bool {
        self.gateways.iter().any(|g| g == MESH_GATEWAY)
    }

    /// Istio `virtualServiceDestinationsFilteredBySourceNamespace`: every destination host with
    /// its ports (`None` = a destination without a port, meaning all ports), in first-seen order.
    /// HTTP routes whose matches name source namespaces, none of them `config_ns`, are skipped.
    pub fn destinations_for(&self, config_ns: &str) -> Vec<(String, Vec<Option<u32>>)> {
        let mut out: Vec<(String, Vec<Option<u32>>)> = Vec::new();
        let mut add = |d: &Destination| match out.iter_mut().find(|(h, _)| *h == d.host) {
            Some((_, ports)) => {
                if !ports.contains(&d.port) {
                    ports.push(d.port)
                }
            }
            None => out.push((d.host.clone(), vec![d.port])),
        };
        for route in &self.http {
            if !route.source_namespaces.is_empty() && !route.source_namespaces.iter().any(|n| n == config_ns) {
                continue;
            }
            route.destinations.iter().for_each(&mut add);
        }
        self.tcp_tls.iter().for_each(&mut add);
        out
    }
}

/// Reads a VirtualService; `None` for one without hosts (a delegate, only used through its root).
pub fn from_resource(r: &Resource, index: usize) -> Option<VirtualService> {
    let spec = r.spec().filter(|s| s.as_map().is_some())?;
    let ns = r.namespace.as_str();
    let expand = |h: &str| resolve_short_name(h, ns, DEFAULT_DOMAIN);
    let hosts: Vec<String> = strings(spec, "hosts").iter().map(|h| expand(h)).collect();
    if hosts.is_empty() {
        return None;
    }
    let mut gateways: Vec<String> = strings(spec, "gateways");
    if gateways.is_empty() {
        gateways.push(MESH_GATEWAY.to_string());
    }
    let export_to = Some(strings(spec, "exportTo"))
        .filter(|v| !v.is_empty())
        .map(|v| ExportTo::new(v.into_iter().map(|e| if e == "." { ns.to_string() } else { e })));
    let dest = |n: &Node| -> Option<Destination> {
        let host = str_of(n, "host")?;
        Some(Destination { host: expand(host), port: set(n, "port").and_then(|p| u32_of(p, "number")) })
    };
    let route_dests = |route: &Node| -> Vec<Destination> {
        list(route, "route").iter().filter_map(|w| set(w, "destination").and_then(dest)).collect()
    };
    let http = list(spec, "http")
        .iter()
        .map(|h| {
            let mut destinations = route_dests(h);
            destinations.extend(set(h, "mirror").and_then(dest));
            destinations.extend(list(h, "mirrors").iter().filter_map(|m| set(m, "destination").and_then(dest)));
            let source_namespaces = list(h, "match")
                .iter()
                .map(|m| string(m, "sourceNamespace").to_string())
                .filter(|s| !s.is_empty())
                .collect();
            let source_matches = list(h, "match")
                .iter()
                .map(|mt| (string_map(set(mt, "sourceLabels")), string(mt, "sourceNamespace").to_string()))
                .filter(|(labels, ns)| !labels.is_empty() || !ns.is_empty())
                .collect();
            HttpRouteDestinations { source_namespaces, source_matches, destinations }
        })
        .collect();
    let mut tcp_tls = Vec::new();
    for key in ["tcp", "tls"] {
        for route in list(spec, key) {
            tcp_tls.extend(route_dests(route));
        }
    }
    let gateway_semantics =
        r.annotation("internal.istio.io/route-semantics").and_then(Node::scalar_text).is_some_and(|s| s == "gateway");
    Some(VirtualService {
        namespace: r.namespace.clone(),
        name: r.name.clone(),
        hosts,
        gateways,
        export_to,
        http,
        tcp_tls,
        gateway_semantics,
        http_routes: http_routes(spec),
        creation: CreationTime::parse(r.creation_timestamp()),
        resource: index,
    })
}

/// Reads a VirtualService without hosts (an empty or absent `hosts` list) as a delegate's routes.
pub fn delegate_from_resource(r: &Resource, index: usize) -> Option<DelegateRoutes> {
    let spec = r.spec()?;
    list(spec, "hosts").is_empty().then(|| DelegateRoutes {
        namespace: r.namespace.clone(),
        name: r.name.clone(),
        http: http_routes(spec),
        resource: index,
    })
}
