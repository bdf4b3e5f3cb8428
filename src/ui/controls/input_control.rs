//! A position / market / P1 input, driven by the `state::INPUTS` table.

use leptos::prelude::*;

use crate::state::{InputField, SliderRange};
use crate::ui::context::Ctx;
use crate::ui::controls::range_field::RangeField;

/// The slider + number box of one numeric input. The kernel's own validation refuses bad
/// values (the previous value stays); `disabled` greys it out (SL "none", P1 off).
#[component]
pub fn InputControl(
    /// Which input.
    field: InputField,
    /// Greys the control out.
    #[prop(optional, into)]
    disabled: Signal<bool>,
    /// A derived note under the slider.
    #[prop(optional, into)]
    note: Signal<String>,
    /// Extra controls in the header.
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    let ctx = Ctx::get();
    let spec = field.spec();
    let value = Memo::new(move |_| ctx.state.with(|s| s.get(field) / spec.scale));
    let range: Memo<SliderRange> = Memo::new(move |_| ctx.state.with(|s| s.slider(field)));
    let on_slide = Callback::new(move |v: f64| ctx.try_edit(|s| s.set(field, v * spec.scale)));
    let on_text = Callback::new(move |t: String| ctx.try_edit(|s| s.set_text(field, &t)));
    view! {
        <RangeField
            id=spec.key
            testid=spec.testid
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
