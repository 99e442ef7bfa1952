//! Value-level checks shared by the Sidecar rules (spec section 2), reproducing Istio's helpers
//! and the Go standard-library functions they lean on, down to the exact error text.
//!
//! Every function here is pure. Where Go works on bytes (`len`, indexing), so do we: the
//! messages and limits depend on it (e.g. the 63-"character" label limit is 63 bytes).

use std::fmt::Write as _;

use crate::protocol::Protocol;

// ---------------------------------------------------------------------------------------
// Go string quoting
// ---------------------------------------------------------------------------------------

/// Go `strconv.Quote` (and so `fmt`'s `%q` for strings): double quotes; `"` and `\` escaped;
/// `\a \b \f \n \r \t \v` for those controls; any other non-printable rune as `\xNN` (below
/// U+0020 and U+007F), `\uNNNN` or `\UNNNNNNNN`; printable Unicode kept as is.
///
/// "Printable" follows Go's `strconv.IsPrint` (letters, marks, numbers, punctuation, symbols
/// and the ASCII space). One approximation: unassigned code points in planes 0-3 are kept
/// as is, where Go would escape them.
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if is_go_print(c) => out.push(c),
            '\x07' => out.push_str("\\a"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x0b' => out.push_str("\\v"),
            c if c < ' ' || c == '\x7f' => write_escape(&mut out, "\\x", 2, c as u32),
            c if (c as u32) < 0x1_0000 => write_escape(&mut out, "\\u", 4, c as u32),
            c => write_escape(&mut out, "\\U", 8, c as u32),
        }
    }
    out.push('"');
    out
}

/// Appends `prefix` and `cp` as `width` lower-case hex digits, as Go's quoting does.
fn write_escape(out: &mut String, prefix: &str, width: usize, cp: u32) {
    // Writing into a String cannot fail.
    let _ = write!(out, "{prefix}{cp:0width$x}");
}

/// Go's `strconv.IsPrint`: categories L, M, N, P, S plus U+0020.
///
/// std exposes no general-category table, so this is built from the complement: Cc
/// (`is_control`), Zs/Zl/Zp (`White_Space` minus Cc), Cf (listed below, Unicode 15.0 as in
/// Go), Co (private use), noncharacters and the wholly unassigned planes 4–14. The one gap:
/// isolated unassigned code points inside planes 0–3 count as printable here while Go
/// escapes them. They do not occur in real input, and avoiding a 700-range table also keeps
/// newer emoji printable, as they are in Go.
fn is_go_print(c: char) -> bool {
    /// General category Cf (format characters), Unicode 15.0. U+2065 (unassigned) is folded
    /// into the U+2060 run since it is non-printable either way.
    const FORMAT: &[(u32, u32)] = &[
        (0x00AD, 0x00AD),
        (0x0600, 0x0605),
        (0x061C, 0x061C),
        (0x06DD, 0x06DD),
        (0x070F, 0x070F),
        (0x0890, 0x0891),
        (0x08E2, 0x08E2),
        (0x180E, 0x180E),
        (0x200B, 0x200F),
        (0x202A, 0x202E),
        (0x2060, 0x206F),
        (0xFEFF, 0xFEFF),
        (0xFFF9, 0xFFFB),
        (0x110BD, 0x110BD),
        (0x110CD, 0x110CD),
        (0x13430, 0x1343F),
        (0x1BCA0, 0x1BCA3),
        (0x1D173, 0x1D17A),
    ];
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    let cp = c as u32;
    let noncharacter = (0xFDD0..=0xFDEF).contains(&cp) || cp & 0xFFFE == 0xFFFE;
    let private_use = (0xE000..=0xF8FF).contains(&cp) || cp >= 0xF_0000;
    // Planes 4-13 are unassigned; plane 14 holds only tags (Cf) and variation selectors (Mn).
    let empty_plane = (0x4_0000..0xE_0000).contains(&cp) || (cp >= 0xE_0000 && !(0xE_0100..=0xE_01EF).contains(&cp));
    let format = FORMAT.iter().any(|&(lo, hi)| (lo..=hi).contains(&cp));
    !(noncharacter || private_use || empty_plane || format)
}

/// The private `quote` of Go's `time` package, used in `time.ParseDuration` errors. Unlike
/// `strconv.Quote` it writes every byte of a non-ASCII or control rune as `\xNN` and keeps
/// DEL as is.
fn go_time_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if !c.is_ascii() || c < ' ' {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                write_escape(&mut out, "\\x", 2, u32::from(b));
            }
        } else {
            if c == '"' || c == '\\' {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out.push('"');
    out
}

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

/// Go `net/netip.ParseAddr` succeeds: dotted-quad IPv4 (exactly 4 parts, no leading zeros,
/// each <= 255) or any IPv6 form, including `::`, an embedded IPv4 tail and a `%zone`.
/// The family is chosen by the first `.`, `:` or `%` in the text, as Go does.
pub fn is_ip_address(s: &str) -> bool {
    match s.bytes().find(|b| matches!(b, b'.' | b':' | b'%')) {
        Some(b'.') => parse_ipv4_fields(s.as_bytes()),
        Some(b':') => parse_ipv6(s),
        // `%` first means a zone without an address; nothing at all is not an IP either.
        _ => false,
    }
}

/// Go `netip.parseIPv4Fields`, reduced to success/failure.
fn parse_ipv4_fields(s: &[u8]) -> bool {
    let mut val: u32 = 0;
    let mut pos = 0;
    let mut dig_len = 0;
    for (i, &c) in s.iter().enumerate() {
        match c {
            b'0'..=b'9' => {
                if dig_len == 1 && val == 0 {
                    return false; // leading zero, e.g. "010.0.0.1"
                }
                val = val * 10 + u32::from(c - b'0');
                dig_len += 1;
                if val > 255 {
                    return false;
                }
            }
            b'.' => {
                if i == 0 || i == s.len() - 1 || s[i - 1] == b'.' {
                    return false; // empty field
                }
                if pos == 3 {
                    return false; // more than four fields
                }
                pos += 1;
                val = 0;
                dig_len = 0;
            }
            _ => return false,
        }
    }
    pos == 3
}

/// Go `netip.parseIPv6`, reduced to success/failure. Mirrors its loop closely so that the
/// corner cases (`::` placement, 4-digit groups, embedded IPv4 position) agree.
fn parse_ipv6(input: &str) -> bool {
    // The zone is split off at the first '%' and may then contain anything but be empty.
    let mut s = match input.find('%') {
        Some(i) if i + 1 == input.len() => return false,
        Some(i) => &input.as_bytes()[..i],
        None => input.as_bytes(),
    };
    let mut ellipsis: Option<usize> = None;
    if s.starts_with(b"::") {
        ellipsis = Some(0);
        s = &s[2..];
        if s.is_empty() {
            return true;
        }
    }
    let mut i = 0; // bytes of the 16-byte address filled so far
    while i < 16 {
        let mut off = 0;
        while off < s.len() {
            if !s[off].is_ascii_hexdigit() {
                break;
            }
            if off > 3 {
                return false; // more than four hex digits in a group
            }
            off += 1;
        }
        if off == 0 {
            return false; // a colon-separated field without digits
        }
        if s.get(off) == Some(&b'.') {
            // Embedded IPv4: only as the last 32 bits, re-parsed from the group's start.
            if (ellipsis.is_none() && i != 12) || i + 4 > 16 || !parse_ipv4_fields(s) {
                return false;
            }
            s = &[];
            i += 4;
            break;
        }
        i += 2;
        s = &s[off..];
        if s.is_empty() {
            break;
        }
        if s[0] != b':' || s.len() == 1 {
            return false;
        }
        s = &s[1..];
        if s[0] == b':' {
            if ellipsis.is_some() {
                return false; // a second "::"
            }
            ellipsis = Some(i);
            s = &s[1..];
            if s.is_empty() {
                break;
            }
        }
    }
    if !s.is_empty() {
        return false; // trailing garbage after 8 groups
    }
    // Too short without "::", or a "::" that stands for no group at all.
    (i < 16) == ellipsis.is_some()
}

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
/// 1<<63: Go accumulates the magnitude in a uint64 and allows exactly this for a negative.
const DURATION_LIMIT: u64 = 1 << 63;

/// Go `time.ParseDuration`, returning nanoseconds. Accepts `[-+]?([0-9]*(\.[0-9]*)?unit)+`
/// with units `ns us µs μs ms s m h`, or a bare `0`, within the int64 range; the error texts
/// are Go's, quoted with the `time` package's own (byte-escaping) quote.
pub fn parse_go_duration(s: &str) -> Result<i128, String> {
    let invalid = || format!("time: invalid duration {}", go_time_quote(s));
    let mut rest = s;
    let mut neg = false;
    if let Some(r) = rest.strip_prefix('-') {
        neg = true;
        rest = r;
    } else if let Some(r) = rest.strip_prefix('+') {
        rest = r;
    }
    if rest == "0" {
        return Ok(0);
    }
    if rest.is_empty() {
        return Err(invalid());
    }
    let mut total: u64 = 0;
    while !rest.is_empty() {
        let first = rest.as_bytes()[0];
        if !(first == b'.' || first.is_ascii_digit()) {
            return Err(invalid());
        }
        // Integer part.
        let int_len = digits_len(rest);
        let mut v = leading_int(&rest[..int_len]).ok_or_else(invalid)?;
        rest = &rest[int_len..];
        // Optional fraction. Go stops accumulating precision rather than failing.
        let mut frac: u64 = 0;
        let mut scale: f64 = 1.0;
        let mut frac_len = 0;
        if let Some(r) = rest.strip_prefix('.') {
            frac_len = digits_len(r);
            (frac, scale) = leading_fraction(&r[..frac_len]);
            rest = &r[frac_len..];
        }
        if int_len == 0 && frac_len == 0 {
            return Err(invalid()); // e.g. ".s"
        }
        // Unit: everything up to the next digit or '.'.
        let unit_len = rest.bytes().position(|b| b == b'.' || b.is_ascii_digit()).unwrap_or(rest.len());
        if unit_len == 0 {
            return Err(format!("time: missing unit in duration {}", go_time_quote(s)));
        }
        let unit_text = &rest[..unit_len];
        rest = &rest[unit_len..];
        let unit: u64 = match unit_text {
            "ns" => 1,
            "us" | "\u{b5}s" | "\u{3bc}s" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => {
                return Err(format!("time: unknown unit {} in duration {}", go_time_quote(unit_text), go_time_quote(s)))
            }
        };
        if v > DURATION_LIMIT / unit {
            return Err(invalid());
        }
        v *= unit;
        if frac > 0 {
            // Same float64 arithmetic as Go, so fractional rounding agrees to the nanosecond.
            // The product is below `unit`, so the cast cannot saturate.
            v += (frac as f64 * (unit as f64 / scale)) as u64;
            if v > DURATION_LIMIT {
                return Err(invalid());
            }
        }
        total += v; // both <= 2^63, so no u64 overflow
        if total > DURATION_LIMIT {
            return Err(invalid());
        }
    }
    if neg {
        return Ok(-i128::from(total));
    }
    if total > DURATION_LIMIT - 1 {
        return Err(invalid());
    }
    Ok(i128::from(total))
}

fn digits_len(s: &str) -> usize {
    s.bytes().take_while(u8::is_ascii_digit).count()
}

/// Go `time.leadingInt` on an all-digit string: `None` once the value passes 2^63.
fn leading_int(digits: &str) -> Option<u64> {
    let mut x: u64 = 0;
    for b in digits.bytes() {
        if x > DURATION_LIMIT / 10 {
            return None;
        }
        x = x * 10 + u64::from(b - b'0');
        if x > DURATION_LIMIT {
            return None;
        }
    }
    Some(x)
}

/// Go `time.leadingFraction` on an all-digit string: the value and its power-of-ten scale,
/// ignoring digits once more would overflow.
fn leading_fraction(digits: &str) -> (u64, f64) {
    let mut x: u64 = 0;
    let mut scale = 1.0;
    for b in digits.bytes() {
        if x > (DURATION_LIMIT - 1) / 10 {
            break;
        }
        let y = x * 10 + u64::from(b - b'0');
        if y > DURATION_LIMIT {
            break;
        }
        x = y;
        scale *= 10.0;
    }
    (x, scale)
}

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
// Host/port and integers
// ---------------------------------------------------------------------------------------

/// Go `net.SplitHostPort`: the port follows the last `:`; a bracketed host must end just
/// before it. Errors are Go's `*net.AddrError` texts: `address <input>: <why>`, or just
/// `<why>` for an empty input. The brackets are removed from the host.
pub fn split_host_port(s: &str) -> Result<(String, String), String> {
    const MISSING_PORT: &str = "missing port in address";
    const TOO_MANY_COLONS: &str = "too many colons in address";
    let err = |why: &str| {
        if s.is_empty() {
            Err(why.to_string())
        } else {
            Err(format!("address {s}: {why}"))
        }
    };
    let Some(colon) = s.rfind(':') else {
        return err(MISSING_PORT);
    };
    let host;
    // Positions before which a '[' resp. ']' is legitimately present.
    let (mut open_from, mut close_from) = (0, 0);
    if s.starts_with('[') {
        let Some(end) = s.find(']') else {
            return err("missing ']' in address");
        };
        if end + 1 == s.len() {
            return err(MISSING_PORT);
        } else if end + 1 != colon {
            // Either ']' is not followed by a colon, or that colon is not the last one.
            return err(if s.as_bytes()[end + 1] == b':' { TOO_MANY_COLONS } else { MISSING_PORT });
        }
        host = &s[1..end];
        (open_from, close_from) = (1, end + 1);
    } else {
        host = &s[..colon];
        if host.contains(':') {
            return err(TOO_MANY_COLONS);
        }
    }
    if s[open_from..].contains('[') {
        return err("unexpected '[' in address");
    }
    if s[close_from..].contains(']') {
        return err("unexpected ']' in address");
    }
    Ok((host.to_string(), s[colon + 1..].to_string()))
}

/// Go `strconv.Atoi` (64-bit `int`): an optional `+`/`-`, then ASCII decimal digits only.
/// Errors read `strconv.Atoi: parsing "<input>": invalid syntax` or `…: value out of range`.
/// Like Go, an overflow found before a bad character reports the range error.
pub fn go_atoi(s: &str) -> Result<i64, String> {
    let syntax = || format!("strconv.Atoi: parsing {}: invalid syntax", go_quote(s));
    let range = || format!("strconv.Atoi: parsing {}: value out of range", go_quote(s));
    let (neg, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() {
        return Err(syntax());
    }
    // ParseUint's loop: a bad byte is a syntax error, but only until the value overflows.
    let mut n: u64 = 0;
    for b in digits.bytes() {
        if !b.is_ascii_digit() {
            return Err(syntax());
        }
        n = n.checked_mul(10).and_then(|n| n.checked_add(u64::from(b - b'0'))).ok_or_else(range)?;
    }
    if neg {
        // -(2^63) is the only magnitude above i64::MAX that still fits.
        0i64.checked_sub_unsigned(n).ok_or_else(range)
    } else {
        i64::try_from(n).map_err(|_| range())
    }
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

// ---------------------------------------------------------------------------------------
// Suggestions
// ---------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;

    fn err<T: std::fmt::Debug>(r: Result<T, String>) -> String {
        r.expect_err("expected an error")
    }

    #[test]
    fn quote_matches_go() {
        assert_eq!(go_quote("abc"), r#""abc""#);
        assert_eq!(go_quote(""), r#""""#);
        assert_eq!(go_quote(r#"a"b\c"#), r#""a\"b\\c""#);
        assert_eq!(go_quote("\x07\x08\x0c\n\r\t\x0b"), r#""\a\b\f\n\r\t\v""#);
        assert_eq!(go_quote("\x00\x1f\x7f"), r#""\x00\x1f\x7f""#);
        // C1 control, no-break space, zero-width space, BOM, private use: \u form.
        assert_eq!(go_quote("\u{85}"), r#""\u0085""#);
        assert_eq!(go_quote("a\u{a0}b"), r#""a\u00a0b""#);
        assert_eq!(go_quote("\u{200b}\u{feff}\u{e000}"), r#""\u200b\ufeff\ue000""#);
        assert_eq!(go_quote("\u{2028}\u{3000}"), r#""\u2028\u3000""#);
        // Outside the BMP: \U form.
        assert_eq!(go_quote("\u{e0001}"), r#""\U000e0001""#);
        assert_eq!(go_quote("\u{10fffd}"), r#""\U0010fffd""#);
        assert_eq!(go_quote("\u{fffe}"), r#""\ufffe""#);
        // Printable Unicode is kept, including combining marks and (newer) emoji.
        assert_eq!(go_quote("bücher.日本"), "\"bücher.日本\"");
        assert_eq!(go_quote("e\u{301}"), "\"e\u{301}\"");
        assert_eq!(go_quote("🫨😀"), "\"🫨😀\"");
        assert_eq!(go_quote("foo bar"), r#""foo bar""#);
    }

    #[test]
    fn time_quote_escapes_bytes() {
        assert_eq!(go_time_quote("1µ"), r#""1\xc2\xb5""#);
        assert_eq!(go_time_quote("a\"\\\x7f\n"), "\"a\\\"\\\\\x7f\\x0a\"");
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
    fn protocol_serializes_canonically() {
        assert_eq!(serde_json::to_string(&Protocol::GrpcWeb).unwrap(), r#""GRPC-Web""#);
        assert_eq!(serde_json::to_string(&Protocol::Mysql).unwrap(), r#""MySQL""#);
    }

    #[test]
    fn ip_addresses() {
        for ok in [
            "0.0.0.0",
            "127.0.0.1",
            "255.255.255.255",
            "10.0.0.1",
            "::",
            "::1",
            "1::",
            "fe80::1%eth0",
            "fe80::1%25%x",
            "::ffff:1.2.3.4",
            "::ffff:1.2.3.4%z",
            "::1.2.3.4",
            "1:2:3:4:5:6:1.2.3.4",
            "1:2:3:4:5:6:7:8",
            "1:2:3:4:5:6:7::",
            "::2:3:4:5:6:7:8",
            "2001:DB8::abcd",
            "0:0:0:0:0:0:0:1",
            "0000:0::00",
        ] {
            assert!(is_ip_address(ok), "{ok}");
        }
        for bad in [
            "",
            "010.0.0.1",
            "1.2.3",
            "1.2.3.4.5",
            "1.2.3.256",
            "1..2.3",
            ".1.2.3",
            "1.2.3.",
            "1.2.3.4%eth0",
            "1.2.3.4/32",
            "[::1]",
            "::1/128",
            "fe80::1%",
            "%eth0",
            "localhost",
            "unix:///x",
            "127.0.0.1:80",
            ":::",
            "1:::2",
            "1::2::3",
            ":1::2",
            "1:2:3:4:5:6:7:8:9",
            "1:2:3:4:5:6:7",
            "1:2:3:4:5:6:7:8::",
            "1:2:3:4:5:6::1.2.3.4",
            "12345::1",
            "::ffff:01.2.3.4",
            "::ffff:1a.2.3.4",
            "1:2:3:4:5:1.2.3.4",
            "::1:",
            "g::1",
        ] {
            assert!(!is_ip_address(bad), "{bad}");
        }
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
    fn durations_parse() {
        const MS: i128 = 1_000_000;
        const S: i128 = 1_000 * MS;
        let cases: &[(&str, i128)] = &[
            ("0", 0),
            ("-0", 0),
            ("+0", 0),
            ("0s", 0),
            ("30s", 30 * S),
            ("1h", 3600 * S),
            ("1h30m", 5400 * S),
            ("1.5ms", 1_500_000),
            ("500us", 500_000),
            ("500µs", 500_000),
            ("500μs", 500_000),
            ("10ns", 10),
            ("-1.5h", -5400 * S),
            (".5s", 500 * MS),
            ("1.s", S),
            ("1.0000000001s", S),
            ("9223372036854775807ns", 9_223_372_036_854_775_807),
            ("-9223372036854775808ns", -9_223_372_036_854_775_808),
            ("2562047h", 2_562_047 * 3600 * S),
        ];
        for &(text, nanos) in cases {
            assert_eq!(parse_go_duration(text), Ok(nanos), "{text}");
        }
        let errors: &[(&str, &str)] = &[
            ("", r#"time: invalid duration """#),
            ("-", r#"time: invalid duration "-""#),
            ("x", r#"time: invalid duration "x""#),
            ("1", r#"time: missing unit in duration "1""#),
            ("00", r#"time: missing unit in duration "00""#),
            ("1x", r#"time: unknown unit "x" in duration "1x""#),
            ("1h 30m", r#"time: unknown unit "h " in duration "1h 30m""#),
            ("1S", r#"time: unknown unit "S" in duration "1S""#),
            ("1µ", r#"time: unknown unit "\xc2\xb5" in duration "1\xc2\xb5""#),
            (".s", r#"time: invalid duration ".s""#),
            ("s", r#"time: invalid duration "s""#),
            ("1s-1s", r#"time: unknown unit "s-" in duration "1s-1s""#),
            ("9223372036854775808ns", r#"time: invalid duration "9223372036854775808ns""#),
            ("2562048h", r#"time: invalid duration "2562048h""#),
            ("99999999999999999999s", r#"time: invalid duration "99999999999999999999s""#),
        ];
        for &(text, message) in errors {
            assert_eq!(parse_go_duration(text), Err(message.to_string()), "{text}");
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
    fn host_port_split() {
        let ok = |s: &str| split_host_port(s).expect(s);
        assert_eq!(ok("127.0.0.1:8080"), ("127.0.0.1".into(), "8080".into()));
        assert_eq!(ok("[::1]:80"), ("::1".into(), "80".into()));
        assert_eq!(ok("[::]:80"), ("::".into(), "80".into()));
        assert_eq!(ok(":8080"), ("".into(), "8080".into()));
        assert_eq!(ok("localhost:"), ("localhost".into(), "".into()));
        assert_eq!(ok("[fe80::1%eth0]:hi"), ("fe80::1%eth0".into(), "hi".into()));
        assert_eq!(ok("[]:1"), ("".into(), "1".into()));

        let e = |s: &str| err(split_host_port(s));
        assert_eq!(e("127.0.0.1"), "address 127.0.0.1: missing port in address");
        assert_eq!(e(""), "missing port in address");
        assert_eq!(e("::1:8080"), "address ::1:8080: too many colons in address");
        assert_eq!(e("[::1:8080"), "address [::1:8080: missing ']' in address");
        assert_eq!(e("[::1"), "address [::1: missing ']' in address");
        assert_eq!(e("[::1]"), "address [::1]: missing port in address");
        assert_eq!(e("[::1]8080:"), "address [::1]8080:: missing port in address");
        assert_eq!(e("[::1]:80:90"), "address [::1]:80:90: too many colons in address");
        assert_eq!(e("a[b:80"), "address a[b:80: unexpected '[' in address");
        assert_eq!(e("a]b:80"), "address a]b:80: unexpected ']' in address");
        assert_eq!(e("[a[b]:80"), "address [a[b]:80: unexpected '[' in address");
        assert_eq!(e("[ab]:8]0"), "address [ab]:8]0: unexpected ']' in address");
    }

    #[test]
    fn atoi() {
        assert_eq!(go_atoi("0"), Ok(0));
        assert_eq!(go_atoi("8080"), Ok(8080));
        assert_eq!(go_atoi("+12"), Ok(12));
        assert_eq!(go_atoi("-12"), Ok(-12));
        assert_eq!(go_atoi("007"), Ok(7));
        assert_eq!(go_atoi("9223372036854775807"), Ok(i64::MAX));
        assert_eq!(go_atoi("-9223372036854775808"), Ok(i64::MIN));
        assert_eq!(go_atoi("00000000000000000000000001"), Ok(1));

        let syntax = |s: &str, q: &str| {
            assert_eq!(go_atoi(s), Err(format!("strconv.Atoi: parsing {q}: invalid syntax")), "{s}");
        };
        syntax("hi", r#""hi""#);
        syntax("", r#""""#);
        syntax("+", r#""+""#);
        syntax("-", r#""-""#);
        syntax("1_000", r#""1_000""#);
        syntax(" 1", r#"" 1""#);
        syntax("0x10", r#""0x10""#);
        syntax("--1", r#""--1""#);
        syntax("1\n", r#""1\n""#);
        syntax("12345678901234567a", r#""12345678901234567a""#);

        let range = |s: &str| {
            assert_eq!(go_atoi(s), Err(format!("strconv.Atoi: parsing \"{s}\": value out of range")), "{s}");
        };
        range("9223372036854775808");
        range("-9223372036854775809");
        range("18446744073709551616");
        range("99999999999999999999");
        // Overflow is noticed before the bad byte, as in Go.
        range("99999999999999999999x");
        syntax("9999999999999999999x", r#""9999999999999999999x""#);
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
