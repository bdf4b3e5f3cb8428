//! Market-state inputs: the three regime probabilities (kept summing to 1), σ and TS.

use leptos::prelude::*;

use crate::state::{fmt_fixed, InputField};
use crate::ui::context::Ctx;
use crate::ui::controls::InputControl;

/// The market-state fieldset.
#[component]
pub fn MarketPanel() -> impl IntoView {
    let ctx = Ctx::get();
    let sum = move || {
        ctx.state.with(|s| {
            let m = s.market;
            fmt_fixed(m.p_trend + m.p_mr + m.p_chop, 3)
        })
    };
    let sigma_note = Signal::derive(move || {
        ctx.input.with(|i| {
            let e = i.evaluate();
            format!("sigma_spike component {}", fmt_fixed(e.k.sigma_spike, 3))
        })
    });
    let ts_note = Signal::derive(move || {
        ctx.input.with(|i| {
            let e = i.evaluate();
            format!("ts_drop component {}", fmt_fixed(e.k.ts_drop, 3))
        })
    });
    let p_note = Signal::derive(move || {
        ctx.input.with(|i| {
            let e = i.evaluate();
            format!("regime_flip component {}", e.k.regime_flip)
        })
    });
    view! {
        <fieldset class="card">
            <legend>"Market state"</legend>
            <p class="hint">
                "Moving one probability rescales the other two; sum = "
                <output data-testid="p-sum">{sum}</output>
            </p>
            <InputControl field=InputField::PTrend note=p_note />
            <InputControl field=InputField::PMr />
            <InputControl field=InputField::PChop />
            <InputControl field=InputField::Sigma note=sigma_note />
            <InputControl field=InputField::Ts note=ts_note />
        </fieldset>
    }
}
