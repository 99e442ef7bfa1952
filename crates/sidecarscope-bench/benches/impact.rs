//! Criterion benchmarks of `impact` (issue 20) on a generated mesh, in one run with what they
//! are measured against: `analyze` of the mesh (a one-Sidecar change must cost at most 3x), and
//! resolving and generating listeners for every workload of both sides (a change touching every
//! workload must stay within it).
//!
//! `cargo bench -p sidecarscope-bench --bench impact` (the large mesh;
//! `SIDECARSCOPE_BENCH_SIZES=medium` for another). Figures in BENCHMARKS.md.

use std::time::Duration;

use criterion::{black_box, criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion};
use sidecarscope_bench::generate::{generate, Size};
use sidecarscope_bench::impact::{every_workload_change, loaded, one_sidecar_change, resolve_and_listeners_both, run};

fn impact(c: &mut Criterion) {
    sidecarscope_bench::purge_freed_pages_at_once();
    let size =
        std::env::var("SIDECARSCOPE_BENCH_SIZES").ok().and_then(|s| Size::parse(s.trim())).unwrap_or(Size::Large);
    let text = generate(size);
    let one = one_sidecar_change(&text).expect("the mesh has a storefront default Sidecar");
    let all = every_workload_change(&text).expect("the mesh ConfigMap sets REGISTRY_ONLY");
    let input = sidecarscope::load_text("mesh.yaml", &text);
    let all_input = sidecarscope::load_text("mesh.yaml", &all);
    let group_name = format!("{}-impact", size.name());
    let mut group = c.benchmark_group(&group_name);
    group.sample_size(10).measurement_time(Duration::from_secs(5)).warm_up_time(Duration::from_secs(1));
    group.bench_function(BenchmarkId::from_parameter("analyze"), |b| {
        b.iter(|| black_box(sidecarscope_bench::stages::analyze(&input)))
    });
    group.bench_function(BenchmarkId::from_parameter("impact-one-sidecar"), |b| {
        b.iter_batched(|| (loaded(&text), loaded(&one)), |(x, y)| black_box(run(&x, &y)), BatchSize::PerIteration)
    });
    group.bench_function(BenchmarkId::from_parameter("impact-every-workload"), |b| {
        b.iter_batched(|| (loaded(&text), loaded(&all)), |(x, y)| black_box(run(&x, &y)), BatchSize::PerIteration)
    });
    group.bench_function(BenchmarkId::from_parameter("resolve-and-listeners-both-sides"), |b| {
        b.iter(|| black_box(resolve_and_listeners_both(&input, &all_input)))
    });
    group.finish();
    sidecarscope_bench::print_ratios(&group_name, "analyze", &["impact-one-sidecar"]);
    sidecarscope_bench::print_ratios(&group_name, "resolve-and-listeners-both-sides", &["impact-every-workload"]);
}

criterion_group!(benches, impact);
criterion_main!(benches);
