//! YAML for any result (the CLI's `--output yaml`, the wasm module's `format: "yaml"`): block
//! style, keys in the order the core's types declare them, quoting any string a YAML 1.1 reader
//! would take for something else.

use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

/// A JSON value that keeps object keys in order (serde_json's `Value` sorts them unless its
/// `preserve_order` feature is on, which would change every crate's JSON in the workspace).
enum Tree {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(String),
    Seq(Vec<Tree>),
    Map(Vec<(String, Tree)>),
}

impl<'de> Deserialize<'de> for Tree {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Tree, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Tree;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_unit<E>(self) -> Result<Tree, E> {
                Ok(Tree::Null)
            }
            fn visit_none<E>(self) -> Result<Tree, E> {
                Ok(Tree::Null)
            }
            fn visit_bool<E>(self, b: bool) -> Result<Tree, E> {
                Ok(Tree::Bool(b))
            }
            fn visit_i64<E>(self, n: i64) -> Result<Tree, E> {
                Ok(Tree::Number(n.into()))
            }
            fn visit_u64<E>(self, n: u64) -> Result<Tree, E> {
                Ok(Tree::Number(n.into()))
            }
            fn visit_f64<E>(self, n: f64) -> Result<Tree, E> {
                Ok(serde_json::Number::from_f64(n).map_or(Tree::Null, Tree::Number))
            }
            fn visit_str<E>(self, s: &str) -> Result<Tree, E> {
                Ok(Tree::String(s.to_string()))
            }
            fn visit_string<E>(self, s: String) -> Result<Tree, E> {
                Ok(Tree::String(s))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Tree, A::Error> {
                let mut out = Vec::new();
                while let Some(v) = a.next_element()? {
                    out.push(v);
                }
                Ok(Tree::Seq(out))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Tree, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = a.next_entry::<String, Tree>()? {
                    out.push((k, v));
                }
                Ok(Tree::Map(out))
            }
        }
        d.deserialize_any(V)
    }
}

/// YAML for any serializable value.
pub fn to_yaml<T: serde::Serialize>(value: &T) -> String {
    let json = serde_json::to_string(value).expect("results are always serializable");
    let tree: Tree = serde_json::from_str(&json).expect("serde_json reads its own output");
    let mut out = String::new();
    match &tree {
        Tree::Map(m) if !m.is_empty() => write_map(&mut out, m, 0),
        Tree::Seq(a) if !a.is_empty() => write_seq(&mut out, a, 0),
        other => {
            out.push_str(&scalar(other));
            out.push('\n');
        }
    }
    out
}

/// The YAML of one item of a top-level sequence (`- ...`), so that a long sequence is written
/// an item at a time: the items of `to_yaml(&vec)` are exactly these, one after another (an
/// empty sequence is `[]`).
pub fn seq_item_to_yaml<T: serde::Serialize>(item: &T) -> String {
    let json = serde_json::to_string(item).expect("results are always serializable");
    let tree: Tree = serde_json::from_str(&json).expect("serde_json reads its own output");
    let mut out = String::new();
    write_seq(&mut out, std::slice::from_ref(&tree), 0);
    out
}

fn write_map(out: &mut String, m: &[(String, Tree)], indent: usize) {
    for (k, v) in m {
        out.push_str(&" ".repeat(indent));
        write_entry(out, k, v, indent);
    }
}

/// `key: value`, the cursor being already indented.
fn write_entry(out: &mut String, k: &str, v: &Tree, indent: usize) {
    out.push_str(&quote(k));
    out.push(':');
    match v {
        Tree::Map(m) if !m.is_empty() => {
            out.push('\n');
            write_map(out, m, indent + 2);
        }
        Tree::Seq(a) if !a.is_empty() => {
            out.push('\n');
            write_seq(out, a, indent);
        }
        other => {
            out.push(' ');
            out.push_str(&scalar(other));
            out.push('\n');
        }
    }
}

fn write_seq(out: &mut String, a: &[Tree], indent: usize) {
    for item in a {
        out.push_str(&" ".repeat(indent));
        out.push('-');
        match item {
            Tree::Map(m) if !m.is_empty() => {
                // First key on the dash line, the others aligned under it.
                for (i, (k, v)) in m.iter().enumerate() {
                    if i == 0 {
                        out.push(' ');
                    } else {
                        out.push_str(&" ".repeat(indent + 2));
                    }
                    write_entry(out, k, v, indent + 2);
                }
            }
            Tree::Seq(inner) if !inner.is_empty() => {
                out.push('\n');
                write_seq(out, inner, indent + 2);
            }
            other => {
                out.push(' ');
                out.push_str(&scalar(other));
                out.push('\n');
            }
        }
    }
}

fn scalar(v: &Tree) -> String {
    match v {
        Tree::Null => "null".into(),
        Tree::Bool(b) => b.to_string(),
        Tree::Number(n) => n.to_string(),
        Tree::String(s) => quote(s),
        Tree::Map(_) => "{}".into(),
        Tree::Seq(_) => "[]".into(),
    }
}

/// The string as a plain scalar when that reads back as the same string, else double-quoted
/// (JSON escapes are valid YAML).
fn quote(s: &str) -> String {
    if needs_quotes(s) {
        serde_json::to_string(s).unwrap_or_else(|_| format!("{s:?}"))
    } else {
        s.to_string()
    }
}

fn needs_quotes(s: &str) -> bool {
    let Some(first) = s.chars().next() else { return true };
    let indicator = "*&!|>'\"%@`?:#{}[],~ ".contains(first);
    let dash = first == '-' && (s.len() == 1 || s[1..].starts_with(' '));
    if indicator || dash {
        return true;
    }
    if s.ends_with(' ') || s.contains(": ") || s.contains(" #") || s.ends_with(':') || s.chars().any(|c| c.is_control())
    {
        return true;
    }
    let lower = s.to_ascii_lowercase();
    matches!(
        lower.as_str(),
        "null" | "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n" | ".inf" | "-.inf" | "+.inf" | ".nan"
    ) || looks_numeric(s)
}

/// Numbers in any YAML 1.1 form (`9080`, `1.5`, `0x1F`, `1_000`, `1:30`), which must stay strings.
fn looks_numeric(s: &str) -> bool {
    let t = s.trim_start_matches(['-', '+']);
    let Some(first) = t.chars().next() else { return false };
    if !(first.is_ascii_digit() || first == '.') {
        return false;
    }
    t.parse::<f64>().is_ok()
        || t.chars().all(|c| c.is_ascii_digit() || c == '_' || c == ':')
        || ((t.starts_with("0x") || t.starts_with("0b") || t.starts_with("0o")) && t.len() > 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_block_yaml_in_declared_order() {
        let json = r#"{"z": 1, "b": ["x", {"c": "*/*", "d": []}], "e": {}, "f": "9080", "g": null, "h": "ns1/foo", "a": "yes"}"#;
        let v: serde_json::Value = serde_json::from_str(json).unwrap();
        // serde_json::Value sorts keys; a struct keeps its order (checked through the raw text).
        let tree: Tree = serde_json::from_str(json).unwrap();
        let mut out = String::new();
        if let Tree::Map(m) = &tree {
            write_map(&mut out, m, 0);
        }
        assert_eq!(out, "z: 1\nb:\n- x\n- c: \"*/*\"\n  d: []\ne: {}\nf: \"9080\"\ng: null\nh: ns1/foo\na: \"yes\"\n");
        assert!(to_yaml(&v).starts_with("a: \"yes\"\n"));
    }
}
