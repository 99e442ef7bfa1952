//! Reading test cases: `tests/cases/<kind>/<name>.yaml` (format in `tests/cases/README.md`).
#![allow(dead_code)]

use std::path::Path;

use sidecarscope::yaml::{parse_single, Node};

pub struct Case {
    pub name: String,
    pub input: String,
    pub root: Node,
}

impl Case {
    pub fn read(path: &Path) -> Case {
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let doc = parse_single(&text);
        let root = doc.root.unwrap_or_else(|| panic!("{}: not a YAML case: {:?}", path.display(), doc.error));
        let name = root.get("name").and_then(Node::as_str).expect("case has a name").to_string();
        let input = root.get("input").and_then(Node::as_str).expect("case has an input").to_string();
        Case { name, input, root }
    }
    pub fn expect(&self) -> Option<&Node> {
        self.root.get("expect")
    }
    pub fn expect_bool(&self, key: &str) -> Option<bool> {
        self.expect()?.get(key)?.as_bool()
    }
    pub fn expect_strings(&self, key: &str) -> Vec<String> {
        self.expect()
            .and_then(|e| e.get(key))
            .and_then(Node::as_seq)
            .map(|s| s.iter().filter_map(|n| n.scalar_text().map(str::to_string)).collect())
            .unwrap_or_default()
    }
}

/// An expected analysis finding: `{code, resource, message}` under `expect.findings`.
pub struct Finding {
    /// Our code (`SC3001`), or the istioctl/Kiali code a diagnostic carries (`IST0110`, `KIA0003`).
    pub code: String,
    /// `Kind namespace/name`.
    pub resource: String,
    /// A substring of the message (not checked for Kiali codes, whose texts are UI strings).
    pub message: Option<String>,
}

impl Case {
    pub fn expect_findings(&self) -> Vec<Finding> {
        let Some(items) = self.expect().and_then(|e| e.get("findings")).and_then(Node::as_seq) else {
            return Vec::new();
        };
        items
            .iter()
            .map(|f| Finding {
                code: f.get("code").and_then(Node::scalar_text).expect("finding has a code").to_string(),
                resource: f.get("resource").and_then(Node::scalar_text).expect("finding has a resource").to_string(),
                message: f.get("message").and_then(Node::scalar_text).map(str::to_string),
            })
            .collect()
    }
}

/// Cases that are known not to pass yet, by name, with the reason. Each one is still run: the
/// test fails if a listed case starts passing, so the list cannot go stale.
/// None at present; the match is where an entry goes (`"trace" => vec![("case", "why")]`).
#[allow(clippy::match_single_binding)]
pub fn known_failures(kind: &str) -> Vec<(&'static str, &'static str)> {
    match kind {
        _ => Vec::new(),
    }
}

/// A scalar's text ("" for anything else).
pub fn text(n: &Node) -> String {
    n.scalar_text().unwrap_or("").to_string()
}

/// A map of strings, as labels or metadata.
pub fn string_map(n: Option<&Node>) -> sidecarscope::Labels {
    n.and_then(Node::as_map).map(|m| m.iter().map(|e| (text(&e.key), text(&e.value))).collect()).unwrap_or_default()
}

impl Case {
    /// The case's `proxy` (listeners and trace cases).
    pub fn proxy(&self) -> sidecarscope::Proxy {
        let p = self.root.get("proxy").unwrap_or_else(|| panic!("{}: the case has no proxy", self.name));
        sidecarscope::Proxy {
            namespace: p.get("namespace").map(text).unwrap_or_else(|| "default".into()),
            labels: string_map(p.get("labels")),
            ip: p.get("ip").filter(|n| !n.is_null()).map(text),
            additional_ips: Vec::new(),
            metadata: string_map(p.get("metadata")),
        }
    }
}
