//! Go's `strings.ToLower`, which Istio's `protocol.Parse` applies to a port's protocol name.

/// Go `strings.ToLower`, which uses simple (one-rune) case mapping. Rust's full mapping
/// differs only for U+0130 (`İ`), which Go lowers to a plain `i` - and that matters, since
/// `REDİS` is then accepted as `redis`.
pub fn go_to_lower(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c == '\u{130}' {
            out.push('i');
        } else {
            out.extend(c.to_lowercase());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lowers_as_go_does() {
        assert_eq!(go_to_lower("HTTP"), "http");
        assert_eq!(go_to_lower("Grpc-Web"), "grpc-web");
        // Simple case mapping: U+0130 becomes a plain 'i', where Rust's full mapping adds U+0307.
        assert_eq!(go_to_lower("REDİS"), "redis");
        assert_ne!("REDİS".to_lowercase(), "redis");
        assert_eq!(go_to_lower("ΣΑΣ"), "σασ");
        assert_eq!(go_to_lower(""), "");
    }
}
