//! Benchmarks of issue 8: a synthetic mesh generator ([`mesh`]) and the stages measured
//! ([`stages`]), shared by the criterion benches (`benches/stages.rs`), the native timing harness
//! (`bench-stages`), and the same stages compiled to wasm32 for Node (`bench/wasm-harness.mjs`).

pub mod mesh;
pub mod stages;

#[cfg(not(target_arch = "wasm32"))]
pub mod timing;

#[cfg(target_arch = "wasm32")]
mod wasm;
