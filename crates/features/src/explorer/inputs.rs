//! The explorer's numeric inputs: one table ([`INPUTS`]) with each input's URL key, label, unit,
//! the kernel's JSON path and what it accepts, and its slider; and the typed error a refused
//! value gets ([`InputError`]).

use crate::format::Short;
use harvest_kernel::KernelError;
pub use harvest_kernel::SliderRange;

/// Why a value typed or slid into the explorer was refused; the message names the field (label and
/// JSON path), the value and the allowed range, and what was kept.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum InputError {
    /// NaN or ±inf.
    #[error("{}: {} is not a finite number; allowed: {}", .field.spec().path, Short(*.value), .field.spec().allowed)]
    NotFinite {
        /// The input.
        field: InputField,
        /// The value refused.
        value: f64,
    },
    /// A value the kernel refuses (its message names the JSON path and the allowed range).
    #[error("{0}")]
    Kernel(KernelError),
    /// Typed text that is no number.
    #[error("{label} ({path}): “{}” is not a number; allowed: {allowed}. Kept {kept}.", harvest_kernel::echo::Echo(.text))]
    NotANumber {
        /// The field's label (a tunable's key).
        label: &'static str,
        /// Its JSON path.
        path: String,
        /// What was typed (trimmed).
        text: String,
        /// The allowed range.
        allowed: String,
        /// The value kept, as shown.
        kept: String,
    },
    /// A typed number the field refuses.
    #[error("{label}: {shown} rejected: {reason}. Kept {kept}.")]
    Rejected {
        /// The field's label.
        label: &'static str,
        /// The number typed, as shown.
        shown: String,
        /// Why.
        reason: Box<InputError>,
        /// The value kept, as shown.
        kept: String,
    },
}

/// One of the dashboard's inputs that is a number (side and the two toggles are not).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InputField {
    /// `position.entry_price`
    Entry,
    /// `position.qty`
    Qty,
    /// `position.unrealized_pnl`
    Pnl,
    /// `position.current_sl`
    Sl,
    /// `position.age_sec` (shown in hours)
    AgeSec,
    /// `market_state.sigma`
    Sigma,
    /// `market_state.ts`
    Ts,
    /// `market_state.p_trend`
    PTrend,
    /// `market_state.p_mr`
    PMr,
    /// `market_state.p_chop`
    PChop,
    /// `p1_proposal.stop_dist_pct`
    Stop,
}

/// How one numeric input is shown and checked.
#[derive(Debug, Clone, Copy)]
pub struct InputSpec {
    /// Which input.
    pub field: InputField,
    /// Key in the URL and in storage.
    pub key: &'static str,
    /// `data-testid` of its range input (`input-…`).
    pub testid: &'static str,
    /// Label.
    pub label: &'static str,
    /// Unit of the shown value.
    pub unit: &'static str,
    /// Shown value = kernel value / `scale` (3600 for the age, shown in hours).
    pub scale: f64,
    /// The kernel's JSON path, as its errors name it.
    pub path: &'static str,
    /// The values the kernel accepts, in words (shown value units).
    pub allowed: &'static str,
    /// Tooltip.
    pub help: &'static str,
    /// Slider minimum (shown units; PnL and SL compute theirs, see [`UiState::slider`]).
    pub min: f64,
    /// Slider maximum.
    pub max: f64,
    /// Slider step.
    pub step: f64,
}

macro_rules! inputs {
    ($( $field:ident, $key:literal, $testid:literal, $label:literal, $unit:literal, $scale:expr,
        $path:literal, $allowed:literal, $min:expr, $max:expr, $step:expr, $help:literal; )*) => {
        /// The numeric inputs, in panel order; index with `InputField as usize`.
        pub const INPUTS: [InputSpec; 11] = [
            $( InputSpec {
                field: InputField::$field,
                key: $key,
                testid: $testid,
                label: $label,
                unit: $unit,
                scale: $scale,
                path: $path,
                allowed: $allowed,
                help: $help,
                min: $min,
                max: $max,
                step: $step,
            }, )*
        ];
    };
}

inputs! {
    Entry, "entry", "input-entry", "Entry price", "quote", 1.0, "position.entry_price",
        "a price > 0", 1.0, 1000.0, 0.5,
        "Average entry price of the position";
    Qty, "qty", "input-qty", "Quantity", "units", 1.0, "position.qty",
        "a quantity > 0", 0.1, 100.0, 0.1,
        "Position size; the risk unit and the cost scale with it";
    Pnl, "pnl", "input-pnl", "Unrealized PnL", "quote", 1.0, "position.unrealized_pnl",
        "any finite number", -6.0, 20.0, 0.02,
        "Signed profit in quote currency (both sides). The slider spans −3 R … +10 R of the current risk unit";
    Sl, "sl", "input-sl", "Current SL", "quote", 1.0, "position.current_sl",
        "any finite price", 90.0, 110.0, 0.05,
        "The stop-loss in place now; the profit lock only ever tightens it";
    AgeSec, "age_sec", "input-age", "Age", "h", 3600.0, "position.age_sec",
        "hours ≥ 0", 0.0, 48.0, 0.25,
        "Time since entry; the age penalty grows to 1 at max_age_sec";
    Sigma, "sigma", "input-sigma", "σ (volatility)", "σ", 1.0, "market_state.sigma",
        "σ ≥ 0", 0.0, 0.06, 0.0005,
        "Realised volatility from P0, compared with sigma_ref";
    Ts, "ts", "input-ts", "Trend strength TS", "TS", 1.0, "market_state.ts",
        "any finite number", -0.5, 1.0, 0.01,
        "Trend strength from P0; a drop below ts_ref feeds the kill score";
    PTrend, "p_trend", "input-p-trend", "p_trend", "prob", 1.0, "market_state.p_trend",
        "a probability in [0, 1]", 0.0, 1.0, 0.01,
        "Probability of the trend regime; the other two are rescaled to keep the sum at 1";
    PMr, "p_mr", "input-p-mr", "p_mr", "prob", 1.0, "market_state.p_mr",
        "a probability in [0, 1]", 0.0, 1.0, 0.01,
        "Probability of the mean-reversion regime; the other two are rescaled to keep the sum at 1";
    PChop, "p_chop", "input-p-chop", "p_chop", "prob", 1.0, "market_state.p_chop",
        "a probability in [0, 1]", 0.0, 1.0, 0.01,
        "Probability of the chop regime; the other two are rescaled to keep the sum at 1";
    Stop, "stop", "input-stop", "P1 stop distance", "fraction", 1.0, "p1_proposal.stop_dist_pct",
        "any finite fraction (0: the fallback is used; a negative one is used, with a warning)", 0.001, 0.1, 0.001,
        "P1's stop distance as a fraction of entry; it sets the risk unit";
}

impl InputField {
    /// All numeric inputs, in panel order.
    pub const ALL: [InputField; 11] = [
        InputField::Entry,
        InputField::Qty,
        InputField::Pnl,
        InputField::Sl,
        InputField::AgeSec,
        InputField::Sigma,
        InputField::Ts,
        InputField::PTrend,
        InputField::PMr,
        InputField::PChop,
        InputField::Stop,
    ];

    /// This input's spec.
    pub fn spec(self) -> &'static InputSpec {
        &INPUTS[self as usize]
    }

    /// Looks an input up by its URL key.
    pub fn from_key(key: &str) -> Option<InputField> {
        INPUTS.iter().find(|s| s.key == key).map(|s| s.field)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use harvest_kernel::PARAMS;

    #[test]
    fn table_is_in_enum_order_with_distinct_keys() {
        for (i, s) in INPUTS.iter().enumerate() {
            assert_eq!(s.field as usize, i);
            assert_eq!(InputField::ALL[i], s.field);
            assert!(s.testid.starts_with("input-"));
            assert!(s.min < s.max && s.step > 0.0, "{}", s.key);
            assert_eq!(InputField::from_key(s.key), Some(s.field));
        }
        let mut keys: Vec<&str> = INPUTS.iter().map(|s| s.key).collect();
        keys.extend(PARAMS.iter().map(|p| p.key));
        keys.extend(["side", "p1", "preset"]);
        let n = keys.len();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), n, "URL keys collide");
    }
}
