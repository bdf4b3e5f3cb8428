//! The loaded files, newest last: status, counts, SHA-256, the tolerance used, the first
//! errors, and the exports (JSON Lines, CSV, receipt) of each ([`batch_html`]; the buttons are
//! handled by the view).

use leptos::prelude::*;

use crate::reviewer::context::ReviewCtx;
use harvest_features::reviewer::batch_html;

/// The list of loaded files.
#[component]
pub fn Batches() -> impl IntoView {
    let rc = ReviewCtx::get();
    let html = Memo::new(move |_| {
        rc.version.track();
        rc.store
            .with_value(|s| s.batches.iter().map(batch_html).collect::<String>())
    });
    view! {
        <section
            class="batches"
            aria-label="Loaded files"
            data-testid="review-batches"
            inner_html=move || html.get()
        ></section>
    }
}
