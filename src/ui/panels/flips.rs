//! "What flips it": the kernel's flip points as sentences.

use leptos::prelude::*;

use crate::state::fmt_fixed;
use crate::ui::context::Ctx;

/// The nearest value of each explained input at which the action changes.
#[component]
pub fn Flips() -> impl IntoView {
    let ctx = Ctx::get();
    let items = move || {
        ctx.flips.with(|flips| {
            flips
                .iter()
                .map(|f| {
                    let rel = f
                        .relative_pct()
                        .map(|p| {
                            format!(
                                " ({}{} %)",
                                if p >= 0.0 { "+" } else { "" },
                                fmt_fixed(p, 1)
                            )
                        })
                        .unwrap_or_default();
                    let sentence = f.sentence();
                    let to = f.to.as_str();
                    view! {
                        <li data-axis=f.axis.key() data-to=to>
                            <span class="flip">{sentence}</span>
                            <span class="muted">{rel}</span>
                        </li>
                    }
                })
                .collect_view()
        })
    };
    view! {
        <section class="card flips" aria-labelledby="flips-h">
            <h2 id="flips-h">"What flips it"</h2>
            <p class="hint">"The nearest value of each input, all else equal, at which the proposal changes."</p>
            <ul data-testid="flips">{items}</ul>
            <Show when=move || ctx.flips.with(|f| f.is_empty())>
                <p class="muted">"No single input flips the action within its range."</p>
            </Show>
        </section>
    }
}
