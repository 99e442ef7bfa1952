//! Suggest: the tightest Sidecar for the selected workload (or, "every workload", one per
//! namespace), as `sidecarscope suggest` computes it (`sidecarscope::tighten`: the evidence read
//! from the Traffic tab, the needs, the proof). Two tabs: "Suggestion" (the Sidecar's YAML with
//! its reasons as comments, the reduction per workload, the Sidecars refused and the calls that
//! would change) and "Traffic" (the observed traffic pasted, the format it was recognised as, and
//! the records that could not be read, `SC0020`/`SC0021`, with their line). "Insert into the
//! editor" hands the Sidecar to the shell (`insertText`), which replaces the Sidecar it supersedes
//! or adds it as a new document, as one undoable edit.

use std::cell::RefCell;

use leptos::prelude::*;
use sidecarscope::tighten::{self, evidence, EvidenceFile, Per, SuggestOptions, SuggestReport};
use sidecarscope::ResourceKind;
use sidecarscope_web_common::ui::{can_edit, plural};
use sidecarscope_web_common::INPUT_NAME;

use super::effective::{card, table};
use crate::model::{Model, Target};
use crate::Ctx;

/// The name the pasted traffic goes by in reasons and problems (`traffic:3`).
pub const TRAFFIC_NAME: &str = "traffic";

/// Which of the panel's tabs is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tab {
    #[default]
    Suggestion,
    Traffic,
}

/// One edit of the editor's text: UTF-16 `from..to` replaced by `text`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Insert {
    pub from: u32,
    pub to: u32,
    pub text: String,
}

thread_local! {
    /// The suggestions shown: their YAML (for "Copy") and where each goes in the editor.
    static SHOWN: RefCell<Vec<(String, Insert)>> = const { RefCell::new(Vec::new()) };
}

/// The tabs, the scope and, in the Traffic tab, the traffic's text area: outside the body, so that
/// typing keeps the cursor (the body is built again at each render).
#[component]
pub fn SuggestControls() -> impl IntoView {
    let state = expect_context::<Ctx>();
    let tab = state.suggest_tab;
    let tab_button = move |t: Tab, label: &'static str| {
        view! {
            <button type="button" role="tab" class="sub-tab" id=format!("suggest-tab-{}", label.to_lowercase())
                aria-selected=move || (tab.get() == t).to_string() class:active=move || tab.get() == t
                on:click=move |_| { tab.set(t); state.results.update(|n| *n = n.wrapping_add(1)); }>
                {label}
            </button>
        }
    };
    let on_scope = move |ev: web_sys::Event| {
        state.whole_mesh.set(event_target_value(&ev) == "mesh");
        state.results.update(|n| *n = n.wrapping_add(1));
    };
    let on_traffic = move |ev: web_sys::Event| {
        state.traffic.set(event_target_value(&ev));
        state.traffic_changed();
    };
    view! {
        <div class="suggest-controls">
            <div class="sub-tabs" role="tablist" aria-label="Suggest">
                {tab_button(Tab::Suggestion, "Suggestion")}
                {tab_button(Tab::Traffic, "Traffic")}
            </div>
            <label class="suggest-scope">"For "
                <select id="suggest-scope" on:change=on_scope>
                    <option value="workload" prop:selected=move || !state.whole_mesh.get()>"the selected workload (a Sidecar of its own)"</option>
                    <option value="mesh" prop:selected=move || state.whole_mesh.get()>"every workload (one Sidecar per namespace)"</option>
                </select>
            </label>
            <div class="suggest-traffic" hidden=move || tab.get() != Tab::Traffic>
                <label for="suggest-traffic-text">"Observed traffic: a Prometheus query result (JSON) or text exposition of istio_requests_total / istio_tcp_connections_opened_total, a Kiali graph (JSON), Envoy access logs (Istio's default text or JSON format), or a dependency list (YAML: namespace/workload: [host, host:port]). The format is recognised by content."</label>
                <textarea id="suggest-traffic-text" spellcheck="false" autocomplete="off" rows="10"
                    placeholder="istio_requests_total{source_workload=\"productpage-v1\",source_workload_namespace=\"default\",destination_service=\"reviews.default.svc.cluster.local\"} 12"
                    prop:value=move || state.traffic.get() on:input=on_traffic></textarea>
            </div>
        </div>
    }
}

/// The evidence of the pasted traffic.
fn read_traffic(traffic: &str) -> evidence::Evidence {
    if traffic.trim().is_empty() {
        return evidence::Evidence::default();
    }
    evidence::read(&[EvidenceFile { name: TRAFFIC_NAME.into(), text: traffic.to_string() }])
}

/// What the suggestion is about: the selected workload (`namespace/name`) and how Sidecars are
/// grouped; `None` workload: every workload, per namespace.
pub fn options(a: &Target, whole_mesh: bool) -> SuggestOptions {
    let workload = a.workload.as_deref().filter(|_| !whole_mesh).and_then(|key| {
        // `Kind/namespace/name`
        let mut parts = key.splitn(3, '/');
        let (_, ns, name) = (parts.next()?, parts.next()?, parts.next()?);
        Some(format!("{ns}/{name}"))
    });
    let per = if workload.is_some() { Per::Workload } else { Per::Namespace };
    SuggestOptions { workload, per, outbound_traffic_policy: None }
}

/// The report for the model's text and the pasted traffic.
pub fn report(model: &Model, traffic: &str, options: &SuggestOptions) -> Result<SuggestReport, String> {
    tighten::suggest(&model.ws, &read_traffic(traffic), options)
}

/// Where a suggestion goes in the editor: over the document of the Sidecar it replaces (after
/// that document's `---` line), or after the last document.
pub fn insertion(model: &Model, s: &tighten::Suggestion) -> Insert {
    insert_at(model, (&s.namespace, &s.name), s.replaces.is_some(), &s.yaml)
}

/// [`insertion`] of the Sidecar `namespace/name` whose YAML is `yaml` (`replaces`: it supersedes
/// the Sidecar of that name, which it then replaces).
fn insert_at(model: &Model, (namespace, name): (&str, &str), replaces: bool, yaml: &str) -> Insert {
    let input = model.ws.input();
    let Some((si, src)) = input.sources.iter().enumerate().find(|(_, s)| s.name == INPUT_NAME) else {
        return Insert { from: 0, to: 0, text: yaml.to_string() };
    };
    let text = &src.text;
    let replaced = replaces.then_some(()).and_then(|_| {
        let r = input
            .of_kind(ResourceKind::Sidecar)
            .find(|r| r.namespace == namespace && r.name == name && r.source.0 as usize == si)?;
        let d = sidecarscope::yaml::document_ranges(text).into_iter().find(|d| d.contains(r.node.range.start))?;
        let (mut from, to) = (d.start as usize, d.end as usize);
        if text[from..].starts_with("---") {
            from += text[from..to].find('\n').map_or(to - from, |i| i + 1);
        }
        Some((from, to))
    });
    match replaced {
        Some((from, to)) => {
            // The next document's `---` must stay at the start of a line.
            let mut yaml = yaml.to_string();
            if to < text.len() && !yaml.ends_with('\n') {
                yaml.push('\n');
            }
            Insert { from: src.utf16_offset(from as u32), to: src.utf16_offset(to as u32), text: yaml }
        }
        None => {
            let end = src.utf16_offset(text.len() as u32);
            let sep = if text.trim().is_empty() {
                ""
            } else if text.ends_with('\n') {
                "---\n"
            } else {
                "\n---\n"
            };
            Insert { from: end, to: end, text: format!("{sep}{yaml}") }
        }
    }
}

pub fn body(a: &Target, model: &Model, traffic: &str, tab: Tab, whole_mesh: bool) -> AnyView {
    SHOWN.with(|s| s.borrow_mut().clear());
    if tab == Tab::Traffic {
        return traffic_body(traffic);
    }
    if a.resources == 0 {
        return super::no_proxy(a);
    }
    let options = options(a, whole_mesh);
    let report = match report(model, traffic, &options) {
        Ok(r) => r,
        Err(e) => return view! { <p class="empty">{e}</p> }.into_any(),
    };
    let scope = options.workload.clone().map_or_else(|| "every workload".to_string(), |w| w.to_string());
    let skipped = (!report.problems.is_empty()).then(|| {
        view! { <p class="why">{format!("{} of the traffic could not be read and {} skipped: see the Traffic tab.", plural(report.problems.len(), "record", "records"), if report.problems.len() == 1 { "was" } else { "were" })}</p> }
    });
    let headline = if traffic.trim().is_empty() {
        view! { <p class="empty">{format!("Paste the traffic {scope} makes in the Traffic tab (metrics, a Kiali graph, access logs or a list of its dependencies): Suggest writes the tightest Sidecar that keeps every observed call, and proves it by tracing each call before and after.")}</p> }.into_any()
    } else if report.suggestions.is_empty() {
        let why = if report.refused.is_empty() {
            format!("No suggestion for {scope}: the traffic has no call made by it (see the Traffic tab and the notes below).")
        } else {
            format!("No suggestion for {scope}: every candidate would change a call (below).")
        };
        view! { <p class="impact-head fail">{why}</p> }.into_any()
    } else {
        let governed = report.workloads.iter().filter(|w| w.suggested.is_some());
        let (traced, calls): (usize, usize) = governed.fold((0, 0), |(t, c), w| (t + w.traced, c + w.calls));
        view! { <p class="impact-head ok">{format!("{} for {scope}, proven: {traced} of {} traced identically before and after.", plural(report.suggestions.len(), "Sidecar", "Sidecars"), plural(calls, "observed call", "observed calls"))}</p> }.into_any()
    };
    let mut shown = Vec::new();
    let suggestions = report
        .suggestions
        .iter()
        .enumerate()
        .map(|(i, s)| {
            shown.push((s.yaml.clone(), insertion(model, s)));
            let what = match &s.replaces {
                Some(r) => format!("Replaces Sidecar {r}; governs {}.", s.workloads.join(", ")),
                None => format!("A new Sidecar; governs {}.", s.workloads.join(", ")),
            };
            let insert = can_edit().then(|| {
                view! { <button class="link-button" type="button" data-insert=i.to_string()>"Insert into the editor"</button> }
            });
            view! {
                <section class="card suggest-sidecar">
                    <h3>{format!("Sidecar {}/{}", s.namespace, s.name)}</h3>
                    <p class="why">{what}</p>
                    <pre class="suggest-yaml">{s.yaml.clone()}</pre>
                    <p class="impact-actions">
                        {insert}
                        <button class="link-button" type="button" data-copy=i.to_string()>"Copy YAML"</button>
                    </p>
                </section>
            }
        })
        .collect_view();
    SHOWN.with(|s| *s.borrow_mut() = shown);
    let rows: Vec<_> = report
        .workloads
        .iter()
        .filter_map(|w| {
            let after = w.after?;
            let b = w.before;
            let cell = |x: usize, y: usize| ("mono nowrap", format!("{x} \u{2192} {y}"));
            Some(vec![
                ("mono", w.workload.clone()),
                cell(b.imported_services, after.imported_services),
                cell(b.listeners, after.listeners),
                cell(b.clusters, after.clusters),
                cell(b.routes, after.routes),
            ])
        })
        .collect();
    let reduction = (!rows.is_empty()).then(|| {
        card(
            "suggest-reduction",
            "Reduction (our generation's counts, before \u{2192} after)",
            table(&["Workload", "Imported services", "Listeners", "Clusters", "Routes"], rows.into_iter()),
        )
    });
    let refused = (!report.refused.is_empty()).then(|| {
        let items = report
            .refused
            .iter()
            .map(|r| {
                let calls = r
                    .calls
                    .iter()
                    .map(|c| {
                        let seen = c.seen.as_ref().map(|s| format!(" ({s})")).unwrap_or_default();
                        view! { <li class="mono">{format!("{}: {}{seen}: {} \u{2192} {}", c.workload, c.call, c.before.summary, c.after.summary)}</li> }
                    })
                    .collect_view();
                view! {
                    <li>
                        <span class="mono">{format!("Sidecar {}", r.sidecar)}</span>{format!(" ({}): {}", r.workloads.join(", "), r.reason)}
                        <ul class="notes">{calls}</ul>
                    </li>
                }
            })
            .collect_view();
        card("suggest-refused", "Not suggested, and why", view! { <ul class="notes">{items}</ul> }.into_any())
    });
    let mut notes = Vec::new();
    for w in &report.workloads {
        for n in &w.passthrough {
            notes.push(format!(
                "{}: the call to {} ({}) only worked through PassthroughCluster: it breaks under REGISTRY_ONLY.",
                w.workload, n.host, n.seen
            ));
        }
        for n in &w.not_imported {
            notes.push(format!(
                "{}: {} ({}) is not imported by its proxy now, so the call does not reach it today; left out.",
                w.workload, n.host, n.seen
            ));
        }
    }
    for n in &report.unattributed {
        notes.push(format!("The call to {} ({}) is made by no workload of the input.", n.host, n.seen));
    }
    let notes = (!notes.is_empty()).then(|| card("suggest-notes", "Notes", super::effective::notes(&notes)));
    view! {
        <div class="suggest">
            {headline}
            {skipped}
            {suggestions}
            {reduction}
            {refused}
            {notes}
        </div>
    }
    .into_any()
}

/// The Traffic tab's body: what the pasted text was recognised as, and its problems by line.
fn traffic_body(traffic: &str) -> AnyView {
    if traffic.trim().is_empty() {
        return view! { <p class="empty">"Nothing pasted yet."</p> }.into_any();
    }
    let e = read_traffic(traffic);
    let summary = e
        .files
        .iter()
        .map(|f| match f.format {
            Some(format) => format!("Recognised as: {}; {}.", format.name(), plural(f.calls, "call", "calls")),
            None => "Not recognised.".to_string(),
        })
        .collect::<Vec<_>>()
        .join(" ");
    let problems = e
        .problems
        .iter()
        .map(|p| {
            view! {
                <li class=format!("suggest-problem {}", p.severity.as_str())>
                    <span class="mono nowrap">{format!("line {}:{}", p.line, p.column)}</span>
                    {format!(" {}[{}]: {}", p.severity.as_str(), p.code, p.message)}
                </li>
            }
        })
        .collect_view();
    view! {
        <div class="suggest-evidence">
            <p class="why">{summary}</p>
            <ul class="notes">{problems}</ul>
        </div>
    }
    .into_any()
}

/// A click in the body: "Insert into the editor" (the shell applies it) or "Copy YAML".
pub fn on_click(ev: &web_sys::Event) {
    let index = |attr: &str| {
        sidecarscope_web_common::ui::closest(ev, &format!("[{attr}]"))
            .and_then(|el| el.get_attribute(attr))
            .and_then(|i| i.parse::<usize>().ok())
    };
    if let Some(i) = index("data-insert") {
        if let Some((_, insert)) = SHOWN.with(|s| s.borrow().get(i).cloned()) {
            crate::insert_text(&insert);
        }
    } else if let Some(i) = index("data-copy") {
        if let Some((yaml, _)) = SHOWN.with(|s| s.borrow().get(i).cloned()) {
            crate::copy(&yaml, "Copied the Sidecar's YAML.");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sidecarscope_web_common::examples;
    use sidecarscope_web_common::share::ProxyChoice;

    /// Prometheus text for the namespace-override example: frontend calls catalog in prod-apis,
    /// and a line is broken.
    const TRAFFIC: &str = "# TYPE istio_requests_total counter
istio_requests_total{source_workload=\"frontend\",source_workload_namespace=\"prod-us1\",destination_service=\"catalog.prod-apis.svc.cluster.local\"} 7
istio_requests_total{source_workload=\"frontend\" 3
";

    fn apply(text: &str, i: &Insert) -> String {
        let mut units: Vec<u16> = text.encode_utf16().collect();
        units.splice(i.from as usize..i.to as usize, i.text.encode_utf16());
        String::from_utf16(&units).unwrap()
    }

    fn findings(t: &str) -> Vec<(&'static str, String)> {
        let ws = sidecarscope::Workspace::new(vec![sidecarscope::SourceFile::new(INPUT_NAME, t)], Default::default());
        ws.analyze().diagnostics.iter().map(|d| (d.code.id(), d.message.clone())).collect()
    }

    /// The selected workload's Sidecar names the host its traffic needs, with the traffic's line
    /// as its reason; inserted, it replaces the Sidecar it supersedes (the namespace's), and the
    /// text analyzes with nothing new.
    #[test]
    fn the_suggestion_replaces_the_sidecar_it_supersedes() {
        let text = examples::find("namespace-override").unwrap().text;
        let (a, m) = crate::model::read(text, &ProxyChoice::default());
        let one = options(&a, false);
        assert_eq!((one.workload.as_deref(), one.per), (Some("prod-us1/frontend"), Per::Workload));
        let got = report(&m, TRAFFIC, &one).unwrap();
        assert_eq!(got.problems.iter().map(|p| (p.line, p.code)).collect::<Vec<_>>(), vec![(3, "SC0020")]);
        let s = &got.suggestions[0];
        assert!(s.yaml.contains("- \"prod-apis/catalog.prod-apis.svc.cluster.local\""), "{}", s.yaml);
        assert!(s.yaml.contains("(traffic:2)"), "reasons as comments: {}", s.yaml);
        assert!(s.replaces.is_some(), "{s:?}");
        let w = got.workloads.iter().find(|w| w.workload == "prod-us1/frontend").expect("frontend");
        assert_eq!((w.calls, w.traced, w.suggested.is_some(), w.after.is_some()), (1, 1, true, true), "{w:?}");
        let ins = insertion(&m, s);
        let edited = apply(text, &ins);
        // One Sidecar still, now the suggested one, and the other documents kept.
        assert_eq!(edited.matches("kind: Sidecar").count(), 1, "{edited}");
        assert!(edited.contains(&s.yaml), "{edited}");
        assert!(!edited.contains("\"istio-system/*\""), "{edited}");
        assert!(edited.contains("---\napiVersion: v1\nkind: Service\nmetadata:\n  name: frontend\n"), "{edited}");
        let (before, after) = (findings(text), findings(&edited));
        let new: Vec<_> = after.iter().filter(|f| !before.contains(f)).collect();
        assert!(new.is_empty(), "new findings {new:?} in\n{edited}");
        // The same for every workload (per namespace).
        let mesh = options(&a, true);
        assert_eq!((mesh.workload.as_deref(), mesh.per), (None, Per::Namespace));
        let r = report(&m, TRAFFIC, &mesh).unwrap();
        assert_eq!(r.suggestions.len(), 1);
        // The body lists it with its insertion.
        let _ = body(&a, &m, TRAFFIC, Tab::Suggestion, false);
        assert_eq!(SHOWN.with(|s| s.borrow().clone()), vec![(s.yaml.clone(), ins)]);
    }

    /// A Sidecar that supersedes none goes after the last document, as a new one.
    #[test]
    fn a_new_sidecar_is_added_as_a_document() {
        let text = examples::find("namespace-override").unwrap().text;
        let (_, m) = crate::model::read(text, &ProxyChoice::default());
        let ins = insert_at(&m, ("prod-us1", "frontend"), false, "kind: Sidecar\n");
        let end = text.encode_utf16().count() as u32;
        assert_eq!((ins.from, ins.to), (end, end));
        assert!(apply(text, &ins).ends_with("        - containerPort: 8080\n---\nkind: Sidecar\n"));
        // Replacing a Sidecar the text does not have adds it too.
        assert_eq!(insert_at(&m, ("prod-us1", "nope"), true, "kind: Sidecar\n"), ins);
    }

    /// The Traffic tab's reading: the format and the problems by line.
    #[test]
    fn the_traffic_tab_reads_the_format_and_the_problems() {
        let e = read_traffic(TRAFFIC);
        assert_eq!(e.files[0].format, Some(evidence::Format::PrometheusText));
        assert_eq!(e.problems.iter().map(|p| (p.line, p.code)).collect::<Vec<_>>(), vec![(3, "SC0020")]);
        assert!(read_traffic("  \n").files.is_empty());
        assert_eq!(read_traffic("hello there\n").problems[0].code, "SC0020");
    }
}
