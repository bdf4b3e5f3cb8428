//! A canvas painted by an effect: again whenever a signal its drawing reads changes, and
//! whenever the canvas's own size does ([`use_element_size`](super::use_element_size)). What
//! the paints did is a signal the view reads for its `data-*` stamps and messages.

use leptos::html::Canvas;
use leptos::prelude::*;
use web_sys::HtmlCanvasElement;

use super::use_element_size;
use crate::browser::now_ms;
use crate::charts::canvas::PaintError;

/// What a canvas's paints did.
#[derive(Debug, Clone, PartialEq)]
pub struct Painted<T> {
    /// Paints so far (a view stamps it as `data-paints`).
    pub paints: u64,
    /// Why the last paint failed (`data-paint-error`), `None` after a good one.
    pub error: Option<String>,
    /// What the last good paint returned.
    pub last: Option<T>,
    /// How long it took, data and drawing, ms.
    pub ms: f64,
}

impl<T> Default for Painted<T> {
    fn default() -> Self {
        Painted {
            paints: 0,
            error: None,
            last: None,
            ms: 0.0,
        }
    }
}

impl<T> Painted<T> {
    /// The paint count as an attribute: none before the first paint.
    pub fn count(&self) -> Option<String> {
        (self.paints > 0).then(|| self.paints.to_string())
    }
}

/// Paints `canvas` with `draw` (which returns `None` when there is nothing to paint, e.g. no
/// data or its view hidden) whenever a signal `draw` reads changes or the canvas is resized
/// (which includes being shown after being hidden).
pub fn use_canvas_paint<T>(
    canvas: NodeRef<Canvas>,
    draw: impl Fn(&HtmlCanvasElement) -> Option<Result<T, PaintError>> + 'static,
) -> ReadSignal<Painted<T>>
where
    T: Send + Sync + 'static,
{
    let size = use_element_size(canvas);
    let (painted, set_painted) = signal(Painted::default());
    Effect::new(move |_| {
        let (w, h) = size.get();
        let Some(el) = canvas.get() else { return };
        if w <= 0 || h <= 0 {
            return;
        }
        let t0 = now_ms();
        match draw(&el) {
            Some(Ok(v)) => set_painted.update(|p| {
                p.paints += 1;
                p.error = None;
                p.last = Some(v);
                p.ms = now_ms() - t0;
            }),
            Some(Err(e)) => set_painted.update(|p| p.error = Some(e.to_string())),
            None => {}
        }
    });
    painted
}
