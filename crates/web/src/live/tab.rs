//! The "Live" tab beside the other views' tabs, shown only when the page has a live stream.

use leptos::prelude::*;

use crate::nav::Nav;
use harvest_features::reviewer::View;

/// A link to `?view=live` (plain clicks switch in place), or nothing on a static host.
#[component]
pub fn LiveTab() -> impl IntoView {
    let nav = Nav::get();
    let available = super::live_url().is_some();
    available.then(|| {
        view! {
            <a
                href="?view=live"
                data-testid="view-live"
                class="view-tab live-tab"
                class:active=move || nav.view.get() == View::Live
                aria-current=move || if nav.view.get() == View::Live { "page" } else { "false" }
                on:click=move |ev: leptos::ev::MouseEvent| {
                    if !(ev.ctrl_key() || ev.meta_key() || ev.shift_key() || ev.button() != 0) {
                        ev.prevent_default();
                        nav.show(View::Live);
                    }
                }
            >
                "Live"
            </a>
        }
    })
}
