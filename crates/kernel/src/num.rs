//! Numbers to text, the same text as `core::fmt`, without core's float formatting in the browser
//! build.
//!
//! `format!("{v}")` and `format!("{v:.2}")` on an `f64` link core's float-to-decimal machinery
//! (Grisu and Dragon with big-number arithmetic and power tables, about 6 KB of the gzipped
//! wasm). Every float the dashboard writes goes through this module instead:
//!
//! - natively (the CLI, the tests) the functions are exactly `core::fmt`;
//! - in wasm, they are plain Rust on the exact decimal value of the double (`m · 2^e` written
//!   out): [`fixed_exact`] rounds it half to even, [`shortest_exact`] finds the fewest digits
//!   that read back to the same double (the closer candidate, a tie rounding up), as core does.
//!
//! The plain-Rust functions are unit-tested natively against `core::fmt` (ties, powers of two,
//! subnormals, every magnitude), and a browser test checks the wasm build against `core::fmt`.

use std::fmt;

/// `format!("{v:.decimals$}")`: `decimals` digits after the point, rounded half to even on the
/// exact value, `-` for every negative value (also `-0.00`), `NaN`, `inf`, `-inf`.
///
/// ```
/// use harvest_kernel::num::fixed;
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

/// `format!("{v}")`: the shortest decimal that reads back to `v`, never in exponent form
/// (`0.0000001`, `1000000000000000000000`), `-0` for negative zero, `NaN`, `inf`, `-inf`.
///
/// ```
/// use harvest_kernel::num::shortest;
/// assert_eq!(shortest(0.1 + 0.2), "0.30000000000000004");
/// assert_eq!(shortest(1e-7), "0.0000001");
/// assert_eq!(shortest(100.0), "100");
/// ```
pub fn shortest(v: f64) -> String {
    #[cfg(target_arch = "wasm32")]
    {
        shortest_exact(v)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        format!("{v}")
    }
}

/// `format!("{v:e}")`: the shortest digits in exponent form (`1e-9`, `1.5e3`, `0e0`).
///
/// ```
/// use harvest_kernel::num::exp;
/// assert_eq!(exp(1e-9), "1e-9");
/// assert_eq!(exp(1500.0), "1.5e3");
/// ```
pub fn exp(v: f64) -> String {
    #[cfg(target_arch = "wasm32")]
    {
        if v.is_finite() {
            exp_form(&shortest(v))
        } else {
            shortest(v)
        }
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        format!("{v:e}")
    }
}

/// `format!("{v:?}")`: like [`shortest`] with at least one decimal (`1.0`), and in exponent
/// form below 1e-4 and from 1e16 on (`1e-5`, `1e16`).
///
/// ```
/// use harvest_kernel::num::debug;
/// assert_eq!(debug(2.0), "2.0");
/// assert_eq!(debug(0.25), "0.25");
/// assert_eq!(debug(1e-5), "1e-5");
/// ```
pub fn debug(v: f64) -> String {
    #[cfg(target_arch = "wasm32")]
    {
        debug_from_shortest(v, shortest(v))
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        format!("{v:?}")
    }
}

/// [`debug`] from `v` and its [`shortest`] text.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
fn debug_from_shortest(v: f64, s: String) -> String {
    if !v.is_finite() {
        s
    } else if v != 0.0 && (v.abs() < 1e-4 || v.abs() >= 1e16) {
        exp_form(&s)
    } else if s.contains('.') {
        s
    } else {
        s + ".0"
    }
}

/// A plain decimal (`-0.00015`, `1500`, as [`shortest`] writes them) in Rust's exponent form
/// (`-1.5e-4`, `1.5e3`): the significant digits, one before the point, then `e` and the power.
///
/// ```
/// use harvest_kernel::num::exp_form;
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

/// An `f64` shown as [`shortest`] in `format!` (`format!("σ = {}", Num(x))`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Num(pub f64);

impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&shortest(self.0))
    }
}

/// [`shortest`] in plain Rust, exactly as `core::fmt` does it: the fewest significant digits
/// whose decimal lies inside the interval of reals that parse back to `v` (endpoints included
/// when the mantissa is even), and of the two candidates at that length the closer one (a tie
/// rounds up).
///
/// ```
/// use harvest_kernel::num::shortest_exact;
/// assert_eq!(shortest_exact(0.3), "0.3");
/// assert_eq!(shortest_exact(651940860439473.0 + 0.25), "651940860439473.3");
/// assert_eq!(shortest_exact(1e-7), "0.0000001");
/// ```
pub fn shortest_exact(v: f64) -> String {
    let mut out = match sign_or_special(v) {
        Ok(sign) => sign,
        Err(text) => return text,
    };
    if v == 0.0 {
        out.push('0');
        return out;
    }
    let bits = v.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    let frac = bits & ((1u64 << 52) - 1);
    let (m, e) = if biased == 0 {
        (frac, -1074)
    } else {
        (frac | (1u64 << 52), biased - 1075)
    };
    // v, and the bounds of what rounds to it, as n · 2^(e − 2).
    let lower = if frac == 0 && biased > 1 { 1 } else { 2 };
    let (dv, places) = dyadic_digits(4 * m, e - 2);
    let (dl, _) = dyadic_digits(4 * m - lower, e - 2);
    let (dh, _) = dyadic_digits(4 * m + 2, e - 2);
    let inclusive = m % 2 == 0;
    let n = dv.len();
    let mut chosen = dv.clone();
    for k in 1..=n {
        let drop = n - k;
        let mut down = dv.clone();
        down[..drop].iter_mut().for_each(|x| *x = 0);
        let mut up = down.clone();
        add_pow10(&mut up, drop);
        let lo_ok = match cmp_digits(&down, &dl) {
            std::cmp::Ordering::Greater => true,
            std::cmp::Ordering::Equal => inclusive,
            std::cmp::Ordering::Less => false,
        };
        let hi_ok = match cmp_digits(&up, &dh) {
            std::cmp::Ordering::Less => true,
            std::cmp::Ordering::Equal => inclusive,
            std::cmp::Ordering::Greater => false,
        };
        let pick_up = match (lo_ok, hi_ok) {
            (false, false) => continue,
            (true, false) => false,
            (false, true) => true,
            // The closer one; a tie (remainder exactly half) rounds up.
            (true, true) => drop > 0 && dv[drop - 1] >= 5,
        };
        chosen = if pick_up { up } else { down };
        break;
    }
    // chosen · 10^-places, written without exponent and without trailing fractional zeros.
    while chosen.len() <= places {
        chosen.push(0);
    }
    let int: String = chosen[places..]
        .iter()
        .rev()
        .skip_while(|&&x| x == 0)
        .map(|&x| char::from(b'0' + x))
        .collect();
    out.push_str(if int.is_empty() { "0" } else { &int });
    let fr = &chosen[..places];
    if let Some(last) = fr.iter().position(|&x| x != 0) {
        out.push('.');
        out.extend(fr[last..].iter().rev().map(|&x| char::from(b'0' + x)));
    }
    out
}

/// The exact decimal of `n · 2^e` as little-endian digits and the count after the point.
fn dyadic_digits(n: u64, e: i32) -> (Vec<u8>, usize) {
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

/// Compares two little-endian digit strings as numbers.
fn cmp_digits(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    let len = a.len().max(b.len());
    for i in (0..len).rev() {
        let (x, y) = (
            a.get(i).copied().unwrap_or(0),
            b.get(i).copied().unwrap_or(0),
        );
        if x != y {
            return x.cmp(&y);
        }
    }
    std::cmp::Ordering::Equal
}

/// Adds `10^k` to the little-endian digits `d`.
fn add_pow10(d: &mut Vec<u8>, k: usize) {
    let mut i = k;
    loop {
        if i >= d.len() {
            d.resize(i + 1, 0);
        }
        if d[i] == 9 {
            d[i] = 0;
            i += 1;
        } else {
            d[i] += 1;
            return;
        }
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

/// [`fixed`] in plain Rust: the exact decimal expansion of the double (`m · 2^e` written out
/// with schoolbook arithmetic), rounded to `decimals` places half to even, as `core::fmt` does.
///
/// ```
/// use harvest_kernel::num::fixed_exact;
/// assert_eq!(fixed_exact(0.125, 2), "0.12");
/// assert_eq!(fixed_exact(0.375, 2), "0.38");
/// assert_eq!(fixed_exact(1e21, 1), "1000000000000000000000.0");
/// ```
pub fn fixed_exact(v: f64, decimals: usize) -> String {
    let mut out = match sign_or_special(v) {
        Ok(sign) => sign,
        Err(text) => return text,
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
/// use harvest_kernel::num::sci_exact;
/// assert_eq!(sci_exact(0.00012345, 3), "1.234e-4");
/// assert_eq!(sci_exact(9.9996, 3), "1.000e1");
/// ```
pub fn sci_exact(v: f64, precision: usize) -> String {
    let mut out = match sign_or_special(v) {
        Ok(sign) => sign,
        Err(text) => return text,
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

/// The sign of a finite `v` (`"-"` or `""`, `-0.0` included), or the whole text of NaN and ±inf
/// as `core::fmt` writes them.
fn sign_or_special(v: f64) -> Result<String, String> {
    if v.is_nan() {
        return Err("NaN".to_string());
    }
    let sign = String::from(if v.is_sign_negative() { "-" } else { "" });
    if v.is_infinite() {
        return Err(sign + "inf");
    }
    Ok(sign)
}

/// The exact value of a finite `|v|` as little-endian decimal digits and the count of them
/// after the point (`m · 2^e` written out with schoolbook arithmetic).
fn exact_digits(v: f64) -> (Vec<u8>, usize) {
    let bits = v.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    let frac = bits & ((1u64 << 52) - 1);
    if biased == 0 {
        dyadic_digits(frac, -1074)
    } else {
        dyadic_digits(frac | (1u64 << 52), biased - 1075)
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

/// `format!("{v:.precision$e}")`: see [`sci_exact`].
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
        for v in samples().into_iter().filter(|v| v.is_finite()) {
            assert_eq!(shortest(v), format!("{v}"));
            assert_eq!(shortest_exact(v), format!("{v}"), "{v:e}");
            assert_eq!(Num(v).to_string(), format!("{v}"));
            assert_eq!(exp_form(&format!("{v}")), format!("{v:e}"), "{v:e}");
            assert_eq!(debug_from_shortest(v, format!("{v}")), format!("{v:?}"));
            assert_eq!(exp(v), format!("{v:e}"));
            assert_eq!(debug(v), format!("{v:?}"));
        }
    }
}
