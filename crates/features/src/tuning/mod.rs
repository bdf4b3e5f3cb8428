//! Theta tuning, one file a job: the positions to compare on ([`positions`]), A/B of two thetas
//! on them ([`ab`]), how far the current point is from the nearest action boundary
//! ([`robustness`]), two axes swept into an action-map table ([`sweep`]); and what the tuning
//! view shows of them ([`ab_view`], [`axes`], [`headline`], [`map_view`], [`theta_sets`]).
//! Theta files themselves (JSON, `theta.harvest.*` lines) are [`crate::theta`]'s.
//!
//! Pure (no I/O, no clock, no randomness) and compiled for wasm too: the CLI's `sweep`,
//! `diff-theta` and `theta` commands and the dashboard's tuning view share it. Every number comes
//! from the kernel's fast path ([`evaluate`]); the action map itself is the charts'
//! [`action_map`], never a second grid.
//!
//! ```
//! use harvest_kernel::{HarvestAction, Theta};
//! use harvest_features::tuning::{compare_thetas, grid_positions, GridSpec};
//! let a = Theta::default();
//! let b = Theta { kill_threshold: 0.5, ..a };
//! let set = grid_positions(&Default::default(), &GridSpec::default()).unwrap();
//! let report = compare_thetas(&a, &b, &set.inputs).unwrap();
//! assert!(report.counts.net(HarvestAction::FullCloseProposed) > 0); // a lower bar closes more
//! assert_eq!(report.theta_diff[0].key, "kill_threshold");
//! ```

pub mod ab;
pub mod ab_view;
pub mod axes;
pub mod headline;
pub mod map_view;
pub mod positions;
pub mod robustness;
pub mod sweep;
pub mod theta_sets;

pub use ab::{
    compare_position, compare_thetas, theta_changes, AbCounts, AbReport, InvalidTheta, Outcome,
    PositionDiff, ThetaChange,
};
pub use positions::{
    grid_positions, scenario_positions, GridSpec, GridTooLarge, PositionSet, MAX_GRID_POSITIONS,
};
pub use robustness::{
    margin_sentence, robustness, robustness_along, robustness_lines, robustness_rows,
    theta_robustness, AxisMargin, MarginBar, RobustRow,
};
pub use sweep::{sweep, Sweep, SweepRow};
