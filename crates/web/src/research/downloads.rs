//! The hand-off files of the report, the same as `harvest research --out DIR` writes them
//! ([`handoff_files`]): the theta file, the policy's `harvest_params` JSON, the report as JSON and
//! as a self-contained HTML page.

use leptos::prelude::*;

use crate::browser;
use crate::research::context::ResearchCtx;
use harvest_features::research::view::handoff_files;

/// A download button per file.
#[component]
pub fn ResearchDownloads(
    /// The panel's state.
    r: ResearchCtx,
) -> impl IntoView {
    let save = move |name: &'static str| {
        let file = r.report.with_value(|rep| {
            rep.as_ref()
                .map(|rep| handoff_files(rep).map(|fs| fs.into_iter().find(|(n, _)| *n == name)))
        });
        match file {
            Some(Ok(Some((_, text)))) => {
                let mime = if name.ends_with(".html") {
                    "text/html"
                } else {
                    "application/json"
                };
                browser::download(name, mime, &text);
            }
            Some(Err(e)) => r
                .error
                .set(Some(format!("{name} could not be written: {e}."))),
            _ => {}
        }
    };
    let files: [(&'static str, &'static str); 4] = [
        ("theta.json", "Theta file"),
        ("harvest_params.json", "Policy harvest_params"),
        ("report.json", "Report (JSON)"),
        ("report.html", "Report (HTML)"),
    ];
    let has = move || {
        r.version.track();
        r.report.with_value(Option::is_some)
    };
    let buttons = files
        .into_iter()
        .map(|(name, what)| {
            view! {
                <button
                    type="button"
                    data-testid=format!("research-download-{}", name.replace('.', "-"))
                    title=format!("Download {name}")
                    on:click=move |_| save(name)
                >
                    {what}
                </button>
            }
        })
        .collect_view();
    view! {
        <div class="load-row research-downloads" hidden=move || !has() role="group" aria-label="Download the hand-off">
            <span class="muted">"Download: "</span>
            {buttons}
        </div>
    }
}
