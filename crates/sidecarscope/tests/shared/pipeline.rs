//! The whole pipeline on one text, shared by the fuzz target (`fuzz/fuzz_targets/pipeline.rs`
//! includes this file) and the regression test (`tests/regressions.rs`): load, analyze with
//! suppressions, the JSON and SARIF reports, then resolve, generate listeners (and their table)
//! and trace calls for the workloads found and a few synthetic proxies, including an HTTP call per
//! virtual host with paths, methods and headers taken from its routes' matches. Nothing may panic,
//! hang or put a range outside the input.

use std::collections::BTreeMap;

use sidecarscope::listeners::{PathMatch, StringMatch};
use sidecarscope::suppress::Rule;
use sidecarscope::trace::{trace, Call, CallDirection, CallProtocol, Header};
use sidecarscope::{ListenerGenerator, Proxy, Registry, Resolver};

/// Runs every stage on `text`, for at most `max_workloads` of its workloads.
pub fn run(text: &str, max_workloads: usize) {
    let input = sidecarscope::load_text("pipeline.yaml", text);
    let mut diags = sidecarscope::analyze(&input);
    for d in &diags {
        assert!(d.range.start <= d.range.end && d.range.end as usize <= text.len(), "range outside the input: {d:?}");
    }
    // Suppressions: the annotations of the input, and rules with globs.
    let rules: Vec<Rule> =
        ["IST0101=Sidecar *", "SC3001=*/a*b*", "KIA0002=**"].iter().map(|r| Rule::parse(r).unwrap().0).collect();
    let before = diags.len();
    let suppressed = sidecarscope::suppress::apply(&input, &mut diags, &rules);
    assert_eq!(diags.len() + suppressed.len(), before);
    let _ = sidecarscope::report::diagnostics_report(&input, &diags);
    let _ = sidecarscope::sarif::sarif_log_with_suppressed(&input, &diags, &suppressed);
    let registry = Registry::build(&input);
    let mut resolver = Resolver::new(&registry);
    let env = BTreeMap::new();
    let mut generator = ListenerGenerator::new(&registry, &env);
    let mut proxies: Vec<Proxy> =
        sidecarscope::workloads(&input).iter().take(max_workloads).map(Proxy::for_workload).collect();
    proxies.extend(["default", "ns1", "ns3"].map(Proxy::new));
    for proxy in &proxies {
        let _ = resolver.resolve(proxy);
        let mut set = generator.generate(proxy);
        set.locate(&input);
        let _ = sidecarscope::listeners::table::render(&set);
        // Route matching: a call per virtual host, shaped by its routes' matches.
        for rc in set.routes.iter().take(4) {
            let Ok(port) = rc.name.parse::<u32>() else { continue };
            for vh in rc.virtual_hosts.iter().take(4) {
                let host =
                    vh.domains.iter().find(|d| !d.contains('*')).cloned().unwrap_or_else(|| "x.example.com".into());
                for r in vh.routes.iter().take(4) {
                    let path = match &r.route_match.path {
                        PathMatch::Prefix(p) | PathMatch::Exact(p) => format!("{p}?debug=1&a=%41"),
                        PathMatch::Regex(re) => re.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '/').collect(),
                    };
                    let headers = r
                        .route_match
                        .headers
                        .iter()
                        .filter(|h| !h.name.starts_with(':'))
                        .map(|h| Header {
                            name: h.name.clone(),
                            value: match &h.value {
                                StringMatch::Exact(v) | StringMatch::Prefix(v) | StringMatch::Regex(v) => v.clone(),
                                StringMatch::Present => "1".into(),
                            },
                        })
                        .collect();
                    let call = Call {
                        host: Some(host.clone()),
                        path: Some(path),
                        method: Some("POST".into()),
                        headers,
                        ..Call::outbound("10.0.0.1", port, CallProtocol::Http)
                    };
                    let t = trace(&set, &call);
                    for src in t.matched_route.iter().flat_map(|m| &m.sources) {
                        if let Some(range) = &src.range {
                            assert!(
                                range.start.offset <= range.end.offset && range.end.offset as usize <= text.len(),
                                "route source outside the input: {src:?}"
                            );
                        }
                    }
                }
            }
        }
        for host in ["reviews.default.svc.cluster.local", "baz.svc.cluster.local"] {
            for (port, protocol) in [
                (80, CallProtocol::Http),
                (8000, CallProtocol::Http),
                (9080, CallProtocol::Http),
                (3306, CallProtocol::Tcp),
            ] {
                let mut call = Call::outbound("10.0.0.1", port, protocol);
                call.host = Some(host.into());
                let _ = trace(&set, &call);
                call.direction = CallDirection::Inbound;
                let _ = trace(&set, &call);
            }
        }
    }
}
