//! `ListenerGenerator::sharing` (the outbound side built once for the proxies with the same
//! inputs to it, as the impact engine uses it) gives every proxy exactly the listener set a
//! plain generator gives it: on every listeners, trace and resolution case, for the case's
//! proxy, every workload of its input, and the case's proxy with its labels dropped or with
//! another workload's or any address of the input (which share the scope but may read differently: `sourceLabels`, a
//! headless service's own endpoint), generated in turn through one sharing generator.

mod common;

use std::collections::BTreeMap;

use common::{string_map as map, Case};
use sidecarscope::{ListenerGenerator, Proxy, Registry};

fn proxies(case: &Case, reg: &Registry) -> Vec<Proxy> {
    let mut out = Vec::new();
    if case.root.get("proxy").is_some() {
        let p = case.proxy();
        out.push(Proxy { labels: Default::default(), ..p.clone() });
        for w in &reg.workloads {
            out.push(Proxy { ip: w.ip.clone(), ..p.clone() });
        }
        // Every address the input writes (endpoints among them).
        let words = case.input.split(|c: char| !(c.is_ascii_hexdigit() || c == '.' || c == ':'));
        for ip in words.filter(|w| w.parse::<std::net::IpAddr>().is_ok()) {
            out.push(Proxy { ip: Some(ip.to_string()), ..p.clone() });
        }
        out.push(p);
    }
    out.extend(reg.workloads.iter().map(Proxy::for_workload));
    out
}

#[test]
fn a_sharing_generator_gives_every_proxy_what_a_plain_one_gives() {
    let mut compared = 0;
    let mut shared_hits = 0;
    for kind in ["listeners", "trace", "resolution"] {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases").join(kind);
        let mut paths: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
        paths.sort();
        for path in paths.iter().filter(|p| p.extension().is_some_and(|e| e == "yaml")) {
            let case = Case::read(path);
            let input = sidecarscope::load_text("input.yaml", &case.input);
            let env: BTreeMap<String, String> = map(case.root.get("istiod_env")).into_iter().collect();
            let reg = Registry::build(&input);
            let mut sharing = ListenerGenerator::sharing(&reg, &env);
            let list = proxies(&case, &reg);
            for p in &list {
                let plain = ListenerGenerator::new(&reg, &env).generate(p);
                let got = sharing.generate(p);
                assert_eq!(
                    serde_json::to_value(&got).unwrap(),
                    serde_json::to_value(&plain).unwrap(),
                    "{}: proxy {p:?}",
                    case.name
                );
                compared += 1;
            }
            shared_hits += list.len().saturating_sub(sharing.outbound_parts());
        }
    }
    assert!(compared > 500, "{compared} proxies compared");
    assert!(shared_hits > 200, "the test exercises sharing ({shared_hits} outbound sides reused)");
}
