//! One run of the core over the editor's text: everything the panels show, computed at once.
//! The app calls the core crate directly; nothing here goes through JSON.

use sidecarscope::report::{self, JsonDiagnostic, Summary};
use sidecarscope::ResourceKind;

/// The name the input has in diagnostics (and in the CLI's output for the same text).
pub const INPUT_NAME: &str = "input.yaml";

#[derive(Debug, Clone, Default)]
pub struct Analysis {
    pub diagnostics: Vec<JsonDiagnostic>,
    pub summary: Summary,
    /// Resources read from the input, by what the core understands them to be.
    pub resources: usize,
    pub sidecars: usize,
    /// Wall time of the core (load + validate), in milliseconds; `None` natively.
    pub elapsed_ms: Option<f64>,
}

pub fn analyze(text: &str) -> Analysis {
    let input = sidecarscope::load_text(INPUT_NAME, text);
    let mut diags = sidecarscope::validate(&input);
    report::sort(&mut diags);
    let r = report::diagnostics_report(&input, &diags);
    Analysis {
        diagnostics: r.diagnostics,
        summary: r.summary,
        resources: input.resources.len(),
        sidecars: input.of_kind(ResourceKind::Sidecar).count(),
        elapsed_ms: None,
    }
}
