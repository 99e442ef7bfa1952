//! `sidecarscope suggest` as a user runs it on the impact examples' mesh: the Sidecars as YAML
//! with their reasons, the JSON report, Markdown, malformed evidence on stderr with its file and
//! line (and the rest still counted), an empty evidence file, and bad arguments.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::PredicateBooleanExt;
use predicates::str::contains;

fn mesh() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/impact/mesh.yaml")
}

fn evidence(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let p = dir.path().join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

fn run(args: &[&str]) -> assert_cmd::assert::Assert {
    Command::cargo_bin("sidecarscope").unwrap().args(args).assert()
}

const PROM_TEXT: &str = "# TYPE istio_requests_total counter
istio_requests_total{source_workload=\"frontend\",source_workload_namespace=\"shop\",destination_service=\"catalog.catalog.svc.cluster.local\"} 7
istio_requests_total{source_workload=\"frontend\",source_workload_namespace=\"shop\",destination_service=\"cart.shop.svc.cluster.local\" 3
istio_tcp_connections_opened_total{source_workload=\"payments\",source_workload_namespace=\"payments\",destination_service=\"ledger.payments.svc.cluster.local\"} 2
";

#[test]
fn yaml_with_reasons_and_malformed_evidence_on_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let prom = evidence(&dir, "m.prom", PROM_TEXT);
    let m = mesh();
    run(&["suggest", m.to_str().unwrap(), "--traffic", &prom])
        .success()
        .stdout(
            contains("kind: Sidecar\nmetadata:\n  name: \"default\"\n  namespace: \"shop\"\n")
                .and(contains("    - \"catalog/catalog.catalog.svc.cluster.local\"\n"))
                .and(contains("m.prom:2)\n    - \"catalog/catalog.catalog.svc.cluster.local\""))
                .and(contains("    - \"payments/ledger.payments.svc.cluster.local\"\n"))
                .and(contains("calls traced identically")),
        )
        .stderr(contains("m.prom:3:").and(contains("warning[SC0020]")));
}

#[test]
fn json_and_markdown() {
    let dir = tempfile::tempdir().unwrap();
    let prom = evidence(&dir, "m.prom", PROM_TEXT);
    let m = mesh();
    let a = run(&["suggest", m.to_str().unwrap(), "--traffic", &prom, "--per", "workload", "-o", "json"]).success();
    let v: serde_json::Value = serde_json::from_slice(&a.get_output().stdout).unwrap();
    let ids: Vec<String> = v["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| format!("{}/{}", s["namespace"].as_str().unwrap(), s["name"].as_str().unwrap()))
        .collect();
    assert!(ids.contains(&"shop/frontend".to_string()), "{ids:?}");
    assert_eq!(v["problems"][0]["line"], 3);
    assert!(v["suggestions"][0]["workloadSelector"]["app"].as_str().is_some());
    run(&["suggest", m.to_str().unwrap(), "--traffic", &prom, "-o", "markdown"])
        .success()
        .stdout(contains("| workload | Sidecar now | suggested |").and(contains("```yaml")));
}

#[test]
fn empty_evidence_and_bad_arguments() {
    let dir = tempfile::tempdir().unwrap();
    let empty = evidence(&dir, "empty.json", "");
    let m = mesh();
    run(&["suggest", m.to_str().unwrap(), "--traffic", &empty])
        .success()
        .stderr(contains("empty.json:1:1: warning[SC0021]: the evidence file is empty"))
        .stdout(contains("no suggestion"));
    run(&["suggest", m.to_str().unwrap(), "--traffic", "/nonexistent/x.json"]).code(2);
    run(&["suggest", m.to_str().unwrap(), "--workload", "shop/nope"]).code(2).stderr(contains("is not in the input"));
}
