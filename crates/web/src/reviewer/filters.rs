//! Filters of the records table: verdict, action, symbol, reason code (changes are handled by
//! the view; the controls follow the filter when a count button changes it).

use leptos::prelude::*;

use crate::reviewer::actions::SYMBOL_ID;
use harvest_features::reviewer::{esc, fmt_count, Filter};
use harvest_kernel::{HarvestAction, ReasonCode, Verdict};
use wasm_bindgen::JsCast;

const VERDICT_ID: &str = "review-filter-verdict";
const ACTION_ID: &str = "review-filter-action";
const CODE_ID: &str = "review-filter-code";
use crate::reviewer::context::ReviewCtx;

/// Symbols offered as suggestions.
const MAX_SYMBOLS: usize = 200;

fn options(first: &str, items: impl Iterator<Item = (&'static str, &'static str)>) -> String {
    let mut h = format!("<option value=\"\">{first}</option>");
    for (v, label) in items {
        h.push_str(&format!("<option value=\"{v}\">{}</option>", esc(label)));
    }
    h
}

/// The filter bar.
#[component]
pub fn Filters() -> impl IntoView {
    let rc = ReviewCtx::get();
    // The controls show the filter (a count button or "clear" may have changed it).
    Effect::new(move |_| {
        let f = rc.filter.get();
        let set = |id: &str, v: &str| {
            if let Some(el) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.get_element_by_id(id))
            {
                if let Some(s) = el.dyn_ref::<web_sys::HtmlSelectElement>() {
                    s.set_value(v);
                } else if let Some(i) = el.dyn_ref::<web_sys::HtmlInputElement>() {
                    if i.value() != v {
                        i.set_value(v);
                    }
                }
            }
        };
        set(VERDICT_ID, f.verdict.map_or("", |v| v.as_str()));
        set(ACTION_ID, f.action.value());
        set(CODE_ID, f.code.map_or("", |c| c.as_str()));
        set(SYMBOL_ID, &f.symbol);
    });
    let symbols = move || {
        rc.version.track();
        rc.store.with_value(|s| {
            s.symbols(MAX_SYMBOLS)
                .iter()
                .map(|s| format!("<option value=\"{}\"></option>", esc(s)))
                .collect::<String>()
        })
    };
    let shown = move || rc.selection.with(Vec::len);
    let total = move || rc.counts.with(|c| c.records);
    let select = |label: &str, id: &str, act: &str, opts: String| {
        format!(
            "<label>{label} <select id=\"{id}\" data-testid=\"{id}\" data-act=\"{act}\">{opts}</select></label>"
        )
    };
    let mut actions = options(
        "all",
        HarvestAction::ALL
            .into_iter()
            .map(|a| (a.as_str(), a.as_str())),
    );
    actions.push_str("<option value=\"-\">— (none: INVALID)</option>");
    let controls = [
        select(
            "Verdict",
            VERDICT_ID,
            "f-verdict",
            options("all", Verdict::ALL.into_iter().map(|v| (v.as_str(), v.as_str()))),
        ),
        select("Action", ACTION_ID, "f-action", actions),
        format!(
            "<label>Symbol <input id=\"{SYMBOL_ID}\" type=\"search\" data-testid=\"{SYMBOL_ID}\" data-act=\"f-symbol\" \
             list=\"review-symbols\" placeholder=\"any\" autocomplete=\"off\"></label>"
        ),
        select(
            "Reason code",
            CODE_ID,
            "f-code",
            options("any", ReasonCode::ALL.into_iter().map(|c| (c.as_str(), c.as_str()))),
        ),
    ]
    .concat();
    view! {
        <section class="card filters" aria-label="Filters">
            <div class="static" inner_html=controls></div>
            <datalist id="review-symbols" inner_html=symbols></datalist>
            <button
                type="button"
                data-testid="review-filter-clear"
                data-act="clear-filters"
                disabled=move || !rc.filter.with(Filter::is_active)
            >
                "Clear filters"
            </button>
            <span class="muted shown" data-testid="review-shown" data-count=shown>
                {move || format!("{} of {} records", fmt_count(shown()), fmt_count(total()))}
            </span>
        </section>
    }
}
