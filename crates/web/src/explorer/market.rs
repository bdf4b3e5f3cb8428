//! Market-state inputs: the three regime probabilities (kept summing to 1), σ and TS.

use leptos::prelude::*;

use crate::context::Ctx;
use crate::controls::InputControl;
use harvest_features::explorer::InputField;
use harvest_features::format::fixed_or_dash;

/// The market-state fieldset.
#[component]
pub fn MarketPanel() -> impl IntoView {
    let ctx = Ctx::get();
    let sum = move || {
        ctx.state.with(|s| {
            let m = s.market;
            fixed_or_dash(m.p_trend + m.p_mr + m.p_chop, 3)
        })
    };
    view! {
        <fieldset class="card">
            <legend>"Market state"</legend>
            <p class="hint">
                "Moving one probability rescales the other two; sum = "
                <output data-testid="p-sum">{sum}</output>
            </p>
            <InputControl field=InputField::PTrend />
            <InputControl field=InputField::PMr />
            <InputControl field=InputField::PChop />
            <InputControl field=InputField::Sigma />
            <InputControl field=InputField::Ts />
        </fieldset>
    }
}
