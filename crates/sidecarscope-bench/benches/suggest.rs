//! Criterion benchmark of `suggest` (issue 21) on a generated mesh with generated traffic
//! (`src/traffic.rs`), in one run with `analyze` of the same mesh, and the ratio printed.
//!
//! `cargo bench -p sidecarscope-bench --bench suggest` (the large mesh;
//! `SIDECARSCOPE_BENCH_SIZES=medium` for another). Figures in BENCHMARKS.md.

use std::time::Duration;

use criterion::{black_box, criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion};
use sidecarscope::tighten::{self, evidence, SuggestOptions};
use sidecarscope_bench::generate::{generate, Size};
use sidecarscope_bench::impact::loaded;
use sidecarscope_bench::traffic::{evidence_files, traffic};

fn suggest(c: &mut Criterion) {
    sidecarscope_bench::purge_freed_pages_at_once();
    let size =
        std::env::var("SIDECARSCOPE_BENCH_SIZES").ok().and_then(|s| Size::parse(s.trim())).unwrap_or(Size::Large);
    let text = generate(size);
    let e = evidence::read(&evidence_files(&traffic(&loaded(&text))));
    let input = sidecarscope::load_text("mesh.yaml", &text);
    let options = SuggestOptions::default();
    let group_name = format!("{}-suggest", size.name());
    let mut group = c.benchmark_group(&group_name);
    group.sample_size(10).measurement_time(Duration::from_secs(5)).warm_up_time(Duration::from_secs(1));
    group.bench_function(BenchmarkId::from_parameter("analyze"), |b| {
        b.iter(|| black_box(sidecarscope_bench::stages::analyze(&input)))
    });
    group.bench_function(BenchmarkId::from_parameter("suggest"), |b| {
        b.iter_batched(
            || loaded(&text),
            |ws| black_box(tighten::suggest(&ws, &e, &options).expect("suggest").suggestions.len()),
            BatchSize::PerIteration,
        )
    });
    group.finish();
    sidecarscope_bench::print_ratios(&group_name, "analyze", &["suggest"]);
}

criterion_group!(benches, suggest);
criterion_main!(benches);
