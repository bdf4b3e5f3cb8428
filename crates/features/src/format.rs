//! Numbers to text, the one formatting module: shortest text from `zmij` (via [`Num`]); `fixed` and
//! `sci` are hand-written in wasm because no crate rounds the exact value half to even without core's
//! float formatting (its Grisu/Dragon tables cost about 6 KB of the gzipped dashboard).
//!
//! One convention everywhere: negatives with ASCII `-`, never `-0` after rounding in the
//! display helpers ([`fixed_or_dash`], [`fixed_trim`]), and [`DASH`] (`–`) for a missing or
//! non-finite value.
//!
//! The text is `core::fmt`'s: natively `fixed` and `sci` are `core::fmt` itself; the hand-written
//! wasm versions ([`fixed_exact`], [`sci_exact`]) are unit-tested natively against `core::fmt`
//! (ties, powers of two, subnormals, every magnitude), and a browser test checks the wasm build.

pub use harvest_kernel::num::Num;

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
}
