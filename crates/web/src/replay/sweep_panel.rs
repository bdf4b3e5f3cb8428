//! The sweep of two theta axes on real trades: pick the axes, run, see expectancy per cell as a
//! heatmap (the current theta ringed, the best cell outlined); a click sets both tunables in the
//! shared theta; the cells download as CSV. From the keyboard: the heatmap is one Tab stop, the
//! arrow keys move a cursor cell (its values and expectancy read out below), Enter uses it.

use leptos::prelude::*;

use crate::browser;
use crate::charts::canvas::paint;
use crate::hooks::use_canvas_paint;
use crate::replay::context::{default_axes, ReplayCtx, SWEEP_N};
use crate::replay::jobs::{self, Job, SWEEP_TRADES};
use harvest_features::charts::ChartTheme;
use harvest_features::charts::{cell_at, cell_text, draw_sweep_map, key_cell, sweep_map};
use harvest_features::replay::SweepAxis;
use harvest_kernel::{ThetaField, PARAMS};

/// Axes, Run, heatmap, CSV.
#[component]
pub fn SweepPanel() -> impl IntoView {
    let rc = ReplayCtx::get();
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    let busy = move || rc.job.with(Option::is_some);
    // The heatmap's data: a new sweep cell, other axes, a moved theta.
    let data = Memo::new(move |_| {
        rc.sweep_version.track();
        let (x, y) = rc.axes.get();
        let cur = rc
            .ctx
            .state
            .with(|s| (s.theta.get(x.field), s.theta.get(y.field)));
        rc.sweep
            .with_value(|s| s.as_ref().map(|s| sweep_map(s, cur)))
    });
    let has = move || data.with(Option::is_some);
    let painted = use_canvas_paint(canvas, move |el| {
        let theme = ChartTheme::for_dark(rc.ctx.dark.get());
        data.with(|d| {
            d.as_ref().map(|d| {
                let done = d.values.iter().filter(|v| v.is_some()).count();
                paint(el, |a| draw_sweep_map(a, d, &theme)).map(|()| done)
            })
        })
    });
    let set_axis = move |first: bool, ev: leptos::ev::Event| {
        let Some(f) = ThetaField::from_key(&event_target_value(&ev)) else {
            return;
        };
        let theta = rc.ctx.state.with_untracked(|s| s.theta);
        rc.axes.update(|(x, y)| {
            let a = SweepAxis::around(f, &theta, SWEEP_N);
            if first {
                *x = a;
                if y.field == f {
                    *y = default_axes(&theta).1;
                }
            } else {
                *y = a;
                if x.field == f {
                    *x = default_axes(&theta).0;
                }
            }
        });
    };
    let on_click = move |ev: leptos::ev::MouseEvent| {
        let Some(el) = canvas.get_untracked() else {
            return;
        };
        let (w, h) = (f64::from(el.client_width()), f64::from(el.client_height()));
        let hit = data.with_untracked(|m| {
            m.as_ref().and_then(|m| {
                cell_at(m, w, h, f64::from(ev.offset_x()), f64::from(ev.offset_y()))
                    .map(|v| (m.x.field, m.y.field, v))
            })
        });
        if let Some((fx, fy, (vx, vy))) = hit {
            rc.ctx.state.update(|s| {
                s.theta.set(fx, vx);
                s.theta.set(fy, vy);
            });
        }
    };
    // The keyboard's cursor cell, (i, j) with j upwards.
    let cursor = RwSignal::new(None::<(usize, usize)>);
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        let key = ev.key();
        let at = cursor.get_untracked();
        match key.as_str() {
            "Enter" | " " => {
                let hit = at.and_then(|(i, j)| {
                    data.with_untracked(|m| {
                        m.as_ref()
                            .map(|m| (m.x.field, m.y.field, (m.x.value(i), m.y.value(j))))
                    })
                });
                if let Some((fx, fy, (vx, vy))) = hit {
                    ev.prevent_default();
                    rc.ctx.state.update(|s| {
                        s.theta.set(fx, vx);
                        s.theta.set(fy, vy);
                    });
                }
            }
            "Escape" => cursor.set(None),
            _ => {
                let moved = data.with_untracked(|m| m.as_ref().and_then(|m| key_cell(m, at, &key)));
                if let Some(c) = moved {
                    ev.prevent_default();
                    cursor.set(Some(c));
                }
            }
        }
    };
    let cursor_text = move || {
        let c = cursor.get()?;
        data.with(|m| m.as_ref().map(|m| cell_text(m, c)))
    };
    let download = move |_| {
        if let Some(csv) = rc.sweep.with_value(|s| s.as_ref().map(|s| s.to_csv())) {
            browser::download("harvest-sweep.csv", "text/csv", &csv);
        }
    };
    let options = move |first: bool| {
        PARAMS
            .iter()
            .map(|p| {
                let key = p.key;
                view! {
                    <option
                        value=key
                        selected=move || {
                            let (x, y) = rc.axes.get();
                            (if first { x } else { y }).field.key() == key
                        }
                    >
                        {key}
                    </option>
                }
            })
            .collect_view()
    };
    let ranges = move || {
        let (x, y) = rc.axes.get();
        let r = |a: SweepAxis| {
            format!(
                "{} {} … {} ({} values)",
                a.field.key(),
                harvest_features::format::fmt_tick(a.lo),
                harvest_features::format::fmt_tick(a.hi),
                a.n
            )
        };
        format!("{} × {}", r(x), r(y))
    };
    view! {
        <section class="card replay-sweep" aria-labelledby="replay-sweep-h">
            <div class="replay-controls">
                <h2 id="replay-sweep-h">"Sweep two theta axes"</h2>
                <label>
                    "x "
                    <select data-testid="sweep-x" on:change=move |ev| set_axis(true, ev)>
                        {options(true)}
                    </select>
                </label>
                <label>
                    "y "
                    <select data-testid="sweep-y" on:change=move |ev| set_axis(false, ev)>
                        {options(false)}
                    </select>
                </label>
                <button type="button" data-testid="sweep-run" disabled=busy on:click=move |_| jobs::start(rc, Job::Sweep)>
                    "Run sweep"
                </button>
                <button type="button" data-testid="sweep-csv" disabled=move || !has() on:click=download>
                    "Download CSV"
                </button>
            </div>
            <p class="hint" data-testid="sweep-ranges">
                {ranges}
                {format!(
                    "; each cell is a backtest of the same entries (the first {SWEEP_TRADES}). Click a cell to use its values."
                )}
            </p>
            <canvas
                node_ref=canvas
                data-testid="sweep-map"
                class="sweep-map"
                role="img"
                aria-label="Expectancy per cell of the two theta axes"
                aria-describedby="sweep-keys"
                tabindex="0"
                hidden=move || !has()
                on:click=on_click
                on:keydown=on_key
                on:blur=move |_| cursor.set(None)
                data-cells=move || painted.with(|p| p.last.map(|n| n.to_string()))
                data-paint-error=move || painted.with(|p| p.error.clone())
            ></canvas>
            <p class="hint" id="sweep-keys" hidden=move || !has()>
                "Keyboard: the arrow keys move a cursor cell, Enter uses its values."
            </p>
            <p class="hint" data-testid="sweep-cursor" aria-live="polite">
                {cursor_text}
            </p>
        </section>
    }
}
