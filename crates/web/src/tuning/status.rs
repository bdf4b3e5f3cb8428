//! The theta sets' status line: what the last action said (`theta-set-msg`) and every problem
//! of a refused import or of saved sets that could not be read (`theta-import-errors`).

use leptos::prelude::*;

use crate::tuning::context::TuneCtx;

/// The status line.
#[component]
pub fn SetsStatus() -> impl IntoView {
    let tc = TuneCtx::get();
    let msg = move || {
        tc.status.with(|s| {
            s.as_ref()
                .filter(|s| !s.msg.is_empty())
                .map(|s| (s.ok, s.msg.clone()))
        })
    };
    // (position, problem): two problems may read the same.
    let problems = move || {
        tc.status.with(|s| {
            s.as_ref()
                .map(|s| s.problems.iter().cloned().enumerate().collect::<Vec<_>>())
                .unwrap_or_default()
        })
    };
    view! {
        <div data-testid="theta-status">
            {move || {
                msg()
                    .map(|(ok, m)| {
                        view! {
                            <p class=if ok { "ok" } else { "err" } role="status" data-testid="theta-set-msg">
                                {m}
                            </p>
                        }
                    })
            }}
            <Show when=move || tc.status.with(|s| s.as_ref().is_some_and(|s| !s.problems.is_empty()))>
                <ul class="err" data-testid="theta-import-errors">
                    <For each=problems key=|p| p.clone() let((_, p))>
                        <li>{p}</li>
                    </For>
                </ul>
            </Show>
        </div>
    }
}
