//! The seed doc's Sidecar examples with a few Services and workloads around them
//! (`tests/fixtures/resolve/`): every workload is resolved and the summaries a newcomer reads
//! are pinned by snapshots.

fn summaries(text: &str) -> String {
    let input = sidecarscope::load_text("example.yaml", text);
    assert!(input.diagnostics.is_empty(), "the fixture loads cleanly: {:?}", input.diagnostics);
    let all = sidecarscope::resolve_workloads(&input);
    assert!(!all.is_empty(), "the fixture has workloads");
    all.iter().map(sidecarscope::resolve::render_text).collect::<Vec<_>>().join("\n----\n\n")
}

#[test]
fn seed_examples_read_as_plain_words() {
    insta::glob!("fixtures/resolve/*.yaml", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        insta::assert_snapshot!(summaries(&text));
    });
}
