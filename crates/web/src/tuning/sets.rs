//! Theta sets: save the current theta under a name (localStorage), load or delete a saved one
//! ([`harvest_features::tuning::theta_sets::ThetaSets`]); below, export and import
//! ([`ThetaIoBox`]) and the status line ([`StatusLine`]).

use leptos::prelude::*;

use crate::context::Ctx;
use crate::controls::{StatusLine, ThetaIoBox};
use crate::tuning::context::TuneCtx;
use harvest_features::tuning::theta_sets::MAX_NAME_CHARS;

/// The theta sets card.
#[component]
pub fn ThetaSetsCard() -> impl IntoView {
    let ctx = Ctx::get();
    let tc = TuneCtx::get();
    let name = RwSignal::new(String::new());
    let picked = RwSignal::new(String::new());

    let save = move || {
        let theta = ctx.state.with_untracked(|s| s.theta);
        let mut sets = tc.sets.get_untracked();
        match sets.save(&name.get_untracked(), theta) {
            Ok((n, replaced)) => {
                let stored = tc.store_sets(sets);
                let m = match (stored, replaced) {
                    (false, _) => format!(
                        "“{n}” is kept for this page only: this browser refused to store it."
                    ),
                    (true, true) => format!("Saved: “{n}” now holds the current theta."),
                    (true, false) => format!("Saved the current theta as “{n}”."),
                };
                tc.say(stored, m, Vec::new());
            }
            Err(e) => tc.say(false, e.to_string(), Vec::new()),
        }
    };
    let load = move |_| {
        let n = picked.get_untracked();
        match tc.sets.with_untracked(|s| s.get(&n)) {
            Some(t) => {
                ctx.state.update(|s| s.theta = t);
                tc.say(
                    true,
                    format!("Loaded “{n}” into the theta sliders."),
                    Vec::new(),
                );
            }
            None => tc.say(false, "Pick a saved theta set first.", Vec::new()),
        }
    };
    let delete = move |_| {
        let n = picked.get_untracked();
        let mut sets = tc.sets.get_untracked();
        if sets.delete(&n) {
            tc.store_sets(sets);
            picked.set(String::new());
            tc.say(true, format!("Deleted “{n}”."), Vec::new());
        } else {
            tc.say(false, "Pick a saved theta set first.", Vec::new());
        }
    };
    let names = move || {
        tc.sets.with(|s| {
            s.names()
                .into_iter()
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
    };
    view! {
        <section class="card tune-sets" aria-label="Theta sets">
            <h2>"Theta sets"</h2>
            <p class="hint">
                "Saved in this browser (localStorage). Load puts a set into the theta sliders (theta B when A is pinned)."
            </p>
            <div class="tune-row">
                <input
                    type="text"
                    data-testid="theta-set-name"
                    aria-label="Name of the theta set"
                    placeholder="Name, e.g. stricter kill"
                    maxlength=MAX_NAME_CHARS
                    prop:value=move || name.get()
                    on:input=move |ev| name.set(event_target_value(&ev))
                    on:keydown=move |ev| {
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
                    data-testid="theta-set-list"
                    aria-label="Saved theta sets"
                    size="4"
                    on:change=move |ev| {
                        let n = event_target_value(&ev);
                        name.set(n.clone());
                        picked.set(n);
                    }
                >
                    <Show when=move || tc.sets.with(|s| s.is_empty())>
                        <option value="" disabled>
                            "No saved sets yet"
                        </option>
                    </Show>
                    <For each=names key=|n: &String| n.clone() let(n)>
                        <option value=n.clone() prop:selected=move || picked.with(|p| *p == n)>
                            {n.clone()}
                        </option>
                    </For>
                </select>
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
            <ThetaIoBox name=name status=tc.status />
            <StatusLine status=tc.status />
        </section>
    }
}
