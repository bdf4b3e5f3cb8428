//! The running job: a progress bar (bytes and lines, or records re-reviewed), the elapsed time
//! and Cancel.

use leptos::prelude::*;

use crate::controls::progress_card::ProgressCard;
use crate::reviewer::context::ReviewCtx;

/// Progress (hidden while idle); Cancel stops the loads.
#[component]
pub fn JobStatusBar() -> impl IntoView {
    let rc = ReviewCtx::get();
    view! { <ProgressCard job=rc.job view="review" on_cancel=Callback::new(move |()| rc.cancel_loads()) /> }
}
