//! The tuning view's axes: which axes the action map offers, picking one for x or y, moving the
//! explorer's state along an axis (a click on the map), and the view's sliders (the map's
//! axes as inputs and tunables).
//!
//! Pure and natively tested; every number comes from the kernel or [`crate::explorer`].

use crate::explorer::{InputError, InputField, UiState};
use crate::format::axis_title;
use crate::format::parse_number;
use crate::format::{format_sig, Short};
use harvest_kernel::{Axis, Theta, ThetaField};

/// The axes the action map offers: the five inputs, then the tunables worth sweeping.
pub const MAP_AXES: [Axis; 15] = [
    Axis::Pnl,
    Axis::PTrend,
    Axis::Sigma,
    Axis::Ts,
    Axis::AgeSec,
    Axis::Theta(ThetaField::KillThreshold),
    Axis::Theta(ThetaField::T1R),
    Axis::Theta(ThetaField::T2R),
    Axis::Theta(ThetaField::T3R),
    Axis::Theta(ThetaField::LockR),
    Axis::Theta(ThetaField::KRegimeFlip),
    Axis::Theta(ThetaField::KSigmaSpike),
    Axis::Theta(ThetaField::KTsDrop),
    Axis::Theta(ThetaField::KAgePenalty),
    Axis::Theta(ThetaField::CostBps),
];

/// The map's axes when the view opens: PnL across, σ up.
pub const DEFAULT_AXES: (Axis, Axis) = (Axis::Pnl, Axis::Sigma);

/// The axis dropdowns' option groups: the inputs, then the tunables.
///
/// ```
/// use harvest_features::tuning::axes::{AXIS_GROUPS, MAP_AXES};
/// assert_eq!(AXIS_GROUPS[0].1.len() + AXIS_GROUPS[1].1.len(), MAP_AXES.len());
/// ```
pub const AXIS_GROUPS: [(&str, &[Axis]); 2] = [
    ("Inputs", MAP_AXES.split_at(Axis::INPUTS.len()).0),
    ("Theta", MAP_AXES.split_at(Axis::INPUTS.len()).1),
];

/// One of [`MAP_AXES`] by its key (`pnl`, `sigma`, `kill_threshold`, …).
///
/// ```
/// use harvest_kernel::{Axis, ThetaField};
/// use harvest_features::tuning::axes::map_axis;
/// assert_eq!(map_axis("sigma"), Some(Axis::Sigma));
/// assert_eq!(map_axis("kill_threshold"), Some(Axis::Theta(ThetaField::KillThreshold)));
/// assert_eq!(map_axis("u1"), None); // audit-only tunables are not offered
/// ```
pub fn map_axis(key: &str) -> Option<Axis> {
    MAP_AXES.into_iter().find(|a| a.key() == key)
}

/// The option text of an axis in the dropdowns, e.g. `"PnL (quote)"`, `"kill_threshold (K)"`.
pub fn axis_option(axis: Axis) -> String {
    axis_title(axis)
}

/// The axes after picking `new` for x (`for_x`) or y: picking the other axis's value swaps them,
/// so the map never has the same axis twice.
///
/// ```
/// use harvest_kernel::Axis;
/// use harvest_features::tuning::axes::pick_axis;
/// assert_eq!(pick_axis((Axis::Pnl, Axis::Sigma), true, Axis::Ts), (Axis::Ts, Axis::Sigma));
/// assert_eq!(pick_axis((Axis::Pnl, Axis::Sigma), true, Axis::Sigma), (Axis::Sigma, Axis::Pnl));
/// assert_eq!(pick_axis((Axis::Pnl, Axis::Sigma), false, Axis::Pnl), (Axis::Sigma, Axis::Pnl));
/// ```
pub fn pick_axis(axes: (Axis, Axis), for_x: bool, new: Axis) -> (Axis, Axis) {
    let (x, y) = axes;
    match (for_x, new) {
        (true, n) if n == y => (y, x),
        (true, n) => (n, y),
        (false, n) if n == x => (y, x),
        (false, n) => (x, n),
    }
}

/// Why a click on the map did not move the state.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AxisError {
    /// The explorer refused the input's value (the message names the field and its range).
    #[error(transparent)]
    Input(#[from] InputError),
    /// A tunable's value that is NaN or infinite.
    #[error("{}: {} is not a finite number; allowed: {}", .field.key(), Short(*.value), .field.spec().accepts())]
    NotFinite {
        /// The tunable.
        field: ThetaField,
        /// The value refused.
        value: f64,
    },
}

/// Moves the explorer's state along `axis` to `v` (a click on the map): inputs through the
/// state's own validation, tunables as given (the kernel's validation shows inline). The value is
/// rounded to 4 significant digits, so a click gives a readable number.
///
/// # Errors
/// [`AxisError::Input`] when the kernel refuses the input value, [`AxisError::NotFinite`] for a
/// tunable that is no finite number; the state is unchanged then.
///
/// ```
/// use harvest_kernel::{Axis, ThetaField};
/// use harvest_features::explorer::UiState;
/// use harvest_features::tuning::axes::set_axis;
/// let mut s = UiState::default();
/// set_axis(&mut s, Axis::Sigma, 0.0123456).unwrap();
/// assert_eq!(s.market.sigma, 0.01235);
/// set_axis(&mut s, Axis::Theta(ThetaField::KillThreshold), 0.5).unwrap();
/// assert_eq!(s.theta.kill_threshold, 0.5);
/// assert!(set_axis(&mut s, Axis::Sigma, -1.0).is_err());
/// ```
pub fn set_axis(state: &mut UiState, axis: Axis, v: f64) -> Result<(), AxisError> {
    let v = parse_number(&format_sig(v, 4)).unwrap_or(v);
    let field = match axis {
        Axis::Pnl => InputField::Pnl,
        Axis::PTrend => InputField::PTrend,
        Axis::Sigma => InputField::Sigma,
        Axis::Ts => InputField::Ts,
        Axis::AgeSec => InputField::AgeSec,
        Axis::Theta(f) => {
            if !v.is_finite() {
                return Err(AxisError::NotFinite { field: f, value: v });
            }
            state.theta.set(f, v);
            return Ok(());
        }
    };
    Ok(state.set(field, v)?)
}

// =============================================================================================
// The sliders.

/// One slider of the tuning view: an input of the explorer or a tunable (the explorer's own
/// controls, under the test ids [`SliderField::testid`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SliderField {
    /// PnL, p_trend, σ, TS or age (in the state's shown units: age in hours).
    Input(InputField),
    /// A sweepable tunable.
    Theta(ThetaField),
}

impl SliderField {
    /// The sliders, in order: the five map inputs, then the tunables of [`MAP_AXES`].
    ///
    /// ```
    /// use harvest_features::explorer::InputField;
    /// use harvest_features::tuning::axes::SliderField;
    /// let all = SliderField::all();
    /// assert_eq!(all.len(), 15);
    /// assert_eq!(all[0], SliderField::Input(InputField::Pnl));
    /// ```
    pub fn all() -> Vec<SliderField> {
        MAP_AXES
            .iter()
            .map(|a| match *a {
                Axis::Pnl => SliderField::Input(InputField::Pnl),
                Axis::PTrend => SliderField::Input(InputField::PTrend),
                Axis::Sigma => SliderField::Input(InputField::Sigma),
                Axis::Ts => SliderField::Input(InputField::Ts),
                Axis::AgeSec => SliderField::Input(InputField::AgeSec),
                Axis::Theta(f) => SliderField::Theta(f),
            })
            .collect()
    }

    /// The key: the state's input key or the tunable's JSON key.
    pub fn key(self) -> &'static str {
        match self {
            SliderField::Input(f) => f.spec().key,
            SliderField::Theta(f) => f.key(),
        }
    }

    /// The slider's test id in the tuning view, `tune-<key>` (its box `tune-<key>-number`, its
    /// error `tune-<key>-error`, its note `tune-<key>-note`).
    ///
    /// ```
    /// use harvest_kernel::ThetaField;
    /// use harvest_features::tuning::axes::SliderField;
    /// assert_eq!(SliderField::Theta(ThetaField::KillThreshold).testid(), "tune-kill_threshold");
    /// ```
    pub fn testid(self) -> String {
        format!("tune-{}", self.key())
    }
}

/// The note under a theta slider once A is pinned: A's value where B differs from it, e.g.
/// `"A: 0.6"`; empty when nothing is pinned or the values are the same.
///
/// ```
/// use harvest_kernel::{Theta, ThetaField};
/// use harvest_features::tuning::axes::pinned_note;
/// let a = Theta::default();
/// let f = ThetaField::KillThreshold;
/// assert_eq!(pinned_note(Some(&a), f, 0.5), "A: 0.6");
/// assert_eq!(pinned_note(Some(&a), f, 0.6), "");
/// assert_eq!(pinned_note(None, f, 0.5), "");
/// ```
pub fn pinned_note(pinned: Option<&Theta>, field: ThetaField, b: f64) -> String {
    pinned
        .map(|a| a.get(field))
        .filter(|a| a.to_bits() != b.to_bits())
        .map(|a| format!("A: {}", crate::format::fmt_num(a)))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refused_clicks_name_the_field_the_value_and_the_range() {
        use harvest_kernel::ThetaField::{KillThreshold, SigmaRef};
        let cases: [(Axis, f64, &str); 4] = [
            (
                Axis::Sigma,
                -1.0,
                "market_state.sigma = -1 is out of range: expected σ ≥ 0",
            ),
            (
                Axis::Theta(KillThreshold),
                f64::NAN,
                "kill_threshold: NaN is not a finite number; allowed: a finite number",
            ),
            (
                Axis::Theta(SigmaRef),
                f64::INFINITY,
                "sigma_ref: inf is not a finite number; allowed: a finite number ≠ 0 (the kernel divides by it)",
            ),
            (
                Axis::Theta(KillThreshold),
                f64::NEG_INFINITY,
                "kill_threshold: -inf is not a finite number; allowed: a finite number",
            ),
        ];
        for (axis, v, message) in cases {
            let mut s = UiState::default();
            let e = set_axis(&mut s, axis, v).unwrap_err();
            assert_eq!(e.to_string(), message, "{axis:?} {v}");
            match (axis, e) {
                (Axis::Theta(f), AxisError::NotFinite { field, .. }) => assert_eq!(f, field),
                (Axis::Sigma, AxisError::Input(_)) => {}
                (a, e) => panic!("{a:?}: {e:?}"),
            }
            assert_eq!(s, UiState::default(), "the state is unchanged");
        }
    }

    #[test]
    fn the_map_axes_start_with_the_inputs() {
        // AXIS_GROUPS splits the dropdowns here.
        assert_eq!(MAP_AXES[..Axis::INPUTS.len()], Axis::INPUTS);
        assert!(MAP_AXES[Axis::INPUTS.len()..]
            .iter()
            .all(|a| matches!(a, Axis::Theta(_))));
    }

    #[test]
    fn every_slider_has_its_own_test_id() {
        let ids: std::collections::HashSet<String> = SliderField::all()
            .into_iter()
            .map(SliderField::testid)
            .collect();
        assert_eq!(ids.len(), MAP_AXES.len());
        assert!(
            ids.contains("tune-pnl") && ids.contains("tune-T1_R"),
            "{ids:?}"
        );
    }

    #[test]
    fn every_map_axis_round_trips_and_has_a_title() {
        for a in MAP_AXES {
            assert_eq!(map_axis(a.key()), Some(a));
            assert!(!axis_option(a).is_empty());
        }
        assert_ne!(DEFAULT_AXES.0, DEFAULT_AXES.1);
    }

    #[test]
    fn pick_axis_never_gives_the_same_axis_twice() {
        for x in MAP_AXES {
            for y in MAP_AXES.into_iter().filter(|&y| y != x) {
                for n in MAP_AXES {
                    for for_x in [true, false] {
                        let (a, b) = pick_axis((x, y), for_x, n);
                        assert_ne!(a, b);
                        assert_eq!(if for_x { a } else { b }, n);
                    }
                }
            }
        }
    }
}
