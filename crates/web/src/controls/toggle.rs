//! A labelled checkbox.

use leptos::prelude::*;

/// A checkbox with its label and tooltip.
#[component]
pub fn Toggle(
    /// `data-testid` of the checkbox.
    #[prop(into)]
    testid: String,
    /// Visible label.
    #[prop(into)]
    label: String,
    /// Tooltip.
    #[prop(into)]
    help: String,
    /// Whether it is checked.
    #[prop(into)]
    checked: Signal<bool>,
    /// Called with the new state.
    on_toggle: Callback<bool>,
) -> impl IntoView {
    view! {
        <label class="toggle" title=help>
            <input
                type="checkbox"
                data-testid=testid
                prop:checked=move || checked.get()
                on:change=move |ev| on_toggle.run(event_target_checked(&ev))
            />
            <span>{label}</span>
        </label>
    }
}
