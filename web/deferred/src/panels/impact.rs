//! Impact: what the edits since Compare change, workload by workload, as `sidecarscope impact`
//! says it (`sidecarscope::impact`, and the core's plan and pull-request writers): the calls that
//! break first, then per namespace and workload the `+`/`-`/`~` lines, then the analysis findings
//! that appear or disappear. The base is the text when Compare was pressed (the shell keeps it,
//! share links carry it); the head is the editor's text.

use std::cell::RefCell;

use leptos::prelude::*;
use sidecarscope::impact::{impact, ImpactOptions};
use sidecarscope::render::impact as write;

use crate::model::Model;

thread_local! {
    /// The report shown, as text and as Markdown, for the copy buttons.
    static SHOWN: RefCell<Option<(String, String)>> = const { RefCell::new(None) };
}

pub fn body(head: &Model, base: Option<&Model>) -> AnyView {
    SHOWN.with(|s| *s.borrow_mut() = None);
    let Some(base) = base else {
        return view! {
            <p class="empty">"Press Compare in the toolbar to keep the text as it is now as the base; then edit it: this panel shows what your change does to every workload's proxy (imported services, listeners, routes, clusters, outbound policy, inbound ports), the calls that stop working and the YAML that causes it, before you apply it."</p>
        }
        .into_any();
    };
    let report = match impact(&base.ws, &head.ws, &ImpactOptions::default()) {
        Ok(r) => r,
        Err(e) => return view! { <p class="empty">{e}</p> }.into_any(),
    };
    let text = write::text(&report);
    SHOWN.with(|s| *s.borrow_mut() = Some((text.clone(), write::markdown(&report))));
    let s = &report.summary;
    let (class, headline) = if !report.problems.is_empty() {
        ("impact-head fail", "A side does not load completely: no comparison (below).".to_string())
    } else if s.breaking() > 0 {
        let parts: Vec<String> = [(s.broken, "broken"), (s.bypassed, "bypassing the mesh"), (s.rerouted, "rerouted")]
            .into_iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, what)| format!("{} {what}", calls(n)))
            .collect();
        ("impact-head fail", parts.join(", "))
    } else if s.any() {
        ("impact-head ok", "Changes, and no call breaks".to_string())
    } else {
        ("impact-head ok", "No change: every workload's proxy gets the same configuration".to_string())
    };
    // One span per line, classed by its mark (`!` a breaking call, `+`, `-`, `~`): text only.
    let lines = text
        .lines()
        .map(|l| {
            let class = match l.trim_start().chars().next() {
                Some('!') => "plan-line breaking",
                Some('+') => "plan-line added",
                Some('-') => "plan-line removed",
                Some('~') => "plan-line changed",
                _ => "plan-line",
            };
            view! { <span class=class>{format!("{l}\n")}</span> }
        })
        .collect_view();
    view! {
        <div class="impact">
            <p class=class>{headline}</p>
            <pre class="impact-plan">{lines}</pre>
            <p class="impact-actions">
                <button class="link-button" type="button" data-copy="text">"Copy as text"</button>
                <button class="link-button" type="button" data-copy="markdown">"Copy as Markdown (a pull-request comment)"</button>
            </p>
        </div>
    }
    .into_any()
}

fn calls(n: usize) -> String {
    format!("{n} call{}", if n == 1 { "" } else { "s" })
}

/// The report shown, as text (`markdown`: as the pull-request comment).
pub fn copy_text(markdown: bool) -> Option<String> {
    SHOWN.with(|s| s.borrow().as_ref().map(|(t, m)| if markdown { m.clone() } else { t.clone() }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use sidecarscope_web_common::examples;

    /// Dropping the ratings Sidecar's port 9080 egress listener: calls to productpage on 9080
    /// now go through the catch-all, which imports istio-system only.
    #[test]
    fn a_dropped_egress_listener_breaks_calls() {
        let base_text = examples::find("ratings-uds").unwrap().text;
        let head_text =
            base_text.replace("    hosts:\n    - \"prod-us1/*\"\n", "    hosts:\n    - \"istio-system/*\"\n");
        assert_ne!(base_text, head_text);
        let base = Model::read(base_text, &Default::default(), "", None);
        let head = Model::read(&head_text, &Default::default(), "", None);
        let report = impact(&base.ws, &head.ws, &ImpactOptions::default()).unwrap();
        assert!(report.summary.breaking() > 0, "{}", write::text(&report));
        let _ = body(&head, Some(&base));
        let (text, md) = SHOWN.with(|s| s.borrow().clone()).expect("shown");
        assert!(text.contains("productpage.prod-us1.svc.cluster.local"), "{text}");
        assert!(md.contains('|'), "{md}");
        // The same text on both sides: no change.
        let same = impact(&base.ws, &base.ws, &ImpactOptions::default()).unwrap();
        assert!(!same.summary.any());
    }
}
