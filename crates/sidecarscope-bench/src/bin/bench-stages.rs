//! The native timing harness: times each stage on a mesh file with the same protocol as
//! `bench/wasm-harness.mjs` (one warm-up run, then N timed runs; median and minimum), and prints
//! one JSON object per stage. Used by `scripts/bench` (wasm/native ratios) and
//! `scripts/bench-smoke` (ratios to load).
//!
//! usage: bench-stages FILE [--iters N] [--min-ms MS] [--stages load,validate,...] [--label L]
//!        bench-stages FILE --work     (workloads and imported services, for resolve's growth)

use std::process::ExitCode;

use sidecarscope_bench::stages::Stage;
use sidecarscope_bench::timing::time_stage;

fn main() -> ExitCode {
    sidecarscope_bench::purge_freed_pages_at_once();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut file = None;
    let mut iters = 5usize;
    let mut min_ms = 0.0f64;
    let mut stages: Vec<Stage> = Stage::ALL.to_vec();
    let mut label = String::new();
    let mut work = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--iters" => iters = it.next().and_then(|v| v.parse().ok()).unwrap_or(iters),
            "--min-ms" => min_ms = it.next().and_then(|v| v.parse().ok()).unwrap_or(min_ms),
            "--label" => label = it.next().cloned().unwrap_or_default(),
            "--work" => work = true,
            "--stages" => {
                let list = it.next().cloned().unwrap_or_default();
                stages = match list.split(',').map(Stage::parse).collect::<Option<Vec<_>>>() {
                    Some(s) => s,
                    None => {
                        eprintln!("bench-stages: unknown stage in {list}");
                        return ExitCode::from(2);
                    }
                };
            }
            f if file.is_none() && !f.starts_with('-') => file = Some(f.to_string()),
            other => {
                eprintln!("bench-stages: unknown argument {other}");
                return ExitCode::from(2);
            }
        }
    }
    let Some(file) = file else {
        eprintln!("usage: bench-stages FILE [--iters N] [--min-ms MS] [--stages load,validate,...] [--label L]");
        return ExitCode::from(2);
    };
    let text = match std::fs::read_to_string(&file) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("bench-stages: {file}: {e}");
            return ExitCode::from(2);
        }
    };
    let input = sidecarscope::load_text("mesh.yaml", &text);
    if work {
        let (workloads, imported) = sidecarscope_bench::stages::resolve_work(&input);
        let line =
            serde_json::json!({ "label": label, "bytes": text.len(), "workloads": workloads, "imported": imported });
        println!("{line}");
        return ExitCode::SUCCESS;
    }
    for stage in stages {
        let t = time_stage(stage, &text, &input, iters, min_ms);
        let line = serde_json::json!({
            "engine": "native",
            "label": label,
            "stage": stage.name(),
            "iters": t.iters,
            "median_ms": t.median_ms,
            "min_ms": t.min_ms,
            "checksum": t.checksum,
        });
        println!("{line}");
    }
    ExitCode::SUCCESS
}
