//! Messages about loads that failed as a whole (the sample could not be fetched), each with a
//! button that dismisses it.

use leptos::prelude::*;

use crate::reviewer::context::{Notice, ReviewCtx};

/// The list of messages (empty most of the time).
#[component]
pub fn Messages() -> impl IntoView {
    let rc = ReviewCtx::get();
    view! {
        <div class="review-messages">
            <For each=move || rc.messages.get() key=|n: &Notice| n.id let:notice>
                <div class="notice" role="alert" data-testid="review-message">
                    <span>{notice.text}</span>
                    <button
                        type="button"
                        aria-label="Dismiss"
                        on:click=move |_| rc.dismiss(notice.id)
                    >
                        "×"
                    </button>
                </div>
            </For>
        </div>
    }
}
