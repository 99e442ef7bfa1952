//! Criterion benchmarks of the editor's questions (issue 22) on the medium mesh, against a
//! full `analyze` of the same text in the same run: `cargo bench -p sidecarscope-bench --bench
//! editor`. When the group ends, the medians and their ratios to `analyze` are printed and
//! written to `target/criterion/editor-medium/ratios.md` (BENCHMARKS.md, "Editor").

use std::path::PathBuf;
use std::time::Duration;

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use sidecarscope_bench::editor::{self, Places};
use sidecarscope_bench::generate::{generate, Size};

const GROUP: &str = "editor-medium";
const BENCHES: &[&str] =
    &["analyze", "complete-host", "hover-host", "hover-sidecar", "edit+complete-host", "edit+hover-host"];

fn editor_benches(c: &mut Criterion) {
    // mimalloc as a long-running editor has it (`sidecarscope lsp`): freed pages are not given
    // back to the OS at once, as the one-shot CLI commands do (that made every edit, which frees
    // and rebuilds the registry, about six times slower).
    let original = generate(Size::Medium);
    let first = Places::find(&original).expect("the medium mesh has storefront's default Sidecar");
    let texts = editor::edits(&original, &first);
    let text = &texts[0];
    let places = Places::find(text).expect("the edited mesh too");
    let ws = editor::workspace(text);
    assert!(editor::complete_host(&ws, &places) > 100, "completion offers the mesh's hosts");
    assert!(editor::hover_host(&ws, &places) > 0 && editor::hover_sidecar(&ws, &places) > 0, "hover answers");

    let mut group = c.benchmark_group(GROUP);
    group.sample_size(20).measurement_time(Duration::from_secs(5)).warm_up_time(Duration::from_secs(1));
    group.bench_function("analyze", |b| b.iter(|| black_box(editor::analyze(black_box(text)))));
    group.bench_function("complete-host", |b| b.iter(|| black_box(editor::complete_host(&ws, &places))));
    group.bench_function("hover-host", |b| b.iter(|| black_box(editor::hover_host(&ws, &places))));
    group.bench_function("hover-sidecar", |b| b.iter(|| black_box(editor::hover_sidecar(&ws, &places))));
    let mut edited = editor::workspace(text);
    let mut turn = 0;
    group.bench_function("edit+complete-host", |b| {
        b.iter(|| {
            turn ^= 1;
            black_box(editor::after_edit(&mut edited, &texts[turn], |ws| editor::complete_host(ws, &places)))
        })
    });
    group.bench_function("edit+hover-host", |b| {
        b.iter(|| {
            turn ^= 1;
            black_box(editor::after_edit(&mut edited, &texts[turn], |ws| editor::hover_host(ws, &places)))
        })
    });
    group.finish();
    report();
}

/// criterion's output directory (`CARGO_TARGET_DIR`, else the workspace's `target`).
fn criterion_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../target")));
    target.join("criterion").join(GROUP)
}

fn median_ms(name: &str) -> Option<f64> {
    let path = criterion_dir().join(name).join("new/estimates.json");
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()?;
    Some(json["median"]["point_estimate"].as_f64()? / 1e6)
}

/// The medians of this run and their ratios to `analyze`.
fn report() {
    let Some(analyze) = median_ms("analyze") else { return };
    let mut out = String::from("| question (medium mesh) | median | ratio to analyze |\n|---|---:|---:|\n");
    for name in BENCHES {
        if let Some(ms) = median_ms(name) {
            out.push_str(&format!("| {name} | {ms:.3} ms | {:.4} |\n", ms / analyze));
        }
    }
    println!("\n{out}");
    let _ = std::fs::write(criterion_dir().join("ratios.md"), out);
}

criterion_group!(benches, editor_benches);
criterion_main!(benches);
