//! Hostname matching as Istio does it (`pkg/config/host/name.go`, `names.go`): plain string and
//! suffix comparisons on possibly wildcarded names (`*`, `*.example.com`). No DNS, no case
//! folding, no short-name expansion.

/// Istio `Name.IsWildCarded`: the name starts with `*`.
pub fn is_wildcarded(h: &str) -> bool {
    h.starts_with('*')
}

/// Istio `Name.SubsetOf`: `h` is covered by `of` (one direction only).
///
/// `foo.com` ⊆ `*.com`; `*.a.com` ⊆ `*.com`; a wildcard is never a subset of an exact name.
pub fn subset_of(h: &str, of: &str) -> bool {
    match (is_wildcarded(h), is_wildcarded(of)) {
        (true, true) => h.len() >= of.len() && h[1..].ends_with(&of[1..]),
        (true, false) => false,
        (false, true) => h.ends_with(&of[1..]),
        (false, false) => h == of,
    }
}

/// Istio `Name.Matches`: the two names overlap (either is a subset of the other).
pub fn matches(a: &str, b: &str) -> bool {
    match (is_wildcarded(a), is_wildcarded(b)) {
        (true, true) => {
            if a.len() < b.len() {
                b[1..].ends_with(&a[1..])
            } else {
                a[1..].ends_with(&b[1..])
            }
        }
        (true, false) => b.ends_with(&a[1..]),
        (false, true) => a.ends_with(&b[1..]),
        (false, false) => a == b,
    }
}

/// Istio `host.MoreSpecific`: exact names before wildcards, then longer first, then alphabetical.
pub fn more_specific(a: &str, b: &str) -> bool {
    match (is_wildcarded(a), is_wildcarded(b)) {
        (true, false) => false,
        (false, true) => true,
        _ if a.len() == b.len() => a < b,
        _ => a.len() > b.len(),
    }
}

/// Istio `MostSpecificHostMatch`: the exact entry for `needle` if the caller found one, else the
/// most specific wildcard entry covering `needle` (`*.a.com` before `*.com` before `*`).
pub fn most_specific_match<'a, V>(needle: &str, exact: Option<&'a V>, wildcards: &'a [(String, V)]) -> Option<&'a V> {
    let suffix = if is_wildcarded(needle) {
        if let Some((_, v)) = wildcards.iter().find(|(h, _)| h == needle) {
            return Some(v);
        }
        &needle[1..]
    } else {
        if exact.is_some() {
            return exact;
        }
        needle
    };
    let mut best: Option<(&'a str, &'a V)> = None;
    for (h, v) in wildcards {
        if suffix.ends_with(&h[1..]) && best.is_none_or(|(b, _)| more_specific(h, b)) {
            best = Some((h.as_str(), v));
        }
    }
    best.map(|(_, v)| v)
}

/// Istio `ResolveShortnameToFQDN`: a name without a dot (other than `*` and IP addresses) becomes
/// `name.<namespace>.svc.<domain>`. Used for VirtualService and DestinationRule hosts.
pub fn resolve_short_name(h: &str, namespace: &str, domain: &str) -> String {
    if h.is_empty() || h == "*" || h.contains('.') || crate::go::net::is_ip_address(h) {
        return h.to_string();
    }
    let mut out = String::with_capacity(h.len() + namespace.len() + domain.len() + 6);
    out.push_str(h);
    if !namespace.is_empty() {
        out.push('.');
        out.push_str(namespace);
    }
    if !domain.is_empty() {
        out.push_str(".svc.");
        out.push_str(domain);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subset_and_matches_follow_istio() {
        assert!(subset_of("foo.com", "*.com"));
        assert!(subset_of("a.b.example.com", "*.example.com"));
        assert!(!subset_of("example.com", "*.example.com"));
        assert!(subset_of("*.a.b.com", "*.b.com"));
        assert!(!subset_of("*.b.com", "*.a.b.com"));
        assert!(!subset_of("*.foo.com", "a.foo.com"));
        assert!(subset_of("*.foo.com", "*"));
        assert!(subset_of("anything", "*"));
        assert!(matches("*.example.com", "a.example.com"));
        assert!(matches("a.example.com", "*.example.com"));
        assert!(matches("*", "*.com"));
        assert!(!matches("*.foo.com", "foo.com"));
    }

    #[test]
    fn more_specific_orders_exact_then_long() {
        assert!(more_specific("a.com", "*.com"));
        assert!(more_specific("*.a.com", "*.com"));
        assert!(!more_specific("*.com", "*.a.com"));
    }

    #[test]
    fn most_specific_wildcard_wins() {
        let wild = vec![("*.com".to_string(), 1), ("*.example.com".to_string(), 2), ("*".to_string(), 3)];
        assert_eq!(most_specific_match("a.example.com", None, &wild), Some(&2));
        assert_eq!(most_specific_match("a.org", None, &wild), Some(&3));
        assert_eq!(most_specific_match("*.example.com", None, &wild), Some(&2));
        assert_eq!(most_specific_match("a.example.com", Some(&9), &wild), Some(&9));
    }

    #[test]
    fn short_names_expand() {
        assert_eq!(resolve_short_name("reviews", "ns1", "cluster.local"), "reviews.ns1.svc.cluster.local");
        assert_eq!(resolve_short_name("reviews.ns1", "ns2", "cluster.local"), "reviews.ns1");
        assert_eq!(resolve_short_name("*", "ns2", "cluster.local"), "*");
        assert_eq!(resolve_short_name("10.0.0.1", "ns2", "cluster.local"), "10.0.0.1");
    }
}
