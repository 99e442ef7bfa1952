//! `suggest(input, traffic, options)`: the CLI's `sidecarscope suggest MESH --traffic FILE ... -o
//! json` (or another format). The same core calls as the CLI (`tighten::evidence::read`, then
//! `tighten::suggest`); evidence problems (`SC0020`, `SC0021`) are data in the report's `problems`
//! with their file and line. Only invalid arguments, and a mesh that does not load cleanly (a
//! suggestion proven on part of it proves nothing), throw.

use std::collections::BTreeMap;

use js_sys::Array;
use serde::Deserialize;
use sidecarscope::render::Format;
use sidecarscope::tighten::{self, EvidenceFile, Per, SuggestOptions};
use wasm_bindgen::prelude::*;

use crate::args::{from_js, js_type, parse_options, Parsed};
use crate::{enter, error, to_js, workspace, Error};

const SUGGEST_OPTIONS: &[&str] =
    &["defaultNamespace", "format", "workload", "per", "outboundTrafficPolicy", "istiodEnv"];

/// The formats of `suggest` besides the object: `yaml` (the CLI's default output: the Sidecars to
/// apply, the rest as comments) and `markdown`.
const SUGGEST_FORMATS: &[Format] = &[Format::Yaml, Format::Markdown];

/// What `suggest` takes besides the common options.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct SuggestArgs {
    workload: Option<String>,
    per: Option<String>,
    outbound_traffic_policy: Option<String>,
    #[serde(default)]
    istiod_env: BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct TrafficText {
    name: String,
    text: String,
}

/// `{ name, text }[]` (each an evidence file; the format is recognised by content), or
/// `undefined`/`null` (no traffic: only what the configuration shows).
pub(crate) fn parse_traffic(value: &JsValue) -> Result<Vec<EvidenceFile>, Error> {
    if value.is_undefined() || value.is_null() {
        return Ok(Vec::new());
    }
    if !Array::is_array(value) {
        return Err(error(format!("traffic must be an array of {{ name, text }} objects, not {}", js_type(value))));
    }
    Array::from(value)
        .iter()
        .enumerate()
        .map(|(i, f)| {
            if !f.is_object() || Array::is_array(&f) {
                return Err(error(format!("traffic[{i}] must be a {{ name, text }} object, not {}", js_type(&f))));
            }
            let t: TrafficText = from_js(&f, &format!("traffic[{i}]"), &["name", "text"])?;
            Ok(EvidenceFile { name: t.name, text: t.text })
        })
        .collect()
}

/// The tightest Sidecars for the workloads of `input`, from the observed `traffic`, each proven not
/// to change a single observed call (the CLI's `sidecarscope suggest MESH --traffic FILE ... -o
/// json`). `options.per`: `namespace` (default), `workload` or `auto`; `options.workload`
/// (`namespace/name`): only that workload's Sidecar; `options.outboundTrafficPolicy`
/// (`ALLOW_ANY`, `REGISTRY_ONLY`): the mode to write; `options.istiodEnv`, `options.defaultNamespace`
/// as for `impact`; `options.format`: `yaml` or `markdown` (a string).
#[wasm_bindgen(skip_typescript)]
pub fn suggest(input: JsValue, traffic: JsValue, options: Option<JsValue>) -> Result<JsValue, Error> {
    enter();
    let Parsed { options: mut opts, format } = parse_options(options.as_ref(), SUGGEST_OPTIONS, SUGGEST_FORMATS)?;
    let args: SuggestArgs = match options.as_ref().filter(|o| o.is_object()) {
        Some(o) => serde_wasm_bindgen::from_value(o.clone()).map_err(|e| error(format!("options: {e}")))?,
        None => SuggestArgs::default(),
    };
    if args.istiod_env.keys().any(|k| k.trim().is_empty()) {
        return Err(error("options.istiodEnv has an empty key".into()));
    }
    opts.istiod_env = args.istiod_env;
    opts.report_empty_input = true;
    let per = match args.per.as_deref() {
        None => Per::default(),
        Some(p) => Per::parse(p)
            .ok_or_else(|| error(format!("options.per {p:?} is not one of \"workload\", \"namespace\", \"auto\"")))?,
    };
    let files = parse_traffic(&traffic)?;
    let ws = workspace(&input, opts)?;
    let evidence = tighten::evidence::read(&files);
    let report = tighten::suggest(
        &ws,
        &evidence,
        &SuggestOptions { workload: args.workload, per, outbound_traffic_policy: args.outbound_traffic_policy },
    )
    .map_err(error)?;
    match format {
        None => to_js(&report),
        Some(Format::Markdown) => Ok(JsValue::from_str(&tighten::render_markdown(&report))),
        Some(_) => Ok(JsValue::from_str(&tighten::render_text(&report))),
    }
}
