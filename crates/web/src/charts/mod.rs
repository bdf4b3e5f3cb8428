//! Thin canvas components over `harvest_features::charts`' drawing functions, and the canvas
//! backend they paint through ([`canvas`]).

pub mod canvas;
pub mod chart_canvas;
pub mod kill_explainer;
pub mod r_ladder;
pub mod stop_ladder;

pub use kill_explainer::KillExplainerChart;
pub use r_ladder::RLadderChart;
pub use stop_ladder::StopLadderChart;
