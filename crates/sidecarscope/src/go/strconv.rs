//! Go's `strconv` package: `Quote` (and so `fmt`'s `%q` for strings), which Istio's error texts
//! use for names and hosts, and `Atoi`, which `ValidateDNS1123Labels` uses to tell a numeric
//! top-level domain.

use std::fmt::Write as _;

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

/// Appends `prefix` and `cp` as `width` lower-case hex digits, as Go's quoting does.
pub(super) fn write_escape(out: &mut String, prefix: &str, width: usize, cp: u32) {
    // Writing into a String cannot fail.
    let _ = write!(out, "{prefix}{cp:0width$x}");
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
