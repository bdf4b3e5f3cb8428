//! Where prices come in: the shipped sample, a file picker (or a drop anywhere on the view);
//! what is loaded and the lines that were skipped.

use leptos::ev::Targeted;
use leptos::prelude::*;

use crate::browser;
use crate::replay::context::{JobKind, ReplayCtx};
use crate::replay::job_status::PanelJob;
use crate::replay::jobs::{self, Job};

/// Load sample / pick a file, and what is loaded.
#[component]
pub fn LoadPanel() -> impl IntoView {
    let rc = ReplayCtx::get();
    let busy = move || rc.job.with(Option::is_some);
    let on_pick = move |ev: Targeted<leptos::ev::Event, web_sys::HtmlInputElement>| {
        let input = ev.target();
        if let Some(f) = browser::files::files_of(input.files()).into_iter().next() {
            jobs::start(rc, Job::File(f));
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
                    <span>"Pick a price file…"</span>
                    <input
                        type="file"
                        accept=".csv,.txt,text/csv,text/plain"
                        data-testid="replay-file"
                        disabled=busy
                        on:change:target=on_pick
                    />
                </label>
                <span class="muted drop-hint">"or drop it anywhere here"</span>
            </div>
            <p class="hint">
                "CSV with OHLC columns (any order and case, volume optional): CryptoDataDownload exports, "
                "a date/time/timestamp column (ISO or epoch s/ms, read as UTC), Binance klines. Any order; bad lines are listed and skipped."
            </p>
            <PanelJob kind=JobKind::Load prefix="replay" />
            <p class="replay-source" data-testid="replay-source" hidden=move || rc.source.with(Option::is_none)>
                {move || rc.source.get().unwrap_or_default()}
            </p>
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
