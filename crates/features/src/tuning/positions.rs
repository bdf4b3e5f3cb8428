//! The positions two thetas are compared on: a grid over R_net, σ, p_trend and age around a base
//! input ([`grid_positions`]), or every step of the spec's replay scenarios
//! ([`scenario_positions`]).

use serde::{Deserialize, Serialize};

use crate::format::format_sig;
use harvest_kernel::{scenarios, HarvestInput};

/// A named list of positions to compare thetas on, each with a label for display.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PositionSet {
    /// What the set is, e.g. `"grid 13 R × 6 σ × 6 p_trend × 5 age"`.
    pub name: String,
    /// One label per position, e.g. `"R 2, σ 0.01, p_trend 0.5, age 3600 s"`.
    pub labels: Vec<String>,
    /// The positions (their own `theta` is ignored by [`compare_thetas`]).
    pub inputs: Vec<HarvestInput>,
}

impl PositionSet {
    /// Number of positions.
    pub fn len(&self) -> usize {
        self.inputs.len()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.inputs.is_empty()
    }
}

/// A grid spec with more than [`MAX_GRID_POSITIONS`] positions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the grid has {positions} positions; at most {MAX_GRID_POSITIONS} are generated")]
pub struct GridTooLarge {
    /// The positions the spec asks for.
    pub positions: usize,
}

/// Largest number of positions [`grid_positions`] generates.
pub const MAX_GRID_POSITIONS: usize = 1_000_000;

/// The values of a position grid: every combination of R_net, σ, p_trend and age.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GridSpec {
    /// R_net values (in R of the base input's theta); PnL is `R·risk_unit + cost_est`.
    pub r: Vec<f64>,
    /// σ values.
    pub sigma: Vec<f64>,
    /// p_trend values (p_mr and p_chop rescaled to keep the sum, as the sliders do).
    pub p_trend: Vec<f64>,
    /// Ages in seconds.
    pub age_sec: Vec<f64>,
}

impl Default for GridSpec {
    /// 13 R (−2 … 10) × 6 σ (0.005 … 0.03) × 6 p_trend (0.05 … 0.8) × 5 ages (0 … 48 h):
    /// 2340 positions spanning every partial, the profit lock and each kill component.
    fn default() -> Self {
        GridSpec {
            r: (-2..=10).map(f64::from).collect(),
            sigma: vec![0.005, 0.01, 0.015, 0.02, 0.025, 0.03],
            p_trend: vec![0.05, 0.2, 0.35, 0.5, 0.65, 0.8],
            age_sec: vec![0.0, 21600.0, 43200.0, 86400.0, 172800.0],
        }
    }
}

impl GridSpec {
    /// Number of positions the grid has (finite values only; saturating).
    ///
    /// ```
    /// use harvest_features::tuning::GridSpec;
    /// assert_eq!(GridSpec::default().len(), 2340);
    /// ```
    pub fn len(&self) -> usize {
        let n = |v: &[f64]| v.iter().filter(|x| x.is_finite()).count();
        n(&self.r)
            .saturating_mul(n(&self.sigma))
            .saturating_mul(n(&self.p_trend))
            .saturating_mul(n(&self.age_sec))
    }

    /// Whether the grid has no position.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The positions of `spec` around `base` (deterministic; order: R outermost, then σ, p_trend,
/// age). Each is `base` with `unrealized_pnl = R·risk_unit + cost_est` (risk unit and cost of
/// `base` under its own theta, default if none), `sigma`, `p_trend` (others rescaled) and
/// `age_sec` set. Non-finite grid values are skipped.
///
/// # Errors
/// [`GridTooLarge`] when the grid would exceed [`MAX_GRID_POSITIONS`].
///
/// ```
/// use harvest_kernel::HarvestInput;
/// use harvest_features::tuning::{grid_positions, GridSpec};
/// let set = grid_positions(&HarvestInput::default(), &GridSpec::default()).unwrap();
/// assert_eq!(set.len(), 2340);
/// assert!((set.inputs[0].evaluate().r_net + 2.0).abs() < 1e-12);
/// ```
pub fn grid_positions(base: &HarvestInput, spec: &GridSpec) -> Result<PositionSet, GridTooLarge> {
    let n = spec.len();
    if n > MAX_GRID_POSITIONS {
        return Err(GridTooLarge { positions: n });
    }
    let finite = |v: &[f64]| {
        v.iter()
            .copied()
            .filter(|x| x.is_finite())
            .collect::<Vec<_>>()
    };
    let (rs, sigmas, ps, ages) = (
        finite(&spec.r),
        finite(&spec.sigma),
        finite(&spec.p_trend),
        finite(&spec.age_sec),
    );
    let e = base.evaluate();
    let mut labels = Vec::with_capacity(n);
    let mut inputs = Vec::with_capacity(n);
    for &r in &rs {
        for &sigma in &sigmas {
            for &p in &ps {
                for &age in &ages {
                    let mut input = base.clone();
                    input.position.unrealized_pnl = r * e.risk_unit + e.cost_est;
                    input.market_state.sigma = sigma;
                    input.market_state.set_p_trend(p);
                    input.position.age_sec = age;
                    labels.push(format!(
                        "R {}, σ {}, p_trend {}, age {} s",
                        format_sig(r, 4),
                        format_sig(sigma, 4),
                        format_sig(p, 4),
                        format_sig(age, 6)
                    ));
                    inputs.push(input);
                }
            }
        }
    }
    Ok(PositionSet {
        name: format!(
            "grid {} R × {} σ × {} p_trend × {} age",
            rs.len(),
            sigmas.len(),
            ps.len(),
            ages.len()
        ),
        labels,
        inputs,
    })
}

/// Every step of the spec's replay scenarios ([`scenarios`]) as one position set, labelled
/// `"<id>. <scenario>: <step>"`.
///
/// ```
/// use harvest_features::tuning::scenario_positions;
/// let set = scenario_positions();
/// assert_eq!(set.len(), 16);
/// assert!(set.labels[0].starts_with("1. "));
/// ```
pub fn scenario_positions() -> PositionSet {
    let mut labels = Vec::new();
    let mut inputs = Vec::new();
    for s in scenarios() {
        for step in s.steps {
            labels.push(format!("{}. {}: {}", s.id, s.name, step.label));
            inputs.push(step.input);
        }
    }
    PositionSet {
        name: "spec replay steps".to_string(),
        labels,
        inputs,
    }
}
