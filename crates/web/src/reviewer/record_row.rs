//! One row of the table's page: line (a button, so the keyboard can open the record), symbol,
//! side, the kernel's action (and the recorded one when they differ), R_net, K and the verdict;
//! a click opens the record in the explorer. A MISMATCH or INVALID record is followed by its
//! [`RowDetail`]; a published record with a second opinion, by that. The row is a slot of the page: it shows whatever record is at its place.
//!
//! The row's markup is one reactive view of its record: when the record at this place changes
//! (paging, sorting), the view is rebuilt over the row's elements, which compares each text and
//! attribute with the one shown and sets only those that differ. One effect per row, instead of
//! one per text and attribute (17 a row), is what makes a page change as quick as writing the
//! page's HTML was.

use leptos::prelude::*;

use crate::reviewer::context::ReviewCtx;
use crate::reviewer::row_detail::RowDetail;
use harvest_features::reviewer::RowCells;

/// The row at `place` of the page `rows`.
#[component]
pub fn RecordRow(
    /// The page's rows.
    rows: Memo<Vec<RowCells>>,
    /// This row's place on the page (from 0).
    place: usize,
) -> impl IntoView {
    let rc = ReviewCtx::get();
    // This row's record: a row whose record stays the same is not touched.
    let row = Memo::new(move |_| rows.with(|r| r.get(place).cloned()));
    let open = move |_| {
        if let Some((batch, index)) = row.with_untracked(|r| r.as_ref().and_then(RowCells::target))
        {
            rc.open(batch, index);
        }
    };
    move || {
        let multi = rc.multi.get();
        row.get().map(|r| {
            let (class, title, open_label) = (r.class(), r.title(), r.open_label());
            let (verdict_class, detail_class) = (r.verdict_class(), r.detail_class());
            let RowCells {
                batch_id,
                batch_name,
                line,
                verdict,
                symbol,
                side,
                action,
                action_class,
                recorded_action,
                r_net,
                kill_score,
                openable,
                detail,
                second_opinion,
                ..
            } = r;
            view! {
                <tr
                    data-testid="review-row"
                    data-line=line
                    data-verdict=verdict.as_str()
                    data-batch=batch_id
                    class=class
                    title=title
                    on:click=open
                >
                    {multi
                        .then(|| {
                            view! {
                                <td class="file" title=batch_name>
                                    "#"
                                    {batch_id}
                                </td>
                            }
                        })}
                    <td class="line">
                        // Its click (or Enter) reaches the row.
                        <button
                            type="button"
                            class="open"
                            data-testid="review-open"
                            disabled=!openable
                            aria-label=open_label
                        >
                            {line}
                            <span aria-hidden="true" hidden=!openable>
                                " ↗"
                            </span>
                        </button>
                    </td>
                    <td class="sym">{symbol}</td>
                    <td>{side}</td>
                    <td>
                        <span class=action_class>{action}</span>
                        {recorded_action
                            .map(|rec| {
                                view! {
                                    <span
                                        class="recorded-action"
                                        title="The action the record carries"
                                    >
                                        " recorded "
                                        {rec}
                                    </span>
                                }
                            })}
                    </td>
                    <td class="num">{r_net}</td>
                    <td class="num">{kill_score}</td>
                    <td>
                        <span class=verdict_class>{verdict.as_str()}</span>
                    </td>
                </tr>
                {detail
                    .map(|d| {
                        view! {
                            <tr class=detail_class>
                                <td colspan=if multi { 8 } else { 7 }>
                                    <RowDetail line=line detail=d />
                                </td>
                            </tr>
                        }
                    })}
                {second_opinion
                    .map(|text| {
                        view! {
                            <tr class="second-opinion">
                                <td
                                    colspan=if multi { 8 } else { 7 }
                                    data-testid="review-second-opinion"
                                    data-line=line
                                >
                                    <strong>"Second opinion: "</strong>
                                    {text}
                                </td>
                            </tr>
                        }
                    })}
            }
        })
    }
}
