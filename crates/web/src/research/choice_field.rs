//! One choice of the research's settings (scheme, objective, sides): a labelled select bound to
//! its signal, its options the spec's spellings with their labels.

use leptos::prelude::*;

/// The select of `value`.
#[component]
pub fn ChoiceField<T>(
    /// The label before the select.
    label: &'static str,
    /// Its test id.
    testid: &'static str,
    /// The setting.
    value: RwSignal<T>,
    /// Each option: its value (the spec's spelling) and its label.
    options: Vec<(&'static str, &'static str)>,
    /// The spelling of a value.
    spell: fn(T) -> &'static str,
    /// The value of a spelling.
    parse: fn(&str) -> Option<T>,
) -> impl IntoView
where
    T: Copy + Send + Sync + 'static,
{
    let options = options
        .into_iter()
        .map(|(key, text)| {
            view! { <option value=key selected=move || spell(value.get()) == key>{text}</option> }
        })
        .collect_view();
    view! {
        <label>
            {label}
            " "
            <select
                data-testid=testid
                prop:value=move || spell(value.get())
                on:change=move |ev| {
                    if let Some(v) = parse(&event_target_value(&ev)) {
                        value.set(v);
                    }
                }
            >
                {options}
            </select>
        </label>
    }
}
