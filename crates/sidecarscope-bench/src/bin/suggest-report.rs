//! `suggest-report [medium|large ...]`: `suggest` (per namespace) on a generated mesh with
//! generated traffic (`traffic.rs`): the reduction summed over the workloads that get a
//! suggestion (imported services, listeners, clusters, routes, before and after, from our own
//! generation), and the time of `suggest` as a ratio to `analyze` on the same mesh in the same
//! run (fastest of three runs each). For BENCHMARKS.md; build with `--release`.

use std::time::{Duration, Instant};

use sidecarscope::tighten::{self, evidence, SuggestOptions};
use sidecarscope::{Options, SourceFile, Workspace};
use sidecarscope_bench::generate::{generate, Size};
use sidecarscope_bench::traffic::{evidence_files, traffic};

fn fastest(runs: usize, mut f: impl FnMut()) -> Duration {
    (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn main() {
    sidecarscope_bench::purge_freed_pages_at_once();
    let sizes: Vec<Size> = std::env::args().skip(1).filter_map(|s| Size::parse(&s)).collect();
    let sizes = if sizes.is_empty() { vec![Size::Medium, Size::Large] } else { sizes };
    println!("| mesh | calls | workloads suggested / refused Sidecars | imported services | listeners | clusters | routes | analyze | suggest | suggest/analyze |");
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for size in sizes {
        let text = generate(size);
        let ws = || Workspace::new(vec![SourceFile::new("mesh.yaml", text.clone())], Options::default());
        let calls = traffic(&ws());
        let e = evidence::read(&evidence_files(&calls));
        let options = SuggestOptions::default();
        let mut report = None;
        let t_suggest = fastest(3, || {
            let w = ws();
            report = Some(tighten::suggest(&w, &e, &options).expect("suggest"));
        });
        let t_analyze = fastest(3, || {
            let w = ws();
            std::hint::black_box(w.analyze());
        });
        let r = report.expect("one run");
        let (mut b, mut a) = ([0usize; 4], [0usize; 4]);
        let mut n = 0;
        for w in r.workloads.iter().filter(|w| w.suggested.is_some()) {
            let Some(after) = w.after else { continue };
            n += 1;
            for (i, (x, y)) in [
                (w.before.imported_services, after.imported_services),
                (w.before.listeners, after.listeners),
                (w.before.clusters, after.clusters),
                (w.before.routes, after.routes),
            ]
            .into_iter()
            .enumerate()
            {
                b[i] += x;
                a[i] += y;
            }
        }
        let cell =
            |i: usize| format!("{} → {} (−{:.0}%)", b[i], a[i], 100.0 * (1.0 - a[i] as f64 / b[i].max(1) as f64));
        println!(
            "| {} | {} | {} / {} | {} | {} | {} | {} | {:.0} ms | {:.0} ms | {:.2}x |",
            size.name(),
            e.calls.len(),
            n,
            r.refused.len(),
            cell(0),
            cell(1),
            cell(2),
            cell(3),
            t_analyze.as_secs_f64() * 1e3,
            t_suggest.as_secs_f64() * 1e3,
            t_suggest.as_secs_f64() / t_analyze.as_secs_f64()
        );
    }
}
