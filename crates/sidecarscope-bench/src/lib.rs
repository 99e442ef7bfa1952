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

#[cfg(target_arch = "wasm32")]
mod wasm;
