//! Typed errors of P0 and P1: each names the field, the value and what was expected.

use harvest_kernel::num::Short;
use serde::Serialize;

/// Why a market state or a stop proposal cannot be computed.
#[derive(Debug, Clone, PartialEq, Serialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MarketError {
    /// A number is NaN or infinite.
    #[error("{field} must be a finite number, got {}", Short(*.value))]
    NonFinite {
        /// The field, e.g. `closes[12]` or `params.ewma_lambda`.
        field: String,
        /// The offending value.
        #[serde(serialize_with = "ser_f64")]
        value: f64,
    },
    /// A number outside the range that can mean anything.
    #[error("{field} = {} is out of range: expected {expected}", Short(*.value))]
    OutOfRange {
        /// The field, e.g. `position.current_price`.
        field: String,
        /// The offending value.
        #[serde(serialize_with = "ser_f64")]
        value: f64,
        /// The allowed range in words.
        expected: String,
    },
    /// Results that are not finite numbers: the inputs are finite but too large together (a
    /// price near `f64::MAX` times `1 + stop`, a huge σ times a coefficient). Nothing is proposed.
    #[error("not computable: {} (the inputs are too large together)", list(.fields))]
    NotComputable {
        /// Every result that is not finite, as `(field, value)`, e.g. `("proposed_tp", inf)`.
        #[serde(serialize_with = "ser_fields")]
        fields: Vec<(String, f64)>,
    },
    /// Fewer closes than the windows need.
    #[error("a market state needs at least {needed} closes, got {got}")]
    TooFewCloses {
        /// Closes the parameters need (257 with the defaults).
        needed: usize,
        /// Closes given.
        got: usize,
    },
}

impl MarketError {
    /// The offending field (`closes` for [`MarketError::TooFewCloses`]).
    ///
    /// ```
    /// use harvest_market::MarketError;
    /// let e = MarketError::TooFewCloses { needed: 257, got: 3 };
    /// assert_eq!(e.field(), "closes");
    /// ```
    pub fn field(&self) -> &str {
        match self {
            MarketError::NonFinite { field, .. } | MarketError::OutOfRange { field, .. } => field,
            MarketError::NotComputable { fields } => fields.first().map_or("", |f| f.0.as_str()),
            MarketError::TooFewCloses { .. } => "closes",
        }
    }
}

// NaN and ±∞ have no JSON number: write them as strings so the error itself stays valid JSON.
fn ser_f64<S: serde::Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
    if v.is_finite() {
        s.serialize_f64(*v)
    } else {
        s.collect_str(v)
    }
}

/// `a = inf, b = NaN`.
fn list(fields: &[(String, f64)]) -> String {
    let parts: Vec<String> = fields
        .iter()
        .map(|(f, v)| format!("{f} = {}", Short(*v)))
        .collect();
    parts.join(", ")
}

fn ser_fields<S: serde::Serializer>(fields: &[(String, f64)], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut m = s.serialize_map(Some(fields.len()))?;
    for (f, v) in fields {
        m.serialize_entry(f, &v.to_string())?;
    }
    m.end()
}

/// The fields of `values` that are not finite, as [`MarketError::NotComputable`].
pub(crate) fn all_finite(values: &[(&str, f64)]) -> Result<(), MarketError> {
    let fields: Vec<(String, f64)> = values
        .iter()
        .filter(|(_, v)| !v.is_finite())
        .map(|&(f, v)| (f.to_string(), v))
        .collect();
    if fields.is_empty() {
        Ok(())
    } else {
        Err(MarketError::NotComputable { fields })
    }
}

/// Checks that `value` is finite and within `[lo, hi]` (either bound may be open).
pub(crate) fn check(
    field: impl FnOnce() -> String,
    value: f64,
    lo: f64,
    lo_open: bool,
    hi: f64,
    hi_open: bool,
) -> Result<(), MarketError> {
    if !value.is_finite() {
        return Err(MarketError::NonFinite {
            field: field(),
            value,
        });
    }
    let above = if lo_open { value > lo } else { value >= lo };
    let below = if hi_open { value < hi } else { value <= hi };
    if above && below {
        return Ok(());
    }
    let l = if lo_open { "(" } else { "[" };
    let h = if hi_open { ")" } else { "]" };
    let bound = |x: f64| {
        if x.is_infinite() {
            if x > 0.0 { "∞" } else { "−∞" }.to_string()
        } else {
            Short(x).to_string()
        }
    };
    Err(MarketError::OutOfRange {
        field: field(),
        value,
        expected: format!("a number in {l}{}, {}{h}", bound(lo), bound(hi)),
    })
}

/// A finite number > 0.
pub(crate) fn positive(field: impl FnOnce() -> String, value: f64) -> Result<(), MarketError> {
    check(field, value, 0.0, true, f64::INFINITY, true)
}

/// A finite number ≥ 0.
pub(crate) fn non_negative(field: impl FnOnce() -> String, value: f64) -> Result<(), MarketError> {
    check(field, value, 0.0, false, f64::INFINITY, true)
}

/// A finite number in [0, 1].
pub(crate) fn unit(field: impl FnOnce() -> String, value: f64) -> Result<(), MarketError> {
    check(field, value, 0.0, false, 1.0, false)
}

/// Any finite number.
pub(crate) fn finite(field: impl FnOnce() -> String, value: f64) -> Result<(), MarketError> {
    check(field, value, f64::NEG_INFINITY, true, f64::INFINITY, true)
}

/// An integer in `[lo, hi]`.
pub(crate) fn count(field: &str, value: usize, lo: usize, hi: usize) -> Result<(), MarketError> {
    if (lo..=hi).contains(&value) {
        Ok(())
    } else {
        Err(MarketError::OutOfRange {
            field: field.to_string(),
            value: value as f64,
            expected: format!("an integer in [{lo}, {hi}]"),
        })
    }
}
