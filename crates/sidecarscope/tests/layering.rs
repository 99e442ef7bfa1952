//! The layering invariant: past the registry nothing reads YAML. Resolution, listeners, trace and
//! analysis read the typed model `Registry::build` makes (`registry/`), never a `Node` of the
//! input. This test reads their source and fails when a file reads the tree (imports
//! `crate::yaml`, calls `.spec()`, walks `.node`). A position a finding needs comes from the
//! registry's ranges or from `Resource::range_at`, which returns a range without reading a value.

use std::path::{Path, PathBuf};

/// What reads a tree: an import of the YAML layer or its field reader, a resource's `spec`, its
/// root node, or a `Node` method path.
const TREE_READS: [&str; 5] = ["crate::yaml", ".spec()", ".node.", "&r.node", "Node::"];

const PAST_THE_REGISTRY: [&str; 5] = ["resolve", "listeners", "analyze", "trace.rs", "impact"];

fn rust_files(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        let mut entries: Vec<_> = std::fs::read_dir(path).unwrap().map(|e| e.unwrap().path()).collect();
        entries.sort();
        for e in entries {
            rust_files(&e, out);
        }
    } else if path.extension().is_some_and(|e| e == "rs") {
        out.push(path.to_path_buf());
    }
}

/// The lines of `text` that read a tree (comments aside).
fn tree_reads(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .filter(|l| TREE_READS.iter().any(|p| l.contains(p)))
        .map(|l| l.trim().to_string())
        .collect()
}

#[test]
fn nothing_past_the_registry_reads_yaml() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    for part in PAST_THE_REGISTRY {
        rust_files(&src.join(part), &mut files);
    }
    assert!(files.len() > 20, "the layers past the registry were not found under {}", src.display());
    let mut offenders = Vec::new();
    for f in &files {
        let rel = f.strip_prefix(&src).unwrap().to_string_lossy().replace('\\', "/");
        let reads = tree_reads(&std::fs::read_to_string(f).unwrap());
        if !reads.is_empty() {
            offenders.push(format!("{rel}: {}", reads.join(" | ")));
        }
    }
    assert!(
        offenders.is_empty(),
        "past the registry, read the typed model (registry/), not YAML:\n{}",
        offenders.join("\n")
    );
}

/// The check itself sees a tree read, and skips comments.
#[test]
fn the_check_sees_tree_reads() {
    assert_eq!(tree_reads("use crate::yaml::Node;\n// r.spec() in a comment\nlet x = 1;"), ["use crate::yaml::Node;"]);
    assert_eq!(tree_reads("let s = r.spec().and_then(|s| s.get(\"x\"));").len(), 1);
    assert!(tree_reads("let m = reg.mesh.root_namespace.as_str();").is_empty());
}
