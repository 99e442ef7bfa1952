//! The resolution cases (ported from Istio's own tests and code): every `expect` key the case
//! format lists (`tests/cases/README.md`) is checked against the core's `Resolution`; the text summary is pinned by a snapshot.

mod common;

use std::collections::BTreeSet;

use common::Case;
use sidecarscope::resolve::{render_text, Settings};
use sidecarscope::yaml::Node;
use sidecarscope::{Proxy, Resolution};

/// The keys of `expect` this runner understands (`tests/cases/README.md`).
const KNOWN_KEYS: &[&str] =
    &["sidecar", "egress", "outbound_traffic_policy", "scope_services", "destination_rules", "inbound_connection_pool"];

fn text(n: &Node) -> String {
    n.scalar_text().unwrap_or("").to_string()
}

fn proxy_of(case: &Case) -> Proxy {
    let p = case.root.get("proxy").expect("a resolution case has a proxy");
    let map = |key: &str| -> sidecarscope::Labels {
        p.get(key)
            .and_then(Node::as_map)
            .map(|m| m.iter().map(|e| (text(&e.key), text(&e.value))).collect())
            .unwrap_or_default()
    };
    Proxy {
        namespace: p.get("namespace").map(text).unwrap_or_else(|| "default".into()),
        labels: map("labels"),
        ip: p.get("ip").filter(|n| !n.is_null()).map(text),
        additional_ips: Vec::new(),
        metadata: map("metadata"),
    }
}

fn strings(n: Option<&Node>) -> Vec<String> {
    n.and_then(Node::as_seq).map(|s| s.iter().map(text).collect()).unwrap_or_default()
}

fn host_ports<'a>(items: impl Iterator<Item = (&'a str, Vec<u32>)>) -> BTreeSet<String> {
    items.flat_map(|(h, ports)| ports.into_iter().map(move |p| format!("{h}:{p}"))).collect()
}

fn json(settings: &Settings) -> serde_json::Value {
    serde_json::to_value(settings).expect("settings serialize")
}

/// Every mismatch between the case's expectations and the resolution.
fn check(case: &Case, r: &Resolution) -> Vec<String> {
    let mut problems = Vec::new();
    let Some(expect) = case.expect() else { return vec!["case has no expect".into()] };
    for e in expect.as_map().unwrap_or(&[]) {
        let key = text(&e.key);
        if !KNOWN_KEYS.contains(&key.as_str()) {
            problems.push(format!("unknown expect key {key:?}"));
        }
    }
    if let Some(want) = expect.get("sidecar") {
        let got = r.sidecar.as_ref().map_or("none".to_string(), |s| format!("{}/{}", s.namespace, s.name));
        if got != text(want) {
            problems.push(format!("sidecar {got}, want {}", text(want)));
        }
    }
    if let Some(want) = expect.get("outbound_traffic_policy") {
        if r.outbound_traffic_policy.mode.as_str() != text(want) {
            problems.push(format!("outbound policy {}, want {}", r.outbound_traffic_policy.mode, text(want)));
        }
    }
    if let Some(want) = expect.get("egress").and_then(Node::as_seq) {
        if want.len() != r.egress.len() {
            problems.push(format!("{} egress listeners, want {}", r.egress.len(), want.len()));
        }
        for (i, (w, got)) in want.iter().zip(r.egress.iter()).enumerate() {
            let want_port = w.get("port").and_then(Node::as_int).map(|p| p as u32);
            if want_port != got.port {
                problems.push(format!("egress[{i}] port {:?}, want {want_port:?}", got.port));
            }
            if let Some(ws) = w.get("services") {
                let want_set: BTreeSet<String> = strings(Some(ws)).into_iter().collect();
                let got_set = host_ports(
                    got.services.iter().map(|s| (s.hostname.as_str(), s.ports.iter().map(|p| p.number).collect())),
                );
                if want_set != got_set {
                    problems.push(format!("egress[{i}] services {got_set:?}, want {want_set:?}"));
                }
            }
            if let Some(wv) = w.get("virtual_services") {
                let want_set: BTreeSet<String> = strings(Some(wv)).into_iter().collect();
                let got_set: BTreeSet<String> = got.virtual_services.iter().cloned().collect();
                if want_set != got_set {
                    problems.push(format!("egress[{i}] virtual services {got_set:?}, want {want_set:?}"));
                }
            }
        }
    }
    if let Some(ws) = expect.get("scope_services") {
        let want_set: BTreeSet<String> = strings(Some(ws)).into_iter().collect();
        let got_set = host_ports(
            r.scope_services.iter().map(|s| (s.hostname.as_str(), s.ports.iter().map(|p| p.number).collect())),
        );
        if want_set != got_set {
            problems.push(format!("scope services {got_set:?}, want {want_set:?}"));
        }
    }
    for w in expect.get("destination_rules").and_then(Node::as_seq).unwrap_or(&[]) {
        let host = w.get("host").map(text).unwrap_or_default();
        let got = r.destination_rules.iter().find(|d| d.host == host);
        let want_rule = w.get("rule").map(text).unwrap_or_default();
        let got_rule = got.map_or("none".to_string(), |d| d.rule.clone());
        if got_rule != want_rule {
            problems.push(format!("destination rule for {host}: {got_rule}, want {want_rule}"));
        }
        if let (Some(ws), Some(d)) = (w.get("subsets"), got) {
            let want_subsets = strings(Some(ws));
            if d.subsets != want_subsets {
                problems.push(format!("subsets of {host}: {:?}, want {want_subsets:?}", d.subsets));
            }
        }
    }
    for e in expect.get("inbound_connection_pool").and_then(Node::as_map).unwrap_or(&[]) {
        let port = e.key.as_int().expect("inbound_connection_pool keys are ports") as u32;
        let got = r.sidecar_inbound_connection_pool(port).map(|(s, _, _)| json(&s));
        let want = (!e.value.is_null()).then(|| json(&Settings::read(&e.value)));
        if got != want {
            problems.push(format!("inbound connection pool for port {port}: {got:?}, want {want:?}"));
        }
    }
    problems
}

#[test]
fn resolution_cases() {
    let mut failures = Vec::new();
    let known = common::known_failures("resolution");
    insta::glob!("cases/resolution/*.yaml", |path| {
        let case = Case::read(path);
        let input = sidecarscope::load_text("input.yaml", &case.input);
        let resolution = sidecarscope::resolve(&input, &proxy_of(&case));
        let problems = check(&case, &resolution);
        let is_known = known.iter().any(|(n, _)| *n == case.name);
        match (problems.is_empty(), is_known) {
            (false, false) => failures.push(format!("{}: {}", case.name, problems.join("; "))),
            (true, true) => failures.push(format!("{}: passes but is listed as a known failure", case.name)),
            _ => {}
        }
        insta::assert_snapshot!(render_text(&resolution));
    });
    assert!(failures.is_empty(), "{} case(s) failed:\n{}", failures.len(), failures.join("\n"));
}
