//! The result in one line, kept in view while the inputs scroll on a narrow screen (a phone):
//! the action, R_net, K against its threshold and the stop
//! ([`harvest_features::tuning::headline::Headline`]). The explorer shows it above its inputs
//! below 960 px (wider, the summary card itself stays in view); the tuning view always.

use leptos::prelude::*;

use crate::context::Ctx;
use crate::explorer::summary::action_class;
use harvest_features::tuning::headline::Headline;

/// The compact result line, sticky at the top of the view.
#[component]
pub fn CompactSummary(
    /// Test id of the line; its parts get `-action`, `-r-net`, `-k` and `-sl`.
    testid: &'static str,
) -> impl IntoView {
    let ctx = Ctx::get();
    let line = Memo::new(move |_| {
        ctx.shown
            .with(|s| s.as_ref().map(|s| Headline::of(&s.input, &s.proposal)))
    });
    move || {
        let stale = ctx.stale();
        line.get().map(|h| {
            let a = h.action.as_str();
            view! {
                <div class="result-bar" class:stale=stale data-testid=testid aria-label="The proposal at a glance">
                    <span class=action_class(h.action) data-testid=format!("{testid}-action") data-action=a data-stale=stale.to_string()>
                        {a}
                    </span>
                    <span data-testid=format!("{testid}-r-net")>"R_net " <b>{h.r_net}</b></span>
                    <span data-testid=format!("{testid}-k")>
                        "K " <b class:over=h.over>{h.k}</b> " " {h.against}
                    </span>
                    <span data-testid=format!("{testid}-sl")>{h.stop}</span>
                </div>
            }
        })
    }
}
