//! What the playground's two wasm modules share: the shell (`sidecarscope-web`, web/src) and the
//! deferred module loaded on first use (`sidecarscope-web-deferred`, web/deferred). Each module links
//! only what it uses of this crate. See web/README.md, "Two wasm modules".

pub mod browser;
pub mod embed;
pub mod examples;
pub mod js;
pub mod json;
pub mod share;
pub mod ui;

/// The name the input has in diagnostics (and in the CLI's output for the same text).
pub const INPUT_NAME: &str = "input.yaml";

/// The options of the workspace of the page's text: istiod's flags of the proxy choice, and the
/// namespace of resources without `metadata.namespace` (as `kubectl apply -n`; empty or blank:
/// `default`). Both modules read the text with these, so they see the same input.
pub fn options(choice: &share::ProxyChoice, namespace: &str) -> sidecarscope::Options {
    let default_namespace = match namespace.trim() {
        "" => sidecarscope::DEFAULT_NAMESPACE,
        ns => ns,
    };
    sidecarscope::Options {
        istiod_env: share::pairs(&choice.istiod),
        default_namespace: default_namespace.to_string(),
        ..sidecarscope::Options::default()
    }
}
