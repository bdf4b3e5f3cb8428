//! Under a MISMATCH: its field-level diff (recorded, recomputed, |Δ|, rel Δ, what the tolerance
//! allows, why the kernel computes the field); under an INVALID: its line and message.

use leptos::prelude::*;

use harvest_features::reviewer::{diff_note, DiffCells, RowDetail as Detail};

/// The details of the record on `line`.
#[component]
pub fn RowDetail(
    /// The record's line.
    line: usize,
    /// What to show.
    detail: Detail,
) -> impl IntoView {
    match detail {
        Detail::Invalid { message } => view! {
            <div class="rec-error" data-testid="review-error" data-line=line role="note">
                <strong>"Line " {line} ": "</strong>
                {message}
            </div>
        }
        .into_any(),
        Detail::Mismatch { diffs, tolerance } => view! {
            <div class="diff" data-testid="review-diff" data-line=line>
                <table>
                    <thead>
                        <tr>
                            <th scope="col">"Field"</th>
                            <th scope="col">"Recorded"</th>
                            <th scope="col">"Recomputed"</th>
                            <th scope="col" title="|recorded − recomputed|">"|Δ|"</th>
                            <th scope="col" title="|Δ| / max(|recorded|, |recomputed|)">"rel Δ"</th>
                            <th scope="col" title="max(abs, rel × max(|recorded|, |recomputed|))">"Allowed"</th>
                            <th scope="col">"Why the kernel computes this"</th>
                        </tr>
                    </thead>
                    <tbody>
                        <For
                            each=move || diffs.clone()
                            key=|d: &DiffCells| d.field.clone()
                            children=|d: DiffCells| {
                                let field = d.field.clone();
                                view! {
                                    <tr data-field=field>
                                        <td><code>{d.field}</code></td>
                                        <td class="rec">{d.recorded}</td>
                                        <td class="got">{d.recomputed}</td>
                                        <td class="num">{d.abs}</td>
                                        <td class="num">{d.rel}</td>
                                        <td class="num">{d.allowed}</td>
                                        <td class="why">{d.why}</td>
                                    </tr>
                                }
                            }
                        />
                    </tbody>
                </table>
                <p class="tol-note" data-testid="review-diff-tolerance">{diff_note(line, &tolerance)}</p>
            </div>
        }
        .into_any(),
    }
}
