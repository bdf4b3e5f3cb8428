//! Filters of the records table: verdict, action, symbol (with the loaded symbols as
//! suggestions), reason code. The controls follow the filter (a count button or "Clear filters"
//! may change it).

use leptos::prelude::*;

use crate::reviewer::context::ReviewCtx;
use harvest_features::format::fmt_count;
use harvest_features::reviewer::{verdict_from_str, ActionFilter, Filter};
use harvest_kernel::{HarvestAction, ReasonCode, Verdict};

/// Symbols offered as suggestions.
const MAX_SYMBOLS: usize = 200;

/// The filter bar.
#[component]
pub fn Filters() -> impl IntoView {
    let rc = ReviewCtx::get();
    let symbols = Memo::new(move |_| {
        rc.version.track();
        rc.store.with_value(|s| s.symbols(MAX_SYMBOLS))
    });
    let shown = move || rc.selection.with(Vec::len);
    let total = move || rc.counts.with(|c| c.records);
    let value = move |f: fn(&Filter) -> String| move || rc.filter.with(f);
    view! {
        <section class="card filters" aria-label="Filters">
            <label>
                "Verdict "
                <select
                    data-testid="review-filter-verdict"
                    prop:value=value(|f| f.verdict.map_or("", |v| v.as_str()).to_string())
                    on:change=move |ev| {
                        let v = verdict_from_str(&event_target_value(&ev));
                        rc.set_filter(|f| f.verdict = v);
                    }
                >
                    <option value="">"all"</option>
                    {Verdict::ALL.map(|v| view! { <option value=v.as_str()>{v.as_str()}</option> })}
                </select>
            </label>
            <label>
                "Action "
                <select
                    data-testid="review-filter-action"
                    prop:value=value(|f| f.action.value().to_string())
                    on:change=move |ev| {
                        let a = ActionFilter::from_value(&event_target_value(&ev));
                        rc.set_filter(|f| f.action = a);
                    }
                >
                    <option value="">"all"</option>
                    {HarvestAction::ALL.map(|a| view! { <option value=a.as_str()>{a.as_str()}</option> })}
                    <option value="-">"— (none: INVALID)"</option>
                </select>
            </label>
            <label>
                "Symbol "
                <input
                    type="search"
                    data-testid="review-filter-symbol"
                    list="review-symbols"
                    placeholder="any"
                    autocomplete="off"
                    prop:value=value(|f| f.symbol.clone())
                    on:input=move |ev| {
                        let s = event_target_value(&ev);
                        rc.set_filter(|f| f.symbol = s);
                    }
                />
            </label>
            <label>
                "Reason code "
                <select
                    data-testid="review-filter-code"
                    prop:value=value(|f| f.code.map_or("", |c| c.as_str()).to_string())
                    on:change=move |ev| {
                        let c = ReasonCode::parse(&event_target_value(&ev));
                        rc.set_filter(|f| f.code = c);
                    }
                >
                    <option value="">"any"</option>
                    {ReasonCode::ALL.map(|c| view! { <option value=c.as_str()>{c.as_str()}</option> })}
                </select>
            </label>
            <datalist id="review-symbols">
                <For each=move || symbols.get() key=|s| s.clone() let:symbol>
                    <option value=symbol></option>
                </For>
            </datalist>
            <button
                type="button"
                data-testid="review-filter-clear"
                disabled=move || !rc.filter.with(Filter::is_active)
                on:click=move |_| rc.set_filter(|f| *f = Filter::default())
            >
                "Clear filters"
            </button>
            <span class="muted shown" data-testid="review-shown" data-count=shown>
                {move || format!("{} of {} records", fmt_count(shown()), fmt_count(total()))}
            </span>
        </section>
    }
}
