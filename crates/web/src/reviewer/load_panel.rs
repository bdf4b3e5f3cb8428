//! Where records come in: the sample, a file picker (or a drop anywhere on the view, see
//! [`ReviewPage`](crate::reviewer::ReviewPage)), a paste.

use leptos::ev::Targeted;
use leptos::prelude::*;

use crate::browser;
use crate::controls::Card;
use crate::reviewer::context::ReviewCtx;
use crate::reviewer::jobs::Job;

/// Load sample / pick files / paste.
#[component]
pub fn LoadPanel() -> impl IntoView {
    let rc = ReviewCtx::get();
    let pasted = RwSignal::new(String::new());
    let on_files = move |ev: Targeted<leptos::ev::Event, web_sys::HtmlInputElement>| {
        let input = ev.target();
        for f in browser::files::files_of(input.files()) {
            rc.enqueue(Job::File(f));
        }
        // The same file can be picked again.
        input.set_value("");
    };
    let on_paste = move |_| {
        let text = pasted.get_untracked();
        if !text.trim().is_empty() {
            pasted.set(String::new());
            rc.enqueue(Job::Text(text));
        }
    };
    view! {
        <Card class="review-load" id="review-load-h" title="Load records">
            <p class="hint">
                "JSON Lines mixing proposals (with their " <code>"audit"</code>
                ") and inputs, one pretty-printed JSON record, or a JSON array. Everything stays in this page."
            </p>
            <div class="load-row">
                <button
                    type="button"
                    data-testid="review-load-sample"
                    on:click=move |_| rc.enqueue(Job::Sample)
                >
                    "Load sample"
                </button>
                <label class="file-pick">
                    <span>"Pick files…"</span>
                    <input
                        type="file"
                        multiple
                        accept=".jsonl,.ndjson,.json,.txt,application/json,text/plain"
                        data-testid="review-file"
                        on:change:target=on_files
                    />
                </label>
                <span class="muted drop-hint">"or drop files anywhere here"</span>
            </div>
            <label class="paste-label" for="review-paste">"Paste records"</label>
            <textarea
                id="review-paste"
                data-testid="review-paste"
                rows="3"
                spellcheck="false"
                placeholder="{\"harvest_action\": …, \"audit\": {…}}"
                prop:value=move || pasted.get()
                on:input=move |ev| pasted.set(event_target_value(&ev))
            ></textarea>
            <button type="button" data-testid="review-paste-submit" on:click=on_paste>
                "Review pasted text"
            </button>
        </Card>
    }
}
