//! One symbol's row: the published proposal, the page's verdict on it and the K sparkline.

use leptos::prelude::*;

use super::spark::Spark;
use harvest_features::live::LiveRow;
use harvest_features::reviewer::verdict_class;
use harvest_kernel::Theta;

/// A row of the Live table; `on_open` opens it in the explorer, `on_chart` shows or hides its
/// symbol's chart (`charted`: the symbol shown).
#[component]
pub fn LiveRowView(
    row: LiveRow,
    on_open: Callback<String>,
    on_chart: Callback<String>,
    charted: RwSignal<Option<String>>,
) -> impl IntoView {
    let sym = row.symbol.clone();
    let verdict = row.review.verdict;
    let changed = row.changed.join(" ");
    let cell = |field: &'static str| {
        let class = if row.did_change(field) {
            "num changed"
        } else {
            "num"
        };
        (class, row.shown(field), row.field(field).to_string())
    };
    let (r_class, r_net, r_raw) = cell("R_net");
    let (k_class, k, k_raw) = cell("kill_score");
    let (sl_class, sl, sl_raw) = cell("new_sl_proposed");
    let action_class = if row.did_change("harvest_action") {
        "action changed"
    } else {
        "action"
    };
    let diffs: Vec<String> = row
        .review
        .diffs
        .iter()
        .map(|d| {
            format!(
                "{}: published {}, recomputed {}",
                d.field, d.recorded, d.recomputed
            )
        })
        .collect();
    let unchecked: Vec<String> = row
        .review
        .unchecked
        .iter()
        .map(|u| u.field.clone())
        .collect();
    let note = match (&row.review.error, diffs.is_empty(), unchecked.is_empty()) {
        (Some(e), _, _) => e.clone(),
        (None, false, _) => diffs.join("; "),
        (None, true, false) => format!("not published, not checked: {}", unchecked.join(", ")),
        (None, true, true) => "recomputed exactly from proposal_json".to_string(),
    };
    let open_sym = sym.clone();
    let chart_sym = sym.clone();
    let shown_sym = sym.clone();
    let is_shown =
        Signal::derive(move || charted.with(|c| c.as_deref() == Some(shown_sym.as_str())));
    let threshold = Theta::default().kill_threshold;
    let closed = row.is_closed();
    let second = row.second_opinion();
    let note = if closed {
        format!("closed: the proposal is gone from Redis (the position closed); {note}")
    } else {
        note
    };
    view! {
        <tr
            data-testid="live-row"
            data-symbol=sym.clone()
            data-verdict=verdict.as_str()
            data-changed=changed.clone()
            data-updates=row.updates
            data-closed=closed.to_string()
            class="live-row"
            class:changed=!changed.is_empty()
            class:closed=closed
            class:charted=is_shown
        >
            <td class="sym">
                <button
                    type="button"
                    class="linkish"
                    data-testid="live-chart-open"
                    title="Show its live chart"
                    aria-controls="live-chart-title"
                    aria-pressed=move || is_shown.get().to_string()
                    on:click=move |_| on_chart.run(chart_sym.clone())
                >
                    {sym.clone()}
                </button>
            </td>
            <td>{row.field("position_side").to_string()}</td>
            <td class=action_class data-testid="live-action">{row.field("harvest_action").to_string()}</td>
            <td>
                <span class=verdict_class(verdict) data-testid="live-verdict">
                    {verdict.as_str()}
                </span>
            </td>
            <td class=r_class data-testid="live-rnet" title=r_raw>{r_net}</td>
            <td class=k_class data-testid="live-k" title=k_raw>{k}</td>
            <td><Spark values=row.k_history.clone() threshold=threshold /></td>
            <td class=sl_class data-testid="live-sl" title=sl_raw>{sl}</td>
            <td class="muted">{row.field("computed_at_utc").to_string()}</td>
            <td class="note" data-testid="live-note">{note}</td>
            <td class="note second" data-testid="live-second">{second}</td>
            <td>
                <button
                    type="button"
                    class="live-explore"
                    data-testid="live-open"
                    aria-label=format!("Open {sym} in the explorer")
                    on:click=move |_| on_open.run(open_sym.clone())
                >
                    "Explorer"
                </button>
            </td>
        </tr>
    }
}
