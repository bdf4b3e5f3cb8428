//! The running job: a progress bar (bytes and lines, or records re-reviewed), the elapsed
//! time and Cancel; and messages about loads that failed as a whole.

use leptos::prelude::*;

use crate::browser::now_ms;
use crate::reviewer::context::ReviewCtx;
use harvest_features::reviewer::{esc, progress_html};

/// Progress and messages (hidden while idle).
#[component]
pub fn JobStatusBar() -> impl IntoView {
    let rc = ReviewCtx::get();
    let messages = move || {
        rc.messages.with(|m| {
            m.iter()
                .enumerate()
                .map(|(i, m)| {
                    format!(
                        "<div class=\"notice\" role=\"alert\" data-testid=\"review-message\"><span>{}</span>\
                         <button type=\"button\" data-act=\"dismiss\" data-value=\"{i}\" aria-label=\"Dismiss\">×</button></div>",
                        esc(m)
                    )
                })
                .collect::<String>()
        })
    };
    // Cancel stays the same element while the figures change every slice, so it can be clicked.
    view! {
        <div class="review-messages" inner_html=messages></div>
        <div
            class="card job"
            data-testid="review-progress"
            role="status"
            hidden=move || rc.job.with(Option::is_none)
        >
            <span
                class="job-main"
                inner_html=move || {
                    rc.job.with(|j| j.as_ref().map(|j| progress_html(j, now_ms())).unwrap_or_default())
                }
            ></span>
            <button
                type="button"
                data-testid="review-cancel"
                data-act="cancel"
                disabled=move || !rc.job.with(|j| j.as_ref().is_some_and(|j| j.cancellable))
            >
                "Cancel"
            </button>
        </div>
    }
}
