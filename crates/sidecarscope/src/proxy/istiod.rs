//! The istiod feature flags (environment variables of istiod, `pilot/pkg/features`) that change
//! the listeners of a sidecar, with Istio's defaults. Users pass them as `KEY=VALUE` pairs, the
//! way they set them on the istiod Deployment.

use std::collections::BTreeMap;

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IstiodEnv {
    /// `ENABLE_TLS_ON_SIDECAR_INGRESS` (false): honour Sidecar `ingress[].tls`.
    pub enable_tls_on_sidecar_ingress: bool,
    /// `PILOT_ALLOW_SIDECAR_SERVICE_INBOUND_LISTENER_MERGE` (false): keep service ports as inbound
    /// chains next to a Sidecar's `ingress`.
    pub sidecar_service_inbound_listener_merge: bool,
    /// `PILOT_ENABLE_HEADLESS_FILTER_CHAIN_LISTENER` (false): one wildcard listener with a /32
    /// chain per endpoint for headless TCP ports, instead of one listener per endpoint.
    pub headless_filter_chain_listener: bool,
    /// `PILOT_HTTP10` (false): also sniff `http/1.0`.
    pub http10: bool,
    /// `PILOT_ENABLE_MONGO_FILTER` (true): a `mongo_proxy` filter before the TCP proxy.
    pub mongo_filter: bool,
    /// `PILOT_ENABLE_REDIS_FILTER` (false): a `redis_proxy` filter instead of the TCP proxy.
    pub redis_filter: bool,
    /// `PILOT_ENABLE_MYSQL_FILTER` (false): a `mysql_proxy` filter before the TCP proxy.
    pub mysql_filter: bool,
}

impl Default for IstiodEnv {
    fn default() -> Self {
        IstiodEnv {
            enable_tls_on_sidecar_ingress: false,
            sidecar_service_inbound_listener_merge: false,
            headless_filter_chain_listener: false,
            http10: false,
            mongo_filter: true,
            redis_filter: false,
            mysql_filter: false,
        }
    }
}

/// The flags this module knows, for messages.
pub const KNOWN: &[&str] = &[
    "ENABLE_TLS_ON_SIDECAR_INGRESS",
    "PILOT_ALLOW_SIDECAR_SERVICE_INBOUND_LISTENER_MERGE",
    "PILOT_ENABLE_HEADLESS_FILTER_CHAIN_LISTENER",
    "PILOT_HTTP10",
    "PILOT_ENABLE_MONGO_FILTER",
    "PILOT_ENABLE_REDIS_FILTER",
    "PILOT_ENABLE_MYSQL_FILTER",
];

impl IstiodEnv {
    /// Reads the flags from `KEY=VALUE` pairs. Values are parsed as Go's `strconv.ParseBool`
    /// (istiod's `env.Register` for booleans); a value it rejects leaves the default, as in
    /// istiod. Returns the flags and one note per key that is unknown or unparsable.
    pub fn from_map(vars: &BTreeMap<String, String>) -> (IstiodEnv, Vec<String>) {
        let mut env = IstiodEnv::default();
        let mut notes = Vec::new();
        for (key, value) in vars {
            let field = match key.as_str() {
                "ENABLE_TLS_ON_SIDECAR_INGRESS" => &mut env.enable_tls_on_sidecar_ingress,
                "PILOT_ALLOW_SIDECAR_SERVICE_INBOUND_LISTENER_MERGE" => &mut env.sidecar_service_inbound_listener_merge,
                "PILOT_ENABLE_HEADLESS_FILTER_CHAIN_LISTENER" => &mut env.headless_filter_chain_listener,
                "PILOT_HTTP10" => &mut env.http10,
                "PILOT_ENABLE_MONGO_FILTER" => &mut env.mongo_filter,
                "PILOT_ENABLE_REDIS_FILTER" => &mut env.redis_filter,
                "PILOT_ENABLE_MYSQL_FILTER" => &mut env.mysql_filter,
                _ => {
                    notes.push(format!(
                        "istiod env {key} does not change sidecar listeners (known: {}); ignored",
                        KNOWN.join(", ")
                    ));
                    continue;
                }
            };
            match parse_bool(value) {
                Some(b) => *field = b,
                None => notes.push(format!("istiod env {key}={value:?} is not a boolean to Go's strconv.ParseBool, so istiod keeps the default ({})", *field)),
            }
        }
        (env, notes)
    }
}

/// Go `strconv.ParseBool`.
pub(crate) fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Some(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Some(false),
        _ => None,
    }
}
