//! `suggest` on a generated mesh with generated traffic: calls drawn from each workload's
//! imported services and the VirtualServices on them, written as a Prometheus query result, as
//! Prometheus text, as a Kiali graph and as an Envoy access log. Every suggestion offered must
//! validate clean, analysis must find nothing new on the mesh with the suggestions applied, and
//! every observed call of every workload a suggestion governs must trace identically (the
//! proof's own check, counted here: each has traced calls). A Sidecar is only refused for a
//! reason of its shape (ingress listeners, ports...), never because a call would change.

use sidecarscope::tighten::{self, evidence, EvidenceFile, Per, SuggestOptions};
use sidecarscope::{Options, SourceFile, Workspace};
use sidecarscope_bench::generate::generate_shape;
use sidecarscope_bench::traffic::{access_log, evidence_files, traffic};

fn check(per: Per, namespaces: usize, services: usize) {
    let mesh = generate_shape(namespaces, services);
    let ws = Workspace::new(vec![SourceFile::new("mesh.yaml", mesh.clone())], Options::default());
    let calls = traffic(&ws);
    assert!(calls.len() > 50, "only {} calls", calls.len());
    let e = evidence::read(&evidence_files(&calls));
    assert!(e.problems.is_empty(), "{:?}", e.problems);
    assert_eq!(e.calls.len(), calls.len());
    let report = tighten::suggest(&ws, &e, &SuggestOptions { per, ..SuggestOptions::default() }).unwrap();
    for r in &report.refused {
        assert!(r.calls.is_empty() && r.reason.contains("is not replaced"), "refused for a call: {r:?}");
    }
    assert!(!report.suggestions.is_empty());
    let mut governed = 0;
    for w in report.workloads.iter().filter(|w| w.suggested.is_some()) {
        if w.calls > 0 {
            assert!(w.traced >= w.calls, "{}: {} of {} calls traced", w.workload, w.traced, w.calls);
            governed += 1;
        }
        let (b, a) = (w.before, w.after.unwrap());
        assert!(
            a.imported_services <= b.imported_services && a.clusters <= b.clusters,
            "{}: {b:?} -> {a:?}",
            w.workload
        );
    }
    assert!(governed > 5, "only {governed} workloads with calls got a suggestion");
    // Applied: the suggestions validate clean, and analysis finds nothing new.
    let head = Workspace::new(tighten::apply(&ws, &report), Options::default());
    let suggested = head.input().sources.len() - 1;
    let v = head.validate();
    assert!(v.diagnostics.iter().all(|d| d.source.0 as usize != suggested), "{:?}", v.diagnostics);
    let key = |d: &sidecarscope::Diagnostic| (d.code, d.resource.clone(), d.path.clone());
    let before: Vec<_> = ws.analyze().diagnostics.iter().map(key).collect();
    let after: Vec<_> = head.analyze().diagnostics.iter().map(key).filter(|k| !before.contains(k)).collect();
    assert!(after.is_empty(), "new findings: {after:?}");
}

#[test]
fn per_namespace_on_a_generated_mesh_changes_no_call() {
    check(Per::Namespace, 4, 8);
}

/// The medium bench mesh (issue 8: 20 namespaces x 25 services), per namespace and per
/// workload in one test (the mesh and traffic are built once per call).
#[test]
fn medium_bench_mesh_changes_no_call() {
    check(Per::Namespace, 20, 25);
    check(Per::Auto, 20, 25);
}

#[test]
fn per_workload_on_a_generated_mesh_changes_no_call() {
    check(Per::Workload, 4, 8);
}

#[test]
fn envoy_logs_of_one_workload() {
    let mesh = generate_shape(3, 6);
    let ws = Workspace::new(vec![SourceFile::new("mesh.yaml", mesh)], Options::default());
    let calls = traffic(&ws);
    let (ns, wl, _, _) = calls.iter().find(|c| c.0 != "istio-system").unwrap().clone();
    let log = access_log(&calls, &ns, &wl);
    let e = evidence::read(&[EvidenceFile { name: "access.log".into(), text: log }]);
    assert!(e.problems.is_empty(), "{:?}", e.problems);
    let id = format!("{ns}/{wl}");
    let options = SuggestOptions { workload: Some(id.clone()), per: Per::Workload, ..SuggestOptions::default() };
    let report = tighten::suggest(&ws, &e, &options).unwrap();
    let w = report.workloads.iter().find(|w| w.workload == id).unwrap();
    assert_eq!(w.calls, e.calls.len());
    assert!(report.refused.iter().all(|r| r.calls.is_empty()), "{:?}", report.refused);
}
