//! Where prices come in: the shipped sample, a file picker taking several files (or a drop of
//! several anywhere on the view), each file a symbol by its name; the symbols loaded (bars, date
//! range, a remove button each) and the lines that were skipped.

use leptos::ev::Targeted;
use leptos::prelude::*;

use crate::browser;
use crate::replay::context::{JobKind, LoadedInfo, ReplayCtx};
use crate::replay::job_status::PanelJob;
use crate::replay::jobs::{self, Job};

/// Load sample / pick a file, and what is loaded.
#[component]
pub fn LoadPanel() -> impl IntoView {
    let rc = ReplayCtx::get();
    let busy = move || rc.job.with(Option::is_some);
    let on_pick = move |ev: Targeted<leptos::ev::Event, web_sys::HtmlInputElement>| {
        let input = ev.target();
        let files = browser::files::files_of(input.files());
        if !files.is_empty() {
            jobs::start(rc, Job::Files(files));
        }
        input.set_value("");
    };
    let problems = move || {
        rc.problems
            .with(|p| p.iter().take(20).cloned().collect::<Vec<_>>())
    };
    let more = move || {
        rc.problems
            .with(|p| (p.len() > 20).then(|| format!("… and {} more", p.len() - 20)))
    };
    view! {
        <section class="card replay-load" aria-labelledby="replay-load-h">
            <h2 id="replay-load-h">"Prices"</h2>
            <div class="load-row">
                <button
                    type="button"
                    data-testid="replay-load-sample"
                    disabled=busy
                    on:click=move |_| jobs::start(rc, Job::Sample)
                >
                    "Load sample (BTC/USD 1 h)"
                </button>
                <label class="file-pick">
                    <span>"Pick price files…"</span>
                    <input
                        type="file"
                        multiple
                        accept=".csv,.txt,text/csv,text/plain"
                        data-testid="replay-file"
                        disabled=busy
                        on:change:target=on_pick
                    />
                </label>
                <span class="muted drop-hint">"or drop them anywhere here"</span>
            </div>
            <p class="hint">
                "CSV with OHLC columns (any order and case, volume optional): CryptoDataDownload exports, "
                "a date/time/timestamp column (ISO or epoch s/ms, read as UTC), Binance klines. Any order; bad lines are listed and skipped. "
                "Each file is a symbol, named as "<code>"harvest backtest"</code>" names it (Coinbase_BTCUSD_1h.csv → BTCUSD, BTCUSDT-1h-2024-01.csv → BTCUSDT, "
                "BTC_USDT-1h.csv → BTC/USDT); a file of a symbol already loaded replaces it. Backtests and sweeps run on every symbol, each and pooled."
            </p>
            <PanelJob kind=JobKind::Load prefix="replay" />
            <ul class="replay-symbols" data-testid="replay-source" aria-label="Symbols loaded" hidden=move || rc.loaded.with(Vec::is_empty)>
                <For each=move || rc.loaded.get() key=|l: &LoadedInfo| l.clone() let:l>
                    <li data-testid="replay-symbol" data-symbol=l.symbol.clone()>
                        <strong>{l.symbol.clone()}</strong>
                        <span class="muted">{format!(" — {}", l.text)}</span>
                        <button
                            type="button"
                            data-testid="replay-remove"
                            aria-label=format!("Remove {}", l.symbol)
                            disabled=busy
                            on:click={
                                let s = l.symbol.clone();
                                move |_| rc.remove(&s)
                            }
                        >
                            "Remove"
                        </button>
                    </li>
                </For>
            </ul>
            <details class="replay-problems" data-testid="replay-problems" hidden=move || rc.problems.with(Vec::is_empty)>
                <summary>{move || format!("{} lines skipped", rc.problems.with(Vec::len))}</summary>
                <ul>
                    <For each=problems key=|p| p.clone() let:p>
                        <li>{p}</li>
                    </For>
                </ul>
                <p class="muted">{more}</p>
            </details>
        </section>
    }
}
