//! The Research panel: settings, Run, its progress and Cancel, then the report.

use leptos::prelude::*;

use crate::controls::progress_card::ProgressCard;
use crate::replay::context::ReplayCtx;
use crate::research::charts::{ResearchCanvas, ResearchChart};
use crate::research::context::ResearchCtx;
use crate::research::downloads::ResearchDownloads;
use crate::research::job;
use crate::research::results::ResearchResults;
use crate::research::settings_form::ResearchSettingsForm;

/// The panel (inside the Replay view: it researches the loaded prices).
#[component]
pub fn ResearchPanel() -> impl IntoView {
    let rc = ReplayCtx::get();
    let r = ResearchCtx::new(rc);
    let busy = move || r.job.with(Option::is_some) || rc.job.with(Option::is_some);
    let loaded = move || rc.has_series();
    let symbol = move || rc.symbols().join(", ");
    view! {
        <section class="card research" aria-labelledby="research-h" data-testid="research-panel">
            <h2 id="research-h">"Research: does a theta hold out of sample?"</h2>
            <p class="hint">
                "Walk-forward, as "<code>"harvest research"</code>" does it: the prices are cut into segments; on each fold the grid's best cell in-sample is judged on the next segment, "
                "beside the current theta (the base) and P1's trailing stop alone, on every loaded symbol. Symbols: "
                <span data-testid="research-symbol">{symbol}</span>"."
            </p>
            <ResearchSettingsForm r=r />
            <div class="load-row">
                <button
                    type="button"
                    class="primary"
                    data-testid="research-run"
                    disabled=move || busy() || !loaded()
                    on:click=move |_| job::start(r)
                >
                    "Run research"
                </button>
            </div>
            <p class="notice" role="alert" data-testid="research-error" hidden=move || r.error.with(Option::is_none)>
                {move || r.error.get().unwrap_or_default()}
            </p>
            <p
                class="muted replay-last-job"
                data-testid="research-last-job"
                hidden=move || r.job.with(Option::is_some) || r.last.with(Option::is_none)
            >
                {move || r.last.get().unwrap_or_default()}
            </p>
            <ProgressCard job=r.job view="research" on_cancel=Callback::new(move |()| job::cancel(r)) />
            <ResearchResults r=r />
            <ResearchDownloads r=r />
            <ResearchCanvas
                r=r
                chart=ResearchChart::Equity
                testid="research-equity"
                label="Out of sample, folds stitched: cumulative R of each fold's choice, the base theta and P1's trailing stop alone; the choice's drawdown below"
            />
            <ResearchCanvas
                r=r
                chart=ResearchChart::Grid
                testid="research-grid-map"
                label="The objective over the grid on the hand-off window, the choice outlined"
            />
        </section>
    }
}
