//! The running job: its label, a progress bar with the figures and the elapsed time, Cancel; and
//! messages about things that failed as a whole.

use leptos::prelude::*;

use crate::browser::now_ms;
use crate::replay::context::ReplayCtx;

/// Progress and messages (each hidden while empty).
#[component]
pub fn JobStatus() -> impl IntoView {
    let rc = ReplayCtx::get();
    let label = move || {
        rc.job
            .with(|j| j.as_ref().map(|j| j.label.clone()).unwrap_or_default())
    };
    let figures = move || {
        rc.job
            .with(|j| j.as_ref().map(|j| j.figures(now_ms())).unwrap_or_default())
    };
    let fraction = move || rc.job.with(|j| j.as_ref().map_or(0.0, |j| j.fraction()));
    let messages = move || {
        rc.messages
            .with(|m| m.iter().cloned().enumerate().collect::<Vec<_>>())
    };
    view! {
        <div class="replay-messages">
            <For each=messages key=|(i, m)| (*i, m.clone()) let:item>
                <div class="notice" role="alert" data-testid="replay-message">
                    <span>{item.1.clone()}</span>
                    <button
                        type="button"
                        aria-label="Dismiss"
                        on:click=move |_| rc.messages.update(|m| {
                            if item.0 < m.len() {
                                m.remove(item.0);
                            }
                        })
                    >
                        "×"
                    </button>
                </div>
            </For>
        </div>
        <p class="muted replay-last-job" data-testid="replay-last-job" hidden=move || rc.job.with(Option::is_some) || rc.last_job.with(Option::is_none)>
            {move || rc.last_job.get().unwrap_or_default()}
        </p>
        <div
            class="card job"
            data-testid="replay-progress"
            role="status"
            hidden=move || rc.job.with(Option::is_none)
        >
            <span class="job-main">
                <span class="job-label">{label}</span>
                <progress max="1" prop:value=fraction></progress>
                <span class="job-figures" data-testid="replay-progress-figures">{figures}</span>
            </span>
            <button
                type="button"
                data-testid="replay-cancel"
                on:click=move |_| rc.cancel.set_value(true)
            >
                "Cancel"
            </button>
        </div>
    }
}
