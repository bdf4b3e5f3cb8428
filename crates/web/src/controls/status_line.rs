//! A status line: what the last action said, and every problem of a refused one (a theta
//! import, saved theta sets that could not be read), one line each.

use leptos::prelude::*;

/// What an action said.
#[derive(Debug, Clone, PartialEq)]
pub struct Status {
    /// Whether it went well.
    pub ok: bool,
    /// The sentence (empty: only the problems show).
    pub msg: String,
    /// Every problem, one line each.
    pub problems: Vec<String>,
}

impl Status {
    /// A status with `msg` and `problems`.
    pub fn new(ok: bool, msg: impl Into<String>, problems: Vec<String>) -> Status {
        Status {
            ok,
            msg: msg.into(),
            problems,
        }
    }
}

/// The line (`theta-msg`) and the problems (`theta-import-errors`) of `status`.
#[component]
pub fn StatusLine(
    /// What to show (nothing while `None`).
    #[prop(into)]
    status: Signal<Option<Status>>,
) -> impl IntoView {
    let msg = move || {
        status.with(|s| {
            s.as_ref()
                .filter(|s| !s.msg.is_empty())
                .map(|s| (s.ok, s.msg.clone()))
        })
    };
    // (position, problem): two problems may read the same.
    let problems = move || {
        status.with(|s| {
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
                            <p class=if ok { "ok" } else { "err" } role="status" data-testid="theta-msg">
                                {m}
                            </p>
                        }
                    })
            }}
            <Show when=move || status.with(|s| s.as_ref().is_some_and(|s| !s.problems.is_empty()))>
                <ul class="err" data-testid="theta-import-errors">
                    <For each=problems key=|p| p.clone() let((_, p))>
                        <li>{p}</li>
                    </For>
                </ul>
            </Show>
        </div>
    }
}
