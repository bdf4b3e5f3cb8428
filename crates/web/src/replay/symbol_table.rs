//! The backtest per symbol and pooled (every symbol's trades in one timeline by entry time, as
//! `harvest backtest FILE…` pools them): a row a symbol, then the pooled row; shown when the
//! backtest ran on two or more symbols. A click on a symbol's row shows its trades.

use leptos::prelude::*;

use crate::replay::context::ReplayCtx;
use harvest_features::replay::view::{symbol_columns, symbol_rows, SymbolRow};

/// The per-symbol table.
#[component]
pub fn SymbolTable() -> impl IntoView {
    let rc = ReplayCtx::get();
    let rows = move || {
        rc.run_a
            .with(|r| r.as_ref().map(|r| symbol_rows(&r.pool)))
            .unwrap_or_default()
    };
    let several = move || {
        rc.run_a
            .with(|r| r.as_ref().is_some_and(|r| r.pool.symbols.len() > 1))
    };
    view! {
        <div class="table-scroll" hidden=move || !several()>
            <table class="replay-table replay-symbol-table" data-testid="bt-symbols">
                <caption>"Per symbol and pooled (theta; the baselines' expectancy on the same trades)"</caption>
                <thead>
                    <tr>
                        {std::iter::once("Symbol")
                            .chain(symbol_columns())
                            .chain(["Hold: expectancy", "P1 trail: expectancy"])
                            .map(|c| view! { <th scope="col">{c}</th> })
                            .collect_view()}
                    </tr>
                </thead>
                <tbody>
                    <For each=rows key=|r: &SymbolRow| r.clone() let:r>
                        <tr
                            data-testid=format!("bt-sym-{}", r.key)
                            class:pooled=r.pooled
                            class:current={
                                let k = r.key.clone();
                                move || rc.selected.with(|s| s.as_deref() == Some(k.as_str()))
                            }
                        >
                            <th scope="row">
                                {if r.pooled {
                                    r.label.clone().into_any()
                                } else {
                                    let s = r.key.clone();
                                    view! {
                                        <button type="button" title="Show this symbol's trades" on:click=move |_| rc.select(&s)>
                                            {r.label.clone()}
                                        </button>
                                    }
                                        .into_any()
                                }}
                            </th>
                            // The theta's measures, then the baselines' expectancy.
                            {r.theta.iter().chain([&r.hold, &r.trail]).enumerate().map(|(k, c)| {
                                view! { <td data-col=k>{c.clone()}</td> }
                            }).collect_view()}
                        </tr>
                    </For>
                </tbody>
            </table>
        </div>
    }
}
