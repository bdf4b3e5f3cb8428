//! Export the current theta as JSON or `theta.harvest.<key>=<value>` lines (to copy, or to
//! download as a file named after the set), and import either from the text box or a file,
//! strictly ([`harvest_features::theta::import_theta`], the one importer the CLI and the explorer use too): a refused import lists every problem
//! and leaves the current theta as it was.

use leptos::prelude::*;

use crate::browser;
use crate::context::Ctx;
use crate::tuning::context::TuneCtx;
use harvest_features::theta::{export_theta, import_theta, ThetaFormat};
use harvest_features::tuning::theta_sets::export_file_name;

/// The export / import part of the theta sets card.
#[component]
pub fn ThetaText(
    /// The theta set's name (the downloaded file is named after it).
    name: RwSignal<String>,
) -> impl IntoView {
    let ctx = Ctx::get();
    let tc = TuneCtx::get();
    let text = RwSignal::new(String::new());
    // The format of the last export (for Download).
    let format = StoredValue::new(ThetaFormat::Json);

    let export = move |f: ThetaFormat| {
        let theta = ctx.state.with_untracked(|s| s.theta);
        text.set(export_theta(&theta, f));
        format.set_value(f);
        tc.say(
            true,
            if f == ThetaFormat::Policy {
                "The current theta as the policy's harvest_params JSON is above (fallback_stop_pct is the publisher's own setting): give it to the policy's author."
            } else {
                "The current theta is above: copy it, or download it as a file."
            },
            Vec::new(),
        );
    };
    let download = move |_| {
        let f = format.get_value();
        let (ext, mime) = match f {
            ThetaFormat::Json | ThetaFormat::Policy => ("json", "application/json"),
            ThetaFormat::Lines => ("theta", "text/plain"),
        };
        let t = text.get_untracked();
        let t = if t.trim().is_empty() {
            export_theta(&ctx.state.with_untracked(|s| s.theta), f)
        } else {
            t
        };
        browser::download(&export_file_name(&name.get_untracked(), ext), mime, &t);
    };
    let import = move |t: &str| match import_theta(t) {
        Ok(new) => {
            let changed = ctx.state.with_untracked(|s| s.theta.diff(&new).len());
            ctx.state.update(|s| s.theta = new);
            tc.say(
                true,
                format!(
                    "Imported: {changed} tunable{} changed; tunables not in the text took their defaults.",
                    if changed == 1 { "" } else { "s" }
                ),
                Vec::new(),
            );
        }
        Err(errs) => {
            let n = errs.len();
            tc.say(
                false,
                format!(
                    "Import refused ({n} problem{}); the current theta is unchanged:",
                    if n == 1 { "" } else { "s" }
                ),
                errs.iter().map(ToString::to_string).collect(),
            );
        }
    };
    let on_file = move |ev: leptos::ev::Event| {
        let input = event_target::<web_sys::HtmlInputElement>(&ev);
        if let Some(file) = input.files().and_then(|f| f.get(0)) {
            browser::read_file_text(file, move |r| match r {
                Ok(t) => {
                    // The view may be gone by now: then there is nothing to show it in.
                    if text.try_set(t.clone()).is_none() {
                        import(&t);
                    }
                }
                Err(e) => {
                    let _ = tc.status.try_set(Some(crate::tuning::context::Status {
                        ok: false,
                        msg: e.to_string(),
                        problems: Vec::new(),
                    }));
                }
            });
        }
        input.set_value("");
    };
    view! {
        <h2>"Export / import"</h2>
        <textarea
            data-testid="theta-text"
            aria-label="Theta as JSON or theta.harvest lines"
            rows="7"
            spellcheck="false"
            placeholder="theta.harvest.kill_threshold=0.5   or   {\"kill_threshold\": 0.5}"
            prop:value=move || text.get()
            on:input=move |ev| text.set(event_target_value(&ev))
        ></textarea>
        <div class="tune-row">
            <button type="button" data-testid="theta-export-json" on:click=move |_| export(ThetaFormat::Json)>
                "Export JSON"
            </button>
            <button type="button" data-testid="theta-export-lines" on:click=move |_| export(ThetaFormat::Lines)>
                "Export lines"
            </button>
            <button
                type="button"
                data-testid="theta-export-policy"
                title="As the AI policy store's harvest_params JSON"
                on:click=move |_| export(ThetaFormat::Policy)
            >
                "Export as policy"
            </button>
            <button type="button" data-testid="theta-set-download" on:click=download>
                "Download"
            </button>
            <button type="button" data-testid="theta-import-text" on:click=move |_| import(&text.get_untracked())>
                "Import"
            </button>
            <label class="file">
                "File… "
                <input
                    type="file"
                    accept=".json,.theta,.txt,.properties,application/json,text/plain"
                    data-testid="theta-import-file"
                    on:change=on_file
                />
            </label>
        </div>
    }
}
