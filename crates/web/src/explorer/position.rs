//! Position inputs: side, entry, quantity, PnL (with the implied mark price and R), SL, age.

use leptos::prelude::*;

use crate::context::Ctx;
use crate::controls::{InputControl, SideSelect, Toggle};
use harvest_features::explorer::InputField;

/// The position fieldset.
#[component]
pub fn PositionPanel() -> impl IntoView {
    let ctx = Ctx::get();
    let sl_none = Signal::derive(move || ctx.state.with(|s| s.sl_none));
    view! {
        <fieldset class="card">
            <legend>"Position"</legend>
            <SideSelect />
            <InputControl field=InputField::Entry />
            <InputControl field=InputField::Qty />
            <InputControl field=InputField::Pnl />
            <InputControl field=InputField::Sl>
                <Toggle
                    testid="input-sl-none"
                    label="none"
                    help="No stop-loss in place (the profit lock may then place one)"
                    checked=sl_none
                    on_toggle=Callback::new(move |on: bool| ctx.state.update(|s| s.sl_none = on))
                />
            </InputControl>
            <InputControl field=InputField::AgeSec />
        </fieldset>
    }
}
