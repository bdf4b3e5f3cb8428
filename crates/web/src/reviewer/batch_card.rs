//! The card of one loaded file: status, counts, lines, SHA-256, the tolerance used, the first
//! errors, and its exports (JSON Lines, CSV, receipt) and Remove. What it shows is
//! [`harvest_features::reviewer::BatchCard`]'s.

use leptos::prelude::*;

use crate::reviewer::context::ReviewCtx;
use harvest_features::reviewer::{BatchCard as Card, Export};

/// The card `card`.
#[component]
pub fn BatchCard(
    /// What it shows.
    card: Card,
) -> impl IntoView {
    let rc = ReviewCtx::get();
    let id = card.id;
    let download = move |what: Export| move |_| rc.export(id, what);
    let exports = Export::ALL.map(|what| (what, card.can_export(what)));
    view! {
        <article class="card batch" data-testid="review-batch" data-batch=id data-status=card.status_key>
            <header class="batch-head">
                <h3>
                    <span class="batch-no">"#" {id}</span>
                    " "
                    <span class="batch-name" data-testid="review-batch-name">{card.name}</span>
                </h3>
                <span class="muted">{card.size}</span>
                <span class=format!("batch-status st-{}", card.status_key)>{card.status}</span>
            </header>
            <p class="batch-counts" data-testid="review-batch-counts">{card.counts}</p>
            <p class="batch-meta muted">
                {card.digest.map(|(lines, sha, short)| view! {
                    {lines}
                    " lines · SHA-256 "
                    <code title=sha data-testid="review-batch-sha">{short} "…"</code>
                    " · "
                })}
                {card.tolerance}
            </p>
            {card.note.map(|note| view! { <p class="batch-note">{note}</p> })}
            {(!card.errors.is_empty()).then(|| view! {
                <ul class="batch-errors">
                    {card.errors.into_iter().map(|(line, message)| view! {
                        <li data-testid="review-batch-error" data-line=line>
                            <strong>"Line " {line} ": "</strong>
                            {message}
                        </li>
                    }).collect_view()}
                    {card.more_errors.map(|more| view! { <li class="muted">{more}</li> })}
                </ul>
            })}
            <div class="batch-actions">
                <span class="muted">"Export:"</span>
                {exports.into_iter().map(|(what, can)| view! {
                    <button
                        type="button"
                        data-testid=what.testid()
                        title=what.hint()
                        disabled=!can
                        on:click=download(what)
                    >
                        {what.label()}
                    </button>
                }).collect_view()}
                <button
                    type="button"
                    class="remove"
                    data-testid="review-remove"
                    title="Remove this file and its records from the table"
                    disabled=!card.settled
                    on:click=move |_| rc.remove(id)
                >
                    "Remove"
                </button>
            </div>
        </article>
    }
}
