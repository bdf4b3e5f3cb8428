//! Theta in the Replay view: every tunable's slider, grouped as the Explorer groups them, in a
//! box that opens under the trade's settings. The same state as the Explorer and Tuning tabs
//! (and the link): a slider moved here replays the trade at once and marks the backtest stale.

use leptos::prelude::*;

use crate::context::Ctx;
use crate::controls::ThetaControl;
use harvest_kernel::{ParamGroup, Theta, ThetaField};

/// The sliders' test ids here: `replay-theta-<key with _ → ->>`.
fn testid(field: ThetaField) -> String {
    format!("replay-theta-{}", field.key().replace('_', "-"))
}

/// The theta box.
#[component]
pub fn ReplayTheta() -> impl IntoView {
    let ctx = Ctx::get();
    let changed = move || ctx.state.with(|s| Theta::default().diff(&s.theta).len());
    let summary = move || {
        match changed() {
        0 => "Theta: the defaults (the Explorer's and Tuning's too, kept in the link)".to_string(),
        1 => "Theta: 1 tunable changed from the defaults (shared with Explorer and Tuning, kept in the link)".to_string(),
        n => format!("Theta: {n} tunables changed from the defaults (shared with Explorer and Tuning, kept in the link)"),
    }
    };
    let groups = ParamGroup::ALL
        .into_iter()
        .map(|g| {
            let controls = ThetaField::of_group(g)
                .map(|field| view! { <ThetaControl field=field testid=testid(field) /> })
                .collect_view();
            view! {
                <fieldset class="replay-theta-group">
                    <legend>{g.title()}</legend>
                    {controls}
                </fieldset>
            }
        })
        .collect_view();
    view! {
        <details class="replay-theta-box" data-testid="replay-theta-box">
            <summary data-testid="replay-theta">{summary}</summary>
            <div class="replay-theta-head">
                <button
                    type="button"
                    data-testid="replay-theta-reset-all"
                    disabled=move || changed() == 0
                    on:click=move |_| ctx.state.update(|s| s.theta = Theta::default())
                >
                    "Reset all theta"
                </button>
            </div>
            <div class="replay-theta-groups">{groups}</div>
        </details>
    }
}
