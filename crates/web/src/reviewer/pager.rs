//! First / previous / next / last and where we are in the records; the table has one above and
//! one below (whose test ids end in `-bottom`).

use leptos::prelude::*;

use crate::reviewer::context::ReviewCtx;
use harvest_features::reviewer::{page_text, PageMove};

/// A pager.
#[component]
pub fn Pager(
    /// The one below the table.
    bottom: bool,
) -> impl IntoView {
    let rc = ReviewCtx::get();
    let sfx = if bottom { "-bottom" } else { "" };
    let button = move |m: PageMove| {
        view! {
            <button
                type="button"
                data-testid=format!("review-page-{}{sfx}", m.key())
                aria-label=m.aria_label()
                disabled=move || rc.page_info.with(|p| p.stays(m))
                on:click=move |_| rc.page.set(rc.page_info.with_untracked(|p| p.go(m)))
            >
                {m.label()}
            </button>
        }
    };
    view! {
        <nav
            class="pager"
            aria-label=if bottom { "Pages of records (bottom)" } else { "Pages of records" }
        >
            {button(PageMove::First)}
            {button(PageMove::Prev)}
            <span class="page-info" data-testid=format!("review-page-info{sfx}")>
                {move || rc.page_info.with(page_text)}
            </span>
            {button(PageMove::Next)}
            {button(PageMove::Last)}
        </nav>
    }
}
