//! Chart data (pure) and drawing (generic over the plotters backend).
//!
//! - [`data`]: one plain struct per chart, built from kernel outputs (testable natively).
//! - [`draw`]: `draw_*` functions drawing those structs on any plotters `DrawingArea`
//!   (SVG natively, `<canvas>` in the browser).
//! - [`theme`]: light/dark palettes, one colour per action.
//! - `canvas` (wasm32 only): the plotters backend on a 2d context, device-pixel-ratio-aware
//!   painting on an `HtmlCanvasElement` and the action-map pixel blit.
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

pub mod data;
pub mod draw;
pub mod frame;
pub mod research;
pub mod sparkline;
pub mod sweep_map;
pub mod theme;
pub mod trade;

pub use data::*;
pub use draw::*;
pub use sparkline::{sparkline, Sparkline};
pub use theme::*;
