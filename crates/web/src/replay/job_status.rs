//! The running job: its label, a progress bar with the figures and the elapsed time, Cancel; and
//! messages about things that failed as a whole.

use leptos::prelude::*;

use crate::controls::progress_card::ProgressCard;
use crate::replay::context::ReplayCtx;

/// Progress and messages (each hidden while empty).
#[component]
pub fn JobStatus() -> impl IntoView {
    let rc = ReplayCtx::get();
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
        <ProgressCard job=rc.job view="replay" on_cancel=Callback::new(move |()| rc.cancel.set_value(true)) />
    }
}
