//! The whole pipeline on one text, shared by the fuzz target (`fuzz/fuzz_targets/pipeline.rs`
//! includes this file) and the regression test (`tests/regressions.rs`): load, analyze with
//! suppressions, the JSON and SARIF reports, then resolve, generate listeners (and their table)
//! and trace calls for the workloads found and a few synthetic proxies. Nothing may panic, hang
//! or put a range outside the input.

use std::collections::BTreeMap;

use sidecarscope::suppress::Rule;
use sidecarscope::trace::{trace, Call, CallDirection, CallProtocol};
use sidecarscope::{ListenerGenerator, Proxy, Registry, Resolver};

/// Runs every stage on `text`, for at most `max_workloads` of its workloads.
pub fn run(text: &str, max_workloads: usize) {
    let input = sidecarscope::load_text("pipeline.yaml", text);
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
    let mut proxies: Vec<Proxy> = sidecarscope::workloads(&input).iter().take(max_workloads).map(Proxy::for_workload).collect();
    proxies.extend(["default", "ns1", "ns3"].map(Proxy::new));
    for proxy in &proxies {
        let _ = resolver.resolve(proxy);
        let set = generator.generate(proxy);
        let _ = sidecarscope::listeners::table::render(&set);
        for host in ["reviews.default.svc.cluster.local", "baz.svc.cluster.local"] {
            for (port, protocol) in [(80, CallProtocol::Http), (8000, CallProtocol::Http), (9080, CallProtocol::Http), (3306, CallProtocol::Tcp)] {
                let mut call = Call::outbound("10.0.0.1", port, protocol);
                call.host = Some(host.into());
                let _ = trace(&set, &call);
                call.direction = CallDirection::Inbound;
                let _ = trace(&set, &call);
            }
        }
    }
}
