//! JavaScript arguments to the core's request types, and nothing else: the input texts
//! (`SourceInput`), the options (`Options`: `defaultNamespace`, `suppress`, `format`), whose
//! proxy (`ProxySpec`, to the core's `ProxySpec` and istiod's flags) and which call (`CallSpec`,
//! to the core's `CallSpec`). The checks and their texts are the core's
//! (`sidecarscope::workspace::spec`); this names the argument in front of them.

use std::collections::BTreeMap;

use js_sys::{Array, Error, Object};
use serde::Deserialize;
use sidecarscope::render::Format;
use sidecarscope::suppress::Rule;
use sidecarscope::trace::Call;
use sidecarscope::workspace::check_namespace;
use sidecarscope::{CallSpec, Options, ProxySpec, SourceFile, Spelling};
use wasm_bindgen::{JsCast, JsValue};

/// The file name of a text given as a plain string (the playground's name for its editor).
pub const DEFAULT_NAME: &str = "input.yaml";

fn err(msg: impl std::fmt::Display) -> Error {
    Error::new(&format!("sidecarscope: {msg}"))
}

/// Deserializes a JS object after checking that it has only `fields` (serde-wasm-bindgen looks
/// fields up by name, so `deny_unknown_fields` would not see a misspelt one), naming the
/// argument in the error.
pub fn from_js<T: for<'de> Deserialize<'de>>(value: &JsValue, what: &str, fields: &[&str]) -> Result<T, Error> {
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

/// The options every function takes (each the fields it uses): `{ defaultNamespace: "prod",
/// suppress: ["IST0101=Sidecar default/*"], format: "yaml" }`.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct JsOptions {
    #[serde(default)]
    suppress: Vec<String>,
    default_namespace: Option<String>,
    format: Option<String>,
}

/// The options: the core's, and the output format (`None`: the result as an object).
pub struct Parsed {
    pub options: Options,
    pub format: Option<Format>,
}

/// Reads `options` (absent: the defaults). `fields`: those this function takes; `formats`: the
/// formats it offers besides the object. Rules with codes no tool reports are kept (istioctl
/// warns and goes on); malformed rules, namespaces and formats throw.
pub fn parse_options(value: Option<&JsValue>, fields: &[&str], formats: &[Format]) -> Result<Parsed, Error> {
    let o: JsOptions = match value {
        None => JsOptions::default(),
        Some(v) if v.is_undefined() => JsOptions::default(),
        Some(v) if !v.is_object() || Array::is_array(v) => {
            return Err(err(format!(
                "options must be an object such as {{ defaultNamespace: \"prod\" }}, not {}",
                js_type(v)
            )))
        }
        Some(v) => from_js(v, "options", fields)?,
    };
    let mut options = Options::default();
    if let Some(ns) = o.default_namespace {
        check_namespace(&ns).map_err(|e| err(format!("options.defaultNamespace {e}")))?;
        options.default_namespace = ns;
    }
    options.suppress = o
        .suppress
        .iter()
        .map(|s| Rule::parse(s).map(|(rule, _)| rule).map_err(|e| err(format!("options.suppress: {e}"))))
        .collect::<Result<_, _>>()?;
    let format = match o.format.as_deref() {
        None | Some("json") => None,
        Some(f) => Some(Format::parse(f, formats).map_err(|e| err(format!("options.{e}")))?),
    };
    Ok(Parsed { options, format })
}

#[derive(Deserialize)]
struct SourceText {
    name: String,
    text: String,
}

/// `string` (one text, named `input.yaml`) or `{ name, text }[]` (several files, in order).
pub fn parse_input(value: &JsValue) -> Result<Vec<SourceFile>, Error> {
    if let Some(text) = value.as_string() {
        return Ok(vec![SourceFile::new(DEFAULT_NAME, text)]);
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
        return Ok(files.into_iter().map(|f| SourceFile::new(f.name, f.text)).collect());
    }
    Err(err(format!(
        "input must be a string (YAML or JSON) or an array of {{ name, text }} objects, not {}",
        js_type(value)
    )))
}

pub fn js_type(value: &JsValue) -> String {
    if value.is_null() {
        "null".into()
    } else {
        value.js_typeof().as_string().unwrap_or_else(|| "unknown".into())
    }
}

/// `ProxySpec` as JavaScript gives it: the core's `ProxySpec`, `ip` (one) or `ips` (a dual-stack
/// proxy's), and istiod's feature flags.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct JsProxy {
    workload: Option<String>,
    namespace: Option<String>,
    labels: Option<BTreeMap<String, String>>,
    ip: Option<String>,
    ips: Option<Vec<String>>,
    #[serde(default)]
    metadata: BTreeMap<String, String>,
    #[serde(default)]
    istiod_env: BTreeMap<String, String>,
}

/// The core's proxy spec and istiod's flags, checked.
pub fn parse_proxy(value: &JsValue) -> Result<(ProxySpec, BTreeMap<String, String>), Error> {
    if !value.is_object() || Array::is_array(value) {
        return Err(err(format!(
            "proxy must be an object: {{ workload: \"namespace/name\" }} or {{ namespace: \"ns\", labels: {{ app: \"x\" }} }}, not {}",
            js_type(value)
        )));
    }
    let p: JsProxy =
        from_js(value, "proxy", &["workload", "namespace", "labels", "ip", "ips", "metadata", "istiodEnv"])?;
    if p.ip.is_some() && p.ips.is_some() {
        return Err(err("proxy: give either ip or ips (a dual-stack proxy's two addresses), not both"));
    }
    let spec = ProxySpec {
        workload: p.workload,
        namespace: p.namespace,
        labels: p.labels,
        ips: p.ip.into_iter().chain(p.ips.into_iter().flatten()).collect(),
        metadata: p.metadata,
    };
    spec.check(Spelling::Fields).map_err(|e| err(format!("proxy: {e}")))?;
    if p.istiod_env.keys().any(|k| k.trim().is_empty()) {
        return Err(err("proxy: istiodEnv has an empty key"));
    }
    Ok((spec, p.istiod_env))
}

/// `CallSpec` as JavaScript gives it (headers as an object).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct JsCall {
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

/// The core's call, checked with the core's defaults.
pub fn parse_call(value: &JsValue) -> Result<Call, Error> {
    if !value.is_object() || Array::is_array(value) {
        return Err(err(format!(
            "call must be an object such as {{ address: \"10.0.0.5\", port: 9080, protocol: \"HTTP\", host: \"reviews\" }}, not {}",
            js_type(value)
        )));
    }
    let c: JsCall = from_js(
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
    let spec = CallSpec {
        address: c.address,
        port: c.port,
        protocol: c.protocol,
        tls: c.tls,
        host: c.host,
        sni: c.sni,
        direction: c.direction,
        path: c.path,
        method: c.method,
        headers: c.headers.unwrap_or_default().into_iter().map(|(k, v)| format!("{k}={v}")).collect(),
        alpn: c.alpn,
        mesh_cert: c.mesh_cert,
    };
    spec.to_call(Spelling::Fields).map_err(|e| err(format!("call: {e}")))
}
