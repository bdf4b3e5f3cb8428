//! One count (of a verdict or an action) as a toggle button: pressed, the table shows only
//! those records.

use leptos::prelude::*;

use crate::reviewer::context::ReviewCtx;
use harvest_features::format::fmt_count;
use harvest_features::reviewer::Chip;

/// The count of `chip` over everything loaded.
#[component]
pub fn CountChip(
    /// What it counts.
    chip: Chip,
) -> impl IntoView {
    let rc = ReviewCtx::get();
    let n = move || rc.counts.with(|c| chip.count(c));
    let active = move || rc.filter.with(|f| chip.active(f));
    view! {
        <button
            type="button"
            class=chip.class()
            class:active=active
            data-testid=format!("count-{}", chip.name())
            data-count=n
            aria-pressed=move || active().to_string()
            title=chip.title()
            on:click=move |_| rc.set_filter(|f| chip.toggle(f))
        >
            <span class="n">{move || fmt_count(n())}</span>
            " "
            {chip.name()}
        </button>
    }
}
