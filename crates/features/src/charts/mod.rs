//! The charts, one file a chart: each holds the chart's data (a plain struct built from kernel
//! or replay outputs, testable natively) and its drawing on any plotters `DrawingArea` (SVG
//! natively, `<canvas>` in the browser), over one plot frame ([`plot`]) and one palette
//! ([`theme`]).
//!
//! - [`kill_explainer`], [`r_ladder`], [`stop_ladder`]: the explorer's three charts;
//! - [`sensitivity`] and [`action_map`]: the tuning view's small multiples and map;
//! - [`trade_chart`], [`trade_signals`], [`sweep_map`], [`ab_curves`]: the Replay view's;
//! - [`sparkline`]: the Live view's K history (SVG geometry, no plotters); [`live_chart`]: a
//!   symbol's live chart, drawn by the trade chart and its signals.
//!
//! Every chart fills its area with the theme's background, writes a headline saying what it
//! shows (e.g. `K 0.503 < 0.6: margin 0.097`), labels its axes with units and annotates
//! thresholds and the current point. Non-finite data never panics: such points are skipped and
//! labels show `–` ([`DASH`](crate::format::DASH)).
//!
//! ```
//! use harvest_features::charts::{draw_kill_explainer, kill_explainer, ChartTheme};
//! use harvest_kernel::HarvestInput;
//! use plotters::prelude::*;
//! let data = kill_explainer(&HarvestInput::default(), 96);
//! let mut svg = String::new();
//! {
//!     let root = SVGBackend::with_string(&mut svg, (480, 220)).into_drawing_area();
//!     draw_kill_explainer(&root, &data, &ChartTheme::light()).unwrap();
//!     root.present().unwrap();
//! }
//! assert!(svg.contains("K 0.503 &lt; 0.6: margin 0.097"));
//! ```

pub mod ab_curves;
pub mod action_map;
pub mod kill_explainer;
pub mod live_chart;
pub mod plot;
pub mod r_ladder;
pub mod research;
pub mod sensitivity;
pub mod sparkline;
pub mod stop_ladder;
pub mod sweep_map;
pub mod theme;
pub mod trade_chart;
pub mod trade_signals;

pub use ab_curves::{ab_curves, draw_ab_curves, draw_ab_hist, AbCurves, Curve, AB_COLORS};
pub use action_map::*;
pub use kill_explainer::*;
pub use live_chart::*;
pub use plot::{spread_intervals, steady_range, ticks, Area, Axes, DrawResult, Plot, TickText};
pub use r_ladder::*;
pub use sensitivity::*;
pub use sparkline::{sparkline, Sparkline};
pub use stop_ladder::*;
pub use sweep_map::*;
pub use theme::*;
pub use trade_chart::*;
pub use trade_signals::*;
