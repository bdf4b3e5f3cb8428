//! Hooks: the reusable reactive pieces of the views, in the shape of leptos-use and thaw: a
//! `use_*` function a component calls, which returns signals and removes whatever it registered
//! (observers, listeners) when the component's owner is cleaned up.
//!
//! - [`use_element_size`]: an element's CSS size as a signal (a `ResizeObserver`);
//! - [`use_canvas_paint`]: a canvas painted whenever what it draws, or its size, changes; the
//!   paint count, the last error and what the paint returned as a signal;
//! - [`use_drop_files`]: a drop zone for files (the reviewer's and the Replay view's).

pub mod use_canvas_paint;
pub mod use_drop_files;
pub mod use_element_size;

pub use use_canvas_paint::use_canvas_paint;
pub use use_drop_files::use_drop_files;
pub use use_element_size::use_element_size;
