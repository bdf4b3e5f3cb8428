//! Position inputs: side, entry, quantity, PnL (with the implied mark price and R), SL, age.

use leptos::prelude::*;

use crate::state::{fmt_fixed, fmt_num, InputField};
use crate::ui::context::Ctx;
use crate::ui::controls::{InputControl, SideSelect, Toggle};

/// The position fieldset.
#[component]
pub fn PositionPanel() -> impl IntoView {
    let ctx = Ctx::get();
    let sl_none = Signal::derive(move || ctx.state.with(|s| s.sl_none));
    let pnl_note = Signal::derive(move || {
        let mark = ctx.input.with(|i| i.position.implied_price());
        let r = ctx.input.with(|i| i.evaluate());
        format!(
            "mark price {} · R_net {} (1 R = {} quote, cost {})",
            fmt_num(mark),
            fmt_fixed(r.r_net, 2),
            fmt_num(r.risk_unit),
            fmt_num(r.cost_est)
        )
    });
    let age_note = Signal::derive(move || {
        let s = ctx.state.with(|s| s.age_sec);
        format!("{} s", fmt_num(s))
    });
    view! {
        <fieldset class="card">
            <legend>"Position"</legend>
            <SideSelect />
            <InputControl field=InputField::Entry />
            <InputControl field=InputField::Qty />
            <InputControl field=InputField::Pnl note=pnl_note />
            <InputControl field=InputField::Sl disabled=sl_none>
                <Toggle
                    testid="input-sl-none"
                    label="none"
                    help="No stop-loss in place (the profit lock may then place one)"
                    checked=sl_none
                    on_toggle=Callback::new(move |on: bool| ctx.state.update(|s| s.sl_none = on))
                />
            </InputControl>
            <InputControl field=InputField::AgeSec note=age_note />
        </fieldset>
    }
}
