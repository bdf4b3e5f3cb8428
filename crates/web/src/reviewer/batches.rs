//! The loaded files, newest last, one [`BatchCard`] each (a card is redrawn when what it shows
//! changes: while its file loads, after a re-review).

use leptos::prelude::*;

use crate::reviewer::batch_card::BatchCard;
use crate::reviewer::context::ReviewCtx;
use harvest_features::reviewer::BatchCard as Card;

/// The list of loaded files.
#[component]
pub fn Batches() -> impl IntoView {
    let rc = ReviewCtx::get();
    let cards = Memo::new(move |_| {
        rc.version.track();
        rc.store
            .with_value(|s| s.batches.iter().map(Card::new).collect::<Vec<_>>())
    });
    view! {
        <section class="batches" aria-label="Loaded files" data-testid="review-batches">
            <For each=move || cards.get() key=|card| card.clone() let:card>
                <BatchCard card=card />
            </For>
        </section>
    }
}
