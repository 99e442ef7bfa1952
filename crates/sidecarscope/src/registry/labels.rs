//! Labels and selectors (`Labels`), Istio's `labels.Instance.SubsetOf`, and the indexes that
//! find the label sets a selector selects.

use crate::yaml::{fields, Node};

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

/// A `map<string, string>` (labels, selectors) as [`Labels`] (`fields::string_pairs`; a key
/// given twice keeps its last value).
pub fn string_map(node: Option<&Node>) -> Labels {
    fields::string_pairs(node).collect()
}

/// Istio `labels.Instance.SubsetOf`: every pair of `selector` is in `labels`.
pub fn labels_subset(selector: &Labels, labels: &Labels) -> bool {
    selector.iter().all(|(k, v)| labels.get(k) == Some(v))
}

/// Label sets in a fixed order (pods, workloads), indexed by their pairs, to find the sets a
/// selector selects ([`labels_subset`]) without scanning all of them: every selected set has
/// each pair of the selector, so the sets with its rarest pair are the only candidates. In set
/// order, so the first match is the one a scan in order finds.
pub(crate) struct LabelIndex<'a> {
    postings: rustc_hash::FxHashMap<(&'a str, &'a str), Vec<u32>>,
    len: usize,
}

impl<'a> LabelIndex<'a> {
    pub fn new(sets: impl IntoIterator<Item = &'a Labels>) -> Self {
        let mut postings: rustc_hash::FxHashMap<(&'a str, &'a str), Vec<u32>> = rustc_hash::FxHashMap::default();
        let mut len = 0;
        for (i, set) in sets.into_iter().enumerate() {
            for (k, v) in set.iter() {
                postings.entry((k.as_str(), v.as_str())).or_default().push(i as u32);
            }
            len = i + 1;
        }
        LabelIndex { postings, len }
    }

    /// Positions (ascending) of the sets that may be selected by `selector`: a superset of those
    /// it selects (every set, for an empty selector); check each with [`labels_subset`].
    pub fn candidates(&self, selector: &Labels) -> Vec<usize> {
        let rarest = selector
            .iter()
            .map(|(k, v)| self.postings.get(&(k.as_str(), v.as_str())).map_or(&[][..], Vec::as_slice))
            .min_by_key(|p| p.len());
        match rarest {
            None => (0..self.len).collect(),
            Some(p) => p.iter().map(|&i| i as usize).collect(),
        }
    }
}

/// Selectors in a fixed order (a namespace's Sidecars), indexed by their first pair, to find the
/// first one that selects a set of labels without scanning all of them: a selector can only
/// select labels that hold its first pair. `None` selects nothing; an empty selector everything.
#[derive(Debug, Clone, Default)]
pub(crate) struct SelectorIndex {
    by_first: rustc_hash::FxHashMap<(String, String), Vec<u32>>,
    /// Empty selectors: candidates for any labels.
    always: Vec<u32>,
}

impl SelectorIndex {
    pub fn new<'s>(selectors: impl IntoIterator<Item = Option<&'s Labels>>) -> Self {
        let mut ix = SelectorIndex::default();
        for (i, sel) in selectors.into_iter().enumerate() {
            match sel.map(|s| s.iter().next()) {
                None => {}
                Some(None) => ix.always.push(i as u32),
                Some(Some((k, v))) => ix.by_first.entry((k.clone(), v.clone())).or_default().push(i as u32),
            }
        }
        ix
    }

    /// The first position (in selector order) whose selector may select `labels` and passes
    /// `selects` (the caller's [`labels_subset`] on that selector).
    pub fn first_match(&self, labels: &Labels, selects: impl Fn(usize) -> bool) -> Option<usize> {
        let mut candidates: Vec<u32> = self.always.clone();
        if !self.by_first.is_empty() {
            for (k, v) in labels.iter() {
                if let Some(p) = self.by_first.get(&(k.clone(), v.clone())) {
                    candidates.extend_from_slice(p);
                }
            }
        }
        candidates.sort_unstable();
        candidates.into_iter().map(|i| i as usize).find(|&i| selects(i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Random label sets and selectors over a few keys and values (xorshift, deterministic).
    fn random_labels(seed: &mut u64, max: usize) -> Labels {
        let mut next = |n: u64| {
            *seed ^= *seed << 13;
            *seed ^= *seed >> 7;
            *seed ^= *seed << 17;
            *seed % n
        };
        let n = next(max as u64 + 1) as usize;
        (0..n).map(|_| (format!("k{}", next(4)), format!("v{}", next(3)))).collect()
    }

    /// The indexes find exactly what a scan in order finds (the architecture's rule for
    /// speed-ups: compared with the plain algorithm on generated inputs).
    #[test]
    fn label_indexes_find_what_a_scan_finds() {
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        for _ in 0..200 {
            let sets: Vec<Labels> = (0..30).map(|_| random_labels(&mut seed, 3)).collect();
            let selectors: Vec<Option<Labels>> =
                (0..20).map(|i| if i % 7 == 3 { None } else { Some(random_labels(&mut seed, 2)) }).collect();
            let ix = LabelIndex::new(&sets);
            for sel in selectors.iter().flatten() {
                let scan: Vec<usize> = (0..sets.len()).filter(|&i| labels_subset(sel, &sets[i])).collect();
                let indexed: Vec<usize> =
                    ix.candidates(sel).into_iter().filter(|&i| labels_subset(sel, &sets[i])).collect();
                assert_eq!(indexed, scan, "{sel:?}");
            }
            let six = SelectorIndex::new(selectors.iter().map(Option::as_ref));
            for set in &sets {
                let selects = |i: usize| selectors[i].as_ref().is_some_and(|s| labels_subset(s, set));
                let scan = (0..selectors.len()).find(|&i| selects(i));
                assert_eq!(six.first_match(set, selects), scan, "{set:?}");
            }
        }
    }

    /// `Labels` reads and writes as the `BTreeMap` it replaced: sorted, the last of a repeated
    /// key kept, always a JSON object (`LiteMap` alone writes an empty map as `[]`).
    #[test]
    fn labels_behave_as_a_sorted_map() {
        let l: Labels =
            [("b", "1"), ("a", "2"), ("b", "3")].into_iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        assert_eq!(
            l.iter().collect::<Vec<_>>(),
            [(&"a".to_string(), &"2".to_string()), (&"b".to_string(), &"3".to_string())]
        );
        assert_eq!(serde_json::to_string(&l).unwrap(), r#"{"a":"2","b":"3"}"#);
        assert_eq!(serde_json::to_string(&Labels::new()).unwrap(), "{}");
        let back: Labels = serde_json::from_str(r#"{"b":"3","a":"2"}"#).unwrap();
        assert_eq!(back, l);
        assert!(labels_subset(&back, &l) && !labels_subset(&l, &Labels::new()));
    }
}
