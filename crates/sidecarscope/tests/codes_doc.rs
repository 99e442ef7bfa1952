//! `docs/diagnostics.md` is generated from the code list; this keeps it in step.
//! Regenerate with `cargo run -q -p sidecarscope-cli -- codes > docs/diagnostics.md`
//! (or run this test with `UPDATE_DOCS=1`).

#[test]
fn diagnostics_doc_is_up_to_date() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/diagnostics.md");
    let want = sidecarscope::diagnostic::codes_markdown();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(path, &want).unwrap();
    }
    let have = std::fs::read_to_string(path).unwrap_or_default();
    assert!(have == want, "docs/diagnostics.md is stale: regenerate it with `cargo run -q -p sidecarscope-cli -- codes > docs/diagnostics.md`");
}
