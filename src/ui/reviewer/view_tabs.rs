//! The switch between the explorer and the reviewer (links, so each view has its own URL).

use leptos::prelude::*;

use crate::review_view::View;
use crate::ui::reviewer::context::ReviewCtx;

/// "Explorer | Reviewer" navigation.
#[component]
pub fn ViewTabs() -> impl IntoView {
    let rc = ReviewCtx::get();
    let records = move || rc.counts.with(|c| c.records);
    let link = move |view: View, href: &'static str, testid: &'static str, label: &'static str| {
        view! {
            <a
                href=href
                data-testid=testid
                class="view-tab"
                class:active=move || rc.view.get() == view
                aria-current=move || if rc.view.get() == view { "page" } else { "false" }
                on:click=move |ev: leptos::ev::MouseEvent| {
                    // Plain clicks switch in place (keeping the explorer's state in the hash);
                    // modified clicks open the link as usual.
                    if !(ev.ctrl_key() || ev.meta_key() || ev.shift_key() || ev.button() != 0) {
                        ev.prevent_default();
                        rc.show(view);
                    }
                }
            >
                {label}
                <span class="tab-count" data-testid=format!("{testid}-count") hidden=move || view != View::Review || records() == 0>
                    {records}
                </span>
            </a>
        }
    };
    view! {
        <nav class="view-tabs" aria-label="Views">
            {link(View::Explorer, "./", "view-explorer", "Explorer")}
            {link(View::Review, "?view=review", "view-review", "Reviewer")}
            {link(View::Tune, "?view=tune", "view-tune", "Tuning")}
        </nav>
    }
}
