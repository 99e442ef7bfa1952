//! The editor functions (`complete`, `hover`, `definition`, `references`, `codeActions`) for a
//! Monaco or CodeMirror page: a position is `{ source, offset }`, the index of the file in the
//! input (0 for a plain string) and a UTF-16 offset (JavaScript's string index, as both editors
//! count); results carry ranges with UTF-16 offsets and line/column. Each answer is the core's
//! `ide` layer (`sidecarscope::ide::json`), asked of a workspace over the input.

use serde::Deserialize;
use sidecarscope::ide::{json, FilePosition};
use sidecarscope::Workspace;
use wasm_bindgen::prelude::*;

use crate::args::{from_js, parse_options, Parsed};
use crate::{enter, error, to_js, workspace, Error};

/// `{ source?: number, offset: number }`.
#[derive(Deserialize)]
struct JsPosition {
    #[serde(default)]
    source: u32,
    offset: u32,
}

/// `{ source?: number, start: number, end: number }`.
#[derive(Deserialize)]
struct JsRange {
    #[serde(default)]
    source: u32,
    start: u32,
    end: u32,
}

fn ws_and_position(
    input: &JsValue,
    position: &JsValue,
    options: Option<&JsValue>,
) -> Result<(Workspace, FilePosition), Error> {
    let p: JsPosition = from_js(position, "position", &["source", "offset"])?;
    let Parsed { options, .. } = parse_options(options, &["defaultNamespace"], &[])?;
    let ws = workspace(input, options)?;
    let pos = json::position(&ws, p.source, p.offset)
        .ok_or_else(|| error(format!("position.source: the input has no file {}", p.source)))?;
    Ok((ws, pos))
}

/// The completions at a position: field names and enum values from the schema, egress hosts
/// the Sidecar's namespace can import, selector labels, ports; and the range they replace.
#[wasm_bindgen(skip_typescript)]
pub fn complete(input: JsValue, position: JsValue, options: Option<JsValue>) -> Result<JsValue, Error> {
    enter();
    let (ws, pos) = ws_and_position(&input, &position, options.as_ref())?;
    to_js(&json::completions(&ws, pos))
}

/// The documentation and mesh facts at a position, or `null`.
#[wasm_bindgen(skip_typescript)]
pub fn hover(input: JsValue, position: JsValue, options: Option<JsValue>) -> Result<JsValue, Error> {
    enter();
    let (ws, pos) = ws_and_position(&input, &position, options.as_ref())?;
    to_js(&json::hover_at(&ws, pos))
}

/// Where the thing at a position is defined: a host entry's Services, ServiceEntries and
/// VirtualServices; a Sidecar's governed workloads.
#[wasm_bindgen(skip_typescript)]
pub fn definition(input: JsValue, position: JsValue, options: Option<JsValue>) -> Result<JsValue, Error> {
    enter();
    let (ws, pos) = ws_and_position(&input, &position, options.as_ref())?;
    to_js(&json::definitions(&ws, pos))
}

/// What refers to the thing at a position: for a Service or ServiceEntry, the Sidecar host
/// entries that import it.
#[wasm_bindgen(skip_typescript)]
pub fn references(input: JsValue, position: JsValue, options: Option<JsValue>) -> Result<JsValue, Error> {
    enter();
    let (ws, pos) = ws_and_position(&input, &position, options.as_ref())?;
    to_js(&json::references_to(&ws, pos))
}

/// The quick fixes of the findings (of `analyze`) that touch a range.
#[wasm_bindgen(js_name = codeActions, skip_typescript)]
pub fn code_actions(input: JsValue, range: JsValue, options: Option<JsValue>) -> Result<JsValue, Error> {
    enter();
    let r: JsRange = from_js(&range, "range", &["source", "start", "end"])?;
    let Parsed { options, .. } = parse_options(options.as_ref(), &["defaultNamespace"], &[])?;
    let ws = workspace(&input, options)?;
    let missing = || error(format!("range.source: the input has no file {}", r.source));
    let start = json::position(&ws, r.source, r.start).ok_or_else(missing)?;
    let end = json::position(&ws, r.source, r.end).ok_or_else(missing)?;
    to_js(&json::fixes(&ws, r.source, start, end))
}
