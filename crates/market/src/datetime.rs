//! Hand-written UTC date parsing and formatting: price files use a handful of fixed shapes
//! (ISO 8601 with or without time and offset, CryptoDataDownload's `2019-10-17 09-AM`, epoch
//! seconds / milliseconds / microseconds), which `chrono` and `time` parse only through format
//! strings tried one after another and not at all for the `09-AM` form; the civil-calendar
//! arithmetic (H. Hinnant's `days_from_civil`) is a few lines and keeps the Replay chunk small.

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count since 1970-01-01: (year, month, day).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

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

/// Parses a time cell to epoch seconds (UTC), or says why not.
///
/// Accepted: epoch seconds, milliseconds, microseconds or nanoseconds (by magnitude: below 1e11
/// seconds, below 1e14 milliseconds, below 1e17 microseconds); `YYYY-MM-DD` (or `/`) optionally
/// followed by `T` or a space and `HH`, `HH:MM`, `HH:MM:SS`, `HH:MM:SS.fff`, then optionally `Z`,
/// `UTC` or an offset `±HH:MM` / `±HHMM`; and CryptoDataDownload's `YYYY-MM-DD HH-AM` / `HH-PM`.
///
/// ```
/// use harvest_market::parse_time;
/// assert_eq!(parse_time("2019-10-17 09-AM"), Ok(1571302800));
/// assert_eq!(parse_time("2019-10-17T09:00:00Z"), Ok(1571302800));
/// assert_eq!(parse_time("1571302800000"), Ok(1571302800));
/// assert!(parse_time("2019-02-30").is_err());
/// ```
///
/// # Errors
/// A message naming what was wrong (shape, month, day, hour, …).
pub fn parse_time(cell: &str) -> Result<i64, String> {
    let s = cell.trim();
    if s.is_empty() {
        return Err("empty time".into());
    }
    let b = s.as_bytes();
    if b.len() >= 5 && b[..4].iter().all(u8::is_ascii_digit) && (b[4] == b'-' || b[4] == b'/') {
        parse_datetime(s)
    } else {
        parse_epoch(s)
    }
}

fn parse_epoch(s: &str) -> Result<i64, String> {
    let v: f64 = s.parse().map_err(|_| format!("unrecognised time {s:?}"))?;
    if !v.is_finite() || v < 0.0 {
        return Err(format!("unrecognised time {s:?}"));
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
        return Err(format!("epoch time {s} is too large"));
    };
    Ok(secs.floor() as i64)
}

fn num(s: &str, what: &str, whole: &str) -> Result<u32, String> {
    if s.is_empty() || !s.bytes().all(|c| c.is_ascii_digit()) {
        return Err(format!("bad {what} in {whole:?}"));
    }
    s.parse().map_err(|_| format!("bad {what} in {whole:?}"))
}

fn parse_datetime(s: &str) -> Result<i64, String> {
    let sep = s.as_bytes()[4] as char;
    let (date, rest) = match s.find(['T', ' ']) {
        Some(i) => (&s[..i], s[i + 1..].trim_start()),
        None => (s, ""),
    };
    let mut parts = date.split(sep);
    let (Some(y), Some(m), Some(d), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(format!("unrecognised date {s:?}"));
    };
    let y = i64::from(num(y, "year", s)?);
    let m = num(m, "month", s)?;
    let d = num(d, "day", s)?;
    if !(1..=12).contains(&m) {
        return Err(format!("month {m} out of range in {s:?}"));
    }
    if !(1..=days_in_month(y, m)).contains(&d) {
        return Err(format!("day {d} out of range in {s:?}"));
    }
    let day_secs = days_from_civil(y, m, d) * 86_400;
    if rest.is_empty() {
        return Ok(day_secs);
    }
    Ok(day_secs + parse_clock(rest, s)?)
}

/// Seconds into the day (minus the offset) of `HH[:MM[:SS[.f]]][Z|UTC|±HH:MM]` or `HH-AM`/`HH-PM`.
fn parse_clock(t: &str, whole: &str) -> Result<i64, String> {
    let upper = t.to_ascii_uppercase();
    for (suffix, pm) in [("-AM", false), ("-PM", true), (" AM", false), (" PM", true)] {
        if let Some(h) = upper.strip_suffix(suffix) {
            // `09-AM`, or `09:00:00 PM`: a 12-hour clock.
            let mut it = h.split(':');
            let hour = num(it.next().unwrap_or(""), "hour", whole)?;
            let minute = it.next().map_or(Ok(0), |m| num(m, "minute", whole))?;
            let second = it.next().map_or(Ok(0), |x| num(x, "second", whole))?;
            if !(1..=12).contains(&hour) || minute > 59 || second > 59 || it.next().is_some() {
                return Err(format!("bad 12-hour time in {whole:?}"));
            }
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
        let zh = num(zh, "offset hour", whole)?;
        let zm = num(zm, "offset minute", whole)?;
        if zh > 23 || zm > 59 {
            return Err(format!("bad offset in {whole:?}"));
        }
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
    if it.next().is_some() || hour > 23 || minute > 59 || second > 60 {
        return Err(format!("bad time of day in {whole:?}"));
    }
    Ok(i64::from(hour * 3600 + minute * 60 + second) - offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip() {
        for days in [-800_000, -1, 0, 1, 59, 365, 10_957, 18_186, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days, "{y}-{m}-{d}");
        }
    }

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
    fn formats_iso() {
        assert_eq!(format_iso(1_582_934_400 + 3_661), "2020-02-29T01:01:01Z");
        assert_eq!(format_iso(-1), "1969-12-31T23:59:59Z");
    }
}
