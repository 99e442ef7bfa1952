//! `sidecarscope impact` as a user runs it on the examples (`examples/impact/`, directories
//! whose `mesh.yaml` is a link to the shared mesh): the plan, the JSON report, the pull-request
//! comment, SARIF at the lines that caused each breaking call, `--fail-on`, and exit code 2 with
//! the side and position when a side does not load.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::PredicateBooleanExt;
use predicates::str::contains;

fn example(name: &str, side: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/impact").join(name).join(side)
}

fn run(args: &[&str]) -> assert_cmd::assert::Assert {
    Command::cargo_bin("sidecarscope").unwrap().args(args).assert()
}

fn impact(name: &str, extra: &[&str]) -> assert_cmd::assert::Assert {
    let (b, h) = (example(name, "base"), example(name, "head"));
    let mut args = vec!["impact", b.to_str().unwrap(), h.to_str().unwrap()];
    args.extend_from_slice(extra);
    run(&args)
}

fn json(a: &assert_cmd::assert::Assert) -> serde_json::Value {
    serde_json::from_slice(&a.get_output().stdout).unwrap()
}

#[test]
fn text_reads_like_a_plan() {
    impact("3-drop-a-host", &[]).success().stdout(
        contains("Breaking calls:\n  ! shop/cart broken: HTTP catalog.catalog.svc.cluster.local:8080 GET /\n")
            .and(contains("at base "))
            .and(contains("sidecar.yaml:10:7 Sidecar shop/default spec.egress[0].hosts[2]"))
            .and(contains("namespace shop\n"))
            .and(contains("      - import catalog.catalog.svc.cluster.local:8080 (HTTP, was imported by catalog/*)"))
            .and(contains("      - cluster outbound|8080||catalog.catalog.svc.cluster.local"))
            .and(contains("2 of 5 workloads changed (2 recomputed); calls: 2 broken")),
    );
}

#[test]
fn fail_on_breaking_and_any() {
    impact("3-drop-a-host", &["--fail-on", "breaking"]).code(1);
    impact("3-drop-a-host", &["--fail-on", "any"]).code(1);
    // Calls that join the mesh are not breaking; the change is still a change.
    let b = example("6-move-workload-selector", "base");
    let h = example("6-move-workload-selector", "head");
    run(&["impact", b.to_str().unwrap(), h.to_str().unwrap(), "--workload", "shop/frontend", "--fail-on", "breaking"])
        .success();
    run(&["impact", b.to_str().unwrap(), h.to_str().unwrap(), "--workload", "shop/frontend", "--fail-on", "any"])
        .code(1);
    let same = example("3-drop-a-host", "base");
    run(&["impact", same.to_str().unwrap(), same.to_str().unwrap(), "--fail-on", "any"])
        .success()
        .stdout(contains("No change"));
}

#[test]
fn json_report() {
    let out = impact("1-tighten-namespace-default", &["-o", "json"]).success();
    let v = json(&out);
    assert_eq!(v["summary"]["bypassed"], 8);
    assert_eq!(v["summary"]["workloads"], 5);
    assert_eq!(v["problems"], serde_json::json!([]));
    let cart = &v["workloads"][0];
    assert_eq!((cart["namespace"].as_str(), cart["name"].as_str()), (Some("shop"), Some("cart")));
    let flows = cart["flows"].as_array().unwrap();
    let flow = flows.iter().find(|f| f["call"] == "HTTP payments.payments.svc.cluster.local:8080 GET /").unwrap();
    assert_eq!(flow["kind"], "bypassed");
    assert_eq!(flow["head"]["destination"], "PassthroughCluster");
    assert_eq!(flow["request"]["direction"], "outbound");
    assert!(flow["causes"].as_array().unwrap().iter().any(|c| c["side"] == "base" && c["range"]["start"]["line"] == 8));
}

#[test]
fn workload_filter() {
    let v = json(&impact("1-tighten-namespace-default", &["--workload", "shop/frontend", "-o", "json"]).success());
    assert_eq!(v["summary"]["workloads"], 1);
    assert_eq!(v["workloads"].as_array().unwrap().len(), 1);
    impact("1-tighten-namespace-default", &["--workload", "shop/nope"])
        .code(2)
        .stderr(contains("workload \"shop/nope\" is in neither input"));
}

#[test]
fn markdown_is_a_pull_request_comment() {
    impact("2-registry-only", &["-o", "markdown"]).success().stdout(
        contains("### Sidecarscope impact\n")
            .and(contains("| broken calls | 6 |"))
            .and(contains("**Breaking calls**"))
            .and(contains("<details><summary>namespace <code>shop</code>: 2 workload(s), 6 breaking call(s)</summary>"))
            .and(contains("```diff\n"))
            .and(contains("outbound traffic policy ALLOW_ANY -> REGISTRY_ONLY")),
    );
}

#[test]
fn sarif_points_at_the_head_lines() {
    let v = json(&impact("2-registry-only", &["-o", "sarif"]).success());
    let results = v["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 6);
    let r = &results[0];
    assert_eq!(r["ruleId"], "SC4001");
    assert_eq!(r["properties"]["side"], "head");
    let loc = &r["locations"][0]["physicalLocation"];
    assert!(loc["artifactLocation"]["uri"].as_str().unwrap().ends_with("2-registry-only/head/sidecar.yaml"), "{loc}");
    // `outboundTrafficPolicy` is line 5 of the head Sidecar.
    assert_eq!(loc["region"]["startLine"], 5);
    assert_eq!(v["runs"][0]["tool"]["driver"]["rules"][0]["id"], "SC4001");
}

/// A Sidecar deleted in head: head has no line for the change, so SARIF points at base's.
/// Base: cart's own Sidecar sends inbound port 9090 to 127.0.0.1:9090; head: no Sidecar, so a
/// call to 9090 goes through InboundPassthroughCluster instead (rerouted), and port 8080, which
/// the Sidecar's ingress had replaced (Istio takes a Sidecar's ingress instead of the service
/// ports), gets its `inbound|8080||` cluster back.
#[test]
fn sarif_points_at_the_base_lines_when_head_has_none() {
    let dir = tempfile::tempdir().unwrap();
    let (base, head) = (dir.path().join("base"), dir.path().join("head"));
    for d in [&base, &head] {
        std::fs::create_dir(d).unwrap();
        std::fs::copy(example("3-drop-a-host", "base").join("mesh.yaml"), d.join("mesh.yaml")).unwrap();
    }
    std::fs::write(
        base.join("cart-sidecar.yaml"),
        "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: cart, namespace: shop}\nspec:\n  workloadSelector:\n    labels: {app: cart}\n  ingress:\n  - port: {number: 9090, protocol: HTTP, name: http}\n    defaultEndpoint: 127.0.0.1:9090\n",
    )
    .unwrap();
    let out = run(&["impact", base.to_str().unwrap(), head.to_str().unwrap(), "-o", "sarif"]).success();
    let v = json(&out);
    let results = v["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 4);
    for r in results {
        assert_eq!(r["properties"]["side"], "base", "{r}");
        let loc = &r["locations"][0]["physicalLocation"];
        assert!(loc["artifactLocation"]["uri"].as_str().unwrap().ends_with("base/cart-sidecar.yaml"), "{loc}");
        // The ingress listener of port 9090; the Sidecar's name for port 8080.
        let line = if r["properties"]["call"].as_str().unwrap().contains(":9090") { 8 } else { 3 };
        assert_eq!(loc["region"]["startLine"], line, "{loc}");
        assert!(r["message"]["text"].as_str().unwrap().contains("Head has no line for it"));
    }
}

#[test]
fn a_side_that_does_not_load_is_an_error_with_its_side_and_position() {
    let dir = tempfile::tempdir().unwrap();
    let head = dir.path().join("head.yaml");
    std::fs::write(&head, "apiVersion: v1\nkind: Service\nmetadata: {name: x\n").unwrap();
    let base = example("3-drop-a-host", "base");
    run(&["impact", base.to_str().unwrap(), head.to_str().unwrap()])
        .code(2)
        .stdout(contains("The comparison was not made"))
        .stderr(
            contains("head: ").and(contains("head.yaml:4:1: error[SC0001]: YAML syntax error")).and(contains("SC0001")),
        );
    // A side that does not exist, or has nothing in it.
    run(&["impact", "/nonexistent/base", head.to_str().unwrap()]).code(2).stderr(contains("base: "));
    let empty = dir.path().join("empty.yaml");
    std::fs::write(&empty, "# nothing\n").unwrap();
    run(&["impact", base.to_str().unwrap(), empty.to_str().unwrap(), "-o", "json"])
        .code(2)
        .stderr(contains("head: ").and(contains("no resources read")));
    run(&["impact", "-", "-"]).code(2).stderr(contains("cannot both be standard input"));
}

#[test]
fn traffic_names_the_calls_it_saw_and_reports_a_broken_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("calls.prom");
    std::fs::write(
        &file,
        "# TYPE istio_tcp_connections_opened_total counter\n\
istio_tcp_connections_opened_total{source_workload=\"cart\",source_workload_namespace=\"shop\",destination_service=\"api.example.org\",destination_service_name=\"PassthroughCluster\",destination_port=\"443\"} 7\n\
istio_requests_total{source_workload=\"cart\",source_workload_namespace=\"shop\",destination_service=\"x\" 4\n",
    )
    .unwrap();
    let f = file.to_str().unwrap();
    // Example 2 switches shop's Sidecar to REGISTRY_ONLY: the external API cart reached through
    // PassthroughCluster is blocked, and only the traffic names it.
    let a = impact("2-registry-only", &["--traffic", f]).success();
    a.stdout(
        contains("! shop/cart broken: TCP api.example.org:443\n")
            .and(contains(format!("      seen at {f}:2\n")))
            .and(contains("(seen at ").count(1)),
    )
    .stderr(contains(format!("{f}:3:")).and(contains("[SC0020]")));
    let without = impact("2-registry-only", &[]).success();
    without.stdout(contains("api.example.org").not());
    let j = json(&impact("2-registry-only", &["--traffic", f, "-o", "json"]));
    let cart = j["workloads"].as_array().unwrap().iter().find(|w| w["name"] == "cart").unwrap();
    let flow = cart["flows"].as_array().unwrap().iter().find(|fl| fl["call"] == "TCP api.example.org:443").unwrap();
    assert_eq!(flow["origin"], format!("{f}:2"));
    assert_eq!(j["traffic"]["problems"][0]["line"], 3);
    assert_eq!(j["traffic"]["files"][0]["calls"], 1);
}
