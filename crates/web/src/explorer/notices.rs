//! Notices: what could not be read (a link, the saved state), each dismissable.

use leptos::prelude::*;

use crate::context::Ctx;

/// The notice bar (empty most of the time).
#[component]
pub fn Notices() -> impl IntoView {
    let ctx = Ctx::get();
    move || {
        ctx.notices
            .get()
            .into_iter()
            .enumerate()
            .map(|(i, n)| {
                view! {
                    <div class="notice" role="status" data-testid="notice">
                        <span>{n}</span>
                        <button
                            type="button"
                            aria-label="Dismiss"
                            on:click=move |_| {
                                ctx.notices.update(|v| {
                                    if i < v.len() {
                                        v.remove(i);
                                    }
                                })
                            }
                        >
                            "×"
                        </button>
                    </div>
                }
            })
            .collect_view()
    }
}
