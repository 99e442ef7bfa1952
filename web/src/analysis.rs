//! The core over the editor's text, through the core's `Workspace`. Each edit makes a workspace
//! (handing it the documents the previous one parsed, so only the edited documents are parsed
//! again), reads it in steps ([`loading`]), then [`analyze_input`]: the mesh analysis (sorted,
//! then the suppression annotations applied, as in every front end) for Problems, the status
//! line and the squiggles. What the proxy panels show (the resolution, the listeners, a trace)
//! is their module's (web/deferred), asked only while one of them is open, so typing never pays for
//! hidden panels. The app calls the core crate directly; nothing here goes through JSON.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use sidecarscope::report::{JsonDiagnostic, Summary};
use sidecarscope::workspace::DocumentCache;
use sidecarscope::{ResourceKind, SourceFile, Workspace};
use sidecarscope_web_common::INPUT_NAME;

use crate::share::ProxyChoice;

thread_local! {
    /// The documents the last workspace parsed, for the next edit's.
    static DOCUMENTS: RefCell<Option<DocumentCache>> = const { RefCell::new(None) };
    /// The workspace of the edit being read or waiting for its analysis: a newer edit, whose
    /// run replaces that one's, takes its documents (they would be lost with the dropped run).
    static READING: RefCell<Weak<RefCell<Option<Workspace>>>> = const { RefCell::new(Weak::new()) };
}

#[derive(Debug, Clone, Default)]
pub struct Analysis {
    pub diagnostics: Vec<JsonDiagnostic>,
    /// Per diagnostic: from Istio's admission (reading the input, decoding, the CRD schema,
    /// the webhook's validator), not the mesh analysis.
    pub admission: Vec<bool>,
    /// Istio's verdict on each Sidecar of the input, in source order.
    pub verdicts: Vec<Verdict>,
    pub summary: Summary,
    /// Resources read from the input, by what the core understands them to be.
    pub resources: usize,
    pub sidecars: usize,
    /// The input's resources in source order, for the editor's outline.
    pub outline: Vec<OutlineItem>,
    /// Wall time of the core, in milliseconds; `None` natively.
    pub elapsed_ms: Option<f64>,
}

/// A Sidecar as the API server and Istio's webhook answer it: rejected when its admission
/// findings hold an error.
/// A resource of the input: `Kind namespace/name` and its UTF-16 range in the editor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutlineItem {
    pub label: String,
    pub from: u32,
    pub to: u32,
}

#[derive(Debug, Clone)]
pub struct Verdict {
    pub namespace: String,
    pub name: String,
    pub errors: usize,
    pub warnings: usize,
    /// UTF-16 range of the resource in the editor.
    pub from: u32,
    pub to: u32,
}

impl Analysis {
    /// The Sidecars Istio rejects.
    pub fn rejected(&self) -> usize {
        self.verdicts.iter().filter(|v| v.errors > 0).count()
    }

    /// The findings counted by severity: Istio's admission's (`true`) or the mesh analysis'.
    pub fn counts(&self, admission: bool) -> Summary {
        let mut s = Summary::default();
        for (d, _) in self.diagnostics.iter().zip(&self.admission).filter(|(_, a)| **a == admission) {
            match d.severity {
                sidecarscope::Severity::Error => s.errors += 1,
                sidecarscope::Severity::Warning => s.warnings += 1,
                sidecarscope::Severity::Info => s.infos += 1,
            }
        }
        s
    }
}

#[cfg(test)]
pub fn analyze(text: &str, choice: &ProxyChoice) -> Analysis {
    analyze_input(loading(text, choice, "").finish().expect("not replaced"))
}

/// An edit's workspace being read, a few documents at a time (a large input's edit reads it over
/// several tasks).
pub struct Loading {
    /// `None` once a newer edit took its documents ([`loading`]).
    ws: Rc<RefCell<Option<Workspace>>>,
}

impl Loading {
    /// Reads documents until `more()` says stop (at least one); true once all are read (or a
    /// newer edit replaced this one).
    pub fn step(&mut self, more: &mut dyn FnMut() -> bool) -> bool {
        self.ws.borrow_mut().as_mut().is_none_or(|ws| ws.step_loading(more))
    }

    /// The workspace, read ([`analyze_input`] hands its documents to the next edit); `None` if
    /// a newer edit replaced this one.
    pub fn finish(self) -> Option<Workspace> {
        let ws = self.ws.borrow_mut().take()?;
        ws.input();
        Some(ws)
    }
}

/// The first half of [`analyze`]: the workspace of the text, with istiod's flags of the choice.
/// Resources without `metadata.namespace` go to `namespace` (as `kubectl apply -n`; empty or
/// blank: `default`). An edit still being read is replaced: its documents serve this one.
pub fn loading(text: &str, choice: &ProxyChoice, namespace: &str) -> Loading {
    let replaced = READING.with(|r| r.borrow().upgrade()).and_then(|ws| ws.borrow_mut().take());
    if let Some(ws) = replaced {
        DOCUMENTS.with(|d| *d.borrow_mut() = Some(ws.into_document_cache()));
    }
    let options = sidecarscope_web_common::options(choice, namespace);
    let cache = DOCUMENTS.with(|d| d.borrow_mut().take()).unwrap_or_else(|| DocumentCache::new(true));
    let ws = Workspace::with_document_cache(vec![SourceFile::new(INPUT_NAME, text)], options, cache);
    let ws = Rc::new(RefCell::new(Some(ws)));
    READING.with(|r| *r.borrow_mut() = Rc::downgrade(&ws));
    Loading { ws }
}

/// The second half of [`analyze`].
pub fn analyze_input(ws: Workspace) -> Analysis {
    let input = ws.input();
    // As `sidecarscope analyze` does: sorted, then the resources' suppression annotations (the
    // page has no `--suppress` rules).
    let findings = ws.analyze();
    let r = sidecarscope::render::findings_report(input, &findings);
    let diags = findings.diagnostics;
    use sidecarscope::diagnostic::Origin::{CrdSchema, Decoding, Input as Read, IstioValidator};
    let admission: Vec<bool> =
        diags.iter().map(|d| matches!(d.code.origin(), Read | Decoding | CrdSchema | IstioValidator)).collect();
    let verdicts = input
        .of_kind(ResourceKind::Sidecar)
        .map(|sc| {
            let src = input.source(sc.source);
            let mut v = Verdict {
                namespace: sc.namespace.clone(),
                name: sc.name.clone(),
                errors: 0,
                warnings: 0,
                from: src.utf16_offset(sc.node.range.start),
                to: src.utf16_offset(sc.node.range.end),
            };
            for (d, _) in r.diagnostics.iter().zip(&admission).filter(|(_, a)| **a) {
                if d.resource
                    .as_ref()
                    .is_some_and(|x| x.kind == "Sidecar" && x.namespace == v.namespace && x.name == v.name)
                {
                    match d.severity {
                        sidecarscope::Severity::Error => v.errors += 1,
                        sidecarscope::Severity::Warning => v.warnings += 1,
                        sidecarscope::Severity::Info => {}
                    }
                }
            }
            v
        })
        .collect();

    let outline = input
        .resources
        .iter()
        .map(|r| {
            let src = input.source(r.source);
            OutlineItem {
                label: format!("{} {}/{}", r.kind_name, r.namespace, r.name),
                from: src.utf16_offset(r.node.range.start),
                to: src.utf16_offset(r.node.range.end),
            }
        })
        .collect();
    let analysis = Analysis {
        diagnostics: r.diagnostics,
        admission,
        verdicts,
        summary: r.summary,
        resources: input.resources.len(),
        sidecars: input.of_kind(ResourceKind::Sidecar).count(),
        outline,
        elapsed_ms: None,
    };
    // The documents go to the next edit's workspace, their trees moved, not copied.
    DOCUMENTS.with(|d| *d.borrow_mut() = Some(ws.into_document_cache()));
    analysis
}

#[cfg(test)]
mod tests {
    use super::*;
    use sidecarscope::Severity;

    /// Each edit's workspace takes the documents the last one read: only the edited document is
    /// parsed again, and the findings are those of a fresh read.
    #[test]
    fn an_edit_parses_only_the_edited_document() {
        let parsed = || DOCUMENTS.with(|d| d.borrow().as_ref().map_or(0, DocumentCache::parsed));
        let text = crate::examples::find("mistake-short-host").unwrap().text;
        DOCUMENTS.with(|d| *d.borrow_mut() = None);
        let first = analyze(text, &ProxyChoice::default());
        let all = parsed();
        assert!(all >= 3, "{all}");
        let edited = text.replacen("metadata:\n", "metadata:\n  labels: {team: a}\n", 1);
        let second = analyze(&edited, &ProxyChoice::default());
        assert_eq!(parsed(), all + 1);
        assert_eq!(second.diagnostics.len(), first.diagnostics.len());
        DOCUMENTS.with(|d| *d.borrow_mut() = None);
        let fresh = analyze(&edited, &ProxyChoice::default());
        assert_eq!(format!("{:?}", second.diagnostics), format!("{:?}", fresh.diagnostics));
    }

    /// An edit that replaces one still being read takes its documents: the documents that
    /// one read (and those the edit before it had) are not parsed again.
    #[test]
    fn a_replaced_edit_hands_its_documents_on() {
        let parsed = || DOCUMENTS.with(|d| d.borrow().as_ref().map_or(0, DocumentCache::parsed));
        let text = crate::examples::find("ratings-uds").unwrap().text;
        DOCUMENTS.with(|d| *d.borrow_mut() = None);
        analyze(text, &ProxyChoice::default());
        let all = parsed();
        // An edit read halfway (one document), then replaced by the next edit, read whole.
        let edited = text.replacen("metadata:\n", "metadata:\n  labels: {team: a}\n", 1);
        let mut first = loading(&edited, &ProxyChoice::default(), "");
        let mut steps = 0;
        assert!(!first.step(&mut || {
            steps += 1;
            steps < 1
        }));
        let again = edited.replacen("team: a", "team: b", 1);
        let second = analyze(&again, &ProxyChoice::default());
        assert_eq!(parsed(), all + 2, "the two versions of the edited document only");
        assert!(first.step(&mut || true), "the replaced edit has nothing left to read");
        assert!(first.finish().is_none());
        DOCUMENTS.with(|d| *d.borrow_mut() = None);
        let fresh = analyze(&again, &ProxyChoice::default());
        assert_eq!(format!("{:?}", second.diagnostics), format!("{:?}", fresh.diagnostics));
    }

    /// The page applies the resources' suppression annotations as `sidecarscope analyze` does,
    /// and counts what they left out.
    #[test]
    fn suppression_annotations_leave_findings_out() {
        let text = crate::examples::find("mistake-short-host").unwrap().text;
        let a = analyze(text, &ProxyChoice::default());
        let code = a.diagnostics.first().expect("the mistake is found").code;
        let annotated = text.replacen(
            "metadata:\n",
            &format!("metadata:\n  annotations:\n    galley.istio.io/analyze-suppress: {code}\n"),
            1,
        );
        let b = analyze(&annotated, &ProxyChoice::default());
        assert!(b.diagnostics.iter().all(|d| d.code != code), "{:?}", b.diagnostics);
        let n = a.diagnostics.iter().filter(|d| d.code == code).count();
        assert!(n > 0 && b.summary.suppressed > 0 && b.diagnostics.len() + b.summary.suppressed == a.diagnostics.len());
        assert!(crate::markdown::counts(&b.summary).ends_with(&format!("{} suppressed", b.summary.suppressed)));
    }

    /// The page's default namespace places resources that name none, as `kubectl apply -n`.
    #[test]
    fn resources_without_a_namespace_go_to_the_default_namespace() {
        let text = "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata:\n  name: s\nspec:\n  egress:\n  - hosts: [\"./*\"]\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: other\n";
        for (ns, want) in [("", "default"), ("  ", "default"), ("team-a", "team-a"), (" team-b ", "team-b")] {
            let ws = loading(text, &ProxyChoice::default(), ns).finish().unwrap();
            let input = ws.input();
            let kinds: Vec<(String, String)> =
                input.resources.iter().map(|r| (r.name.clone(), r.namespace.clone())).collect();
            assert_eq!(kinds, [("s".to_string(), want.to_string()), ("p".to_string(), "other".to_string())], "{ns:?}");
        }
    }

    /// The outline lists every resource in source order, with its range in the text.
    #[test]
    fn the_outline_lists_the_resources() {
        let text = crate::examples::find("ratings-uds").unwrap().text;
        let a = analyze(text, &ProxyChoice::default());
        let labels: Vec<&str> = a.outline.iter().map(|o| o.label.as_str()).collect();
        assert_eq!(
            labels[..3],
            ["Sidecar prod-us1/ratings", "Service prod-us1/productpage", "Service prod-us1/ratings"]
        );
        let first = &a.outline[0];
        assert!(text[first.from as usize..first.to as usize]
            .starts_with("apiVersion: networking.istio.io/v1\nkind: Sidecar"));
        assert!(a.outline.windows(2).all(|w| w[0].to <= w[1].from));
    }

    /// Istio's verdict per Sidecar: its admission findings (the webhook's) decide it; the mesh
    /// analysis' findings are counted apart.
    #[test]
    fn a_sidecar_is_rejected_by_its_admission_errors_only() {
        let text = "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata:\n  name: bad\n  namespace: ns\nspec:\n  egress:\n  - hosts: [reviews, \"ns2/ratings\"]\n---\napiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata:\n  name: good\n  namespace: ns\nspec:\n  workloadSelector:\n    labels: {app: x}\n  egress:\n  - hosts: [\"./*\"]\n";
        let a = analyze(text, &ProxyChoice::default());
        assert_eq!(a.verdicts.len(), 2);
        let (bad, good) = (&a.verdicts[0], &a.verdicts[1]);
        assert_eq!((bad.name.as_str(), bad.errors), ("bad", 2), "{:?}", a.diagnostics);
        assert_eq!((good.name.as_str(), good.errors), ("good", 0));
        assert_eq!(a.rejected(), 1);
        // The short name's fix names the entry's namespace.
        assert!(
            a.diagnostics
                .iter()
                .any(|d| d.hint.as_deref().is_some_and(|h| h.contains("`ns2/ratings.ns2.svc.cluster.local`"))),
            "{:?}",
            a.diagnostics
        );
        let istio = a.counts(true);
        let mesh = a.counts(false);
        assert_eq!(istio.errors, 2);
        // SC3009/SC3010 (no workloads, no services) are the mesh analysis', not Istio's verdict.
        assert!(mesh.infos >= 1, "{:?}", a.diagnostics);
        assert_eq!(
            istio.errors + istio.warnings + istio.infos + mesh.errors + mesh.warnings + mesh.infos,
            a.diagnostics.len()
        );
        assert!(
            a.diagnostics.iter().zip(&a.admission).all(|(d, adm)| *adm == (d.code < "SC2000")),
            "{:?}",
            a.diagnostics
        );
    }
    #[test]
    fn two_selector_less_sidecars_are_an_error() {
        let a = analyze(crate::examples::find("mistake-two-defaults").unwrap().text, &ProxyChoice::default());
        assert!(a.diagnostics.iter().any(|d| d.severity == Severity::Error), "{:?}", a.diagnostics);
    }

    /// Istio's examples raise no error or warning (an info may explain something); each
    /// mistake shows at least one error (validation's or the mesh analysis'); both sides of a
    /// Compare example are free of errors.
    #[test]
    fn docs_examples_are_clean_and_mistakes_are_caught() {
        use crate::examples::{Group, EXAMPLES};
        for e in EXAMPLES {
            let a = analyze(e.text, &Default::default());
            assert!(a.resources >= 2, "{}: needs Services/workloads beside the Sidecar", e.id);
            let count = |s: Severity| a.diagnostics.iter().filter(|d| d.severity == s).count();
            match e.group {
                Group::IstioDocs => {
                    assert_eq!(count(Severity::Error) + count(Severity::Warning), 0, "{}: {:?}", e.id, a.diagnostics)
                }
                Group::Mistake => assert!(count(Severity::Error) > 0, "{}", e.id),
                // A change that breaks calls, each side valid: what Impact is for, not Problems.
                Group::Compare => {
                    let base = analyze(e.base.unwrap(), &Default::default());
                    for (side, a) in [("head", &a), ("base", &base)] {
                        let errors: Vec<_> = a.diagnostics.iter().filter(|d| d.severity == Severity::Error).collect();
                        assert!(errors.is_empty(), "{} ({side}): {errors:?}", e.id);
                    }
                }
            }
        }
    }
}
