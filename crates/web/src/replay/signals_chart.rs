//! Under the trade: the kill score's z as stacked weighted components against z* (the full
//! close threshold) and R_net against the T1/T2/T3 bands, bar by bar
//! ([`harvest_features::charts::draw_trade_signals`]).

use leptos::prelude::*;

use crate::charts::canvas::paint;
use crate::replay::context::ReplayCtx;
use crate::replay::trade_chart::PAD;
use harvest_features::charts::ChartTheme;
use harvest_features::charts::{draw_trade_signals, trade_chart, trade_signals};

/// K and R_net over the trade.
#[component]
pub fn SignalsChart() -> impl IntoView {
    let rc = ReplayCtx::get();
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    let size = RwSignal::new(0u32);
    let _ = window_event_listener(leptos::ev::resize, move |_| size.update(|n| *n += 1));
    let paints = StoredValue::new(0u64);
    Effect::new(move |_| {
        let dark = rc.ctx.dark.get();
        size.track();
        let shown = rc.nav.view.get() == harvest_features::nav::View::Replay;
        let theta = rc.ctx.state.with(|s| s.theta);
        let Some(el) = canvas.get() else { return };
        if !shown {
            return;
        }
        let data = rc.trade.with(|t| match t {
            Some(Ok(t)) => rc.series.with_value(|s| {
                s.as_ref().map(|s| {
                    let c = trade_chart(s, t, PAD, None);
                    trade_signals(t, &theta, &c)
                })
            }),
            _ => None,
        });
        let Some(d) = data else { return };
        let theme = ChartTheme::for_dark(dark);
        match paint(&el, |a| draw_trade_signals(a, &d, &theme)) {
            Ok(()) => {
                let n = paints.get_value() + 1;
                paints.set_value(n);
                let _ = el.set_attribute("data-paints", &n.to_string());
                let _ = el.set_attribute("data-bars", &d.index.len().to_string());
            }
            Err(e) => {
                let _ = el.set_attribute("data-paint-error", e.message());
            }
        }
    });
    view! {
        <figure class="chart replay-signals">
            <canvas
                node_ref=canvas
                data-testid="replay-signals"
                role="img"
                aria-label="The kill score's z as stacked weighted components against the threshold z*, and R_net against the T1, T2 and T3 bands, bar by bar"
            ></canvas>
        </figure>
    }
}
