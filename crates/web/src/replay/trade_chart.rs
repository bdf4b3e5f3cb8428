//! The trade on a canvas: candlesticks, the fills marked with their reason codes, the stop's
//! path coloured by what moved it, P1's target ([`harvest_features::charts::trade_chart`]); repainted
//! when the trade changes (the scrubber's line moves over it, see `cursor_line`). The canvas
//! carries `data-paints`, `data-sim-ms` (the simulation) and `data-paint-ms` (data + drawing),
//! which the tests read.

use leptos::prelude::*;

use crate::charts::canvas::paint;
use crate::hooks::use_canvas_paint;
use crate::replay::context::ReplayCtx;
use harvest_features::charts::ChartTheme;
use harvest_features::charts::{draw_trade_chart, trade_chart};
use harvest_features::format::fixed;

/// Bars shown before the entry and after the exit.
pub const PAD: usize = 12;

/// What a paint of the trade chart stamps on it.
#[derive(Debug, Clone, PartialEq)]
struct Stamp {
    /// Fills marked (`data-markers`).
    markers: usize,
    /// Stop levels drawn (`data-stop-levels`).
    stop_levels: usize,
    /// The simulation's time, ms (`data-sim-ms`).
    sim_ms: f64,
    /// What the chart shows, in words.
    headline: String,
}

/// The trade chart.
#[component]
pub fn TradeChartView() -> impl IntoView {
    let rc = ReplayCtx::get();
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    let error = move || {
        rc.trade.with(|t| match t {
            Some(Err(e)) => Some(format!("This trade cannot be simulated: {e}.")),
            _ => None,
        })
    };
    let painted = use_canvas_paint(canvas, move |el| {
        let dark = rc.ctx.dark.get();
        let data = rc.trade.with(|t| match t {
            Some(Ok(t)) => rc
                .series
                .with_value(|s| s.as_ref().map(|s| trade_chart(s, t, PAD, None))),
            _ => None,
        })?;
        let theme = ChartTheme::for_dark(dark);
        Some(
            paint(el, |a| draw_trade_chart(a, &data, &theme)).map(|()| Stamp {
                markers: data.markers.len(),
                stop_levels: data.stop.len(),
                sim_ms: rc.sim_ms.get_value(),
                headline: data.headline,
            }),
        )
    });
    let stamp = move |f: fn(&Stamp) -> String| move || painted.with(|p| p.last.as_ref().map(f));
    let headline = move || painted.with(|p| p.last.as_ref().map(|s| s.headline.clone()));
    view! {
        <p class="notice" data-testid="replay-trade-error" role="alert" hidden=move || error().is_none()>
            {error}
        </p>
        <figure class="chart replay-chart">
            <canvas
                node_ref=canvas
                data-testid="replay-chart"
                role="img"
                aria-label=headline
                data-paints=move || painted.with(|p| p.count())
                data-paint-error=move || painted.with(|p| p.error.clone())
                data-paint-ms=move || painted.with(|p| (p.paints > 0).then(|| fixed(p.ms, 2)))
                data-sim-ms=stamp(|s| fixed(s.sim_ms, 2))
                data-markers=stamp(|s| s.markers.to_string())
                data-stop-levels=stamp(|s| s.stop_levels.to_string())
            ></canvas>
            <figcaption class="chart-explain" data-testid="replay-headline">{headline}</figcaption>
        </figure>
    }
}
