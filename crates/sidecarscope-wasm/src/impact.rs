//! `impact(base, head, options)`: the CLI's `sidecarscope impact BASE HEAD -o json` (or another
//! format), over two inputs. A side that does not load completely is data, as findings are: the
//! report's `problems` say which side and where, and nothing is compared. Only invalid arguments
//! throw.

use std::collections::BTreeMap;

use serde::Deserialize;
use sidecarscope::impact::{impact as compare, ImpactOptions};
use sidecarscope::render::{impact as render, yaml, Format};
use sidecarscope::{Options, Workspace};
use wasm_bindgen::prelude::*;

use crate::args::{parse_input, parse_options, Parsed};
use crate::{enter, error, to_js, Error};

const IMPACT_OPTIONS: &[&str] = &["defaultNamespace", "format", "workload", "istiodEnv", "traffic"];

/// What `impact` takes besides the common options.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct ImpactArgs {
    workload: Option<String>,
    #[serde(default)]
    istiod_env: BTreeMap<String, String>,
}

fn side(value: &JsValue, name: &str, options: &Options) -> Result<Workspace, Error> {
    let sources = parse_input(value).map_err(|e| {
        let msg = e.message().as_string().unwrap_or_default();
        error(format!("{name}: {}", msg.strip_prefix("sidecarscope: ").unwrap_or(&msg)))
    })?;
    Ok(Workspace::new(sources, Options { retain_documents: false, report_empty_input: true, ..options.clone() }))
}

/// Compares two versions of the mesh: per workload, what its proxy gains and loses and which calls
/// break (the CLI's `sidecarscope impact BASE HEAD -o json`). `base` and `head` are inputs as for
/// `validate`; `options.workload` (`namespace/name`) limits the comparison to one workload,
/// `options.istiodEnv` sets istiod's feature flags for both sides, `options.traffic` (observed
/// calls, `{ name, text }[]` as `suggest` takes them) has those calls traced on both sides too
/// (the CLI's `--traffic`), `options.defaultNamespace` as for `validate`; `options.format`: `text` (a plan), `markdown` (a pull-request comment),
/// `sarif` or `yaml` (a string).
#[wasm_bindgen(skip_typescript)]
pub fn impact(base: JsValue, head: JsValue, options: Option<JsValue>) -> Result<JsValue, Error> {
    enter();
    let Parsed { options: mut opts, format } = parse_options(options.as_ref(), IMPACT_OPTIONS, render::IMPACT_FORMATS)?;
    let args: ImpactArgs = match options.as_ref().filter(|o| o.is_object()) {
        Some(o) => serde_wasm_bindgen::from_value(o.clone()).map_err(|e| error(format!("options: {e}")))?,
        None => ImpactArgs::default(),
    };
    if args.istiod_env.keys().any(|k| k.trim().is_empty()) {
        return Err(error("options.istiodEnv has an empty key".into()));
    }
    opts.istiod_env = args.istiod_env;
    // Observed calls (`options.traffic`, as `suggest` takes them), traced on both sides too.
    let traffic = match options.as_ref().filter(|o| o.is_object()) {
        Some(o) => js_sys::Reflect::get(o, &"traffic".into()).unwrap_or(JsValue::UNDEFINED),
        None => JsValue::UNDEFINED,
    };
    let files = crate::suggest::parse_traffic(&traffic).map_err(|e| {
        let msg = e.message().as_string().unwrap_or_default();
        error(format!("options.{}", msg.strip_prefix("sidecarscope: ").unwrap_or(&msg)))
    })?;
    let traffic =
        (!traffic.is_undefined() && !traffic.is_null()).then(|| sidecarscope::tighten::evidence::read(&files));
    let (base, head) = (side(&base, "base", &opts)?, side(&head, "head", &opts)?);
    let report = compare(&base, &head, &ImpactOptions { workload: args.workload, traffic, ..ImpactOptions::default() })
        .map_err(|e| error(format!("options.workload: {e}")))?;
    match format {
        None => to_js(&report),
        Some(Format::Text) => Ok(JsValue::from_str(&render::text(&report))),
        Some(Format::Markdown) => Ok(JsValue::from_str(&render::markdown(&report))),
        Some(Format::Sarif) => {
            Ok(JsValue::from_str(&serde_json::to_string_pretty(&render::sarif(&report)).unwrap_or_default()))
        }
        Some(_) => Ok(JsValue::from_str(&yaml::to_yaml(&report))),
    }
}
