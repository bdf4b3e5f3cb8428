//! The action map card: the two axis dropdowns, the canvas ([`MapPainter`]) repainted once per
//! animation frame whenever the point, theta, axes or theme change, a hover tooltip, and a
//! click that moves the point there. From the keyboard: the map is one Tab stop, the arrow keys
//! move a cursor with the same tooltip (Shift: one cell), Enter or Space moves the point there,
//! Escape hides the cursor.

use leptos::prelude::*;

use crate::context::Ctx;
use crate::hooks::use_element_size;
use crate::tuning::context::TuneCtx;
use crate::tuning::map_painter::MapPainter;
use harvest_features::tuning::axes::{axis_option, map_axis, pick_axis, AXIS_GROUPS};
use harvest_features::tuning::map_view::key_cursor;

/// The map card.
#[component]
pub fn ActionMapCard() -> impl IntoView {
    let ctx = Ctx::get();
    let tc = TuneCtx::get();
    let p = MapPainter::new(NodeRef::new());
    let hover = RwSignal::new(None::<(f64, f64)>);
    let tip = Memo::new(move |_| {
        p.painted.track();
        hover.get().and_then(|(x, y)| p.tip(x, y))
    });

    // The point or theta moved: coarse now, refined once it rests (the first paint is full).
    Effect::new(move |prev: Option<()>| {
        ctx.shown.track();
        if prev.is_some() {
            p.changed();
        } else {
            p.schedule();
        }
    });
    // New axes or theme: one full paint.
    Effect::new(move |_| {
        tc.axes.track();
        ctx.dark.track();
        p.schedule();
    });
    // Resized (or shown after being hidden): one full paint.
    let size = use_element_size(p.canvas);
    Effect::new(move |_| {
        size.track();
        p.schedule();
    });

    // One dropdown: x (`for_x`) or y; picking the other's axis swaps them.
    let axis_select = move |for_x: bool| {
        let groups = AXIS_GROUPS
            .into_iter()
            .map(|(label, axes)| {
                let options = axes
                    .iter()
                    .map(|&a| {
                        let selected = move || {
                            tc.axes.with(|&(x, y)| if for_x { x == a } else { y == a })
                        };
                        view! { <option value=a.key() prop:selected=selected>{axis_option(a)}</option> }
                    })
                    .collect_view();
                view! { <optgroup label=label>{options}</optgroup> }
            })
            .collect_view();
        view! {
            <select
                data-testid=if for_x { "map-x" } else { "map-y" }
                on:change=move |ev| {
                    if let Some(a) = map_axis(&event_target_value(&ev)) {
                        tc.axes.update(|ax| *ax = pick_axis(*ax, for_x, a));
                    }
                }
            >
                {groups}
            </select>
        }
    };
    let stamp = p.stamp;
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        let key = ev.key();
        let at = hover.get_untracked();
        match key.as_str() {
            "Enter" | " " => {
                if let Some((x, y)) = at {
                    ev.prevent_default();
                    p.click(x, y);
                }
            }
            "Escape" => hover.set(None),
            _ => {
                let moved = p
                    .rect()
                    .and_then(|r| key_cursor(r, at, &key, ev.shift_key()));
                if let Some(to) = moved {
                    ev.prevent_default();
                    hover.set(Some(to));
                }
            }
        }
    };
    view! {
        <section class="card tune-map" aria-label="Action map">
            <div class="tune-head">
                <h2>"Action map"</h2>
                <label>"x " {axis_select(true)}</label>
                <label>"y " {axis_select(false)}</label>
            </div>
            <div class="map-wrap">
                <canvas
                    node_ref=p.canvas
                    data-testid="action-map"
                    role="img"
                    tabindex="0"
                    aria-describedby="map-keys"
                    aria-label=move || stamp.with(|s| if s.label.is_empty() { "Action map".to_string() } else { s.label.clone() })
                    data-paints=move || stamp.with(|s| (s.paints > 0).then(|| s.paints.to_string()))
                    data-cells=move || stamp.with(|s| s.cells.clone())
                    data-compute-ms=move || stamp.with(|s| s.compute_ms.clone())
                    data-paint-ms=move || stamp.with(|s| s.paint_ms.clone())
                    data-paint-error=move || stamp.with(|s| s.error.clone())
                    on:mousemove=move |ev| {
                        hover.set(Some((f64::from(ev.offset_x()), f64::from(ev.offset_y()))))
                    }
                    on:mouseleave=move |_| hover.set(None)
                    on:keydown=on_key
                    on:blur=move |_| hover.set(None)
                    on:click=move |ev| p.click(f64::from(ev.offset_x()), f64::from(ev.offset_y()))
                ></canvas>
                <div
                    class="map-tip"
                    class:flip=move || tip.with(|t| t.as_ref().is_some_and(|t| t.2))
                    data-testid="map-tooltip"
                    role="tooltip"
                    style:left=move || tip.with(|t| t.as_ref().map_or_else(String::new, |t| MapPainter::px(t.0)))
                    style:top=move || tip.with(|t| t.as_ref().map_or_else(String::new, |t| MapPainter::px(t.1)))
                    hidden=move || tip.with(Option::is_none)
                >
                    {move || {
                        tip.get()
                            .map(|(_, _, _, [place, action, numbers])| {
                                view! {
                                    <b>{action}</b>
                                    <span>{place}</span>
                                    <span>{numbers}</span>
                                }
                            })
                    }}
                </div>
            </div>
            <p class="hint">
                <span data-testid="map-cell-count">{move || stamp.with(|s| s.text.clone())}</span>
                " · the line is K = kill_threshold, the ring is the current point; hover a cell for its numbers, click to move the point there."
                <span id="map-keys">
                    " Keyboard: the arrow keys move a cursor (Shift: one cell), Enter moves the point there."
                </span>
            </p>
        </section>
    }
}
