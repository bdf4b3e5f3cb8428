//! Counts per verdict and per action over everything loaded; each count is a [`CountChip`]
//! that filters the table (again: shows all).

use leptos::prelude::*;

use crate::reviewer::context::ReviewCtx;
use crate::reviewer::count_chip::CountChip;
use harvest_features::format::fmt_count;
use harvest_features::reviewer::Chip;

/// The counts.
#[component]
pub fn CountsBar() -> impl IntoView {
    let rc = ReviewCtx::get();
    let records = move || rc.counts.with(|c| c.records);
    let chips = |list: &'static [Chip]| {
        view! {
            <For each=move || list.iter().copied() key=|c| *c let:chip>
                <CountChip chip=chip />
            </For>
        }
    };
    view! {
        <section class="card counts" data-testid="review-counts" aria-label="Counts">
            <div class="counts-row">
                <span class="records" data-testid="count-records" data-count=records>
                    {move || fmt_count(records())}
                    " records"
                </span>
                {chips(&Chip::VERDICTS)}
            </div>
            <div class="counts-row">
                <span class="muted">"Kernel's action:"</span>
                {chips(&Chip::ACTIONS)}
            </div>
        </section>
    }
}
