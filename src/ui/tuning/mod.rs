//! The theta-tuning view (`?view=tune`): the action map of any two axes, robustness sentences and
//! sensitivity curves for the current point, an A/B comparison of two thetas on a set of
//! positions, and saved theta sets with JSON / `theta.harvest.*` import and export.
//!
//! It reads and writes the explorer's state (`Ctx`): the sliders here and there move the same
//! point and the same theta (theta B once A is pinned). Every number comes from
//! [`crate::tuning`] and [`crate::charts`]; the view-only helpers are in [`crate::tuning_view`].
//!
//! Size: the sliders are the explorer's own `RangeField`; everything else is one static HTML
//! string ([`crate::tuning_view::main_html`]) with one delegated listener per event kind
//! ([`panel`]), its dynamic parts filled in by effects (`map`, `sens`, `ab`, `sets`). That keeps
//! the view's share of the wasm small (no per-element view code).

mod ab;
mod context;
mod map;
mod page;
mod panel;
mod sens;
mod sets;
mod sliders;

pub use page::TuningView;
