//! "What flips it": for the current inputs, the nearest value of each single input at which the
//! proposed action changes, found by a scan and then bisection to adjacent floats.

use serde::Serialize;

use super::axis::Axis;
use super::types::{HarvestAction, HarvestInput};

/// Which way the input moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// The input rises to the flip value.
    Up,
    /// The input falls to the flip value.
    Down,
}

/// The nearest point along one axis where the action changes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FlipPoint {
    /// The input that moves.
    pub axis: Axis,
    /// Which way it moves.
    pub direction: Direction,
    /// The input's current value.
    pub current: f64,
    /// The first value (to float precision) at which the action is `to`.
    pub value: f64,
    /// The action now.
    pub from: HarvestAction,
    /// The action at `value`.
    pub to: HarvestAction,
}

impl FlipPoint {
    /// How far the input must move, `value − current`.
    pub fn distance(&self) -> f64 {
        self.value - self.current
    }

    /// The move relative to the current value in percent (`None` when the current value is 0).
    pub fn relative_pct(&self) -> Option<f64> {
        (self.current != 0.0).then(|| 100.0 * self.distance() / self.current.abs())
    }
}

const SCAN_STEPS: usize = 256;

/// The nearest flip along one of the five inputs in `direction`, inside [`Axis::input_domain`];
/// `None` if the action stays the same all the way (and for a tunable, which has no domain of
/// its own here: use [`flip_within`]).
///
/// ```
/// use harvest_kernel::{flip_along, Axis, Direction, HarvestAction, HarvestInput};
/// let f = flip_along(&HarvestInput::default(), Axis::Pnl, Direction::Up).unwrap();
/// assert_eq!(f.to, HarvestAction::Partial25);
/// assert!((f.value - 4.1).abs() < 1e-9); // R_net = (4.1 − 0.1) / 2 = 2 = T1_R
/// ```
pub fn flip_along(input: &HarvestInput, axis: Axis, direction: Direction) -> Option<FlipPoint> {
    flip_within(input, axis, direction, axis.input_domain(input)?)
}

/// The nearest flip along `axis` in `direction` inside `(lo, hi)`; `None` if the action stays
/// the same all the way.
///
/// ```
/// use harvest_kernel::{flip_within, Axis, Direction, HarvestAction, HarvestInput, ThetaField};
/// let axis = Axis::Theta(ThetaField::KillThreshold);
/// let f = flip_within(&HarvestInput::default(), axis, Direction::Down, (0.01, 0.99)).unwrap();
/// assert_eq!(f.to, HarvestAction::FullCloseProposed);
/// ```
pub fn flip_within(
    input: &HarvestInput,
    axis: Axis,
    direction: Direction,
    (lo, hi): (f64, f64),
) -> Option<FlipPoint> {
    let current = axis.get(input);
    if !current.is_finite() {
        return None;
    }
    let end = match direction {
        Direction::Up => hi,
        Direction::Down => lo,
    };
    if end == current {
        return None;
    }
    let mut probe = input.clone();
    let mut action_at = |x: f64| {
        axis.set(&mut probe, x);
        probe.evaluate().action
    };
    let from = action_at(current);
    let mut same = current;
    let mut diff = None;
    for i in 1..=SCAN_STEPS {
        let x = current + (end - current) * (i as f64 / SCAN_STEPS as f64);
        if action_at(x) != from {
            diff = Some(x);
            break;
        }
        same = x;
    }
    let mut other = diff?;
    for _ in 0..200 {
        let mid = same + (other - same) / 2.0;
        if mid == same || mid == other {
            break;
        }
        if action_at(mid) == from {
            same = mid;
        } else {
            other = mid;
        }
    }
    Some(FlipPoint {
        axis,
        direction,
        current,
        value: other,
        from,
        to: action_at(other),
    })
}

/// Every flip of the five explained inputs (PnL, p_trend, σ, TS, age), down then up per input.
///
/// ```
/// use harvest_kernel::{flip_points, HarvestInput};
/// assert!(!flip_points(&HarvestInput::default()).is_empty());
/// ```
pub fn flip_points(input: &HarvestInput) -> Vec<FlipPoint> {
    Axis::INPUTS
        .into_iter()
        .flat_map(|axis| {
            [Direction::Down, Direction::Up]
                .into_iter()
                .filter_map(move |d| flip_along(input, axis, d))
        })
        .collect()
}
