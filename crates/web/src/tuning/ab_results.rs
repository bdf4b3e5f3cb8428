//! The A/B results: the tunables that differ, the counts and the net sentence, and one row per
//! changed position (keyed: a row that stays the same is not rebuilt) with an "Open" button.

use leptos::prelude::*;

use crate::tuning::ab::AbOutcome;
use harvest_features::tuning::ab_view::{AbRow, AbSummary};

/// The results under the A/B controls.
#[component]
pub fn AbResults(
    /// What to show.
    outcome: RwSignal<AbOutcome>,
    /// Opens position `index` of the compared set in the explorer.
    open: Callback<usize>,
) -> impl IntoView {
    let summary = Memo::new(move |_| {
        outcome.with(|o| match o {
            AbOutcome::Compared { summary, .. } => Some(summary.clone()),
            _ => None,
        })
    });
    let part = move |f: fn(&AbSummary) -> String| {
        move || summary.with(|s| s.as_ref().map(f).unwrap_or_default())
    };
    let rows = move || summary.with(|s| s.as_ref().map(|s| s.rows.clone()).unwrap_or_default());
    let problems = move || match outcome.get() {
        AbOutcome::Invalid(p) => p,
        _ => Vec::new(),
    };
    let empty = move || outcome.with(|o| matches!(o, AbOutcome::Compared { empty: true, .. }));
    view! {
        <div data-testid="ab-results">
            <Show when=move || summary.with(Option::is_some)>
                <p data-testid="ab-theta-diff">{part(|s| s.theta_diff.clone())}</p>
                <div class="ab-summary" data-testid="ab-summary">
                    <p class="net">{part(|s| s.net.clone())}</p>
                    <p>
                        "Changed: " <strong data-testid="ab-changed-count">{part(|s| s.changed.to_string())}</strong>
                        {part(|s| s.counts.clone())}
                    </p>
                    <p>{part(|s| s.actions.clone())}</p>
                </div>
                <div class="ab-scroll" hidden=move || summary.with(|s| s.as_ref().is_none_or(|s| s.rows.is_empty()))>
                    <table class="ab-table">
                        <thead>
                            <tr>
                                <th>"Position"</th>
                                <th>"Changes"</th>
                                <th>"A"</th>
                                <th>"B"</th>
                                <th></th>
                            </tr>
                        </thead>
                        <tbody>
                            <For each=rows key=|r: &AbRow| r.clone() let(r)>
                                <tr data-testid="ab-row">
                                    <td>{r.label}</td>
                                    <td>{r.kinds}</td>
                                    <td>{r.a}</td>
                                    <td>{r.b}</td>
                                    <td>
                                        <button
                                            type="button"
                                            data-testid="ab-open"
                                            title="Open this position in the explorer with theta B"
                                            on:click=move |_| open.run(r.index)
                                        >
                                            "Open"
                                        </button>
                                    </td>
                                </tr>
                            </For>
                        </tbody>
                    </table>
                </div>
                <p class="hint" hidden=move || summary.with(|s| s.as_ref().is_none_or(|s| s.more.is_none()))>
                    {part(|s| s.more.clone().unwrap_or_default())}
                </p>
            </Show>
            <Show when=move || !problems().is_empty()>
                <p class="err">"Theta A or B is invalid, so nothing was compared:"</p>
                <ul class="err">
                    <For each=problems key=|p: &String| p.clone() let(p)>
                        <li>{p}</li>
                    </For>
                </ul>
            </Show>
            <p class="err" hidden=move || !empty()>
                "This set has no positions: load records in the Reviewer first, or pick another set."
            </p>
        </div>
    }
}
