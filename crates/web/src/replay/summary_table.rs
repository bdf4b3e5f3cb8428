//! The backtest's summary against the two baselines on the same trades (trades, win rate, mean
//! and median R, expectancy, total R, worst drawdown), and the histogram of R.

use leptos::prelude::*;

use crate::replay::context::ReplayCtx;
use harvest_features::replay::view::{hist_bars, summary_rows, HistBar, SummaryRow};

/// Summary table and histogram (hidden until a backtest ran).
#[component]
pub fn SummaryTable() -> impl IntoView {
    let rc = ReplayCtx::get();
    let rows = move || {
        rc.run_a
            .with(|r| r.as_ref().map(|r| summary_rows(&r.pool.report)))
            .unwrap_or_default()
    };
    let hist = move || {
        rc.run_a
            .with(|r| r.as_ref().map(|r| hist_bars(&r.pool.report.theta)))
            .unwrap_or_default()
    };
    view! {
        <div class="replay-summary" hidden=move || rc.run_a.with(Option::is_none)>
            <table class="replay-table" data-testid="bt-summary">
                <thead>
                    <tr>
                        <th scope="col">"Measure"</th>
                        <th scope="col">"P0 + P1 + P2 (theta)"</th>
                        <th scope="col">"Hold to initial stop"</th>
                        <th scope="col">"P1 trailing stop alone"</th>
                    </tr>
                </thead>
                <tbody>
                    <For each=rows key=|r: &SummaryRow| (r.key, r.theta.clone(), r.hold.clone(), r.trail.clone()) let:r>
                        <tr data-testid=format!("bt-row-{}", r.key)>
                            <th scope="row">{r.label}</th>
                            <td data-testid=format!("bt-sum-{}", r.key)>{r.theta.clone()}</td>
                            <td>{r.hold.clone()}</td>
                            <td>{r.trail.clone()}</td>
                        </tr>
                    </For>
                </tbody>
            </table>
            <figure class="replay-hist" data-testid="bt-histogram">
                <figcaption>"Trades by R (theta)"</figcaption>
                <For each=hist key=|b: &HistBar| (b.label.clone(), b.count) let:b>
                    <div class="hist-row">
                        <span class="hist-label">{b.label.clone()}</span>
                        <span class="hist-bar" style:width=format!("{}%", harvest_features::format::fixed(b.pct, 1))></span>
                        <span class="hist-count">{b.count}</span>
                    </div>
                </For>
            </figure>
        </div>
    }
}
