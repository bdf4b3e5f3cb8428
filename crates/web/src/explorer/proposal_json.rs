//! The full proposal as the kernel serialises it (audit included), with copy and download.

use leptos::prelude::*;

use crate::browser;
use crate::context::Ctx;

/// `kernel::propose` → pretty JSON.
#[component]
pub fn ProposalJson() -> impl IntoView {
    let ctx = Ctx::get();
    let json = move || {
        ctx.shown.with(|s| {
            s.as_ref()
                .and_then(|s| serde_json::to_string_pretty(&s.proposal).ok())
                .unwrap_or_default()
        })
    };
    let (status, set_status) = signal("");
    view! {
        <section class="card json" aria-labelledby="json-h">
            <div class="json-head">
                <h2 id="json-h">"Proposal JSON"</h2>
                <span class="muted" role="status">{move || status.get()}</span>
                <button
                    type="button"
                    data-testid="copy-json"
                    on:click=move |_| {
                        let ok = browser::copy_text(&untrack(json));
                        set_status.set(if ok { "copied" } else { "copy failed" });
                    }
                >
                    "Copy"
                </button>
                <button
                    type="button"
                    data-testid="download-json"
                    on:click=move |_| {
                        browser::download("proposal.json", "application/json", &untrack(json));
                    }
                >
                    "Download"
                </button>
            </div>
            {move || {
                view! {
                    <pre data-testid="proposal-json" class:stale=ctx.stale() tabindex="0" aria-label="Proposal JSON">
                        {json()}
                    </pre>
                }
            }}
        </section>
    }
}
