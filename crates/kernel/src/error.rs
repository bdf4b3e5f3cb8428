//! The kernel's typed errors: each names the field (as a JSON path), the value and what was expected.

use serde::Serialize;

use crate::num::Short;

/// Why an input cannot be turned into a proposal.
#[derive(Debug, Clone, PartialEq, Serialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum KernelError {
    /// A number is NaN or infinite.
    #[error("{field} must be a finite number, got {}", Short(*.value))]
    NonFinite {
        /// JSON path, e.g. `market_state.sigma`.
        field: &'static str,
        /// The offending value.
        #[serde(serialize_with = "ser_f64")]
        value: f64,
    },
    /// A number outside the range that can mean anything.
    #[error("{field} = {} is out of range: expected {expected}", Short(*.value))]
    OutOfRange {
        /// JSON path, e.g. `position.entry_price`.
        field: &'static str,
        /// The offending value.
        #[serde(serialize_with = "ser_f64")]
        value: f64,
        /// The allowed range in words.
        expected: String,
    },
    /// An intermediate of the computation is not a finite number (the inputs are too large
    /// together, or an `exp` overflows): no proposal can be computed.
    #[error("{field} is not computable ({}): {cause}", Short(*.value))]
    NotComputable {
        /// The intermediate, as the proposal's JSON path: `risk_unit`, `cost_est`, `R_net`,
        /// `new_sl_proposed`, `kill_score`, `audit.z` or `audit.tranche_weights`.
        field: &'static str,
        /// The value it came to (±∞ or NaN; the finite `exp(−z)` argument for an overflow in K).
        #[serde(serialize_with = "ser_f64")]
        value: f64,
        /// The formula and the inputs (named by JSON path, with their values) it came from.
        cause: String,
    },
}

impl KernelError {
    /// The JSON path of the offending field.
    ///
    /// ```
    /// use harvest_kernel::KernelError;
    /// let e = KernelError::NonFinite { field: "market_state.sigma", value: f64::NAN };
    /// assert_eq!(e.field(), "market_state.sigma");
    /// ```
    pub fn field(&self) -> &'static str {
        match self {
            KernelError::NonFinite { field, .. }
            | KernelError::OutOfRange { field, .. }
            | KernelError::NotComputable { field, .. } => field,
        }
    }

    /// The offending value.
    pub fn value(&self) -> f64 {
        match self {
            KernelError::NonFinite { value, .. }
            | KernelError::OutOfRange { value, .. }
            | KernelError::NotComputable { value, .. } => *value,
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
