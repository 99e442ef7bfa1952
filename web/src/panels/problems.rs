//! Problems: Istio's verdict first, then the rest. Each Sidecar of the input is accepted or
//! rejected as the API server and Istio's webhook would answer it (its findings from reading,
//! decoding, the CRD schema and the validator, under it); then the input's other admission
//! findings; then the mesh analysis (istioctl analyze, Kiali, ours), errors first, infos folded.
//! Every finding is a button that selects its range in the editor (click or Enter); a finding
//! whose code has quick fixes has a "Fix" button beside it (the editor's help computes and
//! applies the fix: web/js/editor.js, `fixFinding`).

use leptos::prelude::*;
use sidecarscope::report::JsonDiagnostic;
use sidecarscope::Severity;

use crate::analysis::Analysis;
use crate::ui::{code_spans, plural, selects};

/// More than this many rows are summarised (a pasted mesh can have thousands).
const MAX_ROWS: usize = 500;

/// The panel's body, rebuilt from the last analysis each time the panel's results are shown.
/// The folded infos stay open across edits (`infos_open`, one flag per section).
pub fn body(a: &Analysis, infos_open: [RwSignal<bool>; 2]) -> AnyView {
    let mut out: Vec<AnyView> = Vec::new();
    if !a.verdicts.is_empty() {
        let items = a
            .verdicts
            .iter()
            .map(|v| {
                let label = if v.errors > 0 {
                    format!("rejected: {}", plural(v.errors, "error", "errors"))
                } else if v.warnings > 0 {
                    format!("accepted, {}", plural(v.warnings, "warning", "warnings"))
                } else {
                    "accepted".to_string()
                };
                let (icon, class) =
                    if v.errors > 0 { ("\u{2716}", "verdict sev-error") } else { ("\u{2714}", "verdict ok") };
                let (from, to) = selects((v.from, v.to));
                let mine = a
                    .diagnostics
                    .iter()
                    .zip(&a.admission)
                    .filter(|(d, adm)| **adm && is_sidecar(d, &v.namespace, &v.name))
                    .map(|(d, _)| row(d))
                    .collect_view();
                view! {
                    <li>
                        <button class=class type="button" data-from=from data-to=to>
                            <span class="sev-icon" aria-hidden="true">{icon}</span>
                            <span class="problem-body">{format!("Sidecar {}/{}: {label}", v.namespace, v.name)}</span>
                        </button>
                        <ul class="problems" aria-label="Istio's findings">{mine}</ul>
                    </li>
                }
            })
            .collect_view();
        out.push(section("Istio's verdict", "webhook"));
        out.push(view! { <ul class="problems verdicts" aria-label="Istio's verdict">{items}</ul> }.into_any());
    }
    // The input's other admission findings (YAML, other resources), then the mesh analysis.
    let rest: Vec<(&JsonDiagnostic, bool)> = a
        .diagnostics
        .iter()
        .zip(a.admission.iter().copied())
        .filter(|(d, adm)| !*adm || !a.verdicts.iter().any(|v| is_sidecar(d, &v.namespace, &v.name)))
        .collect();
    let mut shown = 0;
    for (k, (title, id, admission)) in
        [("Input", "input", true), ("Mesh analysis", "mesh", false)].into_iter().enumerate()
    {
        let group: Vec<&JsonDiagnostic> = rest.iter().filter(|(_, adm)| *adm == admission).map(|(d, _)| *d).collect();
        if group.is_empty() {
            continue;
        }
        out.push(section(title, id));
        let (mut main, mut infos) = (Vec::new(), Vec::new());
        // Errors, then warnings; the infos folded.
        for sev in [Severity::Error, Severity::Warning, Severity::Info] {
            for d in group.iter().filter(|d| d.severity == sev) {
                shown += 1;
                if shown <= MAX_ROWS {
                    (if sev == Severity::Info { &mut infos } else { &mut main }).push(row(d));
                }
            }
        }
        out.push(view! { <ul class="problems" aria-label=title>{main}</ul> }.into_any());
        let n = group.iter().filter(|d| d.severity == Severity::Info).count();
        if n > 0 {
            let open = infos_open[k];
            out.push(
                view! {
                    <details class="infos" prop:open=open.get_untracked()
                        on:toggle=move |ev| open.set(event_target::<web_sys::HtmlDetailsElement>(&ev).open())>
                        <summary on:click=move |ev| {
                            // The click comes before the `toggle` event, which is queued: an edit
                            // in between rebuilds the body and the old element's toggle is lost.
                            let details = event_target::<web_sys::Element>(&ev).parent_element();
                            let was = details.and_then(|d| d.get_attribute("open")).is_some();
                            open.set(!was);
                        }>{plural(n, "info", "infos")}</summary>
                        <ul class="problems" aria-label="Infos">{infos}</ul>
                    </details>
                }
                .into_any(),
            );
        }
    }
    let more = shown.saturating_sub(MAX_ROWS);
    if more > 0 {
        out.push(view! { <p class="more">{format!("and {more} more")}</p> }.into_any());
    }
    if a.diagnostics.is_empty() {
        let text = if a.resources == 0 {
            "Nothing to check yet: paste resources or pick an example."
        } else if a.sidecars == 0 {
            "No problems. (The input has no Sidecar to check.)"
        } else {
            "No problems: Istio accepts every Sidecar in the input, and the mesh checks find nothing."
        };
        out.push(view! { <p class="empty">{text}</p> }.into_any());
    }
    view! { <div>{out}</div> }.into_any()
}

fn section(title: &'static str, id: &str) -> AnyView {
    view! { <h3 class="problems-head" id=format!("problems-{id}")>{title}</h3> }.into_any()
}

fn is_sidecar(d: &JsonDiagnostic, namespace: &str, name: &str) -> bool {
    d.resource.as_ref().is_some_and(|r| r.kind == "Sidecar" && r.namespace == namespace && r.name == name)
}

fn row(d: &JsonDiagnostic) -> AnyView {
    let (icon, sev_class) = match d.severity {
        Severity::Error => ("\u{2716}", "problem sev-error"),
        Severity::Warning => ("\u{25b2}", "problem sev-warning"),
        Severity::Info => ("\u{2139}", "problem sev-info"),
    };
    let start = &d.range.start;
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
    let hint = d.hint.as_ref().map(|h| view! { <span class="problem-hint">"help: "{code_spans(h)}</span> });
    let (from, to) = selects((start.utf16, d.range.end.utf16));
    let fix = (crate::ui::can_edit() && sidecarscope::ide::fixes::has_fix(d.code)).then(|| {
        let label = format!("Fix {} at line {}", d.code, start.line);
        view! {
            <button class="problem-fix" type="button" data-fix=d.code data-fix-from=from.clone() data-fix-to=to.clone()
                title="Apply this finding's quick fix" aria-label=label>"Fix"</button>
        }
    });
    // The severity is read first, in words (the icon is hidden); the visible text follows, so
    // the accessible name contains the visible label (no aria-label to disagree with it).
    view! {
        <li>
            <button class=sev_class type="button" data-line=start.line.to_string() data-from=from data-to=to>
                <span class="sev-icon" aria-hidden="true">{icon}</span>
                <span class="sr-only">{format!("{}: ", d.severity.as_str())}</span>
                <span class="problem-body">
                    <span class="problem-message">{code_spans(&d.message)}</span>
                    <span class="problem-meta">{meta}</span>
                    {hint}
                </span>
                <span class="problem-loc">{format!("{}:{}", start.line, start.column)}</span>
            </button>
            {fix}
        </li>
    }
    .into_any()
}
