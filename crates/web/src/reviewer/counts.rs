//! Counts per verdict and per action over everything loaded ([`counts_html`]); each count is a
//! button that filters the table, again shows all (handled by the view).

use leptos::prelude::*;

use crate::reviewer::context::ReviewCtx;
use harvest_features::reviewer::counts_html;

/// The counts line.
#[component]
pub fn CountsBar() -> impl IntoView {
    let rc = ReviewCtx::get();
    let html = Memo::new(move |_| rc.counts.with(|c| rc.filter.with(|f| counts_html(c, f))));
    view! {
        <section
            class="card counts"
            data-testid="review-counts"
            aria-label="Counts"
            inner_html=move || html.get()
        ></section>
    }
}
