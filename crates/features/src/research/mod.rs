//! Theta research on real trades: walk-forward folds over one or many symbols, a grid of 1–3
//! tunables optimised in-sample on a chosen objective and judged out-of-sample on the next fold,
//! the folds' choices stitched into one out-of-sample equity curve beside the base theta and
//! P1's trailing stop alone, the probability of backtest overfitting by combinatorially
//! symmetric cross-validation ([`stats::pbo`]), the deflated Sharpe ratio of the choice given
//! the cells tried ([`stats::dsr`]), whether the objective is a plateau or a spike around it,
//! and the hand-off (theta file, the policy's `harvest_params`, the report as JSON and HTML).
//!
//! Pure and steppable: [`ResearchPlan`] lays a job out as tasks (symbol, segment, grid column)
//! that [`ResearchPlan::run_task`] computes anywhere in any order; [`Research::step`] runs them a
//! trade at a time for a page; [`build_report`] turns the results into the report. No threads,
//! clock or I/O: the CLI runs the tasks on every core (rayon) or over a Redis Stream.
//!
//! ```
//! use harvest_features::replay::{Series, SweepAxis};
//! use harvest_features::research::{Research, ResearchPlan, ResearchSettings, SymbolSeries};
//! use harvest_market::{Bar, P0Params};
//! let bars: Vec<Bar> = (0..1200)
//!     .map(|i| {
//!         let c = 100.0 * (1.0 + 0.05 * (i as f64 / 40.0).sin() + 0.0002 * i as f64);
//!         Bar { time: 3600 * i, open: c, high: c * 1.004, low: c * 0.996, close: c, volume: None }
//!     })
//!     .collect();
//! let settings = ResearchSettings {
//!     grid: vec![SweepAxis::parse("kill_threshold=0.4:0.8:3").unwrap()],
//!     folds: 2,
//!     every: 12,
//!     cscv_blocks: 4,
//!     ..ResearchSettings::default()
//! };
//! let series = Series::with_states(bars, P0Params::default());
//! let plan = ResearchPlan::new(settings, vec![SymbolSeries { name: "DEMO".into(), series }]).unwrap();
//! let mut job = Research::new(plan);
//! while !job.step(|| false) {} // a trade a step
//! let report = job.report().unwrap();
//! assert_eq!(report.folds.len(), 2);
//! assert!(report.pbo.is_ok());
//! ```

pub mod folds;
pub mod grid;
pub mod html;
pub mod job;
pub mod objective;
pub mod plan;
pub mod remote;
pub mod report;
pub mod stats;
pub mod view;

pub use folds::{Fold, FoldPlan, Scheme};
pub use grid::{Grid, GridError, MAX_CELLS};
pub use job::{Research, ResearchProgress};
pub use objective::Objective;
pub use plan::{
    Block, ResearchError, ResearchPlan, ResearchSettings, SymbolSeries, Task, TaskResult, TradeRef,
};
pub use report::{build_report, build_report_with, pbo_of, ReportError, ResearchReport, Shape};

#[cfg(test)]
mod tests;
