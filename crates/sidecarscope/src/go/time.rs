//! Go's `time.ParseDuration`, as Istio parses a protobuf `Duration` written as text (`30s`,
//! `1h30m`), with its error texts and its own quoting.

use super::strconv::write_escape;

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
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_quote_escapes_bytes() {
        assert_eq!(go_time_quote("1µ"), r#""1\xc2\xb5""#);
        assert_eq!(go_time_quote("a\"\\\x7f\n"), "\"a\\\"\\\\\x7f\\x0a\"");
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
}
