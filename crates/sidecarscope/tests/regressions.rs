//! Inputs that once crashed the pipeline (found by fuzzing, `scripts/fuzz`): each must now run
//! through every stage without a panic and with every range inside the input.

use std::collections::BTreeMap;

use sidecarscope::suppress::Rule;
use sidecarscope::trace::{trace, Call, CallDirection, CallProtocol};
use sidecarscope::{ListenerGenerator, Proxy, Registry, Resolver};

/// The same stages as the fuzz target `fuzz/fuzz_targets/pipeline.rs`.
fn pipeline(text: &str) {
    let input = sidecarscope::load_text("regression.yaml", text);
    let mut diags = sidecarscope::analyze(&input);
    for d in &diags {
        assert!(d.range.start <= d.range.end && d.range.end as usize <= text.len(), "range outside the input: {d:?}");
    }
    // Suppressions: the annotations of the input, and rules with globs.
    let rules: Vec<Rule> = ["IST0101=Sidecar *", "SC3001=*/a*b*", "KIA0002=**"].iter().map(|r| Rule::parse(r).unwrap().0).collect();
    let before = diags.len();
    let suppressed = sidecarscope::suppress::apply(&input, &mut diags, &rules);
    assert_eq!(diags.len() + suppressed.len(), before);
    let _ = sidecarscope::report::diagnostics_report(&input, &diags);
    let _ = sidecarscope::sarif::sarif_log_with_suppressed(&input, &diags, &suppressed);
    let registry = Registry::build(&input);
    let mut resolver = Resolver::new(&registry);
    let env = BTreeMap::new();
    let mut generator = ListenerGenerator::new(&registry, &input, &env);
    let mut proxies: Vec<Proxy> = sidecarscope::workloads(&input).iter().map(Proxy::for_workload).collect();
    proxies.extend(["default", "ns1", "ns3"].map(Proxy::new));
    for proxy in &proxies {
        let _ = resolver.resolve(proxy);
        let set = generator.generate(proxy);
        let _ = sidecarscope::listeners::table::render(&set);
        for (port, protocol) in [(80, CallProtocol::Http), (8000, CallProtocol::Http), (3306, CallProtocol::Tcp)] {
            let mut call = Call::outbound("10.0.0.1", port, protocol);
            call.host = Some("baz.svc.cluster.local".into());
            let _ = trace(&set, &call);
            call.direction = CallDirection::Inbound;
            let _ = trace(&set, &call);
        }
    }
}

#[test]
fn regressions_run_through_the_whole_pipeline() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/cases/regressions");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        pipeline(&text);
        n += 1;
    }
    assert!(n > 0);
}
