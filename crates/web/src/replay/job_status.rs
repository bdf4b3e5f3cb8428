//! Jobs in the panels that run them: the running job's card (label, progress bar with the
//! figures and the elapsed time, Cancel) and the last one's outcome, in the panel of its kind;
//! and, at the top, messages about things that failed as a whole.

use leptos::prelude::*;

use crate::controls::progress_card::ProgressCard;
use crate::replay::context::{JobKind, ReplayCtx};

/// Messages (hidden while empty).
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
    }
}

/// The job of `kind` in its panel: its card while it runs (test ids `<prefix>-progress`,
/// `<prefix>-progress-text`, `<prefix>-cancel`), then what it did and how long it took
/// (`<prefix>-last-job`).
#[component]
pub fn PanelJob(
    /// Which jobs this panel runs.
    kind: JobKind,
    /// The test-id prefix: `replay` (loading), `bt`, `sweep`.
    prefix: &'static str,
) -> impl IntoView {
    let rc = ReplayCtx::get();
    let mine = move || rc.job_kind.get() == Some(kind);
    let job = Signal::derive(move || if mine() { rc.job.get() } else { None });
    let last = move || {
        rc.last_job.with(|l| {
            l.as_ref()
                .filter(|(k, _)| *k == kind)
                .map(|(_, s)| s.clone())
        })
    };
    view! {
        <p
            class="muted replay-last-job"
            data-testid=format!("{prefix}-last-job")
            hidden=move || job.with(Option::is_some) || last().is_none()
        >
            {move || last().unwrap_or_default()}
        </p>
        <ProgressCard job=job view=prefix on_cancel=Callback::new(move |()| rc.cancel.set_value(true)) />
    }
}
