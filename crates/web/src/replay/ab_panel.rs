//! Theta A against theta B on the same trades: pin the current theta as A, change theta in the
//! Explorer or Tuning tabs (that is B), run the backtest again.

use leptos::prelude::*;

use crate::replay::context::ReplayCtx;
use harvest_features::replay::view::ab_sentence;
use harvest_features::tuning::theta_changes;

/// Pin / unpin A and the comparison.
#[component]
pub fn AbPanel() -> impl IntoView {
    let rc = ReplayCtx::get();
    let sentence = move || rc.ab().map(|ab| ab_sentence(&ab));
    let diff = move || {
        let b = rc.ctx.state.with(|s| s.theta);
        rc.pinned.get().map(|a| {
            let c = theta_changes(&a, &b);
            if c.is_empty() {
                "B is the same as A so far: change theta in the Explorer or Tuning tabs."
                    .to_string()
            } else {
                format!(
                    "B differs from A in {}.",
                    c.iter().map(|c| c.key).collect::<Vec<_>>().join(", ")
                )
            }
        })
    };
    view! {
        <div class="replay-ab">
            <h3>"A/B on these trades"</h3>
            <p class="hint">
                "Pin the current theta as A; the theta you then set (Explorer or Tuning) is B, and the backtest runs both on the same trades."
            </p>
            <div class="load-row">
                <button
                    type="button"
                    data-testid="bt-pin"
                    on:click=move |_| rc.pinned.set(Some(rc.ctx.state.with_untracked(|s| s.theta)))
                >
                    "Pin current theta as A"
                </button>
                <button
                    type="button"
                    data-testid="bt-unpin"
                    disabled=move || rc.pinned.with(Option::is_none)
                    on:click=move |_| {
                        rc.pinned.set(None);
                        rc.run_b.set(None);
                    }
                >
                    "Unpin"
                </button>
            </div>
            <p class="muted" data-testid="bt-ab-diff" hidden=move || rc.pinned.with(Option::is_none)>{diff}</p>
            <p class="replay-sentence" data-testid="bt-ab" hidden=move || sentence().is_none()>{sentence}</p>
        </div>
    }
}
