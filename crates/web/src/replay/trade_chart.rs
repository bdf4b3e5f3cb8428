//! The trade on a canvas: candlesticks, the fills marked with their reason codes, the stop's
//! path coloured by what moved it, P1's target ([`harvest_features::charts::trade_chart`]); repainted
//! when the trade changes (the scrubber's line moves over it, see `cursor_line`). Pointing at a
//! bar reads it out under the chart (time, OHLC, the stop, its fills); a click moves the
//! scrubber there. The canvas carries `data-paints`, `data-sim-ms` (the simulation) and
//! `data-paint-ms` (data + drawing), which the tests read.

use leptos::prelude::*;

use crate::charts::canvas::paint;
use crate::hooks::use_canvas_paint;
use crate::replay::context::ReplayCtx;
use harvest_features::charts::ChartTheme;
use harvest_features::charts::{bar_at, bar_readout, draw_trade_chart, trade_chart};
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
    // The chart's data (the scrubber's bar is a line over it, not part of it).
    let data = Memo::new(move |_| {
        rc.trade.with(|t| match t {
            Some(Ok(t)) => rc.with_series(|s| trade_chart(s, t, PAD, None)),
            _ => None,
        })
    });
    let painted = use_canvas_paint(canvas, move |el| {
        let dark = rc.ctx.dark.get();
        let theme = ChartTheme::for_dark(dark);
        data.with(|d| {
            d.as_ref().map(|data| {
                paint(el, |a| draw_trade_chart(a, data, &theme)).map(|()| Stamp {
                    markers: data.markers.len(),
                    stop_levels: data.stop.len(),
                    sim_ms: rc.sim_ms.get_value(),
                    headline: data.headline.clone(),
                })
            })
        })
    });
    let hover = RwSignal::new(None::<usize>);
    let bar_under = move |ev: &leptos::ev::MouseEvent| {
        let el = canvas.get_untracked()?;
        let w = f64::from(el.client_width());
        data.with_untracked(|d| {
            d.as_ref()
                .and_then(|d| bar_at(&d.candles, w, f64::from(ev.offset_x())))
        })
    };
    let on_move = move |ev: leptos::ev::MouseEvent| {
        let i = bar_under(&ev);
        if hover.get_untracked() != i {
            hover.set(i);
        }
    };
    // A click moves the scrubber to the bar (within the trade).
    let on_click = move |ev: leptos::ev::MouseEvent| {
        let Some(i) = bar_under(&ev) else { return };
        let k = rc.trade.with_untracked(|t| match t {
            Some(Ok(t)) => Some(i.saturating_sub(t.entry_index).min(t.bars)),
            _ => None,
        });
        if let Some(k) = k {
            rc.cursor.set(k);
        }
    };
    let readout = move || {
        let i = hover.get()?;
        data.with(|d| d.as_ref().and_then(|d| bar_readout(d, i)))
    };
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
                data-hover=move || hover.get().map(|i| i.to_string())
                on:mousemove=on_move
                on:mouseleave=move |_| hover.set(None)
                on:click=on_click
            ></canvas>
            <p class="replay-hover" data-testid="replay-hover" aria-live="polite">
                {move || readout().unwrap_or_else(|| "Point at a bar to read it; click to move the scrubber there.".to_string())}
            </p>
            <figcaption class="chart-explain" data-testid="replay-headline">{headline}</figcaption>
        </figure>
    }
}
