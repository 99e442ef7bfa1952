//! VirtualService `http[]` as istiod turns it into Envoy routes for one sidecar and port
//! (`pilot/pkg/networking/core/route/route.go`: `BuildHTTPRoutesForVirtualService`,
//! `TranslateRoute`, `TranslateRouteMatch`, `applyHTTPRouteDestination`, `ApplyRedirect`,
//! `ApplyDirectResponse`, `GetDestinationCluster`), with delegate VirtualServices merged into
//! their root as `mergeVirtualServicesIfNeeded` does (`pilot/pkg/model/virtualservice.go`).

use super::types::{
    HeaderMatch, Mirror, Origin, PathMatch, QueryParamMatch, RegexRewrite, Route, RouteAction, RouteMatch, SourceRef,
    StringMatch, WeightedCluster,
};
use crate::host::resolve_short_name;
use crate::registry::http_route::{DirectResponse, HttpMatch, HttpRoute, Redirect, RouteDestination};
use crate::registry::virtual_service::VirtualService;
use crate::registry::Registry;
use crate::resolve::Proxy;

/// What translating routes needs to know about the proxy and the port.
pub(crate) struct RouteContext<'a> {
    pub reg: &'a Registry,
    pub proxy: &'a Proxy,
    pub listen_port: u32,
    /// Istio `LookupService`: the port of a destination without one, when its service has only
    /// one port (on a port's route config, the services of that port, trimmed to it).
    pub single_port: &'a dyn Fn(&str) -> Option<u32>,
    /// ExternalName services: the concrete host a route to the alias goes to.
    pub alias_target: &'a dyn Fn(&str) -> Option<String>,
}

/// Istio `BuildHTTPRoutesForVirtualService` for a sidecar (gateway `mesh`). Empty: the
/// VirtualService gives this port no route.
pub(crate) fn build(cx: &RouteContext<'_>, vs: &VirtualService) -> Vec<Route> {
    let mut out = Vec::new();
    for (i, http) in vs.http_routes.iter().enumerate() {
        let from = Source { vs, resource: vs.resource, name: None, path: format!("spec.http[{i}]"), index: i };
        if http.delegate.is_some() {
            // A delegate's routes replace this one, each under the root's matches merged in.
            if delegated(cx, vs, http, &from, &mut out) {
                break;
            }
            continue;
        }
        if translate_all(cx, Http { own: http, root: None }, &[], &from, &mut out) {
            break;
        }
    }
    out
}

/// An `http[]` entry; for a delegate's, the root's entry it inherits from (Istio `mergeHTTPRoute`:
/// the root's rewrite, direct response, timeout, retries, mirrors apply unless the delegate sets them).
#[derive(Clone, Copy)]
struct Http<'a> {
    own: &'a HttpRoute,
    root: Option<&'a HttpRoute>,
}

impl<'a> Http<'a> {
    /// The delegate's field if set, else the root's.
    fn get<T>(&self, field: impl Fn(&'a HttpRoute) -> Option<&'a T>) -> Option<&'a T> {
        field(self.own).or_else(|| self.root.and_then(field))
    }
    /// `mergeHTTPRoute`: the delegate's name, prefixed by the root's (`root-delegate`).
    fn name(&self) -> String {
        let own = self.own.name.as_str();
        match self.root.map(|r| r.name.as_str()).filter(|r| !r.is_empty()) {
            Some(root) if own.is_empty() => root.to_string(),
            Some(root) => format!("{root}-{own}"),
            None => own.to_string(),
        }
    }
}

struct Source<'a> {
    vs: &'a VirtualService,
    resource: usize,
    /// `namespace/name` of the delegate VirtualService the routes come from (`None`: the root).
    name: Option<String>,
    path: String,
    /// `http[i]` of the root VirtualService.
    index: usize,
}

/// Translates one `http[]` entry (every match, or none); true when a catch-all route ends the list.
fn translate_all(
    cx: &RouteContext<'_>,
    http: Http<'_>,
    root_matches: &[HttpMatch],
    from: &Source<'_>,
    out: &mut Vec<Route>,
) -> bool {
    let matches = &http.own.matches;
    if matches.is_empty() && root_matches.is_empty() {
        if let Some(r) = translate(cx, http, None, from) {
            out.push(r);
        }
        return true;
    }
    let own: Vec<Option<&HttpMatch>> = if matches.is_empty() { vec![None] } else { matches.iter().map(Some).collect() };
    for m in own {
        // Istio `mergeHTTPMatchRequests`: each root match combined with each delegate match.
        let combined: Vec<MatchSource<'_>> = if root_matches.is_empty() {
            vec![MatchSource { own: m, root: None }]
        } else {
            root_matches.iter().map(|r| MatchSource { own: m, root: Some(r) }).collect()
        };
        for ms in combined {
            if let Some(r) = translate(cx, http, Some(&ms), from) {
                let catch_all = r.route_match.is_catch_all();
                out.push(r);
                if catch_all {
                    return true;
                }
            }
        }
    }
    false
}

/// A match of the route, and the root VirtualService's match it is merged with (delegates).
struct MatchSource<'a> {
    own: Option<&'a HttpMatch>,
    root: Option<&'a HttpMatch>,
}

impl<'a> MatchSource<'a> {
    /// The delegate's field if set, else the root's (Istio merges root conditions into the delegate's).
    fn get<T>(&self, field: impl Fn(&'a HttpMatch) -> Option<&'a T>) -> Option<&'a T> {
        self.own.and_then(&field).or_else(|| self.root.and_then(&field))
    }
    /// `mergeHTTPMatchRequest`: the delegate's match name, prefixed by the root's (`root-delegate`).
    fn name(&self) -> String {
        let own = self.own.map(|m| m.name.as_str()).unwrap_or("");
        match self.root.map(|r| r.name.as_str()).filter(|r| !r.is_empty()) {
            Some(root) if own.is_empty() => root.to_string(),
            Some(root) => format!("{root}-{own}"),
            None => own.to_string(),
        }
    }
    /// A map field, the root's entries then the delegate's (a delegate's key replaces the root's).
    fn maps(
        &self,
        field: impl Fn(&'a HttpMatch) -> &'a [(String, Option<StringMatch>)],
    ) -> Vec<&'a (String, Option<StringMatch>)> {
        let mut out: Vec<&(String, Option<StringMatch>)> = Vec::new();
        for m in [self.root, self.own].into_iter().flatten() {
            for e in field(m) {
                out.retain(|(n, _)| *n != e.0);
                out.push(e);
            }
        }
        out
    }
}

fn delegated(
    cx: &RouteContext<'_>,
    root: &VirtualService,
    http: &HttpRoute,
    from: &Source<'_>,
    out: &mut Vec<Route>,
) -> bool {
    let Some(delegate) = &http.delegate else { return false };
    let ns = delegate.namespace.as_deref().filter(|n| !n.is_empty()).unwrap_or(&root.namespace);
    let Some(d) = cx.reg.delegate_routes.iter().find(|d| d.name == delegate.name && d.namespace == ns) else {
        return false;
    };
    for (j, h) in d.http.iter().enumerate() {
        let f = Source {
            vs: from.vs,
            resource: d.resource,
            name: Some(format!("{}/{}", d.namespace, d.name)),
            path: format!("spec.http[{j}]"),
            index: from.index,
        };
        if translate_all(cx, Http { own: h, root: Some(http) }, &http.matches, &f, out) {
            return true;
        }
    }
    false
}

/// Istio `TranslateRoute`: `None` when the match is for another port or other source workloads.
fn translate(cx: &RouteContext<'_>, http: Http<'_>, m: Option<&MatchSource<'_>>, from: &Source<'_>) -> Option<Route> {
    if let Some(m) = m {
        let port = m.get(|m| m.port.as_ref()).copied().unwrap_or(0);
        if port != 0 && port != i128::from(cx.listen_port) {
            return None;
        }
        if !source_match(cx.proxy, m) {
            return None;
        }
    }
    let mut name = http.name();
    if let Some(n) = m.map(MatchSource::name).filter(|n| !n.is_empty()) {
        name = format!("{name}.{n}");
    }
    let route_match = m.map(route_match).unwrap_or_else(RouteMatch::any);
    let (action, timeout, retries, mirrors) = if let Some(r) = &http.own.redirect {
        (redirect(r, cx.listen_port), None, None, Vec::new())
    } else if let Some(d) = http.get(|h| h.direct_response.as_ref()) {
        (direct_response(d), None, None, Vec::new())
    } else {
        destination(cx, http, from.vs)
    };
    let vs_id = from.vs.id();
    let source_name = from.name.clone().unwrap_or_else(|| vs_id.clone());
    let origin = Origin::new(format!(
        "VirtualService {vs_id} http[{}]{}",
        from.index,
        if from.resource == from.vs.resource {
            String::new()
        } else {
            format!(" (delegated to VirtualService {source_name} {})", from.path)
        }
    ))
    .with([SourceRef::new(format!("VirtualService {source_name}"), from.path.clone(), Some(from.resource))]);
    Some(Route {
        name,
        route_match,
        action,
        virtual_service: Some(vs_id),
        http_index: Some(from.index),
        timeout,
        retries,
        mirrors,
        origin,
    })
}

/// Istio `sourceMatchHTTP` for a sidecar: `gateways` must name `mesh`; else `sourceLabels` must
/// be a subset of the proxy's labels and `sourceNamespace` its namespace.
fn source_match(proxy: &Proxy, m: &MatchSource<'_>) -> bool {
    if let Some(g) = m.get(|m| m.gateways.as_ref()).filter(|g| !g.is_empty()) {
        return g.iter().any(|g| g == "mesh");
    }
    let labels = m.get(|m| m.source_labels.as_ref()).map_or(&[][..], Vec::as_slice);
    let subset = labels.iter().all(|(k, v)| proxy.labels.get(k).is_some_and(|l| l == v));
    let ns = m.get(|m| m.source_namespace.as_ref()).map_or("", String::as_str);
    subset && (ns.is_empty() || ns == proxy.namespace)
}

/// Istio `TranslateRouteMatch` (sidecar semantics: a prefix stays a plain prefix).
fn route_match(m: &MatchSource<'_>) -> RouteMatch {
    let mut out = RouteMatch::any();
    let mut headers: Vec<HeaderMatch> = Vec::new();
    for (name, value) in m.maps(|m| &m.headers) {
        if let Some(value) = value.clone() {
            headers.push(HeaderMatch {
                name: name.to_ascii_lowercase(),
                value,
                invert: false,
                treat_missing_as_empty: false,
            });
        }
    }
    for (name, value) in m.maps(|m| &m.without_headers) {
        if let Some(value) = value.clone() {
            let present = value == StringMatch::Present;
            headers.push(HeaderMatch {
                name: name.to_ascii_lowercase(),
                value,
                invert: true,
                treat_missing_as_empty: !present,
            });
        }
    }
    headers.sort_by(|a, b| a.name.cmp(&b.name));
    if let Some(uri) = m.get(|m| m.uri.as_ref()) {
        if let Some(e) = &uri.exact {
            out.path = PathMatch::Exact(e.clone());
        } else if let Some(p) = &uri.prefix {
            out.path = PathMatch::Prefix(p.clone());
        } else if let Some(r) = &uri.regex {
            out.path = PathMatch::Regex(r.clone());
        }
    }
    out.case_sensitive = !m.get(|m| m.ignore_uri_case.as_ref()).copied().unwrap_or(false);
    type Field = fn(&HttpMatch) -> Option<&Option<StringMatch>>;
    let pseudo: [(Field, &str); 3] = [
        (|m| m.method.as_ref(), ":method"),
        (|m| m.authority.as_ref(), ":authority"),
        (|m| m.scheme.as_ref(), ":scheme"),
    ];
    for (field, name) in pseudo {
        if let Some(value) = m.get(field).cloned().flatten() {
            headers.push(HeaderMatch { name: name.into(), value, invert: false, treat_missing_as_empty: false });
        }
    }
    out.headers = headers;
    let mut params: Vec<QueryParamMatch> = m
        .maps(|m| &m.query_params)
        .into_iter()
        .filter_map(|(name, v)| v.clone().map(|value| QueryParamMatch { name: name.clone(), value }))
        .collect();
    params.sort_by(|a, b| a.name.cmp(&b.name));
    out.query_params = params;
    out
}

/// Istio `ApplyRedirect` (a sidecar never terminates TLS: the default scheme is http).
fn redirect(r: &Redirect, listen_port: u32) -> RouteAction {
    let status = match r.code {
        0 | 301 => 301,
        c @ (302 | 303 | 307 | 308) => c as u32,
        _ => return RouteAction::None,
    };
    let scheme = r.scheme.clone().filter(|s| !s.is_empty());
    let mut port = if let Some(p) = r.port {
        Some(p)
    } else if r.derive_port.as_deref() == Some("FROM_REQUEST_PORT") {
        Some(listen_port)
    } else {
        None
    };
    if port.is_some() {
        let s = scheme.as_deref().unwrap_or("http");
        if (port == Some(80) && s == "http") || (port == Some(443) && s == "https") {
            port = None;
        }
    }
    let prefix_rewrite = r.redirect_prefix.clone().filter(|s| !s.is_empty());
    RouteAction::Redirect {
        status,
        scheme,
        host: r.authority.clone().filter(|s| !s.is_empty()),
        port,
        path: if prefix_rewrite.is_some() { None } else { r.uri.clone().filter(|s| !s.is_empty()) },
        prefix_rewrite,
    }
}

/// Istio `ApplyDirectResponse`.
fn direct_response(d: &DirectResponse) -> RouteAction {
    RouteAction::DirectResponse { status: d.status.unwrap_or(0), body: d.body.clone() }
}

type Facts = (RouteAction, Option<String>, Option<String>, Vec<Mirror>);

/// Istio `applyHTTPRouteDestination`: the cluster (or weighted clusters), rewrites, mirrors,
/// timeout and retries.
fn destination(cx: &RouteContext<'_>, http: Http<'_>, vs: &VirtualService) -> Facts {
    let routes = &http.own.route;
    let cluster = |d: Option<&RouteDestination>| {
        d.map(|d| cluster_of(cx, d, &vs.namespace)).unwrap_or_else(|| "UnknownService".into())
    };
    let clusters: Vec<WeightedCluster> = if routes.len() == 1 {
        vec![WeightedCluster { cluster: cluster(routes[0].destination.as_ref()), weight: None }]
    } else {
        routes
            .iter()
            .filter(|r| r.weight.unwrap_or(0) != 0)
            .map(|r| WeightedCluster {
                cluster: cluster(r.destination.as_ref()),
                weight: r.weight.and_then(|w| u32::try_from(w).ok()),
            })
            .collect()
    };
    let rewrite = http.get(|h| h.rewrite.as_ref());
    let regex_rewrite = rewrite
        .and_then(|r| r.uri_regex_rewrite.as_ref())
        .map(|(pattern, substitution)| RegexRewrite { pattern: pattern.clone(), substitution: substitution.clone() });
    let prefix_rewrite =
        if regex_rewrite.is_some() { None } else { rewrite.and_then(|r| r.uri.clone()).filter(|u| !u.is_empty()) };
    let host_rewrite = rewrite.and_then(|r| r.authority.clone()).filter(|a| !a.is_empty());
    let mut mirrors = Vec::new();
    if let Some(m) = http.get(|h| h.mirror.as_ref()) {
        let percent = http.get(|h| h.mirror_percentage.as_ref()).cloned().flatten();
        mirrors.push(Mirror {
            cluster: cluster_of(cx, m, &vs.namespace),
            percent: percent.unwrap_or_else(|| "100".into()),
        });
    }
    for m in http.get(|h| h.mirrors.as_ref()).map_or(&[][..], Vec::as_slice) {
        if let Some(d) = &m.destination {
            mirrors.push(Mirror {
                cluster: cluster_of(cx, d, &vs.namespace),
                percent: m.percentage.clone().unwrap_or_else(|| "100".into()),
            });
        }
    }
    let timeout = Some(
        http.get(|h| h.timeout.as_ref())
            .cloned()
            .flatten()
            .unwrap_or_else(|| "0s (disabled, Istio's default)".to_string()),
    );
    let retries = Some(match http.get(|h| h.retries.as_ref()) {
        Some(r) => {
            let mut s = format!("{} attempts", r.attempts);
            if let Some(t) = &r.per_try_timeout {
                s.push_str(&format!(", perTryTimeout {t}"));
            }
            if let Some(on) = &r.retry_on {
                s.push_str(&format!(", retryOn {on}"));
            }
            s
        }
        None => "2 attempts, retryOn connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes (503) (the mesh default)".into(),
    });
    (RouteAction::Route { clusters, prefix_rewrite, regex_rewrite, host_rewrite }, timeout, retries, mirrors)
}

/// Istio `GetDestinationCluster`.
fn cluster_of(cx: &RouteContext<'_>, d: &RouteDestination, vs_namespace: &str) -> String {
    let Some(host) = d.host.as_deref().filter(|h| !h.is_empty()) else { return "UnknownService".into() };
    let host = resolve_short_name(host, vs_namespace, crate::registry::mesh_config::DEFAULT_DOMAIN);
    let port = d.port.or_else(|| (cx.single_port)(&host)).unwrap_or(cx.listen_port);
    let h = (cx.alias_target)(&host).unwrap_or(host);
    format!("outbound|{port}|{}|{h}", d.subset)
}
