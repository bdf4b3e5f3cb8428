//! The action map: two axes from dropdowns; a canvas repainted once per animation frame whenever
//! the point, theta, axes or theme change (reused buffers, one pixel blit for the cells); a hover
//! tooltip; a click moves the point there.
//!
//! While sliders move, the map is computed at [`DRAG_SIDE`] cells a side (coarser only if a frame
//! overruns the budget) and refined to [`FULL_SIDE`] once they rest. Every paint stamps the
//! canvas with `data-paints`, `data-cells`, `data-compute-ms` and `data-paint-ms` (timed with
//! `performance.now()`), which `e2e/bench-map.mjs` reads.

use std::time::Duration;

use leptos::prelude::*;

use crate::charts::canvas::paint_action_map;
use crate::charts::{action_map_into, ActionMap, ActionMapSpec, ChartTheme, PlotRect};
use crate::kernel::Axis;
use crate::tuning_view::{
    axis_option, cell_at, cell_lines, drag_side, map_axis, pick_axis, resolution_text, set_axis,
    tooltip_html, value_at, DRAG_SIDE, FULL_SIDE, MAP_AXES,
};
use crate::ui::browser::now_ms;
use crate::ui::context::Ctx;
use crate::ui::tuning::context::TuneCtx;

/// How long after the last change the map is refined, ms.
const SETTLE_MS: f64 = 200.0;

/// Everything a frame needs, `Copy` so the deferred callbacks can hold it.
#[derive(Clone, Copy)]
struct Painter {
    ctx: Ctx,
    tc: TuneCtx,
    canvas: NodeRef<leptos::html::Canvas>,
    map: StoredValue<ActionMap>,
    rect: StoredValue<Option<PlotRect>>,
    side: StoredValue<usize>,
    queued: StoredValue<bool>,
    last_change: StoredValue<f64>,
    refine: StoredValue<Option<TimeoutHandle>>,
    paints: StoredValue<u64>,
    hover: StoredValue<Option<(f64, f64)>>,
    tip: NodeRef<leptos::html::Div>,
    info: NodeRef<leptos::html::Span>,
}

impl Painter {
    /// Whether the component is still mounted (deferred callbacks may outlive it).
    fn alive(self) -> bool {
        self.paints.try_get_value().is_some()
    }

    /// The point or theta moved: paint coarse now, refine later.
    fn changed(self) {
        self.last_change.set_value(now_ms());
        self.schedule();
    }

    /// One paint at the next animation frame (several requests in a frame give one paint).
    fn schedule(self) {
        if self.queued.get_value() {
            return;
        }
        self.queued.set_value(true);
        request_animation_frame(move || {
            if self.alive() {
                self.queued.set_value(false);
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
                    .update_value(|m| action_map_into(&s.input, spec, m));
            })
        });
        if computed.is_none() {
            return;
        }
        let t1 = now_ms();
        let theme = ChartTheme::for_dark(self.ctx.dark.get_untracked());
        let painted = self.map.with_value(|m| paint_action_map(&el, m, &theme));
        let t2 = now_ms();
        match painted {
            Ok(r) => {
                self.rect.set_value(Some(r));
                let k = self.paints.get_value() + 1;
                self.paints.set_value(k);
                for (attr, v) in [
                    ("data-paints", k.to_string()),
                    ("data-cells", format!("{n}x{n}")),
                    ("data-compute-ms", format!("{:.3}", t1 - t0)),
                    ("data-paint-ms", format!("{:.3}", t2 - t1)),
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
        if let Some(info) = self.info.get_untracked() {
            info.set_text_content(Some(&text));
        }
        if coarse {
            self.side.set_value(drag_side(n, t2 - t0));
            if let Some(h) = self.refine.get_value() {
                h.clear();
            }
            let h = set_timeout_with_handle(
                move || {
                    if self.alive() {
                        self.refine.set_value(None);
                        self.schedule();
                    }
                },
                Duration::from_millis(SETTLE_MS as u64 + 20),
            )
            .ok();
            self.refine.set_value(h);
        }
        self.refresh_tip();
    }

    /// Shows the tooltip for the pointer's position over the map as it is now (or hides it).
    fn refresh_tip(self) {
        let Some(tip) = self.tip.get_untracked() else {
            return;
        };
        let width = self
            .canvas
            .get_untracked()
            .map_or(0.0, |c| f64::from(c.client_width()));
        let found = self.hover.get_value().and_then(|(px, py)| {
            let rect = self.rect.get_value()?;
            self.map.with_value(|m| {
                let (i, j) = cell_at(rect, m.spec.nx, m.spec.ny, px, py)?;
                cell_lines(m, i, j).map(|l| (px, py, l))
            })
        });
        match found {
            Some((px, py, lines)) => {
                tip.set_inner_html(&tooltip_html(&lines));
                let _ = tip.set_attribute("style", &format!("left:{px}px;top:{py}px"));
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
}

/// The `<option>`s of an axis dropdown, grouped into inputs and tunables (static: the selection
/// is set from [`TuneCtx::axes`] by an effect).
fn axis_options() -> impl IntoView {
    let group = |label: &'static str, theta: bool| {
        let opts = MAP_AXES
            .into_iter()
            .filter(move |a| matches!(a, Axis::Theta(_)) == theta)
            .map(|a| view! { <option value=a.key()>{axis_option(a)}</option> })
            .collect_view();
        view! { <optgroup label=label>{opts}</optgroup> }
    };
    (group("Inputs", false), group("Theta", true))
}

/// The action-map card.
#[component]
pub fn MapCard() -> impl IntoView {
    let ctx = Ctx::get();
    let tc = TuneCtx::get();
    let p = Painter {
        ctx,
        tc,
        canvas: NodeRef::new(),
        map: StoredValue::new(ActionMap::empty()),
        rect: StoredValue::new(None),
        side: StoredValue::new(DRAG_SIDE),
        queued: StoredValue::new(false),
        last_change: StoredValue::new(f64::NEG_INFINITY),
        refine: StoredValue::new(None),
        paints: StoredValue::new(0),
        hover: StoredValue::new(None),
        tip: NodeRef::new(),
        info: NodeRef::new(),
    };
    let (sel_x, sel_y) = (
        NodeRef::<leptos::html::Select>::new(),
        NodeRef::<leptos::html::Select>::new(),
    );
    // The point or theta moved (not on the first run: that paints at full resolution).
    Effect::new(move |prev: Option<()>| {
        ctx.shown.track();
        if prev.is_some() {
            p.changed();
        }
    });
    // Axes, theme, the canvas itself: show the axes in the dropdowns, paint.
    Effect::new(move |_| {
        let (x, y) = tc.axes.get();
        ctx.dark.track();
        for (sel, a) in [(sel_x.get(), x), (sel_y.get(), y)] {
            if let Some(sel) = sel {
                sel.set_value(a.key());
            }
        }
        if p.canvas.get().is_some() {
            p.schedule();
        }
    });
    let resize = window_event_listener(leptos::ev::resize, move |_| p.schedule());
    on_cleanup(move || resize.remove());

    let on_axis = move |for_x: bool| {
        move |ev: leptos::ev::Event| {
            if let Some(a) = map_axis(&event_target_value(&ev)) {
                tc.axes.update(|ax| *ax = pick_axis(*ax, for_x, a));
            }
        }
    };
    let on_move = move |ev: leptos::ev::MouseEvent| {
        p.hover
            .set_value(Some((f64::from(ev.offset_x()), f64::from(ev.offset_y()))));
        p.refresh_tip();
    };
    let on_leave = move |_| {
        p.hover.set_value(None);
        p.refresh_tip();
    };
    let on_click = move |ev: leptos::ev::MouseEvent| {
        let (px, py) = (f64::from(ev.offset_x()), f64::from(ev.offset_y()));
        let Some(rect) = p.rect.get_value() else {
            return;
        };
        let Some((x, y)) = p.map.with_value(|m| value_at(rect, m, px, py)) else {
            return;
        };
        let (ax, ay) = tc.axes.get_untracked();
        let r = ctx.try_edit(|s| {
            set_axis(s, ax, x)?;
            set_axis(s, ay, y)
        });
        if let Err(e) = r {
            ctx.notify(e);
        }
    };
    view! {
        <section class="card tune-map" aria-label="Action map">
            <div class="tune-head">
                <h2>"Action map"</h2>
                <label>
                    "x "
                    <select node_ref=sel_x data-testid="map-x" on:change=on_axis(true)>
                        {axis_options()}
                    </select>
                </label>
                <label>
                    "y "
                    <select node_ref=sel_y data-testid="map-y" on:change=on_axis(false)>
                        {axis_options()}
                    </select>
                </label>
            </div>
            <div class="map-wrap">
                <canvas
                    node_ref=p.canvas
                    data-testid="action-map"
                    role="img"
                    on:mousemove=on_move
                    on:mouseleave=on_leave
                    on:click=on_click
                ></canvas>
                <div node_ref=p.tip class="map-tip" data-testid="map-tooltip" role="tooltip" hidden></div>
            </div>
            <p class="hint">
                <span node_ref=p.info data-testid="map-cell-count"></span>
                " · the line is K = kill_threshold, the ring is the current point; hover a cell for its numbers, click to move the point there."
            </p>
        </section>
    }
}
