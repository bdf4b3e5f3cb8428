//! Axes: one input or tunable viewed as a number that can be read, set and swept. Flip points,
//! sensitivity curves and action maps all move along these.

use serde::{Deserialize, Serialize};

use super::propose::{evaluate, Evaluation};
use super::theta::{Theta, ThetaField};
use super::types::{HarvestInput, MarketState};

/// One dimension the kernel can be explored along.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Axis {
    /// `position.unrealized_pnl`, quote currency.
    Pnl,
    /// `market_state.p_trend`; the other two probabilities are rescaled to keep the sum.
    PTrend,
    /// `market_state.sigma`.
    Sigma,
    /// `market_state.ts`.
    Ts,
    /// `position.age_sec`, seconds.
    AgeSec,
    /// One tunable.
    Theta(ThetaField),
}

impl Axis {
    /// The five inputs the dashboard explains ("what flips it").
    pub const INPUTS: [Axis; 5] = [Axis::Pnl, Axis::PTrend, Axis::Sigma, Axis::Ts, Axis::AgeSec];

    /// Stable key for URLs and CSV headers: `pnl`, `p_trend`, `sigma`, `ts`, `age_sec`, or the
    /// tunable's JSON key.
    pub fn key(self) -> &'static str {
        match self {
            Axis::Pnl => "pnl",
            Axis::PTrend => "p_trend",
            Axis::Sigma => "sigma",
            Axis::Ts => "ts",
            Axis::AgeSec => "age_sec",
            Axis::Theta(f) => f.key(),
        }
    }

    /// Parses [`Axis::key`].
    ///
    /// ```
    /// use harvest_kernel::{Axis, ThetaField};
    /// assert_eq!(Axis::from_key("sigma"), Some(Axis::Sigma));
    /// assert_eq!(Axis::from_key("kill_threshold"), Some(Axis::Theta(ThetaField::KillThreshold)));
    /// ```
    pub fn from_key(key: &str) -> Option<Axis> {
        Axis::INPUTS
            .into_iter()
            .find(|a| a.key() == key)
            .or_else(|| ThetaField::from_key(key).map(Axis::Theta))
    }

    /// Label for sentences and chart axes.
    pub fn label(self) -> &'static str {
        match self {
            Axis::Pnl => "PnL",
            Axis::PTrend => "p_trend",
            Axis::Sigma => "σ",
            Axis::Ts => "TS",
            Axis::AgeSec => "age",
            Axis::Theta(f) => f.key(),
        }
    }

    /// Unit of the value.
    pub fn unit(self) -> &'static str {
        match self {
            Axis::Pnl => "quote",
            Axis::PTrend => "prob",
            Axis::Sigma => "σ",
            Axis::Ts => "TS",
            Axis::AgeSec => "s",
            Axis::Theta(f) => f.spec().unit,
        }
    }

    /// The current value on this axis.
    pub fn get(self, input: &HarvestInput) -> f64 {
        match self {
            Axis::Pnl => input.position.unrealized_pnl,
            Axis::PTrend => input.market_state.p_trend,
            Axis::Sigma => input.market_state.sigma,
            Axis::Ts => input.market_state.ts,
            Axis::AgeSec => input.position.age_sec,
            Axis::Theta(f) => input.theta.unwrap_or_default().get(f),
        }
    }

    /// Sets the value on this axis (p_trend keeps the probabilities summing as before).
    pub fn set(self, input: &mut HarvestInput, value: f64) {
        match self {
            Axis::Pnl => input.position.unrealized_pnl = value,
            Axis::PTrend => input.market_state.set_p_trend(value),
            Axis::Sigma => input.market_state.sigma = value,
            Axis::Ts => input.market_state.ts = value,
            Axis::AgeSec => input.position.age_sec = value,
            Axis::Theta(f) => input.theta.get_or_insert_with(Theta::default).set(f, value),
        }
    }

    /// The range worth exploring around `input` along this axis, for charts, sweeps and
    /// margins: [`Axis::input_domain`] for the five inputs, the tunable's slider range
    /// ([`ParamSpec::slider`](crate::ParamSpec::slider)) for a tunable, widened to hold the
    /// current value.
    ///
    /// ```
    /// use harvest_kernel::{Axis, HarvestInput, Theta, ThetaField};
    /// let mut input = HarvestInput::default();
    /// assert_eq!(Axis::Theta(ThetaField::T1R).domain(&input), (0.0, 10.0));
    /// input.theta = Some(Theta { t1_r: 12.0, ..Theta::default() }); // beyond the slider
    /// assert_eq!(Axis::Theta(ThetaField::T1R).domain(&input), (0.0, 12.0));
    /// assert_eq!(Axis::PTrend.domain(&input), (0.0, 1.0));
    /// ```
    pub fn domain(self, input: &HarvestInput) -> (f64, f64) {
        match self {
            Axis::Theta(f) => {
                let r = f.spec().slider;
                self.widen((r.min, r.max), input)
            }
            _ => self.input_domain(input).unwrap_or((0.0, 1.0)),
        }
    }

    /// The range worth exploring around `input` along one of the five inputs: wide enough to
    /// hold every boundary the kernel can have along it (the caps make K flat beyond it).
    /// `None` for a tunable (its range is its slider: [`Axis::domain`]).
    ///
    /// PnL: R_net from −10 to `max(T3_R, lock_R) + 10`; p_trend: [0, 1]; σ: up to 1.25× the
    /// capped spike; TS: from `ts_ref − ts_drop_cap` to `ts_ref`, widened to hold the current
    /// value; age: up to 1.25 × `max_age_sec`. Widened to hold the current value.
    ///
    /// ```
    /// use harvest_kernel::{Axis, HarvestInput, ThetaField};
    /// assert_eq!(Axis::PTrend.input_domain(&HarvestInput::default()), Some((0.0, 1.0)));
    /// assert_eq!(Axis::Theta(ThetaField::T1R).input_domain(&HarvestInput::default()), None);
    /// ```
    pub fn input_domain(self, input: &HarvestInput) -> Option<(f64, f64)> {
        let theta = input.theta.unwrap_or_default();
        let (lo, hi) = match self {
            Axis::Pnl => {
                let e = input.evaluate();
                let top = theta.t3_r.max(theta.lock_r) + 10.0;
                (
                    -10.0 * e.risk_unit + e.cost_est,
                    top * e.risk_unit + e.cost_est,
                )
            }
            Axis::PTrend => (0.0, 1.0),
            Axis::Sigma => (0.0, theta.sigma_ref * (1.0 + theta.sigma_spike_cap) * 1.25),
            Axis::Ts => (
                (theta.ts_ref - theta.ts_drop_cap - 0.1).min(0.0),
                (theta.ts_ref + 0.1).max(1.0),
            ),
            Axis::AgeSec => (0.0, theta.max_age_sec * 1.25),
            Axis::Theta(_) => return None,
        };
        Some(self.widen((lo, hi), input))
    }

    /// `(lo, hi)` widened to hold the current value on this axis (when it is finite).
    pub fn widen(self, (lo, hi): (f64, f64), input: &HarvestInput) -> (f64, f64) {
        let cur = self.get(input);
        if cur.is_finite() {
            (lo.min(cur), hi.max(cur))
        } else {
            (lo, hi)
        }
    }
}

impl MarketState {
    /// Sets `p_trend` and rescales `p_mr` and `p_chop` so the three keep summing to 1
    /// (split evenly when both were 0).
    ///
    /// ```
    /// use harvest_kernel::MarketState;
    /// let mut ms = MarketState { p_trend: 0.6, p_mr: 0.1, p_chop: 0.3, ..MarketState::default() };
    /// ms.set_p_trend(0.2);
    /// assert!((ms.p_mr - 0.2).abs() < 1e-12 && (ms.p_chop - 0.6).abs() < 1e-12);
    /// ```
    pub fn set_p_trend(&mut self, value: f64) {
        let [t, m, c] = rebalance([self.p_trend, self.p_mr, self.p_chop], 0, value);
        (self.p_trend, self.p_mr, self.p_chop) = (t, m, c);
    }

    /// Sets `p_mr`, rescaling the other two (see [`MarketState::set_p_trend`]).
    pub fn set_p_mr(&mut self, value: f64) {
        let [t, m, c] = rebalance([self.p_trend, self.p_mr, self.p_chop], 1, value);
        (self.p_trend, self.p_mr, self.p_chop) = (t, m, c);
    }

    /// Sets `p_chop`, rescaling the other two (see [`MarketState::set_p_trend`]).
    pub fn set_p_chop(&mut self, value: f64) {
        let [t, m, c] = rebalance([self.p_trend, self.p_mr, self.p_chop], 2, value);
        (self.p_trend, self.p_mr, self.p_chop) = (t, m, c);
    }
}

/// Sets `p[i] = value` (clamped to [0, 1]) and scales the other two so all three sum to 1.
pub fn rebalance(p: [f64; 3], i: usize, value: f64) -> [f64; 3] {
    let v = if value.is_finite() {
        value.clamp(0.0, 1.0)
    } else {
        p[i % 3]
    };
    let i = i % 3;
    let (a, b) = ((i + 1) % 3, (i + 2) % 3);
    let rest = 1.0 - v;
    let others = p[a] + p[b];
    let mut out = [0.0; 3];
    out[i] = v;
    if others > 0.0 && others.is_finite() {
        out[a] = rest * p[a] / others;
        out[b] = rest - out[a];
    } else {
        out[a] = rest / 2.0;
        out[b] = rest / 2.0;
    }
    out
}

impl HarvestInput {
    /// The fast path on this input ([`evaluate`]), with a missing theta taking the defaults.
    pub fn evaluate(&self) -> Evaluation {
        let theta = self.theta.unwrap_or_default();
        evaluate(
            &self.position,
            &self.market_state,
            self.p1_proposal.as_ref(),
            &theta,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_hold_the_current_value() {
        let input = HarvestInput {
            theta: Some(Theta {
                kill_threshold: 1.5,
                ..Theta::default()
            }),
            ..HarvestInput::default()
        };
        assert_eq!(
            Axis::Theta(ThetaField::KillThreshold).domain(&input),
            (0.01, 1.5)
        );
        assert_eq!(
            Some(Axis::Sigma.domain(&input)),
            Axis::Sigma.input_domain(&input)
        );
    }
}
