//! The one numeric control of the dashboard (the explorer's inputs and tunables and the tuning
//! view's sliders): a native range slider paired with a number box, its unit, a tooltip, a note
//! and an inline error. The slider commits on every `input` event; the box on `change` or Enter.
//! One Tab stop a field: the box; its arrow keys move the value as the slider's would
//! ([`arrow_step`]); the slider is for the pointer (and still announced with its range).

use leptos::ev::Targeted;
use leptos::prelude::*;

use harvest_features::explorer::{arrow_step, SliderRange};
use harvest_features::format::format_sig;
use harvest_features::format::{fmt_num, parse_number};

/// Text for a range input's `min`/`max`/`step`/`value` (no float noise, no exponent for
/// ordinary values).
pub fn attr_num(v: f64) -> String {
    if v.is_finite() {
        format_sig(v, 12)
    } else {
        "0".to_string()
    }
}

/// A slider + number box. `value` and `range` are in shown units.
#[component]
pub fn RangeField(
    /// Unique id (the slider's `id`; the box gets `-number`).
    #[prop(into)]
    id: String,
    /// The slider's `data-testid` (the box gets `-number`, the note `-note`, the error `-error`).
    #[prop(into)]
    testid: String,
    /// Visible label.
    #[prop(into)]
    label: String,
    /// Unit after the box.
    #[prop(into)]
    unit: String,
    /// Tooltip.
    #[prop(into)]
    help: String,
    /// Slider range.
    #[prop(into)]
    range: Signal<SliderRange>,
    /// Current value.
    #[prop(into)]
    value: Signal<f64>,
    /// Called with the slider's value on every `input` event.
    on_slide: Callback<f64, Result<(), String>>,
    /// Called with the box's text when it is committed.
    on_text: Callback<String, Result<(), String>>,
    /// Greys the control out.
    #[prop(optional, into)]
    disabled: Signal<bool>,
    /// An error from outside (the kernel's validation), shown inline.
    #[prop(optional, into)]
    invalid: Signal<Option<String>>,
    /// A derived note under the slider (e.g. the implied mark price).
    #[prop(optional, into)]
    note: Signal<String>,
    /// Extra controls in the header (a toggle, a reset button).
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    let slider = NodeRef::<leptos::html::Input>::new();
    let boxed = NodeRef::<leptos::html::Input>::new();
    let (local_err, set_local_err) = signal(None::<String>);

    // One effect sets min, max, step and then the value, in that order (the browser clamps a
    // value to the range it has at that moment), and the box's text.
    Effect::new(move |_| {
        let r = range.get();
        let v = value.get();
        if let Some(el) = slider.get() {
            el.set_min(&attr_num(r.min));
            el.set_max(&attr_num(r.max));
            el.set_step(&attr_num(r.step));
            el.set_value(&attr_num(v));
        }
        if let Some(el) = boxed.get() {
            el.set_value(&fmt_num(v));
        }
    });

    let on_input = move |ev: leptos::ev::Event| {
        let text = event_target_value(&ev);
        if let Some(v) = parse_number(&text) {
            match on_slide.run(v) {
                Ok(()) => set_local_err.set(None),
                Err(e) => set_local_err.set(Some(e)),
            }
        }
    };
    let commit = move |text: String| match on_text.run(text) {
        Ok(()) => set_local_err.set(None),
        Err(e) => {
            set_local_err.set(Some(e));
            if let Some(el) = boxed.get_untracked() {
                el.set_value(&fmt_num(value.get_untracked()));
            }
        }
    };
    let on_change = move |ev: leptos::ev::Event| commit(event_target_value(&ev));
    let on_key = move |ev: Targeted<leptos::ev::KeyboardEvent, web_sys::HtmlInputElement>| {
        let key = ev.key();
        if key == "Enter" {
            commit(ev.target().value());
        } else if let Some(v) = arrow_step(range.get_untracked(), value.get_untracked(), &key) {
            ev.prevent_default();
            match on_slide.run(v) {
                Ok(()) => set_local_err.set(None),
                Err(e) => set_local_err.set(Some(e)),
            }
        }
    };

    let err_id = format!("{id}-err");
    let help_id = format!("{id}-help");
    let box_id = format!("{id}-number");
    let message = move || local_err.get().or_else(|| invalid.get());
    let r0 = range.get_untracked();
    let v0 = value.get_untracked();
    view! {
        <div
            class="field"
            class:disabled=move || disabled.get()
            class:invalid=move || message().is_some()
        >
            <div class="field-head">
                <label for=id.clone() title=help.clone()>
                    {label.clone()}
                </label>
                <span class="tip" aria-hidden="true" data-tip=help.clone()>
                    "?"
                </span>
                <span id=help_id.clone() class="sr-only">
                    {help}
                </span>
                {children.map(|c| c())}
            </div>
            <div class="field-body">
                <input
                    node_ref=slider
                    type="range"
                    id=id
                    data-testid=testid.clone()
                    min=attr_num(r0.min)
                    max=attr_num(r0.max)
                    step=attr_num(r0.step)
                    value=attr_num(v0)
                    tabindex="-1"
                    aria-describedby=format!("{help_id} {err_id}")
                    disabled=move || disabled.get()
                    on:input=on_input
                />
                <input
                    node_ref=boxed
                    type="text"
                    inputmode="decimal"
                    autocomplete="off"
                    spellcheck="false"
                    class="num"
                    id=box_id
                    data-testid=format!("{testid}-number")
                    aria-label=format!("{label} value")
                    aria-describedby=format!("{help_id} {err_id}")
                    aria-invalid=move || if message().is_some() { "true" } else { "false" }
                    value=fmt_num(v0)
                    disabled=move || disabled.get()
                    on:change=on_change
                    on:keydown:target=on_key
                />
                <span class="unit">{unit}</span>
            </div>
            <p class="note" data-testid=format!("{testid}-note") hidden=move || note.with(String::is_empty)>{move || note.get()}</p>
            <p class="err" id=err_id data-testid=format!("{testid}-error") role="alert" hidden=move || message().is_none()>
                {message}
            </p>
        </div>
    }
}
