//! Problems: every diagnostic of the input, in source order; a click (or Enter) selects its
//! range in the editor.

use leptos::prelude::*;
use sidecarscope::report::JsonDiagnostic;
use sidecarscope::Severity;

use super::code_spans;
use crate::app::{with_editor, AppState};

/// More than this many rows are summarised (a pasted mesh can have thousands).
const MAX_ROWS: usize = 500;

#[component]
pub fn ProblemsPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        state.analysis.with(|a| {
            if a.diagnostics.is_empty() {
                let what = if a.resources == 0 {
                    "Nothing to check yet: paste resources or pick an example."
                } else if a.sidecars == 0 {
                    "No problems. (The input has no Sidecar to validate.)"
                } else {
                    "No problems: Istio accepts every Sidecar in the input."
                };
                return view! { <p class="empty">{what}</p> }.into_any();
            }
            let more = a.diagnostics.len().saturating_sub(MAX_ROWS);
            view! {
                <ul class="problems" aria-label="Problems">
                    {a.diagnostics.iter().take(MAX_ROWS).map(row).collect_view()}
                </ul>
                {(more > 0).then(|| view! { <p class="more">{format!("and {more} more")}</p> })}
            }
            .into_any()
        })
    }
}

fn row(d: &JsonDiagnostic) -> impl IntoView {
    let (from, to) = (d.range.start.utf16, d.range.end.utf16);
    let (icon, sev_class) = match d.severity {
        Severity::Error => ("\u{2716}", "sev-error"),
        Severity::Warning => ("\u{25b2}", "sev-warning"),
        Severity::Info => ("\u{2139}", "sev-info"),
    };
    let loc = format!("{}:{}", d.range.start.line, d.range.start.column);
    let label = format!(
        "{} {} at line {}, column {}: {}",
        d.severity.as_str(),
        d.code,
        d.range.start.line,
        d.range.start.column,
        d.message
    );
    let mut meta = vec![format!("{} {}", d.code, d.name)];
    if let Some(r) = &d.resource {
        meta.push(format!("{} {}/{}", r.kind, r.namespace, r.name));
    }
    if !d.path.is_empty() {
        meta.push(d.path.clone());
    }
    if let Some(c) = d.istio_code {
        meta.push(c.to_string());
    }
    view! {
        <li>
            <button type="button" class=format!("problem {sev_class}") aria-label=label
                data-line=d.range.start.line.to_string()
                on:click=move |_| { with_editor(|e| e.select(from, to)); }>
                <span class="sev-icon" aria-hidden="true">{icon}</span>
                <span class="problem-body">
                    <span class="problem-message">{code_spans(&d.message)}</span>
                    <span class="problem-meta">{meta.join(" \u{b7} ")}</span>
                    {d.hint.as_ref().map(|h| view! { <span class="problem-hint">"help: "{code_spans(h)}</span> })}
                </span>
                <span class="problem-loc">{loc}</span>
            </button>
        </li>
    }
}
