//! Number text as the running system's Python services write and read it: `repr(float)`
//! ([`py_float`]), `f"{v:.8f}"` ([`fixed`]) and `float(text)` ([`parse_py_float`]).
//!
//! Written by hand: no crate writes Python's float layout (`1e-05`, `1e+16`, `2.0`) or reads
//! its `float()` grammar (`1_000.5`, `  .5 `, `Infinity`). The shortest digits come from the
//! kernel's [`Num`] (zmij), so the dashboard's wasm links no `core::fmt` float tables.

use harvest_kernel::num::Num;

/// A double as Python's `repr(float)` (and `str(float)`) writes it: the shortest digits that read
/// back to the same double, `2.0` (not `2`), exponent form below 1e-4 and from 1e16 on with a
/// sign and at least two exponent digits (`1e-05`, `1.5e+16`); `nan`, `inf`, `-inf`.
///
/// ```
/// use harvest_records::num::py_float;
/// assert_eq!(py_float(2.0), "2.0");
/// assert_eq!(py_float(0.1 + 0.2), "0.30000000000000004");
/// assert_eq!(py_float(1e-5), "1e-05");
/// assert_eq!(py_float(1.5e16), "1.5e+16");
/// assert_eq!(py_float(-0.0001), "-0.0001");
/// assert_eq!(py_float(f64::NAN), "nan");
/// ```
pub fn py_float(v: f64) -> String {
    if v.is_nan() {
        return "nan".to_string();
    }
    if v.is_infinite() {
        return if v > 0.0 { "inf" } else { "-inf" }.to_string();
    }
    // `{:#}` is Rust's `{:?}` layout: the same digits and thresholds, exponent written `e-5`.
    let text = format!("{:#}", Num(v));
    match text.split_once('e') {
        None => text,
        Some((mantissa, exp)) => {
            let (sign, digits) = match exp.strip_prefix('-') {
                Some(d) => ('-', d),
                None => ('+', exp),
            };
            format!("{mantissa}e{sign}{digits:0>2}")
        }
    }
}

/// `v` with `decimals` digits after the point, as Python's `f"{v:.{decimals}f}"` writes it (the
/// exact binary value rounded half to even; `-0.00000000` for a tiny negative; `nan`, `inf`).
/// P0.5 writes its market state this way (`sigma` and `mu` with 8, the rest with 6).
///
/// ```
/// use harvest_records::num::fixed;
/// assert_eq!(fixed(0.0123456789, 8), "0.01234568");
/// assert_eq!(fixed(0.125, 2), "0.12");
/// assert_eq!(fixed(-1e-9, 8), "-0.00000000");
/// assert_eq!(fixed(f64::INFINITY, 6), "inf");
/// ```
pub fn fixed(v: f64, decimals: usize) -> String {
    if v.is_nan() {
        return "nan".to_string();
    }
    if v.is_infinite() {
        return if v > 0.0 { "inf" } else { "-inf" }.to_string();
    }
    format!("{v:.decimals$}")
}

/// Reads a number as Python's `float(text)` does: blanks around it, a sign, digits with single
/// underscores between them (`1_000`), `1.`, `.5`, an exponent, `inf` / `infinity` / `nan` in
/// any case. `None` for anything else (empty text, `None`, `0x10`, `1__0`). Non-finite values
/// are returned as such; callers that need a finite number check it.
///
/// ```
/// use harvest_records::num::parse_py_float;
/// assert_eq!(parse_py_float(" 0.25 "), Some(0.25));
/// assert_eq!(parse_py_float("1_000.5"), Some(1000.5));
/// assert_eq!(parse_py_float("1e-05"), Some(1e-5));
/// assert_eq!(parse_py_float(".5"), Some(0.5));
/// assert_eq!(parse_py_float("-Infinity"), Some(f64::NEG_INFINITY));
/// assert_eq!(parse_py_float("None"), None);
/// assert_eq!(parse_py_float(""), None);
/// ```
pub fn parse_py_float(text: &str) -> Option<f64> {
    let t = text.trim();
    let (neg, body) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let signed = |v: f64| if neg { -v } else { v };
    if body.eq_ignore_ascii_case("inf") || body.eq_ignore_ascii_case("infinity") {
        return Some(signed(f64::INFINITY));
    }
    if body.eq_ignore_ascii_case("nan") {
        return Some(f64::NAN);
    }
    let n = Normalized::of(body)?;
    Some(signed(n.value()?))
}

/// [`parse_py_float`], finite values only.
///
/// ```
/// use harvest_records::num::parse_finite;
/// assert_eq!(parse_finite("1e3"), Some(1000.0));
/// assert_eq!(parse_finite("nan"), None);
/// assert_eq!(parse_finite("1e400"), None);
/// ```
pub fn parse_finite(text: &str) -> Option<f64> {
    parse_py_float(text).filter(|v| v.is_finite())
}

/// An unsigned decimal number split into its parts, underscores removed: integer digits,
/// fraction digits, exponent (sign and digits).
struct Normalized {
    int: String,
    frac: String,
    exp_neg: bool,
    exp: String,
}

impl Normalized {
    fn of(body: &str) -> Option<Normalized> {
        let b = body.as_bytes();
        let mut i = 0;
        // digit (["_"] digit)*
        let digits = |i: &mut usize| -> Option<String> {
            let mut out = String::new();
            while *i < b.len() {
                match b[*i] {
                    d @ b'0'..=b'9' => out.push(d as char),
                    b'_' if !out.is_empty() && *i + 1 < b.len() && b[*i + 1].is_ascii_digit() => {}
                    _ => break,
                }
                *i += 1;
            }
            Some(out)
        };
        let int = digits(&mut i)?;
        let mut frac = String::new();
        if i < b.len() && b[i] == b'.' {
            i += 1;
            frac = digits(&mut i)?;
        }
        if int.is_empty() && frac.is_empty() {
            return None;
        }
        let mut exp_neg = false;
        let mut exp = String::new();
        if i < b.len() && (b[i] | 0x20) == b'e' {
            i += 1;
            if i < b.len() && matches!(b[i], b'+' | b'-') {
                exp_neg = b[i] == b'-';
                i += 1;
            }
            exp = digits(&mut i)?;
            if exp.is_empty() {
                return None;
            }
        }
        (i == b.len()).then_some(Normalized {
            int,
            frac,
            exp_neg,
            exp,
        })
    }

    /// The text in JSON's number grammar: no leading zeros, no empty parts.
    fn json(&self) -> String {
        let int = self.int.trim_start_matches('0');
        let mut s = if int.is_empty() {
            "0".to_string()
        } else {
            int.to_string()
        };
        if !self.frac.is_empty() {
            s.push('.');
            s.push_str(&self.frac);
        }
        if !self.exp.is_empty() {
            s.push('e');
            if self.exp_neg {
                s.push('-');
            }
            let e = self.exp.trim_start_matches('0');
            s.push_str(if e.is_empty() { "0" } else { e });
        }
        s
    }

    /// The correctly rounded value (infinite on overflow, as Python's `float()`).
    #[cfg(not(target_arch = "wasm32"))]
    fn value(&self) -> Option<f64> {
        self.json().parse::<f64>().ok()
    }

    /// The correctly rounded value through serde_json (`float_roundtrip`), which the dashboard
    /// links anyway: core's decimal-to-float tables stay out of the wasm.
    #[cfg(target_arch = "wasm32")]
    fn value(&self) -> Option<f64> {
        let text = self.json();
        match serde_json::from_str::<f64>(&text) {
            Ok(v) => Some(v),
            // The grammar is JSON's here, so the one failure is a value out of range.
            Err(_) => Some(f64::INFINITY),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn py_float_table() {
        // Expected texts are Python 3's repr().
        let cases: &[(f64, &str)] = &[
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (1.0, "1.0"),
            (100.0, "100.0"),
            (123.456, "123.456"),
            (0.5, "0.5"),
            (0.0001, "0.0001"),
            (0.00012, "0.00012"),
            (0.00001, "1e-05"),
            (1.5e-7, "1.5e-07"),
            (1e-9, "1e-09"),
            (1e15, "1000000000000000.0"),
            (1e16, "1e+16"),
            (1.2345e16, "1.2345e+16"),
            (9007199254740993.0, "9007199254740992.0"),
            (1e308, "1e+308"),
            (5e-324, "5e-324"),
            (1e-100, "1e-100"),
            (0.1 + 0.2, "0.30000000000000004"),
            (-2.5, "-2.5"),
            (2.0 / 3.0, "0.6666666666666666"),
            (f64::NAN, "nan"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
        ];
        for (v, want) in cases {
            assert_eq!(py_float(*v), *want, "{v:e}");
        }
    }

    #[test]
    fn parse_table() {
        // Python 3: float(text), or ValueError (None).
        let cases: &[(&str, Option<f64>)] = &[
            ("1", Some(1.0)),
            ("  -2.5\t", Some(-2.5)),
            ("+.5", Some(0.5)),
            ("5.", Some(5.0)),
            ("1_000", Some(1000.0)),
            ("1_0.2_5e1_0", Some(10.25e10)),
            ("00012", Some(12.0)),
            ("1E+02", Some(100.0)),
            ("1e400", Some(f64::INFINITY)),
            ("-1e400", Some(f64::NEG_INFINITY)),
            ("1e-400", Some(0.0)),
            ("INF", Some(f64::INFINITY)),
            ("-infinity", Some(f64::NEG_INFINITY)),
            ("", None),
            (" ", None),
            (".", None),
            ("e5", None),
            ("1e", None),
            ("1_", None),
            ("_1", None),
            ("1__0", None),
            ("1._5", None),
            ("0x10", None),
            ("None", None),
            ("1 2", None),
            ("--1", None),
            ("infinit", None),
        ];
        for (text, want) in cases {
            assert_eq!(parse_py_float(text), *want, "{text:?}");
        }
        assert!(parse_py_float("nan").unwrap().is_nan());
        assert!(parse_py_float("-NaN").unwrap().is_nan());
    }

    #[test]
    fn fixed_table() {
        // Python 3: f"{v:.{d}f}".
        let cases: &[(f64, usize, &str)] = &[
            (0.125, 2, "0.12"),
            (0.375, 2, "0.38"),
            (2.5, 0, "2"),
            (-1e-9, 8, "-0.00000000"),
            (0.123456785, 8, "0.12345678"),
            (0.01, 8, "0.01000000"),
            (1234.5, 6, "1234.500000"),
            (f64::NAN, 6, "nan"),
            (f64::NEG_INFINITY, 6, "-inf"),
        ];
        for (v, d, want) in cases {
            assert_eq!(fixed(*v, *d), *want, "{v} {d}");
        }
    }

    proptest! {
        #[test]
        fn py_float_round_trips(bits in any::<u64>()) {
            let v = f64::from_bits(bits);
            prop_assume!(v.is_finite());
            let text = py_float(v);
            prop_assert_eq!(parse_py_float(&text).unwrap().to_bits(), v.to_bits(), "{}", text);
            prop_assert_eq!(text.parse::<f64>().unwrap().to_bits(), v.to_bits(), "{}", text);
        }

        /// Anything Rust's own parser reads the same (where both grammars accept it).
        #[test]
        fn parse_agrees_with_std(text in "[+-]?[0-9]{0,5}(\\.[0-9]{0,5})?([eE][+-]?[0-9]{1,3})?") {
            let std = text.parse::<f64>().ok();
            let ours = parse_py_float(&text);
            if let (Some(a), Some(b)) = (std, ours) {
                prop_assert_eq!(a.to_bits(), b.to_bits());
            }
            prop_assert_eq!(std.is_some(), ours.is_some(), "{}", text);
        }
    }
}
