//! The Replay view's Research panel: walk-forward theta research on the loaded prices, as
//! `harvest research` does it (the same [`harvest_features::research`] plan, stepper and
//! report): rolling or anchored folds, 1–3 tunables and their values, an objective; then the
//! per-fold table (the choice, in-sample against out-of-sample, their ratio, the baselines), the
//! stitched out-of-sample equity, PBO, the deflated Sharpe ratio, plateau or spike, and the
//! hand-off files to download. The job runs in a Web Worker (crates/research-worker), so the page
//! keeps painting; progress and Cancel in the panel.

mod axis_row;
mod charts;
mod choice_field;
mod context;
mod count_field;
mod downloads;
mod job;
mod panel;
mod results;
mod settings_form;

pub use panel::ResearchPanel;
