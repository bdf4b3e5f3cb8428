//! The loaded files, newest last, one [`BatchCard`] each.

use leptos::prelude::*;

use crate::reviewer::batch_card::BatchCard;
use crate::reviewer::context::ReviewCtx;

/// The list of loaded files.
#[component]
pub fn Batches() -> impl IntoView {
    let rc = ReviewCtx::get();
    let ids = Memo::new(move |_| {
        rc.version.track();
        rc.store
            .with_value(|s| s.batches.iter().map(|b| b.id).collect::<Vec<u32>>())
    });
    view! {
        <section class="batches" aria-label="Loaded files" data-testid="review-batches">
            <For each=move || ids.get() key=|id| *id let:id>
                <BatchCard id=id />
            </For>
        </section>
    }
}
