//! The analysis cases: `cases/analysis/` (ported from istioctl analyze's and Kiali's behaviour)
//! and `cases/analysis-ours/` (one fixture per check of our own). Every expected finding must be
//! there (by code and resource, Istio's text where given), no other istioctl- or Kiali-coded
//! finding may be on a Sidecar, and in `analysis-ours` no other finding of ours (SC30xx) either.
//! The whole human-readable output is pinned by a snapshot.

mod common;

use common::{Case, Finding};
use sidecarscope::{report, Diagnostic};

/// The codes a diagnostic answers to: ours, istioctl's, Kiali's.
fn codes(d: &Diagnostic) -> Vec<&'static str> {
    [Some(d.code.id()), d.istio_code(), d.kiali_code].into_iter().flatten().collect()
}

fn resource(d: &Diagnostic) -> String {
    d.resource.as_ref().map(|r| r.to_string()).unwrap_or_default()
}

/// The problems of one case; `strict_ours` also rejects unlisted SC30xx findings.
fn problems(diags: &[Diagnostic], want: &[Finding], strict_ours: bool) -> Vec<String> {
    let mut problems = Vec::new();
    let mut used: Vec<(usize, String)> = Vec::new();
    for f in want {
        let hit = diags.iter().enumerate().position(|(i, d)| {
            !used.contains(&(i, f.code.clone()))
                && codes(d).contains(&f.code.as_str())
                && resource(d) == f.resource
                && (f.code.starts_with("KIA") || f.message.as_ref().is_none_or(|m| d.message.contains(m.as_str())))
        });
        match hit {
            Some(i) => used.push((i, f.code.clone())),
            None => problems.push(format!(
                "missing {} on {}{}",
                f.code,
                f.resource,
                f.message.as_ref().map(|m| format!(" ({m:?})")).unwrap_or_default()
            )),
        }
    }
    for (i, d) in diags.iter().enumerate() {
        for c in codes(d) {
            let parity = (c.starts_with("IST") || c.starts_with("KIA")) && resource(d).starts_with("Sidecar ");
            let ours = strict_ours && c.starts_with("SC3");
            if (parity || ours) && !used.contains(&(i, c.to_string())) {
                problems.push(format!("extra {c} on {}: {}", resource(d), d.message));
            }
        }
    }
    problems
}

fn run(kind: &str, pattern: &str, strict_ours: bool) {
    let mut failures = Vec::new();
    let known = common::known_failures(kind);
    insta::glob!(pattern, |path| {
        let case = Case::read(path);
        let input = sidecarscope::load_text("input.yaml", &case.input);
        let mut diags = sidecarscope::analyze(&input);
        report::sort(&mut diags);
        // The CLI's analysis, which frees the trees of Services and workloads, finds the same.
        let mut released = sidecarscope::analyze_releasing_trees(&mut input.clone());
        report::sort(&mut released);
        assert_eq!(released, diags, "{}: analyze_releasing_trees differs from analyze", case.name);
        let problems = problems(&diags, &case.expect_findings(), strict_ours);
        let is_known = known.iter().any(|(n, _)| *n == case.name);
        match (problems.is_empty(), is_known) {
            (false, false) => failures.push(format!("{}: {}", case.name, problems.join("; "))),
            (true, true) => failures.push(format!("{}: passes but is listed as a known failure", case.name)),
            _ => {}
        }
        insta::assert_snapshot!(kind.replace('-', "_"), report::render_human(&input, &diags, false));
    });
    assert!(failures.is_empty(), "{} case(s) failed:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn analysis_cases() {
    run("analysis", "cases/analysis/*.yaml", false);
}

#[test]
fn analysis_ours_cases() {
    run("analysis-ours", "cases/analysis-ours/*.yaml", true);
}
