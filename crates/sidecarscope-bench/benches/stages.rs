//! Criterion benchmarks of every stage on the generated meshes (issue 8).
//!
//! `cargo bench -p sidecarscope-bench --bench stages` (all sizes), or
//! `cargo bench -p sidecarscope-bench --bench stages -- medium/` for one size. `SIDECARSCOPE_BENCH_SIZES=small,medium`
//! limits the sizes that are generated at all. `scripts/bench` reads the estimates from
//! `target/criterion/<size>/<stage>/new/estimates.json` and reports each stage as a ratio to
//! `load` on the same mesh.

use std::time::Duration;

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use sidecarscope_bench::generate::{generate, Size};
use sidecarscope_bench::stages::Stage;

fn sizes() -> Vec<Size> {
    match std::env::var("SIDECARSCOPE_BENCH_SIZES") {
        Ok(list) => list.split(',').filter_map(|s| Size::parse(s.trim())).collect(),
        Err(_) => Size::ALL.to_vec(),
    }
}

fn stages(c: &mut Criterion) {
    sidecarscope_bench::purge_freed_pages_at_once();
    for size in sizes() {
        let text = generate(size);
        let input = sidecarscope::load_text("mesh.yaml", &text);
        let mut group = c.benchmark_group(size.name());
        group.throughput(Throughput::Bytes(text.len() as u64));
        match size {
            Size::Small => group.sample_size(50).measurement_time(Duration::from_secs(3)),
            Size::Medium => group.sample_size(20).measurement_time(Duration::from_secs(5)),
            Size::Large => group.sample_size(10).measurement_time(Duration::from_secs(10)),
        };
        group.warm_up_time(Duration::from_secs(1));
        for stage in Stage::ALL {
            group.bench_with_input(BenchmarkId::from_parameter(stage.name()), &stage, |b, &stage| {
                b.iter(|| black_box(stage.run(black_box(&text), &input)))
            });
        }
        group.finish();
    }
}

criterion_group!(benches, stages);
criterion_main!(benches);
