//! The card of one loaded file: status, counts, lines, SHA-256, the tolerance used, the first
//! errors, and its exports (JSON Lines, CSV, receipt) and Remove. What it shows is
//! [`harvest_features::reviewer::BatchCard`]'s.

use leptos::prelude::*;

use crate::reviewer::context::ReviewCtx;
use harvest_features::reviewer::{self as model, Export};

/// The card of batch `id` (it follows the batch as it loads and is re-reviewed).
#[component]
pub fn BatchCard(
    /// The batch's id.
    id: u32,
) -> impl IntoView {
    let rc = ReviewCtx::get();
    let card = Memo::new(move |_| {
        rc.version.track();
        rc.store
            .with_value(|s| s.get(id).map(model::BatchCard::new))
    });
    let text = move |f: fn(&model::BatchCard) -> String| {
        move || card.with(|c| c.as_ref().map(f).unwrap_or_default())
    };
    let off =
        move |f: fn(&model::BatchCard) -> bool| move || !card.with(|c| c.as_ref().is_some_and(f));
    let (unsettled, no_receipt) = (off(|c| c.settled), off(|c| c.receipt));
    let status_key = move || card.with(|c| c.as_ref().map_or("", |c| c.status_key));
    let digest = move || card.with(|c| c.as_ref().and_then(|c| c.digest.clone()));
    let errors = move || card.with(|c| c.as_ref().map(|c| c.errors.clone()).unwrap_or_default());
    let download = move |what: Export| move |_| rc.export(id, what);
    view! {
        <article class="card batch" data-testid="review-batch" data-batch=id data-status=status_key>
            <header class="batch-head">
                <h3>
                    <span class="batch-no">"#" {id}</span>
                    " "
                    <span class="batch-name" data-testid="review-batch-name">
                        {text(|c| c.name.clone())}
                    </span>
                </h3>
                <span class="muted">{text(|c| c.size.clone())}</span>
                <span class=move || format!("batch-status st-{}", status_key())>
                    {text(|c| c.status.clone())}
                </span>
            </header>
            <p class="batch-counts" data-testid="review-batch-counts">{text(|c| c.counts.clone())}</p>
            <p class="batch-meta muted">
                {move || {
                    digest()
                        .map(|(lines, sha, short)| {
                            view! {
                                {lines}
                                " lines · SHA-256 "
                                <code title=sha data-testid="review-batch-sha">{short} "…"</code>
                                " · "
                            }
                        })
                }}
                {text(|c| c.tolerance.clone())}
            </p>
            <p class="batch-note" hidden=move || card.with(|c| c.as_ref().is_none_or(|c| c.note.is_none()))>
                {text(|c| c.note.clone().unwrap_or_default())}
            </p>
            <ul class="batch-errors" hidden=move || card.with(|c| c.as_ref().is_none_or(|c| c.errors.is_empty()))>
                <For each=errors key=|e| e.clone() let:((line, message))>
                    <li data-testid="review-batch-error" data-line=line>
                        <strong>"Line " {line} ": "</strong>
                        {message}
                    </li>
                </For>
                <li class="muted" hidden=move || card.with(|c| c.as_ref().is_none_or(|c| c.more_errors.is_none()))>
                    {text(|c| c.more_errors.clone().unwrap_or_default())}
                </li>
            </ul>
            <div class="batch-actions">
                <span class="muted">"Export:"</span>
                <button
                    type="button"
                    data-testid="export-jsonl"
                    title="One JSON object per record (as harvest verify --format jsonl)"
                    disabled=unsettled
                    on:click=download(Export::Jsonl)
                >
                    "JSON Lines"
                </button>
                <button
                    type="button"
                    data-testid="export-csv"
                    title="One CSV row per record (as harvest verify --format csv)"
                    disabled=unsettled
                    on:click=download(Export::Csv)
                >
                    "CSV"
                </button>
                <button
                    type="button"
                    data-testid="export-receipt"
                    title="Counts, tolerance, kernel version and the input's SHA-256 (only for a file read to the end)"
                    disabled=no_receipt
                    on:click=download(Export::Receipt)
                >
                    "Receipt"
                </button>
                <button
                    type="button"
                    class="remove"
                    data-testid="review-remove"
                    title="Remove this file and its records from the table"
                    disabled=unsettled
                    on:click=move |_| rc.remove(id)
                >
                    "Remove"
                </button>
            </div>
        </article>
    }
}
