//! Lenient reads of decoded fields, as istiod sees a stored resource: a value of the wrong type
//! counts as unset (validation reports it; resolution just carries on).

use std::collections::BTreeMap;

use crate::yaml::Node;

/// The value of `key` unless absent or `null`.
pub fn set<'a>(node: &'a Node, key: &str) -> Option<&'a Node> {
    node.get_set(key)
}

/// A string field; `None` when unset or not a string.
pub fn str_of<'a>(node: &'a Node, key: &str) -> Option<&'a str> {
    set(node, key).and_then(Node::as_str)
}

/// A string field, `""` when unset (proto3 default).
pub fn string<'a>(node: &'a Node, key: &str) -> &'a str {
    str_of(node, key).unwrap_or("")
}

/// An integer field in `0..=u32::MAX`; `None` when unset or out of range.
pub fn u32_of(node: &Node, key: &str) -> Option<u32> {
    set(node, key).and_then(Node::as_int).and_then(|i| u32::try_from(i).ok())
}

/// A list field's items, empty when unset or not a list.
pub fn list<'a>(node: &'a Node, key: &str) -> &'a [Node] {
    set(node, key).and_then(Node::as_seq).unwrap_or(&[])
}

/// A list of strings; items that are not strings are skipped.
pub fn strings(node: &Node, key: &str) -> Vec<String> {
    list(node, key).iter().filter_map(|n| n.as_str().map(str::to_string)).collect()
}

/// A `map<string, string>` (labels, selectors). Scalars of other types keep their text, as
/// Kubernetes would reject them anyway.
pub fn string_map(node: Option<&Node>) -> BTreeMap<String, String> {
    let Some(entries) = node.and_then(Node::as_map) else { return BTreeMap::new() };
    entries
        .iter()
        .filter_map(|e| Some((e.key.scalar_text()?.to_string(), e.value.scalar_text().unwrap_or("").to_string())))
        .collect()
}

/// Istio `labels.Instance.SubsetOf`: every pair of `selector` is in `labels`.
pub fn labels_subset(selector: &BTreeMap<String, String>, labels: &BTreeMap<String, String>) -> bool {
    selector.iter().all(|(k, v)| labels.get(k) == Some(v))
}
