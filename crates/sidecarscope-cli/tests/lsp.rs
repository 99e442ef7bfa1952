//! `sidecarscope lsp` as an editor speaks to it: the built binary is spawned and driven over
//! stdio with JSON-RPC, one message at a time, and the whole conversation (what the client
//! sent, what the server answered, in order) is compared with a golden transcript,
//! `tests/lsp/session.golden.json`. Regenerate it with `UPDATE_GOLDEN=1 cargo test -p
//! sidecarscope-cli --test lsp` and review the diff.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{json, Value};

const MESH: &str = r#"apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: bookinfo}
spec:
  selector: {app: reviews}
  ports: [{name: http, port: 9080}]
---
apiVersion: v1
kind: Service
metadata: {name: ledger, namespace: billing}
spec:
  ports: [{name: http, port: 8000}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: productpage, namespace: bookinfo}
spec:
  template:
    metadata: {labels: {app: productpage}}
"#;

/// A Sidecar with a misspelt field and a host without its namespace.
const SIDECAR: &str = "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata:\n  name: productpage\n  namespace: bookinfo\nspec:\n  workloadSelector:\n    labels: {app: productpage}\n  egress:\n  - hosts:\n    - \"./reviews.bookinfo.svc.cluster.local\"\n    - ledger.billing.svc.cluster.local\n  outboundTraficPolicy: {}\n";

/// The server, with a reader thread so that a silent server fails the test instead of hanging it.
struct Server {
    child: Child,
    stdin: ChildStdin,
    messages: mpsc::Receiver<Value>,
}

fn read_message(out: &mut BufReader<ChildStdout>) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if out.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(n) = line.strip_prefix("Content-Length: ") {
            length = n.parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    out.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

impl Server {
    fn start(args: &[&str]) -> Server {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("sidecarscope"))
            .arg("lsp")
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn sidecarscope lsp");
        let stdin = child.stdin.take().unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let (tx, messages) = mpsc::channel();
        std::thread::spawn(move || {
            while let Some(m) = read_message(&mut stdout) {
                if tx.send(m).is_err() {
                    break;
                }
            }
        });
        Server { child, stdin, messages }
    }

    fn send(&mut self, message: &Value) {
        let body = serde_json::to_string(message).unwrap();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn receive(&self) -> Value {
        self.messages.recv_timeout(Duration::from_secs(60)).expect("the server answered nothing within 60 s")
    }
}

/// One step of the conversation: the client's message, then what the server sends back before
/// the client's next message: the response to a request, or `notifications` notifications.
struct Step {
    message: Value,
    notifications: usize,
}

fn request(id: u64, method: &str, params: Value) -> Step {
    Step { message: json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}), notifications: 0 }
}

fn notify(method: &str, params: Value, answers: usize) -> Step {
    Step { message: json!({"jsonrpc": "2.0", "method": method, "params": params}), notifications: answers }
}

fn at(uri: &str, line: u32, character: u32) -> Value {
    json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}})
}

/// Runs the steps; the transcript is every message, tagged with its direction.
fn converse(server: &mut Server, steps: Vec<Step>) -> Vec<Value> {
    let mut transcript = Vec::new();
    for step in steps {
        server.send(&step.message);
        transcript.push(json!({"client": step.message}));
        if let Some(id) = step.message.get("id") {
            loop {
                let m = server.receive();
                let done = m.get("id") == Some(id);
                transcript.push(json!({"server": m}));
                if done {
                    break;
                }
            }
        } else {
            for _ in 0..step.notifications {
                transcript.push(json!({"server": server.receive()}));
            }
        }
    }
    transcript
}

fn line_of(text: &str, needle: &str) -> (u32, u32) {
    let at = text.find(needle).unwrap_or_else(|| panic!("{needle} not in text"));
    let line = text[..at].matches('\n').count() as u32;
    let column = at - text[..at].rfind('\n').map_or(0, |i| i + 1);
    (line, column as u32)
}

#[test]
fn golden_session() {
    let mesh = "file:///mesh/mesh.yaml";
    let sidecar = "file:///mesh/sidecar.yaml";
    // The edited Sidecar: the typo fixed, a host being typed.
    let typing = SIDECAR.replace("  outboundTraficPolicy: {}\n", "  - hosts:\n    - billing/\n");
    let (host_line, host_col) = line_of(&typing, "billing/\n");
    let (review_line, review_col) = line_of(&typing, "./reviews");
    let (egress_line, egress_col) = line_of(&typing, "egress:");
    let (name_line, name_col) = line_of(MESH, "name: reviews");
    let (typo_line, _) = line_of(SIDECAR, "outboundTraficPolicy");
    let steps = vec![
        request(1, "initialize", json!({"processId": null, "rootUri": null, "capabilities": {}})),
        notify("initialized", json!({}), 0),
        notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": mesh, "languageId": "yaml", "version": 1, "text": MESH}}),
            1,
        ),
        notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": sidecar, "languageId": "yaml", "version": 1, "text": SIDECAR}}),
            2,
        ),
        request(
            2,
            "textDocument/codeAction",
            json!({
                "textDocument": {"uri": sidecar},
                "range": {"start": {"line": typo_line, "character": 2}, "end": {"line": typo_line, "character": 2}},
                "context": {"diagnostics": []}
            }),
        ),
        request(
            3,
            "textDocument/codeAction",
            json!({
                "textDocument": {"uri": sidecar},
                "range": {"start": {"line": typo_line - 1, "character": 8}, "end": {"line": typo_line - 1, "character": 8}},
                "context": {"diagnostics": []}
            }),
        ),
        notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": sidecar, "version": 2}, "contentChanges": [{"text": typing}]}),
            2,
        ),
        request(4, "textDocument/completion", at(sidecar, host_line, host_col + 8)),
        request(5, "textDocument/hover", at(sidecar, review_line, review_col + 2)),
        request(6, "textDocument/definition", at(sidecar, review_line, review_col + 2)),
        request(7, "textDocument/references", {
            let mut p = at(mesh, name_line, name_col + 7);
            p["context"] = json!({"includeDeclaration": false});
            p
        }),
        request(8, "textDocument/hover", at(sidecar, 0, 1)),
        // A field: its documentation and link come with it.
        request(10, "textDocument/completion", at(sidecar, egress_line, egress_col + 2)),
        notify("textDocument/didClose", json!({"textDocument": {"uri": sidecar}}), 2),
        request(9, "shutdown", Value::Null),
        notify("exit", Value::Null, 0),
    ];
    let mut server = Server::start(&[]);
    let transcript = converse(&mut server, steps);
    let status = server.child.wait().unwrap();
    assert!(status.success(), "the server exited with {status}");

    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/lsp/session.golden.json");
    let got = serde_json::to_string_pretty(&transcript).unwrap() + "\n";
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(path, &got).unwrap();
    }
    let want = std::fs::read_to_string(path).unwrap_or_default();
    assert!(got == want, "the LSP transcript differs from {path} (UPDATE_GOLDEN=1 rewrites it):\n{got}");
}

/// The files given as arguments are the rest of the mesh: definitions lead into them.
#[test]
fn files_given_as_arguments_are_context() {
    let dir = tempfile::tempdir().unwrap();
    // A name that needs percent-encoding in a URI.
    let mesh = dir.path().join("the mesh#1.yaml");
    std::fs::write(&mesh, MESH).unwrap();
    let mut server = Server::start(&[mesh.to_str().unwrap()]);
    let sidecar = "file:///elsewhere/sidecar.yaml";
    let (line, col) = line_of(SIDECAR, "./reviews");
    let steps = vec![
        request(1, "initialize", json!({"processId": null, "rootUri": null, "capabilities": {}})),
        notify("initialized", json!({}), 0),
        notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": sidecar, "languageId": "yaml", "version": 1, "text": SIDECAR}}),
            1,
        ),
        request(2, "textDocument/definition", at(sidecar, line, col + 2)),
        request(3, "shutdown", Value::Null),
        notify("exit", Value::Null, 0),
    ];
    let transcript = converse(&mut server, steps);
    assert!(server.child.wait().unwrap().success());
    let definition = &transcript.iter().rev().nth(3).unwrap()["server"]["result"];
    let canonical = std::fs::canonicalize(&mesh).unwrap();
    let encoded = canonical.display().to_string().replace(' ', "%20").replace('#', "%23");
    assert_eq!(definition[0]["uri"], json!(format!("file://{encoded}")), "{transcript:#?}");
    assert_eq!(definition[0]["range"]["start"], json!({"line": 2, "character": 17}));
}

#[test]
fn a_bad_default_namespace_is_refused() {
    let out = Command::new(assert_cmd::cargo::cargo_bin("sidecarscope"))
        .args(["lsp", "--default-namespace", "Not_A_Namespace"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--default-namespace"));
}
