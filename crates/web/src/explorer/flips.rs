//! "What flips it": the kernel's flip points as sentences.

use leptos::prelude::*;

use crate::context::Ctx;
use crate::controls::Card;
use harvest_features::format::fixed_or_dash;
use harvest_features::format::flip_sentence;

/// The nearest value of each explained input at which the action changes.
#[component]
pub fn Flips() -> impl IntoView {
    let ctx = Ctx::get();
    let items = move || {
        ctx.flips.with(|flips| {
            let empty = flips.is_empty();
            let list = flips
                .iter()
                .map(|f| {
                    let rel = f
                        .relative_pct()
                        .map(|p| {
                            format!(
                                " ({}{} %)",
                                if p >= 0.0 { "+" } else { "" },
                                fixed_or_dash(p, 1)
                            )
                        })
                        .unwrap_or_default();
                    view! {
                        <li data-axis=f.axis.key() data-to=f.to.as_str()>
                            <span class="flip">{flip_sentence(f)}</span>
                            <span class="muted">{rel}</span>
                        </li>
                    }
                })
                .collect_view();
            view! {
                <ul data-testid="flips">{list}</ul>
                <p class="muted" hidden=!empty>
                    "No single input flips the action within its range."
                </p>
            }
        })
    };
    view! {
        <Card
            class="flips"
            id="flips-h"
            title="What flips it"
            hint="The nearest value of each input, all else equal, at which the proposal changes."
        >
            {items}
        </Card>
    }
}
