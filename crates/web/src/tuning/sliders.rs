//! The point and the theta the tuning view explores: the five map inputs and the sweepable
//! tunables ([`SliderField`]), as the explorer's own controls on the explorer's state (both
//! views move together). Once A is pinned, the theta sliders edit B and each shows A's value
//! where B differs.

use leptos::prelude::*;

use crate::context::Ctx;
use crate::controls::{InputControl, ThetaControl};
use crate::tuning::context::TuneCtx;
use harvest_features::tuning::axes::{pinned_note, SliderField};

/// The sliders' card.
#[component]
pub fn TuneSliders() -> impl IntoView {
    let ctx = Ctx::get();
    let tc = TuneCtx::get();
    let (inputs, thetas): (Vec<_>, Vec<_>) = SliderField::all()
        .into_iter()
        .partition(|f| matches!(f, SliderField::Input(_)));
    let inputs = inputs
        .into_iter()
        .filter_map(|f| match f {
            SliderField::Input(i) => Some(view! { <InputControl field=i testid=f.testid() /> }),
            SliderField::Theta(_) => None,
        })
        .collect_view();
    let thetas = thetas
        .into_iter()
        .filter_map(|f| match f {
            SliderField::Theta(t) => {
                let note = Signal::derive(move || {
                    let b = ctx.state.with(|s| s.theta.get(t));
                    tc.pinned.with(|a| pinned_note(a.as_ref(), t, b))
                });
                Some(view! { <ThetaControl field=t testid=f.testid() note=note /> })
            }
            SliderField::Input(_) => None,
        })
        .collect_view();
    let head = move || {
        if tc.pinned.with(Option::is_some) {
            "Theta B (A is pinned)"
        } else {
            "Theta"
        }
    };
    view! {
        <section class="card tune-controls" aria-label="Point and theta">
            <h2>"Point"</h2>
            {inputs}
            <h2 data-testid="tune-theta-head">{head}</h2>
            {thetas}
            <p class="hint">
                "Side, entry, stop, P1 and the other tunables are in the Explorer: both views share one state."
            </p>
        </section>
    }
}
