//! Istio's value checks, as the Sidecar webhook (`pkg/config/validation/agent/validation.go`)
//! and the Kubernetes name rules apply them: ports and port names, protocols, IP and Unix
//! addresses, DNS labels, FQDNs and wildcard domains, durations, TLS cipher suites, down to the
//! exact error text. The Go standard-library functions they lean on (`strconv.Quote`,
//! `strconv.Atoi`, `time.ParseDuration`, `netip.ParseAddr`) are in [`crate::go`].
//!
//! Every function here is pure. Where Go works on bytes (`len`, indexing), so do we: the
//! messages and limits depend on it (e.g. the 63-"character" label limit is 63 bytes).

use crate::go::net::is_ip_address;
use crate::go::strconv::{go_atoi, go_quote};
use crate::protocol::Protocol;

// ---------------------------------------------------------------------------------------
// Ports, labels, protocols
// ---------------------------------------------------------------------------------------

/// Istio `ValidatePort` (`pkg/config/validation/agent`): 1..=65535.
pub fn validate_port(n: i64) -> Result<(), String> {
    if (1..=65535).contains(&n) {
        Ok(())
    } else {
        Err(format!("port number {n} must be in the range 1..65535"))
    }
}

/// Istio `labels.IsDNS1123Label`: at most 63 bytes matching
/// `[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?`. Unlike Kubernetes, upper case is allowed.
pub fn is_dns1123_label(s: &str) -> bool {
    let b = s.as_bytes();
    match (b.first(), b.last()) {
        (Some(first), Some(last)) => {
            b.len() <= 63
                && first.is_ascii_alphanumeric()
                && last.is_ascii_alphanumeric()
                && b.iter().all(|&c| c.is_ascii_alphanumeric() || c == b'-')
        }
        _ => false,
    }
}

/// Istio `labels.IsWildcardDNS1123Label`: at most 63 bytes, and either `*` or a DNS-1123
/// label optionally preceded by `*` or `*-`.
pub fn is_wildcard_dns1123_label(s: &str) -> bool {
    if s.len() > 63 {
        return false;
    }
    s == "*"
        || is_dns1123_label(s)
        || s.strip_prefix("*-").is_some_and(is_dns1123_label)
        || s.strip_prefix('*').is_some_and(is_dns1123_label)
}

/// Istio `ValidatePortName`. Istio only calls it for a non-empty name; an empty name fails.
pub fn validate_port_name(name: &str) -> Result<(), String> {
    if is_dns1123_label(name) {
        Ok(())
    } else {
        Err(format!("invalid port name: {name}"))
    }
}

/// Istio `ValidateProtocol`: empty means sniffing and is valid; otherwise `protocol.Parse`
/// must recognise it. The message repeats the value as written.
pub fn validate_protocol(s: &str) -> Result<(), String> {
    if s.is_empty() || Protocol::parse(s).is_some() {
        Ok(())
    } else {
        Err(format!("unsupported protocol: {s}"))
    }
}

// ---------------------------------------------------------------------------------------
// IP addresses and Unix sockets
// ---------------------------------------------------------------------------------------

/// Istio `ValidateIPAddress` (a `netip.ParseAddr` check): `%s is not a valid IP`.
pub fn validate_ip_address(s: &str) -> Result<(), String> {
    if is_ip_address(s) {
        Ok(())
    } else {
        Err(format!("{s} is not a valid IP"))
    }
}

/// Istio `ValidateUnixAddress`, applied to the text after `unix://`. `@name` is an abstract
/// socket; otherwise Go's `path.IsAbs` (a leading `/`) and no trailing `/`. No cleaning.
pub fn validate_unix_address(s: &str) -> Result<(), String> {
    if s.is_empty() {
        return Err("unix address must not be empty".to_string());
    }
    if s.starts_with('@') {
        return Ok(());
    }
    if !s.starts_with('/') || s.ends_with('/') {
        return Err(format!("{s} is not an absolute path to a file"));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Domain names
// ---------------------------------------------------------------------------------------

/// Istio `CheckDNS1123Preconditions`: at most 255 bytes, not empty.
pub fn check_dns1123_preconditions(name: &str) -> Result<(), String> {
    if name.len() > 255 {
        return Err(format!("domain name {} too long (max 255)", go_quote(name)));
    }
    if name.is_empty() {
        return Err("empty domain name not allowed".to_string());
    }
    Ok(())
}

/// Istio `ValidateDNS1123Labels`: the last dot-separated part must not parse with Go's
/// `strconv.Atoi` (so `+1` counts as numeric, while a 20-digit TLD overflows Atoi and passes),
/// and every part must be a DNS-1123 label, except that the last may be empty (trailing dot).
pub fn validate_dns1123_labels(domain: &str) -> Result<(), String> {
    let parts: Vec<&str> = domain.split('.').collect();
    let last = parts.len() - 1; // `split` always yields at least one part
    let tld = parts[last];
    if go_atoi(tld).is_ok() {
        return Err(format!(
            "domain name {} invalid (top level domain {} cannot be all-numeric)",
            go_quote(domain),
            go_quote(tld)
        ));
    }
    for (i, label) in parts.iter().enumerate() {
        if i == last && label.is_empty() {
            return Ok(());
        }
        if !is_dns1123_label(label) {
            return Err(format!("domain name {} invalid (label {} invalid)", go_quote(domain), go_quote(label)));
        }
    }
    Ok(())
}

/// Istio `ValidateFQDN`: preconditions, then the labels check on the whole name. A single
/// label passes; wildcards do not.
pub fn validate_fqdn(s: &str) -> Result<(), String> {
    check_dns1123_preconditions(s)?;
    validate_dns1123_labels(s)
}

/// Istio `ValidateWildcardDomain`: preconditions; the first label may be a wildcard label;
/// the labels check then runs on the rest after the first dot only, which is why its
/// messages name that rest (`foo.123` → `domain name "123" invalid (…)`).
pub fn validate_wildcard_domain(s: &str) -> Result<(), String> {
    check_dns1123_preconditions(s)?;
    let (first, rest) = match s.split_once('.') {
        Some((first, rest)) => (first, Some(rest)),
        None => (s, None),
    };
    if !is_wildcard_dns1123_label(first) {
        return Err(format!("domain name {} invalid (label {} invalid)", go_quote(s), go_quote(first)));
    }
    match rest {
        Some(rest) => validate_dns1123_labels(rest),
        None => Ok(()),
    }
}

/// Istio `ValidatePartialWildCard`: a `*` is only allowed as the whole name or in a leading
/// `*.`.
pub fn validate_partial_wildcard(s: &str) -> Result<(), String> {
    if s.contains('*') && s != "*" && !s.starts_with("*.") {
        Err(format!("partial wildcard {} not allowed", go_quote(s)))
    } else {
        Ok(())
    }
}

/// Kubernetes `IsDNS1123Subdomain` (used for `metadata.name`): at most 253 bytes of
/// dot-separated lower-case labels `[a-z0-9]([-a-z0-9]*[a-z0-9])?`. Kubernetes does not
/// limit the individual label length here.
pub fn is_dns1123_subdomain(s: &str) -> bool {
    let lower_label = |l: &str| {
        let b = l.as_bytes();
        let edge = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit();
        b.first().is_some_and(edge) && b.last().is_some_and(edge) && b.iter().all(|c| edge(c) || *c == b'-')
    };
    s.len() <= 253 && s.split('.').all(lower_label)
}

// ---------------------------------------------------------------------------------------
// Durations
// ---------------------------------------------------------------------------------------

const NANOS_PER_MILLI: i128 = 1_000_000;

/// Istio `ValidateDuration` on a duration in nanoseconds: at least 1 ms, whole milliseconds.
pub fn validate_duration(nanos: i128) -> Result<(), String> {
    if nanos < NANOS_PER_MILLI {
        return Err("duration must be greater than 1ms".to_string());
    }
    if nanos % NANOS_PER_MILLI != 0 {
        return Err("only durations to ms precision are supported".to_string());
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// TLS cipher suites
// ---------------------------------------------------------------------------------------

/// The cipher names Istio accepts (`security.ValidCipherSuites`).
const VALID_CIPHER_SUITES: &[&str] = &[
    "ECDHE-ECDSA-AES128-GCM-SHA256",
    "ECDHE-RSA-AES128-GCM-SHA256",
    "ECDHE-ECDSA-AES256-GCM-SHA384",
    "ECDHE-RSA-AES256-GCM-SHA384",
    "ECDHE-ECDSA-CHACHA20-POLY1305",
    "ECDHE-RSA-CHACHA20-POLY1305",
    "ECDHE-ECDSA-AES128-SHA",
    "ECDHE-RSA-AES128-SHA",
    "ECDHE-ECDSA-AES256-SHA",
    "ECDHE-RSA-AES256-SHA",
    "AES128-GCM-SHA256",
    "AES256-GCM-SHA384",
    "AES128-SHA",
    "AES256-SHA",
    "DES-CBC3-SHA",
];

/// Istio `security.IsValidCipherSuite`: empty, `ALL`, an operator form (first byte neither
/// letter nor digit), or a known name, case-sensitively.
///
/// Go tests `unicode.IsLetter/IsNumber(rune(cs[0]))`, i.e. the first *byte* read as a
/// Latin-1 code point. A non-ASCII first character therefore counts as an operator only when
/// its UTF-8 lead byte is 0xD7 (`×`), the one lead byte that is not a Latin-1 letter.
pub fn is_valid_cipher_suite(s: &str) -> bool {
    let Some(&first) = s.as_bytes().first() else {
        return true;
    };
    s == "ALL" || !is_latin1_letter_or_number(first) || VALID_CIPHER_SUITES.contains(&s)
}

/// `unicode.IsLetter(r) || unicode.IsNumber(r)` for `r` in U+0000..=U+00FF.
fn is_latin1_letter_or_number(b: u8) -> bool {
    match b {
        0x00..=0x7F => b.is_ascii_alphanumeric(),
        // ª ² ³ µ ¹ º ¼ ½ ¾ (letters Lo/Ll and numbers No)
        0xAA | 0xB2 | 0xB3 | 0xB5 | 0xB9 | 0xBA | 0xBC..=0xBE => true,
        // À..ÿ except × and ÷
        0xC0..=0xFF => b != 0xD7 && b != 0xF7,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err<T: std::fmt::Debug>(r: Result<T, String>) -> String {
        r.expect_err("expected an error")
    }

    #[test]
    fn ports() {
        assert_eq!(validate_port(1), Ok(()));
        assert_eq!(validate_port(65535), Ok(()));
        assert_eq!(err(validate_port(0)), "port number 0 must be in the range 1..65535");
        assert_eq!(err(validate_port(65536)), "port number 65536 must be in the range 1..65535");
        assert_eq!(err(validate_port(4_294_967_295)), "port number 4294967295 must be in the range 1..65535");
        assert_eq!(err(validate_port(-1)), "port number -1 must be in the range 1..65535");
    }

    #[test]
    fn dns1123_labels() {
        for ok in ["a", "A", "http-web", "Foo1", "9", &"a".repeat(63)] {
            assert!(is_dns1123_label(ok), "{ok}");
        }
        for bad in ["", "-a", "a-", "a.b", "a_b", "a b", "ü", &"a".repeat(64)] {
            assert!(!is_dns1123_label(bad), "{bad}");
        }
        for ok in ["*", "*foo", "*-foo", "foo", "*9"] {
            assert!(is_wildcard_dns1123_label(ok), "{ok}");
        }
        for bad in ["**", "*-", "*--foo", "foo*", "*.", "-", &format!("*{}", "a".repeat(63))] {
            assert!(!is_wildcard_dns1123_label(bad), "{bad}");
        }
    }

    #[test]
    fn port_names() {
        assert_eq!(validate_port_name("HTTP-Web"), Ok(()));
        assert_eq!(err(validate_port_name("http.web")), "invalid port name: http.web");
        assert_eq!(err(validate_port_name("http_web")), "invalid port name: http_web");
        assert_eq!(err(validate_port_name("-http")), "invalid port name: -http");
        assert_eq!(err(validate_port_name("http-")), "invalid port name: http-");
        assert_eq!(err(validate_port_name("")), "invalid port name: ");
    }

    #[test]
    fn protocols() {
        let all = [
            ("tcp", Protocol::Tcp, "TCP"),
            ("udp", Protocol::Udp, "UDP"),
            ("grpc", Protocol::Grpc, "GRPC"),
            ("grpc-web", Protocol::GrpcWeb, "GRPC-Web"),
            ("http", Protocol::Http, "HTTP"),
            ("http_proxy", Protocol::HttpProxy, "HTTP_PROXY"),
            ("http2", Protocol::Http2, "HTTP2"),
            ("https", Protocol::Https, "HTTPS"),
            ("tls", Protocol::Tls, "TLS"),
            ("mongo", Protocol::Mongo, "Mongo"),
            ("redis", Protocol::Redis, "Redis"),
            ("mysql", Protocol::Mysql, "MySQL"),
        ];
        for (text, proto, canonical) in all {
            assert_eq!(Protocol::parse(text), Some(proto));
            assert_eq!(Protocol::parse(&text.to_uppercase()), Some(proto));
            assert_eq!(Protocol::parse(canonical), Some(proto));
            assert_eq!(proto.as_str(), canonical);
            assert_eq!(proto.to_string(), canonical);
            assert_eq!(validate_protocol(text), Ok(()));
        }
        assert_eq!(Protocol::parse("Grpc-Web"), Some(Protocol::GrpcWeb));
        // Go lowers U+0130 to a plain 'i'.
        assert_eq!(Protocol::parse("REDİS"), Some(Protocol::Redis));
        assert_eq!(Protocol::parse(""), None);
        assert_eq!(Protocol::parse(" http"), None);
        assert_eq!(validate_protocol(""), Ok(()));
        assert_eq!(err(validate_protocol("HBONE")), "unsupported protocol: HBONE");
        assert_eq!(err(validate_protocol("DoubleHBONE")), "unsupported protocol: DoubleHBONE");
        assert_eq!(err(validate_protocol("grpc_web")), "unsupported protocol: grpc_web");
        assert_eq!(err(validate_protocol("Foo")), "unsupported protocol: Foo");

        let http: Vec<_> = all.iter().filter(|p| p.1.is_http()).map(|p| p.1).collect();
        assert_eq!(http, [Protocol::Grpc, Protocol::GrpcWeb, Protocol::Http, Protocol::HttpProxy, Protocol::Http2]);
        let tls: Vec<_> = all.iter().filter(|p| p.1.is_tls()).map(|p| p.1).collect();
        assert_eq!(tls, [Protocol::Https, Protocol::Tls]);
    }

    #[test]
    fn ip_address_check() {
        assert_eq!(validate_ip_address("fe80::1%eth0"), Ok(()));
        assert_eq!(err(validate_ip_address("localhost")), "localhost is not a valid IP");
        assert_eq!(err(validate_ip_address("unix:///x")), "unix:///x is not a valid IP");
        assert_eq!(err(validate_ip_address("010.0.0.1")), "010.0.0.1 is not a valid IP");
    }

    #[test]
    fn unix_addresses() {
        assert_eq!(err(validate_unix_address("")), "unix address must not be empty");
        assert_eq!(validate_unix_address("@foo"), Ok(()));
        assert_eq!(validate_unix_address("@"), Ok(()));
        assert_eq!(validate_unix_address("/var/run/x.sock"), Ok(()));
        assert_eq!(validate_unix_address("/@foo/bar"), Ok(()));
        assert_eq!(validate_unix_address("/a/../b"), Ok(()));
        assert_eq!(err(validate_unix_address("/")), "/ is not an absolute path to a file");
        assert_eq!(err(validate_unix_address("foo.sock")), "foo.sock is not an absolute path to a file");
        assert_eq!(err(validate_unix_address("/tmp/")), "/tmp/ is not an absolute path to a file");
    }

    #[test]
    fn fqdn() {
        for ok in ["egress", "foo.com", "Foo.Example.COM", "istio.io.", "a-b.c1", "x.12345678901234567890"] {
            assert_eq!(validate_fqdn(ok), Ok(()), "{ok}");
        }
        assert_eq!(err(validate_fqdn("")), "empty domain name not allowed");
        let long = format!("{}abcd", "a.".repeat(126));
        assert_eq!(long.len(), 256);
        assert_eq!(err(validate_fqdn(&long)), format!("domain name \"{long}\" too long (max 255)"));
        assert_eq!(
            err(validate_fqdn("foobar*123")),
            r#"domain name "foobar*123" invalid (label "foobar*123" invalid)"#
        );
        assert_eq!(err(validate_fqdn("*")), r#"domain name "*" invalid (label "*" invalid)"#);
        assert_eq!(err(validate_fqdn("*.x.com")), r#"domain name "*.x.com" invalid (label "*" invalid)"#);
        assert_eq!(
            err(validate_fqdn("10.0.0.1")),
            r#"domain name "10.0.0.1" invalid (top level domain "1" cannot be all-numeric)"#
        );
        assert_eq!(
            err(validate_fqdn("a.+1")),
            r#"domain name "a.+1" invalid (top level domain "+1" cannot be all-numeric)"#
        );
        assert_eq!(err(validate_fqdn("a..b")), r#"domain name "a..b" invalid (label "" invalid)"#);
        assert_eq!(err(validate_fqdn(".")), r#"domain name "." invalid (label "" invalid)"#);
        assert_eq!(err(validate_fqdn("a.b..")), r#"domain name "a.b.." invalid (label "" invalid)"#);
    }

    #[test]
    fn wildcard_domains() {
        for ok in
            ["*", "*.example.com", "*foo.bar.com", "*-foo.bar.com", "foo.com.", "Foo.Example.COM", "reviews", "*."]
        {
            assert_eq!(validate_wildcard_domain(ok), Ok(()), "{ok}");
        }
        assert_eq!(err(validate_wildcard_domain("")), "empty domain name not allowed");
        assert_eq!(
            err(validate_wildcard_domain("foo.123")),
            r#"domain name "123" invalid (top level domain "123" cannot be all-numeric)"#
        );
        assert_eq!(
            err(validate_wildcard_domain("10.0.0.1")),
            r#"domain name "0.0.1" invalid (top level domain "1" cannot be all-numeric)"#
        );
        assert_eq!(
            err(validate_wildcard_domain("foo/bar.com")),
            r#"domain name "foo/bar.com" invalid (label "foo/bar" invalid)"#
        );
        assert_eq!(
            err(validate_wildcard_domain("*.*.example.com")),
            r#"domain name "*.example.com" invalid (label "*" invalid)"#
        );
        assert_eq!(err(validate_wildcard_domain("foo.*.com")), r#"domain name "*.com" invalid (label "*" invalid)"#);
        let long_label = "a".repeat(64);
        assert_eq!(
            err(validate_wildcard_domain(&format!("{long_label}.com"))),
            format!("domain name \"{long_label}.com\" invalid (label \"{long_label}\" invalid)")
        );
        assert_eq!(
            err(validate_wildcard_domain(&format!("foo.{long_label}.com"))),
            format!("domain name \"{long_label}.com\" invalid (label \"{long_label}\" invalid)")
        );
        let too_long = format!("{}com", "a.".repeat(127));
        assert_eq!(too_long.len(), 257);
        assert!(err(validate_wildcard_domain(&too_long)).ends_with("\" too long (max 255)"));
    }

    #[test]
    fn partial_wildcards() {
        for ok in ["*", "*.foo.com", "foo.com", "*."] {
            assert_eq!(validate_partial_wildcard(ok), Ok(()), "{ok}");
        }
        assert_eq!(err(validate_partial_wildcard("*a.com")), r#"partial wildcard "*a.com" not allowed"#);
        assert_eq!(err(validate_partial_wildcard("*-foo.bar.com")), r#"partial wildcard "*-foo.bar.com" not allowed"#);
        assert_eq!(err(validate_partial_wildcard("foo.*.com")), r#"partial wildcard "foo.*.com" not allowed"#);
        assert_eq!(err(validate_partial_wildcard("**")), r#"partial wildcard "**" not allowed"#);
    }

    #[test]
    fn subdomains() {
        for ok in ["a", "my-sidecar", "a.b.c", "0abc", &"a".repeat(253), &"a".repeat(70)] {
            assert!(is_dns1123_subdomain(ok), "{ok}");
        }
        for bad in ["", "A", "a_b", "-a", "a-", "a..b", ".a", "a.", &"a".repeat(254)] {
            assert!(!is_dns1123_subdomain(bad), "{bad}");
        }
    }

    #[test]
    fn durations_validate() {
        assert_eq!(validate_duration(1_000_000), Ok(()));
        assert_eq!(validate_duration(30_000_000_000), Ok(()));
        assert_eq!(err(validate_duration(0)), "duration must be greater than 1ms");
        assert_eq!(err(validate_duration(999_999)), "duration must be greater than 1ms");
        assert_eq!(err(validate_duration(-5_000_000)), "duration must be greater than 1ms");
        assert_eq!(err(validate_duration(1_500_000)), "only durations to ms precision are supported");
    }

    #[test]
    fn cipher_suites() {
        for ok in [
            "",
            "ALL",
            "-AES128-SHA",
            "+AES128-SHA",
            "!aNULL",
            "[ECDHE-ECDSA-AES128-GCM-SHA256|ECDHE-ECDSA-CHACHA20-POLY1305]",
            "ECDHE-ECDSA-AES128-GCM-SHA256",
            "DES-CBC3-SHA",
            "AES256-SHA",
            "\u{5d0}foo", // Hebrew alef: UTF-8 lead byte 0xD7
        ] {
            assert!(is_valid_cipher_suite(ok), "{ok}");
        }
        for bad in ["not-a-cipher", "all", "aes128-sha", "TLS_AES_128_GCM_SHA256", "éfoo", "×foo", "²x", "ªx"] {
            assert!(!is_valid_cipher_suite(bad), "{bad}");
        }
    }
}
