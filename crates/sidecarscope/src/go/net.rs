//! Go's `net` packages as Istio uses them: `netip.ParseAddr` (is this text an IP address?) and
//! `net.SplitHostPort` (an egress listener's `bind`/`captureMode` address, a `host:port`).

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

#[cfg(test)]
mod tests {
    use super::*;

    fn err<T: std::fmt::Debug>(r: Result<T, String>) -> String {
        r.expect_err("expected an error")
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
}
