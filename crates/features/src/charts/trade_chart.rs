//! The Replay view's trade chart: candlesticks of one simulated trade with the entry, each
//! partial exit and the final close marked with their reason codes, the stop's path as a step
//! line coloured by what moved it, P1's target and the scrubber's bar ([`trade_chart`],
//! [`draw_trade_chart`]). The signals under it share its x axis ([`super::trade_signals`],
//! [`bar_x`]).

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::plot::{
    begin, dashed, fill, font, headline_wrapped, line, polygon, rect, small_style, stroke, text,
    text_width, Area, Axes, DrawResult, Plot, Px, TickText,
};
use super::theme::{ChartTheme, Rgb};
use crate::format::{fixed, fmt_price, fmt_time};
use crate::replay::{ExitReason, FillKind, Series, StopMover, Trade};
use harvest_kernel::{HarvestAction, Side};

/// One bar.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Candle {
    /// Bar index in the series.
    pub index: usize,
    /// Time, epoch s.
    pub time: i64,
    /// Open.
    pub open: f64,
    /// High.
    pub high: f64,
    /// Low.
    pub low: f64,
    /// Close.
    pub close: f64,
}

/// The stop in force over bars `from..=to` at `level`, set by `mover` (`None`: the initial stop).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StopSpan {
    /// First bar.
    pub from: usize,
    /// Last bar.
    pub to: usize,
    /// The stop.
    pub level: f64,
    /// What set it.
    pub mover: StopMover,
}

/// A fill marked on the chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Marker {
    /// Bar.
    pub index: usize,
    /// Price.
    pub price: f64,
    /// What it was.
    pub kind: FillKind,
    /// Short label (`entry LONG`, `→ 50 % closed (+25 %)`, `FULL CLOSE`, `stop`).
    pub label: String,
    /// The reason codes behind it, comma-separated (empty for entry and stop).
    pub codes: String,
}

/// Everything the trade chart shows.
#[derive(Debug, Clone, PartialEq)]
pub struct TradeChart {
    /// LONG or SHORT.
    pub side: Side,
    /// The bars shown (a few before entry and after exit).
    pub candles: Vec<Candle>,
    /// The stop's path.
    pub stop: Vec<StopSpan>,
    /// P1's target at each evaluated bar.
    pub target: Vec<(usize, f64)>,
    /// The fills.
    pub markers: Vec<Marker>,
    /// Entry price.
    pub entry_price: f64,
    /// The bar under the scrubber.
    pub cursor: Option<usize>,
    /// Price range shown.
    pub y_range: (f64, f64),
    /// One line saying what the chart shows.
    pub headline: String,
}

/// The label of a fill: a partial exit says the share of the position closed after it and what
/// it added (`qty` and `closed` are shares of the original position).
///
/// ```
/// use harvest_features::charts::fill_label;
/// use harvest_features::replay::FillKind;
/// assert_eq!(fill_label(FillKind::Partial, 0.25, 0.5, ""), "→ 50 % closed (+25 %)");
/// assert_eq!(fill_label(FillKind::Stop, 0.5, 1.0, ""), "stop");
/// ```
pub fn fill_label(kind: FillKind, qty: f64, closed: f64, reason_end: &str) -> String {
    match kind {
        FillKind::Entry => "entry".to_string(),
        FillKind::Partial => format!(
            "→ {} % closed (+{} %)",
            fixed(closed * 100.0, 0),
            fixed(qty * 100.0, 0)
        ),
        FillKind::FullClose => "FULL CLOSE".to_string(),
        FillKind::Stop => "stop".to_string(),
        FillKind::StopGap => "stop (gap)".to_string(),
        FillKind::Horizon => reason_end.to_string(),
    }
}

/// The chart of `trade` on `series`, `pad` bars either side, the scrubber at `cursor`.
///
/// ```
/// use harvest_features::charts::trade_chart;
/// use harvest_features::replay::{simulate, Series, SimParams};
/// use harvest_kernel::{Side, Theta};
/// use harvest_market::{Bar, P0Params};
/// let bars: Vec<Bar> = (0..300)
///     .map(|i| {
///         let c = 100.0 + (i % 9) as f64 * 0.3;
///         Bar { time: 3600 * i, open: c, high: c + 0.5, low: c - 0.5, close: c, volume: None }
///     })
///     .collect();
/// let s = Series::with_states(bars, P0Params::default());
/// let t = simulate(&s, 260, Side::Long, &Theta::default(), &SimParams::default(), true).unwrap();
/// let c = trade_chart(&s, &t, 5, None);
/// assert_eq!(c.markers[0].label, "entry LONG");
/// assert_eq!(c.stop[0].level, t.initial_sl);
/// ```
pub fn trade_chart(
    series: &Series,
    trade: &Trade,
    pad: usize,
    cursor: Option<usize>,
) -> TradeChart {
    let n = series.bars.len();
    let from = trade.entry_index.saturating_sub(pad);
    let to = (trade.exit_index + pad).min(n.saturating_sub(1));
    let candles: Vec<Candle> = (from..=to)
        .filter_map(|i| {
            series.bars.get(i).map(|b| Candle {
                index: i,
                time: b.time,
                open: b.open,
                high: b.high,
                low: b.low,
                close: b.close,
            })
        })
        .collect();
    // The stop in force at each bar after entry, grouped into spans of one level.
    let mut stop: Vec<StopSpan> = Vec::new();
    let mut set_by = StopMover::None;
    for (k, st) in trade.steps.iter().enumerate() {
        if k == 0 {
            continue;
        }
        match stop.last_mut() {
            Some(s) if s.level == st.sl => s.to = st.index,
            _ => stop.push(StopSpan {
                from: st.index,
                to: st.index,
                level: st.sl,
                mover: set_by,
            }),
        }
        if st.mover != StopMover::None {
            set_by = st.mover;
        }
    }
    if stop.is_empty() {
        stop.push(StopSpan {
            from: trade.entry_index,
            to: trade.entry_index,
            level: trade.initial_sl,
            mover: StopMover::None,
        });
    }
    let target: Vec<(usize, f64)> = std::iter::once((trade.entry_index, trade.initial_tp))
        .chain(
            trade
                .steps
                .iter()
                .filter_map(|s| s.eval.as_ref().map(|e| (s.index, e.p1_tp))),
        )
        .collect();
    let end = if trade.exit_reason == ExitReason::MaxBars {
        "max bars"
    } else {
        "end of data"
    };
    let markers: Vec<Marker> = trade
        .fills
        .iter()
        .map(|f| Marker {
            index: f.index,
            price: f.price,
            kind: f.kind,
            label: if f.kind == FillKind::Entry {
                format!("entry {}", trade.side.as_str())
            } else {
                fill_label(f.kind, f.qty, f.closed, end)
            },
            codes: f
                .codes
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        })
        .collect();
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for c in &candles {
        lo = lo.min(c.low);
        hi = hi.max(c.high);
    }
    for s in &stop {
        lo = lo.min(s.level);
        hi = hi.max(s.level);
    }
    for &(_, t) in &target {
        if t.is_finite() {
            lo = lo.min(t);
            hi = hi.max(t);
        }
    }
    let m = (hi - lo).max(hi.abs() * 1e-4) * 0.06;
    let partials = markers
        .iter()
        .filter(|m| m.kind == FillKind::Partial)
        .count();
    let headline = format!(
        "{} at {} ({}), stop {}; {} after {} bars: {} R ({} partial{}); hold {} R, P1 trail {} R",
        trade.side.as_str(),
        fmt_price(trade.entry_price),
        fmt_time(trade.entry_time),
        fmt_price(trade.initial_sl),
        trade.exit_reason.as_str(),
        trade.bars,
        fixed(trade.r, 2),
        partials,
        if partials == 1 { "" } else { "s" },
        fixed(trade.hold.r, 2),
        fixed(trade.trail.r, 2),
    );
    TradeChart {
        side: trade.side,
        candles,
        stop,
        target,
        markers,
        entry_price: trade.entry_price,
        cursor,
        y_range: (lo - m, hi + m),
        headline,
    }
}

/// The colour of a stop set by `mover`.
pub fn mover_color(theme: &ChartTheme, mover: StopMover) -> Rgb {
    match mover {
        StopMover::None => theme.stop,
        StopMover::P1Trail => theme.accent,
        StopMover::P2BePlus => theme.lock,
    }
}

/// The legend's words for a stop set by `mover`.
pub fn mover_label(mover: StopMover) -> &'static str {
    match mover {
        StopMover::None => "initial stop (P1)",
        StopMover::P1Trail => "moved by P1 trail",
        StopMover::P2BePlus => "moved by P2 break-even+",
    }
}

/// Width of the y-axis labels left of the trade chart and its signals, px.
const LEFT: i32 = 64;
/// Margin right of them, px.
const RIGHT: i32 = 12;

/// The x range of a trade's charts: its bars, half a bar (and a little) either side.
pub(crate) fn x_range(candles: &[Candle]) -> (f64, f64) {
    match (candles.first(), candles.last()) {
        (Some(a), Some(b)) => (a.index as f64 - 0.6, b.index as f64 + 0.6),
        _ => (0.0, 1.0),
    }
}

/// The plot of a panel of the trade's charts in an area `size` px large, `top` and `bottom` px
/// from its edges: every panel has the same x axis, so a scrubber's line fits them all.
pub(crate) fn trade_plot(size: Px, top: i32, bottom: i32, x: (f64, f64), y: (f64, f64)) -> Plot {
    Plot::new(size, [top, RIGHT, bottom, 0], (0, LEFT), x, y)
}

/// Where bar `index` is drawn, in px from the left of a chart `width` px wide drawn by
/// [`draw_trade_chart`] or [`draw_trade_signals`](super::draw_trade_signals) (both share the x
/// axis): a scrubber's line can move over the canvases without repainting them.
///
/// ```
/// use harvest_features::charts::{bar_x, Candle};
/// let c = |i| Candle { index: i, time: 0, open: 1.0, high: 1.0, low: 1.0, close: 1.0 };
/// let candles = [c(10), c(11), c(12)];
/// let (a, b) = (bar_x(&candles, 400.0, 10), bar_x(&candles, 400.0, 12));
/// assert!(a > 64.0 && b < 388.0 && (a + b) / 2.0 - bar_x(&candles, 400.0, 11) < 1e-9);
/// ```
pub fn bar_x(candles: &[Candle], width: f64, index: usize) -> f64 {
    let w = width.round().clamp(0.0, f64::from(i32::MAX)) as i32;
    trade_plot((w, 100), 0, 0, x_range(candles), (0.0, 1.0)).x_at(index as f64)
}

/// The bar drawn nearest to pixel `px` (from the left) of a chart `width` px wide drawn by
/// [`draw_trade_chart`] or [`draw_trade_signals`](super::draw_trade_signals): the inverse of
/// [`bar_x`], for hover readouts and click-to-scrub. `None` left of the plot or right of it.
///
/// ```
/// use harvest_features::charts::{bar_at, bar_x, Candle};
/// let c = |i| Candle { index: i, time: 0, open: 1.0, high: 1.0, low: 1.0, close: 1.0 };
/// let candles = [c(10), c(11), c(12)];
/// assert_eq!(bar_at(&candles, 400.0, bar_x(&candles, 400.0, 11) + 3.0), Some(11));
/// assert_eq!(bar_at(&candles, 400.0, 2.0), None);
/// ```
pub fn bar_at(candles: &[Candle], width: f64, px: f64) -> Option<usize> {
    let (first, last) = (candles.first()?, candles.last()?);
    let w = width.round().clamp(0.0, f64::from(i32::MAX)) as i32;
    let f = trade_plot((w, 100), 0, 0, x_range(candles), (0.0, 1.0));
    let span = f64::from(f.r - 1 - f.l);
    if !(px.is_finite() && span > 0.0) || px < f64::from(f.l) || px > f64::from(f.r) {
        return None;
    }
    let x = f.x.0 + (px - f64::from(f.l)) / span * (f.x.1 - f.x.0);
    let i = x.round().clamp(first.index as f64, last.index as f64);
    Some(i as usize)
}

/// What bar `index` of the chart shows, in words: its time, open, high, low and close, the stop
/// in force and the fills on it (`2017-07-22 05:00 · O 2714.9 H 2730 L 2701 C 2722 · stop
/// 2672.48 · → 25 % closed (+25 %)`); `None` for a bar not shown.
pub fn bar_readout(d: &TradeChart, index: usize) -> Option<String> {
    let c = d.candles.iter().find(|c| c.index == index)?;
    let mut out = format!(
        "{} · O {} H {} L {} C {}",
        fmt_time(c.time),
        fmt_price(c.open),
        fmt_price(c.high),
        fmt_price(c.low),
        fmt_price(c.close)
    );
    if let Some(s) = d.stop.iter().find(|s| s.from <= index && index <= s.to) {
        out.push_str(&format!(" · stop {}", fmt_price(s.level)));
    }
    for m in d.markers.iter().filter(|m| m.index == index) {
        out.push_str(" · ");
        out.push_str(&m.label);
        if !m.codes.is_empty() {
            out.push_str(&format!(" ({})", m.codes));
        }
    }
    Some(out)
}

/// Draws the trade chart: a headline, the candles (up hollow-green, down red), the entry line,
/// P1's target (dashed), the stop's step line in the colour of what set each level, the fills
/// as markers with their labels and codes, the scrubber's bar, time labels and a legend.
///
/// # Errors
/// The backend's drawing errors.
pub fn draw_trade_chart<DB: DrawingBackend>(
    area: &Area<DB>,
    d: &TradeChart,
    theme: &ChartTheme,
) -> DrawResult<(), DB> {
    let size = begin(area, theme)?;
    // The headline and the legend wrap on a narrow canvas (a phone): the plot starts below them
    // (the x axis, which the scrubber's line and the signals share, does not move).
    let below = headline_wrapped(area, &d.headline, theme, theme.foreground)?;
    let top = legend(area, d, theme, below + 14, size.0)? + 12;
    let f = trade_plot(size, top, 22, x_range(&d.candles), d.y_range);
    f.axes(
        area,
        theme,
        &Axes {
            y_ticks: 6,
            y_grid: true,
            y_text: TickText::Compact,
            ..Axes::default()
        },
    )?;
    line(area, (f.l, f.b), (f.r - 1, f.b), stroke(theme.muted, 1))?;
    // Time labels: about one per 110 px.
    let small = small_style(theme, theme.muted, HPos::Center, VPos::Top);
    let every = ((110.0 / f.x_scale()).ceil() as usize).max(1);
    for c in d.candles.iter().filter(|c| c.index % every == 0) {
        let x = f.px(c.index as f64);
        line(area, (x, f.b), (x, f.b + 3), stroke(theme.muted, 1))?;
        text(area, &fmt_time(c.time), (x, f.b + 5), &small)?;
    }
    f.level(area, d.entry_price, stroke(theme.entry, 1))?;
    // Candles.
    let body = ((f.x_scale() * 0.35).round() as i32).max(1);
    for c in &d.candles {
        let x = f.px(c.index as f64);
        let col = if c.close >= c.open {
            theme.proposed
        } else {
            theme.danger
        };
        line(area, (x, f.py(c.high)), (x, f.py(c.low)), stroke(col, 1))?;
        let (a, b) = ((x - body, f.py(c.open)), (x + body, f.py(c.close)));
        if c.close >= c.open {
            rect(area, a, b, fill(theme.background))?;
            rect(area, a, b, stroke(col, 1))?;
        } else {
            rect(area, a, b, fill(col))?;
        }
    }
    // P1's target: a step line.
    let target = stroke(theme.proposed, 1);
    for pair in d.target.windows(2) {
        let ((i0, t0), (i1, t1)) = (pair[0], pair[1]);
        if t0.is_finite() && t1.is_finite() {
            let (x0, x1) = (i0 as f64, i1 as f64);
            f.dashed(area, (x0, t0), (x1, t0), target)?;
            f.dashed(area, (x1, t0), (x1, t1), target)?;
        }
    }
    // The stop's path: each level over its bars (half a bar either side), joined by risers
    // where one level follows another on the next bar (not across bars without a stop).
    let mut prev: Option<(Px, usize)> = None;
    for s in &d.stop {
        let col = stroke(mover_color(theme, s.mover), 2);
        let y = f.py(s.level);
        let (x0, x1) = (f.px(s.from as f64 - 0.5), f.px(s.to as f64 + 0.5));
        if let Some((p, to)) = prev {
            if s.from <= to + 1 {
                line(area, p, (x0, y), col)?;
            }
        }
        line(area, (x0, y), (x1, y), col)?;
        prev = Some(((x1, y), s.to));
    }
    if let Some(i) = d.cursor {
        f.cursor(area, i as f64, stroke(theme.foreground, 1))?;
    }
    // Markers, then their labels (laid out by [`place_labels`]: off the candles, none on another).
    for m in &d.markers {
        let (x, y) = f.at((m.index as f64, m.price));
        let col = match m.kind {
            FillKind::Entry => theme.foreground,
            FillKind::Partial => theme.action_color(HarvestAction::Partial50),
            FillKind::FullClose => theme.danger,
            FillKind::Stop | FillKind::StopGap => theme.stop,
            FillKind::Horizon => theme.muted,
        };
        match m.kind {
            FillKind::Entry => {
                let s = if d.side == Side::Long { 1 } else { -1 };
                polygon(
                    area,
                    vec![(x, y), (x - 6, y + 9 * s), (x + 6, y + 9 * s)],
                    fill(col),
                )?;
            }
            FillKind::Partial => {
                super::plot::circle(area, (x, y), 5, fill(col))?;
                super::plot::circle(area, (x, y), 5, stroke(theme.foreground, 1))?;
            }
            _ => {
                line(area, (x - 5, y - 5), (x + 5, y + 5), stroke(col, 2))?;
                line(area, (x - 5, y + 5), (x + 5, y - 5), stroke(col, 2))?;
            }
        }
    }
    let size = theme.font_size - 1.0;
    for (m, spot) in d.markers.iter().zip(place_labels(&f, d, size)) {
        let Some(spot) = spot else { continue };
        let (x, y) = f.at((m.index as f64, m.price));
        // A thin leader to the marker when the label had to move away from it.
        let edge = if spot.above { spot.rect.3 } else { spot.rect.1 };
        if (edge - y).abs() > 12 {
            dashed(area, (x, y), (x, edge), stroke(theme.muted, 1))?;
        }
        let v = if spot.above { VPos::Bottom } else { VPos::Top };
        let style = font(theme, size, theme.foreground, HPos::Center, v);
        let at = if spot.above {
            (spot.x, spot.rect.3 - LABEL_PAD)
        } else {
            (spot.x, spot.rect.1 + LABEL_PAD)
        };
        text(area, &spot.text, at, &style)?;
    }
    Ok(())
}

/// Room around a marker's label, px.
const LABEL_PAD: i32 = 2;

/// Where a marker's label goes: its words, its box in px (left, top, right, bottom), its centre
/// and whether it is above the marker.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LabelSpot {
    /// The words drawn: the label and its codes, or the label alone where that did not fit.
    pub text: String,
    /// The box, px: left, top, right, bottom.
    pub rect: (i32, i32, i32, i32),
    /// The centre of the text, px from the left.
    pub x: i32,
    /// Above the marker (else under it).
    pub above: bool,
}

/// Whether two boxes (left, top, right, bottom) share a pixel.
pub(crate) fn boxes_overlap(a: (i32, i32, i32, i32), b: (i32, i32, i32, i32)) -> bool {
    a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
}

/// The labels of `d`'s markers on plot `f` in a font `size` px high, one a marker (`None`:
/// no room for it; the bar's readout still says it). Each goes off the candles, above the
/// highest high (or under the lowest low) of the bars under it, on the side its turn prefers
/// (alternating) or the other, stacked away from the candles row by row until it overlaps no
/// label placed before it; the reason codes are dropped where only the label fits.
pub(crate) fn place_labels(f: &Plot, d: &TradeChart, size: f64) -> Vec<Option<LabelSpot>> {
    let h = size.ceil() as i32 + 2 * LABEL_PAD;
    let mut placed: Vec<(i32, i32, i32, i32)> = Vec::new();
    let mut out = Vec::with_capacity(d.markers.len());
    for (k, m) in d.markers.iter().enumerate() {
        let (x, y) = f.at((m.index as f64, m.price));
        let mut texts = vec![m.label.clone()];
        if !m.codes.is_empty() {
            texts.insert(0, format!("{}: {}", m.label, m.codes));
        }
        let spot = texts.into_iter().find_map(|words| {
            let w = text_width(&words, size).ceil() as i32 + 2 * LABEL_PAD;
            let (lo, hi) = (f.l + w / 2, f.r - 1 - (w - w / 2));
            if hi < lo {
                return None;
            }
            let cx = x.clamp(lo, hi);
            let (left, right) = (cx - w / 2, cx - w / 2 + w);
            let under: Vec<&Candle> = d
                .candles
                .iter()
                .filter(|c| (left - 4..=right + 4).contains(&f.px(c.index as f64)))
                .collect();
            let top_clear = under.iter().map(|c| f.py(c.high)).fold(y, i32::min) - 6;
            let bottom_clear = under.iter().map(|c| f.py(c.low)).fold(y, i32::max) + 6;
            let prefer_above = k % 2 == 0;
            for row in 0.. {
                let mut inside = false;
                for above in [prefer_above, !prefer_above] {
                    let (t, b) = if above {
                        let b = top_clear - row * (h + 1);
                        (b - h, b)
                    } else {
                        let t = bottom_clear + row * (h + 1);
                        (t, t + h)
                    };
                    if t < f.t || b > f.b {
                        continue;
                    }
                    inside = true;
                    let rect = (left, t, right, b);
                    if !placed.iter().any(|p| boxes_overlap(*p, rect)) {
                        return Some(LabelSpot {
                            text: words.clone(),
                            rect,
                            x: cx,
                            above,
                        });
                    }
                }
                if !inside {
                    return None;
                }
            }
            None
        });
        if let Some(s) = &spot {
            placed.push(s.rect);
        }
        out.push(spot);
    }
    out
}

/// The legend above the trade chart, from `y` (the centre of its first row) in an area `width`
/// px wide: the stop's colours, P1's target and the entry, each only when the chart draws it, in
/// as many rows as it needs. Returns the centre of its last row.
fn legend<DB: DrawingBackend>(
    area: &Area<DB>,
    d: &TradeChart,
    theme: &ChartTheme,
    y: i32,
    width: i32,
) -> DrawResult<i32, DB> {
    let size = theme.font_size - 1.0;
    let lg = font(theme, size, theme.muted, HPos::Left, VPos::Center);
    let (mut x, mut y) = (8, y);
    let has = |m: StopMover| d.stop.iter().any(|s| s.mover == m);
    let rows: [(Rgb, &str, bool, bool); 5] = [
        (
            theme.stop,
            mover_label(StopMover::None),
            false,
            has(StopMover::None),
        ),
        (
            theme.accent,
            mover_label(StopMover::P1Trail),
            false,
            has(StopMover::P1Trail),
        ),
        (
            theme.lock,
            mover_label(StopMover::P2BePlus),
            false,
            has(StopMover::P2BePlus),
        ),
        (theme.proposed, "P1 target", true, !d.target.is_empty()),
        (theme.entry, "entry", true, d.entry_price.is_finite()),
    ];
    for (c, s, dash, _) in rows.into_iter().filter(|r| r.3) {
        let w = 22 + text_width(s, size) as i32;
        if x > 8 && x + w > width - 8 {
            x = 8;
            y += 16;
        }
        if dash {
            dashed(area, (x, y), (x + 18, y), stroke(c, 1))?;
        } else {
            line(area, (x, y), (x + 18, y), stroke(c, 2))?;
        }
        text(area, s, (x + 22, y), &lg)?;
        x += w + 8;
    }
    Ok(y)
}
