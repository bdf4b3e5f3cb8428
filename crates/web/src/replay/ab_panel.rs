//! Theta A against theta B on the same trades: pin the current theta as A, change theta (here,
//! in the Explorer or in the Tuning tab: that is B), run the backtest again; A and B then stand
//! in two columns with B − A, their R histograms overlaid and both cumulative R and drawdown
//! curves. Before a pin, the curves show the backtest's theta alone.

use leptos::prelude::*;

use crate::charts::canvas::paint;
use crate::hooks::use_canvas_paint;
use crate::replay::context::ReplayCtx;
use harvest_features::charts::{ab_curves, draw_ab_curves, draw_ab_hist, ChartTheme};
use harvest_features::replay::view::{ab_rows, ab_sentence, AbRow};
use harvest_features::tuning::theta_changes;

/// Pin / unpin A, the comparison, the curves.
#[component]
pub fn AbPanel() -> impl IntoView {
    let rc = ReplayCtx::get();
    let sentence = move || rc.ab().map(|ab| ab_sentence(&ab));
    let rows = move || rc.ab().map(|ab| ab_rows(&ab)).unwrap_or_default();
    let has_b = move || rc.run_b.with(Option::is_some) && rc.run_a.with(Option::is_some);
    let diff = move || {
        let b = rc.ctx.state.with(|s| s.theta);
        rc.pinned.get().map(|a| {
            let c = theta_changes(&a, &b);
            if c.is_empty() {
                "B is the same as A so far: change theta (above, or in the Explorer or Tuning tabs)."
                    .to_string()
            } else {
                format!(
                    "B differs from A in {}.",
                    c.iter().map(|c| c.key).collect::<Vec<_>>().join(", ")
                )
            }
        })
    };
    let curves = Memo::new(move |_| {
        rc.run_a.with(|a| {
            a.as_ref().map(|a| {
                rc.run_b
                    .with(|b| ab_curves(&a.pool.rows, b.as_ref().map(|b| b.pool.rows.as_slice())))
            })
        })
    });
    let curve_canvas = NodeRef::<leptos::html::Canvas>::new();
    let curves_painted = use_canvas_paint(curve_canvas, move |el| {
        let theme = ChartTheme::for_dark(rc.ctx.dark.get());
        curves.with(|c| {
            c.as_ref().map(|c| {
                paint(el, |a| draw_ab_curves(a, c, &theme)).map(|()| {
                    if c.b.is_some() {
                        2usize
                    } else {
                        1
                    }
                })
            })
        })
    });
    let hist_canvas = NodeRef::<leptos::html::Canvas>::new();
    let hist_painted = use_canvas_paint(hist_canvas, move |el| {
        let theme = ChartTheme::for_dark(rc.ctx.dark.get());
        curves.with(|c| {
            c.as_ref()
                .filter(|c| c.b.is_some())
                .map(|c| paint(el, |a| draw_ab_hist(a, c, &theme)))
        })
    });
    let headline = move || curves.with(|c| c.as_ref().map(|c| c.headline()).unwrap_or_default());
    view! {
        <div class="replay-ab">
            <h3>"A/B on these trades"</h3>
            <p class="hint">
                "Pin the current theta as A; the theta you then set (above, or in the Explorer or Tuning tabs) is B, and the backtest runs both on the same trades."
            </p>
            <div class="load-row">
                <button
                    type="button"
                    data-testid="bt-pin"
                    on:click=move |_| rc.pinned.set(Some(rc.ctx.state.with_untracked(|s| s.theta)))
                >
                    "Pin current theta as A"
                </button>
                <button
                    type="button"
                    data-testid="bt-unpin"
                    disabled=move || rc.pinned.with(Option::is_none)
                    on:click=move |_| {
                        rc.pinned.set(None);
                        rc.run_b.set(None);
                    }
                >
                    "Unpin"
                </button>
            </div>
            <p class="muted" data-testid="bt-ab-diff" hidden=move || rc.pinned.with(Option::is_none)>{diff}</p>
            <p class="replay-sentence" data-testid="bt-ab" hidden=move || sentence().is_none()>{sentence}</p>
            <div class="ab-columns" hidden=move || !has_b()>
                <table class="replay-table ab-table" data-testid="bt-ab-table">
                    <thead>
                        <tr>
                            <th scope="col">"Measure"</th>
                            <th scope="col" class="ab-a">"A (pinned)"</th>
                            <th scope="col" class="ab-b">"B (current)"</th>
                            <th scope="col">"B − A"</th>
                        </tr>
                    </thead>
                    <tbody>
                        <For each=rows key=|r: &AbRow| (r.key, r.a.clone(), r.b.clone()) let:r>
                            <tr data-testid=format!("bt-ab-row-{}", r.key)>
                                <th scope="row">{r.label}</th>
                                <td>{r.a.clone()}</td>
                                <td>{r.b.clone()}</td>
                                <td>{r.delta.clone()}</td>
                            </tr>
                        </For>
                    </tbody>
                </table>
                <figure class="chart ab-hist">
                    <canvas
                        node_ref=hist_canvas
                        data-testid="bt-ab-hist"
                        role="img"
                        aria-label="Trades by R: A's and B's histograms side by side per bin"
                        data-paints=move || hist_painted.with(|p| p.count())
                        data-paint-error=move || hist_painted.with(|p| p.error.clone())
                    ></canvas>
                </figure>
            </div>
            <figure class="chart bt-curves" hidden=move || curves.with(Option::is_none)>
                <canvas
                    node_ref=curve_canvas
                    data-testid="bt-curves"
                    role="img"
                    aria-label=headline
                    data-curves=move || curves_painted.with(|p| p.last.map(|n| n.to_string()))
                    data-paints=move || curves_painted.with(|p| p.count())
                    data-paint-error=move || curves_painted.with(|p| p.error.clone())
                ></canvas>
                <figcaption class="chart-explain" data-testid="bt-curves-headline">{headline}</figcaption>
            </figure>
        </div>
    }
}
