//! Benchmarks of issue 8: a synthetic mesh generator ([`mesh`]) and the stages measured
//! ([`stages`]), shared by the criterion benches (`benches/stages.rs`), the native timing harness
//! (`bench-stages`), and the same stages compiled to wasm32 for Node (`bench/wasm-harness.mjs`);
//! and the editor's questions of issue 22 ([`editor`], `benches/editor.rs`).

pub mod editor;
pub mod generate;
pub mod impact;
pub mod stages;
pub mod traffic;

#[cfg(not(target_arch = "wasm32"))]
pub mod timing;

/// The native CLI's allocator (`crates/sidecarscope-cli`), for every native harness linking this
/// crate, so that native figures are the CLI's.
#[cfg(not(target_arch = "wasm32"))]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// As the CLI does at start: pages freed whole go back to the OS at once (mimalloc.h
/// `mi_option_purge_delay` = 0), so that native figures are what the CLI gets.
#[cfg(not(target_arch = "wasm32"))]
pub fn purge_freed_pages_at_once() {
    // SAFETY: sets a process-wide mimalloc option; no memory is touched.
    unsafe { libmimalloc_sys::mi_option_set(15, 0) }
}

/// Prints each bench's criterion median (of this run) as a ratio to `yardstick`'s, from the
/// estimates criterion saved under `target/criterion/<group>/<bench>/new/` (nothing when
/// criterion saved none, e.g. with `--profile-time`).
#[cfg(not(target_arch = "wasm32"))]
pub fn print_ratios(group: &str, yardstick: &str, benches: &[&str]) {
    let dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"))
        .join("criterion")
        .join(group);
    let median = |bench: &str| -> Option<f64> {
        let text = std::fs::read_to_string(dir.join(bench).join("new/estimates.json")).ok()?;
        let v: serde_json::Value = serde_json::from_str(&text).ok()?;
        v["median"]["point_estimate"].as_f64()
    };
    let Some(base) = median(yardstick) else { return };
    for b in benches {
        if let Some(m) = median(b) {
            println!("{group}: {b} {:.3} s = {:.2}x {yardstick} ({:.3} s)", m / 1e9, m / base, base / 1e9);
        }
    }
}

#[cfg(target_arch = "wasm32")]
mod wasm;
