//! What a research job optimises: a number of a set of trade results in R, in time order.

use serde::{Deserialize, Serialize};

use super::stats::{CscvMetric, Run};

/// The objective chosen in-sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Objective {
    /// Mean R per trade (the default).
    #[default]
    Expectancy,
    /// Sum of R.
    TotalR,
    /// The worst peak-to-trough fall of the cumulative R, the smaller the better.
    Drawdown,
    /// Mean R over its standard deviation, per trade.
    Sharpe,
}

impl Objective {
    /// Every objective, in the order menus show them.
    pub const ALL: [Objective; 4] = [
        Objective::Expectancy,
        Objective::TotalR,
        Objective::Drawdown,
        Objective::Sharpe,
    ];

    /// Parses `expectancy`, `total_r`, `drawdown` or `sharpe` (any case, `-` for `_`).
    ///
    /// ```
    /// use harvest_features::research::Objective;
    /// assert_eq!(Objective::parse("total-r"), Some(Objective::TotalR));
    /// assert_eq!(Objective::parse("profit"), None);
    /// ```
    pub fn parse(s: &str) -> Option<Objective> {
        let s = s.trim().to_ascii_lowercase().replace('-', "_");
        Objective::ALL.into_iter().find(|o| o.as_str() == s)
    }

    /// The spelling `parse` reads.
    pub fn as_str(self) -> &'static str {
        match self {
            Objective::Expectancy => "expectancy",
            Objective::TotalR => "total_r",
            Objective::Drawdown => "drawdown",
            Objective::Sharpe => "sharpe",
        }
    }

    /// How reports name it, with its unit.
    pub fn label(self) -> &'static str {
        match self {
            Objective::Expectancy => "expectancy (R per trade)",
            Objective::TotalR => "total R",
            Objective::Drawdown => "worst drawdown (R)",
            Objective::Sharpe => "Sharpe ratio per trade",
        }
    }

    /// The metric that ranks configurations the same way (higher is better).
    pub fn metric(self) -> CscvMetric {
        match self {
            Objective::Expectancy => CscvMetric::Mean,
            Objective::TotalR => CscvMetric::Sum,
            Objective::Drawdown => CscvMetric::NegDrawdown,
            Objective::Sharpe => CscvMetric::Sharpe,
        }
    }

    /// The score of `rs` in time order, higher is better (the drawdown negated); `None` with no
    /// trade (non-finite results are left out).
    ///
    /// ```
    /// use harvest_features::research::Objective;
    /// let rs = [2.0, -1.0, -1.0, 3.0];
    /// assert_eq!(Objective::Expectancy.score(&rs), Some(0.75));
    /// assert_eq!(Objective::Drawdown.score(&rs), Some(-2.0));
    /// assert_eq!(Objective::TotalR.score(&[]), None);
    /// ```
    pub fn score(self, rs: &[f64]) -> Option<f64> {
        let run = rs
            .iter()
            .filter(|r| r.is_finite())
            .fold(Run::default(), |a, &r| a.then(&Run::one(r)));
        (run.n > 0.0)
            .then(|| self.metric().of(&run))
            .filter(|v| !v.is_nan())
    }

    /// The value as reports show it: the score, with the drawdown as a positive number of R.
    pub fn shown(self, score: f64) -> f64 {
        match self {
            Objective::Drawdown => -score,
            _ => score,
        }
    }

    /// The ratio out-of-sample over in-sample, per trade so windows of different lengths
    /// compare: mean R over mean R for expectancy and total R, Sharpe over Sharpe, drawdown
    /// over drawdown (above 1 is worse there). `None` when the in-sample figure is 0 or missing.
    pub fn ratio(self, is: &[f64], oos: &[f64]) -> Option<f64> {
        let per = match self {
            Objective::Expectancy | Objective::TotalR => Objective::Expectancy,
            o => o,
        };
        let (a, b) = (per.score(is)?, per.score(oos)?);
        let (a, b) = (per.shown(a), per.shown(b));
        (a != 0.0).then(|| b / a)
    }
}
