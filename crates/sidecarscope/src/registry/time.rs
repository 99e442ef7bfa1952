//! `metadata.creationTimestamp`: Istio orders services, Sidecars, VirtualServices and
//! DestinationRules oldest first, so "which one wins" often comes down to this field.

use std::fmt;

/// A creation time as an ordering key. A resource without (or with an unreadable) timestamp
/// sorts first, as Go's zero `time.Time` does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct CreationTime(Option<(i64, u32)>);

impl CreationTime {
    pub const ZERO: CreationTime = CreationTime(None);

    /// Parses RFC 3339 as Kubernetes writes it: `2020-01-01T00:00:02Z`, optionally with a
    /// fraction and a `+hh:mm` offset. Anything else counts as absent.
    pub fn parse(text: Option<&str>) -> CreationTime {
        CreationTime(text.and_then(parse_rfc3339))
    }

    pub fn is_set(&self) -> bool {
        self.0.is_some()
    }
}

impl fmt::Display for CreationTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            None => f.write_str("no creationTimestamp"),
            Some((secs, _)) => {
                let (y, mo, d) = civil_from_days(secs.div_euclid(86_400));
                let s = secs.rem_euclid(86_400);
                write!(f, "{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}Z", s / 3600, s / 60 % 60, s % 60)
            }
        }
    }
}

fn parse_rfc3339(s: &str) -> Option<(i64, u32)> {
    let b = s.trim().as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = b.get(r)?;
        if part.is_empty() || !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(part).ok()?.parse().ok()
    };
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't' | b' ')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, min, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || min > 59 || sec > 60 {
        return None;
    }
    let mut i = 19;
    let mut nanos = 0u32;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let digits = &s.trim()[start..i];
        if digits.is_empty() {
            return None;
        }
        let padded = format!("{:0<9}", &digits[..digits.len().min(9)]);
        nanos = padded.parse().ok()?;
    }
    let offset = match b.get(i)? {
        b'Z' | b'z' if i + 1 == b.len() => 0,
        sign @ (b'+' | b'-') if i + 6 == b.len() && b[i + 3] == b':' => {
            let o = num(i + 1..i + 3)? * 3600 + num(i + 4..i + 6)? * 60;
            if *sign == b'+' {
                o
            } else {
                -o
            }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    Some((days * 86_400 + hour * 3600 + min * 60 + sec - offset, nanos))
}

/// Days since 1970-01-01 (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_orders() {
        let a = CreationTime::parse(Some("2020-01-01T00:00:02Z"));
        let b = CreationTime::parse(Some("2020-01-01T00:00:03Z"));
        let c = CreationTime::parse(Some("2020-01-01T01:00:02+01:00"));
        assert!(a < b);
        assert_eq!(a, c);
        assert!(CreationTime::ZERO < a);
        assert_eq!(CreationTime::parse(Some("yesterday")), CreationTime::ZERO);
        assert_eq!(a.to_string(), "2020-01-01T00:00:02Z");
        assert_eq!(CreationTime::parse(Some("1970-01-01T00:16:40Z")).0, Some((1000, 0)));
        assert_eq!(CreationTime::parse(Some("2020-01-01T00:00:02.5Z")).0.map(|x| x.1), Some(500_000_000));
    }
}
