//! The whole pipeline on arbitrary text: load, validate, analyze, then resolve every workload
//! found (and one synthetic proxy). Nothing may panic, hang or put a range outside the input.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let input = sidecarscope::load_text("fuzz.yaml", text);
    let diags = sidecarscope::analyze(&input);
    for d in &diags {
        assert!(d.range.start <= d.range.end && d.range.end as usize <= text.len(), "range outside the input: {d:?}");
    }
    let _ = sidecarscope::report::diagnostics_report(&input, &diags);
    let registry = sidecarscope::Registry::build(&input);
    for w in sidecarscope::workloads(&input).iter().take(8) {
        let _ = sidecarscope::resolve_with(&registry, &sidecarscope::Proxy::for_workload(w));
    }
});
