//! Thin canvas components over `harvest_features::charts`' drawing functions, and the canvas
//! backend they paint through ([`canvas`]).

pub mod canvas;
pub mod chart_canvas;

pub use chart_canvas::{ChartCanvas, ChartKind};
