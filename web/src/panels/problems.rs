//! Problems: every finding of the mesh analysis (`sidecarscope::analyze`: validation, the checks
//! of istioctl analyze and Kiali, and ours), in source order; a click (or Enter) selects its
//! range in the editor.

use sidecarscope::report::JsonDiagnostic;
use sidecarscope::Severity;

use crate::analysis::Analysis;
use crate::dom::El;

/// More than this many rows are summarised (a pasted mesh can have thousands).
const MAX_ROWS: usize = 500;

pub fn body(a: &Analysis) -> El {
    if a.diagnostics.is_empty() {
        let what = if a.resources == 0 {
            "Nothing to check yet: paste resources or pick an example."
        } else if a.sidecars == 0 {
            "No problems. (The input has no Sidecar to check.)"
        } else {
            "No problems: Istio accepts every Sidecar in the input, and the mesh checks find nothing."
        };
        return El::cls("p", "empty").text(what);
    }
    let list = El::cls("ul", "problems").attr("aria-label", "Problems");
    for d in a.diagnostics.iter().take(MAX_ROWS) {
        list.push(row(d));
    }
    let out = El::new("div").child(list);
    let more = a.diagnostics.len().saturating_sub(MAX_ROWS);
    if more > 0 {
        out.push(El::cls("p", "more").text(&format!("and {more} more")));
    }
    out
}

fn row(d: &JsonDiagnostic) -> El {
    let (icon, sev_class) = match d.severity {
        Severity::Error => ("\u{2716}", "problem sev-error"),
        Severity::Warning => ("\u{25b2}", "problem sev-warning"),
        Severity::Info => ("\u{2139}", "problem sev-info"),
    };
    let start = &d.range.start;
    let label = format!("{} {} at line {}, column {}: {}", d.severity.as_str(), d.code, start.line, start.column, d.message);
    let mut meta = format!("{} {}", d.code, d.name);
    if let Some(r) = &d.resource {
        meta.push_str(&format!(" \u{b7} {} {}/{}", r.kind, r.namespace, r.name));
    }
    if !d.path.is_empty() {
        meta.push_str(" \u{b7} ");
        meta.push_str(&d.path);
    }
    if let Some(c) = d.istio_code {
        meta.push_str(" \u{b7} ");
        meta.push_str(c);
    }
    let body = El::cls("span", "problem-body")
        .child(El::cls("span", "problem-message").code_spans(&d.message))
        .child(El::cls("span", "problem-meta").text(&meta));
    if let Some(h) = &d.hint {
        body.push(El::cls("span", "problem-hint").text("help: ").code_spans(h));
    }
    let button = El::cls("button", sev_class)
        .attr("type", "button")
        .attr("aria-label", &label)
        .attr("data-line", &start.line.to_string())
        .selects((start.utf16, d.range.end.utf16))
        .child(El::cls("span", "sev-icon").attr("aria-hidden", "true").text(icon))
        .child(body)
        .child(El::cls("span", "problem-loc").text(&format!("{}:{}", start.line, start.column)));
    El::new("li").child(button)
}
