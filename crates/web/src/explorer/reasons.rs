//! Reason codes as chips, each with the kernel's one-line explanation.

use leptos::prelude::*;

use crate::context::Ctx;
use crate::controls::Card;

/// The reason codes of the shown proposal.
#[component]
pub fn Reasons() -> impl IntoView {
    let ctx = Ctx::get();
    let chips = move || {
        let codes = ctx.shown.with(|s| {
            s.as_ref()
                .map(|s| s.proposal.reason_codes.clone())
                .unwrap_or_default()
        });
        let empty = codes.is_empty();
        let list = codes
            .into_iter()
            .map(|c| {
                view! {
                    <li class="chip" data-code=c.as_str()>
                        <code>{c.as_str()}</code>
                        <span>{c.explain()}</span>
                    </li>
                }
            })
            .collect_view();
        view! {
            <ul class="chips" data-testid="reason-codes">{list}</ul>
            <p class="muted" hidden=!empty>"None: no tranche, no profit lock, no kill."</p>
        }
    };
    view! {
        <Card class="reasons" id="reasons-h" title="Reason codes">
            {chips}
        </Card>
    }
}
