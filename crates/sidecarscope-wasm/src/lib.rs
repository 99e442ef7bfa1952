//! The Sidecarscope core as a wasm module: a thin adapter that converts JavaScript arguments
//! to the core's types and the core's serde results to plain JavaScript objects, of the same
//! shape as the CLI's `--output json`. No Istio logic lives here.
//!
//! Findings are data (a result object); only invalid arguments throw, as a JavaScript `Error`
//! whose message says which argument is wrong and why. The TypeScript types of every argument
//! and result are in `sidecarscope.d.ts`, appended to the generated declarations; it is
//! checked against the core's Rust declarations (`tests/dts.rs`) and against the real results
//! of every conformance fixture (`tests/wasm-package/` in the repository, with `tsc`).

mod args;

use serde::Serialize;
use sidecarscope::report::{self, Range};
use sidecarscope::resolve::WorkloadRef;
use sidecarscope::trace::trace as trace_call;
use sidecarscope::{Input, ListenerGenerator, Proxy, Registry, Resolver, Workload};
use wasm_bindgen::prelude::*;

use args::{parse_analyze_options, parse_call, parse_input, parse_input_in, parse_proxy, ProxyArgs};

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

/// The version of Sidecarscope, as `sidecarscope --version` prints it.
#[wasm_bindgen]
pub fn version() -> String {
    sidecarscope::VERSION.to_string()
}

/// Validates every Sidecar of the input as istiod's webhook and the CRD schema would (the
/// CLI's `sidecarscope validate -o json`). Diagnostics are sorted by file and position.
#[wasm_bindgen(unchecked_return_type = "DiagnosticsReport")]
pub fn validate(#[wasm_bindgen(unchecked_param_type = "SourceInput")] input: JsValue) -> Result<JsValue, Error> {
    enter();
    let input = parse_input(&input)?;
    let mut diags = sidecarscope::validate(&input);
    report::sort(&mut diags);
    to_js(&report::diagnostics_report(&input, &diags))
}

/// Analyzes the whole mesh: validation, istioctl analyze's and Kiali's Sidecar checks, and
/// Sidecarscope's own (the CLI's `sidecarscope analyze -o json`). Suppressions apply as in the
/// CLI: the resources' annotations, and `options.suppress` rules (the CLI's `--suppress`);
/// `options.defaultNamespace` is the CLI's `--default-namespace`.
#[wasm_bindgen(unchecked_return_type = "DiagnosticsReport")]
pub fn analyze(
    #[wasm_bindgen(unchecked_param_type = "SourceInput")] input: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "AnalyzeOptions")] options: Option<JsValue>,
) -> Result<JsValue, Error> {
    enter();
    let (rules, default_namespace) = match &options {
        Some(o) if !o.is_undefined() => parse_analyze_options(o)?,
        _ => (Vec::new(), None),
    };
    let input = parse_input_in(&input, default_namespace.as_deref().unwrap_or(sidecarscope::DEFAULT_NAMESPACE))?;
    let mut diags = sidecarscope::analyze(&input);
    report::sort(&mut diags);
    let suppressed = sidecarscope::suppress::apply(&input, &mut diags, &rules);
    let mut r = report::diagnostics_report(&input, &diags);
    r.summary.suppressed = suppressed.len();
    to_js(&r)
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
/// `{ workload: "namespace/name" }`.
#[wasm_bindgen(unchecked_return_type = "Workload[]")]
pub fn workloads(#[wasm_bindgen(unchecked_param_type = "SourceInput")] input: JsValue) -> Result<JsValue, Error> {
    enter();
    let input = parse_input(&input)?;
    let ws = sidecarscope::workloads(&input);
    let out: Vec<WorkloadWithRange> = ws
        .iter()
        .map(|w| WorkloadWithRange { workload: w, range: Range::of(input.source(w.source), w.range) })
        .collect();
    to_js(&out)
}

/// What `resolve`, `listeners` and `trace` share: the proxy argument, checked first (before the
/// input is read, as the CLI does), then the input, its registry, and the proxy resolved against
/// it (with the workload it names, if any), handed to `f`.
fn with_proxy<T>(
    input: &JsValue,
    proxy: &JsValue,
    f: impl FnOnce(&ProxyArgs, &Input, &Registry, Proxy, Option<&Workload>) -> T,
) -> Result<T, Error> {
    let args = parse_proxy(proxy)?;
    let input = parse_input(input)?;
    let registry = Registry::build(&input);
    let (proxy, workload) = args.resolve(&registry)?;
    Ok(f(&args, &input, &registry, proxy, workload))
}

/// Which Sidecar governs the proxy and the effective configuration it gets, with the reason
/// for each part (the CLI's `sidecarscope resolve -o json`).
#[wasm_bindgen(unchecked_return_type = "Resolution")]
pub fn resolve(
    #[wasm_bindgen(unchecked_param_type = "SourceInput")] input: JsValue,
    #[wasm_bindgen(unchecked_param_type = "ProxySpec")] proxy: JsValue,
) -> Result<JsValue, Error> {
    enter();
    let r = with_proxy(&input, &proxy, |args, _, registry, proxy, workload| {
        let mut r = Resolver::with_env(registry, &args.istiod_env).resolve(&proxy);
        if let Some(w) = workload {
            r.workload =
                Some(WorkloadRef { kind: w.kind.clone(), namespace: w.namespace.clone(), name: w.name.clone() });
        }
        r
    })?;
    to_js(&r)
}

/// The listeners istiod would send the proxy, with the reason for each listener and filter
/// chain and links into the input (the CLI's `sidecarscope listeners -o json`).
#[wasm_bindgen(unchecked_return_type = "ListenerSet")]
pub fn listeners(
    #[wasm_bindgen(unchecked_param_type = "SourceInput")] input: JsValue,
    #[wasm_bindgen(unchecked_param_type = "ProxySpec")] proxy: JsValue,
) -> Result<JsValue, Error> {
    enter();
    let set = with_proxy(&input, &proxy, |args, input, registry, proxy, _| {
        sidecarscope::listeners_with(registry, input, &proxy, &args.istiod_env)
    })?;
    to_js(&set)
}

/// Follows one call through the proxy's listeners to the filter chain, route and cluster it
/// reaches, with the reason for each step (the CLI's `sidecarscope trace -o json`).
#[wasm_bindgen(unchecked_return_type = "Trace")]
pub fn trace(
    #[wasm_bindgen(unchecked_param_type = "SourceInput")] input: JsValue,
    #[wasm_bindgen(unchecked_param_type = "ProxySpec")] proxy: JsValue,
    #[wasm_bindgen(unchecked_param_type = "CallSpec")] call: JsValue,
) -> Result<JsValue, Error> {
    enter();
    let call = parse_call(&call)?;
    let trace = with_proxy(&input, &proxy, |args, input, registry, proxy, _| {
        // Located, so the matched route links to its VirtualService `http[]` entry.
        let mut set = ListenerGenerator::new(registry, &args.istiod_env).generate(&proxy);
        set.locate(input);
        trace_call(&set, &call)
    })?;
    to_js(&trace)
}
