//! The switch between the explorer and the reviewer (links, so each view has its own URL).

use leptos::prelude::*;

use crate::nav::Nav;
use harvest_features::nav::View;

/// "Explorer | Reviewer" navigation.
#[component]
pub fn ViewTabs() -> impl IntoView {
    let nav = Nav::get();
    let records = move || nav.records.get();
    let link = move |view: View, href: &'static str, testid: &'static str, label: &'static str| {
        view! {
            <a
                href=href
                data-testid=testid
                class="view-tab"
                class:active=move || nav.view.get() == view
                aria-current=move || if nav.view.get() == view { "page" } else { "false" }
                on:click=move |ev: leptos::ev::MouseEvent| {
                    // Plain clicks switch in place (keeping the explorer's state in the hash);
                    // modified clicks open the link as usual.
                    if !(ev.ctrl_key() || ev.meta_key() || ev.shift_key() || ev.button() != 0) {
                        ev.prevent_default();
                        nav.show(view);
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
            {link(View::Replay, "?view=replay", "view-replay", "Replay")}
        </nav>
    }
}
