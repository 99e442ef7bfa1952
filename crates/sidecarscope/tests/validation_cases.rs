//! The validation cases (ported from Istio's own behaviour): the verdict, the warnings and
//! Istio's message texts must match; the whole human-readable output is pinned by a snapshot.

mod common;

use common::Case;
use sidecarscope::{report, Severity};

#[test]
fn validation_cases() {
    let mut failures = Vec::new();
    let known = common::known_failures("validation");
    insta::glob!("cases/validation/*.yaml", |path| {
        let case = Case::read(path);
        let input = sidecarscope::load_text("input.yaml", &case.input);
        let mut diags = sidecarscope::validate(&input);
        report::sort(&mut diags);
        let errors: Vec<_> = diags.iter().filter(|d| d.severity == Severity::Error).collect();
        let warnings = diags.iter().any(|d| d.severity == Severity::Warning);
        let mut problems = Vec::new();
        if let Some(valid) = case.expect_bool("valid") {
            if errors.is_empty() != valid {
                problems.push(format!("valid={}, want {valid}", errors.is_empty()));
            }
        }
        match case.expect_bool("warnings") {
            Some(true) if !warnings => problems.push("no warning, want one".into()),
            Some(false) if warnings => problems.push("unexpected warning".into()),
            _ => {}
        }
        let all: Vec<&str> = diags.iter().map(|d| d.message.as_str()).collect();
        for m in case.expect_strings("messages") {
            if !all.iter().any(|have| have.contains(&m)) {
                problems.push(format!("missing message {m:?}"));
            }
        }
        let is_known = known.iter().any(|(n, _)| *n == case.name);
        match (problems.is_empty(), is_known) {
            (false, false) => failures.push(format!("{}: {}", case.name, problems.join("; "))),
            (true, true) => failures.push(format!("{}: passes but is listed as a known failure", case.name)),
            _ => {}
        }
        insta::assert_snapshot!(report::render_human(&input, &diags, false));
    });
    assert!(failures.is_empty(), "{} case(s) failed:\n{}", failures.len(), failures.join("\n"));
}
