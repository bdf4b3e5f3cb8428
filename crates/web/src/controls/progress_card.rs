//! A running job's card: its label, a progress bar with the figures and the elapsed time, and
//! Cancel; hidden while no job runs. The reviewer and the replay view show their jobs with it.

use leptos::prelude::*;

use crate::browser::now_ms;
use harvest_features::progress::Progress;

/// The card of `job` (test ids `<view>-progress`, `<view>-progress-text`, `<view>-cancel`).
#[component]
pub fn ProgressCard(
    /// The running job, if any.
    #[prop(into)]
    job: Signal<Option<Progress>>,
    /// The test-id prefix: `review`, `replay`, `bt`, `sweep`.
    view: &'static str,
    /// What Cancel does (enabled while the job is cancellable).
    on_cancel: Callback<()>,
) -> impl IntoView {
    let label = move || job.with(|j| j.as_ref().map(|p| p.label.clone()).unwrap_or_default());
    let figures = move || job.with(|j| j.as_ref().map(|p| p.figures(now_ms())).unwrap_or_default());
    let lines = move || job.with(|j| j.as_ref().and_then(|p| p.lines).unwrap_or(0));
    let max = move || job.with(|j| j.as_ref().map_or(1.0, Progress::max));
    let done = move || job.with(|j| j.as_ref().map_or(0.0, |p| p.done));
    // Cancel stays the same element while the figures change every slice, so it can be clicked.
    view! {
        <div
            class="card job"
            data-testid=format!("{view}-progress")
            role="status"
            hidden=move || job.with(Option::is_none)
        >
            <span class="job-main">
                <span class="job-label">{label}</span>
                <progress max=max value=done aria-label="Progress"></progress>
                <span class="job-figures" data-testid=format!("{view}-progress-text") data-lines=lines>
                    {figures}
                </span>
            </span>
            <button
                type="button"
                data-testid=format!("{view}-cancel")
                disabled=move || !job.with(|j| j.as_ref().is_some_and(|j| j.cancellable))
                on:click=move |_| on_cancel.run(())
            >
                "Cancel"
            </button>
        </div>
    }
}
