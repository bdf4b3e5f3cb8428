//! Which loaded symbol the trade, its charts and the trade list show (shown with two or more).

use leptos::prelude::*;

use crate::replay::context::ReplayCtx;

/// A symbol picker bound to the view's shown symbol; `testid` names it for tests.
#[component]
pub fn SymbolPick(testid: &'static str) -> impl IntoView {
    let rc = ReplayCtx::get();
    let symbols = move || rc.symbols();
    let on_change = move |ev: leptos::ev::Event| rc.select(&event_target_value(&ev));
    view! {
        <label hidden=move || symbols().len() < 2>
            "Symbol "
            <select
                data-testid=testid
                prop:value=move || rc.selected.get().unwrap_or_default()
                on:change=on_change
            >
                <For each=symbols key=|s: &String| s.clone() let:s>
                    <option value=s.clone() selected=move || rc.selected.with(|x| x.as_deref() == Some(s.as_str()))>
                        {s.clone()}
                    </option>
                </For>
            </select>
        </label>
    }
}
