//! The running job: a progress bar (bytes and lines, or records re-reviewed), the elapsed time
//! and Cancel.

use leptos::prelude::*;

use crate::browser::now_ms;
use crate::reviewer::context::ReviewCtx;

/// Progress (hidden while idle).
#[component]
pub fn JobStatusBar() -> impl IntoView {
    let rc = ReviewCtx::get();
    let label = move || {
        rc.job
            .with(|j| j.as_ref().map(|p| p.label.clone()).unwrap_or_default())
    };
    let figures = move || {
        rc.job
            .with(|j| j.as_ref().map(|p| p.figures(now_ms())).unwrap_or_default())
    };
    let lines = move || rc.job.with(|j| j.as_ref().map_or(0, |p| p.lines));
    let max = move || rc.job.with(|j| j.as_ref().map_or(1.0, |p| p.max()));
    let done = move || rc.job.with(|j| j.as_ref().map_or(0.0, |p| p.done));
    // Cancel stays the same element while the figures change every slice, so it can be clicked.
    view! {
        <div
            class="card job"
            data-testid="review-progress"
            role="status"
            hidden=move || rc.job.with(Option::is_none)
        >
            <span class="job-main">
                <span class="job-label">{label}</span>
                <progress max=max value=done aria-label="Progress"></progress>
                <span class="job-figures" data-testid="review-progress-text" data-lines=lines>
                    {figures}
                </span>
            </span>
            <button
                type="button"
                data-testid="review-cancel"
                disabled=move || !rc.job.with(|j| j.as_ref().is_some_and(|j| j.cancellable))
                on:click=move |_| rc.cancel_loads()
            >
                "Cancel"
            </button>
        </div>
    }
}
