//! P1's stop distance, with the "P1 unavailable → fallback" toggle.

use leptos::prelude::*;

use crate::context::Ctx;
use crate::controls::{InputControl, Toggle};
use harvest_features::explorer::InputField;

/// The P1 fieldset.
#[component]
pub fn P1Panel() -> impl IntoView {
    let ctx = Ctx::get();
    let off = Signal::derive(move || ctx.state.with(|s| !s.p1));
    view! {
        <fieldset class="card">
            <legend>"P1 proposal"</legend>
            <InputControl field=InputField::Stop>
                <Toggle
                    testid="input-p1-off"
                    label="P1 unavailable → fallback"
                    help="Without P1 the kernel uses theta.fallback_stop_pct"
                    checked=off
                    on_toggle=Callback::new(move |on: bool| ctx.state.update(|s| s.p1 = !on))
                />
            </InputControl>
        </fieldset>
    }
}
