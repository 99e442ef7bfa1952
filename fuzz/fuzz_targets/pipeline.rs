//! The whole pipeline on arbitrary text (`crates/sidecarscope/tests/shared/pipeline.rs`, which
//! the regression test runs on every input this target once crashed on).
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../crates/sidecarscope/tests/shared/pipeline.rs"]
mod pipeline;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    pipeline::run(text, 4);
});
