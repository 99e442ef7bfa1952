//! `listeners` and `trace` as a user runs them: the JSON shape the issue promises, istioctl's
//! table header, trace output, and exit code 2 with a clear message on bad arguments.

use assert_cmd::Command;
use predicates::prelude::PredicateBooleanExt;
use predicates::str::contains;
use std::fs;

const MESH: &str = r#"apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: default}
spec:
  clusterIP: 10.0.0.10
  ports: [{name: http, port: 9080}]
---
apiVersion: v1
kind: Service
metadata: {name: db, namespace: default}
spec:
  clusterIP: 10.0.0.20
  ports: [{name: tcp-postgres, port: 5432}]
"#;

fn mesh_file() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mesh.yaml");
    fs::write(&path, MESH).unwrap();
    (dir, path)
}

fn run(args: &[&str]) -> assert_cmd::assert::Assert {
    Command::cargo_bin("sidecarscope").unwrap().args(args).assert()
}

#[test]
fn json_has_the_issue_shape() {
    let (_d, path) = mesh_file();
    let out = run(&["listeners", path.to_str().unwrap(), "--namespace", "default", "--ip", "10.1.1.1", "-o", "json"]).success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let ls = v["listeners"].as_array().unwrap();
    let l = ls.iter().find(|l| l["name"] == "0.0.0.0_9080").expect("0.0.0.0_9080");
    assert_eq!(l["address"], "0.0.0.0");
    assert_eq!(l["port"], 9080);
    assert_eq!(l["direction"], "outbound");
    assert_eq!(l["bindToPort"], false);
    assert_eq!(l["defaultDestination"], "PassthroughCluster");
    let chains = l["filterChains"].as_array().unwrap();
    assert_eq!(chains[0]["destination"], "9080");
    assert!(chains[0]["match"].is_object());
    let db = ls.iter().find(|l| l["name"] == "10.0.0.20_5432").expect("10.0.0.20_5432");
    assert_eq!(db["filterChains"][0]["destination"], "outbound|5432||db.default.svc.cluster.local");
    assert!(ls.iter().any(|l| l["name"] == "virtualOutbound") && ls.iter().any(|l| l["name"] == "virtualInbound"));
    assert_eq!(v["staticListeners"].as_array().unwrap().len(), 2);
}

#[test]
fn table_is_istioctls() {
    let (_d, path) = mesh_file();
    let out = run(&["listeners", path.to_str().unwrap(), "--namespace", "default"]).success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let first = text.lines().next().unwrap();
    assert!(first.starts_with("ADDRESSES") && first.contains(" PORT ") && first.contains(" MATCH ") && first.ends_with("DESTINATION"), "{first}");
    assert!(text.contains("Route: 9080"));
    assert!(text.contains("Inline Route: /stats/prometheus*"));
}

#[test]
fn istiod_env_and_metadata_apply() {
    let (_d, path) = mesh_file();
    run(&["listeners", path.to_str().unwrap(), "--namespace", "default", "--proxy-metadata", "INTERCEPTION_MODE=NONE", "-o", "json"])
        .success()
        .stdout(contains("127.0.0.1_9080"))
        .stdout(contains("\"name\": \"virtualOutbound\"").not());
    run(&["listeners", path.to_str().unwrap(), "--namespace", "default", "--istiod-env", "NOT_A_FLAG=1", "-o", "json"])
        .success()
        .stdout(contains("NOT_A_FLAG does not change sidecar listeners"));
    run(&["listeners", path.to_str().unwrap(), "--namespace", "default", "--istiod-env", "oops"]).code(2).stderr(contains("is not KEY=VALUE"));
}

#[test]
fn trace_json_and_text() {
    let (_d, path) = mesh_file();
    let out = run(&["trace", path.to_str().unwrap(), "--namespace", "default", "--to", "10.0.0.20:5432", "-o", "json"]).success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(v["listener"], "10.0.0.20_5432");
    assert_eq!(v["cluster"], "outbound|5432||db.default.svc.cluster.local");
    assert!(v["error"].is_null());
    assert!(!v["steps"].as_array().unwrap().is_empty());
    run(&["trace", path.to_str().unwrap(), "--namespace", "default", "--to", "1.3.3.7:15001"])
        .success()
        .stdout(contains("dropped (BlackHoleCluster"))
        .stdout(contains("virtualOutbound-blackhole"));
    run(&["trace", path.to_str().unwrap(), "--namespace", "default", "--to", "10.0.0.10:9080", "--protocol", "http", "--host", "reviews"])
        .success()
        .stdout(contains("reaches outbound|9080||reviews.default.svc.cluster.local"));
}

#[test]
fn bad_to_is_exit_2() {
    let (_d, path) = mesh_file();
    for to in ["nonsense", "10.0.0.1", "10.0.0.1:99999", "reviews:9080", ":9080"] {
        run(&["trace", path.to_str().unwrap(), "--namespace", "default", "--to", to]).code(2).stderr(contains("--to"));
    }
    run(&["trace", path.to_str().unwrap(), "--namespace", "default", "--inbound", "--to", ":9080"]).success();
    run(&["trace", path.to_str().unwrap(), "--to", "10.0.0.1:80"]).code(2).stderr(contains("--namespace"));
}
