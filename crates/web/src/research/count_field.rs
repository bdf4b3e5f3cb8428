//! A whole number of the research's settings (folds, train segments, entry spacing): a labelled
//! number box bound to its signal; text that is not a count of at least 1 is left unapplied (a
//! count over `max` is applied: the plan says what is allowed).

use leptos::prelude::*;

/// The box of `value`.
#[component]
pub fn CountField(
    /// The label before the box.
    label: &'static str,
    /// Its test id.
    testid: &'static str,
    /// The setting.
    value: RwSignal<usize>,
    /// The box's `max`, if any.
    #[prop(optional)]
    max: Option<usize>,
    /// Text after the box (`bars`).
    #[prop(optional)]
    unit: &'static str,
    /// The label's tooltip.
    #[prop(optional)]
    title: &'static str,
) -> impl IntoView {
    let set = move |ev: leptos::ev::Event| {
        let n = event_target_value(&ev).trim().parse::<usize>().ok();
        if let Some(n) = n.filter(|n| *n >= 1) {
            value.set(n);
        }
    };
    view! {
        <label title=(!title.is_empty()).then_some(title)>
            {label}
            " "
            <input
                type="number"
                min="1"
                max=max.map(|m| m.to_string())
                step="1"
                data-testid=testid
                prop:value=move || value.get().to_string()
                on:change=set
            />
            {(!unit.is_empty()).then(|| format!(" {unit}"))}
        </label>
    }
}
