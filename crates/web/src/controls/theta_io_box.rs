//! Theta export and import, the one box the explorer and the tuning view share: the current
//! theta out as JSON or `theta.harvest.<key>=<value>` lines (shown, copied, or downloaded as a
//! file named after `name`), and in from the text box or a file, strictly
//! ([`harvest_features::theta::import_theta`], the importer the CLI uses too): a refused import
//! lists every problem and leaves the current theta as it was.

use leptos::ev::Targeted;
use leptos::prelude::*;

use crate::browser;
use crate::context::Ctx;
use crate::controls::status_line::{Status, StatusLine};
use harvest_features::theta::{export_theta, import_theta, ThetaFormat};
use harvest_features::tuning::theta_sets::export_file_name;

/// The export / import box.
#[component]
pub fn ThetaIoBox(
    /// What the downloaded file is named after (a theta set's name; empty: `theta`).
    #[prop(into)]
    name: Signal<String>,
    /// Where its messages go (the owner shows them); without one, the box shows them itself.
    #[prop(optional)]
    status: Option<RwSignal<Option<Status>>>,
) -> impl IntoView {
    let ctx = Ctx::get();
    let own = status.is_none();
    let status = status.unwrap_or_else(|| RwSignal::new(None));
    let text = RwSignal::new(String::new());
    // The format of the last export (for Download).
    let format = StoredValue::new(ThetaFormat::Json);
    let say = move |s: Status| {
        // The view may be gone by the time a file is read.
        let _ = status.try_set(Some(s));
    };

    let export = move |f: ThetaFormat| {
        let t = export_theta(&ctx.state.with_untracked(|s| s.theta), f);
        browser::copy_text(&t);
        text.set(t);
        format.set_value(f);
        say(Status::new(
            true,
            if f == ThetaFormat::Policy {
                "The current theta as the policy's harvest_params JSON is above (and copied; fallback_stop_pct is the publisher's own setting): give it to the policy's author."
            } else {
                "The current theta is above (and copied): keep it, or download it as a file."
            },
            Vec::new(),
        ));
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
            let odd = new.warnings().len();
            let mut m = format!(
                "Imported: {changed} tunable{} changed; tunables not in the text took their defaults.",
                if changed == 1 { "" } else { "s" }
            );
            if odd > 0 {
                m.push_str(&format!(
                    " {odd} value{} make{} no sense but {} computed: see the proposal's warnings.",
                    if odd == 1 { "" } else { "s" },
                    if odd == 1 { "s" } else { "" },
                    if odd == 1 { "is" } else { "are" }
                ));
            }
            say(Status::new(true, m, Vec::new()));
        }
        Err(errs) => {
            let n = errs.len();
            say(Status::new(
                false,
                format!(
                    "Import refused ({n} problem{}); the current theta is unchanged:",
                    if n == 1 { "" } else { "s" }
                ),
                errs.iter().map(ToString::to_string).collect(),
            ));
        }
    };
    let on_file = move |ev: Targeted<leptos::ev::Event, web_sys::HtmlInputElement>| {
        let input = ev.target();
        if let Some(file) = input.files().and_then(|f| f.get(0)) {
            browser::files::read_file_text(file, move |r| match r {
                Ok(t) => {
                    if text.try_set(t.clone()).is_none() {
                        import(&t);
                    }
                }
                Err(e) => say(Status::new(false, e.to_string(), Vec::new())),
            });
        }
        // The same file can be picked again.
        input.set_value("");
    };
    view! {
        <textarea
            data-testid="theta-text"
            aria-label="Theta as JSON or theta.harvest lines"
            rows="7"
            spellcheck="false"
            placeholder="theta.harvest.kill_threshold=0.5   or   {\"kill_threshold\": 0.5}"
            prop:value=move || text.get()
            on:input=move |ev| text.set(event_target_value(&ev))
        ></textarea>
        <div class="buttons">
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
            <button type="button" data-testid="theta-download" on:click=download>
                "Download"
            </button>
            <button type="button" data-testid="theta-import" on:click=move |_| import(&text.get_untracked())>
                "Import"
            </button>
            <label class="file">
                "Import a file… "
                <input
                    type="file"
                    accept=".json,.theta,.txt,.properties,application/json,text/plain"
                    data-testid="theta-file"
                    on:change:target=on_file
                />
            </label>
        </div>
        {own.then(|| view! { <StatusLine status=status /> })}
    }
}
