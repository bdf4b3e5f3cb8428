//! Thin canvas components over the charts engineer's `crate::charts` drawing functions.

pub mod chart_canvas;
pub mod kill_explainer;
pub mod r_ladder;
pub mod stop_ladder;

pub use kill_explainer::KillExplainerChart;
pub use r_ladder::RLadderChart;
pub use stop_ladder::StopLadderChart;
