//! The `validate` command as a user runs it: exit codes, the JSON contract, text output,
//! and clear errors for inputs that cannot be read.

use assert_cmd::Command;
use std::fs;

const GOOD: &str = "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata:\n  name: default\n  namespace: ns\nspec:\n  egress:\n  - hosts:\n    - \"./*\"\n";
const BAD: &str = "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata:\n  name: s\n  namespace: ns\nspec:\n  egress:\n  - hosts:\n    - \"other/*\"\n    - \"ns/reviews\"\n";
const WARN: &str = "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata:\n  name: w\n  namespace: ns\nspec:\n  egress:\n  - hosts:\n    - \"ns/*\"\n    - \"ns/*\"\n";

fn cli() -> Command {
    Command::cargo_bin("sidecarscope").unwrap()
}

#[test]
fn exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.yaml");
    let bad = dir.path().join("bad.yaml");
    let warn = dir.path().join("warn.yaml");
    fs::write(&good, GOOD).unwrap();
    fs::write(&bad, BAD).unwrap();
    fs::write(&warn, WARN).unwrap();
    cli().args(["validate"]).arg(&good).assert().code(0);
    cli().args(["validate"]).arg(&bad).assert().code(1);
    cli().args(["validate"]).arg(&warn).assert().code(0);
    cli().args(["validate", "--fail-on", "warning"]).arg(&warn).assert().code(1);
    cli()
        .args(["validate"])
        .arg(dir.path().join("missing.yaml"))
        .assert()
        .code(2)
        .stdout(predicates::str::contains("missing.yaml:1:1: error[SC0009]: cannot read: no such file"));
    cli().args(["validate", "--output", "nope"]).arg(&good).assert().code(2);
}

#[test]
fn json_contract() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("x.yaml");
    fs::write(&bad, BAD).unwrap();
    let out = cli().args(["validate", "--output", "json"]).arg(&bad).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let d = &v["diagnostics"][0];
    assert_eq!(d["severity"], "error");
    assert_eq!(d["code"], "SC1050");
    assert_eq!(d["istioCode"], "IST0106");
    assert_eq!(d["message"], "short names (non FQDN) are not allowed");
    assert_eq!(
        d["resource"],
        serde_json::json!({"apiVersion": "networking.istio.io/v1", "kind": "Sidecar", "namespace": "ns", "name": "s"})
    );
    assert_eq!(d["path"], "spec.egress[0].hosts[1]");
    assert_eq!(d["file"], bad.display().to_string());
    assert_eq!(d["range"]["start"]["line"], 10);
    assert_eq!(d["range"]["start"]["column"], 7);
    assert_eq!(d["range"]["end"]["line"], 10);
    assert_eq!(d["range"]["end"]["column"], 19);
    assert_eq!(v["summary"]["errors"], 1);
    assert_eq!(v["summary"]["warnings"], 0);
}

#[test]
fn human_output_is_compiler_style_and_colourless_when_piped() {
    let out = cli().args(["validate", "-"]).write_stdin(BAD).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next().unwrap(), "<stdin>:10:7: error[SC1050]: short names (non FQDN) are not allowed");
    assert!(text.contains("   10 |     - \"ns/reviews\"\n      |       ^^^^^^^^^^^^\n"), "{text}");
    assert!(!text.contains('\x1b'));
    let colored = cli().args(["validate", "--color", "always"]).write_stdin(BAD).output().unwrap();
    assert!(String::from_utf8(colored.stdout).unwrap().contains('\x1b'));
}

#[test]
fn stdin_when_no_path() {
    cli().arg("validate").write_stdin(BAD).assert().code(1).stdout(predicates::str::contains("<stdin>:10:7"));
}

#[test]
fn directories_are_searched_recursively() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("a/b")).unwrap();
    fs::write(dir.path().join("a/b/bad.yml"), BAD).unwrap();
    fs::write(dir.path().join("a/good.json"), "{}").unwrap();
    fs::write(dir.path().join("a/notes.txt"), "ns/reviews").unwrap();
    let out = cli().args(["validate", "--output", "json"]).arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["diagnostics"][0]["file"].as_str().unwrap().ends_with("a/b/bad.yml"));
}

#[test]
fn unreadable_inputs_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty");
    fs::create_dir(&empty).unwrap();
    fs::write(empty.join("readme.txt"), "x").unwrap();
    cli()
        .args(["validate"])
        .arg(&empty)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no .yaml, .yml or .json files"));
    let binary = dir.path().join("bin.yaml");
    fs::write(&binary, b"\x7fELF\x00\x01\x02").unwrap();
    cli().args(["validate"]).arg(&binary).assert().code(2).stdout(predicates::str::contains("binary"));
    let latin1 = dir.path().join("latin1.yaml");
    fs::write(&latin1, b"a: 1\nb: caf\xe9\n").unwrap();
    cli()
        .args(["validate"])
        .arg(&latin1)
        .assert()
        .code(2)
        .stdout(predicates::str::contains("invalid UTF-8 at byte 11 (line 2)"));
}

#[test]
fn syntax_errors_do_not_stop_other_documents() {
    let text = format!("a: [1,\n---\n{BAD}");
    let out = cli().args(["validate", "--output", "json"]).write_stdin(text).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let codes: Vec<_> =
        v["diagnostics"].as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap().to_string()).collect();
    assert_eq!(codes, ["SC0001", "SC1050"]);
}

#[test]
fn codes_lists_every_code() {
    cli().arg("codes").assert().code(0).stdout(predicates::str::contains("## SC1050"));
}

/// Issue 9's limits: a 50 MB input and a very long line get an answer in bounded time.
#[test]
fn fifty_megabytes_and_long_lines_are_answered() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.yaml");
    let mut text = String::with_capacity(51 * 1024 * 1024);
    let mut i = 0;
    while text.len() < 50 * 1024 * 1024 {
        text.push_str(&BAD.replace("name: s\n", &format!("name: s{i}\n")));
        text.push_str("---\n");
        i += 1;
    }
    fs::write(&big, &text).unwrap();
    let started = std::time::Instant::now();
    let out = cli().args(["validate", "--output", "json"]).arg(&big).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["summary"]["errors"].as_u64().unwrap(), i as u64);
    assert!(started.elapsed() < std::time::Duration::from_secs(300), "took {:?}", started.elapsed());

    let long = dir.path().join("long.yaml");
    let line = format!("# {}\n", "x".repeat(10 * 1024 * 1024));
    fs::write(&long, format!("{line}{BAD}")).unwrap();
    cli().args(["validate"]).arg(&long).assert().code(1).stdout(predicates::str::contains("long.yaml:11:7"));

    let too_big = dir.path().join("too-big.yaml");
    let f = fs::File::create(&too_big).unwrap();
    f.set_len(65 * 1024 * 1024).unwrap();
    cli().args(["validate"]).arg(&too_big).assert().code(2).stdout(predicates::str::contains("the limit is"));
}
