//! The backtest's trades of the symbol shown (a picker with several), 100 at a time: click a
//! row to replay that trade above.

use leptos::prelude::*;

use crate::replay::context::ReplayCtx;
use crate::replay::symbol_pick::SymbolPick;
use harvest_features::replay::view::{trade_cells, TRADE_COLUMNS};
use harvest_features::replay::TradeRow;

/// Rows shown per "Show more".
const PAGE: usize = 100;

/// The trade list (hidden until a backtest ran).
#[component]
pub fn TradeList() -> impl IntoView {
    let rc = ReplayCtx::get();
    let shown = RwSignal::new(PAGE);
    let total = move || {
        let sym = rc.selected.get();
        rc.run_a
            .with(|r| r.as_ref().map_or(0, |r| r.rows_of(sym.as_deref()).len()))
    };
    let rows = move || {
        let n = shown.get();
        let sym = rc.selected.get();
        rc.run_a
            .with(|r| {
                r.as_ref().map(|r| {
                    r.rows_of(sym.as_deref())
                        .iter()
                        .take(n)
                        .cloned()
                        .collect::<Vec<_>>()
                })
            })
            .unwrap_or_default()
    };
    let current = move || rc.entry.get();
    view! {
        <div class="replay-trades" hidden=move || rc.run_a.with(Option::is_none)>
            <div class="replay-controls">
                <h3>
                    {move || match (rc.selected.get(), rc.symbols().len() > 1) {
                        (Some(s), true) => format!("Trades of {s} ({})", total()),
                        _ => format!("Trades ({})", total()),
                    }}
                </h3>
                <SymbolPick testid="bt-symbol-pick" />
            </div>
            <div class="table-scroll">
                <table class="replay-table" data-testid="bt-trades">
                    <thead>
                        <tr>
                            {TRADE_COLUMNS.iter().map(|c| view! { <th scope="col">{*c}</th> }).collect_view()}
                        </tr>
                    </thead>
                    <tbody>
                        <For each=rows key=|r: &TradeRow| (r.n, r.entry_index, r.side as u8, r.r.to_bits()) let:r>
                            <tr
                                data-testid="bt-trade"
                                data-n=r.n
                                class:current=move || current() == Some((r.entry_index, r.side))
                                class:win={r.r > 0.0}
                                tabindex="0"
                                on:click=move |_| {
                                    rc.replay(r.entry_index, r.side);
                                    crate::browser::scroll_top();
                                }
                                on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                                    if ev.key() == "Enter" {
                                        rc.replay(r.entry_index, r.side);
                                    }
                                }
                            >
                                {trade_cells(&r).into_iter().map(|c| view! { <td>{c}</td> }).collect_view()}
                            </tr>
                        </For>
                    </tbody>
                </table>
            </div>
            <button
                type="button"
                data-testid="bt-more"
                hidden=move || shown.get() >= total()
                on:click=move |_| shown.update(|n| *n += PAGE)
            >
                "Show more"
            </button>
        </div>
    }
}
