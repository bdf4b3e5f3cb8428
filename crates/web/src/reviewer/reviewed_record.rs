//! In the explorer, after opening a record from the reviewer: what the record said (action,
//! R_net, K, new SL) against what the explorer computes now, so the original stays in view
//! while the sliders move ([`opened_html`]; its buttons are handled here).

use leptos::prelude::*;

use crate::context::Ctx;
use crate::nav::Nav;
use crate::reviewer::io;
use harvest_features::explorer::UiState;
use harvest_features::reviewer::{opened_html, View};

/// The "Reviewed record" panel (empty unless a record was opened).
#[component]
pub fn ReviewedRecord() -> impl IntoView {
    let nav = Nav::get();
    let ctx = Ctx::get();
    let html = Memo::new(move |_| {
        nav.opened.with(|o| {
            o.as_ref().map_or_else(String::new, |o| {
                let untouched = ctx.state.with(|s| *s == UiState::from_input(&o.input));
                ctx.result
                    .with(|r| opened_html(o, r.as_ref().ok(), untouched))
            })
        })
    });
    let on_click = move |ev: leptos::ev::MouseEvent| {
        let Some((act, _)) = io::action_of(&ev) else {
            return;
        };
        match act.as_str() {
            "close" => nav.opened.set(None),
            "back" => nav.show(View::Review),
            "restore" => {
                let s = nav
                    .opened
                    .with_untracked(|o| o.as_ref().map(|o| UiState::from_input(&o.input)));
                if let Some(s) = s {
                    ctx.state.set(s);
                }
            }
            _ => {}
        }
    };
    view! { <div class="reviewed-wrap" inner_html=move || html.get() on:click=on_click></div> }
}
