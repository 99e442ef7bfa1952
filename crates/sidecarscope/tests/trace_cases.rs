//! The trace cases (calls of Istio's traffic simulator, `pilot/pkg/simulation/traffic.go`, as its
//! `*_simulation_test.go` suites make them): each case's call is traced through the listeners
//! generated for its proxy, every stated `expect` key is compared with the trace, and the trace is
//! pinned by a snapshot.

mod common;

use std::collections::BTreeMap;

use common::{string_map as map, text, Case};
use sidecarscope::trace::{render_text, trace, Call, Trace};
use sidecarscope::yaml::Node;
use sidecarscope::{CallSpec, Spelling};

/// `expect` keys and the trace's JSON fields they compare with.
const KEYS: &[(&str, &str)] = &[
    ("listener", "listener"),
    ("filter_chain", "filterChain"),
    ("route_config", "routeConfig"),
    ("virtual_host", "virtualHost"),
    ("route", "route"),
    ("cluster", "cluster"),
    ("error", "error"),
];
const CALL_KEYS: &[&str] = &[
    "direction",
    "address",
    "port",
    "protocol",
    "tls",
    "host",
    "sni",
    "path",
    "method",
    "headers",
    "alpn",
    "mesh_cert",
];

fn call_of(c: &Node, problems: &mut Vec<String>) -> Call {
    for e in c.as_map().unwrap_or(&[]) {
        if !CALL_KEYS.contains(&text(&e.key).as_str()) {
            problems.push(format!("unknown call key {:?}", text(&e.key)));
        }
    }
    let get = |k: &str| c.get(k).map(text);
    let inbound = get("direction").as_deref() == Some("inbound");
    // The case as the core's call spec (its defaults and checks), with the simulator's own
    // defaults (`Call.FillDefaults`) where they differ: an outbound call without address goes to
    // 1.3.3.7, and TLS is plaintext unless the case says otherwise (an SNI does not imply TLS).
    let spec = CallSpec {
        address: get("address").or_else(|| (!inbound).then(|| "1.3.3.7".to_string())),
        port: c.get("port").and_then(Node::as_int).expect("a call has a port") as f64,
        protocol: get("protocol"),
        tls: Some(get("tls").unwrap_or_else(|| "plaintext".into())),
        host: get("host"),
        sni: get("sni"),
        direction: get("direction"),
        path: get("path"),
        method: get("method"),
        headers: c
            .get("headers")
            .and_then(Node::as_map)
            .unwrap_or(&[])
            .iter()
            .map(|e| format!("{}={}", text(&e.key), text(&e.value)))
            .collect(),
        alpn: get("alpn"),
        mesh_cert: c.get("mesh_cert").and_then(Node::as_bool),
    };
    spec.to_call(Spelling::Fields).unwrap_or_else(|e| {
        problems.push(format!("call: {e}"));
        Call::default()
    })
}

/// Every stated `expect` key the trace disagrees with (`none`: the trace has no value there).
fn check(case: &Case, t: &Trace, problems: &mut Vec<String>) {
    let Some(expect) = case.expect() else { return problems.push("case has no expect".into()) };
    let json = serde_json::to_value(t).unwrap();
    for e in expect.as_map().unwrap_or(&[]) {
        let key = text(&e.key);
        let Some((_, field)) = KEYS.iter().find(|(k, _)| *k == key) else {
            problems.push(format!("unknown expect key {key:?}"));
            continue;
        };
        let want = if e.value.is_null() { "none".to_string() } else { text(&e.value) };
        let got = match json.get(field) {
            Some(serde_json::Value::String(s)) if !s.is_empty() => s.clone(),
            Some(serde_json::Value::Null) | None => "none".into(),
            Some(serde_json::Value::String(_)) => "none".into(),
            Some(v) => v.to_string(),
        };
        if got != want {
            problems.push(format!("{key} {got}, want {want}"));
        }
    }
}

#[test]
fn trace_cases() {
    let mut failures = Vec::new();
    let known = common::known_failures("trace");
    let mut names = Vec::new();
    insta::glob!("cases/trace/*.yaml", |path| {
        let case = Case::read(path);
        names.push(case.name.clone());
        let input = sidecarscope::load_text("input.yaml", &case.input);
        let env: BTreeMap<String, String> = map(case.root.get("istiod_env")).into_iter().collect();
        let set = sidecarscope::listeners(&input, &case.proxy(), &env);
        let mut problems = Vec::new();
        let call = call_of(case.root.get("call").expect("a trace case has a call"), &mut problems);
        let t = trace(&set, &call);
        check(&case, &t, &mut problems);
        let is_known = known.iter().any(|(n, _)| *n == case.name);
        match (problems.is_empty(), is_known) {
            (false, false) => failures.push(format!("{}: {}", case.name, problems.join("; "))),
            (true, true) => failures.push(format!("{}: passes but is listed as a known failure", case.name)),
            _ => {}
        }
        insta::assert_snapshot!(render_text(&t));
    });
    for (name, _) in &known {
        if !names.iter().any(|n| n == name) {
            failures.push(format!("{name}: listed as a known failure but there is no such case"));
        }
    }
    assert!(failures.is_empty(), "{} case(s) failed:\n{}", failures.len(), failures.join("\n"));
}
