//! The result in one line at the top of the tuning view, kept in view while the sliders scroll
//! (sticky, tuning.css): the action, R_net, K against its threshold and the stop
//! ([`Headline`]), as the explorer's `result-bar` shows them.

use leptos::prelude::*;

use crate::context::Ctx;
use harvest_features::tuning::headline::Headline;

/// The tuning view's result line (`tune-now`).
#[component]
pub fn ResultLine() -> impl IntoView {
    let ctx = Ctx::get();
    // (action, text); empty until there is a valid proposal.
    let line = Memo::new(move |_| {
        ctx.shown.with(|s| {
            s.as_ref().map_or(("", String::new()), |s| {
                let h = Headline::of(&s.input, &s.proposal);
                (h.action.as_str(), h.text())
            })
        })
    });
    view! {
        <p
            class="result-bar"
            class:stale=move || ctx.stale()
            data-testid="tune-now"
            data-action=move || line.with(|l| l.0)
            aria-live="polite"
        >
            {move || line.with(|l| l.1.clone())}
        </p>
    }
}
