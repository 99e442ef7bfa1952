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
use crate::load::Input;
use crate::registry::read::{list, set, str_of, string, u32_of};
use crate::registry::virtual_service::VirtualService;
use crate::registry::Registry;
use crate::resolve::Proxy;
use crate::yaml::Node;

/// What translating routes needs to know about the proxy and the port.
pub(crate) struct RouteContext<'a> {
    pub reg: &'a Registry,
    pub input: &'a Input,
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
    let Some(spec) = cx.input.resources.get(vs.resource).and_then(|r| r.spec()) else { return Vec::new() };
    let mut out = Vec::new();
    for (i, http) in list(spec, "http").iter().enumerate() {
        let from = Source { vs, resource: vs.resource, path: format!("spec.http[{i}]"), index: i };
        if let Some(delegate) = set(http, "delegate") {
            // A delegate's routes replace this one, each under the root's matches merged in.
            if delegated(cx, vs, http, delegate, &from, &mut out) {
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
    own: &'a Node,
    root: Option<&'a Node>,
}

impl<'a> Http<'a> {
    fn get(&self, key: &str) -> Option<&'a Node> {
        set(self.own, key).or_else(|| self.root.and_then(|r| set(r, key)))
    }
    /// `mergeHTTPRoute`: the delegate's name, prefixed by the root's (`root-delegate`).
    fn name(&self) -> String {
        let own = string(self.own, "name");
        match self.root.map(|r| string(r, "name")).filter(|r| !r.is_empty()) {
            Some(root) if own.is_empty() => root.to_string(),
            Some(root) => format!("{root}-{own}"),
            None => own.to_string(),
        }
    }
}

struct Source<'a> {
    vs: &'a VirtualService,
    resource: usize,
    path: String,
    /// `http[i]` of the root VirtualService.
    index: usize,
}

/// Translates one `http[]` entry (every match, or none); true when a catch-all route ends the list.
fn translate_all(
    cx: &RouteContext<'_>,
    http: Http<'_>,
    root_matches: &[&Node],
    from: &Source<'_>,
    out: &mut Vec<Route>,
) -> bool {
    let matches = list(http.own, "match");
    if matches.is_empty() && root_matches.is_empty() {
        if let Some(r) = translate(cx, http, None, from) {
            out.push(r);
        }
        return true;
    }
    let own: Vec<Option<&Node>> = if matches.is_empty() { vec![None] } else { matches.iter().map(Some).collect() };
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
    own: Option<&'a Node>,
    root: Option<&'a Node>,
}

impl MatchSource<'_> {
    /// The delegate's field if set, else the root's (Istio merges root conditions into the delegate's).
    fn get(&self, key: &str) -> Option<&Node> {
        self.own.and_then(|m| set(m, key)).or_else(|| self.root.and_then(|m| set(m, key)))
    }
    /// `mergeHTTPMatchRequest`: the delegate's match name, prefixed by the root's (`root-delegate`).
    fn name(&self) -> String {
        let own = self.own.map(|m| string(m, "name")).unwrap_or("");
        match self.root.map(|r| string(r, "name")).filter(|r| !r.is_empty()) {
            Some(root) if own.is_empty() => root.to_string(),
            Some(root) => format!("{root}-{own}"),
            None => own.to_string(),
        }
    }
    fn maps(&self, key: &str) -> Vec<(String, &Node)> {
        let mut out: Vec<(String, &Node)> = Vec::new();
        for m in [self.root, self.own].into_iter().flatten() {
            for e in set(m, key).and_then(Node::as_map).unwrap_or(&[]) {
                let k = e.key.scalar_text().unwrap_or("").to_string();
                out.retain(|(n, _)| *n != k);
                out.push((k, &e.value));
            }
        }
        out
    }
}

fn delegated(
    cx: &RouteContext<'_>,
    root: &VirtualService,
    http: &Node,
    delegate: &Node,
    from: &Source<'_>,
    out: &mut Vec<Route>,
) -> bool {
    let name = string(delegate, "name");
    let ns = str_of(delegate, "namespace").filter(|n| !n.is_empty()).unwrap_or(&root.namespace);
    let Some(index) = cx.input.resources.iter().position(|r| {
        r.kind == crate::load::ResourceKind::VirtualService
            && r.name == name
            && r.namespace == ns
            && r.spec().is_some_and(|s| list(s, "hosts").is_empty())
    }) else {
        return false;
    };
    let spec = cx.input.resources[index].spec().expect("checked above");
    let root_matches: Vec<&Node> = list(http, "match").iter().collect();
    for (j, h) in list(spec, "http").iter().enumerate() {
        let f = Source { vs: from.vs, resource: index, path: format!("spec.http[{j}]"), index: from.index };
        if translate_all(cx, Http { own: h, root: Some(http) }, &root_matches, &f, out) {
            return true;
        }
    }
    false
}

/// Istio `TranslateRoute`: `None` when the match is for another port or other source workloads.
fn translate(cx: &RouteContext<'_>, http: Http<'_>, m: Option<&MatchSource<'_>>, from: &Source<'_>) -> Option<Route> {
    if let Some(m) = m {
        let port = m.get("port").and_then(Node::as_int).unwrap_or(0);
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
    let (action, timeout, retries, mirrors) = if let Some(r) = set(http.own, "redirect") {
        (redirect(r, cx.listen_port), None, None, Vec::new())
    } else if let Some(d) = http.get("directResponse") {
        (direct_response(d), None, None, Vec::new())
    } else {
        destination(cx, http, from.vs)
    };
    let vs_id = from.vs.id();
    let source_name = if from.resource == from.vs.resource {
        vs_id.clone()
    } else {
        let r = &cx.input.resources[from.resource];
        format!("{}/{}", r.namespace, r.name)
    };
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
    if let Some(g) = m.get("gateways").and_then(Node::as_seq).filter(|g| !g.is_empty()) {
        return g.iter().any(|g| g.scalar_text() == Some("mesh"));
    }
    let labels = m.get("sourceLabels").and_then(Node::as_map).unwrap_or(&[]);
    let subset = labels.iter().all(|e| {
        let (k, v) = (e.key.scalar_text().unwrap_or(""), e.value.scalar_text().unwrap_or(""));
        proxy.labels.get(k).is_some_and(|l| l == v)
    });
    let ns = m.get("sourceNamespace").and_then(Node::scalar_text).unwrap_or("");
    subset && (ns.is_empty() || ns == proxy.namespace)
}

/// Istio `canBeConvertedToPresentMatch` and `ConvertToEnvoyMatch`.
fn string_match(n: &Node) -> Option<StringMatch> {
    let Some(map) = n.as_map().filter(|m| !m.is_empty()) else { return Some(StringMatch::Present) };
    if let Some(r) = str_of(n, "regex") {
        return Some(if r == "*" { StringMatch::Present } else { StringMatch::Regex(r.to_string()) });
    }
    if let Some(e) = str_of(n, "exact") {
        return Some(StringMatch::Exact(e.to_string()));
    }
    if let Some(p) = str_of(n, "prefix") {
        return Some(StringMatch::Prefix(p.to_string()));
    }
    let _ = map;
    None
}

/// Istio `TranslateRouteMatch` (sidecar semantics: a prefix stays a plain prefix).
fn route_match(m: &MatchSource<'_>) -> RouteMatch {
    let mut out = RouteMatch::any();
    let mut headers: Vec<HeaderMatch> = Vec::new();
    for (name, v) in m.maps("headers") {
        if let Some(value) = string_match(v) {
            headers.push(HeaderMatch {
                name: name.to_ascii_lowercase(),
                value,
                invert: false,
                treat_missing_as_empty: false,
            });
        }
    }
    for (name, v) in m.maps("withoutHeaders") {
        if let Some(value) = string_match(v) {
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
    if let Some(uri) = m.get("uri") {
        if let Some(e) = str_of(uri, "exact") {
            out.path = PathMatch::Exact(e.to_string());
        } else if let Some(p) = str_of(uri, "prefix") {
            out.path = PathMatch::Prefix(p.to_string());
        } else if let Some(r) = str_of(uri, "regex") {
            out.path = PathMatch::Regex(r.to_string());
        }
    }
    out.case_sensitive = !m.get("ignoreUriCase").and_then(Node::as_bool).unwrap_or(false);
    for (key, name) in [("method", ":method"), ("authority", ":authority"), ("scheme", ":scheme")] {
        if let Some(value) = m.get(key).and_then(string_match) {
            headers.push(HeaderMatch { name: name.into(), value, invert: false, treat_missing_as_empty: false });
        }
    }
    out.headers = headers;
    let mut params: Vec<QueryParamMatch> = m
        .maps("queryParams")
        .into_iter()
        .filter_map(|(name, v)| string_match(v).map(|value| QueryParamMatch { name, value }))
        .collect();
    params.sort_by(|a, b| a.name.cmp(&b.name));
    out.query_params = params;
    out
}

/// Istio `ApplyRedirect` (a sidecar never terminates TLS: the default scheme is http).
fn redirect(r: &Node, listen_port: u32) -> RouteAction {
    let status = match r.get("redirectCode").and_then(Node::as_int).unwrap_or(0) {
        0 | 301 => 301,
        c @ (302 | 303 | 307 | 308) => c as u32,
        _ => return RouteAction::None,
    };
    let scheme = str_of(r, "scheme").filter(|s| !s.is_empty()).map(str::to_string);
    let mut port = if let Some(p) = u32_of(r, "port") {
        Some(p)
    } else if str_of(r, "derivePort") == Some("FROM_REQUEST_PORT") {
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
    let prefix_rewrite = str_of(r, "redirectPrefix").filter(|s| !s.is_empty()).map(str::to_string);
    RouteAction::Redirect {
        status,
        scheme,
        host: str_of(r, "authority").filter(|s| !s.is_empty()).map(str::to_string),
        port,
        path: if prefix_rewrite.is_some() {
            None
        } else {
            str_of(r, "uri").filter(|s| !s.is_empty()).map(str::to_string)
        },
        prefix_rewrite,
    }
}

/// Istio `ApplyDirectResponse`.
fn direct_response(d: &Node) -> RouteAction {
    let body = set(d, "body").and_then(|b| str_of(b, "string").or_else(|| str_of(b, "bytes"))).map(str::to_string);
    RouteAction::DirectResponse { status: u32_of(d, "status").unwrap_or(0), body }
}

type Facts = (RouteAction, Option<String>, Option<String>, Vec<Mirror>);

/// Istio `applyHTTPRouteDestination`: the cluster (or weighted clusters), rewrites, mirrors,
/// timeout and retries.
fn destination(cx: &RouteContext<'_>, http: Http<'_>, vs: &VirtualService) -> Facts {
    let routes = list(http.own, "route");
    let clusters: Vec<WeightedCluster> = if routes.len() == 1 {
        let cluster = set(&routes[0], "destination")
            .map(|d| cluster_of(cx, d, &vs.namespace))
            .unwrap_or_else(|| "UnknownService".into());
        vec![WeightedCluster { cluster, weight: None }]
    } else {
        routes
            .iter()
            .filter(|r| r.get("weight").and_then(Node::as_int).unwrap_or(0) != 0)
            .map(|r| WeightedCluster {
                cluster: set(r, "destination")
                    .map(|d| cluster_of(cx, d, &vs.namespace))
                    .unwrap_or_else(|| "UnknownService".into()),
                weight: r.get("weight").and_then(Node::as_int).and_then(|w| u32::try_from(w).ok()),
            })
            .collect()
    };
    let rewrite = http.get("rewrite");
    let regex_rewrite = rewrite.and_then(|r| set(r, "uriRegexRewrite")).map(|r| RegexRewrite {
        pattern: string(r, "match").to_string(),
        substitution: string(r, "rewrite").to_string(),
    });
    let prefix_rewrite = if regex_rewrite.is_some() {
        None
    } else {
        rewrite.and_then(|r| str_of(r, "uri")).filter(|u| !u.is_empty()).map(str::to_string)
    };
    let host_rewrite = rewrite.and_then(|r| str_of(r, "authority")).filter(|a| !a.is_empty()).map(str::to_string);
    let mut mirrors = Vec::new();
    if let Some(m) = http.get("mirror") {
        let percent =
            http.get("mirrorPercentage").and_then(|p| p.get("value")).and_then(Node::scalar_text).map(str::to_string);
        mirrors.push(Mirror {
            cluster: cluster_of(cx, m, &vs.namespace),
            percent: percent.unwrap_or_else(|| "100".into()),
        });
    }
    for m in http.get("mirrors").and_then(Node::as_seq).unwrap_or(&[]) {
        if let Some(d) = set(m, "destination") {
            let percent =
                set(m, "percentage").and_then(|p| p.get("value")).and_then(Node::scalar_text).map(str::to_string);
            mirrors.push(Mirror {
                cluster: cluster_of(cx, d, &vs.namespace),
                percent: percent.unwrap_or_else(|| "100".into()),
            });
        }
    }
    let timeout =
        Some(http.get("timeout").and_then(Node::scalar_text).unwrap_or("0s (disabled, Istio's default)").to_string());
    let retries = Some(match http.get("retries") {
        Some(r) => {
            let attempts = r.get("attempts").and_then(Node::as_int).unwrap_or(0);
            let mut s = format!("{attempts} attempts");
            if let Some(t) = str_of(r, "perTryTimeout") {
                s.push_str(&format!(", perTryTimeout {t}"));
            }
            if let Some(on) = str_of(r, "retryOn") {
                s.push_str(&format!(", retryOn {on}"));
            }
            s
        }
        None => "2 attempts, retryOn connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes (503) (the mesh default)".into(),
    });
    (RouteAction::Route { clusters, prefix_rewrite, regex_rewrite, host_rewrite }, timeout, retries, mirrors)
}

/// Istio `GetDestinationCluster`.
fn cluster_of(cx: &RouteContext<'_>, d: &Node, vs_namespace: &str) -> String {
    let Some(host) = str_of(d, "host").filter(|h| !h.is_empty()) else { return "UnknownService".into() };
    let host = resolve_short_name(host, vs_namespace, crate::registry::mesh_config::DEFAULT_DOMAIN);
    let port =
        set(d, "port").and_then(|p| u32_of(p, "number")).or_else(|| (cx.single_port)(&host)).unwrap_or(cx.listen_port);
    let h = (cx.alias_target)(&host).unwrap_or(host);
    let _ = cx.reg;
    format!("outbound|{port}|{}|{h}", string(d, "subset"))
}
