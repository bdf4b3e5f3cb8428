//! Time text of the records: `computed_at_utc` as the running publisher writes it
//! (`datetime.utcnow().isoformat()`: naive ISO 8601, microseconds only when not zero) and read
//! back (naive, `Z` or `+00:00`-style offsets). Pure: the caller passes the time.
//!
//! Written by hand over the kernel's calendar arithmetic ([`harvest_kernel::calendar`]): the
//! record crate is pure and builds for wasm32.

use harvest_kernel::calendar::{civil_from_days, days_from_civil};

/// `computed_at_utc` for a time in Unix microseconds, as `datetime.utcnow().isoformat()` writes
/// it: `2026-12-06T17:22:50.994482`, or `2026-12-06T17:22:50` on a whole second.
///
/// ```
/// use harvest_records::time::iso_naive;
/// assert_eq!(iso_naive(1_796_577_770_994_482), "2026-12-06T17:22:50.994482");
/// assert_eq!(iso_naive(1_700_000_000_000_000), "2023-11-14T22:13:20");
/// assert_eq!(iso_naive(0), "1970-01-01T00:00:00");
/// ```
pub fn iso_naive(epoch_micros: i64) -> String {
    let secs = epoch_micros.div_euclid(1_000_000);
    let micros = epoch_micros.rem_euclid(1_000_000);
    let (y, mo, d) = civil_from_days(secs.div_euclid(86_400));
    let s = secs.rem_euclid(86_400);
    let base = format!(
        "{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}",
        s / 3600,
        s / 60 % 60,
        s % 60
    );
    if micros == 0 {
        base
    } else {
        format!("{base}.{micros:06}")
    }
}

/// A `computed_at_utc` (or any ISO 8601 date-time) as Unix seconds: `YYYY-MM-DD`, `T` or a
/// blank, `HH:MM:SS`, an optional fraction, then nothing (naive: UTC, as the running publisher
/// means it), `Z`, or an offset `±HH:MM` / `±HHMM`. `None` for anything else.
///
/// ```
/// use harvest_records::time::parse_iso;
/// assert_eq!(parse_iso("2026-01-01T00:00:10.25"), Some(1767225610.25));
/// assert_eq!(parse_iso("2026-01-01T00:00:10+00:00"), Some(1767225610.0));
/// assert_eq!(parse_iso("2026-01-01T02:00:10+02:00"), Some(1767225610.0));
/// assert_eq!(parse_iso("2026-01-01T00:00:10Z"), Some(1767225610.0));
/// assert_eq!(parse_iso("yesterday"), None);
/// ```
pub fn parse_iso(text: &str) -> Option<f64> {
    let t = text.trim();
    let b = t.as_bytes();
    let num = |s: &str| -> Option<i64> {
        (!s.is_empty() && s.bytes().all(|c| c.is_ascii_digit())).then(|| s.parse().ok())?
    };
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (y, mo, d) = (num(&t[0..4])?, num(&t[5..7])?, num(&t[8..10])?);
    let (h, mi, s) = (num(&t[11..13])?, num(&t[14..16])?, num(&t[17..19])?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let mut rest = &t[19..];
    let mut frac = 0.0;
    if let Some(r) = rest.strip_prefix('.') {
        let n = r.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return None;
        }
        frac = format!("0.{}", &r[..n]).parse().ok()?;
        rest = &r[n..];
    }
    let offset = match rest {
        "" | "Z" | "z" => 0,
        o if o.len() >= 5 && matches!(o.as_bytes()[0], b'+' | b'-') => {
            let sign = if o.starts_with('-') { -1 } else { 1 };
            let digits: String = o[1..].chars().filter(|c| *c != ':').collect();
            if digits.len() != 4 || o[1..].len() > 5 {
                return None;
            }
            let (oh, om) = (num(&digits[..2])?, num(&digits[2..])?);
            sign * (oh * 3600 + om * 60)
        }
        _ => return None,
    };
    let days = days_from_civil(y, mo as u32, d as u32);
    let secs = days * 86_400 + h * 3600 + mi * 60 + s - offset;
    Some(secs as f64 + frac)
}

/// `YYYY-MM-DD HH:MM:SS UTC` for Unix seconds (for people: a policy's `valid_until_epoch`).
///
/// ```
/// use harvest_records::time::utc_text;
/// assert_eq!(utc_text(1_700_000_000.9), "2023-11-14 22:13:20 UTC");
/// ```
pub fn utc_text(epoch: f64) -> String {
    if !epoch.is_finite() || epoch.abs() > 1e14 {
        return if epoch.is_nan() {
            "never (not a time)".to_string()
        } else if epoch > 0.0 {
            "never".to_string()
        } else {
            "always".to_string()
        };
    }
    iso_naive((epoch.floor() as i64) * 1_000_000).replace('T', " ") + " UTC"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_across_eras() {
        for secs in [
            -62_135_596_800i64, // 0001-01-01
            -1,
            0,
            951_782_400, // 2000-02-29
            1_767_225_600,
            4_102_444_800, // 2100-01-01
            253_402_300_799,
        ] {
            for micros in [0, 1, 500_000, 999_999] {
                let t = secs * 1_000_000 + micros;
                let text = iso_naive(t);
                let back = parse_iso(&text).unwrap();
                assert_eq!(back, secs as f64 + micros as f64 / 1e6, "{text}");
            }
        }
        assert_eq!(iso_naive(951_782_400_000_000), "2000-02-29T00:00:00");
    }

    #[test]
    fn parse_table() {
        let cases: &[(&str, Option<f64>)] = &[
            ("2026-12-06T17:22:50.994482", Some(1_796_577_770.994482)),
            ("2026-12-06 17:22:50", Some(1_796_577_770.0)),
            (
                "2026-12-06T17:22:50.994482+00:00",
                Some(1_796_577_770.994482),
            ),
            ("2026-12-06T18:22:50-0100", Some(1_796_584_970.0)),
            ("2026-12-06T17:22", None),
            ("2026-13-06T17:22:50", None),
            ("2026-12-06T17:22:50.", None),
            ("2026-12-06T17:22:50+1", None),
            ("2026-12-06T17:22:50 UTC", None),
            ("", None),
        ];
        for (text, want) in cases {
            assert_eq!(parse_iso(text), *want, "{text}");
        }
    }
}
