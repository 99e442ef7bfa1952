//! Problems: Istio's verdict first, then the rest. Each Sidecar of the input is accepted or
//! rejected as the API server and Istio's webhook would answer it (its findings from reading,
//! decoding, the CRD schema and the validator, under it); then the input's other admission
//! findings; then the mesh analysis (istioctl analyze, Kiali, ours), errors first, infos folded.
//! Every finding is a button that selects its range in the editor (click or Enter).

use sidecarscope::report::JsonDiagnostic;
use sidecarscope::Severity;

use crate::analysis::Analysis;
use crate::dom::{plural, El};

/// More than this many rows are summarised (a pasted mesh can have thousands).
const MAX_ROWS: usize = 500;

pub fn body(a: &Analysis) -> El {
    let out = El::new("div");
    if !a.verdicts.is_empty() {
        let list = El::cls("ul", "problems verdicts").attr("aria-label", "Istio's verdict");
        for v in &a.verdicts {
            let label = if v.errors > 0 {
                format!("rejected: {}", plural(v.errors, "error", "errors"))
            } else if v.warnings > 0 {
                format!("accepted, {}", plural(v.warnings, "warning", "warnings"))
            } else {
                "accepted".to_string()
            };
            let (icon, class) =
                if v.errors > 0 { ("\u{2716}", "verdict sev-error") } else { ("\u{2714}", "verdict ok") };
            let head = El::cls("button", class)
                .attr("type", "button")
                .selects((v.from, v.to))
                .child(El::cls("span", "sev-icon").attr("aria-hidden", "true").text(icon))
                .child(El::cls("span", "problem-body").text(&format!("Sidecar {}/{}: {label}", v.namespace, v.name)));
            let li = El::new("li").child(head);
            let mine = ul("problems", "Istio's findings");
            for (d, _) in
                a.diagnostics.iter().zip(&a.admission).filter(|(d, adm)| **adm && is_sidecar(d, &v.namespace, &v.name))
            {
                mine.push(row(d));
            }
            li.push(mine);
            list.push(li);
        }
        out.push(section("Istio's verdict", "webhook"));
        out.push(list);
    }
    // The input's other admission findings (YAML, other resources), then the mesh analysis.
    let rest: Vec<(&JsonDiagnostic, bool)> = a
        .diagnostics
        .iter()
        .zip(a.admission.iter().copied())
        .filter(|(d, adm)| !*adm || !a.verdicts.iter().any(|v| is_sidecar(d, &v.namespace, &v.name)))
        .collect();
    let mut shown = 0;
    for (title, id, admission) in [("Input", "input", true), ("Mesh analysis", "mesh", false)] {
        let group: Vec<&JsonDiagnostic> = rest.iter().filter(|(_, adm)| *adm == admission).map(|(d, _)| *d).collect();
        if group.is_empty() {
            continue;
        }
        out.push(section(title, id));
        let main = ul("problems", title);
        let infos = ul("problems", "Infos");
        // Errors, then warnings; the infos folded.
        for sev in [Severity::Error, Severity::Warning, Severity::Info] {
            for d in group.iter().filter(|d| d.severity == sev) {
                shown += 1;
                if shown <= MAX_ROWS {
                    (if sev == Severity::Info { &infos } else { &main }).push(row(d));
                }
            }
        }
        out.push(main);
        let n = group.iter().filter(|d| d.severity == Severity::Info).count();
        if n > 0 {
            out.push(
                El::cls("details", "infos").child(El::new("summary").text(&plural(n, "info", "infos"))).child(infos),
            );
        }
    }
    let more = shown.saturating_sub(MAX_ROWS);
    if more > 0 {
        out.push(El::cls("p", "more").text(&format!("and {more} more")));
    }
    if a.diagnostics.is_empty() {
        out.push(El::cls("p", "empty").text(if a.resources == 0 {
            "Nothing to check yet: paste resources or pick an example."
        } else if a.sidecars == 0 {
            "No problems. (The input has no Sidecar to check.)"
        } else {
            "No problems: Istio accepts every Sidecar in the input, and the mesh checks find nothing."
        }));
    }
    out
}

fn ul(class: &str, label: &str) -> El {
    El::cls("ul", class).attr("aria-label", label)
}

fn section(title: &str, id: &str) -> El {
    El::cls("h3", "problems-head").attr("id", &format!("problems-{id}")).text(title)
}

fn is_sidecar(d: &JsonDiagnostic, namespace: &str, name: &str) -> bool {
    d.resource.as_ref().is_some_and(|r| r.kind == "Sidecar" && r.namespace == namespace && r.name == name)
}

fn row(d: &JsonDiagnostic) -> El {
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
    let body = El::cls("span", "problem-body")
        .child(El::cls("span", "problem-message").code_spans(&d.message))
        .child(El::cls("span", "problem-meta").text(&meta));
    if let Some(h) = &d.hint {
        body.push(El::cls("span", "problem-hint").text("help: ").code_spans(h));
    }
    // The severity is read first, in words (the icon is hidden); the visible text follows, so
    // the accessible name contains the visible label (no aria-label to disagree with it).
    let button = El::cls("button", sev_class)
        .attr("type", "button")
        .attr("data-line", &start.line.to_string())
        .selects((start.utf16, d.range.end.utf16))
        .child(El::cls("span", "sev-icon").attr("aria-hidden", "true").text(icon))
        .child(El::cls("span", "sr-only").text(&format!("{}: ", d.severity.as_str())))
        .child(body)
        .child(El::cls("span", "problem-loc").text(&format!("{}:{}", start.line, start.column)));
    El::new("li").child(button)
}
