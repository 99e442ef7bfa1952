//! Lenient reads of decoded fields, as istiod sees a stored resource: a value of the wrong type
//! counts as unset (validation reports it; resolution just carries on).


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

/// Labels, selectors and other small string maps: a vector sorted by key (`LiteMap`, whose
/// methods it derefs to), which iterates and serializes as `BTreeMap<String, String>` did. A
/// mesh has one or two per service and workload, mostly of two or three pairs: a B-tree's
/// smallest node is 544 bytes, this is 48 bytes a pair.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Labels(litemap::LiteMap<String, String>);

impl Labels {
    pub fn new() -> Labels {
        Labels::default()
    }
}

impl std::ops::Deref for Labels {
    type Target = litemap::LiteMap<String, String>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl std::ops::DerefMut for Labels {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

impl FromIterator<(String, String)> for Labels {
    /// Sorted by key; a key given twice keeps its last value.
    fn from_iter<I: IntoIterator<Item = (String, String)>>(iter: I) -> Labels {
        Labels(iter.into_iter().collect())
    }
}

impl Extend<(String, String)> for Labels {
    fn extend<I: IntoIterator<Item = (String, String)>>(&mut self, iter: I) {
        self.0.extend(iter);
    }
}

impl<'a> IntoIterator for &'a Labels {
    type Item = (&'a String, &'a String);
    type IntoIter = <&'a litemap::LiteMap<String, String> as IntoIterator>::IntoIter;
    fn into_iter(self) -> Self::IntoIter {
        (&self.0).into_iter()
    }
}

impl IntoIterator for Labels {
    type Item = (String, String);
    type IntoIter = <litemap::LiteMap<String, String> as IntoIterator>::IntoIter;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'de> serde::Deserialize<'de> for Labels {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Labels, D::Error> {
        Ok(std::collections::BTreeMap::<String, String>::deserialize(deserializer)?.into_iter().collect())
    }
}

/// Always a JSON object, as `BTreeMap` wrote it (`LiteMap` writes an empty map as `[]`).
impl serde::Serialize for Labels {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter())
    }
}

/// A `map<string, string>` (labels, selectors). Scalars of other types keep their text, as
/// Kubernetes would reject them anyway. A key given twice keeps its last value.
pub fn string_map(node: Option<&Node>) -> Labels {
    let Some(entries) = node.and_then(Node::as_map) else { return Labels::new() };
    entries
        .iter()
        .filter_map(|e| Some((e.key.scalar_text()?.to_string(), e.value.scalar_text().unwrap_or("").to_string())))
        .collect()
}

/// Istio `labels.Instance.SubsetOf`: every pair of `selector` is in `labels`.
pub fn labels_subset(selector: &Labels, labels: &Labels) -> bool {
    selector.iter().all(|(k, v)| labels.get(k) == Some(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `Labels` reads and writes as the `BTreeMap` it replaced: sorted, the last of a repeated
    /// key kept, always a JSON object (`LiteMap` alone writes an empty map as `[]`).
    #[test]
    fn labels_behave_as_a_sorted_map() {
        let l: Labels = [("b", "1"), ("a", "2"), ("b", "3")].into_iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        assert_eq!(l.iter().collect::<Vec<_>>(), [(&"a".to_string(), &"2".to_string()), (&"b".to_string(), &"3".to_string())]);
        assert_eq!(serde_json::to_string(&l).unwrap(), r#"{"a":"2","b":"3"}"#);
        assert_eq!(serde_json::to_string(&Labels::new()).unwrap(), "{}");
        let back: Labels = serde_json::from_str(r#"{"b":"3","a":"2"}"#).unwrap();
        assert_eq!(back, l);
        assert!(labels_subset(&back, &l) && !labels_subset(&l, &Labels::new()));
    }
}
