//! `Num`: an `f64` in error messages and audit text, as `core::fmt` writes it, from `zmij`'s
//! shortest digits (the kernel's one formatting need; zmij is already linked through serde_json,
//! and core's float formatting would add its Grisu/Dragon tables to the dashboard's wasm).

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
        let v = self.0;
        if !v.is_finite() {
            return f.write_str(zmij::Buffer::new().format(v));
        }
        if v.is_sign_negative() {
            f.write_str("-")?;
        }
        let mut buf = zmij::Buffer::new();
        // zmij writes `d.ddd`, `d.ddde±x` or `ddd.0`: its significant digits and where the point goes.
        let (digits, point) = significand(buf.format_finite(v.abs()));
        let digits = digits.as_bytes();
        let n = digits.len() as i32;
        let sci = f.alternate() && v != 0.0 && !(1e-4..1e16).contains(&v.abs());
        let out = |f: &mut fmt::Formatter<'_>, b: &[u8]| {
            f.write_str(std::str::from_utf8(b).unwrap_or("0"))
        };
        if sci {
            out(f, &digits[..1])?;
            if n > 1 {
                f.write_str(".")?;
                out(f, &digits[1..])?;
            }
            return write!(f, "e{}", point - 1);
        }
        if point <= 0 {
            f.write_str("0.")?;
            for _ in 0..-point {
                f.write_str("0")?;
            }
            out(f, digits)
        } else if point >= n {
            out(f, digits)?;
            for _ in 0..point - n {
                f.write_str("0")?;
            }
            if f.alternate() {
                f.write_str(".0")?;
            }
            Ok(())
        } else {
            out(f, &digits[..point as usize])?;
            f.write_str(".")?;
            out(f, &digits[point as usize..])
        }
    }
}

/// The significant digits of zmij's text for a finite `|v|` (no leading or trailing zeros;
/// `"0"` for zero) and the power of ten after the first of them: value = 0.digits · 10^point.
fn significand(text: &str) -> (String, i32) {
    let (mantissa, exp) = match text.split_once('e') {
        Some((m, e)) => (m, e.parse::<i32>().unwrap_or(0)),
        None => (text, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all: String = int.chars().chain(frac.chars()).collect();
    let lead = all.len() - all.trim_start_matches('0').len();
    let digits = all.trim_matches('0');
    if digits.is_empty() {
        return ("0".to_string(), 1);
    }
    (digits.to_string(), int.len() as i32 - lead as i32 + exp)
}

#[cfg(test)]
mod tests {
    use super::Num;

    /// Doubles of every magnitude, powers of two and specials against `core::fmt`.
    #[test]
    fn num_matches_core_display_and_debug() {
        assert_eq!(
            Num(651_940_860_439_473.0 + 0.25).to_string(),
            "651940860439473.2"
        );
        let mut v = vec![
            0.0,
            -0.0,
            0.5,
            1.5,
            100.0,
            1e-4,
            9.999e-5,
            1e15,
            9_999_999_999_999_998.0,
            1e16,
            1e21,
            1e22,
            1.5e300,
            f64::MAX,
            f64::MIN_POSITIVE,
            5e-324,
            1e-7,
            0.1 + 0.2,
            123_456_789.987_654_33,
            651_940_860_439_473.0 + 0.25,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ];
        for i in 0..300_i32 {
            v.push(2f64.powi(i * 7 - 1050));
        }
        let mut x = 0.3172_f64;
        for i in 0..4000 {
            x = (x * 9.73 + 0.137).fract();
            let s = if i % 3 == 0 { -1.0 } else { 1.0 };
            v.push(s * x * 10f64.powi(i % 60 - 30));
        }
        for v in v {
            assert_same_as_core(&Num(v).to_string(), &format!("{v}"), v);
            assert_same_as_core(&format!("{:#}", Num(v)), &format!("{v:?}"), v);
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
