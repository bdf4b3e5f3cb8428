//! Hand-written UTC date parsing and formatting: price files use a handful of fixed shapes
//! (ISO 8601 with or without time and offset, CryptoDataDownload's `2019-10-17 09-AM`, epoch
//! seconds / milliseconds / microseconds), which `chrono` and `time` parse only through format
//! strings tried one after another and not at all for the `09-AM` form; the civil-calendar
//! arithmetic is the kernel's ([`harvest_kernel::calendar`]: a few lines, and the Replay chunk
//! stays small).

use harvest_kernel::echo::Echo;
use serde::Serialize;

pub use harvest_kernel::calendar::{civil_from_days, days_from_civil};

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

/// Formats epoch seconds as ISO 8601 UTC, `2019-10-17T09:00:00Z`.
///
/// ```
/// assert_eq!(harvest_market::format_iso(1571302800), "2019-10-17T09:00:00Z");
/// assert_eq!(harvest_market::format_iso(0), "1970-01-01T00:00:00Z");
/// ```
pub fn format_iso(time: i64) -> String {
    let days = time.div_euclid(86_400);
    let secs = time.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// Why a time cell is not a time; each message quotes the cell and says what was expected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TimeError {
    /// The cell is empty (or only spaces).
    #[error("empty time")]
    Empty,
    /// Neither a date nor a non-negative number of epoch seconds, milliseconds, … .
    #[error(
        "unrecognised time {:?}: expected a date like 2019-10-17T09:00:00Z or epoch seconds", Echo(.text)
    )]
    Unrecognised {
        /// The cell, trimmed.
        text: String,
    },
    /// A number too large for epoch nanoseconds.
    #[error("epoch time {} is too large: expected below 1e20 (nanoseconds)", Echo(.text))]
    TooLarge {
        /// The cell, trimmed.
        text: String,
    },
    /// A date that is not `YYYY-MM-DD` (or `/`).
    #[error("unrecognised date {:?}: expected YYYY-MM-DD", Echo(.text))]
    Date {
        /// The cell, trimmed.
        text: String,
    },
    /// A part that is not a whole number.
    #[error("bad {part} in {:?}: expected digits", Echo(.text))]
    NotDigits {
        /// The part: `year`, `month`, `day`, `hour`, `minute`, `second`, `offset hour`, … .
        part: &'static str,
        /// The cell, trimmed.
        text: String,
    },
    /// A part outside its range.
    #[error("{part} {value} out of range in {:?}: expected {min} to {max}", Echo(.text))]
    OutOfRange {
        /// The part: `month`, `day`, `hour`, `minute`, `second`, `offset hour`, … .
        part: &'static str,
        /// Its value.
        value: u32,
        /// The smallest allowed.
        min: u32,
        /// The largest allowed (the day's depends on the month).
        max: u32,
        /// The cell, trimmed.
        text: String,
    },
    /// More `:`-separated parts than `HH:MM:SS`.
    #[error("bad time of day in {:?}: expected HH, HH:MM or HH:MM:SS", Echo(.text))]
    Clock {
        /// The cell, trimmed.
        text: String,
    },
}

/// Parses a time cell to epoch seconds (UTC), or says why not.
///
/// Accepted: epoch seconds, milliseconds, microseconds or nanoseconds (by magnitude: below 1e11
/// seconds, below 1e14 milliseconds, below 1e17 microseconds); `YYYY-MM-DD` (or `/`) optionally
/// followed by `T` or a space and `HH`, `HH:MM`, `HH:MM:SS`, `HH:MM:SS.fff`, then optionally `Z`,
/// `UTC` or an offset `±HH:MM` / `±HHMM`; and CryptoDataDownload's `YYYY-MM-DD HH-AM` / `HH-PM`.
///
/// ```
/// use harvest_market::{parse_time, TimeError};
/// assert_eq!(parse_time("2019-10-17 09-AM"), Ok(1571302800));
/// assert_eq!(parse_time("2019-10-17T09:00:00Z"), Ok(1571302800));
/// assert_eq!(parse_time("1571302800000"), Ok(1571302800));
/// assert!(matches!(parse_time("2019-02-30"), Err(TimeError::OutOfRange { part: "day", value: 30, max: 28, .. })));
/// ```
///
/// # Errors
/// A [`TimeError`] naming what was wrong (shape, month, day, hour, …), its value and the range.
pub fn parse_time(cell: &str) -> Result<i64, TimeError> {
    let s = cell.trim();
    if s.is_empty() {
        return Err(TimeError::Empty);
    }
    let b = s.as_bytes();
    if b.len() >= 5 && b[..4].iter().all(u8::is_ascii_digit) && (b[4] == b'-' || b[4] == b'/') {
        parse_datetime(s)
    } else {
        parse_epoch(s)
    }
}

fn parse_epoch(s: &str) -> Result<i64, TimeError> {
    let unrecognised = || TimeError::Unrecognised { text: s.into() };
    let v: f64 = s.parse().map_err(|_| unrecognised())?;
    if !v.is_finite() || v < 0.0 {
        return Err(unrecognised());
    }
    let secs = if v < 1e11 {
        v
    } else if v < 1e14 {
        v / 1e3
    } else if v < 1e17 {
        v / 1e6
    } else if v < 1e20 {
        v / 1e9
    } else {
        return Err(TimeError::TooLarge { text: s.into() });
    };
    Ok(secs.floor() as i64)
}

fn num(s: &str, part: &'static str, whole: &str) -> Result<u32, TimeError> {
    let bad = || TimeError::NotDigits {
        part,
        text: whole.into(),
    };
    if s.is_empty() || !s.bytes().all(|c| c.is_ascii_digit()) {
        return Err(bad());
    }
    s.parse().map_err(|_| bad())
}

/// `value` if it is in `min..=max`, else [`TimeError::OutOfRange`].
fn within(
    part: &'static str,
    value: u32,
    min: u32,
    max: u32,
    whole: &str,
) -> Result<u32, TimeError> {
    if (min..=max).contains(&value) {
        Ok(value)
    } else {
        Err(TimeError::OutOfRange {
            part,
            value,
            min,
            max,
            text: whole.into(),
        })
    }
}

fn parse_datetime(s: &str) -> Result<i64, TimeError> {
    let sep = s.as_bytes()[4] as char;
    let (date, rest) = match s.find(['T', ' ']) {
        Some(i) => (&s[..i], s[i + 1..].trim_start()),
        None => (s, ""),
    };
    let mut parts = date.split(sep);
    let (Some(y), Some(m), Some(d), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(TimeError::Date { text: s.into() });
    };
    let y = i64::from(num(y, "year", s)?);
    let m = within("month", num(m, "month", s)?, 1, 12, s)?;
    let d = within("day", num(d, "day", s)?, 1, days_in_month(y, m), s)?;
    let day_secs = days_from_civil(y, m, d) * 86_400;
    if rest.is_empty() {
        return Ok(day_secs);
    }
    Ok(day_secs + parse_clock(rest, s)?)
}

/// Seconds into the day (minus the offset) of `HH[:MM[:SS[.f]]][Z|UTC|±HH:MM]` or `HH-AM`/`HH-PM`.
fn parse_clock(t: &str, whole: &str) -> Result<i64, TimeError> {
    let upper = t.to_ascii_uppercase();
    let too_many = || TimeError::Clock { text: whole.into() };
    for (suffix, pm) in [("-AM", false), ("-PM", true), (" AM", false), (" PM", true)] {
        if let Some(h) = upper.strip_suffix(suffix) {
            // `09-AM`, or `09:00:00 PM`: a 12-hour clock.
            let mut it = h.split(':');
            let hour = num(it.next().unwrap_or(""), "hour", whole)?;
            let minute = it.next().map_or(Ok(0), |m| num(m, "minute", whole))?;
            let second = it.next().map_or(Ok(0), |x| num(x, "second", whole))?;
            if it.next().is_some() {
                return Err(too_many());
            }
            let hour = within("hour", hour, 1, 12, whole)?;
            let minute = within("minute", minute, 0, 59, whole)?;
            let second = within("second", second, 0, 59, whole)?;
            let h24 = hour % 12 + if pm { 12 } else { 0 };
            return Ok(i64::from(h24 * 3600 + minute * 60 + second));
        }
    }
    // Split off a zone: Z, UTC, or ±HH[:MM] after the clock.
    let (clock, offset) = if let Some(c) = upper.strip_suffix('Z') {
        (c.trim_end().to_string(), 0)
    } else if let Some(c) = upper.strip_suffix("UTC") {
        (c.trim_end().to_string(), 0)
    } else if let Some(i) = upper.rfind(['+', '-']) {
        let z = &upper[i + 1..];
        let (zh, zm) = match z.split_once(':') {
            Some((h, m)) => (h, m),
            None if z.len() == 4 => z.split_at(2),
            None => (z, "0"),
        };
        let zh = within("offset hour", num(zh, "offset hour", whole)?, 0, 23, whole)?;
        let zm = within(
            "offset minute",
            num(zm, "offset minute", whole)?,
            0,
            59,
            whole,
        )?;
        let sign = if upper.as_bytes()[i] == b'+' { 1 } else { -1 };
        (
            upper[..i].trim_end().to_string(),
            sign * i64::from(zh * 3600 + zm * 60),
        )
    } else {
        (upper.clone(), 0)
    };
    let mut it = clock.split(':');
    let hour = num(it.next().unwrap_or(""), "hour", whole)?;
    let minute = it.next().map_or(Ok(0), |m| num(m, "minute", whole))?;
    let second = match it.next() {
        None => 0,
        Some(x) => {
            let whole_secs = x.split_once('.').map_or(x, |(a, frac)| {
                if frac.bytes().all(|c| c.is_ascii_digit()) {
                    a
                } else {
                    "bad"
                }
            });
            num(whole_secs, "second", whole)?
        }
    };
    if it.next().is_some() {
        return Err(too_many());
    }
    let hour = within("hour", hour, 0, 23, whole)?;
    let minute = within("minute", minute, 0, 59, whole)?;
    // 60: a leap second.
    let second = within("second", second, 0, 60, whole)?;
    Ok(i64::from(hour * 3600 + minute * 60 + second) - offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        let h9 = Ok(1_571_302_800);
        for (text, want) in [
            ("2019-10-17 09-AM", h9.clone()),
            ("2019-10-17 09-am", h9.clone()),
            ("2019-10-17 12-AM", Ok(1_571_270_400)),
            ("2019-10-17 12-PM", Ok(1_571_313_600)),
            ("2019-10-17 09-PM", Ok(1_571_346_000)),
            ("2019-10-17 09:00:00 AM", h9.clone()),
            ("2019-10-17", Ok(1_571_270_400)),
            ("2019/10/17", Ok(1_571_270_400)),
            ("2019-10-17T09:00", h9.clone()),
            ("2019-10-17 09:00:00", h9.clone()),
            ("2019-10-17T09:00:00.000Z", h9.clone()),
            ("2019-10-17T09:00:00 UTC", h9.clone()),
            ("2019-10-17T11:00:00+02:00", h9.clone()),
            ("2019-10-17T04:00:00-0500", h9.clone()),
            ("1571302800", h9.clone()),
            ("1571302800.0", h9.clone()),
            ("1571302800000", h9.clone()),
            ("1571302800000000", h9.clone()),
            ("2020-02-29", Ok(1_582_934_400)),
        ] {
            assert_eq!(parse_time(text), want, "{text}");
        }
        for bad in [
            "",
            "yesterday",
            "2019-13-01",
            "2019-02-29",
            "2019-10-17 25:00",
            "2019-10-17 13-PM",
            "2019-10-17 09:61",
            "-5",
            "2019-10",
            "nan",
        ] {
            assert!(parse_time(bad).is_err(), "{bad:?} should fail");
        }
    }

    #[test]
    fn errors_name_the_part_the_value_and_the_range() {
        let range = |part, value, min, max, text: &str| TimeError::OutOfRange {
            part,
            value,
            min,
            max,
            text: text.into(),
        };
        let cases: [(&str, TimeError, &str); 14] = [
            ("  ", TimeError::Empty, "empty time"),
            (
                "yesterday",
                TimeError::Unrecognised { text: "yesterday".into() },
                "unrecognised time \"yesterday\": expected a date like 2019-10-17T09:00:00Z or epoch seconds",
            ),
            (
                "-5",
                TimeError::Unrecognised { text: "-5".into() },
                "unrecognised time \"-5\"",
            ),
            (
                "1e21",
                TimeError::TooLarge { text: "1e21".into() },
                "epoch time 1e21 is too large: expected below 1e20",
            ),
            (
                "2019-10",
                TimeError::Date { text: "2019-10".into() },
                "unrecognised date \"2019-10\": expected YYYY-MM-DD",
            ),
            (
                "2019-x-01",
                TimeError::NotDigits { part: "month", text: "2019-x-01".into() },
                "bad month in \"2019-x-01\": expected digits",
            ),
            (
                "2019-13-01",
                range("month", 13, 1, 12, "2019-13-01"),
                "month 13 out of range in \"2019-13-01\": expected 1 to 12",
            ),
            (
                "2019-02-29",
                range("day", 29, 1, 28, "2019-02-29"),
                "day 29 out of range in \"2019-02-29\": expected 1 to 28",
            ),
            (
                "2019-10-17 25:00",
                range("hour", 25, 0, 23, "2019-10-17 25:00"),
                "hour 25 out of range in \"2019-10-17 25:00\": expected 0 to 23",
            ),
            (
                "2019-10-17 09:61",
                range("minute", 61, 0, 59, "2019-10-17 09:61"),
                "minute 61 out of range in \"2019-10-17 09:61\": expected 0 to 59",
            ),
            (
                "2019-10-17 13-PM",
                range("hour", 13, 1, 12, "2019-10-17 13-PM"),
                "hour 13 out of range in \"2019-10-17 13-PM\": expected 1 to 12",
            ),
            (
                "2019-10-17T09:00+24:00",
                range("offset hour", 24, 0, 23, "2019-10-17T09:00+24:00"),
                "offset hour 24 out of range in \"2019-10-17T09:00+24:00\": expected 0 to 23",
            ),
            (
                "2019-10-17 09:00:00:00",
                TimeError::Clock { text: "2019-10-17 09:00:00:00".into() },
                "bad time of day in \"2019-10-17 09:00:00:00\": expected HH, HH:MM or HH:MM:SS",
            ),
            (
                "2019-10-17 09:00:00:00 PM",
                TimeError::Clock { text: "2019-10-17 09:00:00:00 PM".into() },
                "bad time of day in \"2019-10-17 09:00:00:00 PM\"",
            ),
        ];
        for (text, want, message) in cases {
            let got = parse_time(text).unwrap_err();
            assert_eq!(got, want, "{text:?}");
            assert!(got.to_string().starts_with(message), "{text:?}: {got}");
        }
    }

    #[test]
    fn formats_iso() {
        assert_eq!(format_iso(1_582_934_400 + 3_661), "2020-02-29T01:01:01Z");
        assert_eq!(format_iso(-1), "1969-12-31T23:59:59Z");
    }
}
