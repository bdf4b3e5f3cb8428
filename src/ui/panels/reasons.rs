//! Reason codes as chips, each with the kernel's one-line explanation.

use leptos::prelude::*;

use crate::ui::context::Ctx;

/// The reason codes of the shown proposal.
#[component]
pub fn Reasons() -> impl IntoView {
    let ctx = Ctx::get();
    let codes = Memo::new(move |_| {
        ctx.shown.with(|s| {
            s.as_ref()
                .map(|s| s.proposal.reason_codes.clone())
                .unwrap_or_default()
        })
    });
    view! {
        <section class="card reasons" aria-labelledby="reasons-h">
            <h2 id="reasons-h">"Reason codes"</h2>
            <ul class="chips" data-testid="reason-codes">
                {move || {
                    codes
                        .get()
                        .into_iter()
                        .map(|c| {
                            view! {
                                <li class="chip" data-code=c.as_str()>
                                    <code>{c.as_str()}</code>
                                    <span>{c.explain()}</span>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
            <Show when=move || codes.with(|c| c.is_empty())>
                <p class="muted">"None: no tranche, no profit lock, no kill."</p>
            </Show>
        </section>
    }
}
