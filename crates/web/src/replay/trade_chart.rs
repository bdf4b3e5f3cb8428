//! The trade on a canvas: candlesticks, the fills marked with their reason codes, the stop's
//! path coloured by what moved it, P1's target ([`harvest_features::charts::trade_chart`]); repainted
//! when the trade changes (the scrubber's line moves over it, see `cursor_line`). Each paint stamps the canvas with `data-paints`,
//! `data-sim-ms` (the simulation) and `data-paint-ms` (data + drawing), which the tests read.

use leptos::prelude::*;

use crate::browser::now_ms;
use crate::charts::canvas::paint;
use crate::replay::context::ReplayCtx;
use harvest_features::charts::ChartTheme;
use harvest_features::charts::{draw_trade_chart, trade_chart};

/// Bars shown before the entry and after the exit.
pub const PAD: usize = 12;

/// The trade chart.
#[component]
pub fn TradeChartView() -> impl IntoView {
    let rc = ReplayCtx::get();
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    let size = RwSignal::new(0u32);
    let _ = window_event_listener(leptos::ev::resize, move |_| size.update(|n| *n += 1));
    let paints = StoredValue::new(0u64);
    let headline = RwSignal::new(String::new());
    let error = move || {
        rc.trade.with(|t| match t {
            Some(Err(e)) => Some(format!("This trade cannot be simulated: {e}.")),
            _ => None,
        })
    };
    Effect::new(move |_| {
        let dark = rc.ctx.dark.get();
        size.track();
        let shown = rc.nav.view.get() == harvest_features::nav::View::Replay;
        let Some(el) = canvas.get() else { return };
        if !shown {
            return;
        }
        let t0 = now_ms();
        let data = rc.trade.with(|t| match t {
            Some(Ok(t)) => rc
                .series
                .with_value(|s| s.as_ref().map(|s| trade_chart(s, t, PAD, None))),
            _ => None,
        });
        let Some(d) = data else { return };
        let theme = ChartTheme::for_dark(dark);
        match paint(&el, |a| draw_trade_chart(a, &d, &theme)) {
            Ok(()) => {
                let n = paints.get_value() + 1;
                paints.set_value(n);
                let ms = now_ms() - t0;
                for (k, v) in [
                    ("data-paints", n.to_string()),
                    ("data-paint-ms", harvest_features::format::fixed(ms, 2)),
                    (
                        "data-sim-ms",
                        harvest_features::format::fixed(rc.sim_ms.get_value(), 2),
                    ),
                    ("data-markers", d.markers.len().to_string()),
                    ("data-stop-levels", d.stop.len().to_string()),
                ] {
                    let _ = el.set_attribute(k, &v);
                }
                let _ = el.remove_attribute("data-paint-error");
            }
            Err(e) => {
                let _ = el.set_attribute("data-paint-error", e.message());
            }
        }
        headline.set(d.headline);
    });
    view! {
        <p class="notice" data-testid="replay-trade-error" role="alert" hidden=move || error().is_none()>
            {error}
        </p>
        <figure class="chart replay-chart">
            <canvas
                node_ref=canvas
                data-testid="replay-chart"
                role="img"
                aria-label=move || headline.get()
            ></canvas>
            <figcaption class="chart-explain" data-testid="replay-headline">{move || headline.get()}</figcaption>
        </figure>
    }
}
