//! The theta-tuning view (`?view=tune`): the action map of any two axes, robustness sentences and
//! sensitivity curves for the current point, an A/B comparison of two thetas on a set of
//! positions, and saved theta sets with JSON / `theta.harvest.*` import and export.
//!
//! It reads and writes the explorer's state (`Ctx`): the sliders here and there move the same
//! point and the same theta (theta B once A is pinned). Every number comes from
//! [`harvest_features::tuning`] and [`harvest_features::charts`]; the view-only helpers are in [`harvest_features::tuning::view`].
//!
//! Size: the whole view is static HTML ([`harvest_features::tuning::view::sliders_html`] and
//! [`harvest_features::tuning::view::main_html`]) put into one `<section>` while the view shows, with one
//! delegated listener per event kind ([`page`]); effects fill in its dynamic parts (`sliders`,
//! `map`, `sens`, `ab`, `sets`). No per-element view code: the view costs the wasm its logic
//! and little else.

mod ab;
mod context;
mod map;
mod page;
mod sens;
mod sets;
mod sliders;
mod tuner;

pub use page::TuningView;
