//! In the explorer, after opening a record from the reviewer: what the record said (action,
//! R_net, K, new SL) against what the explorer computes now, so the original stays in view
//! while the sliders move; Close, "Back to the record's inputs", "Back to the reviewer". The
//! comparison is [`OpenedRecord::compare_now`](harvest_features::reviewer::OpenedRecord)'s; the
//! panel is redrawn when the record or the explorer's state changes.

use leptos::prelude::*;

use crate::context::Ctx;
use crate::nav::Nav;
use harvest_features::explorer::UiState;
use harvest_features::nav::View;
use harvest_features::reviewer::verdict_class;

/// The "Reviewed record" panel (empty unless a record was opened).
#[component]
pub fn ReviewedRecord() -> impl IntoView {
    let nav = Nav::get();
    let ctx = Ctx::get();
    let restore = move |_| {
        let s = nav
            .opened
            .with_untracked(|o| o.as_ref().map(|o| UiState::from_input(&o.input)));
        if let Some(s) = s {
            ctx.state.set(s);
        }
    };
    let panel = move || {
        let o = nav.opened.get()?;
        let untouched = ctx.state.with(|s| *s == UiState::from_input(&o.input));
        let now = ctx
            .result
            .with(|r| r.as_ref().ok().map(|now| o.compare_now(now)));
        let no_proposal = now.is_none();
        let (lines, others) = now.unwrap_or_default();
        let lines = lines
            .into_iter()
            .map(|l| {
                view! {
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
                }
            })
            .collect_view();
        Some(view! {
            <section
                class="card reviewed"
                data-testid="reviewed-record"
                data-line=o.line
                data-verdict=o.verdict.as_str()
                aria-labelledby="reviewed-h"
            >
                <div class="reviewed-head">
                    <h2 id="reviewed-h">"Reviewed record (line " {o.line} ")"</h2>
                    <span class=verdict_class(o.verdict)>{o.verdict.as_str()}</span>
                    <span class="muted">
                        {o.file} " · " {o.symbol} " " {o.side.map_or("", |s| s.as_str())}
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
                {o.error.map(|e| view! {
                    <p class="rec-error" role="note">"The kernel rejects these inputs: " {e}</p>
                })}
                <table class="then-now">
                    <thead>
                        <tr>
                            <th scope="col"></th>
                            <th scope="col">{if o.recorded { "Recorded" } else { "Computed at review" }}</th>
                            <th scope="col">"Now"</th>
                        </tr>
                    </thead>
                    <tbody>{lines}</tbody>
                </table>
                <p class="reviewed-foot">
                    {no_proposal.then_some("The explorer's input is invalid: no proposal to compare. ")}
                    {(!others.is_empty()).then(|| format!("Also differs: {}. ", others.join(", ")))}
                    <span class="muted" data-testid="reviewed-inputs">
                        {if untouched {
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
        })
    };
    view! { <div class="reviewed-wrap">{panel}</div> }
}
