//! A position / market / P1 input, driven by the `state::INPUTS` table.

use leptos::prelude::*;

use crate::context::Ctx;
use crate::controls::range_field::RangeField;
use harvest_features::explorer::{input_note, InputField, SliderRange};

/// The slider + number box of one numeric input. The kernel's own validation refuses bad
/// values (the previous value stays); the SL and P1 toggles grey theirs out. The note under the
/// slider is `state::input_note`.
#[component]
pub fn InputControl(
    /// Which input.
    field: InputField,
    /// The slider's id and test id when not the field's own (the tuning view's `tune-<key>`).
    #[prop(optional)]
    testid: Option<String>,
    /// Extra controls in the header (a toggle).
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    let ctx = Ctx::get();
    let spec = field.spec();
    let value = Memo::new(move |_| ctx.state.with(|s| s.get(field) / spec.scale));
    let range: Memo<SliderRange> = Memo::new(move |_| ctx.state.with(|s| s.slider(field)));
    let disabled = Signal::derive(move || ctx.state.with(|s| s.disabled(field)));
    let note = Signal::derive(move || ctx.input.with(|i| input_note(field, i)));
    let on_slide = Callback::new(move |v: f64| ctx.try_edit(|s| s.set(field, v * spec.scale)));
    let on_text = Callback::new(move |t: String| ctx.try_edit(|s| s.set_text(field, &t)));
    view! {
        <RangeField
            id=testid.clone().unwrap_or_else(|| spec.key.to_string())
            testid=testid.unwrap_or_else(|| spec.testid.to_string())
            label=spec.label
            unit=spec.unit
            help=format!("{} ({}; allowed: {})", spec.help, spec.path, spec.allowed)
            range=range
            value=value
            on_slide=on_slide
            on_text=on_text
            disabled=disabled
            note=note
            children=children.unwrap_or_else(|| Box::new(|| ().into_any()))
        />
    }
}
