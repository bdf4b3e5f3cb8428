//! In the explorer, after opening a record from the reviewer: what the record said (action,
//! R_net, K, new SL) against what the explorer computes now, so the original stays in view
//! while the sliders move; Close, "Back to the record's inputs", "Back to the reviewer".

use leptos::prelude::*;

use crate::context::Ctx;
use crate::nav::Nav;
use harvest_features::explorer::UiState;
use harvest_features::nav::View;
use harvest_features::reviewer::{verdict_key, CompareLine};

/// The "Reviewed record" panel (empty unless a record was opened).
#[component]
pub fn ReviewedRecord() -> impl IntoView {
    let nav = Nav::get();
    let ctx = Ctx::get();
    // The record's inputs as the explorer's state, while a record is open.
    let record_state = Memo::new(move |_| {
        nav.opened
            .with(|o| o.as_ref().map(|o| UiState::from_input(&o.input)))
    });
    let untouched =
        move || record_state.with(|r| r.as_ref().is_some_and(|r| ctx.state.with(|s| s == r)));
    // (lines, other differing fields, whether the explorer has a proposal).
    let compared = Memo::new(move |_| {
        nav.opened.with(|o| {
            ctx.result.with(|r| match (o, r.as_ref().ok()) {
                (Some(o), Some(now)) => {
                    let (lines, others) = o.compare_now(now);
                    (lines, others, true)
                }
                _ => (Vec::new(), Vec::new(), false),
            })
        })
    });
    let restore = move |_| {
        if let Some(s) = record_state.get_untracked() {
            ctx.state.set(s);
        }
    };
    let panel = move || {
        nav.opened.get().map(|o| {
            let verdict_class = format!("verdict v-{}", verdict_key(o.verdict));
            let then = if o.recorded { "Recorded" } else { "Computed at review" };
            view! {
                <section
                    class="card reviewed"
                    data-testid="reviewed-record"
                    data-line=o.line
                    data-verdict=o.verdict.as_str()
                    aria-labelledby="reviewed-h"
                >
                    <div class="reviewed-head">
                        <h2 id="reviewed-h">"Reviewed record (line " {o.line} ")"</h2>
                        <span class=verdict_class>{o.verdict.as_str()}</span>
                        <span class="muted">
                            {o.file.clone()} " · " {o.symbol.clone()} " "
                            {o.side.map_or("", |s| s.as_str())}
                        </span>
                        <button
                            type="button"
                            class="close"
                            data-testid="reviewed-close"
                            aria-label="Close the reviewed record"
                            title="Close"
                            on:click=move |_| nav.opened.set(None)
                        >
                            "×"
                        </button>
                    </div>
                    {o.error.clone().map(|e| view! {
                        <p class="rec-error" role="note">"The kernel rejects these inputs: " {e}</p>
                    })}
                    <table class="then-now">
                        <thead>
                            <tr>
                                <th scope="col"></th>
                                <th scope="col">{then}</th>
                                <th scope="col">"Now"</th>
                            </tr>
                        </thead>
                        <tbody>
                            <For each=move || compared.with(|c| c.0.clone()) key=|l: &CompareLine| l.clone() let:l>
                                <tr class:differs=l.differs data-field=l.field>
                                    <th scope="row">{l.label}</th>
                                    <td data-testid=format!("reviewed-then-{}", l.field)>{l.then}</td>
                                    <td data-testid=format!("reviewed-now-{}", l.field)>
                                        {l.now}
                                        {l.differs.then(|| view! {
                                            <span class="ne" title="Differs beyond the review's tolerance">" ≠"</span>
                                        })}
                                    </td>
                                </tr>
                            </For>
                        </tbody>
                    </table>
                    <p class="reviewed-foot">
                        {move || (!compared.with(|c| c.2)).then_some("The explorer's input is invalid: no proposal to compare. ")}
                        {move || compared.with(|c| (!c.1.is_empty()).then(|| format!("Also differs: {}. ", c.1.join(", "))))}
                        <span class="muted" data-testid="reviewed-inputs">
                            {move || if untouched() {
                                "The explorer shows the record's exact inputs and theta."
                            } else {
                                "Inputs changed since the record was opened."
                            }}
                        </span>
                        " "
                        <button type="button" data-testid="reviewed-restore" disabled=untouched on:click=restore>
                            "Back to the record's inputs"
                        </button>
                        " "
                        <button type="button" data-testid="reviewed-back" on:click=move |_| nav.show(View::Review)>
                            "Back to the reviewer"
                        </button>
                    </p>
                </section>
            }
        })
    };
    view! { <div class="reviewed-wrap">{panel}</div> }
}
