//! The action map: a canvas repainted once per animation frame whenever the point, theta, axes
//! or theme change (reused buffers, one pixel blit for the cells); a hover tooltip; a click
//! moves the point there.
//!
//! While sliders move, the map is computed at [`DRAG_SIDE`] cells a side (coarser only if a frame
//! overruns the budget) and refined to [`FULL_SIDE`] once they rest. Every paint stamps the
//! canvas with `data-paints`, `data-cells`, `data-compute-ms` and `data-paint-ms` (timed with
//! `performance.now()`), which `e2e/bench-map.mjs` reads.

use std::time::Duration;

use leptos::prelude::*;

use crate::browser::now_ms;
use crate::charts::canvas::paint_action_map;
use crate::tuning::tuner::Tuner;
use harvest_features::charts::{action_map_into, ActionMap, ActionMapSpec, ChartTheme, PlotRect};
use harvest_features::tuning::view::{
    cell_at, cell_lines, drag_side, resolution_text, set_axis, tooltip_html, value_at, DRAG_SIDE,
    FULL_SIDE,
};

/// How long after the last change the map is refined, ms.
const SETTLE_MS: f64 = 200.0;

/// The map's buffers, timers and pointer.
#[derive(Clone, Copy)]
pub struct MapState {
    map: StoredValue<ActionMap>,
    rect: StoredValue<Option<PlotRect>>,
    side: StoredValue<usize>,
    queued: StoredValue<bool>,
    last_change: StoredValue<f64>,
    refine: StoredValue<Option<TimeoutHandle>>,
    paints: StoredValue<u64>,
    hover: StoredValue<Option<(f64, f64)>>,
}

impl MapState {
    /// Empty buffers.
    pub fn new() -> Self {
        MapState {
            map: StoredValue::new(ActionMap::empty()),
            rect: StoredValue::new(None),
            side: StoredValue::new(DRAG_SIDE),
            queued: StoredValue::new(false),
            last_change: StoredValue::new(f64::NEG_INFINITY),
            refine: StoredValue::new(None),
            paints: StoredValue::new(0),
            hover: StoredValue::new(None),
        }
    }
}

impl Tuner {
    /// The point or theta moved: paint coarse now, refine later.
    pub fn map_changed(self) {
        self.map.last_change.set_value(now_ms());
        self.map_schedule();
    }

    /// One paint at the next animation frame (several requests in a frame give one paint).
    pub fn map_schedule(self) {
        if self.map.queued.get_value() {
            return;
        }
        self.map.queued.set_value(true);
        request_animation_frame(move || {
            self.map.queued.set_value(false);
            if self.alive() {
                self.map_frame();
            }
        });
    }

    /// Shows the current axes in the two dropdowns.
    pub fn map_show_axes(self) {
        let (x, y) = self.tc.axes.get_untracked();
        for (id, a) in [("map-x", x), ("map-y", y)] {
            if let Some(sel) = self.find::<web_sys::HtmlSelectElement>(id) {
                sel.set_value(a.key());
            }
        }
    }

    fn map_frame(self) {
        let Some(el) = self.find::<web_sys::HtmlCanvasElement>("action-map") else {
            return;
        };
        let m = self.map;
        let coarse = now_ms() - m.last_change.get_value() < SETTLE_MS;
        let n = if coarse {
            m.side.get_value()
        } else {
            FULL_SIDE
        };
        let (x, y) = self.tc.axes.get_untracked();
        let t0 = now_ms();
        let computed = self.ctx.shown.with_untracked(|s| {
            s.as_ref().map(|s| {
                let spec = ActionMapSpec::around(&s.input, x, y, n, n);
                m.map
                    .update_value(|map| action_map_into(&s.input, spec, map));
            })
        });
        if computed.is_none() {
            return;
        }
        let t1 = now_ms();
        let theme = ChartTheme::for_dark(self.ctx.dark.get_untracked());
        let painted = m.map.with_value(|map| paint_action_map(&el, map, &theme));
        let t2 = now_ms();
        match painted {
            Ok(r) => {
                m.rect.set_value(Some(r));
                let k = m.paints.get_value() + 1;
                m.paints.set_value(k);
                for (attr, v) in [
                    ("data-paints", k.to_string()),
                    ("data-cells", format!("{n}x{n}")),
                    (
                        "data-compute-ms",
                        harvest_features::format::fixed(t1 - t0, 3),
                    ),
                    ("data-paint-ms", harvest_features::format::fixed(t2 - t1, 3)),
                ] {
                    let _ = el.set_attribute(attr, &v);
                }
                let _ = el.remove_attribute("data-paint-error");
            }
            Err(e) => {
                let _ = el.set_attribute("data-paint-error", &e);
            }
        }
        let text = resolution_text(n, n, t1 - t0, t2 - t1, coarse);
        let _ = el.set_attribute(
            "aria-label",
            &format!(
                "Action map of {} × {}, each cell coloured by the proposed action: {text}",
                x.label(),
                y.label()
            ),
        );
        if let Some(info) = self.find::<web_sys::Element>("map-cell-count") {
            info.set_text_content(Some(&text));
        }
        if coarse {
            m.side.set_value(drag_side(n, t2 - t0));
            if let Some(h) = m.refine.get_value() {
                h.clear();
            }
            let h = set_timeout_with_handle(
                move || {
                    if self.alive() {
                        self.map.refine.set_value(None);
                        self.map_schedule();
                    }
                },
                Duration::from_millis(SETTLE_MS as u64 + 20),
            )
            .ok();
            m.refine.set_value(h);
        }
        self.map_tip();
    }

    /// The pointer moved over the map (`Some(x, y)` in CSS px) or left it.
    pub fn map_hover(self, at: Option<(f64, f64)>) {
        if at.is_none() && self.map.hover.get_value().is_none() {
            return;
        }
        self.map.hover.set_value(at);
        self.map_tip();
    }

    /// Shows the tooltip for the pointer's position over the map as it is now (or hides it).
    fn map_tip(self) {
        let Some(tip) = self.find::<web_sys::Element>("map-tooltip") else {
            return;
        };
        let m = self.map;
        let width = self
            .find::<web_sys::Element>("action-map")
            .map_or(0.0, |c| f64::from(c.client_width()));
        let found = m.hover.get_value().and_then(|(px, py)| {
            let rect = m.rect.get_value()?;
            m.map.with_value(|map| {
                let (i, j) = cell_at(rect, map.spec.nx, map.spec.ny, px, py)?;
                cell_lines(map, i, j).map(|l| (px, py, l))
            })
        });
        match found {
            Some((px, py, lines)) => {
                tip.set_inner_html(&tooltip_html(&lines));
                let _ = tip.set_attribute(
                    "style",
                    &format!(
                        "left:{}px;top:{}px",
                        harvest_features::format::Num(px),
                        harvest_features::format::Num(py)
                    ),
                );
                tip.set_class_name(if px > width * 0.6 {
                    "map-tip flip"
                } else {
                    "map-tip"
                });
                let _ = tip.remove_attribute("hidden");
            }
            None => {
                let _ = tip.set_attribute("hidden", "");
            }
        }
    }

    /// A click on the map: moves the point (both axes) to the values under the pointer.
    pub fn map_click(self, px: f64, py: f64) {
        let Some(rect) = self.map.rect.get_value() else {
            return;
        };
        let Some((x, y)) = self.map.map.with_value(|m| value_at(rect, m, px, py)) else {
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
