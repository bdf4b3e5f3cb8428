//! A symbol's live chart above the Live table: its candles from Redis with its proposals on them
//! (`harvest serve`'s `/api/live/chart?symbol=SYM`), drawn by the Replay view's trade chart and
//! signals ([`harvest_features::charts::draw_live_chart`]) and repainted as bars and proposals
//! arrive. One stream while a symbol is shown; closing the chart or showing another symbol
//! closes it. The canvas carries `data-candles`, `data-proposals`, `data-markers` (action
//! markers), `data-last-bar` and `data-paints`, which the tests read.

use leptos::prelude::*;

use super::events::{connect_chart, Stream};
use crate::charts::canvas::paint;
use crate::context::Ctx;
use crate::hooks::{use_canvas_paint, use_element_size};
use harvest_features::charts::{draw_live_chart, live_chart, ChartTheme};
use harvest_features::format::fmt_time;
use harvest_features::live::chart::SymbolChart;
use harvest_kernel::Theta;

/// Bars shown on a canvas `width` CSS px wide: about 10 px a bar, 30 to 300.
fn bars_for(width: i32) -> usize {
    (width.max(0) as usize / 10).clamp(30, 300)
}

/// What a paint of the live chart stamps on it.
#[derive(Debug, Clone, PartialEq)]
struct Stamp {
    candles: usize,
    proposals: usize,
    markers: usize,
    last_bar: i64,
}

/// The chart of the symbol in `shown` (nothing while it is `None`), reviewed with `theta`;
/// `shown` is set to `None` by its close button.
#[component]
pub fn LiveChartView(shown: RwSignal<Option<String>>, theta: Signal<Theta>) -> impl IntoView {
    let ctx = Ctx::get();
    let chart = RwSignal::new(None::<SymbolChart>);
    let problem = RwSignal::new(None::<String>);
    let stream = StoredValue::new_local(None::<Stream>);
    let heading = NodeRef::<leptos::html::H3>::new();
    Effect::new(move |_| {
        let symbol = shown.get();
        // The previous symbol's stream is closed when its Stream is dropped.
        stream.set_value(None);
        problem.set(None);
        chart.set(symbol.as_deref().map(SymbolChart::new));
        let (Some(symbol), Some(base)) = (symbol, super::live_url()) else {
            return;
        };
        let url = format!(
            "{base}/chart?symbol={}",
            String::from(js_sys::encode_uri_component(&symbol))
        );
        let s = connect_chart(
            &url,
            move |ev| {
                chart.update(|c| {
                    if let Some(c) = c {
                        c.apply(ev);
                    }
                });
                problem.set(None);
            },
            move |msg| problem.set(Some(msg)),
        );
        stream.set_value(s);
        // Keyboard users land on the chart they opened (once it is shown).
        set_timeout(
            move || {
                if let Some(h) = heading.get_untracked() {
                    let _ = h.focus();
                }
            },
            std::time::Duration::ZERO,
        );
    });
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    // About 10 px a bar: the newest 140 bars on a wide screen, 36 on a phone.
    let width = use_element_size(canvas);
    let view = Memo::new(move |_| bars_for(width.get().0));
    let data = Memo::new(move |_| {
        let theta = theta.get();
        let view = view.get();
        chart.with(|c| c.as_ref().and_then(|c| live_chart(c, &theta, view)))
    });
    let painted = use_canvas_paint(canvas, move |el| {
        let dark = ctx.dark.get();
        data.with(|d| {
            d.as_ref().map(|d| {
                let theme = ChartTheme::for_dark(dark);
                paint(el, |a| draw_live_chart(a, d, &theme)).map(|()| Stamp {
                    candles: d.price.candles.len(),
                    proposals: d.placed,
                    markers: d.actions,
                    last_bar: d.last_bar,
                })
            })
        })
    });
    let stamp = move |f: fn(&Stamp) -> String| move || painted.with(|p| p.last.as_ref().map(f));
    let symbol = move || shown.get().unwrap_or_default();
    let headline = move || data.with(|d| d.as_ref().map(|d| d.price.headline.clone()));
    let empty = move || {
        chart.with(|c| match c {
            Some(c) if c.candles.is_empty() && c.updates > 0 => Some(match &c.key {
                Some(k) => format!("{k} holds no candle the chart can read yet."),
                None => format!(
                    "No candles for {} in Redis yet: the chart reads the keys P0.5 reads \
                     (harvest serve --candle-keys), e.g. candles:{}:1m as harvest feed writes them.",
                    c.symbol, c.symbol
                ),
            }),
            Some(c) if c.updates == 0 => Some(format!("Loading {}'s chart…", c.symbol)),
            _ => None,
        })
    };
    let source = move || {
        chart.with(|c| {
            c.as_ref().and_then(|c| {
                let key = c.key.as_ref()?;
                let last = c.candles.last()?;
                let n = c.proposals.len();
                Some(format!(
                    "{} bars from {key} (the newest {} shown), the newest opened {} UTC; {n} \
                     proposal{} from the harvest stream, each on the bar that was newest in \
                     Redis when it was computed.",
                    c.candles.len(),
                    view.get().min(c.candles.len()),
                    fmt_time(last.time),
                    if n == 1 { "" } else { "s" },
                ))
            })
        })
    };
    view! {
        <section
            class="live-chart"
            data-testid="live-chart"
            data-symbol=symbol
            hidden=move || shown.with(Option::is_none)
            aria-labelledby="live-chart-title"
        >
            <header class="live-chart-head">
                <h3 id="live-chart-title" tabindex="-1" node_ref=heading>
                    {move || format!("{} live chart", symbol())}
                </h3>
                <span class="muted" data-testid="live-chart-source">{source}</span>
                <button
                    type="button"
                    class="live-chart-close"
                    data-testid="live-chart-close"
                    aria-label="Close the chart"
                    on:click=move |_| shown.set(None)
                >
                    "Close"
                </button>
            </header>
            <p class="notice" data-testid="live-chart-problem" role="alert" hidden=move || problem.with(Option::is_none)>
                {move || problem.get()}
            </p>
            <p class="muted" data-testid="live-chart-empty" hidden=move || empty().is_none()>
                {empty}
            </p>
            <figure class="chart live-chart-figure" hidden=move || data.with(Option::is_none)>
                <canvas
                    node_ref=canvas
                    data-testid="live-chart-canvas"
                    role="img"
                    aria-label=headline
                    data-paints=move || painted.with(|p| p.count())
                    data-paint-error=move || painted.with(|p| p.error.clone())
                    data-candles=stamp(|s| s.candles.to_string())
                    data-proposals=stamp(|s| s.proposals.to_string())
                    data-markers=stamp(|s| s.markers.to_string())
                    data-last-bar=stamp(|s| s.last_bar.to_string())
                ></canvas>
                <figcaption class="chart-explain" data-testid="live-chart-headline">
                    {headline}
                    " Markers: the proposed action where it changes, with its reason codes, and each position's entry; the step line is the stop P2 proposes (break-even plus), kept while its position lasts. Below: K's weighted parts against the full-close threshold, and R_net against the T1/T2/T3 bands of the theta in force."
                </figcaption>
            </figure>
        </section>
    }
}
