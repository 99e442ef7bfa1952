//! The listener cases (ported from Istio's tests and code, `pilot/pkg/networking/core`): every `expect`
//! key is checked against the core's `ListenerSet`, every call is traced, and the istioctl table
//! with the traces is pinned by a snapshot.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{string_map as map, text, Case};
use sidecarscope::listeners::{table, ListenerSet};
use sidecarscope::trace::{render_text, trace, Call, Trace};
use sidecarscope::yaml::Node;
use sidecarscope::{CallSpec, Spelling};

/// The keys of `expect` this runner understands (`tests/cases/README.md`).
const KNOWN_KEYS: &[&str] = &["sidecar", "outbound_traffic_policy", "listeners_exact", "listeners", "absent_listeners"];
const LISTENER_KEYS: &[&str] = &[
    "name",
    "address",
    "port",
    "direction",
    "bind_to_port",
    "destination",
    "default_destination",
    "filter_chains",
    "calls",
];

fn call_of(c: &Node) -> Call {
    let get = |k: &str| c.get(k).map(text);
    // The case as the core's call spec; TLS is plaintext unless the case says otherwise, and an
    // outbound call may go by its port alone (as the simulator's calls may).
    let spec = CallSpec {
        address: get("address"),
        port: c.get("port").and_then(Node::as_int).expect("a call has a port") as f64,
        protocol: get("protocol"),
        tls: Some(get("tls").unwrap_or_else(|| "plaintext".into())),
        host: get("host"),
        direction: get("direction"),
        ..CallSpec::default()
    };
    spec.to_call_with(Spelling::Fields, false).unwrap_or_else(|e| panic!("a case's call: {e}"))
}

fn check_call(c: &Node, t: &Trace, problems: &mut Vec<String>) {
    let label = format!(
        "call {}:{}",
        c.get("address").map(text).unwrap_or_default(),
        c.get("port").map(text).unwrap_or_default()
    );
    let want = |k: &str| c.get(k).map(text);
    if let Some(w) = want("expect_listener") {
        if t.listener.as_deref() != Some(w.as_str()) {
            problems.push(format!("{label}: listener {:?}, want {w}", t.listener));
        }
    }
    if let Some(w) = want("expect_filter_chain") {
        if t.filter_chain.as_deref() != Some(w.as_str()) {
            problems.push(format!("{label}: filter chain {:?}, want {w}", t.filter_chain));
        }
    }
    if let Some(w) = want("expect_cluster") {
        if t.cluster.as_deref() != Some(w.as_str()) || t.error.is_some() {
            problems.push(format!("{label}: cluster {:?} (error {:?}), want {w}", t.cluster, t.error));
        }
    }
    if let Some(w) = want("expect_error") {
        let got = t.error.map(|e| serde_json::to_value(e).unwrap().as_str().unwrap().to_string());
        if got.as_deref() != Some(w.as_str()) {
            problems.push(format!("{label}: error {got:?}, want {w}"));
        }
    }
}

/// Every mismatch between the case's expectations and the listener set; the traces of its calls.
fn check(case: &Case, set: &ListenerSet) -> (Vec<String>, Vec<(Call, Trace)>) {
    let mut problems = Vec::new();
    let mut traces = Vec::new();
    let Some(expect) = case.expect() else { return (vec!["case has no expect".into()], traces) };
    for e in expect.as_map().unwrap_or(&[]) {
        if !KNOWN_KEYS.contains(&text(&e.key).as_str()) {
            problems.push(format!("unknown expect key {:?}", text(&e.key)));
        }
    }
    if let Some(want) = expect.get("sidecar") {
        let got = set.sidecar.as_ref().map_or("none".to_string(), |s| format!("{}/{}", s.namespace, s.name));
        if got != text(want) {
            problems.push(format!("sidecar {got}, want {}", text(want)));
        }
    }
    if let Some(want) = expect.get("outbound_traffic_policy") {
        if set.outbound_traffic_policy.as_str() != text(want) {
            problems.push(format!("outbound policy {}, want {}", set.outbound_traffic_policy, text(want)));
        }
    }
    let wanted = expect.get("listeners").and_then(Node::as_seq).unwrap_or(&[]);
    for w in wanted {
        let name = w.get("name").map(text).expect("a listener has a name");
        for e in w.as_map().unwrap_or(&[]) {
            if !LISTENER_KEYS.contains(&text(&e.key).as_str()) {
                problems.push(format!("{name}: unknown key {:?}", text(&e.key)));
            }
        }
        let Some(l) = set.listener(&name) else {
            problems.push(format!(
                "missing listener {name}; have {:?}",
                set.listeners.iter().map(|l| &l.name).collect::<Vec<_>>()
            ));
            continue;
        };
        let direction = serde_json::to_value(l.direction).unwrap().as_str().unwrap().to_string();
        let got: [(&str, Option<String>); 6] = [
            ("address", Some(l.address.clone())),
            ("port", Some(l.port.to_string())),
            ("direction", Some(direction)),
            ("bind_to_port", Some(l.bind_to_port.to_string())),
            ("destination", l.destination.clone()),
            ("default_destination", l.default_destination.clone()),
        ];
        for (key, value) in got {
            if let Some(want) = w.get(key) {
                if value.as_deref() != Some(text(want).as_str()) {
                    problems.push(format!("{name}: {key} {value:?}, want {}", text(want)));
                }
            }
        }
        for chain in w.get("filter_chains").and_then(Node::as_seq).unwrap_or(&[]) {
            if !l.filter_chains.iter().any(|c| c.name == text(chain)) {
                problems.push(format!("{name}: no filter chain {}", text(chain)));
            }
        }
        for c in w.get("calls").and_then(Node::as_seq).unwrap_or(&[]) {
            let call = call_of(c);
            let t = trace(set, &call);
            check_call(c, &t, &mut problems);
            traces.push((call, t));
        }
    }
    if case.expect_bool("listeners_exact") == Some(true) {
        let want: BTreeSet<String> = wanted.iter().filter_map(|w| w.get("name").map(text)).collect();
        let got: BTreeSet<String> = set.listeners.iter().map(|l| l.name.clone()).collect();
        if want != got {
            problems.push(format!("listeners {got:?}, want exactly {want:?}"));
        }
    }
    for absent in case.expect_strings("absent_listeners") {
        if set.listener(&absent).is_some() {
            problems.push(format!("listener {absent} should be absent"));
        }
    }
    (problems, traces)
}

#[test]
fn listeners_cases() {
    let mut failures = Vec::new();
    let known = common::known_failures("listeners");
    insta::glob!("cases/listeners/*.yaml", |path| {
        let case = Case::read(path);
        let input = sidecarscope::load_text("input.yaml", &case.input);
        let env: BTreeMap<String, String> = map(case.root.get("istiod_env")).into_iter().collect();
        let set = sidecarscope::listeners(&input, &case.proxy(), &env);
        let (problems, traces) = check(&case, &set);
        let is_known = known.iter().any(|(n, _)| *n == case.name);
        match (problems.is_empty(), is_known) {
            (false, false) => failures.push(format!("{}: {}", case.name, problems.join("; "))),
            (true, true) => failures.push(format!("{}: passes but is listed as a known failure", case.name)),
            _ => {}
        }
        let mut snapshot = table::render(&set);
        for (_, t) in &traces {
            snapshot.push('\n');
            snapshot.push_str(&render_text(t));
        }
        insta::assert_snapshot!(snapshot);
    });
    assert!(failures.is_empty(), "{} case(s) failed:\n{}", failures.len(), failures.join("\n"));
}
