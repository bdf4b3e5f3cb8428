//! The P2 harvest kernel: pure functions over plain data, no I/O, no clock, no randomness.
//!
//! For one open position it proposes partial exits from the cost-aware risk multiple R_net, a
//! break-even-plus stop that never loosens, and a kill score K that proposes a full close. It
//! depends on nothing but `std`, `serde`, `thiserror` and `zmij` (for [`num::Num`]; a test enforces
//! the imports).
//!
//! ```
//! use harvest_kernel::{propose, scenarios, HarvestAction};
//! let storm = &scenarios()[5].steps[0];
//! let p = propose(&storm.input).unwrap();
//! assert_eq!(p.harvest_action, HarvestAction::FullCloseProposed);
//! ```

mod axis;
pub mod calendar;
mod compare;
pub mod echo;
mod error;
mod flip;
mod kill;
pub mod num;
mod propose;
mod scenarios;
mod theta;
mod types;

pub use axis::{rebalance, Axis};
pub use compare::{compare, FieldDiff, RecordedOutput, Tolerance, Verdict};
pub use error::KernelError;
pub use flip::{flip_along, flip_points, flip_within, Direction, FlipPoint};
pub use kill::{contributions, k_components, kill_z, logit, sigmoid};
pub use propose::{
    be_plus_level, evaluate, harvest_action, profit_lock, propose, stop_distance, validate,
    Evaluation, MIN_RISK_UNIT, PROB_SUM_TOLERANCE,
};
pub use scenarios::{scenarios, Expected, Scenario, ScenarioStep, SPEC_ROUNDING_TOLERANCE};
pub use theta::{
    ParamGroup, ParamSpec, SliderRange, Theta, ThetaField, Validity, MAX_EXP_ARG, PARAMS,
    UNIFORM_BELOW,
};
pub use types::{
    Audit, HarvestAction, HarvestInput, KComponents, MarketState, P1Proposal, Position, Proposal,
    ReasonCode, Side, Warning,
};

/// The kernel's version, as reported in receipts and by `harvest --version`.
pub const KERNEL_VERSION: &str = env!("CARGO_PKG_VERSION");
