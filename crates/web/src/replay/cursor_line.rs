//! The scrubber's bar as a line over the trade and signal charts: moved with CSS (`left`), so
//! scrubbing never repaints the canvases ([`harvest_features::charts::bar_x`] places it).

use leptos::prelude::*;

use crate::hooks::use_element_size;
use crate::replay::context::ReplayCtx;
use crate::replay::trade_chart::PAD;
use harvest_features::charts::{bar_x, Candle};

/// The line; `wrap` is the element both charts fill the width of.
#[component]
pub fn CursorLine(wrap: NodeRef<leptos::html::Div>) -> impl IntoView {
    let rc = ReplayCtx::get();
    let size = use_element_size(wrap);
    // The shown bars of the trade (as the charts lay them out) and its entry.
    let frame = Memo::new(move |_| {
        rc.trade.with(|t| match t {
            Some(Ok(t)) => rc.with_series(|s| {
                let from = t.entry_index.saturating_sub(PAD);
                let to = (t.exit_index + PAD).min(s.bars.len().saturating_sub(1));
                let c = |i: usize| Candle {
                    index: i,
                    time: 0,
                    open: 0.0,
                    high: 0.0,
                    low: 0.0,
                    close: 0.0,
                };
                ([c(from), c(to)], t.entry_index, t.bars)
            }),
            _ => None,
        })
    });
    let left = move || {
        let w = f64::from(size.get().0);
        let k = rc.cursor.get();
        frame.with(|f| {
            f.as_ref().map_or_else(String::new, |(ends, entry, bars)| {
                format!(
                    "{}px",
                    harvest_features::format::fixed(bar_x(ends, w, entry + k.min(*bars)), 1)
                )
            })
        })
    };
    view! {
        <div class="replay-cursor" data-testid="replay-cursor" aria-hidden="true" style:left=left hidden=move || frame.with(Option::is_none)></div>
    }
}
