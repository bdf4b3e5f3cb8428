//! Where records come in: the sample, a file picker (or a drop anywhere on the view), a paste.
//! Its buttons are handled by the view (`data-act`).

use leptos::prelude::*;

/// Load sample / pick files / paste.
/// The panel's markup (static: its buttons are handled by the view).
const LOAD_HTML: &str = concat!(
    "<h2 id=\"review-load-h\">Load records</h2>",
    "<p class=\"hint\">JSON Lines mixing proposals (with their <code>audit</code>) and inputs, ",
    "one pretty-printed JSON record, or a JSON array. Everything stays in this page.</p>",
    "<div class=\"load-row\">",
    "<button type=\"button\" data-testid=\"review-load-sample\" data-act=\"sample\">Load sample</button>",
    "<label class=\"file-pick\"><span>Pick files…</span><input type=\"file\" multiple ",
    "accept=\".jsonl,.ndjson,.json,.txt,application/json,text/plain\" data-testid=\"review-file\" data-act=\"files\"></label>",
    "<span class=\"muted drop-hint\">or drop files anywhere here</span></div>",
    "<label class=\"paste-label\" for=\"review-paste\">Paste records</label>",
    "<textarea id=\"review-paste\" data-testid=\"review-paste\" rows=\"3\" spellcheck=\"false\" ",
    "placeholder=\"{&quot;harvest_action&quot;: …, &quot;audit&quot;: {…}}\"></textarea>",
    "<button type=\"button\" data-testid=\"review-paste-submit\" data-act=\"paste\">Review pasted text</button>",
);

/// Load sample / pick files / paste.
#[component]
pub fn LoadPanel() -> impl IntoView {
    view! {
        <section class="card review-load" aria-labelledby="review-load-h" inner_html=LOAD_HTML></section>
    }
}
