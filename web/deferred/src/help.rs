//! The editor's help: completion, hover, go to definition, references and quick fixes, from the
//! core's `ide` layer over a workspace of the editor's text. Called in a Web Worker
//! (web/js/help-worker.js), so that typing never waits for it: the worker keeps its own
//! workspace of the text, whose parsed documents are reused, so a request after an edit parses
//! only the edited document again.

use std::cell::RefCell;

use sidecarscope::ide::json as ide;
use sidecarscope_web_common::json;
use sidecarscope_web_common::share::State;
use wasm_bindgen::prelude::*;

use crate::model::Model;

struct Help {
    text: String,
    namespace: String,
    istiod: String,
    model: Model,
}

thread_local! {
    static HELP: RefCell<Option<Help>> = const { RefCell::new(None) };
}

/// Answers one request about the text, as JSON: `prime` (`null`: only reads the text and builds
/// the registry, ahead of the questions), `complete` (`{range, items}`), `hover`
/// (`{range, markdown}` or `null`), `definition` and `references` (a list of `{label, file,
/// source, range}`), `fixes` (a list of `{title, diagnostic, edits}`, for the findings that
/// touch `from..to`). Offsets and ranges count UTF-16 code units, as JavaScript strings do.
/// `state` is the share link's JSON (its default namespace and istiod's flags shape the input).
#[wasm_bindgen]
pub fn help(request: &str, text: String, state: &str, from: u32, to: u32) -> String {
    let state = State::from_json(state).unwrap_or_default();
    HELP.with(|h| {
        let mut h = h.borrow_mut();
        let current = h
            .as_ref()
            .is_some_and(|h| h.text == text && h.namespace == state.namespace && h.istiod == state.proxy.istiod);
        if !current {
            let previous = h.take().map(|h| h.model);
            let model = Model::read(&text, &state.proxy, &state.namespace, previous);
            *h = Some(Help { text, namespace: state.namespace, istiod: state.proxy.istiod, model });
        }
        let ws = &h.as_ref().expect("just made").model.ws;
        answer(ws, request, from, to)
    })
}

fn answer(ws: &sidecarscope::Workspace, request: &str, from: u32, to: u32) -> String {
    if request == "prime" {
        // Read ahead of the questions: the editor sends each edit's text a moment after it
        // (`Help::prime`), so that the registry is built before completion or hover asks.
        ws.registry();
        return "null".into();
    }
    let Some(pos) = ide::position(ws, 0, from) else { return "null".into() };
    match request {
        "complete" => json::to_string(&ide::completions(ws, pos)),
        "hover" => json::to_string(&ide::hover_at(ws, pos)),
        "definition" => json::to_string(&ide::definitions(ws, pos)),
        "references" => json::to_string(&ide::references_to(ws, pos)),
        "fixes" => {
            let end = ide::position(ws, 0, to.max(from)).unwrap_or(pos);
            json::to_string(&ide::fixes(ws, 0, pos, end))
        }
        _ => "null".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIDECAR: &str = "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata:\n  name: s\n  namespace: shop\nspec:\n  egress:\n  - hosts:\n    - \"shop/cart\"\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: cart\n  namespace: shop\nspec:\n  ports:\n  - port: 80\n";

    fn utf16(text: &str, needle: &str) -> u32 {
        text[..text.find(needle).unwrap()].encode_utf16().count() as u32
    }

    #[test]
    fn answers_each_request_as_json() {
        // Completion at the start of a host: the namespaces and hosts the input can offer.
        let at = utf16(SIDECAR, "\"shop/cart\"") + 1;
        let c: serde_json::Value = serde_json::from_str(&help("complete", SIDECAR.into(), "{}", at, at)).unwrap();
        let labels: Vec<&str> = c["items"].as_array().unwrap().iter().map(|i| i["label"].as_str().unwrap()).collect();
        assert!(labels.iter().any(|l| l.contains("cart.shop.svc.cluster.local")), "{labels:?}");
        // Hover on `egress`: its documentation.
        let at = utf16(SIDECAR, "egress");
        let h: serde_json::Value = serde_json::from_str(&help("hover", SIDECAR.into(), "{}", at, at)).unwrap();
        assert!(h["markdown"].as_str().unwrap().contains("egress"), "{h}");
        // The short host is a finding with a fix; its edit qualifies the host.
        let at = utf16(SIDECAR, "shop/cart");
        let f: serde_json::Value = serde_json::from_str(&help("fixes", SIDECAR.into(), "{}", at, at + 9)).unwrap();
        let fixes = f.as_array().unwrap();
        assert!(!fixes.is_empty(), "{f}");
        assert!(fixes[0]["edits"][0]["newText"].as_str().unwrap().contains("cart.shop.svc.cluster.local"), "{f}");
        // Unknown requests and positions answer null.
        assert_eq!(help("nonsense", SIDECAR.into(), "{}", 0, 0), "null");
    }

    /// The default namespace of the page applies to the help too.
    #[test]
    fn the_default_namespace_applies() {
        let text = SIDECAR.replace("  namespace: shop\n", "");
        let at = utf16(&text, "\"shop/cart\"") + 1;
        let state = r#"{"namespace":"shop"}"#;
        let c: serde_json::Value = serde_json::from_str(&help("complete", text.clone(), state, at, at)).unwrap();
        let labels: Vec<&str> = c["items"].as_array().unwrap().iter().map(|i| i["label"].as_str().unwrap()).collect();
        assert!(labels.iter().any(|l| l.contains("cart.shop.svc.cluster.local")), "{labels:?}");
    }
}
