//! JavaScript arguments to core types, with the CLI's rules and clear errors: the input texts
//! (`SourceInput`), whose proxy (`ProxySpec`, the CLI's `--workload`/`--namespace` options) and
//! which call (`CallSpec`, the CLI's `trace` options).

use std::collections::BTreeMap;

use js_sys::{Array, Error, Object};
use serde::Deserialize;
use sidecarscope::go::net::is_ip_address;
use sidecarscope::suppress::Rule;
use sidecarscope::trace::{check_request, Call, CallDirection, CallProtocol, CallTls, Header};
use sidecarscope::{Input, Proxy, Registry, SourceFile, Workload};
use wasm_bindgen::{JsCast, JsValue};

/// The file name of a text given as a plain string (the playground's name for its editor).
pub const DEFAULT_NAME: &str = "input.yaml";

fn err(msg: impl std::fmt::Display) -> Error {
    Error::new(&format!("sidecarscope: {msg}"))
}

/// Deserializes a JS object after checking that it has only `fields` (serde-wasm-bindgen looks
/// fields up by name, so `deny_unknown_fields` would not see a misspelt one), naming the
/// argument in the error.
fn from_js<T: for<'de> Deserialize<'de>>(value: &JsValue, what: &str, fields: &[&str]) -> Result<T, Error> {
    if let Some(o) = value.dyn_ref::<Object>() {
        for key in Object::keys(o).iter().filter_map(|k| k.as_string()) {
            if !fields.contains(&key.as_str()) {
                let known: Vec<String> = fields.iter().map(|f| format!("`{f}`")).collect();
                return Err(err(format!("{what}: unknown field `{key}`, expected one of {}", known.join(", "))));
            }
        }
    }
    serde_wasm_bindgen::from_value(value.clone()).map_err(|e| {
        let msg = e.to_string();
        err(format!("{what}: {}", msg.strip_prefix("Error: ").unwrap_or(&msg)))
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AnalyzeOptions {
    #[serde(default)]
    suppress: Vec<String>,
    default_namespace: Option<String>,
}

/// `analyze`'s options: `{ suppress: ["IST0101=Sidecar default/*"], defaultNamespace: "prod" }`:
/// the suppression rules and the namespace of resources without one (the CLI's
/// `--default-namespace`). Rules with codes no tool reports are kept (istioctl warns and goes
/// on); malformed rules and namespaces throw.
pub fn parse_analyze_options(value: &JsValue) -> Result<(Vec<Rule>, Option<String>), Error> {
    if !value.is_object() || Array::is_array(value) {
        return Err(err(format!(
            "options must be an object such as {{ suppress: [\"IST0101=Sidecar default/*\"] }}, not {}",
            js_type(value)
        )));
    }
    let o: AnalyzeOptions = from_js(value, "options", &["suppress", "defaultNamespace"])?;
    if let Some(ns) = &o.default_namespace {
        let label = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
        let b = ns.as_bytes();
        if b.len() > 63
            || !b.first().is_some_and(|&c| label(c))
            || !b.last().is_some_and(|&c| label(c))
            || !b.iter().all(|&c| label(c) || c == b'-')
        {
            return Err(err(format!("options.defaultNamespace {ns:?}: a namespace is a lowercase RFC 1123 label (a-z, 0-9 and '-', at most 63 characters)")));
        }
    }
    let rules = o
        .suppress
        .iter()
        .map(|s| Rule::parse(s).map(|(rule, _)| rule).map_err(|e| err(format!("options.suppress: {e}"))))
        .collect::<Result<_, _>>()?;
    Ok((rules, o.default_namespace))
}

#[derive(Deserialize)]
struct SourceText {
    name: String,
    text: String,
}

/// `string` (one text, named `input.yaml`) or `{ name, text }[]` (several files, in order).
pub fn parse_input(value: &JsValue) -> Result<Input, Error> {
    parse_input_in(value, sidecarscope::DEFAULT_NAMESPACE)
}

/// As [`parse_input`], resources without `metadata.namespace` going to `default_namespace`.
pub fn parse_input_in(value: &JsValue, default_namespace: &str) -> Result<Input, Error> {
    if let Some(text) = value.as_string() {
        return Ok(sidecarscope::load_with_default_namespace(
            vec![SourceFile::new(DEFAULT_NAME, text)],
            default_namespace,
        ));
    }
    if Array::is_array(value) {
        let files = Array::from(value)
            .iter()
            .enumerate()
            .map(|(i, f)| {
                if !f.is_object() || Array::is_array(&f) {
                    return Err(err(format!("input[{i}] must be a {{ name, text }} object, not {}", js_type(&f))));
                }
                from_js::<SourceText>(&f, &format!("input[{i}]"), &["name", "text"])
            })
            .collect::<Result<Vec<_>, Error>>()?;
        return Ok(sidecarscope::load_with_default_namespace(
            files.into_iter().map(|f| SourceFile::new(f.name, f.text)).collect(),
            default_namespace,
        ));
    }
    Err(err(format!(
        "input must be a string (YAML or JSON) or an array of {{ name, text }} objects, not {}",
        js_type(value)
    )))
}

fn js_type(value: &JsValue) -> String {
    if value.is_null() {
        "null".into()
    } else {
        value.js_typeof().as_string().unwrap_or_else(|| "unknown".into())
    }
}

/// `ProxySpec`: a workload of the input, or a namespace and labels; plus IP, node metadata and
/// istiod's feature flags.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ProxyArgs {
    workload: Option<String>,
    namespace: Option<String>,
    labels: Option<BTreeMap<String, String>>,
    ip: Option<String>,
    #[serde(default)]
    metadata: BTreeMap<String, String>,
    #[serde(default)]
    pub istiod_env: BTreeMap<String, String>,
}

pub fn parse_proxy(value: &JsValue) -> Result<ProxyArgs, Error> {
    if !value.is_object() || Array::is_array(value) {
        return Err(err(format!(
            "proxy must be an object: {{ workload: \"namespace/name\" }} or {{ namespace: \"ns\", labels: {{ app: \"x\" }} }}, not {}",
            js_type(value)
        )));
    }
    let p: ProxyArgs = from_js(value, "proxy", &["workload", "namespace", "labels", "ip", "metadata", "istiodEnv"])?;
    match (&p.workload, &p.namespace) {
        (Some(_), Some(_)) => return Err(err("proxy: give either workload or namespace (with labels), not both")),
        (Some(_), None) if p.labels.is_some() => {
            return Err(err("proxy: labels go with namespace; a workload brings its own labels"))
        }
        (None, None) => {
            return Err(err(
                "proxy: say whose proxy: { workload: \"namespace/name\" } or { namespace: \"ns\", labels: {...} }",
            ))
        }
        (None, Some(ns)) if ns.is_empty() => return Err(err("proxy: namespace is empty")),
        _ => {}
    }
    if let Some(ip) = &p.ip {
        if !is_ip_address(ip) {
            return Err(err(format!("proxy: ip {ip:?} is not an IP address")));
        }
    }
    for (what, map) in
        [("labels", p.labels.as_ref()), ("metadata", Some(&p.metadata)), ("istiodEnv", Some(&p.istiod_env))]
    {
        if map.is_some_and(|m| m.keys().any(|k| k.trim().is_empty())) {
            return Err(err(format!("proxy: {what} has an empty key")));
        }
    }
    Ok(p)
}

impl ProxyArgs {
    /// The core's proxy, with `ip` and `metadata` applied over what a workload of the input
    /// implies; and that workload.
    pub fn resolve<'r>(&self, registry: &'r Registry) -> Result<(Proxy, Option<&'r Workload>), Error> {
        let (mut proxy, workload) = match (&self.workload, &self.namespace) {
            (Some(id), _) => {
                let Some(w) = registry.workloads.iter().find(|w| w.id() == *id) else {
                    let known: Vec<String> =
                        registry.workloads.iter().map(|w| format!("{} ({})", w.id(), w.kind)).collect();
                    let list = if known.is_empty() {
                        "none: the input has no Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet or WorkloadEntry"
                            .to_string()
                    } else {
                        known.join(", ")
                    };
                    return Err(err(format!("proxy: no workload {id} in the input; workloads found: {list}")));
                };
                (Proxy::for_workload(w), Some(w))
            }
            (None, Some(ns)) => (
                Proxy {
                    namespace: ns.clone(),
                    labels: self.labels.clone().unwrap_or_default().into_iter().collect(),
                    ..Proxy::default()
                },
                None,
            ),
            (None, None) => unreachable!("checked by parse_proxy"),
        };
        if self.ip.is_some() {
            proxy.ip = self.ip.clone();
        }
        proxy.metadata.extend(self.metadata.clone());
        Ok((proxy, workload))
    }
}

/// `CallSpec`, with the CLI's defaults: TCP, plaintext (TLS for protocol `TLS` or an `sni`),
/// outbound.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CallArgs {
    address: Option<String>,
    port: f64,
    protocol: Option<String>,
    tls: Option<String>,
    host: Option<String>,
    sni: Option<String>,
    direction: Option<String>,
    path: Option<String>,
    method: Option<String>,
    headers: Option<BTreeMap<String, String>>,
    alpn: Option<String>,
    mesh_cert: Option<bool>,
}

pub fn parse_call(value: &JsValue) -> Result<Call, Error> {
    if !value.is_object() || Array::is_array(value) {
        return Err(err(format!(
            "call must be an object such as {{ address: \"10.0.0.5\", port: 9080, protocol: \"HTTP\", host: \"reviews\" }}, not {}",
            js_type(value)
        )));
    }
    let c: CallArgs = from_js(
        value,
        "call",
        &[
            "address",
            "port",
            "protocol",
            "tls",
            "host",
            "sni",
            "direction",
            "path",
            "method",
            "headers",
            "alpn",
            "meshCert",
        ],
    )?;
    let direction = match c.direction.as_deref() {
        None | Some("outbound") => CallDirection::Outbound,
        Some("inbound") => CallDirection::Inbound,
        Some(d) => return Err(err(format!("call: direction {d:?} is not \"outbound\" or \"inbound\""))),
    };
    if c.port.fract() != 0.0 || !(0.0..=65535.0).contains(&c.port) {
        return Err(err(format!("call: port {} is not a port number (0-65535)", c.port)));
    }
    match &c.address {
        Some(a) if !is_ip_address(a) => {
            return Err(err(format!(
            "call: address {a:?} is not an IP address (listeners match destination IPs, as iptables hands them over)"
        )))
        }
        None if direction == CallDirection::Outbound => {
            return Err(err("call: an outbound call needs an address (the destination IP)"))
        }
        _ => {}
    }
    let (protocol, default_tls) = match c.protocol.as_deref().map(str::to_ascii_uppercase).as_deref() {
        None | Some("TCP") => (CallProtocol::Tcp, CallTls::Plaintext),
        Some("HTTP") => (CallProtocol::Http, CallTls::Plaintext),
        Some("HTTP2") => (CallProtocol::Http2, CallTls::Plaintext),
        Some("TLS") => (CallProtocol::Tcp, CallTls::Tls),
        Some(_) => {
            return Err(err(format!(
                "call: protocol {:?} is not one of \"HTTP\", \"HTTP2\", \"TCP\", \"TLS\"",
                c.protocol.unwrap_or_default()
            )))
        }
    };
    let tls = match c.tls.as_deref() {
        Some("plaintext") => CallTls::Plaintext,
        Some("tls") => CallTls::Tls,
        Some("mtls") => CallTls::Mtls,
        Some(t) => return Err(err(format!("call: tls {t:?} is not one of \"plaintext\", \"tls\", \"mtls\""))),
        None if c.sni.is_some() => CallTls::Tls,
        None => default_tls,
    };
    // As the simulator: SNI may come with a plaintext call, an ALPN may not.
    if tls == CallTls::Plaintext && c.alpn.is_some() {
        return Err(err(
            "call: alpn needs a TLS call (tls: \"tls\" or \"mtls\"): ALPN is only sent in a TLS handshake",
        ));
    }
    if c.mesh_cert.is_some() && tls != CallTls::Mtls {
        return Err(err("call: meshCert needs an mTLS call (tls: \"mtls\")"));
    }
    check_request(c.path.as_deref(), c.method.as_deref()).map_err(|e| err(format!("call: {e}")))?;
    let mut headers = Vec::new();
    for (name, value) in c.headers.unwrap_or_default() {
        headers.push(Header::parse(&format!("{name}={value}")).map_err(|e| err(format!("call: header {e}")))?);
    }
    Ok(Call {
        address: c.address,
        port: c.port as u32,
        protocol,
        tls,
        host: c.host,
        sni: c.sni,
        direction,
        path: c.path,
        method: c.method,
        headers,
        alpn: c.alpn,
        mesh_cert: c.mesh_cert,
    })
}
