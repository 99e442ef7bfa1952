//! The Sidecarscope core as a wasm module: a thin adapter over the core's `Workspace`. Each
//! function converts its JavaScript arguments to the workspace's requests (`args.rs`), asks the
//! workspace, and returns the result as plain JavaScript objects of the same shape as the CLI's
//! `--output json`, or as text in another format (`options.format`, written by the core's
//! `render`). No Istio logic and no recipe live here.
//!
//! Findings are data (a result object); only invalid arguments throw, as a JavaScript `Error`
//! whose message says which argument is wrong and why. The TypeScript types of every argument
//! and result are in `sidecarscope.d.ts`, appended to the generated declarations; it is
//! checked against the core's Rust declarations (`tests/dts.rs`) and against the real results
//! of every conformance fixture (`tests/wasm-package/` in the repository, with `tsc`).

mod args;
mod editor;
pub use editor::{code_actions, complete, definition, hover, references};
mod impact;
pub use impact::impact;
mod suggest;
pub use suggest::suggest;

use serde::Serialize;
use sidecarscope::render::{self, Format};
use sidecarscope::report::Range;
use sidecarscope::{Options, Workload, Workspace};
use wasm_bindgen::prelude::*;

use args::{parse_call, parse_input, parse_options, parse_proxy, Parsed};

pub use js_sys::Error;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = include_str!("sidecarscope.d.ts");

/// Called first by every function: a panic is a bug, and the hook puts its message on the
/// console before the trap (instead of a bare `RuntimeError: unreachable`).
fn enter() {
    console_error_panic_hook::set_once();
}

/// A core result as plain JavaScript objects: serialized by `serde_json`, exactly as the CLI
/// prints it, then `JSON.parse`d. (serde-wasm-bindgen's `json_compatible()` serializer refuses
/// maps with integer keys, e.g. `Resolution.inboundConnectionPool`, which JSON writes as
/// strings; and one `JSON.parse` beats thousands of property sets across the boundary.)
fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, Error> {
    let text = serde_json::to_string(value)
        .map_err(|e| Error::new(&format!("sidecarscope: cannot serialize the result: {e}")))?;
    js_sys::JSON::parse(&text).map_err(|_| Error::new("sidecarscope: cannot parse the serialized result"))
}

/// The result as an object, or as text in the chosen format (`text` written by `text`).
fn output<T: Serialize>(value: &T, format: Option<Format>, text: impl FnOnce(&T) -> String) -> Result<JsValue, Error> {
    match format {
        None => to_js(value),
        Some(Format::Yaml) => Ok(JsValue::from_str(&render::yaml::to_yaml(value))),
        Some(_) => Ok(JsValue::from_str(&text(value))),
    }
}

fn error(message: String) -> Error {
    Error::new(&format!("sidecarscope: {message}"))
}

/// The workspace over the input, with the options the function takes.
fn workspace(input: &JsValue, options: Options) -> Result<Workspace, Error> {
    Ok(Workspace::new(parse_input(input)?, Options { retain_documents: false, ..options }))
}

/// The version of Sidecarscope, as `sidecarscope --version` prints it.
#[wasm_bindgen(skip_typescript)]
pub fn version() -> String {
    sidecarscope::VERSION.to_string()
}

const FINDINGS_OPTIONS: &[&str] = &["defaultNamespace", "format"];
const ANALYZE_OPTIONS: &[&str] = &["suppress", "defaultNamespace", "format"];
const PROXY_OPTIONS: &[&str] = &["defaultNamespace", "format"];

/// Findings as the chosen format asks: the report object, or text.
fn findings(ws: &Workspace, findings: sidecarscope::Findings, format: Option<Format>) -> Result<JsValue, Error> {
    match format {
        None => to_js(&render::findings_report(ws.input(), &findings)),
        Some(f) => Ok(JsValue::from_str(&render::findings(ws.input(), &findings, f, false))),
    }
}

/// Validates every Sidecar of the input as istiod's webhook and the CRD schema would (the
/// CLI's `sidecarscope validate -o json`). Diagnostics are sorted by file and position.
/// `options.defaultNamespace` is the CLI's `--default-namespace`; `options.format` another
/// output than the object (`text`, `sarif`, `yaml`, `markdown`: a string).
#[wasm_bindgen(skip_typescript)]
pub fn validate(input: JsValue, options: Option<JsValue>) -> Result<JsValue, Error> {
    enter();
    let Parsed { options, format } = parse_options(options.as_ref(), FINDINGS_OPTIONS, render::FINDINGS_FORMATS)?;
    let ws = workspace(&input, options)?;
    findings(&ws, ws.validate(), format)
}

/// Analyzes the whole mesh: validation, istioctl analyze's and Kiali's Sidecar checks, and
/// Sidecarscope's own (the CLI's `sidecarscope analyze -o json`). Suppressions apply as in the
/// CLI: the resources' annotations, and `options.suppress` rules (the CLI's `--suppress`);
/// `options.defaultNamespace` is the CLI's `--default-namespace`; `options.format` as for
/// `validate`.
#[wasm_bindgen(skip_typescript)]
pub fn analyze(input: JsValue, options: Option<JsValue>) -> Result<JsValue, Error> {
    enter();
    let Parsed { options, format } = parse_options(options.as_ref(), ANALYZE_OPTIONS, render::FINDINGS_FORMATS)?;
    let ws = workspace(&input, options)?;
    findings(&ws, ws.analyze(), format)
}

/// A workload of the input with the range of its resource (line/column and UTF-16 offsets).
#[derive(Serialize)]
struct WorkloadWithRange<'a> {
    #[serde(flatten)]
    workload: &'a Workload,
    range: Range,
}

/// Every workload of the input (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet,
/// WorkloadEntry), in input order: the proxies `resolve`, `listeners` and `trace` can take by
/// `{ workload: "namespace/name" }`. `options.defaultNamespace` as for `validate`.
#[wasm_bindgen(skip_typescript)]
pub fn workloads(input: JsValue, options: Option<JsValue>) -> Result<JsValue, Error> {
    enter();
    let Parsed { options, .. } = parse_options(options.as_ref(), &["defaultNamespace"], &[])?;
    let ws = workspace(&input, options)?;
    let input = ws.input();
    let ws = ws.workloads();
    let out: Vec<WorkloadWithRange> = ws
        .iter()
        .map(|w| WorkloadWithRange { workload: w, range: Range::of(input.source(w.source), w.range) })
        .collect();
    to_js(&out)
}

/// What `resolve`, `listeners` and `trace` share: the proxy argument, checked first (before the
/// input is read, as the CLI does), then the workspace over the input with istiod's flags.
fn proxy_workspace(
    input: &JsValue,
    proxy: &JsValue,
    options: Option<&JsValue>,
    formats: &[Format],
) -> Result<(Workspace, sidecarscope::ProxySpec, Option<Format>), Error> {
    let (spec, istiod_env) = parse_proxy(proxy)?;
    let Parsed { options, format } = parse_options(options, PROXY_OPTIONS, formats)?;
    let ws = workspace(input, Options { istiod_env, ..options })?;
    Ok((ws, spec, format))
}

/// Which Sidecar governs the proxy and the effective configuration it gets, with the reason
/// for each part (the CLI's `sidecarscope resolve -o json`). `options.defaultNamespace` as for
/// `validate`; `options.format`: `text` or `yaml` (a string).
#[wasm_bindgen(skip_typescript)]
pub fn resolve(input: JsValue, proxy: JsValue, options: Option<JsValue>) -> Result<JsValue, Error> {
    enter();
    let (ws, spec, format) = proxy_workspace(&input, &proxy, options.as_ref(), &[Format::Text, Format::Yaml])?;
    let r = ws.resolve(&spec).map_err(|e| error(format!("proxy: {e}")))?;
    output(&r, format, sidecarscope::resolve::render_text)
}

/// The listeners istiod would send the proxy, with the reason for each listener and filter
/// chain and links into the input (the CLI's `sidecarscope listeners -o json`).
/// `options.format`: `table` (`istioctl proxy-config listeners`) or `yaml` (a string).
#[wasm_bindgen(skip_typescript)]
pub fn listeners(input: JsValue, proxy: JsValue, options: Option<JsValue>) -> Result<JsValue, Error> {
    enter();
    let (ws, spec, format) = proxy_workspace(&input, &proxy, options.as_ref(), &[Format::Table, Format::Yaml])?;
    let set = ws.listeners(&spec).map_err(|e| error(format!("proxy: {e}")))?;
    output(&set, format, sidecarscope::listeners::table::render)
}

/// Follows one call through the proxy's listeners to the filter chain, route and cluster it
/// reaches, with the reason for each step (the CLI's `sidecarscope trace -o json`).
/// `options.format`: `text` or `yaml` (a string).
#[wasm_bindgen(skip_typescript)]
pub fn trace(input: JsValue, proxy: JsValue, call: JsValue, options: Option<JsValue>) -> Result<JsValue, Error> {
    enter();
    let call = parse_call(&call)?;
    let (ws, spec, format) = proxy_workspace(&input, &proxy, options.as_ref(), &[Format::Text, Format::Yaml])?;
    let t = ws.trace(&spec, &call).map_err(|e| error(format!("proxy: {e}")))?;
    output(&t, format, sidecarscope::trace::render_text)
}
