//! The backtest's settings (entries every N bars, sides, how many) and Run; its outcome in one
//! sentence with the time it took.

use leptos::prelude::*;

use crate::replay::context::{JobKind, ReplayCtx};
use crate::replay::job_status::PanelJob;
use crate::replay::jobs::{self, Job};
use harvest_features::replay::view::summary_sentence;
use harvest_features::replay::Sides;

/// Settings and Run.
#[component]
pub fn BacktestPanel() -> impl IntoView {
    let rc = ReplayCtx::get();
    let busy = move || rc.job.with(Option::is_some);
    let num = move |ev: &leptos::ev::Event| event_target_value(ev).trim().parse::<usize>().ok();
    let sentence = move || {
        rc.run_a
            .with(|r| r.as_ref().map(|r| summary_sentence(&r.pool.report)))
            .unwrap_or_else(|| "Run a backtest: trades entered every N bars on the loaded prices, each replayed as above.".to_string())
    };
    let stale = move || {
        let theta = rc.ctx.state.with(|s| s.theta);
        let a = rc.pinned.get().unwrap_or(theta);
        rc.run_a.with(|r| r.as_ref().is_some_and(|r| r.theta != a))
    };
    view! {
        <div class="replay-controls">
            <h2>"Backtest"</h2>
            <label>
                "Enter every "
                <input
                    type="number"
                    data-testid="bt-every"
                    min="1"
                    step="1"
                    prop:value=move || rc.rule.with(|r| r.every.to_string())
                    on:change=move |ev| {
                        if let Some(n) = num(&ev).filter(|n| *n >= 1) {
                            rc.rule.update(|r| r.every = n);
                        }
                    }
                />
                " bars"
            </label>
            <label>
                "Sides "
                <select
                    data-testid="bt-sides"
                    prop:value=move || rc.rule.with(|r| r.sides.as_str())
                    on:change=move |ev| {
                        if let Some(s) = Sides::parse(&event_target_value(&ev)) {
                            rc.rule.update(|r| r.sides = s);
                        }
                    }
                >
                    <option value="long">"LONG"</option>
                    <option value="short">"SHORT"</option>
                    <option value="both">"both"</option>
                </select>
            </label>
            <label>
                "At most "
                <input
                    type="number"
                    data-testid="bt-limit"
                    min="1"
                    step="1"
                    prop:value=move || rc.rule.with(|r| r.limit.to_string())
                    on:change=move |ev| {
                        if let Some(n) = num(&ev).filter(|n| *n >= 1) {
                            rc.rule.update(|r| r.limit = n);
                        }
                    }
                />
                " trades"
            </label>
            <button
                type="button"
                class="primary"
                data-testid="bt-run"
                disabled=busy
                on:click=move |_| jobs::start(rc, Job::Backtest)
            >
                "Run backtest"
            </button>
        </div>
        <PanelJob kind=JobKind::Backtest prefix="bt" />
        <p class="replay-sentence" data-testid="bt-sentence">{sentence}</p>
        <p class="hint stale" data-testid="bt-stale" hidden=move || !stale()>
            "Theta changed since this backtest ran: run it again to see the new theta."
        </p>
    }
}
