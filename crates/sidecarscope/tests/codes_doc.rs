//! `docs/diagnostics.md` is generated from the code list; this keeps it in step.
//! Regenerate with `cargo run -q -p sidecarscope-cli -- codes > docs/diagnostics.md`
//! (or run this test with `UPDATE_DOCS=1`). The `emitted by` column is checked against the
//! sources.

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

/// Every file a code names really creates findings of it (its source holds `Code::Variant`),
/// and every source file that holds `Code::Variant` is named: the column cannot drift.
#[test]
fn emitted_by_names_exactly_the_files_that_use_the_code() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut sources = Vec::new();
    for dir in ["crates", "web/src"] {
        rust_files(&root.join(dir), &mut sources);
    }
    let sources: Vec<(String, String)> = sources
        .into_iter()
        .map(|p| {
            let rel = p.strip_prefix(&root).unwrap().to_string_lossy().replace('\\', "/");
            (rel, std::fs::read_to_string(&p).unwrap())
        })
        // The table itself, tests (they assert codes, they do not emit them), the fuzz targets
        // and the editor layer (its quick fixes match findings' codes) are not emitters.
        .filter(|(rel, _)| rel.contains("/src/") && !rel.ends_with("src/diagnostic.rs") && !rel.contains("/src/ide/"))
        .collect();
    assert!(sources.len() > 50, "found only {} source files under {}", sources.len(), root.display());
    for c in sidecarscope::Code::ALL {
        let variant = format!("Code::{c:?}");
        let uses = |text: &str| {
            text.match_indices(&variant).any(|(i, _)| {
                !text[i + variant.len()..].starts_with(|ch: char| ch.is_ascii_alphanumeric() || ch == '_')
            })
        };
        let mut want: Vec<&str> = sources.iter().filter(|(_, text)| uses(text)).map(|(rel, _)| rel.as_str()).collect();
        want.sort_unstable();
        let mut have = c.emitted_by().to_vec();
        have.sort_unstable();
        assert_eq!(have, want, "{} ({variant}): the `codes!` table names other files than those using it", c.id());
    }
}

fn rust_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_dir() && name != "target" && name != "tests" && name != "node_modules" {
            rust_files(&path, out);
        } else if name.ends_with(".rs") {
            out.push(path);
        }
    }
}
