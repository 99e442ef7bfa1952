//! Criterion benchmark of `suggest` (issue 21) on a generated mesh with generated traffic
//! (`traffic.rs`: calls drawn from each workload's services and VirtualServices, in every evidence
//! format), in one run with what it is measured against: `analyze` of the same mesh. Each
//! iteration starts from a fresh `Workspace` (neither caches across iterations), and `suggest`
//! includes reading the evidence, as the CLI and the wasm module do.
//!
//! `cargo bench -p sidecarscope-bench --bench suggest` (the large mesh;
//! `SIDECARSCOPE_BENCH_SIZES=medium` for another). `suggest-report` prints the same ratio with the
//! reduction for BENCHMARKS.md.

use std::time::Duration;

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion};
use sidecarscope::tighten::{self, evidence, SuggestOptions};
use sidecarscope::{Options, SourceFile, Workspace};
use sidecarscope_bench::generate::{generate, Size};
use sidecarscope_bench::traffic::{evidence_files, traffic};

fn suggest(c: &mut Criterion) {
    sidecarscope_bench::purge_freed_pages_at_once();
    let size =
        std::env::var("SIDECARSCOPE_BENCH_SIZES").ok().and_then(|s| Size::parse(s.trim())).unwrap_or(Size::Large);
    let text = generate(size);
    let ws = || Workspace::new(vec![SourceFile::new("mesh.yaml", text.clone())], Options::default());
    let files = evidence_files(&traffic(&ws()));
    let options = SuggestOptions::default();
    // Once outside the timing: the generated traffic must give suggestions, or the bench measures
    // an early return.
    let report = tighten::suggest(&ws(), &evidence::read(&files), &options).expect("suggest");
    assert!(!report.suggestions.is_empty(), "the generated traffic gives no suggestion");
    let mut group = c.benchmark_group(format!("{}-suggest", size.name()));
    group.sample_size(10).measurement_time(Duration::from_secs(10)).warm_up_time(Duration::from_secs(1));
    group.bench_function(BenchmarkId::from_parameter("analyze"), |b| b.iter(|| black_box(ws().analyze())));
    group.bench_function(BenchmarkId::from_parameter("suggest"), |b| {
        b.iter(|| black_box(tighten::suggest(&ws(), &evidence::read(&files), &options).expect("suggest")))
    });
    group.finish();
}

criterion_group!(benches, suggest);
criterion_main!(benches);
