//! LONG / SHORT.

use leptos::prelude::*;

use crate::context::Ctx;
use harvest_kernel::Side;

/// The position's side, as a native select.
#[component]
pub fn SideSelect() -> impl IntoView {
    let ctx = Ctx::get();
    let side = Memo::new(move |_| ctx.state.with(|s| s.side));
    let on_change = move |ev: leptos::ev::Event| {
        let side = match event_target_value(&ev).as_str() {
            "SHORT" => Side::Short,
            _ => Side::Long,
        };
        if ctx.state.with_untracked(|s| s.side != side) {
            ctx.state.update(|s| s.set_side(side));
        }
    };
    view! {
        <div class="field side">
            <div class="field-head">
                <label for="side" title="LONG profits when the price rises, SHORT when it falls">
                    "Side"
                </label>
            </div>
            <select id="side" data-testid="input-side" on:change=on_change>
                <option value="LONG" prop:selected=move || side.get() == Side::Long>
                    "LONG"
                </option>
                <option value="SHORT" prop:selected=move || side.get() == Side::Short>
                    "SHORT"
                </option>
            </select>
            <span class="note">
                {move || match side.get() {
                    Side::Long => "profit when the price rises; the stop sits below entry",
                    Side::Short => "profit when the price falls; the stop sits above entry",
                }}
            </span>
        </div>
    }
}
