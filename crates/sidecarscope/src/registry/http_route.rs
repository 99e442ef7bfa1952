//! A VirtualService's `http[]` routes as the registry keeps them, typed, for listeners and trace
//! to translate into Envoy routes (`listeners/http_routes.rs`) without reading YAML.
//!
//! Each field keeps what decides istiod's behaviour: whether it is set (an `Option` is `None`
//! exactly when the field is absent or `null`, which matters because a delegate's field replaces
//! its root's only when set: `mergeHTTPRoute` in `pilot/pkg/model/virtualservice.go`), and the
//! value as the translation reads it (a wrongly typed value reads as unset or zero, as protobuf
//! decoding would have refused it at admission).

use serde::Serialize;

use crate::yaml::fields::{list, set, str_of, string, u32_of};
use crate::yaml::Node;

/// How a header, query parameter, method, authority or scheme is matched (Istio's
/// `StringMatch`, as `ConvertToEnvoyMatch` and `canBeConvertedToPresentMatch` produce them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum StringMatch {
    Exact(String),
    Prefix(String),
    Regex(String),
    /// The header or parameter is present, whatever its value (an empty match, or regex `*`).
    Present,
}

/// Istio `canBeConvertedToPresentMatch` and `ConvertToEnvoyMatch`: `None` when the match has
/// none of `exact`, `prefix`, `regex`.
fn string_match(n: &Node) -> Option<StringMatch> {
    if n.as_map().is_none_or(|m| m.is_empty()) {
        return Some(StringMatch::Present);
    }
    if let Some(r) = str_of(n, "regex") {
        return Some(if r == "*" { StringMatch::Present } else { StringMatch::Regex(r.to_string()) });
    }
    if let Some(e) = str_of(n, "exact") {
        return Some(StringMatch::Exact(e.to_string()));
    }
    str_of(n, "prefix").map(|p| StringMatch::Prefix(p.to_string()))
}

/// A `map<string, StringMatch>` field (`headers`, `withoutHeaders`, `queryParams`), in written
/// order; a key that is not a string reads as `""`.
fn string_matches(m: &Node, key: &str) -> Vec<(String, Option<StringMatch>)> {
    set(m, key)
        .and_then(Node::as_map)
        .unwrap_or(&[])
        .iter()
        .map(|e| (e.key.scalar_text().unwrap_or("").to_string(), string_match(&e.value)))
        .collect()
}

/// `uri` of a match: its `exact`, `prefix` and `regex` strings.
#[derive(Debug, Clone, Default)]
pub struct UriMatch {
    pub exact: Option<String>,
    pub prefix: Option<String>,
    pub regex: Option<String>,
}

/// One `http[].match[]` item (`HTTPMatchRequest`). `None` fields are unset.
#[derive(Debug, Clone, Default)]
pub struct HttpMatch {
    pub name: String,
    pub uri: Option<UriMatch>,
    /// `ignoreUriCase` (a non-boolean reads as `false`).
    pub ignore_uri_case: Option<bool>,
    /// `method`, `authority`, `scheme`: `Some(None)` when set but none of exact/prefix/regex.
    pub method: Option<Option<StringMatch>>,
    pub authority: Option<Option<StringMatch>>,
    pub scheme: Option<Option<StringMatch>>,
    pub headers: Vec<(String, Option<StringMatch>)>,
    pub without_headers: Vec<(String, Option<StringMatch>)>,
    pub query_params: Vec<(String, Option<StringMatch>)>,
    /// `port` (a non-integer reads as 0: any port).
    pub port: Option<i128>,
    /// `gateways`, as their text (a non-list reads as empty).
    pub gateways: Option<Vec<String>>,
    /// `sourceLabels` (a non-map reads as empty).
    pub source_labels: Option<Vec<(String, String)>>,
    pub source_namespace: Option<String>,
}

impl HttpMatch {
    fn read(m: &Node) -> HttpMatch {
        let matched = |key: &str| set(m, key).map(string_match);
        HttpMatch {
            name: string(m, "name").to_string(),
            uri: set(m, "uri").map(|u| UriMatch {
                exact: str_of(u, "exact").map(str::to_string),
                prefix: str_of(u, "prefix").map(str::to_string),
                regex: str_of(u, "regex").map(str::to_string),
            }),
            ignore_uri_case: set(m, "ignoreUriCase").map(|b| b.as_bool().unwrap_or(false)),
            method: matched("method"),
            authority: matched("authority"),
            scheme: matched("scheme"),
            headers: string_matches(m, "headers"),
            without_headers: string_matches(m, "withoutHeaders"),
            query_params: string_matches(m, "queryParams"),
            port: set(m, "port").map(|p| p.as_int().unwrap_or(0)),
            gateways: set(m, "gateways")
                .map(|g| g.as_seq().unwrap_or(&[]).iter().map(|g| g.scalar_text().unwrap_or("").to_string()).collect()),
            source_labels: set(m, "sourceLabels").map(|l| {
                l.as_map()
                    .unwrap_or(&[])
                    .iter()
                    .map(|e| {
                        (e.key.scalar_text().unwrap_or("").to_string(), e.value.scalar_text().unwrap_or("").to_string())
                    })
                    .collect()
            }),
            source_namespace: set(m, "sourceNamespace").map(|n| n.scalar_text().unwrap_or("").to_string()),
        }
    }
}

/// A `Destination` of a route, a mirror or mirrors (host as written: short names are expanded
/// against the VirtualService's namespace where it is used).
#[derive(Debug, Clone, Default)]
pub struct RouteDestination {
    pub host: Option<String>,
    /// `port.number`.
    pub port: Option<u32>,
    pub subset: String,
}

impl RouteDestination {
    fn read(d: &Node) -> RouteDestination {
        RouteDestination {
            host: str_of(d, "host").map(str::to_string),
            port: set(d, "port").and_then(|p| u32_of(p, "number")),
            subset: string(d, "subset").to_string(),
        }
    }
}

/// `http[].route[]` (`HTTPRouteDestination`).
#[derive(Debug, Clone)]
pub struct WeightedDestination {
    pub destination: Option<RouteDestination>,
    pub weight: Option<i128>,
}

/// `http[].redirect` (`HTTPRedirect`).
#[derive(Debug, Clone)]
pub struct Redirect {
    /// `redirectCode` (unset or not an integer: 0).
    pub code: i128,
    pub scheme: Option<String>,
    pub port: Option<u32>,
    pub derive_port: Option<String>,
    pub redirect_prefix: Option<String>,
    pub authority: Option<String>,
    pub uri: Option<String>,
}

/// `http[].directResponse`.
#[derive(Debug, Clone)]
pub struct DirectResponse {
    pub status: Option<u32>,
    /// `body.string`, else `body.bytes`.
    pub body: Option<String>,
}

/// `http[].rewrite` (`HTTPRewrite`).
#[derive(Debug, Clone)]
pub struct Rewrite {
    /// `uriRegexRewrite`: (`match`, `rewrite`).
    pub uri_regex_rewrite: Option<(String, String)>,
    pub uri: Option<String>,
    pub authority: Option<String>,
}

/// `http[].mirrors[]` (`HTTPMirrorPolicy`).
#[derive(Debug, Clone)]
pub struct MirrorPolicy {
    pub destination: Option<RouteDestination>,
    /// `percentage.value`, as written.
    pub percentage: Option<String>,
}

/// `http[].retries` (`HTTPRetry`).
#[derive(Debug, Clone)]
pub struct Retries {
    pub attempts: i128,
    pub per_try_timeout: Option<String>,
    pub retry_on: Option<String>,
}

/// `http[].delegate`: the VirtualService whose routes replace this one.
#[derive(Debug, Clone)]
pub struct Delegate {
    pub name: String,
    /// `None` or empty: the root VirtualService's namespace.
    pub namespace: Option<String>,
}

/// One `http[]` entry (`HTTPRoute`). Fields a delegate inherits from its root when unset are
/// `Option`s that are `None` exactly when unset.
#[derive(Debug, Clone)]
pub struct HttpRoute {
    pub name: String,
    pub matches: Vec<HttpMatch>,
    pub delegate: Option<Delegate>,
    pub route: Vec<WeightedDestination>,
    pub redirect: Option<Redirect>,
    pub direct_response: Option<DirectResponse>,
    pub rewrite: Option<Rewrite>,
    pub mirror: Option<RouteDestination>,
    /// `mirrorPercentage`, set, with its `value` as written.
    pub mirror_percentage: Option<Option<String>>,
    /// `mirrors` (a non-list reads as empty).
    pub mirrors: Option<Vec<MirrorPolicy>>,
    /// `timeout`, set, as written.
    pub timeout: Option<Option<String>>,
    pub retries: Option<Retries>,
}

impl HttpRoute {
    fn read(h: &Node) -> HttpRoute {
        HttpRoute {
            name: string(h, "name").to_string(),
            matches: list(h, "match").iter().map(HttpMatch::read).collect(),
            delegate: set(h, "delegate").map(|d| Delegate {
                name: string(d, "name").to_string(),
                namespace: str_of(d, "namespace").map(str::to_string),
            }),
            route: list(h, "route")
                .iter()
                .map(|r| WeightedDestination {
                    destination: set(r, "destination").map(RouteDestination::read),
                    weight: r.get("weight").and_then(Node::as_int),
                })
                .collect(),
            redirect: set(h, "redirect").map(|r| Redirect {
                code: r.get("redirectCode").and_then(Node::as_int).unwrap_or(0),
                scheme: str_of(r, "scheme").map(str::to_string),
                port: u32_of(r, "port"),
                derive_port: str_of(r, "derivePort").map(str::to_string),
                redirect_prefix: str_of(r, "redirectPrefix").map(str::to_string),
                authority: str_of(r, "authority").map(str::to_string),
                uri: str_of(r, "uri").map(str::to_string),
            }),
            direct_response: set(h, "directResponse").map(|d| DirectResponse {
                status: u32_of(d, "status"),
                body: set(d, "body")
                    .and_then(|b| str_of(b, "string").or_else(|| str_of(b, "bytes")))
                    .map(str::to_string),
            }),
            rewrite: set(h, "rewrite").map(|r| Rewrite {
                uri_regex_rewrite: set(r, "uriRegexRewrite")
                    .map(|x| (string(x, "match").to_string(), string(x, "rewrite").to_string())),
                uri: str_of(r, "uri").map(str::to_string),
                authority: str_of(r, "authority").map(str::to_string),
            }),
            mirror: set(h, "mirror").map(RouteDestination::read),
            mirror_percentage: set(h, "mirrorPercentage")
                .map(|p| p.get("value").and_then(Node::scalar_text).map(str::to_string)),
            mirrors: set(h, "mirrors").map(|m| {
                m.as_seq()
                    .unwrap_or(&[])
                    .iter()
                    .map(|m| MirrorPolicy {
                        destination: set(m, "destination").map(RouteDestination::read),
                        percentage: set(m, "percentage")
                            .and_then(|p| p.get("value"))
                            .and_then(Node::scalar_text)
                            .map(str::to_string),
                    })
                    .collect()
            }),
            timeout: set(h, "timeout").map(|t| t.scalar_text().map(str::to_string)),
            retries: set(h, "retries").map(|r| Retries {
                attempts: r.get("attempts").and_then(Node::as_int).unwrap_or(0),
                per_try_timeout: str_of(r, "perTryTimeout").map(str::to_string),
                retry_on: str_of(r, "retryOn").map(str::to_string),
            }),
        }
    }
}

/// `spec.http` of a VirtualService.
pub(crate) fn http_routes(spec: &Node) -> Vec<HttpRoute> {
    list(spec, "http").iter().map(HttpRoute::read).collect()
}

/// A VirtualService without hosts: a delegate, whose routes only apply through a root
/// VirtualService's `http[].delegate`.
#[derive(Debug, Clone)]
pub struct DelegateRoutes {
    pub namespace: String,
    pub name: String,
    pub http: Vec<HttpRoute>,
    pub resource: usize,
}
