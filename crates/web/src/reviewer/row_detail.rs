//! Under a MISMATCH: the conclusion first (with its severity and the reason codes the record has
//! in excess or lacks), then its field-level diff (recorded, recomputed — rounded, the exact
//! numbers on demand —, |Δ|, rel Δ, what the tolerance allows, why the kernel computes the
//! field); under an INVALID: its line and message.

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
        Detail::Mismatch {
            explanation,
            diffs,
            tolerance,
        } => {
            let (exact, set_exact) = signal(false);
            view! {
            <div class="diff" data-testid="review-diff" data-line=line>
                {explanation.map(|e| {
                    let codes = e.codes_sentence();
                    view! {
                        <div class="explain" data-testid="review-explain" data-severity=e.severity.as_str()>
                            <p>
                                <span class=format!("sev sev-{}", e.severity.as_str()) data-testid="review-severity">
                                    {e.severity.label()}
                                </span>
                                " "
                                <span class="conclusion" data-testid="review-conclusion">{e.conclusion}</span>
                            </p>
                            {codes.map(|c| view! {
                                <p class="codes" data-testid="review-codes"
                                    data-extra=e.extra_codes.join(" ")
                                    data-missing=e.missing_codes.join(" ")>{c}</p>
                            })}
                        </div>
                    }
                })}
                <button
                    type="button"
                    class="exact-toggle"
                    data-testid="review-exact"
                    aria-pressed=move || exact.get().to_string()
                    on:click=move |_| set_exact.update(|x| *x = !*x)
                >
                    "Exact numbers"
                </button>
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
                            children=move |d: DiffCells| {
                                let DiffCells {
                                    field,
                                    recorded,
                                    recomputed,
                                    recorded_exact,
                                    recomputed_exact,
                                    abs,
                                    rel,
                                    allowed,
                                    why,
                                } = d;
                                let shown = move |exact_text: &String, rounded: &String| {
                                    if exact.get() { exact_text.clone() } else { rounded.clone() }
                                };
                                let data_field = field.clone();
                                view! {
                                    <tr data-field=data_field>
                                        <td><code>{field}</code></td>
                                        <td class="rec">{move || shown(&recorded_exact, &recorded)}</td>
                                        <td class="got">{move || shown(&recomputed_exact, &recomputed)}</td>
                                        <td class="num">{abs}</td>
                                        <td class="num">{rel}</td>
                                        <td class="num">{allowed}</td>
                                        <td class="why">{why}</td>
                                    </tr>
                                }
                            }
                        />
                    </tbody>
                </table>
                <p class="tol-note" data-testid="review-diff-tolerance">{diff_note(line, &tolerance)}</p>
            </div>
            }
            .into_any()
        }
    }
}
