//! Theta export (copy, download) and import (paste or file): the kernel's JSON out, the shared
//! strict importer in. Mounted inside [`super::theta_io::ThetaIo`]'s `<details>` the first time it
//! opens (in split builds from its own wasm chunk, so the explorer's download carries none of it).

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::browser;
use crate::context::Ctx;
use harvest_features::theta::{join_errors, theta_to_json};

/// The export / import box's content.
#[component]
pub fn ThetaIoBody() -> impl IntoView {
    let ctx = Ctx::get();
    let draft = RwSignal::new(String::new());
    let (msg, set_msg) = signal(None::<(bool, String)>);
    let current = move || ctx.state.with_untracked(|s| theta_to_json(&s.theta));
    let import = move |text: String| {
        let (ok, m) = match browser::import_theta_json(&text) {
            Ok(theta) => {
                ctx.state.update(|s| s.theta = theta);
                let odd = theta.warnings().len();
                let m = if odd == 0 {
                    "Theta imported.".to_string()
                } else {
                    format!(
                        "Theta imported; {odd} value(s) make no sense but are computed: see the \
                         proposal's warnings."
                    )
                };
                (true, m)
            }
            Err(errs) => (
                false,
                format!("Import refused, theta unchanged: {}", join_errors(&errs)),
            ),
        };
        set_msg.set(Some((ok, m)));
    };
    let on_file = move |ev: leptos::ev::Event| {
        let input = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok());
        let file = input
            .as_ref()
            .and_then(|i| i.files())
            .and_then(|f| f.get(0));
        if let Some(file) = file {
            browser::read_file_text(file, move |r| match r {
                Ok(text) => {
                    draft.set(text.clone());
                    import(text);
                }
                Err(e) => set_msg.set(Some((false, e.to_string()))),
            });
        }
        if let Some(i) = input {
            i.set_value("");
        }
    };
    view! {
        <textarea
                data-testid="theta-json"
                aria-label="Theta as JSON"
                rows="8"
                spellcheck="false"
                placeholder="Paste a theta JSON object here, then Import"
                prop:value=move || draft.get()
                on:input=move |ev| draft.set(event_target_value(&ev))
            ></textarea>
            <div class="buttons">
                <button
                    type="button"
                    data-testid="theta-export"
                    on:click=move |_| {
                        let j = current();
                        browser::copy_text(&j);
                        draft.set(j);
                        set_msg.set(Some((true, "Current theta below (and copied).".to_string())));
                    }
                >
                    "Export"
                </button>
                <button
                    type="button"
                    data-testid="theta-download"
                    on:click=move |_| {
                        browser::download("theta.json", "application/json", &current());
                    }
                >
                    "Download"
                </button>
                <button
                    type="button"
                    data-testid="theta-import"
                    on:click=move |_| import(draft.get_untracked())
                >
                    "Import"
                </button>
                <label class="file">
                    "Import a file… "
                    <input
                        type="file"
                        accept=".json,application/json"
                        data-testid="theta-file"
                        on:change=on_file
                    />
                </label>
            </div>
            {move || {
                msg.get()
                    .map(|(ok, m)| {
                        view! {
                            <p class=if ok { "ok" } else { "err" } role="status" data-testid="theta-io-msg">
                                {m}
                            </p>
                        }
                    })
            }}
    }
}
