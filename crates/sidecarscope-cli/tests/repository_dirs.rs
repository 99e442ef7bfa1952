//! Scanning a repository's directory: its non-Kubernetes YAML (Helm values, Chart.yaml, CI
//! files) is skipped with one info and does not change the exit code.

use assert_cmd::Command;
use std::fs;

const CLEAN: &str = "apiVersion: v1\nkind: Service\nmetadata: {name: reviews, namespace: ns1}\nspec:\n  selector: {app: web}\n  ports:\n  - {name: http, port: 9080}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: ns1, labels: {app: web}}\n---\napiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: default, namespace: ns1}\nspec:\n  egress:\n  - hosts: [\"./*\"]\n";

#[test]
fn non_kubernetes_yaml_is_skipped_with_one_info() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("sidecar.yaml"), CLEAN).unwrap();
    fs::write(dir.path().join("values.yaml"), "replicaCount: 1\nimage:\n  repository: nginx\n").unwrap();
    fs::write(dir.path().join("Chart.yaml"), "apiVersion: v2\nname: demo\nversion: 0.1.0\n").unwrap();
    fs::write(dir.path().join("ci.yml"), "- name: build\n  run: make\n").unwrap();
    let out = Command::cargo_bin("sidecarscope")
        .unwrap()
        .args(["analyze", "--output", "json"])
        .arg(dir.path())
        .assert()
        .code(0);
    let json: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let diags = json["diagnostics"].as_array().unwrap();
    let skipped: Vec<_> = diags.iter().filter(|d| d["code"] == "SC0012").collect();
    assert_eq!(skipped.len(), 1, "{diags:#?}");
    assert_eq!(skipped[0]["severity"], "info");
    let message = skipped[0]["message"].as_str().unwrap();
    assert!(
        message.starts_with("3 documents are not Kubernetes resources (no apiVersion and kind), skipped: "),
        "{message}"
    );
    for file in ["values.yaml", "Chart.yaml", "ci.yml"] {
        assert!(message.contains(file), "{message}");
    }
    assert!(diags.iter().all(|d| d["severity"] != "error"), "{diags:#?}");
    // A document with apiVersion and kind is still checked.
    fs::write(
        dir.path().join("bad.yaml"),
        "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: s, namespace: ns1}\nspec: {}\n",
    )
    .unwrap();
    Command::cargo_bin("sidecarscope").unwrap().args(["analyze"]).arg(dir.path()).assert().code(1);
}

#[test]
fn default_namespace_is_kubectl_apply_n() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("s.yaml");
    fs::write(&file, "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata:\n  name: s\nspec:\n  egress:\n  - hosts: [\"./*\", \"default/*\"]\n").unwrap();
    let run = |args: &[&str]| {
        let out = Command::cargo_bin("sidecarscope")
            .unwrap()
            .args(["analyze", "--output", "json", "--fail-on", "warning"])
            .args(args)
            .arg(&file)
            .output()
            .unwrap();
        (out.status.code(), String::from_utf8(out.stdout).unwrap())
    };
    let (code, json) = run(&[]);
    assert_eq!(code, Some(1));
    assert!(json.contains("SC1051") && json.contains("--default-namespace"), "{json}");
    let (code, json) = run(&["--default-namespace", "bookinfo"]);
    assert_eq!(code, Some(0), "{json}");
    assert!(!json.contains("SC1051"), "{json}");
    Command::cargo_bin("sidecarscope")
        .unwrap()
        .args(["analyze", "--default-namespace", "Not_A_Label"])
        .arg(&file)
        .assert()
        .code(2);
}
