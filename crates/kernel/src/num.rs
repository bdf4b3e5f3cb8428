//! `Num`: an `f64` in audit text, as `core::fmt` writes it, and `Short`: an `f64` in a message, in
//! the shortest form, from `zmij`'s shortest digits (the kernel's one formatting need; zmij is
//! already linked through serde_json, and core's float formatting would add its Grisu/Dragon
//! tables to the dashboard's wasm).

use std::fmt;

/// An `f64` written as `format!("{v}")` does: the shortest decimal that reads back to `v`,
/// never in exponent form (`0.0000001`, `100`), `-0`, `NaN`, `inf`, `-inf`. The alternate form
/// `{:#}` is `format!("{v:?}")`: at least one decimal (`2.0`), exponent form below 1e-4 and from
/// 1e16 on (`1e-5`, `1e16`).
///
/// ```
/// use harvest_kernel::num::Num;
/// assert_eq!(Num(0.1 + 0.2).to_string(), "0.30000000000000004");
/// assert_eq!(Num(1e-7).to_string(), "0.0000001");
/// assert_eq!(Num(100.0).to_string(), "100");
/// assert_eq!(format!("{:#}", Num(2.0)), "2.0");
/// assert_eq!(format!("{:#}", Num(1e-5)), "1e-5");
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Num(pub f64);

impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let alt = f.alternate();
        write_num(f, self.0, alt, alt)
    }
}

/// An `f64` in a message: the shortest digits that read back to it, plain from 1e-4 up to 1e16
/// (`42`, `-3.5`, `0.00012`, `0`) and in exponent form outside (`1e-7`, `5e-324`,
/// `1.7976931348623157e308`), `NaN`, `inf`, `-inf`. Never the hundreds of digits `format!("{v}")`
/// writes for a huge or tiny value, and no `.0` on whole numbers (as [`Num`]'s alternate form has).
///
/// ```
/// use harvest_kernel::num::Short;
/// assert_eq!(Short(1.7976931348623157e308).to_string(), "1.7976931348623157e308");
/// assert_eq!(Short(5e-324).to_string(), "5e-324");
/// assert_eq!(Short(800.0).to_string(), "800");
/// assert_eq!(Short(-0.25).to_string(), "-0.25");
/// assert_eq!(Short(1e16).to_string(), "1e16");
/// assert_eq!(Short(f64::INFINITY).to_string(), "inf");
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Short(pub f64);

impl fmt::Display for Short {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_num(f, self.0, true, false)
    }
}

/// Writes `v` from zmij's shortest digits: in exponent form below 1e-4 and from 1e16 on when
/// `sci_outside`, with `.0` on whole numbers in plain form when `point_zero`.
fn write_num(
    f: &mut fmt::Formatter<'_>,
    v: f64,
    sci_outside: bool,
    point_zero: bool,
) -> fmt::Result {
    let mut buf = zmij::Buffer::new();
    if !v.is_finite() {
        return f.write_str(buf.format(v));
    }
    // zmij writes `d.ddd`, `d.ddde±x` or `ddd.0`: its significant digits and where the point goes.
    let (digits, n, point) = significand(buf.format_finite(v.abs()).as_bytes());
    let digits = &digits[..n];
    let sci = sci_outside && v != 0.0 && !(1e-4..1e16).contains(&v.abs());
    let mut out = [0u8; 400];
    let mut len = 0;
    let mut put = |b: &[u8]| {
        out[len..len + b.len()].copy_from_slice(b);
        len += b.len();
    };
    if v.is_sign_negative() {
        put(b"-");
    }
    if sci {
        put(&digits[..1]);
        if n > 1 {
            put(b".");
            put(&digits[1..]);
        }
    } else if point <= 0 {
        put(b"0.");
        for _ in 0..-point {
            put(b"0");
        }
        put(digits);
    } else if point as usize >= n {
        put(digits);
        for _ in n..point as usize {
            put(b"0");
        }
        if point_zero {
            put(b".0");
        }
    } else {
        put(&digits[..point as usize]);
        put(b".");
        put(&digits[point as usize..]);
    }
    f.write_str(std::str::from_utf8(&out[..len]).unwrap_or("NaN"))?;
    if sci {
        write!(f, "e{}", point - 1)?;
    }
    Ok(())
}

/// The significant digits of zmij's text for a finite `|v|` (no leading or trailing zeros;
/// `0` for zero), their count, and the power of ten after the first of them:
/// value = 0.digits · 10^point.
fn significand(text: &[u8]) -> ([u8; 24], usize, i32) {
    let (mut digits, mut n, mut int_len, mut exp) = ([b'0'; 24], 0, text.len() as i32, 0i32);
    let mut lead = 0;
    let mut exp_sign = 0;
    for (i, &c) in text.iter().enumerate() {
        match c {
            b'.' => int_len = i as i32,
            b'e' => {
                int_len = int_len.min(i as i32);
                exp_sign = 1;
            }
            b'-' if exp_sign != 0 => exp_sign = -1,
            b'+' if exp_sign != 0 => {}
            d if exp_sign != 0 => exp = exp * 10 + i32::from(d - b'0'),
            b'0' if n == 0 => lead += 1,
            d if n < digits.len() => {
                digits[n] = d;
                n += 1;
            }
            _ => {}
        }
    }
    while n > 0 && digits[n - 1] == b'0' {
        n -= 1;
    }
    if n == 0 {
        return (digits, 1, 1);
    }
    (digits, n, int_len - lead + exp_sign * exp)
}

#[cfg(test)]
mod tests {
    use super::{Num, Short};

    /// Doubles of every magnitude, powers of two and specials against `core::fmt`.
    #[test]
    fn num_matches_core_display_and_debug() {
        assert_eq!(
            Num(651_940_860_439_473.0 + 0.25).to_string(),
            "651940860439473.2"
        );
        // The thresholds of the two forms, specials, and 20,000 doubles spread over every
        // exponent (bit patterns from a multiplicative hash).
        let mut v = vec![
            0.0,
            -0.0,
            1e-4,
            9.999e-5,
            9_999_999_999_999_998.0,
            1e16,
            f64::MAX,
            5e-324,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ];
        v.extend((1..20_000_u64).map(|i| f64::from_bits(i.wrapping_mul(0x9E37_79B9_7F4A_7C15))));
        for v in v {
            assert_same_as_core(&Num(v).to_string(), &format!("{v}"), v);
            assert_same_as_core(&format!("{:#}", Num(v)), &format!("{v:?}"), v);
        }
    }

    /// `Short` is `{v:?}` without a `.0` on whole numbers: short for every double.
    #[test]
    fn short_is_debug_without_point_zero() {
        let mut v = vec![
            0.0,
            -0.0,
            1e-4,
            9.999e-5,
            1e16,
            2.0,
            -800.0,
            f64::MAX,
            5e-324,
        ];
        v.extend((1..20_000_u64).map(|i| f64::from_bits(i.wrapping_mul(0x9E37_79B9_7F4A_7C15))));
        for v in v {
            let short = Short(v).to_string();
            let debug = format!("{:#}", Num(v));
            assert_eq!(short, debug.strip_suffix(".0").unwrap_or(&debug), "{v:e}");
            assert!(short.len() <= 24, "{v:e}: {short}");
            if v.is_finite() {
                assert_eq!(short.parse::<f64>().ok(), Some(v), "{short}");
            }
        }
    }

    /// Equal to core's text, except on an exact tie between the two shortest candidates
    /// (`651940860439473.25`: `…473.2` or `…473.3`), where core rounds up and zmij takes the
    /// even digit: then as long as core's and reading back to the same double.
    fn assert_same_as_core(ours: &str, core: &str, v: f64) {
        if ours != core {
            assert_eq!(ours.len(), core.len(), "{v:e}: {ours} vs {core}");
            assert_eq!(ours.parse::<f64>().ok(), Some(v), "{v:e}: {ours} vs {core}");
            let last = |s: &str| s.trim_end_matches(".0").bytes().rfind(u8::is_ascii_digit);
            assert_eq!(
                last(ours).map(|d| d % 2),
                Some(0),
                "{v:e}: {ours} vs {core}"
            );
        }
    }
}
