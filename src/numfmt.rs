//! Numbers to text, the same text as `core::fmt`, without core's float formatting in the browser
//! build.
//!
//! `format!("{v}")` and `format!("{v:.2}")` on an `f64` link core's float-to-decimal machinery
//! (Grisu and Dragon with big-number arithmetic and power tables, about 6 KB of the gzipped
//! wasm). Every float the dashboard writes goes through this module instead:
//!
//! - natively (the CLI, the tests) the functions are exactly `core::fmt`;
//! - in wasm, [`fixed`] is [`fixed_exact`] (the exact decimal value of the double, rounded half
//!   to even, like core), and [`shortest`] is the browser's `Number.prototype.toString` (the
//!   shortest text that reads back to the same double, like core) with its exponent form
//!   (`1e-7`, `1.5e+21`) written out by [`expand_exponent`].
//!
//! [`fixed_exact`] and [`expand_exponent`] are plain Rust, unit-tested natively against
//! `core::fmt`; a browser test checks [`shortest`] against `core::fmt` in wasm.

use std::fmt;

/// `format!("{v:.decimals$}")`: `decimals` digits after the point, rounded half to even on the
/// exact value, `-` for every negative value (also `-0.00`), `NaN`, `inf`, `-inf`.
///
/// ```
/// use harvest_lab::numfmt::fixed;
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
/// use harvest_lab::numfmt::shortest;
/// assert_eq!(shortest(0.1 + 0.2), "0.30000000000000004");
/// assert_eq!(shortest(1e-7), "0.0000001");
/// assert_eq!(shortest(100.0), "100");
/// ```
pub fn shortest(v: f64) -> String {
    #[cfg(target_arch = "wasm32")]
    {
        if v.is_nan() {
            return "NaN".to_string();
        }
        if v.is_infinite() || v == 0.0 {
            let s = if v.is_infinite() { "inf" } else { "0" };
            return if v.is_sign_negative() {
                format!("-{s}")
            } else {
                s.to_string()
            };
        }
        match js_sys::Number::from(v).to_string_with_radix(10) {
            Ok(s) => expand_exponent(&String::from(s)),
            Err(_) => fixed_exact(v, 17),
        }
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        format!("{v}")
    }
}

/// An `f64` shown as [`shortest`] in `format!` (`format!("σ = {}", Num(x))`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Num(pub f64);

impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&shortest(self.0))
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
/// use harvest_lab::numfmt::fixed_exact;
/// assert_eq!(fixed_exact(0.125, 2), "0.12");
/// assert_eq!(fixed_exact(0.375, 2), "0.38");
/// assert_eq!(fixed_exact(1e21, 1), "1000000000000000000000.0");
/// ```
pub fn fixed_exact(v: f64, decimals: usize) -> String {
    if v.is_nan() {
        return "NaN".to_string();
    }
    let neg = v.is_sign_negative();
    let mut out = String::from(if neg { "-" } else { "" });
    if v.is_infinite() {
        out.push_str("inf");
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
    // Little-endian digits of m · 2^e = digits · 10^-places.
    let mut d: Vec<u8> = Vec::new();
    let mut t = m;
    while t > 0 {
        d.push((t % 10) as u8);
        t /= 10;
    }
    let places = if e >= 0 {
        let mut k = e;
        while k > 0 {
            let c = k.min(30);
            mul_digits(&mut d, 1u64 << c);
            k -= c;
        }
        0
    } else {
        let mut k = -e;
        while k > 0 {
            let c = k.min(13);
            mul_digits(&mut d, 5u64.pow(c as u32));
            k -= c;
        }
        (-e) as usize
    };
    // Keep `decimals` fractional digits: drop the lowest `places − decimals`, rounding.
    if places > decimals {
        let drop = places - decimals;
        let digit = |i: usize| d.get(i).copied().unwrap_or(0);
        let first = digit(drop - 1);
        let sticky = (0..drop - 1).any(|i| digit(i) != 0);
        let odd = digit(drop) % 2 == 1;
        let up = first > 5 || (first == 5 && (sticky || odd));
        d = if drop < d.len() {
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

/// Writes a number given in exponent form (`1.5e+21`, `-2e-7`, as JavaScript and `{:e}` print
/// them) without the exponent (`1500000000000000000000`, `-0.0000002`); other text unchanged.
///
/// ```
/// use harvest_lab::numfmt::expand_exponent;
/// assert_eq!(expand_exponent("1.5e+21"), "1500000000000000000000");
/// assert_eq!(expand_exponent("-2.25e-7"), "-0.000000225");
/// assert_eq!(expand_exponent("12.5"), "12.5");
/// ```
pub fn expand_exponent(s: &str) -> String {
    // Bytes, not `str` slicing: no char-boundary panic path (and its Debug formatting) in wasm.
    let b = s.as_bytes();
    let Some(e) = b.iter().position(|&c| c == b'e' || c == b'E') else {
        return s.to_string();
    };
    let mut exp: i64 = 0;
    let mut exp_neg = false;
    let mut any = false;
    for (i, &c) in b[e + 1..].iter().enumerate() {
        match c {
            b'+' if i == 0 => {}
            b'-' if i == 0 => exp_neg = true,
            b'0'..=b'9' => {
                exp = exp.saturating_mul(10).saturating_add(i64::from(c - b'0'));
                any = true;
            }
            _ => return s.to_string(),
        }
    }
    if !any {
        return s.to_string();
    }
    if exp_neg {
        exp = -exp;
    }
    let mant = &b[..e];
    let (neg, mant) = match mant.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, mant),
    };
    let int_len = mant.iter().position(|&c| c == b'.').unwrap_or(mant.len());
    let digits: Vec<char> = mant
        .iter()
        .filter(|&&c| c != b'.')
        .map(|&c| char::from(c))
        .collect();
    let point = int_len as i64 + exp;
    let n = digits.len() as i64;
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    if point <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', (-point) as usize));
        out.extend(&digits);
    } else {
        for (i, &d) in digits.iter().enumerate() {
            if i as i64 == point {
                out.push('.');
            }
            out.push(d);
        }
        if point > n {
            out.extend(std::iter::repeat_n('0', (point - n) as usize));
        }
    }
    out
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
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ];
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
            }
        }
    }

    #[test]
    fn expand_exponent_matches_core_display() {
        for v in samples().into_iter().filter(|v| v.is_finite()) {
            assert_eq!(expand_exponent(&format!("{v:e}")), format!("{v}"), "{v:e}");
            assert_eq!(shortest(v), format!("{v}"));
            assert_eq!(Num(v).to_string(), format!("{v}"));
        }
    }
}
