//! Lenient typed reads of decoded fields, as Istio's validator sees them after decoding:
//! a value of the wrong type counts as unset (the schema layer has already reported it).

use crate::text::TextRange;
use crate::yaml::{JsonType, Node};

pub fn set<'a>(node: &'a Node, key: &str) -> Option<&'a Node> {
    node.get_set(key)
}

pub fn str_of<'a>(node: &'a Node, key: &str) -> Option<&'a str> {
    node.get_set(key).and_then(Node::as_str)
}

/// A string field, `""` when unset (proto3 default).
pub fn string<'a>(node: &'a Node, key: &str) -> &'a str {
    str_of(node, key).unwrap_or("")
}

pub fn int_of(node: &Node, key: &str) -> Option<i128> {
    node.get_set(key).filter(|n| n.json_type() == JsonType::Integer).and_then(Node::as_int)
}

pub fn int(node: &Node, key: &str) -> i128 {
    int_of(node, key).unwrap_or(0)
}

pub fn boolean(node: &Node, key: &str) -> bool {
    node.get_set(key).and_then(Node::as_bool).unwrap_or(false)
}

/// A list field's items, empty when unset or not a list.
pub fn list<'a>(node: &'a Node, key: &str) -> &'a [Node] {
    node.get_set(key).and_then(Node::as_seq).unwrap_or(&[])
}

/// A list of strings (non-strings skipped, with their index kept).
pub fn strings<'a>(node: &'a Node, key: &str) -> Vec<(usize, &'a Node, &'a str)> {
    list(node, key).iter().enumerate().filter_map(|(i, n)| n.as_str().map(|s| (i, n, s))).collect()
}

/// The range to blame for a field: its value, or the parent when it is absent.
pub fn range_of(parent: &Node, key: &str) -> TextRange {
    match parent.entry(key) {
        Some(e) if !e.value.range.is_empty() => e.value.range,
        Some(e) => e.key.range,
        None => parent.as_map().and_then(|m| m.first()).map_or(parent.range, |e| e.key.range),
    }
}

/// A proto enum value: the name when valid, else the default (number 0) name.
pub fn enum_name<'a>(node: &'a Node, key: &str, default: &'a str) -> &'a str {
    str_of(node, key).unwrap_or(default)
}
