//! The native side of the wasm/native comparison: the same protocol as
//! `bench/wasm-harness.mjs` (warm-up, then a number of timed runs, median and minimum).

use std::time::Instant;

use sidecarscope::Input;

use crate::stages::Stage;

#[derive(Debug, Clone)]
pub struct Timing {
    pub stage: Stage,
    pub iters: usize,
    pub median_ms: f64,
    pub min_ms: f64,
    pub checksum: u64,
}

/// Runs `stage` once to warm up, then `iters` times (at least once; more while under
/// `min_total_ms`), and reports the median and the minimum.
pub fn time_stage(stage: Stage, text: &str, input: &Input, iters: usize, min_total_ms: f64) -> Timing {
    let checksum = stage.run(text, input);
    let mut samples = Vec::new();
    let start = Instant::now();
    while samples.len() < iters.max(1) || (start.elapsed().as_secs_f64() * 1e3 < min_total_ms && samples.len() < 1000) {
        let t = Instant::now();
        std::hint::black_box(stage.run(std::hint::black_box(text), input));
        samples.push(t.elapsed().as_secs_f64() * 1e3);
    }
    samples.sort_by(f64::total_cmp);
    Timing { stage, iters: samples.len(), median_ms: median(&samples), min_ms: samples[0], checksum }
}

pub fn median(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    }
}
