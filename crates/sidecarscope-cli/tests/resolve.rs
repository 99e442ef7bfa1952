//! The `resolve` command as a user runs it: the JSON shape, `--all`, `--workload`, the text
//! summary, YAML output, and exit code 2 with a clear message on bad arguments.

use assert_cmd::Command;
use predicates::str::contains;
use std::fs;

const MESH: &str = r#"apiVersion: v1
kind: Service
metadata: {name: productpage, namespace: prod-us1}
spec:
  selector: {app: productpage}
  ports: [{name: http, port: 9080}]
---
apiVersion: v1
kind: Service
metadata: {name: ratings, namespace: prod-us1}
spec:
  selector: {app: ratings}
  ports: [{name: http, port: 9080}]
---
apiVersion: v1
kind: Service
metadata: {name: istiod, namespace: istio-system}
spec:
  ports: [{name: grpc-xds, port: 15010}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: prod-us1}
spec:
  hosts: [productpage]
  http:
  - route:
    - destination: {host: productpage}
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: ratings, namespace: prod-us1}
spec:
  workloadSelector:
    labels: {app: ratings}
  outboundTrafficPolicy: {mode: REGISTRY_ONLY}
  egress:
  - port: {number: 9080, protocol: HTTP, name: egresshttp}
    hosts: ["prod-us1/*"]
  - hosts: ["istio-system/*"]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ratings-v1, namespace: prod-us1}
spec:
  template:
    metadata:
      labels: {app: ratings, version: v1}
    spec:
      containers: [{name: ratings, image: ratings}]
---
apiVersion: v1
kind: Pod
metadata: {name: productpage-1, namespace: prod-us1, labels: {app: productpage}}
spec:
  containers: [{name: productpage, image: productpage}]
"#;

fn cli() -> Command {
    Command::cargo_bin("sidecarscope").unwrap()
}

fn mesh_file() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mesh.yaml");
    fs::write(&path, MESH).unwrap();
    (dir, path)
}

fn json(args: &[&str], path: &std::path::Path) -> serde_json::Value {
    let out = cli().arg("resolve").args(args).arg(path).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn json_shape_by_namespace_and_labels() {
    let (_dir, path) = mesh_file();
    let v = json(&["--namespace", "prod-us1", "--labels", "app=ratings", "--output", "json"], &path);
    assert_eq!(v["proxy"]["namespace"], "prod-us1");
    assert_eq!(v["proxy"]["labels"]["app"], "ratings");
    assert!(v["proxy"]["ip"].is_null());
    assert_eq!(v["sidecar"]["namespace"], "prod-us1");
    assert_eq!(v["sidecar"]["name"], "ratings");
    assert!(v["sidecar"]["reason"].as_str().unwrap().contains("workloadSelector"));
    assert_eq!(v["outboundTrafficPolicy"]["mode"], "REGISTRY_ONLY");
    assert_eq!(v["outboundTrafficPolicy"]["source"], "Sidecar prod-us1/ratings outboundTrafficPolicy");
    let egress = v["egress"].as_array().unwrap();
    assert_eq!(egress.len(), 2);
    let first = &egress[0];
    assert_eq!(first["port"], 9080);
    assert_eq!(first["protocol"], "HTTP");
    assert_eq!(first["name"], "egresshttp");
    assert!(first["bind"].is_null());
    assert_eq!(first["captureMode"], "DEFAULT");
    assert_eq!(first["hosts"], serde_json::json!(["prod-us1/*"]));
    let svc = &first["services"][0];
    assert_eq!(svc["hostname"], "productpage.prod-us1.svc.cluster.local");
    assert_eq!(svc["namespace"], "prod-us1");
    assert_eq!(svc["matchedBy"], "prod-us1/*");
    assert_eq!(svc["ports"], serde_json::json!([{"number": 9080, "protocol": "HTTP", "name": "http"}]));
    assert_eq!(first["virtualServices"], serde_json::json!(["prod-us1/reviews"]));
    assert!(egress[1]["port"].is_null(), "the catch-all listener has no port");
    assert!(v["ingress"].is_array());
    assert!(v["scopeServices"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["hostname"] == "istiod.istio-system.svc.cluster.local"));
    assert!(v["destinationRules"].is_array());
    let pool = &v["inboundConnectionPool"]["9080"];
    assert_eq!(pool["settings"], serde_json::json!({}));
    assert!(pool["source"].as_str().unwrap().contains("default"));
    assert!(v["notes"].is_array());
}

#[test]
fn no_sidecar_is_null() {
    let (_dir, path) = mesh_file();
    let v = json(&["--namespace", "other", "-o", "json"], &path);
    assert!(v["sidecar"].is_null());
    assert_eq!(v["selection"]["kind"], "none");
    assert_eq!(v["egress"][0]["hosts"], serde_json::json!(["*/*"]));
    assert_eq!(v["outboundTrafficPolicy"]["mode"], "ALLOW_ANY");
}

#[test]
fn workload_by_name() {
    let (_dir, path) = mesh_file();
    let v = json(&["--workload", "prod-us1/ratings-v1", "-o", "json"], &path);
    assert_eq!(v["workload"], serde_json::json!({"kind": "Deployment", "namespace": "prod-us1", "name": "ratings-v1"}));
    assert_eq!(v["proxy"]["labels"], serde_json::json!({"app": "ratings", "version": "v1"}));
    assert_eq!(v["sidecar"]["name"], "ratings");
    // The ratings Service selects the workload: its port is an inbound port.
    assert_eq!(v["ingress"][0]["port"], 9080);
    assert_eq!(v["ingress"][0]["service"], "ratings.prod-us1.svc.cluster.local");
}

#[test]
fn all_workloads_as_an_array() {
    let (_dir, path) = mesh_file();
    let v = json(&["--all", "-o", "json"], &path);
    let all = v.as_array().unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0]["workload"]["name"], "ratings-v1");
    assert_eq!(all[0]["sidecar"]["name"], "ratings");
    assert_eq!(all[1]["workload"]["name"], "productpage-1");
    assert!(all[1]["sidecar"].is_null());
}

#[test]
fn text_and_yaml_outputs() {
    let (_dir, path) = mesh_file();
    cli()
        .args(["resolve", "--workload", "prod-us1/ratings-v1"])
        .arg(&path)
        .assert()
        .code(0)
        .stdout(contains("Sidecar: prod-us1/ratings"))
        .stdout(contains("why: its workloadSelector {app=ratings} matches"))
        .stdout(contains("productpage.prod-us1.svc.cluster.local (prod-us1) 9080/HTTP  <- prod-us1/*"))
        .stdout(contains("Outbound traffic policy: REGISTRY_ONLY"));
    let out = cli()
        .args(["resolve", "--namespace", "prod-us1", "--labels", "app=ratings", "-o", "yaml"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("sidecar:\n  namespace: prod-us1\n  name: ratings\n"), "{text}");
    assert!(text.contains("- port: 9080\n"), "{text}");
    assert!(text.contains("  hosts:\n  - prod-us1/*\n"), "{text}");
}

#[test]
fn istiod_env_and_proxy_metadata_are_accepted() {
    let (_dir, path) = mesh_file();
    let v = json(
        &[
            "--namespace",
            "prod-us1",
            "--labels",
            "app=ratings",
            "--ip",
            "10.0.0.1",
            "--proxy-metadata",
            "INTERCEPTION_MODE=NONE",
            "--istiod-env",
            "PILOT_X=1",
            "-o",
            "json",
        ],
        &path,
    );
    assert_eq!(v["proxy"]["ip"], "10.0.0.1");
    assert_eq!(v["proxy"]["metadata"]["INTERCEPTION_MODE"], "NONE");
    let notes: Vec<&str> = v["notes"].as_array().unwrap().iter().filter_map(|n| n.as_str()).collect();
    assert!(notes.iter().any(|n| n.contains("istiod env PILOT_X does not change")), "{notes:?}");
}

#[test]
fn istiod_env_changes_the_inbound_ports() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("merge.yaml");
    fs::write(
        &path,
        "apiVersion: v1\nkind: Service\nmetadata: {name: ratings, namespace: ns1}\nspec:\n  selector: {app: ratings}\n  ports: [{name: http, port: 9080}]\n---\napiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: s, namespace: ns1}\nspec:\n  ingress:\n  - port: {number: 8080, protocol: HTTP, name: web}\n    defaultEndpoint: 127.0.0.1:8080\n",
    )
    .unwrap();
    let ports = |env: &[&str]| -> Vec<u64> {
        let mut args = vec!["--namespace", "ns1", "--labels", "app=ratings", "-o", "json"];
        args.extend(env);
        json(&args, &path)["ingress"].as_array().unwrap().iter().map(|p| p["port"].as_u64().unwrap()).collect()
    };
    assert_eq!(ports(&[]), [8080], "ingress replaces the service ports by default");
    assert_eq!(ports(&["--istiod-env", "PILOT_ALLOW_SIDECAR_SERVICE_INBOUND_LISTENER_MERGE=true"]), [8080, 9080]);
    assert_eq!(
        ports(&["--istiod-env", "PILOT_ALLOW_SIDECAR_SERVICE_INBOUND_LISTENER_MERGE=nope"]),
        [8080],
        "not a Go bool: the default stays"
    );
}

#[test]
fn bad_arguments_exit_2() {
    let (_dir, path) = mesh_file();
    cli().args(["resolve"]).arg(&path).assert().code(2).stderr(contains("--workload NS/NAME, --namespace NS"));
    cli()
        .args(["resolve", "--workload", "prod-us1/nope"])
        .arg(&path)
        .assert()
        .code(2)
        .stderr(contains("no workload prod-us1/nope"))
        .stderr(contains("prod-us1/ratings-v1 (Deployment)"))
        .stderr(contains("prod-us1/productpage-1 (Pod)"));
    cli()
        .args(["resolve", "--namespace", "ns", "--labels", "app"])
        .arg(&path)
        .assert()
        .code(2)
        .stderr(contains("not KEY=VALUE"));
    cli()
        .args(["resolve", "--namespace", "ns", "--ip", "not-an-ip"])
        .arg(&path)
        .assert()
        .code(2)
        .stderr(contains("not an IP address"));
    cli().args(["resolve", "--namespace", "ns", "--proxy-metadata", "NOVALUE"]).arg(&path).assert().code(2);
    cli().args(["resolve", "--workload", "a/b", "--namespace", "ns"]).arg(&path).assert().code(2);
    cli().args(["resolve", "--labels", "app=x"]).arg(&path).assert().code(2);
    cli().args(["resolve", "--namespace", "ns", "--output", "xml"]).arg(&path).assert().code(2);
    cli().args(["resolve", "--namespace", "ns"]).arg(path.with_file_name("missing.yaml")).assert().code(2);
}
