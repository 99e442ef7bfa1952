//! Hostile and odd input as a careful user's CI feeds it (issue 16): directory loops, special
//! files, endless devices, unreadable files among good ones, empty input, control characters
//! and very long lines. Every case must end, bounded, with every readable document read.

use assert_cmd::Command;
use std::fs;
use std::time::{Duration, Instant};

const BAD: &str = "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata:\n  name: s\n  namespace: ns\nspec:\n  egress:\n  - hosts:\n    - \"other/*\"\n    - \"ns/reviews\"\n";

fn cli() -> Command {
    let mut c = Command::cargo_bin("sidecarscope").unwrap();
    c.timeout(Duration::from_secs(60));
    c
}

fn json(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

fn codes(v: &serde_json::Value) -> Vec<String> {
    v["diagnostics"].as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap().to_string()).collect()
}

/// Two symbolic links to `.` and one to the parent: each real directory is walked once and each
/// file read once (the walk used to never end, and one link read every file again).
#[cfg(unix)]
#[test]
fn symlink_loops_are_walked_once() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("mesh");
    fs::create_dir_all(d.join("sub")).unwrap();
    fs::write(d.join("a.yaml"), BAD).unwrap();
    fs::write(d.join("sub/b.yaml"), BAD.replace("name: s\n", "name: t\n")).unwrap();
    std::os::unix::fs::symlink(".", d.join("loop1")).unwrap();
    std::os::unix::fs::symlink(".", d.join("loop2")).unwrap();
    std::os::unix::fs::symlink("..", d.join("sub/up")).unwrap();
    std::os::unix::fs::symlink("a.yaml", d.join("same.yaml")).unwrap();
    let started = Instant::now();
    let out = cli().args(["validate", "-o", "json"]).arg(&d).output().unwrap();
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(out.status.code(), Some(1));
    // One SC1050 per Sidecar: two files, each read once.
    assert_eq!(codes(&json(&out)), ["SC1050", "SC1050"]);
}

/// A FIFO named `*.yaml` in a scanned directory is skipped with a warning (it used to block
/// forever); the other files are read.
#[cfg(unix)]
#[test]
fn fifos_in_a_directory_are_skipped_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("a.yaml"), BAD).unwrap();
    let fifo = dir.path().join("fifo.yaml");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let out = cli().args(["validate", "-o", "json"]).arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    assert_eq!(codes(&v), ["SC1050", "SC0010"]);
    let warning = &v["diagnostics"][1];
    assert_eq!(warning["severity"], "warning");
    assert_eq!(warning["file"], fifo.display().to_string());
    assert!(warning["message"].as_str().unwrap().contains("FIFO"), "{warning}");
}

/// An endless character device is read up to the limit and refused (it used to be read until
/// allocation failed: its reported size is 0).
#[cfg(target_os = "linux")]
#[test]
fn an_endless_device_is_read_only_up_to_the_limit() {
    let started = Instant::now();
    let out = cli().args(["validate", "-o", "json", "/dev/zero"]).output().unwrap();
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(out.status.code(), Some(2));
    let v = json(&out);
    assert_eq!(v["diagnostics"][0]["code"], "SC0009");
    assert!(v["diagnostics"][0]["message"].as_str().unwrap().contains("exceeds the limit"), "{v}");
}

/// A missing file and a dangling link among good files: an error each, the good files are still
/// checked, and the exit code is 2 at the end.
#[cfg(unix)]
#[test]
fn unreadable_files_do_not_stop_the_others() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("a.yaml"), BAD).unwrap();
    std::os::unix::fs::symlink("nowhere.yaml", dir.path().join("dangling.yaml")).unwrap();
    let other = tempfile::tempdir().unwrap();
    let missing = other.path().join("missing.yaml");
    let good = other.path().join("good.yaml");
    fs::write(&good, BAD.replace("name: s\n", "name: g\n")).unwrap();
    let out = cli().args(["analyze", "-o", "json"]).arg(dir.path()).arg(&missing).arg(&good).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let v = json(&out);
    let c = codes(&v);
    assert_eq!(c.iter().filter(|c| *c == "SC0009").count(), 2, "{c:?}");
    // Both Sidecars (the walk's a.yaml and the good file after the missing one) are checked.
    let names: Vec<&str> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "SC1050")
        .map(|d| d["resource"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["s", "g"]);
    let text = cli().args(["validate"]).arg(&missing).arg(&good).output().unwrap();
    assert_eq!(text.status.code(), Some(2));
    let stdout = String::from_utf8(text.stdout).unwrap();
    assert!(stdout.contains("missing.yaml:1:1: error[SC0009]: cannot read: no such file or directory"), "{stdout}");
    assert!(stdout.contains("good.yaml:10:7: error[SC1050]"), "{stdout}");
    // The commands that print a configuration say it on stderr and exit 2 after printing.
    let resolve = cli().args(["resolve", "--namespace", "ns"]).arg(&missing).arg(&good).output().unwrap();
    assert_eq!(resolve.status.code(), Some(2));
    assert!(String::from_utf8(resolve.stderr).unwrap().contains("missing.yaml: cannot read: no such file"));
    assert!(!resolve.stdout.is_empty());
}

/// Empty input (an empty file, only comments, closed stdin) says that nothing was read, and
/// `--fail-on warning` makes it fail.
#[test]
fn empty_input_says_no_resources_read() {
    for input in ["", "# only a comment\n", "---\n---\n"] {
        let out = cli().args(["validate"]).write_stdin(input).output().unwrap();
        assert_eq!(out.status.code(), Some(0));
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains("warning[SC0011]: no resources read"), "{input:?}: {text}");
        cli().args(["analyze", "--fail-on", "warning"]).write_stdin(input).assert().code(1);
    }
    // A real resource: no such warning.
    let out = cli().args(["validate", "-o", "json"]).write_stdin(BAD).output().unwrap();
    assert!(!codes(&json(&out)).contains(&"SC0011".to_string()));
}

/// An unknown `--workload` names the nearest workloads, a few, not every workload.
#[test]
fn an_unknown_workload_names_the_nearest_few() {
    let mut mesh = String::new();
    for i in 0..300 {
        mesh.push_str(&format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: app-{i}\n  namespace: ns\n  labels: {{app: a{i}}}\n---\n"
        ));
    }
    let out = cli().args(["resolve", "--workload", "ns/app-1O"]).write_stdin(mesh).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("no workload ns/app-1O in the input; the nearest of its 300 workloads:"), "{err}");
    assert!(err.contains("  ns/app-10 (Pod)"), "{err}");
    assert!(err.lines().count() <= 6, "{err}");
}

/// Raw ESC, BEL and NUL-like controls of resource names and hosts never reach the terminal,
/// whatever the colour setting: in diagnostics, help, and resolve's text.
#[test]
fn control_characters_are_escaped_in_text_output() {
    let evil = "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata:\n  name: \"x\\e]0;pwned\\a\"\n  namespace: ns\nspec:\n  egress:\n  - hosts: [\"bad\\e[2J\"]\n";
    for args in
        [&["validate", "--color", "never"][..], &["analyze", "--color", "never"], &["validate", "--color", "always"]]
    {
        let out = cli().args(args).write_stdin(evil).output().unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        // Our own colours are the only ESC bytes: each is followed by `[` and a colour code.
        let raw: Vec<&str> =
            text.split('\x1b').skip(1).filter(|rest| !rest.starts_with('[') || rest.starts_with("[2J")).collect();
        assert!(raw.is_empty(), "{args:?}: {text:?}");
        assert!(!text.contains('\x07'), "{args:?}: {text:?}");
        assert!(text.contains("\\x1b]0;pwned\\x07") || text.contains("\\x1b]0;pwned\\a"), "{args:?}: {text:?}");
    }
    let pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: ns\n  labels: {app: \"a\\e[31m\"}\n---\napiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata:\n  name: s\n  namespace: ns\nspec:\n  egress:\n  - hosts: [\"./x\\e[31m.com\"]\n";
    let out = cli().args(["resolve", "--all"]).write_stdin(pod).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains('\x1b'), "{text:?}");
    assert!(text.contains("\\x1b"), "{text:?}");
}

/// A very long line is shown as a window around the range, not echoed in full per finding.
#[test]
fn long_lines_are_shown_as_a_window() {
    let filler = "x".repeat(5_000_000);
    let text = format!("apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata:\n  name: s\n  namespace: ns\nspec:\n  egress:\n  - hosts: [\"{filler}a/b\", \"bad1\", \"bad2\", \"bad3\"]\n");
    let out = cli().args(["validate"]).write_stdin(text).output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("error[SC1050]"), "{}", &stdout[..stdout.len().min(2000)]);
    // Five findings on the line, each a window of its line and at most a thousand characters of
    // message and of help (the first two quote the 5 MB value).
    assert_eq!(stdout.matches("error[SC1050]").count(), 5);
    assert!(stdout.len() < 20_000, "{} bytes of output", stdout.len());
    assert!(stdout.contains("more bytes; JSON output has the whole text)"));
    assert!(stdout.contains("    8 | …"), "{stdout}");
    // The underline sits under the range in the window.
    let lines: Vec<&str> = stdout.lines().collect();
    let i = lines.iter().position(|l| l.contains("spec.egress[0].hosts[2]")).unwrap();
    let shown = lines[i + 1];
    let under = lines[i + 2];
    let col =
        shown.chars().collect::<Vec<_>>().windows(6).position(|w| w.iter().collect::<String>() == "\"bad2\"").unwrap();
    assert_eq!(under.chars().position(|c| c == '^'), Some(col), "{shown}\n{under}");
}

/// Many small documents that each expand their aliases a little under the limit share one
/// budget: all but the first are refused (SC0002), quickly (each used to be expanded and kept:
/// 20,000 of them were 7.1 GB).
#[test]
fn the_alias_budget_is_one_per_input() {
    let doc = "---\na: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: [*d, *d, *d, *d, *d, *d, *d]\n";
    let dir = tempfile::tempdir().unwrap();
    // Two files: the budget is the whole input's, not a file's.
    fs::write(dir.path().join("a.yaml"), doc.repeat(500)).unwrap();
    fs::write(dir.path().join("b.yaml"), doc.repeat(500)).unwrap();
    let started = Instant::now();
    let out = cli().args(["validate", "-o", "json"]).arg(dir.path()).output().unwrap();
    assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());
    let c = codes(&json(&out));
    assert_eq!(c.iter().filter(|c| *c == "SC0002").count(), 999, "{c:?}");
    // The one document expanded is no Kubernetes resource (no apiVersion and kind): skipped.
    assert_eq!(c.iter().filter(|c| *c == "SC0012").count(), 1, "{c:?}");
}

/// The scale shapes of issue 16, scaled down to what a debug build answers in seconds; each was
/// quadratic (one Sidecar with 40,000 egress hosts alone took minutes in a debug build).
fn time_analyze(text: &str) -> Duration {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mesh.yaml");
    fs::write(&path, text).unwrap();
    let started = Instant::now();
    let out = cli().args(["analyze", "-o", "json"]).arg(&path).output().unwrap();
    let took = started.elapsed();
    assert!(out.status.code().is_some_and(|c| c <= 1), "{}", String::from_utf8_lossy(&out.stderr));
    json(&out);
    took
}

#[test]
fn analysis_is_linear_in_egress_hosts() {
    let mut text = String::from("apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata:\n  name: big\n  namespace: ns\nspec:\n  egress:\n  - hosts:\n");
    for i in 0..40_000 {
        text.push_str(&format!("    - ns/h{i}.example.com\n"));
    }
    let took = time_analyze(&text);
    assert!(took < Duration::from_secs(30), "{took:?}");
}

#[test]
fn analysis_is_linear_in_service_entry_hosts() {
    let mut text = String::from("apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata:\n  name: big\n  namespace: ns\nspec:\n  ports:\n  - {number: 443, name: tls, protocol: TLS}\n  resolution: DNS\n  hosts:\n");
    for i in 0..40_000 {
        text.push_str(&format!("  - h{i}.example.com\n"));
    }
    text.push_str("---\napiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata:\n  name: default\n  namespace: ns\nspec:\n  egress:\n  - hosts: [\"*/*\"]\n");
    let took = time_analyze(&text);
    assert!(took < Duration::from_secs(30), "{took:?}");
}

/// Selector Sidecars and Pods in one namespace: each Sidecar's pods, each Pod's Sidecar and each
/// unused Sidecar's hint are found through label indexes, not by scanning every pair.
#[test]
fn analysis_is_linear_in_selector_sidecars_and_pods() {
    let mut text = String::new();
    let selector = |i: usize| {
        format!("---\napiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata:\n  name: s{i}\n  namespace: ns\nspec:\n  workloadSelector:\n    labels:\n      app: a{i}\n  egress:\n  - hosts: [\"./*\"]\n")
    };
    let pod = |j: usize| {
        format!("---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p{j}\n  namespace: ns\n  labels:\n    app: a{j}\n")
    };
    for i in 0..10_000 {
        text.push_str(&selector(i));
    }
    for j in 0..10_000 {
        text.push_str(&pod(j));
    }
    let took = time_analyze(&text);
    assert!(took < Duration::from_secs(30), "{took:?}");
    // Many Sidecars, few Pods: most Sidecars select nothing (IST0101, with a hint naming the
    // namespace's workloads).
    let mut text = String::new();
    for i in 0..30_000 {
        text.push_str(&selector(i));
    }
    for j in 0..300 {
        text.push_str(&pod(j));
    }
    let took = time_analyze(&text);
    assert!(took < Duration::from_secs(30), "{took:?}");
}

/// `resolve --all | head -1`: the closed pipe stops the work, quietly.
#[test]
fn a_closed_pipe_stops_the_work() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mesh.yaml");
    let mut text = String::new();
    for i in 0..3000 {
        text.push_str(&format!("---\napiVersion: v1\nkind: Service\nmetadata: {{name: svc, namespace: ns{i}}}\nspec:\n  selector: {{app: svc}}\n  ports: [{{name: http, port: 80}}]\n---\napiVersion: v1\nkind: Pod\nmetadata: {{name: p, namespace: ns{i}, labels: {{app: svc}}}}\n---\napiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {{name: default, namespace: ns{i}}}\nspec:\n  egress: [{{hosts: [\"./*\", \"*/svc.ns{}.svc.cluster.local\"]}}]\n", (i + 1) % 3000));
    }
    fs::write(&path, text).unwrap();
    let bin = assert_cmd::cargo::cargo_bin("sidecarscope");
    let full = Instant::now();
    let all = std::process::Command::new(&bin).args(["resolve", "--all", "-o", "yaml"]).arg(&path).output().unwrap();
    let full = full.elapsed();
    assert!(all.stdout.len() > 1_000_000);
    let started = Instant::now();
    let mut child = std::process::Command::new(&bin)
        .args(["resolve", "--all", "-o", "yaml"])
        .arg(&path)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    // The reader is dropped: the pipe is closed.
    let out = child.wait_with_output().unwrap();
    let closed = started.elapsed();
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(closed < full.mul_f64(0.8), "closed pipe {closed:?}, full output {full:?}");
}
