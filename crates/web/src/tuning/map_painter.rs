//! The action map's painter: the cells live in a buffer outside the signals (reused from frame
//! to frame, one pixel blit per paint); a [`Trigger`] tells the tooltip when they changed, and a
//! [`Stamp`] signal carries what the canvas and the line under it show.
//!
//! While sliders move, the map is computed at [`DRAG_SIDE`] cells a side (coarser only if a
//! frame overruns the budget) and refined to [`FULL_SIDE`] once they rest. Every paint stamps
//! the canvas with `data-paints`, `data-cells`, `data-compute-ms` and `data-paint-ms` (timed
//! with `performance.now()`), which `e2e/bench-map.mjs` reads.

use std::time::Duration;

use leptos::html::Canvas;
use leptos::prelude::*;

use crate::browser::now_ms;
use crate::charts::canvas::paint_action_map;
use crate::context::Ctx;
use crate::tuning::context::TuneCtx;
use harvest_features::charts::{action_map_into, ActionMap, ActionMapSpec, ChartTheme, PlotRect};
use harvest_features::format::{fixed, Num};
use harvest_features::tuning::axes::set_axis;
use harvest_features::tuning::map_view::{
    cell_at, cell_lines, drag_side, resolution_text, value_at, DRAG_SIDE, FULL_SIDE,
};

/// How long after the last change the map is refined, ms.
const SETTLE_MS: f64 = 200.0;

/// What the last paint leaves on the canvas and under it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Stamp {
    /// Paints so far (`data-paints`).
    pub paints: u64,
    /// `"200x200"` (`data-cells`).
    pub cells: String,
    /// Time to compute the cells, ms (`data-compute-ms`).
    pub compute_ms: String,
    /// Time to paint them, ms (`data-paint-ms`).
    pub paint_ms: String,
    /// Why the last paint failed (`data-paint-error`).
    pub error: Option<String>,
    /// The canvas's accessible name.
    pub label: String,
    /// The resolution line under the map.
    pub text: String,
}

/// The tooltip of the cell under the pointer: where (CSS px), whether it opens to the left,
/// and its lines ([`cell_lines`]).
pub type Tip = (f64, f64, bool, [String; 3]);

/// The map's canvas, buffers and timers; `Copy`, so deferred callbacks can hold it.
#[derive(Clone, Copy)]
pub struct MapPainter {
    ctx: Ctx,
    tc: TuneCtx,
    /// The canvas.
    pub canvas: NodeRef<Canvas>,
    map: StoredValue<ActionMap>,
    rect: StoredValue<Option<PlotRect>>,
    side: StoredValue<usize>,
    queued: StoredValue<bool>,
    last_change: StoredValue<f64>,
    refine: StoredValue<Option<TimeoutHandle>>,
    /// Notified after every paint (the cells may have changed).
    pub painted: Trigger,
    /// What the last paint stamped.
    pub stamp: RwSignal<Stamp>,
}

impl MapPainter {
    /// Empty buffers for the canvas `canvas`.
    pub fn new(canvas: NodeRef<Canvas>) -> Self {
        MapPainter {
            ctx: Ctx::get(),
            tc: TuneCtx::get(),
            canvas,
            map: StoredValue::new(ActionMap::empty()),
            rect: StoredValue::new(None),
            side: StoredValue::new(DRAG_SIDE),
            queued: StoredValue::new(false),
            last_change: StoredValue::new(f64::NEG_INFINITY),
            refine: StoredValue::new(None),
            painted: Trigger::new(),
            stamp: RwSignal::new(Stamp::default()),
        }
    }

    /// The point or theta moved: paint coarse now, refine later.
    pub fn changed(self) {
        self.last_change.set_value(now_ms());
        self.schedule();
    }

    /// One paint at the next animation frame (several requests in a frame give one paint); none
    /// once the view is gone.
    pub fn schedule(self) {
        if self.queued.try_get_value() != Some(false) {
            return;
        }
        self.queued.set_value(true);
        request_animation_frame(move || {
            if self.queued.try_set_value(false).is_none() {
                self.frame();
            }
        });
    }

    fn frame(self) {
        let Some(el) = self.canvas.get_untracked() else {
            return;
        };
        let coarse = now_ms() - self.last_change.get_value() < SETTLE_MS;
        let n = if coarse {
            self.side.get_value()
        } else {
            FULL_SIDE
        };
        let (x, y) = self.tc.axes.get_untracked();
        let t0 = now_ms();
        let computed = self.ctx.shown.with_untracked(|s| {
            s.as_ref().map(|s| {
                let spec = ActionMapSpec::around(&s.input, x, y, n, n);
                self.map
                    .update_value(|map| action_map_into(&s.input, spec, map));
            })
        });
        if computed.is_none() {
            return;
        }
        let t1 = now_ms();
        let theme = ChartTheme::for_dark(self.ctx.dark.get_untracked());
        let painted = self
            .map
            .with_value(|map| paint_action_map(&el, map, &theme));
        let t2 = now_ms();
        let text = resolution_text(n, n, t1 - t0, t2 - t1, coarse);
        self.stamp.update(|s| {
            match painted {
                Ok(r) => {
                    self.rect.set_value(Some(r));
                    s.paints += 1;
                    s.cells = format!("{n}x{n}");
                    s.compute_ms = fixed(t1 - t0, 3);
                    s.paint_ms = fixed(t2 - t1, 3);
                    s.error = None;
                }
                Err(e) => s.error = Some(e.to_string()),
            }
            s.label = format!(
                "Action map of {} × {}, each cell coloured by the proposed action: {text}",
                x.label(),
                y.label()
            );
            s.text = text;
        });
        if coarse {
            self.side.set_value(drag_side(n, t2 - t0));
            if let Some(h) = self.refine.get_value() {
                h.clear();
            }
            let h = set_timeout_with_handle(
                move || {
                    if self.refine.try_set_value(None).is_none() {
                        self.schedule();
                    }
                },
                Duration::from_millis(SETTLE_MS as u64 + 20),
            )
            .ok();
            self.refine.set_value(h);
        }
        self.painted.notify();
    }

    /// The tooltip for the pointer at `(px, py)` CSS px over the map as it is now; `None`
    /// outside the plot.
    pub fn tip(self, px: f64, py: f64) -> Option<Tip> {
        let rect = self.rect.get_value()?;
        let width = self
            .canvas
            .get_untracked()
            .map_or(0.0, |c| f64::from(c.client_width()));
        self.map.with_value(|map| {
            let (i, j) = cell_at(rect, map.spec.nx, map.spec.ny, px, py)?;
            cell_lines(map, i, j).map(|l| (px, py, px > width * 0.6, l))
        })
    }

    /// The plot rectangle of the last paint (CSS px).
    pub fn rect(self) -> Option<PlotRect> {
        self.rect.get_value()
    }

    /// A CSS length in px, for the tooltip's position (set through the CSSOM: the page's
    /// Content-Security-Policy refuses style attributes).
    pub fn px(v: f64) -> String {
        format!("{}px", Num(v))
    }

    /// A click on the map: moves the point (both axes) to the values under the pointer.
    pub fn click(self, px: f64, py: f64) {
        let Some(rect) = self.rect.get_value() else {
            return;
        };
        let Some((x, y)) = self.map.with_value(|m| value_at(rect, m, px, py)) else {
            return;
        };
        let (ax, ay) = self.tc.axes.get_untracked();
        let r = self.ctx.try_edit(|s| {
            set_axis(s, ax, x)?;
            set_axis(s, ay, y)
        });
        if let Err(e) = r {
            self.ctx.notify(e);
        }
    }
}
