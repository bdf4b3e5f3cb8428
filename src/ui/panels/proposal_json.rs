//! The full proposal as the kernel serialises it (audit included), with copy and download.

use leptos::prelude::*;

use crate::ui::browser;
use crate::ui::context::Ctx;

/// `kernel::propose` → pretty JSON.
#[component]
pub fn ProposalJson() -> impl IntoView {
    let ctx = Ctx::get();
    let json = Memo::new(move |_| {
        ctx.shown.with(|s| {
            s.as_ref()
                .and_then(|s| serde_json::to_string_pretty(&s.proposal).ok())
                .unwrap_or_default()
        })
    });
    let (copied, set_copied) = signal(false);
    view! {
        <section class="card json" aria-labelledby="json-h">
            <div class="json-head">
                <h2 id="json-h">"Proposal JSON"</h2>
                <button
                    type="button"
                    data-testid="copy-json"
                    on:click=move |_| {
                        set_copied.set(browser::copy_text(&json.get_untracked()));
                    }
                >
                    {move || if copied.get() { "Copied" } else { "Copy" }}
                </button>
                <button
                    type="button"
                    data-testid="download-json"
                    on:click=move |_| {
                        browser::download("proposal.json", "application/json", &json.get_untracked());
                    }
                >
                    "Download"
                </button>
            </div>
            <pre data-testid="proposal-json" class:stale=move || ctx.stale() tabindex="0" aria-label="Proposal JSON">
                {move || json.get()}
            </pre>
        </section>
    }
}
