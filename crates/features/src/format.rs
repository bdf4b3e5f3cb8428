//! Numbers to text and text to numbers, the one module for both: every formatter the features,
//! the CLI and the dashboard show a number with (plain: [`shortest`], [`fixed`], [`format_sig`];
//! with its meaning: [`fmt_r`], [`fmt_k`], [`fmt_price`], [`fmt_tick`], [`fmt_axis_value`],
//! [`fmt_bytes`], [`fmt_count`], [`fmt_time`]) and every parser of typed or recorded numbers
//! ([`parse_number`], [`parse_f64_std`]).
//!
//! One convention everywhere: negatives with ASCII `-`, never `-0` after rounding in the
//! display helpers ([`fixed_or_dash`], [`fixed_trim`]), and [`DASH`] (`–`) for a missing or
//! non-finite value.
//!
//! The text is `core::fmt`'s. Shortest text comes from `zmij` (via [`Num`]); in the browser
//! build `fixed` and `sci` are [`fixed_exact`] and [`sci_exact`] (exact decimal expansion,
//! rounded half to even as `core::fmt` does; BENCHMARKS.md says what that saves), unit-tested
//! natively against `core::fmt` (ties, powers of two, subnormals, every magnitude), and a browser
//! test checks the wasm build. Parsing in the browser build is the browser's `Number()` behind
//! the same grammar checks.

pub use harvest_kernel::num::{Num, Short};
use harvest_kernel::Axis;

/// What a missing or non-finite value shows: an en dash.
pub const DASH: &str = "–";

/// `format!("{v}")`: the shortest decimal that reads back to `v`, never in exponent form
/// (`0.0000001`, `1000000000000000000000`), `-0` for negative zero, `NaN`, `inf`, `-inf`.
///
/// ```
/// use harvest_features::format::shortest;
/// assert_eq!(shortest(0.1 + 0.2), "0.30000000000000004");
/// assert_eq!(shortest(1e-7), "0.0000001");
/// assert_eq!(shortest(100.0), "100");
/// ```
pub fn shortest(v: f64) -> String {
    Num(v).to_string()
}

/// `format!("{v:?}")`: like [`shortest`] with at least one decimal (`1.0`), and in exponent
/// form below 1e-4 and from 1e16 on (`1e-5`, `1e16`).
///
/// ```
/// use harvest_features::format::debug;
/// assert_eq!(debug(2.0), "2.0");
/// assert_eq!(debug(0.25), "0.25");
/// assert_eq!(debug(1e-5), "1e-5");
/// ```
pub fn debug(v: f64) -> String {
    format!("{:#}", Num(v))
}

/// `format!("{v:e}")`: the shortest digits in exponent form (`1e-9`, `1.5e3`, `0e0`).
///
/// ```
/// use harvest_features::format::exp;
/// assert_eq!(exp(1e-9), "1e-9");
/// assert_eq!(exp(1500.0), "1.5e3");
/// ```
pub fn exp(v: f64) -> String {
    if v.is_finite() {
        exp_form(&shortest(v))
    } else {
        shortest(v)
    }
}

/// A plain decimal (`-0.00015`, `1500`, as [`shortest`] writes them) in Rust's exponent form
/// (`-1.5e-4`, `1.5e3`): the significant digits, one before the point, then `e` and the power.
///
/// ```
/// use harvest_features::format::exp_form;
/// assert_eq!(exp_form("-0.00015"), "-1.5e-4");
/// assert_eq!(exp_form("1500"), "1.5e3");
/// assert_eq!(exp_form("0"), "0e0");
/// ```
pub fn exp_form(plain: &str) -> String {
    let b = plain.as_bytes();
    let (neg, b) = match b.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, b),
    };
    let int_len = b.iter().position(|&c| c == b'.').unwrap_or(b.len());
    let digits: Vec<u8> = b.iter().copied().filter(|&c| c != b'.').collect();
    let mut out = String::from(if neg { "-" } else { "" });
    let Some(first) = digits.iter().position(|&c| c != b'0') else {
        out.push_str("0e0");
        return out;
    };
    let last = digits.iter().rposition(|&c| c != b'0').unwrap_or(first);
    for (i, &d) in digits[first..=last].iter().enumerate() {
        if i == 1 {
            out.push('.');
        }
        out.push(char::from(d));
    }
    out.push('e');
    let e = int_len as i64 - 1 - first as i64;
    if e < 0 {
        out.push('-');
    }
    out.push_str(&e.unsigned_abs().to_string());
    out
}

/// `format!("{v:.decimals$}")`: `decimals` digits after the point, rounded half to even on the
/// exact value, `-` for every negative value (also `-0.00`), `NaN`, `inf`, `-inf`.
///
/// ```
/// use harvest_features::format::fixed;
/// assert_eq!(fixed(0.7341, 3), "0.734");
/// assert_eq!(fixed(2.5, 0), "2");
/// assert_eq!(fixed(-0.001, 2), "-0.00");
/// ```
pub fn fixed(v: f64, decimals: usize) -> String {
    #[cfg(target_arch = "wasm32")]
    {
        fixed_exact(v, decimals)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        format!("{v:.decimals$}")
    }
}

/// `format!("{v:.precision$e}")`: see [`sci_exact`].
///
/// ```
/// use harvest_features::format::sci;
/// assert_eq!(sci(0.00012345, 3), "1.234e-4");
/// ```
pub fn sci(v: f64, precision: usize) -> String {
    #[cfg(target_arch = "wasm32")]
    {
        sci_exact(v, precision)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        format!("{v:.precision$e}")
    }
}

/// A number with exactly `decimals` decimals for display: [`fixed`] without a negative zero
/// (`-0.0001` → `0.00`), [`DASH`] when not finite.
///
/// ```
/// use harvest_features::format::fixed_or_dash;
/// assert_eq!(fixed_or_dash(2.456, 2), "2.46");
/// assert_eq!(fixed_or_dash(-0.0001, 2), "0.00");
/// assert_eq!(fixed_or_dash(-1.5, 1), "-1.5");
/// assert_eq!(fixed_or_dash(f64::NAN, 2), "–");
/// ```
pub fn fixed_or_dash(v: f64, decimals: usize) -> String {
    if !v.is_finite() {
        return DASH.to_string();
    }
    let s = fixed(v, decimals);
    match s.strip_prefix('-') {
        Some(rest) if rest.bytes().all(|c| c == b'0' || c == b'.') => rest.to_string(),
        _ => s,
    }
}

/// At most `decimals` decimals, trailing zeros trimmed: [`fixed_or_dash`] then trimmed
/// (`0.0968` → `0.097`, `2.0` → `2`, `-0.0001` → `0`); [`DASH`] when not finite.
///
/// ```
/// use harvest_features::format::fixed_trim;
/// assert_eq!(fixed_trim(0.0968, 3), "0.097");
/// assert_eq!(fixed_trim(2.0, 2), "2");
/// assert_eq!(fixed_trim(-0.0001, 2), "0");
/// assert_eq!(fixed_trim(f64::INFINITY, 2), "–");
/// ```
pub fn fixed_trim(v: f64, decimals: usize) -> String {
    let s = fixed_or_dash(v, decimals);
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// `sig` significant digits, trailing zeros trimmed (`0.01786`, `4.1`, `86400`); non-finite
/// values as [`shortest`] writes them (`NaN`, `inf`).
///
/// Formula: `decimals = max(0, sig − 1 − ⌊log10 |v|⌋)`, then [`fixed`] and trimming.
///
/// ```
/// use harvest_features::format::format_sig;
/// assert_eq!(format_sig(0.022712345, 4), "0.02271");
/// assert_eq!(format_sig(4.1000000001, 4), "4.1");
/// assert_eq!(format_sig(86400.0, 4), "86400");
/// assert_eq!(format_sig(-0.5, 3), "-0.5");
/// ```
pub fn format_sig(v: f64, sig: usize) -> String {
    if !v.is_finite() {
        return shortest(v);
    }
    if v == 0.0 {
        return "0".to_string();
    }
    let mag = v.abs().log10().floor() as i32;
    let decimals = (sig as i32 - 1 - mag).max(0) as usize;
    let s = fixed(v, decimals);
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// Two numbers shown side by side, rounded as little as tells them apart: 3 significant
/// digits, more only while the two texts are still equal (up to 17, where any two different
/// numbers differ). Equal numbers give equal texts at 3 digits.
///
/// ```
/// use harvest_features::format::distinct_pair;
/// assert_eq!(distinct_pair(0.5213, 0.6148), ("0.521".into(), "0.615".into()));
/// assert_eq!(distinct_pair(0.503121, 0.503124), ("0.503121".into(), "0.503124".into()));
/// assert_eq!(distinct_pair(2.0, 2.0), ("2".into(), "2".into()));
/// ```
pub fn distinct_pair(a: f64, b: f64) -> (String, String) {
    let mut sig = 3;
    loop {
        let (x, y) = (format_sig(a, sig), format_sig(b, sig));
        if x != y || sig >= 17 || a == b || a.to_bits() == b.to_bits() {
            return (x, y);
        }
        sig += 1;
    }
}

/// A flip point as a sentence: `"σ ≥ 0.01786 → FULL_CLOSE_PROPOSED"` (4 significant digits).
///
/// ```
/// use harvest_kernel::{flip_points, Axis, HarvestInput};
/// use harvest_features::format::flip_sentence;
/// let flips = flip_points(&HarvestInput::default());
/// let sigma = flips.iter().find(|f| f.axis == Axis::Sigma).unwrap();
/// assert_eq!(flip_sentence(sigma), "σ ≥ 0.01786 → FULL_CLOSE_PROPOSED");
/// ```
pub fn flip_sentence(f: &harvest_kernel::FlipPoint) -> String {
    let op = match f.direction {
        harvest_kernel::Direction::Up => "≥",
        harvest_kernel::Direction::Down => "≤",
    };
    format!(
        "{} {} {} → {}",
        f.axis.label(),
        op,
        format_sig(f.value, 4),
        f.to
    )
}

/// Text quoted in a message, cut to at most 60 characters (57 and an ellipsis).
///
/// ```
/// use harvest_features::format::shorten;
/// assert_eq!(shorten("kill"), "kill");
/// let long = "x".repeat(100);
/// assert_eq!(shorten(&long).chars().count(), 58);
/// assert!(shorten(&long).ends_with("x…"));
/// ```
pub fn shorten(s: &str) -> String {
    if s.chars().count() > 60 {
        let head: String = s.chars().take(57).collect();
        format!("{head}…")
    } else {
        s.to_string()
    }
}

// ---------------------------------------------------------------------------------------------
// Values with their meaning: risk multiples, kill scores, prices, ticks, axis values, sizes,
// counts, times.

/// A kill score or probability: 3 decimals (`0.503`).
pub fn fmt_k(v: f64) -> String {
    fixed_trim(v, 3)
}

/// A risk multiple: 2 decimals (`2.45`).
pub fn fmt_r(v: f64) -> String {
    fixed_trim(v, 2)
}

/// A price: 6 significant digits, trailing zeros trimmed (`100.2`, `43251.4`); [`DASH`](DASH) if not finite.
///
/// ```
/// use harvest_features::format::fmt_price;
/// assert_eq!(fmt_price(100.0 * 1.002), "100.2");
/// assert_eq!(fmt_price(99.0), "99");
/// ```
pub fn fmt_price(v: f64) -> String {
    if v.is_finite() {
        format_sig(v, 6)
    } else {
        DASH.to_string()
    }
}

/// A compact tick label: `k`/`M` suffixes from 10 000 up, otherwise 3 significant digits
/// (`108000` → `"108k"`, `0.0125` → `"0.0125"`).
///
/// ```
/// use harvest_features::format::fmt_tick;
/// assert_eq!(fmt_tick(108000.0), "108k");
/// assert_eq!(fmt_tick(2.5e6), "2.5M");
/// assert_eq!(fmt_tick(0.025), "0.025");
/// assert_eq!(fmt_tick(-4.0), "-4");
/// ```
pub fn fmt_tick(v: f64) -> String {
    if !v.is_finite() {
        return DASH.to_string();
    }
    let a = v.abs();
    if a >= 1e6 {
        format!("{}M", format_sig(v / 1e6, 3))
    } else if a >= 1e4 {
        format!("{}k", format_sig(v / 1e3, 3))
    } else if a < 1e-9 {
        "0".to_string()
    } else {
        format_sig(v, 3)
    }
}

/// A value on an axis, for annotations: PnL with 2 decimals, probabilities and TS with 3, σ with
/// 4 significant digits, age in hours when ≥ 1 h (`"27.8 h"`), tunables with 4 significant digits.
///
/// ```
/// use harvest_features::format::fmt_axis_value;
/// use harvest_kernel::Axis;
/// assert_eq!(fmt_axis_value(Axis::AgeSec, 100000.0), "27.8 h");
/// assert_eq!(fmt_axis_value(Axis::Sigma, 0.0227), "0.0227");
/// ```
pub fn fmt_axis_value(axis: Axis, v: f64) -> String {
    match axis {
        Axis::Pnl => fixed_trim(v, 2),
        Axis::PTrend | Axis::Ts => fixed_trim(v, 3),
        Axis::AgeSec if v.abs() >= 3600.0 => format!("{} h", fixed_trim(v / 3600.0, 1)),
        Axis::AgeSec => format!("{} s", fixed_trim(v, 0)),
        Axis::Sigma | Axis::Theta(_) => {
            if v.is_finite() {
                format_sig(v, 4)
            } else {
                DASH.to_string()
            }
        }
    }
}

/// Axis title with unit: `"PnL (quote)"`, `"age (s)"`, `"σ (volatility)"`,
/// `"p_trend (probability)"`, `"kill_threshold (K)"`.
///
/// ```
/// use harvest_features::format::axis_title;
/// use harvest_kernel::Axis;
/// assert_eq!(axis_title(Axis::Pnl), "PnL (quote)");
/// assert_eq!(axis_title(Axis::AgeSec), "age (s)");
/// assert_eq!(axis_title(Axis::Sigma), "σ (volatility)");
/// ```
pub fn axis_title(axis: Axis) -> String {
    match axis {
        Axis::Sigma => "σ (volatility)".to_string(),
        Axis::Ts => "TS (trend strength)".to_string(),
        Axis::PTrend => "p_trend (probability)".to_string(),
        _ => {
            let unit = axis.unit();
            if unit.is_empty() || unit == axis.label() {
                axis.label().to_string()
            } else {
                format!("{} ({})", axis.label(), unit)
            }
        }
    }
}

/// A byte count for people: `512 B`, `1.5 KB`, `50.0 MB` (powers of 1000).
///
/// ```
/// use harvest_features::format::fmt_bytes;
/// assert_eq!(fmt_bytes(512.0), "512 B");
/// assert_eq!(fmt_bytes(1_500.0), "1.5 KB");
/// assert_eq!(fmt_bytes(52_428_800.0), "52.4 MB");
/// ```
pub fn fmt_bytes(b: f64) -> String {
    if !(b.is_finite() && b >= 0.0) {
        return DASH.to_string();
    }
    match b {
        b if b < 1e3 => format!("{} B", fixed(b, 0)),
        b if b < 1e6 => format!("{} KB", fixed(b / 1e3, 1)),
        b if b < 1e9 => format!("{} MB", fixed(b / 1e6, 1)),
        b => format!("{} GB", fixed(b / 1e9, 2)),
    }
}

/// A duration in milliseconds as a person reads it: whole ms under a second, seconds with one
/// decimal under a minute (never `0.0 s` for a run that took time), then minutes and seconds.
///
/// ```
/// use harvest_features::format::fmt_duration;
/// assert_eq!(fmt_duration(0.4), "0 ms");
/// assert_eq!(fmt_duration(38.6), "39 ms");
/// assert_eq!(fmt_duration(1234.0), "1.2 s");
/// assert_eq!(fmt_duration(59_940.0), "59.9 s");
/// assert_eq!(fmt_duration(59_960.0), "1 min 00 s");
/// assert_eq!(fmt_duration(125_000.0), "2 min 05 s");
/// ```
pub fn fmt_duration(ms: f64) -> String {
    if !ms.is_finite() {
        return DASH.to_string();
    }
    let ms = ms.max(0.0);
    if ms < 999.5 {
        format!("{} ms", fixed(ms, 0))
    } else if ms < 59_950.0 {
        format!("{} s", fixed(ms / 1000.0, 1))
    } else {
        let s = (ms / 1000.0).round() as u64;
        format!("{} min {:02} s", s / 60, s % 60)
    }
}

/// A count with thousands separators: `100,000`.
///
/// ```
/// use harvest_features::format::fmt_count;
/// assert_eq!(fmt_count(100_000), "100,000");
/// assert_eq!(fmt_count(999), "999");
/// assert_eq!(fmt_count(1_234_567), "1,234,567");
/// ```
pub fn fmt_count(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `YYYY-MM-DD HH:MM` (UTC) of epoch seconds.
///
/// ```
/// use harvest_features::format::fmt_time;
/// assert_eq!(fmt_time(1571302800), "2019-10-17 09:00");
/// assert_eq!(fmt_time(0), "1970-01-01 00:00");
/// ```
pub fn fmt_time(t: i64) -> String {
    let (days, secs) = (t.div_euclid(86400), t.rem_euclid(86400));
    let (y, m, d) = harvest_market::civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}",
        secs / 3600,
        (secs % 3600) / 60
    )
}

/// A number for a field or a label: 6 significant digits, trailing zeros trimmed.
///
/// ```
/// use harvest_features::format::fmt_num;
/// assert_eq!(fmt_num(0.45000000000000007), "0.45");
/// assert_eq!(fmt_num(86400.0), "86400");
/// ```
pub fn fmt_num(v: f64) -> String {
    format_sig(v, 6)
}

// ---------------------------------------------------------------------------------------------
// Text to numbers.

/// Parses a number as people type it: surrounding spaces, `−` (U+2212) for minus, `_` or thin
/// spaces between digits, and a lone decimal comma are accepted. `None` for anything else or
/// for a non-finite result.
///
/// ```
/// use harvest_features::format::parse_number;
/// assert_eq!(parse_number(" −0,25 "), Some(-0.25));
/// assert_eq!(parse_number("1e-3"), Some(0.001));
/// assert_eq!(parse_number("abc"), None);
/// assert_eq!(parse_number("inf"), None);
/// ```
pub fn parse_number(text: &str) -> Option<f64> {
    let mut s: String = text
        .trim()
        .chars()
        .filter(|c| !matches!(c, '_' | '\u{2009}' | '\u{202f}' | ' '))
        .map(|c| if c == '\u{2212}' { '-' } else { c })
        .collect();
    if !s.contains('.') && s.matches(',').count() == 1 {
        s = s.replace(',', ".");
    }
    if s.is_empty()
        || !s
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E'))
    {
        return None;
    }
    parse_f64(&s).filter(|v| v.is_finite())
}

/// `str::parse::<f64>` (correctly rounded, whole string).
#[cfg(not(target_arch = "wasm32"))]
fn parse_f64(s: &str) -> Option<f64> {
    s.parse::<f64>().ok()
}

/// The browser's `Number(s)`: also correctly rounded and whole-string. [`parse_number`] has
/// already refused what the two read differently (empty text, hex, `Infinity`, inner spaces).
#[cfg(target_arch = "wasm32")]
fn parse_f64(s: &str) -> Option<f64> {
    // `+s` in JavaScript, i.e. `Number(s)`.
    let v = wasm_bindgen::JsValue::from_str(s).unchecked_into_f64();
    (!v.is_nan()).then_some(v)
}

/// Exactly `s.parse::<f64>().ok()` (same grammar, same correctly rounded value); in the browser
/// build the grammar is checked here and the conversion is the browser's `Number(s)`.
pub fn parse_f64_std(s: &str) -> Option<f64> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        s.parse::<f64>().ok()
    }
    #[cfg(target_arch = "wasm32")]
    {
        let (neg, body) = match s.as_bytes().first() {
            Some(b'-') => (true, &s[1..]),
            Some(b'+') => (false, &s[1..]),
            _ => (false, s),
        };
        let special = if body.eq_ignore_ascii_case("inf") || body.eq_ignore_ascii_case("infinity") {
            Some(f64::INFINITY)
        } else if body.eq_ignore_ascii_case("nan") {
            Some(f64::NAN)
        } else {
            None
        };
        if let Some(v) = special {
            return Some(if neg { -v } else { v });
        }
        // digits [. digits] | . digits, then optionally e [+-] digits.
        let b = body.as_bytes();
        let digits = |i: &mut usize| {
            let st = *i;
            while *i < b.len() && b[*i].is_ascii_digit() {
                *i += 1;
            }
            *i - st
        };
        let mut i = 0;
        let mut n = digits(&mut i);
        if i < b.len() && b[i] == b'.' {
            i += 1;
            n += digits(&mut i);
        }
        if n == 0 {
            return None;
        }
        if i < b.len() && (b[i] | 0x20) == b'e' {
            i += 1;
            if i < b.len() && matches!(b[i], b'+' | b'-') {
                i += 1;
            }
            if digits(&mut i) == 0 {
                return None;
            }
        }
        if i != b.len() {
            return None;
        }
        parse_f64(s)
    }
}

// ---------------------------------------------------------------------------------------------
// Exact decimal expansion (the wasm's `fixed` and `sci`).

/// [`fixed`] in plain Rust: the exact decimal expansion of the double (`m · 2^e` written out
/// with schoolbook arithmetic), rounded to `decimals` places half to even, as `core::fmt` does.
///
/// ```
/// use harvest_features::format::fixed_exact;
/// assert_eq!(fixed_exact(0.125, 2), "0.12");
/// assert_eq!(fixed_exact(0.375, 2), "0.38");
/// assert_eq!(fixed_exact(1e21, 1), "1000000000000000000000.0");
/// ```
pub fn fixed_exact(v: f64, decimals: usize) -> String {
    let mut out = match sign_or_special(v) {
        Ok(sign) => String::from(sign),
        Err(text) => return String::from(text),
    };
    let (mut d, places) = exact_digits(v);
    // Keep `decimals` fractional digits: drop the lowest `places − decimals`, rounding.
    if places > decimals {
        round_off(&mut d, places - decimals);
    } else {
        let mut padded = vec![0u8; decimals - places];
        padded.append(&mut d);
        d = padded;
    }
    // d now holds the value · 10^decimals.
    while d.len() > decimals + 1 && d.last() == Some(&0) {
        d.pop();
    }
    while d.len() < decimals + 1 {
        d.push(0);
    }
    for (i, &x) in d.iter().enumerate().rev() {
        if i + 1 == decimals {
            out.push('.');
        }
        out.push(char::from(b'0' + x));
    }
    out
}

/// `format!("{v:.precision$e}")` in plain Rust: `precision` digits after the point of the
/// mantissa, rounded half to even on the exact value (`1.235e-4`).
///
/// ```
/// use harvest_features::format::sci_exact;
/// assert_eq!(sci_exact(0.00012345, 3), "1.234e-4");
/// assert_eq!(sci_exact(9.9996, 3), "1.000e1");
/// ```
pub fn sci_exact(v: f64, precision: usize) -> String {
    let mut out = match sign_or_special(v) {
        Ok(sign) => String::from(sign),
        Err(text) => return String::from(text),
    };
    let (mut d, places) = exact_digits(v);
    while d.last() == Some(&0) {
        d.pop();
    }
    // value = d · 10^-places, d has d.len() digits: the leading one is 10^(len − 1 − places).
    let mut e = d.len() as i64 - 1 - places as i64;
    if d.is_empty() {
        d.push(0);
        e = 0;
    }
    if d.len() > precision + 1 {
        let drop = d.len() - precision - 1;
        round_off(&mut d, drop);
        if d.len() > precision + 1 {
            // 9.99… rounded up to 10.0…: one more digit.
            d.remove(0);
            e += 1;
        }
    }
    while d.len() < precision + 1 {
        d.insert(0, 0);
    }
    for (i, &x) in d.iter().rev().enumerate() {
        if i == 1 {
            out.push('.');
        }
        out.push(char::from(b'0' + x));
    }
    out.push('e');
    if e < 0 {
        out.push('-');
    }
    out.push_str(&e.unsigned_abs().to_string());
    out
}

/// The sign of a finite `v` (`"-"` or `""`, `-0.0` included), or (`Err`, not an error: the
/// whole text) NaN and ±inf as `core::fmt` writes them.
fn sign_or_special(v: f64) -> Result<&'static str, &'static str> {
    let negative = v.is_sign_negative();
    if v.is_nan() {
        Err("NaN")
    } else if v.is_infinite() {
        Err(if negative { "-inf" } else { "inf" })
    } else {
        Ok(if negative { "-" } else { "" })
    }
}

/// The exact value of a finite `|v|` as little-endian decimal digits and the count of them
/// after the point (`m · 2^e` written out with schoolbook arithmetic).
fn exact_digits(v: f64) -> (Vec<u8>, usize) {
    let bits = v.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    let frac = bits & ((1u64 << 52) - 1);
    let (n, e) = if biased == 0 {
        (frac, -1074)
    } else {
        (frac | (1u64 << 52), biased - 1075)
    };
    let mut d: Vec<u8> = Vec::new();
    let mut t = n;
    while t > 0 {
        d.push((t % 10) as u8);
        t /= 10;
    }
    if e >= 0 {
        let mut k = e;
        while k > 0 {
            let c = k.min(30);
            mul_digits(&mut d, 1u64 << c);
            k -= c;
        }
        (d, 0)
    } else {
        let mut k = -e;
        while k > 0 {
            let c = k.min(13);
            mul_digits(&mut d, 5u64.pow(c as u32));
            k -= c;
        }
        (d, (-e) as usize)
    }
}

/// Multiplies the little-endian decimal digits `d` by `m` in place.
fn mul_digits(d: &mut Vec<u8>, m: u64) {
    let mut carry = 0u64;
    for x in d.iter_mut() {
        let t = u64::from(*x) * m + carry;
        *x = (t % 10) as u8;
        carry = t / 10;
    }
    while carry > 0 {
        d.push((carry % 10) as u8);
        carry /= 10;
    }
}

/// Drops the lowest `drop` (≥ 1) little-endian digits of `d`, rounding half to even.
fn round_off(d: &mut Vec<u8>, drop: usize) {
    let digit = |d: &[u8], i: usize| d.get(i).copied().unwrap_or(0);
    let first = digit(d, drop - 1);
    let sticky = (0..drop - 1).any(|i| digit(d, i) != 0);
    let odd = digit(d, drop) % 2 == 1;
    let up = first > 5 || (first == 5 && (sticky || odd));
    *d = if drop < d.len() {
        d.split_off(drop)
    } else {
        Vec::new()
    };
    if up {
        let mut i = 0;
        loop {
            if i == d.len() {
                d.push(1);
                break;
            }
            if d[i] == 9 {
                d[i] = 0;
                i += 1;
            } else {
                d[i] += 1;
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Doubles of every magnitude, ties, near-ties and specials.
    fn samples() -> Vec<f64> {
        let mut v = vec![
            0.0,
            -0.0,
            0.5,
            1.5,
            2.5,
            0.125,
            0.375,
            -0.125,
            1.005,
            0.0005,
            0.7341,
            99.99999,
            1e21,
            1e22,
            1.5e300,
            f64::MAX,
            f64::MIN_POSITIVE,
            5e-324,
            1e-7,
            123_456_789.987_654_33,
            651_940_860_439_473.0 + 0.25,
            9_007_199_254_740_993.0,
            2f64.powi(-1022),
            2f64.powi(60),
            0.1,
            0.2,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ];
        // Exact ties between two shortest candidates (x.25 at large magnitudes) and powers of
        // two (their rounding interval is lopsided).
        for i in 0..300_i32 {
            let n = ((1_u64 << 50) + i as u64 * 977) as f64;
            v.push(n * 0.25 * 2f64.powi(i % 30));
            v.push(2f64.powi(i * 7 - 1050));
        }
        // A deterministic spread: x_{n+1} = frac(x_n · 9.73 + 0.137) scaled by powers of ten.
        let mut x = 0.3172_f64;
        for i in 0..4000 {
            x = (x * 9.73 + 0.137).fract();
            let p = i % 40 - 20;
            let s = if i % 3 == 0 { -1.0 } else { 1.0 };
            v.push(s * x * 10f64.powi(p));
            // Exact ties at 1..4 decimals.
            v.push(((x * 1000.0).floor() + 0.5) / 10f64.powi(i % 4));
        }
        v
    }

    #[test]
    fn fixed_exact_matches_core() {
        for v in samples() {
            for d in [0, 1, 2, 3, 4, 6, 9, 17] {
                assert_eq!(fixed_exact(v, d), format!("{v:.d$}"), "{v:e} .{d}");
                assert_eq!(sci_exact(v, d), format!("{v:.d$e}"), "{v:e} .{d}e");
            }
        }
    }

    #[test]
    fn shortest_debug_and_exp_match_core() {
        // Exact ties between the two shortest candidates (`…473.25`) are the one difference:
        // core rounds up, zmij takes the even digit; both read back to the same double.
        let tie = |ours: &str, core: &str, v: f64| {
            ours.len() == core.len() && ours.parse::<f64>().ok() == Some(v)
        };
        let mut ties = 0;
        for v in samples() {
            let (ours, core) = (shortest(v), format!("{v}"));
            if ours != core {
                assert!(tie(&ours, &core, v), "{v:e}: {ours} vs {core}");
                ties += 1;
                continue;
            }
            assert_eq!(debug(v), format!("{v:?}"), "{v:e}");
            assert_eq!(exp(v), format!("{v:e}"), "{v:e}");
        }
        assert!(ties < 200, "{ties} ties");
    }

    /// One dash convention: every display helper writes ASCII `-` for negatives, no `-0`, and
    /// the en dash for non-finite values.
    #[test]
    fn display_helpers_share_one_convention() {
        let cases: [(f64, usize, &str, &str); 7] = [
            (-2.345, 2, "-2.35", "-2.35"),
            (-0.004, 2, "0.00", "0"),
            (-0.0, 1, "0.0", "0"),
            (2.5, 3, "2.500", "2.5"),
            (f64::NAN, 2, DASH, DASH),
            (f64::NEG_INFINITY, 2, DASH, DASH),
            (1e-9, 0, "0", "0"),
        ];
        for (v, d, fixed_text, trimmed) in cases {
            assert_eq!(fixed_or_dash(v, d), fixed_text, "{v} .{d}");
            assert_eq!(fixed_trim(v, d), trimmed, "{v} .{d}");
        }
    }

    #[test]
    fn time_round_trips() {
        for t in [0i64, 1500000000, 1571302800, 951782400, 4102444800] {
            let s = fmt_time(t);
            assert_eq!(
                harvest_market::parse_time(&s),
                Ok(t - t.rem_euclid(60)),
                "{s}"
            );
        }
    }

    #[test]
    fn typed_numbers_and_shown_decimals() {
        assert_eq!(fixed_or_dash(-0.0001, 2), "0.00");
        assert_eq!(fixed_or_dash(2.456, 2), "2.46");
        assert_eq!(fixed_or_dash(f64::NAN, 2), "–");
        assert_eq!(parse_number("1 000,5"), Some(1000.5));
        assert_eq!(parse_number("-"), None);
        assert_eq!(parse_number("0x10"), None);
    }
}
