//! Theta sets: save the current theta under a name (localStorage), load or delete a saved one,
//! export as JSON or `theta.harvest.<key>=<value>` lines and import either strictly
//! ([`crate::tuning::import_theta`]): a refused import lists every problem and leaves the
//! current theta as it was.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::tuning::{export_theta, import_theta, ThetaFormat};
use crate::tuning_view::{esc, export_file_name, li_html, options_html};
use crate::ui::browser;
use crate::ui::context::Ctx;
use crate::ui::tuning::context::TuneCtx;

/// The status line and the import's problems, as HTML.
fn status_html(ok: bool, msg: &str, problems: &[String]) -> String {
    let mut h = format!(
        "<p class=\"{}\" role=\"status\" data-testid=\"theta-set-msg\">{}</p>",
        if ok { "ok" } else { "err" },
        esc(msg)
    );
    if !problems.is_empty() {
        h.push_str(&format!(
            "<ul class=\"err\" data-testid=\"theta-import-errors\">{}</ul>",
            li_html(problems)
        ));
    }
    h
}

/// The theta-sets card.
#[component]
pub fn ThetaSetsCard() -> impl IntoView {
    let ctx = Ctx::get();
    let tc = TuneCtx::get();
    let name = NodeRef::<leptos::html::Input>::new();
    let list = NodeRef::<leptos::html::Select>::new();
    let text = NodeRef::<leptos::html::Textarea>::new();
    let format = StoredValue::new(ThetaFormat::Json);
    // What the saved sets' loading reported, until something else is said.
    let status = RwSignal::new(
        tc.set_problems
            .with_untracked(|p| (!p.is_empty()).then(|| status_html(false, "", p)))
            .unwrap_or_default(),
    );
    let say = move |ok: bool, m: &str| status.set(status_html(ok, m, &[]));
    let theta = move || ctx.state.with_untracked(|s| s.theta);
    let picked = move || list.get_untracked().map(|l| l.value()).unwrap_or_default();
    let get_text = move || text.get_untracked().map(|t| t.value()).unwrap_or_default();
    let set_text = move |t: &str| {
        if let Some(el) = text.get_untracked() {
            el.set_value(t);
        }
    };

    let save = move || {
        let typed = name.get_untracked().map(|n| n.value()).unwrap_or_default();
        let mut sets = tc.sets.get_untracked();
        match sets.save(&typed, theta()) {
            Ok((n, replaced)) => {
                let stored = tc.store_sets(sets);
                let m = match (stored, replaced) {
                    (false, _) => format!(
                        "“{n}” is kept for this page only: this browser refused to store it."
                    ),
                    (true, true) => format!("Saved: “{n}” now holds the current theta."),
                    (true, false) => format!("Saved the current theta as “{n}”."),
                };
                say(stored, &m);
            }
            Err(e) => say(false, &e),
        }
    };
    let load = move |_| {
        let n = picked();
        match tc.sets.with_untracked(|s| s.get(&n)) {
            Some(t) => {
                ctx.state.update(|s| s.theta = t);
                if let Some(el) = name.get_untracked() {
                    el.set_value(&n);
                }
                say(true, &format!("Loaded “{n}” into the theta sliders."));
            }
            None => say(false, "Pick a saved theta set first."),
        }
    };
    let delete = move |_| {
        let n = picked();
        let mut sets = tc.sets.get_untracked();
        if sets.delete(&n) {
            tc.store_sets(sets);
            say(true, &format!("Deleted “{n}”."));
        } else {
            say(false, "Pick a saved theta set first.");
        }
    };
    let export = move |f: ThetaFormat| {
        move |_| {
            set_text(&export_theta(&theta(), f));
            format.set_value(f);
            say(
                true,
                "The current theta is above: copy it, or download it as a file.",
            );
        }
    };
    let download = move |_| {
        let f = format.get_value();
        let (ext, mime) = match f {
            ThetaFormat::Json => ("json", "application/json"),
            ThetaFormat::Lines => ("theta", "text/plain"),
        };
        let t = get_text();
        let t = if t.trim().is_empty() {
            export_theta(&theta(), f)
        } else {
            t
        };
        let n = name.get_untracked().map(|n| n.value()).unwrap_or_default();
        browser::download(&export_file_name(&n, ext), mime, &t);
    };
    let import = move |t: &str| match import_theta(t) {
        Ok(new) => {
            let changed = theta().diff(&new).len();
            ctx.state.update(|s| s.theta = new);
            say(
                true,
                &format!(
                    "Imported: {changed} tunable{} changed; tunables not in the text took their defaults.",
                    if changed == 1 { "" } else { "s" }
                ),
            );
        }
        Err(errs) => {
            let n = errs.len();
            let msgs: Vec<String> = errs.iter().map(ToString::to_string).collect();
            status.set(status_html(
                false,
                &format!(
                    "Import refused ({n} problem{}); the current theta is unchanged:",
                    if n == 1 { "" } else { "s" }
                ),
                &msgs,
            ));
        }
    };
    let on_file = move |ev: leptos::ev::Event| {
        let input = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok());
        if let Some(file) = input
            .as_ref()
            .and_then(|i| i.files())
            .and_then(|f| f.get(0))
        {
            browser::read_file_text(file, move |r| match r {
                Ok(t) => {
                    set_text(&t);
                    import(&t);
                }
                Err(e) => say(false, &e),
            });
        }
        if let Some(i) = input {
            i.set_value("");
        }
    };
    let options = move || tc.sets.with(|s| options_html(&s.names()));
    view! {
        <section class="card tune-sets" aria-label="Theta sets">
            <h2>"Theta sets"</h2>
            <p class="hint">
                "Saved in this browser (localStorage). Load puts a set into the theta sliders (theta B when A is pinned)."
            </p>
            <div class="tune-row">
                <input
                    node_ref=name
                    type="text"
                    data-testid="theta-set-name"
                    aria-label="Name of the theta set"
                    placeholder="Name, e.g. stricter kill"
                    maxlength="60"
                    on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                        if ev.key() == "Enter" {
                            save();
                        }
                    }
                />
                <button type="button" data-testid="theta-set-save" on:click=move |_| save()>
                    "Save current theta"
                </button>
            </div>
            <div class="tune-row">
                <select
                    node_ref=list
                    data-testid="theta-set-list"
                    aria-label="Saved theta sets"
                    size="4"
                    inner_html=options
                    on:dblclick=load
                ></select>
                <div class="tune-col">
                    <button type="button" data-testid="theta-set-load" on:click=load>
                        "Load"
                    </button>
                    <button type="button" data-testid="theta-set-delete" on:click=delete>
                        "Delete"
                    </button>
                </div>
            </div>
            <h2>"Export / import"</h2>
            <textarea
                node_ref=text
                data-testid="theta-text"
                aria-label="Theta as JSON or theta.harvest lines"
                rows="7"
                spellcheck="false"
                placeholder="theta.harvest.kill_threshold=0.5   or   {\"kill_threshold\": 0.5}"
            ></textarea>
            <div class="tune-row">
                <button type="button" data-testid="theta-export-json" on:click=export(ThetaFormat::Json)>
                    "Export JSON"
                </button>
                <button type="button" data-testid="theta-export-lines" on:click=export(ThetaFormat::Lines)>
                    "Export lines"
                </button>
                <button type="button" data-testid="theta-set-download" on:click=download>
                    "Download"
                </button>
                <button type="button" data-testid="theta-import" on:click=move |_| import(&get_text())>
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
            <div inner_html=move || status.get()></div>
        </section>
    }
}
