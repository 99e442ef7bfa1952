//! Lenient reads of decoded fields, as istiod's decoding sees a stored resource: a value of the
//! wrong type counts as unset (validation reports it; the registry just carries on), and a
//! `null` value is unset (protobuf-JSON). The one reader of fields for validation, loading and
//! the registry; nothing past the registry reads YAML.

use super::{JsonType, Node};
use crate::text::TextRange;

/// The value of `key` unless absent or `null`.
pub fn set<'a>(node: &'a Node, key: &str) -> Option<&'a Node> {
    node.get_set(key)
}

/// A string field; `None` when unset or not a string (a plain `8080` is a number).
pub fn str_of<'a>(node: &'a Node, key: &str) -> Option<&'a str> {
    set(node, key).and_then(Node::as_str)
}

/// A string field, `""` when unset (proto3 default).
pub fn string<'a>(node: &'a Node, key: &str) -> &'a str {
    str_of(node, key).unwrap_or("")
}

/// An integer field as JSON types it (`5`, not `5.0`); `None` otherwise.
pub fn int_of(node: &Node, key: &str) -> Option<i128> {
    set(node, key).filter(|n| n.json_type() == JsonType::Integer).and_then(Node::as_int)
}

/// [`int_of`], 0 when unset (proto3 default).
pub fn int(node: &Node, key: &str) -> i128 {
    int_of(node, key).unwrap_or(0)
}

/// An integral number (`5` or `5.0`, as protobuf-JSON decodes a `uint32`) in
/// `0..=u32::MAX`; `None` when unset, not integral or out of range.
pub fn u32_of(node: &Node, key: &str) -> Option<u32> {
    set(node, key).and_then(Node::as_int).and_then(|i| u32::try_from(i).ok())
}

/// A boolean field, `false` when unset or not a boolean.
pub fn boolean(node: &Node, key: &str) -> bool {
    set(node, key).and_then(Node::as_bool).unwrap_or(false)
}

/// A list field's items, empty when unset or not a list.
pub fn list<'a>(node: &'a Node, key: &str) -> &'a [Node] {
    set(node, key).and_then(Node::as_seq).unwrap_or(&[])
}

/// A list of strings; items that are not strings are skipped.
pub fn strings(node: &Node, key: &str) -> Vec<String> {
    list(node, key).iter().filter_map(|n| n.as_str().map(str::to_string)).collect()
}

/// A list of strings with each item's index and node (for positions); items that are not
/// strings are skipped, their index kept.
pub fn string_items<'a>(node: &'a Node, key: &str) -> Vec<(usize, &'a Node, &'a str)> {
    list(node, key).iter().enumerate().filter_map(|(i, n)| n.as_str().map(|s| (i, n, s))).collect()
}

/// A `map<string, string>` (labels, selectors), in written order: scalars of other types keep
/// their text, as Kubernetes would reject them anyway; keys that are not scalars are skipped.
pub fn string_pairs(node: Option<&Node>) -> impl Iterator<Item = (String, String)> + '_ {
    node.and_then(Node::as_map)
        .unwrap_or(&[])
        .iter()
        .filter_map(|e| Some((e.key.scalar_text()?.to_string(), e.value.scalar_text().unwrap_or("").to_string())))
}

/// The range to blame for a field: its value, or the parent when it is absent.
pub fn range_of(parent: &Node, key: &str) -> TextRange {
    match parent.entry(key) {
        Some(e) if !e.value.range.is_empty() => e.value.range,
        Some(e) => e.key.range,
        None => parent.as_map().and_then(|m| m.first()).map_or(parent.range, |e| e.key.range),
    }
}

/// A proto enum value: the name when a string, else the default (number 0) name.
pub fn enum_name<'a>(node: &'a Node, key: &str, default: &'a str) -> &'a str {
    str_of(node, key).unwrap_or(default)
}
