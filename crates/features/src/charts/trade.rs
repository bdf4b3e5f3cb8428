//! The Replay view's charts of one simulated trade: candlesticks with the entry, each partial
//! exit and the final close marked with their reason codes, the stop's path as a step line
//! coloured by what moved it, and P1's target ([`trade_chart`], [`draw_trade_chart`]); under it
//! the kill score's z as stacked weighted components against the threshold's z*, and R_net
//! against the T1/T2/T3 bands ([`trade_signals`], [`draw_trade_signals`]). Pure data, then
//! drawing on any plotters backend.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::frame::{begin, dashed, font, line, polygon, polyline, rect, text, Area, Frame, Res};
use super::theme::{ChartTheme, Rgb};
use crate::format::fixed;
use crate::format::fixed_trim as fmt_fixed;
use crate::replay::{fmt_time, FillKind, Series, StopMover, Trade};
use harvest_kernel::{contributions, logit, HarvestAction, Side, Theta};

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
    /// Short label (`entry LONG`, `25 %`, `FULL CLOSE`, `stop`).
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

/// The label of a fill.
pub fn fill_label(kind: FillKind, qty: f64, reason_end: &str) -> String {
    match kind {
        FillKind::Entry => "entry".to_string(),
        FillKind::Partial => format!("{} % off", fixed(qty * 100.0, 0)),
        FillKind::FullClose => "FULL CLOSE".to_string(),
        FillKind::Stop => "stop".to_string(),
        FillKind::StopGap => "stop (gap)".to_string(),
        FillKind::Horizon => reason_end.to_string(),
    }
}

/// The chart of `trade` on `series`, `pad` bars either side, the scrubber at `cursor`.
///
/// ```
/// use harvest_features::charts::trade::trade_chart;
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
    let end = if trade.exit_reason == crate::replay::ExitReason::MaxBars {
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
                fill_label(f.kind, f.qty, end)
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
        crate::charts::fmt_price(trade.entry_price),
        fmt_time(trade.entry_time),
        crate::charts::fmt_price(trade.initial_sl),
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

const LEFT: i32 = 64;
const RIGHT: i32 = 12;

/// Where bar `index` is drawn, in px from the left of a chart `width` px wide drawn by
/// [`draw_trade_chart`] or [`draw_trade_signals`] (both share the x axis): a scrubber's line
/// can move over the canvases without repainting them.
///
/// ```
/// use harvest_features::charts::trade::{bar_x, Candle};
/// let c = |i| Candle { index: i, time: 0, open: 1.0, high: 1.0, low: 1.0, close: 1.0 };
/// let candles = [c(10), c(11), c(12)];
/// let (a, b) = (bar_x(&candles, 400.0, 10), bar_x(&candles, 400.0, 12));
/// assert!(a > 64.0 && b < 388.0 && (a + b) / 2.0 - bar_x(&candles, 400.0, 11) < 1e-9);
/// ```
pub fn bar_x(candles: &[Candle], width: f64, index: usize) -> f64 {
    let (x0, x1) = x_frame(candles);
    let (l, r) = (
        f64::from(LEFT),
        (width - f64::from(RIGHT)).max(f64::from(LEFT) + 1.0),
    );
    l + (index as f64 - x0) / (x1 - x0) * (r - l)
}

fn x_frame(candles: &[Candle]) -> (f64, f64) {
    match (candles.first(), candles.last()) {
        (Some(a), Some(b)) => (a.index as f64 - 0.6, b.index as f64 + 0.6),
        _ => (0.0, 1.0),
    }
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
) -> Res<DB> {
    let (w, h, head) = begin(area, theme)?;
    text(area, &d.headline, (8, 5), &head)?;
    let f = Frame::new(LEFT, 44, w - RIGHT, h - 22, x_frame(&d.candles), d.y_range);
    f.y_axis(area, theme, 6, crate::charts::fmt_tick)?;
    // Time labels: about one per 110 px.
    let small = font(
        theme,
        theme.font_size - 1.0,
        theme.muted,
        HPos::Center,
        VPos::Top,
    );
    let every = ((110.0 / f.x_scale()).ceil() as usize).max(1);
    for c in d.candles.iter().filter(|c| c.index % every == 0) {
        let x = f.px(c.index as f64);
        line(area, (x, f.b), (x, f.b + 3), theme.muted, 1)?;
        text(area, &fmt_time(c.time), (x, f.b + 5), &small)?;
    }
    // Entry price.
    f.level(area, d.entry_price, theme.entry, 1)?;
    // Candles.
    let body = ((f.x_scale() * 0.35).round() as i32).max(1);
    let up = theme.proposed;
    let down = theme.danger;
    for c in &d.candles {
        let x = f.px(c.index as f64);
        let col = if c.close >= c.open { up } else { down };
        line(area, (x, f.py(c.high)), (x, f.py(c.low)), col, 1)?;
        let (a, b) = ((x - body, f.py(c.open)), (x + body, f.py(c.close)));
        if c.close >= c.open {
            rect(area, a, b, theme.background, true)?;
            rect(area, a, b, col, false)?;
        } else {
            rect(area, a, b, col, true)?;
        }
    }
    // P1's target.
    for pair in d.target.windows(2) {
        let (i0, t0) = pair[0];
        let (i1, t1) = pair[1];
        if t0.is_finite() && t1.is_finite() {
            let a = f.p(i0 as f64, t0);
            let b = f.p(i1 as f64, t0);
            dashed(area, a, b, theme.proposed, 1)?;
            dashed(area, b, f.p(i1 as f64, t1), theme.proposed, 1)?;
        }
    }
    // The stop's path: each level over its bars (half a bar either side), joined by risers.
    let mut prev: Option<(i32, i32)> = None;
    for s in &d.stop {
        let col = mover_color(theme, s.mover);
        let y = f.py(s.level);
        let (x0, x1) = (f.px(s.from as f64 - 0.5), f.px(s.to as f64 + 0.5));
        if let Some((px, py)) = prev {
            line(area, (px, py), (x0, y), col, 2)?;
        }
        line(area, (x0, y), (x1, y), col, 2)?;
        prev = Some((x1, y));
    }
    // Scrubber.
    f.scrubber(area, d.cursor, theme)?;
    // Markers with labels, alternating above and below so neighbours do not collide.
    let label = |c| font(theme, theme.font_size - 1.0, c, HPos::Center, VPos::Bottom);
    let label_down = |c| font(theme, theme.font_size - 1.0, c, HPos::Center, VPos::Top);
    for (k, m) in d.markers.iter().enumerate() {
        let (x, y) = f.p(m.index as f64, m.price);
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
                    col,
                )?;
            }
            FillKind::Partial => {
                area.draw(&Circle::new((x, y), 5, super::frame::rgb(col).filled()))?;
                area.draw(&Circle::new(
                    (x, y),
                    5,
                    super::frame::rgb(theme.foreground).stroke_width(1),
                ))?;
            }
            _ => {
                line(area, (x - 5, y - 5), (x + 5, y + 5), col, 2)?;
                line(area, (x - 5, y + 5), (x + 5, y - 5), col, 2)?;
            }
        }
        let above = k % 2 == 0;
        let words = if m.codes.is_empty() {
            m.label.clone()
        } else {
            format!("{}: {}", m.label, m.codes)
        };
        let at = if above { (x, y - 10) } else { (x, y + 10) };
        let at = (
            at.0.clamp(f.l + 60, (f.r - 60).max(f.l + 60)),
            at.1.clamp(f.t + 12, f.b - 2),
        );
        if above {
            text(area, &words, at, &label(theme.foreground))?;
        } else {
            text(area, &words, at, &label_down(theme.foreground))?;
        }
    }
    // Legend.
    let lg = font(
        theme,
        theme.font_size - 1.0,
        theme.muted,
        HPos::Left,
        VPos::Center,
    );
    let mut x = 8;
    let y = 32;
    for (c, s, dash) in [
        (theme.stop, mover_label(StopMover::None), false),
        (theme.accent, mover_label(StopMover::P1Trail), false),
        (theme.lock, mover_label(StopMover::P2BePlus), false),
        (theme.proposed, "P1 target", true),
        (theme.entry, "entry", true),
    ] {
        if dash {
            dashed(area, (x, y), (x + 18, y), c, 1)?;
        } else {
            line(area, (x, y), (x + 18, y), c, 2)?;
        }
        text(area, s, (x + 22, y), &lg)?;
        x += 30 + (s.chars().count() as f64 * (theme.font_size - 1.0) * 0.55) as i32;
    }
    Ok(())
}

/// The signals under the trade chart, one value per evaluated bar.
#[derive(Debug, Clone, PartialEq)]
pub struct TradeSignals {
    /// The bars (same x as the trade chart).
    pub index: Vec<usize>,
    /// The kill logit z.
    pub z: Vec<f64>,
    /// K.
    pub k: Vec<f64>,
    /// Weighted contributions to z: regime flip, σ spike, TS drop, age.
    pub parts: Vec<[f64; 4]>,
    /// `z* = logit(kill_threshold)`.
    pub z_star: f64,
    /// `kill_threshold`.
    pub threshold: f64,
    /// R_net.
    pub r_net: Vec<f64>,
    /// T1_R, T2_R, T3_R.
    pub bands: [f64; 3],
    /// lock_R.
    pub lock_r: f64,
    /// x range (as the trade chart's).
    pub x_range: (f64, f64),
    /// The scrubber's bar.
    pub cursor: Option<usize>,
}

/// The signals of `trade` under `theta`, on the x range of `chart`.
pub fn trade_signals(trade: &Trade, theta: &Theta, chart: &TradeChart) -> TradeSignals {
    let mut s = TradeSignals {
        index: Vec::new(),
        z: Vec::new(),
        k: Vec::new(),
        parts: Vec::new(),
        z_star: logit(theta.kill_threshold),
        threshold: theta.kill_threshold,
        r_net: Vec::new(),
        bands: [theta.t1_r, theta.t2_r, theta.t3_r],
        lock_r: theta.lock_r,
        x_range: x_frame(&chart.candles),
        cursor: chart.cursor,
    };
    for st in &trade.steps {
        if let Some(e) = &st.eval {
            s.index.push(st.index);
            s.z.push(e.z);
            s.k.push(e.kill_score);
            s.parts.push(contributions(&e.k, theta));
            s.r_net.push(e.r_net);
        }
    }
    s
}

/// Draws two panels: z as the stacked weighted kill components with the threshold z* (the full
/// close region shaded), and R_net with the T1/T2/T3 bands in their actions' colours and
/// lock_R dashed; the scrubber's bar on both.
///
/// # Errors
/// The backend's drawing errors.
pub fn draw_trade_signals<DB: DrawingBackend>(
    area: &Area<DB>,
    d: &TradeSignals,
    theme: &ChartTheme,
) -> Res<DB> {
    let (w, h, head) = begin(area, theme)?;
    let half = h / 2;
    let small = font(
        theme,
        theme.font_size - 1.0,
        theme.muted,
        HPos::Right,
        VPos::Center,
    );
    // Kill panel: room above the highest of z and z* for the legend (22 px), so neither the
    // threshold line nor a bar runs through it.
    let top =
        d.z.iter()
            .copied()
            .filter(|v| v.is_finite())
            .fold(d.z_star, f64::max)
            .max(0.1);
    let plot_h = f64::from((half - 30).max(1));
    let zmax = top * (1.0 / (1.0 - (22.0 / plot_h).min(0.5))).max(1.1);
    let f = Frame::new(LEFT, 24, w - RIGHT, half - 6, d.x_range, (0.0, zmax));
    text(
        area,
        &format!(
            "Kill score: z = Σ weighted components; full close when K ≥ {} (z ≥ {})",
            fmt_fixed(d.threshold, 3),
            fmt_fixed(d.z_star, 3)
        ),
        (8, 4),
        &head,
    )?;
    f.y_axis(area, theme, 3, crate::charts::fmt_tick)?;
    rect(
        area,
        f.p(f.x.0, zmax),
        f.p(f.x.1, d.z_star.min(zmax)),
        theme.danger.mix(theme.background, 0.85),
        true,
    )?;
    let bw = ((f.x_scale() * 0.45).round() as i32).max(1);
    for (k, &i) in d.index.iter().enumerate() {
        let mut base = 0.0;
        let x = f.px(i as f64);
        for (j, &p) in d.parts[k].iter().enumerate() {
            if p > 0.0 && p.is_finite() {
                rect(
                    area,
                    (x - bw, f.py(base)),
                    (x + bw, f.py(base + p)),
                    theme.components[j],
                    true,
                )?;
                base += p;
            }
        }
    }
    polyline(area, f.path(&d.index, &d.z), theme.foreground, 1)?;
    f.level(area, d.z_star, theme.danger, 2)?;
    text(
        area,
        "z*",
        (f.r - 2, f.py(d.z_star) - 8),
        &font(
            theme,
            theme.font_size - 1.0,
            theme.danger,
            HPos::Right,
            VPos::Center,
        ),
    )?;
    let lg = font(
        theme,
        theme.font_size - 1.0,
        theme.muted,
        HPos::Left,
        VPos::Center,
    );
    let names = ["regime flip", "σ spike", "TS drop", "age"];
    let width: i32 = names
        .iter()
        .map(|n| 28 + (n.chars().count() as f64 * 6.0) as i32)
        .sum();
    rect(
        area,
        (f.l + 4, f.t + 1),
        (f.l + 4 + width, f.t + 15),
        theme.background,
        true,
    )?;
    let mut x = f.l + 8;
    for (j, name) in names.iter().enumerate() {
        rect(
            area,
            (x, f.t + 4),
            (x + 10, f.t + 12),
            theme.components[j],
            true,
        )?;
        text(area, name, (x + 14, f.t + 8), &lg)?;
        x += 28 + (name.chars().count() as f64 * 6.0) as i32;
    }
    f.scrubber(area, d.cursor, theme)?;
    // R_net panel.
    let finite = d.r_net.iter().copied().filter(|v| v.is_finite());
    let (mut lo, mut hi) = finite.fold((-1.0f64, d.bands[2] + 0.5), |(a, b), v| {
        (a.min(v), b.max(v))
    });
    lo -= 0.2;
    hi += 0.2;
    let g = Frame::new(LEFT, half + 22, w - RIGHT, h - 6, d.x_range, (lo, hi));
    text(
        area,
        &format!(
            "R_net against T1 {} / T2 {} / T3 {} (lock_R {})",
            fmt_fixed(d.bands[0], 2),
            fmt_fixed(d.bands[1], 2),
            fmt_fixed(d.bands[2], 2),
            fmt_fixed(d.lock_r, 2)
        ),
        (8, half + 2),
        &head,
    )?;
    let acts = [
        HarvestAction::Partial25,
        HarvestAction::Partial50,
        HarvestAction::Partial75,
    ];
    for (k, a) in acts.iter().enumerate() {
        let top = if k == 2 { hi } else { d.bands[k + 1].min(hi) };
        let bot = d.bands[k].max(lo);
        if top > bot {
            rect(
                area,
                g.p(g.x.0, top),
                g.p(g.x.1, bot),
                theme.action_color(*a).mix(theme.background, 0.45),
                true,
            )?;
            text(
                area,
                &format!("T{}", k + 1),
                (g.r - 2, g.py(bot) - 7),
                &small,
            )?;
        }
    }
    g.y_axis(area, theme, 4, crate::charts::fmt_tick)?;
    g.level(area, d.lock_r, theme.lock, 1)?;
    line(area, g.p(g.x.0, 0.0), g.p(g.x.1, 0.0), theme.muted, 1)?;
    polyline(area, g.path(&d.index, &d.r_net), theme.accent2, 2)?;
    g.scrubber(area, d.cursor, theme)?;
    Ok(())
}
