//! One record of the table: line (a button, so the keyboard can open it), symbol, side, the
//! kernel's action (and the recorded one when they differ), R_net, K and the verdict; a click
//! opens it in the explorer. A MISMATCH or INVALID record is followed by its [`RowDetail`].

use leptos::prelude::*;

use crate::reviewer::context::ReviewCtx;
use crate::reviewer::row_detail::RowDetail;
use harvest_features::reviewer::{verdict_key, RowCells, RowKey};

/// The row at `key` (its cells are read once: a row whose markup would change gets a new key).
#[component]
pub fn RecordRow(
    /// Where the row is, and what its markup depends on.
    key: RowKey,
) -> impl IntoView {
    let rc = ReviewCtx::get();
    let cells = rc.store.with_value(|s| RowCells::at(s, key));
    cells.map(|r| {
        let (batch_id, index, line) = (r.batch_id, r.index, r.line);
        let cols = if key.multi { 8 } else { 7 };
        let verdict_class = format!("verdict v-{}", verdict_key(r.verdict));
        let detail_class = format!("detail v-{}", verdict_key(r.verdict));
        let line_cell = if r.openable {
            view! {
                <td class="line">
                    <button
                        type="button"
                        class="open"
                        data-testid="review-open"
                        aria-label=format!("Open line {line} in the explorer")
                    >
                        {line}
                        <span aria-hidden="true">" ↗"</span>
                    </button>
                </td>
            }
            .into_any()
        } else {
            view! { <td class="line">{line}</td> }.into_any()
        };
        view! {
            // The line's button has no handler of its own: its click (or Enter) reaches the row.
            <tr
                data-testid="review-row"
                data-line=line
                data-verdict=r.verdict.as_str()
                data-batch=batch_id
                data-index=index
                class=r.class()
                title=r.title()
                on:click=move |_| rc.open(batch_id, index)
            >
                {key.multi.then(|| view! { <td class="file" title=r.batch_name.clone()>"#" {batch_id}</td> })}
                {line_cell}
                <td class="sym">{r.symbol.clone()}</td>
                <td>{r.side}</td>
                <td>
                    <span class=r.action_class>{r.action}</span>
                    {r.recorded_action.clone().map(|rec| view! {
                        <span class="recorded-action" title="The action the record carries">
                            " recorded " {rec}
                        </span>
                    })}
                </td>
                <td class="num">{r.r_net.clone()}</td>
                <td class="num">{r.kill_score.clone()}</td>
                <td>
                    <span class=verdict_class>{r.verdict.as_str()}</span>
                </td>
            </tr>
            {r.detail.clone().map(|d| view! {
                <tr class=detail_class>
                    <td colspan=cols>
                        <RowDetail line=line detail=d />
                    </td>
                </tr>
            })}
        }
    })
}
