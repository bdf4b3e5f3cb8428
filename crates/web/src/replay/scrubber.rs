//! The bar scrubber: a range input over the trade's bars; the bar under it with its proposal
//! (P0's state, P1's stop and target, P2's action, R_net, K and codes, the stop's move); *Open
//! in explorer* loads that bar's kernel input into the explorer.

use leptos::prelude::*;

use crate::replay::context::ReplayCtx;
use harvest_features::explorer::UiState;
use harvest_features::nav::View;
use harvest_features::replay::view::{step_readouts, Readout};

/// The scrubber and the bar's readouts.
#[component]
pub fn Scrubber() -> impl IntoView {
    let rc = ReplayCtx::get();
    let bars = move || {
        rc.trade.with(|t| {
            t.as_ref()
                .and_then(|t| t.as_ref().ok())
                .map_or(0, |t| t.bars)
        })
    };
    let readouts = Memo::new(move |_| {
        let k = rc.cursor.get();
        rc.trade
            .with(|t| match t {
                Some(Ok(t)) => rc
                    .with_series(|s| {
                        let step = t.steps.get(k.min(t.bars))?;
                        Some(step_readouts(s, t, step))
                    })
                    .flatten(),
                _ => None,
            })
            .unwrap_or_default()
    });
    let can_open = move || {
        let k = rc.cursor.get();
        rc.trade.with(|t| {
            matches!(t, Some(Ok(t)) if t.steps.get(k.min(t.bars)).is_some_and(|s| s.eval.is_some()))
        })
    };
    let open = move |_| {
        let k = rc.cursor.get_untracked();
        let theta = rc.ctx.state.with_untracked(|s| s.theta);
        let input = rc.trade.with_untracked(|t| match t {
            Some(Ok(t)) => t
                .steps
                .get(k.min(t.bars))
                .and_then(|s| t.input_at(s, theta)),
            _ => None,
        });
        if let Some(input) = input {
            rc.ctx.state.set(UiState::from_input(&input));
            rc.nav.show(View::Explorer);
        }
    };
    view! {
        <div class="replay-scrub">
            <label class="scrub-label" for="replay-scrubber">
                {move || format!("Bar {} of {} after entry", rc.cursor.get().min(bars()), bars())}
            </label>
            <input
                id="replay-scrubber"
                type="range"
                data-testid="replay-scrubber"
                min="0"
                max=move || bars().to_string()
                step="1"
                prop:value=move || rc.cursor.get().min(bars()).to_string()
                on:input=move |ev| {
                    if let Ok(k) = event_target_value(&ev).parse::<usize>() {
                        rc.cursor.set(k);
                    }
                }
            />
            <dl class="replay-readouts" data-testid="replay-readouts">
                <For each=move || readouts.get() key=|r: &Readout| (r.key, r.value.clone()) let:r>
                    <div class="readout">
                        <dt>{r.label}</dt>
                        <dd data-testid=format!("replay-bar-{}", r.key)>{r.value.clone()}</dd>
                    </div>
                </For>
            </dl>
            <button
                type="button"
                data-testid="replay-open-explorer"
                disabled=move || !can_open()
                title="Load this bar's position, P0 state, P1 proposal and theta into the explorer"
                on:click=open
            >
                "Open in explorer"
            </button>
        </div>
    }
}
