//! The theta-tuning view (`?view=tune`): the action map of any two axes, robustness sentences and
//! sensitivity curves for the current point, an A/B comparison of two thetas on a set of
//! positions, and saved theta sets with JSON / `theta.harvest.*` import and export.
//!
//! It reads and writes the explorer's state (`Ctx`): its sliders are the explorer's own
//! controls, so both views move the same point and the same theta (theta B once A is pinned).
//! Its own state is [`context::TuneCtx`]. Every number and sentence comes from
//! [`harvest_features::tuning`] and [`harvest_features::charts`]. One component per file:
//! [`page`] (the view), [`result_line`], [`sliders`], [`map`] (drawn by [`map_painter`]), [`sens`], [`ab`] and
//! [`ab_results`], [`sets`] (with the shared theta export / import box).

pub mod ab;
pub mod ab_results;
pub mod context;
pub mod map;
pub mod map_painter;
pub mod page;
pub mod result_line;
pub mod sens;
pub mod sets;
pub mod sliders;

pub use page::TuningView;
