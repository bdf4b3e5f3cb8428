//! One row of the table's page: line (a button, so the keyboard can open the record), symbol,
//! side, the kernel's action (and the recorded one when they differ), R_net, K and the verdict;
//! a click opens the record in the explorer. A MISMATCH or INVALID record is followed by its
//! [`RowDetail`]. The row is a slot of the page: it shows whatever record is at its place.

use leptos::prelude::*;

use crate::reviewer::context::ReviewCtx;
use crate::reviewer::row_detail::RowDetail;
use harvest_features::reviewer::{verdict_key, RowCells};

/// The row at `place` of the page `rows`.
#[component]
pub fn RecordRow(
    /// The page's rows.
    rows: Memo<Vec<RowCells>>,
    /// This row's place on the page (from 0).
    place: usize,
) -> impl IntoView {
    let rc = ReviewCtx::get();
    // This row's record: the row's texts follow it, not the whole page (a memo per row keeps
    // each page change to 100 notifications, and a row whose record stays the same untouched).
    let row = Memo::new(move |_| rows.with(|r| r.get(place).cloned()));
    // One piece of the row's record as text (a text node or an attribute follows it).
    let cell = move |f: fn(&RowCells) -> String| {
        move || row.with(|r| r.as_ref().map(f).unwrap_or_default())
    };
    let line = cell(|r| r.line.to_string());
    let openable = move || row.with(|r| r.as_ref().is_some_and(|r| r.openable));
    let open = move |_| {
        let target = row.with_untracked(|r| {
            r.as_ref()
                .filter(|r| r.openable)
                .map(|r| (r.batch_id, r.index))
        });
        if let Some((batch, index)) = target {
            rc.open(batch, index);
        }
    };
    let recorded = move || {
        row.with(|r| r.as_ref().and_then(|r| r.recorded_action.clone()))
            .map(|rec| {
                view! {
                    <span class="recorded-action" title="The action the record carries">
                        " recorded " {rec}
                    </span>
                }
            })
    };
    let detail = move || {
        row.with(|r| {
            r.as_ref()
                .and_then(|r| r.detail.clone().map(|d| (r.line, r.verdict, d)))
        })
        .map(|(line, verdict, d)| {
            view! {
                <tr class=format!("detail v-{}", verdict_key(verdict))>
                    <td colspan=move || if rc.multi.get() { 8 } else { 7 }>
                        <RowDetail line=line detail=d />
                    </td>
                </tr>
            }
        })
    };
    view! {
        <tr
            data-testid="review-row"
            data-line=line
            data-verdict=cell(|r| r.verdict.as_str().to_string())
            data-batch=cell(|r| r.batch_id.to_string())
            data-index=cell(|r| r.index.to_string())
            class=cell(RowCells::class)
            title=cell(|r| r.title().to_string())
            on:click=open
        >
            {move || {
                rc.multi
                    .get()
                    .then(|| {
                        view! {
                            <td class="file" title=cell(|r| r.batch_name.clone())>
                                {cell(|r| format!("#{}", r.batch_id))}
                            </td>
                        }
                    })
            }}
            <td class="line">
                // Its click (or Enter) reaches the row.
                <button
                    type="button"
                    class="open"
                    data-testid="review-open"
                    disabled=move || !openable()
                    aria-label=cell(|r| format!("Open line {} in the explorer", r.line))
                >
                    {line}
                    <span aria-hidden="true" hidden=move || !openable()>" ↗"</span>
                </button>
            </td>
            <td class="sym">{cell(|r| r.symbol.clone())}</td>
            <td>{cell(|r| r.side.to_string())}</td>
            <td>
                <span class=cell(|r| r.action_class.to_string())>{cell(|r| r.action.to_string())}</span>
                {recorded}
            </td>
            <td class="num">{cell(|r| r.r_net.clone())}</td>
            <td class="num">{cell(|r| r.kill_score.clone())}</td>
            <td>
                <span class=cell(|r| format!("verdict v-{}", verdict_key(r.verdict)))>
                    {cell(|r| r.verdict.as_str().to_string())}
                </span>
            </td>
        </tr>
        {detail}
    }
}
