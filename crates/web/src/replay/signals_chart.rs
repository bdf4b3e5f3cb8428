//! Under the trade: the kill score's z as stacked weighted components against z* (the full
//! close threshold) and R_net against the T1/T2/T3 bands, bar by bar
//! ([`harvest_features::charts::draw_trade_signals`]).

use leptos::prelude::*;

use crate::charts::canvas::paint;
use crate::hooks::use_canvas_paint;
use crate::replay::context::ReplayCtx;
use crate::replay::trade_chart::PAD;
use harvest_features::charts::ChartTheme;
use harvest_features::charts::{draw_trade_signals, trade_chart, trade_signals};

/// K and R_net over the trade.
#[component]
pub fn SignalsChart() -> impl IntoView {
    let rc = ReplayCtx::get();
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    let painted = use_canvas_paint(canvas, move |el| {
        let dark = rc.ctx.dark.get();
        let theta = rc.ctx.state.with(|s| s.theta);
        let data = rc.trade.with(|t| match t {
            Some(Ok(t)) => rc.with_series(|s| {
                let c = trade_chart(s, t, PAD, None);
                trade_signals(t, &theta, &c)
            }),
            _ => None,
        })?;
        let theme = ChartTheme::for_dark(dark);
        Some(paint(el, |a| draw_trade_signals(a, &data, &theme)).map(|()| data.index.len()))
    });
    view! {
        <figure class="chart replay-signals">
            <canvas
                node_ref=canvas
                data-testid="replay-signals"
                role="img"
                aria-label="The kill score's z as stacked weighted components against the threshold z*, and R_net against the T1, T2 and T3 bands, bar by bar"
                data-paints=move || painted.with(|p| p.count())
                data-paint-error=move || painted.with(|p| p.error.clone())
                data-bars=move || painted.with(|p| p.last.map(|n| n.to_string()))
            ></canvas>
        </figure>
    }
}
