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
    let out = run(&["listeners", path.to_str().unwrap(), "--namespace", "default", "--ip", "10.1.1.1", "-o", "json"])
        .success();
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
    assert!(
        first.starts_with("ADDRESSES")
            && first.contains(" PORT ")
            && first.contains(" MATCH ")
            && first.ends_with("DESTINATION"),
        "{first}"
    );
    assert!(text.contains("Route: 9080"));
    assert!(text.contains("Inline Route: /stats/prometheus*"));
}

#[test]
fn istiod_env_and_metadata_apply() {
    let (_d, path) = mesh_file();
    run(&[
        "listeners",
        path.to_str().unwrap(),
        "--namespace",
        "default",
        "--proxy-metadata",
        "INTERCEPTION_MODE=NONE",
        "-o",
        "json",
    ])
    .success()
    .stdout(contains("127.0.0.1_9080"))
    .stdout(contains("\"name\": \"virtualOutbound\"").not());
    run(&["listeners", path.to_str().unwrap(), "--namespace", "default", "--istiod-env", "NOT_A_FLAG=1", "-o", "json"])
        .success()
        .stdout(contains("NOT_A_FLAG does not change sidecar listeners"));
    run(&["listeners", path.to_str().unwrap(), "--namespace", "default", "--istiod-env", "oops"])
        .code(2)
        .stderr(contains("is not KEY=VALUE"));
}

#[test]
fn trace_json_and_text() {
    let (_d, path) = mesh_file();
    let out = run(&["trace", path.to_str().unwrap(), "--namespace", "default", "--to", "10.0.0.20:5432", "-o", "json"])
        .success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(v["listener"], "10.0.0.20_5432");
    assert_eq!(v["cluster"], "outbound|5432||db.default.svc.cluster.local");
    assert!(v["error"].is_null());
    assert!(!v["steps"].as_array().unwrap().is_empty());
    run(&["trace", path.to_str().unwrap(), "--namespace", "default", "--to", "1.3.3.7:15001"])
        .success()
        .stdout(contains("dropped (BlackHoleCluster"))
        .stdout(contains("virtualOutbound-blackhole"));
    run(&[
        "trace",
        path.to_str().unwrap(),
        "--namespace",
        "default",
        "--to",
        "10.0.0.10:9080",
        "--protocol",
        "http",
        "--host",
        "reviews",
    ])
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

/// A VirtualService sending `/api` to the canary subset and everything else to the stable one.
const CANARY: &str = r#"apiVersion: v1
kind: Service
metadata: {name: api, namespace: default}
spec:
  clusterIP: 10.0.0.40
  ports: [{name: http, port: 80}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: api, namespace: default}
spec:
  hosts: [api]
  http:
  - name: canary
    match: [{uri: {prefix: /api}}]
    route: [{destination: {host: api, subset: v2}}]
  - name: stable
    route: [{destination: {host: api, subset: v1}}]
"#;

#[test]
fn trace_names_the_route_by_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("canary.yaml");
    fs::write(&path, CANARY).unwrap();
    let p = path.to_str().unwrap();
    let json = |extra: &[&str]| {
        let mut args = vec![
            "trace",
            p,
            "--namespace",
            "default",
            "--to",
            "10.0.0.40:80",
            "--protocol",
            "HTTP",
            "--host",
            "api",
            "-o",
            "json",
        ];
        args.extend_from_slice(extra);
        let out = run(&args).success();
        serde_json::from_slice::<serde_json::Value>(&out.get_output().stdout).unwrap()
    };
    let canary = json(&["--path", "/api/x"]);
    assert_eq!(canary["route"], "canary");
    assert_eq!(canary["cluster"], "outbound|80|v2|api.default.svc.cluster.local");
    assert_eq!(
        (canary["routeConfig"].as_str(), canary["virtualHost"].as_str()),
        (Some("80"), Some("api.default.svc.cluster.local:80"))
    );
    assert_eq!(canary["matchedRoute"]["virtualService"], "default/api");
    assert_eq!(canary["matchedRoute"]["httpIndex"], 0);
    let src = &canary["matchedRoute"]["sources"][0];
    assert_eq!(
        (src["path"].as_str(), src["range"]["start"]["line"].as_u64()),
        (Some("spec.http[0]"), Some(14)),
        "{src}"
    );
    let stable = json(&["--path", "/"]);
    assert_eq!(
        (stable["route"].as_str(), stable["cluster"].as_str()),
        (Some("stable"), Some("outbound|80|v1|api.default.svc.cluster.local"))
    );
    assert_eq!(stable["matchedRoute"]["httpIndex"], 1);
    run(&[
        "trace",
        p,
        "--namespace",
        "default",
        "--to",
        "10.0.0.40:80",
        "--protocol",
        "HTTP",
        "--host",
        "api",
        "--path",
        "/api/v2",
    ])
    .success()
    .stdout(contains("route canary (VirtualService default/api http[0])"));
}

#[test]
fn bad_call_flags_are_exit_2() {
    let (_d, path) = mesh_file();
    let p = path.to_str().unwrap();
    let base = ["trace", p, "--namespace", "default", "--to", "10.0.0.10:9080", "--protocol", "HTTP"];
    let with = |extra: &[&str]| {
        let mut a = base.to_vec();
        a.extend_from_slice(extra);
        run(&a)
    };
    with(&["--header", "x-user"]).code(2).stderr(contains("--header \"x-user\" is not NAME=VALUE"));
    with(&["--header", "bad name=1"]).code(2).stderr(contains("is not a header name"));
    with(&["--path", "api"]).code(2).stderr(contains("--path \"api\" is not a request path"));
    with(&["--method", "GE T"]).code(2).stderr(contains("is not an HTTP method"));
    with(&["--alpn", "h2"]).code(2).stderr(contains("--alpn needs a TLS call"));
    with(&["--client-cert", "mesh"]).code(2).stderr(contains("--client-cert needs an mTLS call"));
    // SNI on a plaintext call is allowed, as in Istio's simulator.
    with(&["--tls", "plaintext", "--sni", "reviews"]).success();
    with(&["--header", "x-user=alice", "--header", "x-b=2", "--method", "POST", "--path", "/x?y=1"]).success();
}

/// A dual-stack proxy (`--ip` twice): istiod binds the IPv4 wildcards whatever the primary IP
/// (`getActualWildcardAndLocalHost`), where an IPv6-only proxy gets `::`; the output says so.
#[test]
fn dual_stack_proxies_take_the_ipv4_wildcard() {
    let (_d, path) = mesh_file();
    let listeners = |ips: &[&str]| {
        let mut args = vec!["listeners", path.to_str().unwrap(), "--namespace", "default", "-o", "json"];
        for ip in ips {
            args.extend(["--ip", ip]);
        }
        let out = run(&args).success();
        serde_json::from_slice::<serde_json::Value>(&out.get_output().stdout).unwrap()
    };
    let address = |v: &serde_json::Value, name: &str| -> String {
        let l = v["listeners"].as_array().unwrap().iter().find(|l| l["name"] == name).unwrap();
        l["address"].as_str().unwrap().to_string()
    };
    assert_eq!(address(&listeners(&["fd00::7"]), "virtualOutbound"), "::");
    let dual = listeners(&["fd00::7", "10.0.0.7"]);
    assert_eq!(address(&dual, "virtualOutbound"), "0.0.0.0");
    let notes = dual["notes"].to_string();
    assert!(notes.contains("dual-stack proxy (fd00::7, 10.0.0.7)"), "{notes}");
    run(&["listeners", path.to_str().unwrap(), "--namespace", "default", "--ip", "10.0.0.7", "--ip", "10.0.0"])
        .code(2)
        .stderr(contains("--ip \"10.0.0\" is not an IP address"));
    // resolve shows both addresses of the proxy.
    let out = run(&[
        "resolve",
        path.to_str().unwrap(),
        "--namespace",
        "default",
        "--ip",
        "10.0.0.7",
        "--ip",
        "fd00::7",
        "-o",
        "json",
    ])
    .success();
    let r: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(
        (r["proxy"]["ip"].as_str(), r["proxy"]["additionalIps"][0].as_str()),
        (Some("10.0.0.7"), Some("fd00::7"))
    );
}

/// Every findings format of the core is offered: YAML is the JSON report's, Markdown the input
/// and its findings.
#[test]
fn findings_as_yaml_and_markdown() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.yaml");
    fs::write(&path, "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: s, namespace: ns}\nspec:\n  egress:\n  - hosts: [reviews]\n").unwrap();
    let out = run(&["validate", path.to_str().unwrap(), "-o", "yaml"]).code(1);
    let yaml = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(yaml.starts_with("diagnostics:\n- severity: error\n  code: SC1050\n"), "{yaml}");
    assert!(yaml.ends_with("summary:\n  errors: 1\n  warnings: 0\n  infos: 0\n"), "{yaml}");
    let out = run(&["analyze", path.to_str().unwrap(), "-o", "markdown"]).code(1);
    let md = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(md.starts_with("### Sidecarscope\n\n```yaml\napiVersion: networking.istio.io/v1\n"), "{md}");
    assert!(md.contains("- `6:13` **error** `SC1050` egress-host-format:"), "{md}");
}
