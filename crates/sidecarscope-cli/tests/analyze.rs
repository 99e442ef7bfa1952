//! The `analyze` command as a user runs it: exit codes (as `validate`, plus `--fail-on warning`),
//! the JSON contract with istioctl's and Kiali's codes, and the shape of the SARIF log.

use assert_cmd::Command;
use std::fs;

/// Two selector-less Sidecars in one namespace: IST0111 (error) with KIA0002 on each.
const CONFLICT: &str = "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata:\n  name: a\n  namespace: ns\nspec:\n  egress:\n  - hosts: [\"./*\"]\n---\napiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata:\n  name: b\n  namespace: ns\nspec:\n  egress:\n  - hosts: [\"./*\"]\n";
/// An egress host under the wrong namespace prefix: SC3001 (warning) only.
const MISMATCH: &str = "apiVersion: v1\nkind: Service\nmetadata: {name: reviews, namespace: ns2}\nspec:\n  ports:\n  - {name: http, port: 9080}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: ns1, labels: {app: web}}\n---\napiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: default, namespace: ns1}\nspec:\n  egress:\n  - hosts: [\"ns1/reviews.ns2.svc.cluster.local\"]\n";
/// Nothing to report.
const CLEAN: &str = "apiVersion: v1\nkind: Service\nmetadata: {name: reviews, namespace: ns1}\nspec:\n  selector: {app: web}\n  ports:\n  - {name: http, port: 9080}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: ns1, labels: {app: web}}\n---\napiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: default, namespace: ns1}\nspec:\n  egress:\n  - hosts: [\"./*\"]\n";

fn cli() -> Command {
    Command::cargo_bin("sidecarscope").unwrap()
}

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.path().join(name);
    fs::write(&p, text).unwrap();
    p
}

#[test]
fn exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let conflict = write(&dir, "conflict.yaml", CONFLICT);
    let mismatch = write(&dir, "mismatch.yaml", MISMATCH);
    let clean = write(&dir, "clean.yaml", CLEAN);
    cli().args(["analyze"]).arg(&clean).assert().code(0);
    cli().args(["analyze", "--fail-on", "warning"]).arg(&clean).assert().code(0);
    cli().args(["analyze"]).arg(&conflict).assert().code(1);
    cli().args(["analyze"]).arg(&mismatch).assert().code(0);
    cli().args(["analyze", "--fail-on", "warning"]).arg(&mismatch).assert().code(1);
    for output in ["json", "sarif"] {
        cli().args(["analyze", "--output", output]).arg(&conflict).assert().code(1);
        cli().args(["analyze", "--output", output]).arg(&mismatch).assert().code(0);
    }
    cli()
        .args(["analyze"])
        .arg(dir.path().join("missing.yaml"))
        .assert()
        .code(2)
        .stdout(predicates::str::contains("missing.yaml:1:1: error[SC0009]: cannot read: no such file"));
    cli().args(["analyze", "--output", "nope"]).arg(&clean).assert().code(2);
    cli().args(["analyze", "--fail-on", "info"]).arg(&clean).assert().code(2);
}

#[test]
fn json_carries_istio_and_kiali_codes() {
    let out = cli().args(["analyze", "--output", "json", "-"]).write_stdin(CONFLICT).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let d: Vec<&serde_json::Value> =
        v["diagnostics"].as_array().unwrap().iter().filter(|d| d["code"] == "SC2003").collect();
    assert_eq!(d.len(), 2);
    assert_eq!(d[0]["istioCode"], "IST0111");
    assert_eq!(d[0]["kialiCode"], "KIA0002");
    assert_eq!(d[0]["severity"], "error");
    assert_eq!(
        d[0]["message"],
        "The Sidecars [a b] in namespace \"ns\" have no workload selector, which can lead to undefined behavior."
    );
    assert_eq!(d[0]["resource"]["name"], "a");
    assert_eq!(d[0]["path"], "metadata.name");
    assert_eq!(d[0]["range"]["start"]["line"], 4);
    assert_eq!(v["summary"]["errors"], 2);
}

#[test]
fn validation_findings_are_included_with_istioctl_wording() {
    let bad = "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: s, namespace: ns}\nspec:\n  egress:\n  - hosts: [\"ns/reviews\"]\n";
    let out = cli().args(["analyze", "--output", "json", "-"]).write_stdin(bad).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let d = v["diagnostics"].as_array().unwrap().iter().find(|d| d["code"] == "SC1050").unwrap();
    assert_eq!(d["istioCode"], "IST0106");
    assert_eq!(d["message"], "Schema validation error: short names (non FQDN) are not allowed");
}

#[test]
fn text_output_says_our_checks_go_beyond() {
    let out = cli().args(["analyze", "-"]).write_stdin(MISMATCH).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with(
            "<stdin>:17:13: warning[SC3001]: `ns1/reviews.ns2.svc.cluster.local` can never import anything"
        ),
        "{text}"
    );
    assert!(text.contains("istioctl analyze and Kiali do not report this"), "{text}");
    assert!(text.ends_with("0 errors, 1 warning\n"), "{text}");
}

#[test]
fn sarif_is_a_valid_2_1_0_log() {
    let dir = tempfile::tempdir().unwrap();
    let conflict = write(&dir, "my conflict.yaml", CONFLICT);
    let out = cli().args(["analyze", "--output", "sarif"]).arg(&conflict).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["version"], "2.1.0");
    assert!(v["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
    let run = &v["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "sidecarscope");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), sidecarscope::Code::ALL.len());
    for r in rules {
        assert!(r["id"].as_str().unwrap().starts_with("SC"));
        assert!(!r["shortDescription"]["text"].as_str().unwrap().is_empty());
        assert!(!r["fullDescription"]["text"].as_str().unwrap().is_empty());
        assert!(["error", "warning", "note"].contains(&r["defaultConfiguration"]["level"].as_str().unwrap()));
    }
    let ist0111 = rules.iter().find(|r| r["id"] == "SC2003").unwrap();
    assert_eq!(ist0111["properties"]["istioCode"], "IST0111");
    assert_eq!(ist0111["properties"]["kialiCode"], "KIA0002");
    let all = run["results"].as_array().unwrap();
    // Two SC2003 errors, and the two notes that no workloads and no services were given.
    assert_eq!(all.len(), 4);
    assert_eq!(all.iter().filter(|r| r["level"] == "note").count(), 2);
    let results: Vec<&serde_json::Value> = all.iter().filter(|r| r["level"] != "note").collect();
    assert_eq!(results.len(), 2);
    for res in &results {
        assert_eq!(res["ruleId"], "SC2003");
        let idx = res["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[idx]["id"], res["ruleId"]);
        assert_eq!(res["level"], "error");
        assert!(res["message"]["text"].as_str().unwrap().contains("have no workload selector"));
        let loc = &res["locations"][0]["physicalLocation"];
        assert!(loc["artifactLocation"]["uri"].as_str().unwrap().ends_with("my%20conflict.yaml"));
        let region = &loc["region"];
        for k in ["startLine", "startColumn", "endLine", "endColumn"] {
            assert!(region[k].as_u64().unwrap() >= 1, "{k}");
        }
        assert_eq!(res["locations"][0]["logicalLocations"][0]["kind"], "resource");
    }
    assert_eq!(results[0]["locations"][0]["physicalLocation"]["region"]["startLine"], 4);
    assert_eq!(results[0]["locations"][0]["physicalLocation"]["region"]["startColumn"], 9);
    assert_eq!(results[0]["locations"][0]["physicalLocation"]["region"]["endColumn"], 10);
}

#[test]
fn sarif_of_a_clean_input_has_rules_and_no_results() {
    let out = cli().args(["analyze", "--output", "sarif", "-"]).write_stdin(CLEAN).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["runs"][0]["results"].as_array().unwrap().len(), 0);
    assert!(!v["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap().is_empty());
}

/// JSON output of `analyze` with extra arguments, and its exit code.
fn analyze_json(text: &str, args: &[&str]) -> (Option<i32>, serde_json::Value) {
    let out =
        cli().args(["analyze", "--output", "json"]).args(args).arg("-").write_stdin(text.to_string()).output().unwrap();
    (out.status.code(), serde_json::from_slice(&out.stdout).unwrap())
}

/// `CODE name` of the findings about a resource (not the input-wide notes).
fn codes(v: &serde_json::Value) -> Vec<String> {
    v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| !d["resource"].is_null())
        .map(|d| format!("{} {}", d["code"].as_str().unwrap(), d["resource"]["name"].as_str().unwrap_or("")))
        .collect()
}

#[test]
fn the_analyze_suppress_annotation_leaves_out_the_resources_findings() {
    // As istioctl: the codes listed on the resource (exactly as written), or `*`.
    let annotated = |value: &str| {
        CONFLICT.replacen(
            "  name: a\n",
            &format!("  name: a\n  annotations:\n    galley.istio.io/analyze-suppress: \"{value}\"\n"),
            1,
        )
    };
    let (code, v) = analyze_json(&annotated("IST0111"), &[]);
    assert_eq!(codes(&v), ["SC2003 b"], "{v}");
    assert_eq!(v["summary"]["suppressed"], 1);
    assert_eq!(code, Some(1), "b's finding still fails the run");
    assert_eq!(codes(&analyze_json(&annotated("*"), &[]).1), ["SC2003 b"]);
    assert_eq!(codes(&analyze_json(&annotated("SC2003"), &[]).1), ["SC2003 b"], "our own codes are accepted too");
    assert_eq!(
        codes(&analyze_json(&annotated("IST0101, IST0111"), &[]).1),
        ["SC2003 a", "SC2003 b"],
        "Istio does not trim the entries"
    );
    let (_, v) = analyze_json(&annotated("IST0101"), &[]);
    assert_eq!(codes(&v), ["SC2003 a", "SC2003 b"]);
    assert!(v["summary"].get("suppressed").is_none(), "absent when nothing is suppressed: {v}");
}

#[test]
fn the_kiali_annotation_leaves_out_kiali_findings() {
    let annotated = |value: &str| {
        CONFLICT.replacen(
            "  name: b\n",
            &format!("  name: b\n  annotations:\n    kiali.io/ignore-validations: \"{value}\"\n"),
            1,
        )
    };
    assert_eq!(codes(&analyze_json(&annotated(""), &[]).1), ["SC2003 a"], "an empty value drops every Kiali finding");
    assert_eq!(codes(&analyze_json(&annotated("KIA0002"), &[]).1), ["SC2003 a"]);
    assert_eq!(codes(&analyze_json(&annotated("KIA1004"), &[]).1), ["SC2003 a", "SC2003 b"]);
}

#[test]
fn suppress_rules_match_code_and_resource_with_globs() {
    let (code, v) = analyze_json(CONFLICT, &["--suppress", "IST0111=Sidecar ns/*"]);
    assert_eq!(codes(&v), Vec::<String>::new());
    assert_eq!(v["summary"]["suppressed"], 2);
    assert_eq!(code, Some(0), "nothing left to fail on");
    assert_eq!(codes(&analyze_json(CONFLICT, &["-S", "KIA0002=Sidecar ns/b"]).1), ["SC2003 a"]);
    assert_eq!(codes(&analyze_json(CONFLICT, &["-S", "SC2003=*/a", "-S", "IST0111=Sidecar other/*"]).1), ["SC2003 b"]);
    assert_eq!(codes(&analyze_json(MISMATCH, &["-S", "SC3001=Sidecar ns1/default"]).1), Vec::<String>::new());
    cli()
        .args(["analyze", "-S", "IST0111", "-"])
        .write_stdin(CONFLICT)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("is not a valid suppression value"));
    cli().args(["analyze", "-S", "ISTX=Sidecar ns/a", "-"]).write_stdin(CONFLICT).assert().code(1).stderr(
        predicates::str::contains(
            "Supplied message code 'ISTX' is an unknown message code and will not have any effect",
        ),
    );
}

#[test]
fn suppressed_findings_are_told_in_text_and_marked_in_sarif() {
    let out = cli()
        .args(["analyze", "--color", "never", "-S", "IST0111=Sidecar ns/a", "-"])
        .write_stdin(CONFLICT)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.ends_with("1 suppressed, by --suppress IST0111=Sidecar ns/a\n"), "{text}");
    let out = cli()
        .args(["analyze", "--output", "sarif", "-S", "IST0111=Sidecar ns/a", "-"])
        .write_stdin(CONFLICT)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = v["runs"][0]["results"].as_array().unwrap();
    let suppressed: Vec<&serde_json::Value> = results.iter().filter(|r| r.get("suppressions").is_some()).collect();
    assert_eq!(suppressed.len(), 1, "{v}");
    assert_eq!(suppressed[0]["suppressions"][0]["kind"], "external");
    assert_eq!(suppressed[0]["locations"][0]["logicalLocations"][0]["fullyQualifiedName"], "Sidecar ns/a");
    assert!(results.iter().any(|r| r.get("suppressions").is_none()), "b's finding is reported as usual");
}

#[test]
fn validate_answers_as_the_webhook_whatever_the_annotations() {
    let annotated = CONFLICT
        .replacen("  name: a\n", "  name: a\n  annotations:\n    galley.istio.io/analyze-suppress: \"*\"\n", 1)
        .replace("\"./*\"", "\"nope\"");
    let out = cli().args(["validate", "--output", "json", "-"]).write_stdin(annotated).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(codes(&v).iter().any(|c| c.ends_with(" a")), "{v}");
}
