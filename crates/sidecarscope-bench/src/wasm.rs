//! The stages as plain wasm exports for `bench/wasm-harness.mjs` (no JS glue): the harness copies
//! the mesh text into memory from [`bench_alloc`], hands it over with [`bench_set_text`] (which
//! also loads it once for the stages after `load`), then times [`bench_run`] calls with
//! `performance.now()`.

use std::cell::RefCell;

use sidecarscope::Input;

use crate::stages::Stage;

thread_local! {
    static STATE: RefCell<Option<(String, Input)>> = const { RefCell::new(None) };
}

/// A buffer of `len` bytes for the harness to write the text into.
#[no_mangle]
pub extern "C" fn bench_alloc(len: usize) -> *mut u8 {
    Box::leak(vec![0u8; len].into_boxed_slice()).as_mut_ptr()
}

/// Takes the text written at `ptr` (from [`bench_alloc`] with the same `len`) and loads it.
/// Returns the number of resources, or -1 if the text is not UTF-8.
///
/// # Safety
/// `ptr` and `len` must come from one call of [`bench_alloc`].
#[no_mangle]
pub unsafe extern "C" fn bench_set_text(ptr: *mut u8, len: usize) -> f64 {
    let bytes = unsafe { Vec::from_raw_parts(ptr, len, len) };
    let Ok(text) = String::from_utf8(bytes) else { return -1.0 };
    let input = sidecarscope::load_text("mesh.yaml", &text);
    let n = input.resources.len();
    STATE.with(|s| *s.borrow_mut() = Some((text, input)));
    n as f64
}

/// Runs stage `stage` (the index in [`Stage::ALL`]) once; returns its checksum, -1 without text.
#[no_mangle]
pub extern "C" fn bench_run(stage: u32) -> f64 {
    let Some(stage) = Stage::ALL.get(stage as usize).copied() else { return -1.0 };
    STATE.with(|s| match &*s.borrow() {
        Some((text, input)) => stage.run(text, input) as f64,
        None => -1.0,
    })
}
