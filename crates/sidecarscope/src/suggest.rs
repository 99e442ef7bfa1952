//! "Did you mean": the nearest of a list of names to a misspelt one (enum values, field names,
//! namespaces, workloads). Ours, not Istio's: suggestions go in a diagnostic's `hint`.

/// "Did you mean" helper (not an Istio function): the candidate with the smallest Levenshtein
/// distance to `word`, if that distance is at most `max(2, chars(word) / 3)`.
///
/// Distances ignore letter case, because enum names are upper case and users commonly type
/// them in lower case (`none` → `NONE`); the case-sensitive distance breaks ties, then list
/// order. An empty word gets no suggestion.
pub fn did_you_mean<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    if word.is_empty() {
        return None;
    }
    let limit = (word.chars().count() / 3).max(2);
    let lower = word.to_lowercase();
    let lower_len = lower.chars().count();
    candidates
        .iter()
        .map(|&c| (c, c.to_lowercase()))
        // The distance is at least the difference of the lengths: far longer or shorter
        // candidates are skipped without computing it (a mesh has thousands of namespaces).
        .filter(|(_, folded)| folded.chars().count().abs_diff(lower_len) <= limit)
        .map(|(c, folded)| {
            let folded = levenshtein(&lower, &folded);
            (folded, levenshtein(word, c), c)
        })
        .filter(|&(folded, _, _)| folded <= limit)
        // `min_by_key` keeps the first of equal keys, so list order breaks remaining ties.
        .min_by_key(|&(folded, exact, _)| (folded, exact))
        .map(|(_, _, c)| c)
}

/// The `n` candidates closest to `word` (case-insensitive Levenshtein distance, then the
/// case-sensitive one, then list order), for "did you mean one of ...?" lists; unlike
/// [`did_you_mean`] there is no distance limit.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>, n: usize) -> Vec<&'a str> {
    let lower = word.to_lowercase();
    let mut scored: Vec<(usize, usize, usize, &'a str)> = candidates
        .into_iter()
        .enumerate()
        .map(|(i, c)| (levenshtein(&lower, &c.to_lowercase()), levenshtein(word, c), i, c))
        .collect();
    let n = n.min(scored.len());
    if n == 0 {
        return Vec::new();
    }
    scored.select_nth_unstable(n - 1);
    scored.truncate(n);
    scored.sort_unstable();
    scored.into_iter().map(|(_, _, _, c)| c).collect()
}

/// Levenshtein distance over chars (insert, delete, substitute all cost 1).
fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let substitute = prev[j] + usize::from(ca != cb);
            cur[j + 1] = substitute.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        let modes = ["DEFAULT", "IPTABLES", "NONE"];
        assert_eq!(did_you_mean("none", &modes), Some("NONE"));
        assert_eq!(did_you_mean("IPTABLE", &modes), Some("IPTABLES"));
        assert_eq!(did_you_mean("DEFALT", &modes), Some("DEFAULT"));
        assert_eq!(did_you_mean("something", &modes), None);
        assert_eq!(did_you_mean("", &modes), None);
        assert_eq!(did_you_mean("x", &[]), None);

        let fields = ["workloadSelector", "ingress", "egress", "outboundTrafficPolicy"];
        assert_eq!(did_you_mean("workload_selector", &fields), Some("workloadSelector"));
        assert_eq!(did_you_mean("egres", &fields), Some("egress"));
        assert_eq!(did_you_mean("ingres", &fields), Some("ingress"));
        // The limit grows with the word: 21 chars allow 7 edits.
        assert_eq!(did_you_mean("outboundTraficPolcy", &fields), Some("outboundTrafficPolicy"));
        // Ties: the case-sensitive distance decides, then list order.
        assert_eq!(did_you_mean("AB", &["ab", "Ab"]), Some("Ab"));
        assert_eq!(did_you_mean("ab", &["ax", "ay"]), Some("ax"));

        assert_eq!(levenshtein("kitten", "sitting"), 3);
        assert_eq!(levenshtein("", "abc"), 3);
        assert_eq!(levenshtein("flaw", "lawn"), 2);
    }
}
