//! "Copy as Markdown": the core's Markdown writer (`sidecarscope::render::markdown`), which the
//! CLI's `--output markdown` and the wasm module's `format: "markdown"` share.

pub use sidecarscope::render::markdown::{counts, report};
