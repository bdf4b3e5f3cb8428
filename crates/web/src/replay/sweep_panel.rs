//! The sweep of two theta axes on real trades: pick the axes and the values per axis (2 … 20),
//! run (each cell on every loaded symbol), see expectancy per cell as a heatmap, pooled over the
//! symbols or of one picked symbol with its scale (the current theta ringed, the best
//! cell outlined); point at a cell to read it, a click sets both tunables in the shared theta;
//! the cells download as CSV. From the keyboard: the heatmap is one Tab stop, the arrow keys
//! move a cursor cell (outlined, its values and expectancy read out below), Enter uses it,
//! Escape leaves it.

use leptos::prelude::*;

use crate::browser;
use crate::charts::canvas::paint;
use crate::hooks::use_canvas_paint;
use crate::replay::context::{default_axes, JobKind, ReplayCtx};
use crate::replay::job_status::PanelJob;
use crate::replay::jobs::{self, Job, SWEEP_TRADES};
use harvest_features::charts::ChartTheme;
use harvest_features::charts::{
    axis_label, cell_index_at, cell_readout, cell_text, cell_values, draw_sweep_map, key_cell,
    sweep_map, SWEEP_MAX_N,
};
use harvest_features::replay::SweepAxis;
use harvest_kernel::{ThetaField, PARAMS};

/// Axes, values per axis, Run, heatmap, readout, CSV.
#[component]
pub fn SweepPanel() -> impl IntoView {
    let rc = ReplayCtx::get();
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    let busy = move || rc.job.with(Option::is_some);
    let hover = RwSignal::new(None::<usize>);
    // The heatmap's data: a new sweep cell, other axes, a moved theta, the keyboard's cell.
    let data = Memo::new(move |_| {
        rc.sweep_version.track();
        let (x, y) = rc.axes.get();
        let cur = rc
            .ctx
            .state
            .with(|s| (s.theta.get(x.field), s.theta.get(y.field)));
        let focus = rc.sweep_focus.get();
        let sym = rc.sweep_symbol.get();
        rc.sweep.with_value(|s| {
            s.as_ref().map(|s| {
                let one = sym
                    .as_ref()
                    .and_then(|n| s.names.iter().position(|x| x == n))
                    .and_then(|j| s.per.get(j))
                    .unwrap_or(&s.pooled);
                let mut m = sweep_map(one, cur);
                m.focus = focus;
                m
            })
        })
    });
    let has = move || data.with(Option::is_some);
    let painted = use_canvas_paint(canvas, move |el| {
        let theme = ChartTheme::for_dark(rc.ctx.dark.get());
        data.with(|d| {
            d.as_ref()
                .map(|d| paint(el, |a| draw_sweep_map(a, d, &theme)).map(|()| d.done))
        })
    });
    let per_axis = move || rc.axes.with(|(x, _)| x.n);
    let set_axis = move |first: bool, ev: leptos::ev::Event| {
        let Some(f) = ThetaField::from_key(&event_target_value(&ev)) else {
            return;
        };
        let theta = rc.ctx.state.with_untracked(|s| s.theta);
        let n = per_axis();
        rc.axes.update(|(x, y)| {
            let a = SweepAxis::around(f, &theta, n);
            if first {
                *x = a;
                if y.field == f {
                    *y = default_axes(&theta, n).1;
                }
            } else {
                *y = a;
                if x.field == f {
                    *x = default_axes(&theta, n).0;
                }
            }
        });
    };
    let set_n = move |ev: leptos::ev::Event| {
        let Ok(n) = event_target_value(&ev).trim().parse::<usize>() else {
            return;
        };
        let n = n.clamp(2, SWEEP_MAX_N);
        rc.axes.update(|(x, y)| {
            x.n = n;
            y.n = n;
        });
    };
    // Sets both tunables to cell `k`'s values.
    let apply = move |k: usize| {
        let hit = data.with_untracked(|m| {
            m.as_ref()
                .filter(|m| k < m.x.n * m.y.n)
                .map(|m| (m.x.field, m.y.field, cell_values(m, k)))
        });
        if let Some((fx, fy, (vx, vy))) = hit {
            rc.ctx.state.update(|s| {
                s.theta.set(fx, vx);
                s.theta.set(fy, vy);
            });
        }
    };
    let cell_under = move |ev: &leptos::ev::MouseEvent| {
        let el = canvas.get_untracked()?;
        let (w, h) = (f64::from(el.client_width()), f64::from(el.client_height()));
        data.with_untracked(|m| {
            m.as_ref().and_then(|m| {
                cell_index_at(m, w, h, f64::from(ev.offset_x()), f64::from(ev.offset_y()))
            })
        })
    };
    let on_click = move |ev: leptos::ev::MouseEvent| {
        if let Some(k) = cell_under(&ev) {
            rc.sweep_focus.set(Some(k));
            apply(k);
        }
    };
    let on_move = move |ev: leptos::ev::MouseEvent| {
        let k = cell_under(&ev);
        if hover.get_untracked() != k {
            hover.set(k);
        }
    };
    // The keyboard's cursor cell as (i, j), j upwards (`rc.sweep_focus` holds its index).
    let cursor = move || {
        let k = rc.sweep_focus.get()?;
        data.with(|m| m.as_ref().map(|m| (k % m.x.n.max(1), k / m.x.n.max(1))))
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        let key = ev.key();
        match key.as_str() {
            "Enter" | " " => {
                if let Some(k) = rc.sweep_focus.get_untracked() {
                    ev.prevent_default();
                    apply(k);
                }
            }
            "Escape" => rc.sweep_focus.set(None),
            _ => {
                let at = rc.sweep_focus.get_untracked();
                let moved = data.with_untracked(|m| {
                    m.as_ref().and_then(|m| {
                        let nx = m.x.n.max(1);
                        key_cell(m, at.map(|k| (k % nx, k / nx)), &key).map(|(i, j)| j * nx + i)
                    })
                });
                if let Some(k) = moved {
                    ev.prevent_default();
                    rc.sweep_focus.set(Some(k));
                }
            }
        }
    };
    // What the pointer is over.
    let readout = move || {
        let k = hover.get()?;
        data.with(|m| {
            m.as_ref()
                .filter(|m| k < m.x.n * m.y.n)
                .map(|m| cell_readout(m, k))
        })
    };
    let cursor_text = move || {
        let c = cursor()?;
        data.with(|m| m.as_ref().map(|m| cell_text(m, c)))
    };
    // The heatmap's symbol: pooled, or one of the sweep's symbols.
    let sweep_names = move || {
        rc.sweep_version.track();
        rc.sweep
            .with_value(|s| s.as_ref().map(|s| s.names.clone()))
            .unwrap_or_default()
    };
    let set_symbol = move |ev: leptos::ev::Event| {
        let v = event_target_value(&ev);
        rc.sweep_symbol.set((!v.is_empty()).then_some(v));
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
                axis_label(a.lo),
                axis_label(a.hi),
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
                <label>
                    "Values per axis "
                    <input
                        type="number"
                        data-testid="sweep-n"
                        min="2"
                        max=SWEEP_MAX_N.to_string()
                        step="1"
                        prop:value=move || per_axis().to_string()
                        on:change=set_n
                    />
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
                    "; each cell is a backtest of the same entries (the first {SWEEP_TRADES} of each symbol), on every symbol and pooled. Point at a cell to read it; a click uses its values."
                )}
            </p>
            <PanelJob kind=JobKind::Sweep prefix="sweep" />
            <label class="sweep-symbol" hidden=move || sweep_names().len() < 2>
                "Heatmap of "
                <select
                    data-testid="sweep-symbol"
                    prop:value=move || rc.sweep_symbol.get().unwrap_or_default()
                    on:change=set_symbol
                >
                    <option value="">"every symbol, pooled"</option>
                    <For each=sweep_names key=|s: &String| s.clone() let:s>
                        <option value=s.clone()>{s.clone()}</option>
                    </For>
                </select>
            </label>
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
                on:mousemove=on_move
                on:mouseleave=move |_| hover.set(None)
                on:keydown=on_key
                on:blur=move |_| rc.sweep_focus.set(None)
                data-cells=move || painted.with(|p| p.last.map(|n| n.to_string()))
                data-paints=move || painted.with(|p| p.count())
                data-focus=move || rc.sweep_focus.get().map(|k| k.to_string())
                data-paint-error=move || painted.with(|p| p.error.clone())
            ></canvas>
            <p class="sweep-readout" data-testid="sweep-readout" hidden=move || !has()>
                {move || readout().unwrap_or_else(|| "Point at a cell to read it.".to_string())}
            </p>
            <p class="hint" id="sweep-keys" hidden=move || !has()>
                "Keyboard: the arrow keys move a cursor cell, Enter uses its values, Escape leaves it."
            </p>
            <p class="hint" data-testid="sweep-cursor" aria-live="polite">
                {cursor_text}
            </p>
        </section>
    }
}
