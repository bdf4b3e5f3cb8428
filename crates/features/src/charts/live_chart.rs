//! The Live view's chart of one symbol: its candles from Redis with the published proposals on
//! them, drawn by the Replay view's own charts — the trade chart ([`draw_trade_chart`]: candles,
//! the action markers with their reason codes, the proposed stop's path, the entry) over the
//! signals ([`draw_trade_signals`]: K's weighted components against the threshold, R_net
//! against the T1/T2/T3 bands). [`live_chart`] turns a [`SymbolChart`] into their data: each
//! proposal on the bar that was the newest in Redis when it was computed
//! ([`aligned`](crate::live::chart::aligned)), a bar's state its last proposal's, a stop carried
//! over the bars of its position until that position's last proposal.

use plotters::prelude::*;

use super::plot::{Area, DrawResult};
use super::theme::ChartTheme;
use super::trade_chart::{draw_trade_chart, x_range, Candle, Marker, StopSpan, TradeChart};
use super::trade_signals::{draw_trade_signals, TradeSignals};
use crate::format::{fixed, fmt_price, fmt_time};
use crate::live::chart::{aligned, record_time, spacing, SymbolChart};
use crate::replay::{FillKind, StopMover};
use crate::reviewer::published::{number, Record};
use harvest_kernel::{contributions, logit, HarvestAction, KComponents, Side, Theta};
use harvest_records::published::optional_number;

/// The two charts' data and what they hold.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveChart {
    /// Candles, markers, the proposed stop, the entry.
    pub price: TradeChart,
    /// K and R_net bar by bar.
    pub signals: TradeSignals,
    /// Proposals on a bar of the chart.
    pub placed: usize,
    /// Action markers (PARTIAL_x, FULL_CLOSE_PROPOSED) among the markers.
    pub actions: usize,
    /// The newest bar's open time.
    pub last_bar: i64,
}

/// A proposal as the chart reads it.
struct Point {
    bar: usize,
    time: f64,
    action: HarvestAction,
    codes: String,
    sl: Option<f64>,
    k: f64,
    parts: [f64; 4],
    r_net: f64,
    price: f64,
    side: Side,
    entry: f64,
    age: f64,
}

fn point(r: &Record, bar: usize, theta: &Theta) -> Option<Point> {
    let f = &r.fields;
    let action = HarvestAction::parse(f.get("harvest_action")?)?;
    let n = |name| number(f, name).unwrap_or(f64::NAN);
    let comps = KComponents {
        regime_flip: n("k_regime_flip"),
        sigma_spike: n("k_sigma_spike"),
        ts_drop: n("k_ts_drop"),
        age_penalty: n("k_age_penalty"),
    };
    let side = match f.get("position_side").map(String::as_str) {
        Some("SHORT" | "SELL") => Side::Short,
        _ => Side::Long,
    };
    Some(Point {
        bar,
        time: record_time(r)?,
        action,
        codes: f
            .get("reason_codes")
            .map(|c| {
                c.split(',')
                    .filter(|c| !c.is_empty())
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default(),
        sl: optional_number(f, "new_sl_proposed").ok().flatten(),
        k: n("kill_score"),
        parts: contributions(&comps, theta),
        r_net: n("R_net"),
        price: n("position_current_price"),
        side,
        entry: n("position_entry_price"),
        age: n("position_age_sec"),
    })
}

/// The chart of the newest `view` bars of `c` (at least one) with `theta` (the theta in force:
/// the threshold and the bands); `None` before any candle.
///
/// A new position starts where the side or the entry price changes, or the age goes down.
/// Markers: its entry (at its first proposal's bar, or `position_age_sec` earlier), and each
/// PARTIAL_x or FULL_CLOSE_PROPOSED where the proposed action changes to it, with the
/// proposal's reason codes, at the price the proposal saw.
///
/// ```
/// use harvest_features::charts::live_chart;
/// use harvest_features::live::chart::{LiveCandle, SymbolChart};
/// use harvest_kernel::{propose, HarvestInput, Theta};
/// use harvest_records::published::{record, Record};
/// let mut c = SymbolChart::new("BTCUSDT");
/// for k in 0..3 {
///     let close = 100.0 + k as f64;
///     c.push_bar(LiveCandle { time: 3600 * k, open: close, high: close + 1.0, low: close - 1.0, close, known_at: 1000.0 + k as f64 });
/// }
/// let mut i = HarvestInput::default();
/// i.position.unrealized_pnl = 5.0; // R_net over T1: PARTIAL_25
/// i.position.age_sec = 0.0; // the entry: at the proposal
/// let mut f = record(&propose(&i).unwrap(), 1001, true);
/// f.insert("computed_at_utc".into(), "1970-01-01T00:16:41.5".into());
/// c.push_proposal(Record::of(f));
/// let d = live_chart(&c, &Theta::default(), 300).unwrap();
/// assert_eq!((d.placed, d.actions, d.last_bar), (1, 1, 7200));
/// assert_eq!(d.price.markers[1].label, "PARTIAL_25");
/// assert_eq!(d.signals.index, [1]);
/// ```
pub fn live_chart(c: &SymbolChart, theta: &Theta, view: usize) -> Option<LiveChart> {
    let last = c.candles.last()?;
    let candles: Vec<Candle> = c
        .candles
        .iter()
        .enumerate()
        .map(|(index, b)| Candle {
            index,
            time: b.time,
            open: b.open,
            high: b.high,
            low: b.low,
            close: b.close,
        })
        .collect();
    let bars = aligned(&c.candles, &c.proposals);
    let points: Vec<Point> = c
        .proposals
        .iter()
        .zip(&bars)
        .filter_map(|(r, b)| point(r, (*b)?, theta))
        .collect();
    // Positions: runs of points of one side and entry, the age never going down.
    let mut seg = Vec::with_capacity(points.len());
    let mut n_seg = 0usize;
    for (k, p) in points.iter().enumerate() {
        let new = match k.checked_sub(1).map(|j| &points[j]) {
            None => true,
            Some(q) => q.side != p.side || q.entry != p.entry || (p.age > 0.0 && p.age < q.age),
        };
        if new && k > 0 {
            n_seg += 1;
        }
        seg.push(n_seg);
    }
    let known: Vec<f64> = {
        let mut run = f64::NEG_INFINITY;
        c.candles
            .iter()
            .map(|b| {
                run = run.max(b.known_at);
                run
            })
            .collect()
    };
    let mut markers = Vec::new();
    for (k, p) in points.iter().enumerate() {
        let first = k == 0 || seg[k] != seg[k - 1];
        if first {
            let bar = if p.age > 0.0 {
                known
                    .partition_point(|t| *t <= p.time - p.age)
                    .checked_sub(1)
            } else {
                Some(p.bar)
            };
            if let (Some(bar), true) = (bar, p.entry.is_finite()) {
                markers.push(Marker {
                    index: bar,
                    price: p.entry,
                    kind: FillKind::Entry,
                    label: format!("entry {}", p.side.as_str()),
                    codes: String::new(),
                });
            }
        }
        let changed = first || points[k - 1].action != p.action;
        if p.action != HarvestAction::None && changed {
            let price = if p.price.is_finite() && p.price > 0.0 {
                p.price
            } else {
                c.candles[p.bar].close
            };
            markers.push(Marker {
                index: p.bar,
                price,
                kind: if p.action == HarvestAction::FullCloseProposed {
                    FillKind::FullClose
                } else {
                    FillKind::Partial
                },
                label: p.action.as_str().to_string(),
                codes: p.codes.clone(),
            });
        }
    }
    // Each bar's state: its last point, carried to the bars after it while its position lasts.
    let mut state: Vec<Option<usize>> = vec![None; candles.len()];
    for (k, p) in points.iter().enumerate() {
        state[p.bar] = Some(k);
    }
    let mut seg_end = vec![0usize; n_seg + usize::from(!points.is_empty())];
    for (k, p) in points.iter().enumerate() {
        seg_end[seg[k]] = seg_end[seg[k]].max(p.bar);
    }
    let mut carried = state.clone();
    for i in 1..carried.len() {
        if carried[i].is_none() {
            if let Some(k) = carried[i - 1] {
                if seg_end[seg[k]] >= i {
                    carried[i] = Some(k);
                }
            }
        }
    }
    let mut stop: Vec<StopSpan> = Vec::new();
    let mut open: Option<(usize, f64, usize)> = None; // (from, level, segment)
    let mut close_span = |open: &mut Option<(usize, f64, usize)>, to: usize| {
        if let Some((from, level, _)) = open.take() {
            stop.push(StopSpan {
                from,
                to,
                level,
                mover: StopMover::P2BePlus,
            });
        }
    };
    for (i, s) in carried.iter().enumerate() {
        let now = s.and_then(|k| points[k].sl.map(|l| (l, seg[k])));
        match (open, now) {
            (Some((_, l, sg)), Some((nl, nsg))) if l == nl && sg == nsg => {}
            (_, Some((nl, nsg))) => {
                close_span(&mut open, i.saturating_sub(1));
                open = Some((i, nl, nsg));
            }
            (_, None) => close_span(&mut open, i.saturating_sub(1)),
        }
    }
    close_span(&mut open, candles.len() - 1);
    // Signals at the bars with a proposal (the bar's last).
    let mut signals = TradeSignals::empty(theta, x_range(&candles), None);
    for (i, s) in state.iter().enumerate() {
        let Some(p) = s.map(|k| &points[k]) else {
            continue;
        };
        let z = logit(p.k);
        let z = if z.is_finite() {
            z
        } else {
            p.parts.iter().sum()
        };
        signals.push(i, z, p.k, p.parts, p.r_net);
    }
    // The view: the newest `view` bars, renumbered from 0 (what is older is computed, not shown).
    let cut = candles.len().saturating_sub(view.max(1));
    let mut candles = candles;
    if cut > 0 {
        candles.drain(..cut);
        for c in &mut candles {
            c.index -= cut;
        }
        markers.retain(|m| m.index >= cut);
        for m in &mut markers {
            m.index -= cut;
        }
        stop.retain(|s| s.to >= cut);
        for s in &mut stop {
            s.from = s.from.max(cut) - cut;
            s.to -= cut;
        }
        let keep: Vec<bool> = signals.index.iter().map(|i| *i >= cut).collect();
        let mut k = keep.iter();
        signals.z.retain(|_| *k.next().unwrap_or(&false));
        let mut k = keep.iter();
        signals.k.retain(|_| *k.next().unwrap_or(&false));
        let mut k = keep.iter();
        signals.parts.retain(|_| *k.next().unwrap_or(&false));
        let mut k = keep.iter();
        signals.r_net.retain(|_| *k.next().unwrap_or(&false));
        signals.index.retain(|i| *i >= cut);
        for i in &mut signals.index {
            *i -= cut;
        }
        signals.x_range = x_range(&candles);
    }
    let placed = points.iter().filter(|p| p.bar >= cut).count();
    let actions = markers.iter().filter(|m| m.kind != FillKind::Entry).count();
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    let levels = candles
        .iter()
        .flat_map(|c| [c.low, c.high])
        .chain(stop.iter().map(|s| s.level))
        .chain(markers.iter().map(|m| m.price));
    for v in levels.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    let m = (hi - lo).max(hi.abs() * 1e-4) * 0.06;
    let now = points.last();
    let gap = spacing(&c.candles);
    let shown_bars = candles.len();
    let headline = match now {
        Some(p) => format!(
            "{}: {} bars of {}, last {} at {}; now {} {}, K {} (full close at {}), stop {}",
            c.symbol,
            shown_bars,
            spacing_text(gap),
            fmt_price(last.close),
            fmt_time(last.time),
            p.side.as_str(),
            p.action.as_str(),
            fixed(p.k, 3),
            fixed(theta.kill_threshold, 2),
            p.sl.map_or_else(|| "none proposed".to_string(), fmt_price),
        ),
        None => format!(
            "{}: {} bars of {}, last {} at {}; no proposal on these bars",
            c.symbol,
            shown_bars,
            spacing_text(gap),
            fmt_price(last.close),
            fmt_time(last.time),
        ),
    };
    let price = TradeChart {
        side: now.map_or(Side::Long, |p| p.side),
        entry_price: now.map_or(f64::NAN, |p| p.entry),
        candles,
        stop,
        target: Vec::new(),
        markers,
        cursor: None,
        y_range: (lo - m, hi + m),
        headline,
    };
    Some(LiveChart {
        price,
        signals,
        placed,
        actions,
        last_bar: last.time,
    })
}

/// A bar spacing in words: `1 h`, `5 min`, `1 d`, `90 s`.
///
/// ```
/// use harvest_features::charts::spacing_text;
/// assert_eq!(spacing_text(3600), "1 h");
/// assert_eq!(spacing_text(300), "5 min");
/// assert_eq!(spacing_text(90), "90 s");
/// ```
pub fn spacing_text(seconds: i64) -> String {
    match seconds {
        s if s > 0 && s % 86_400 == 0 => format!("{} d", s / 86_400),
        s if s > 0 && s % 3600 == 0 => format!("{} h", s / 3600),
        s if s > 0 && s % 60 == 0 => format!("{} min", s / 60),
        s => format!("{s} s"),
    }
}

/// Share of the area's height the price chart takes (the signals get the rest).
pub const PRICE_SHARE: f64 = 0.58;

/// Draws the live chart: the trade chart over the signals, on one x axis.
///
/// # Errors
/// The backend's drawing errors.
pub fn draw_live_chart<DB: DrawingBackend>(
    area: &Area<DB>,
    d: &LiveChart,
    theme: &ChartTheme,
) -> DrawResult<(), DB> {
    let (_, h) = area.dim_in_pixel();
    let split = (f64::from(h) * PRICE_SHARE).round() as i32;
    let (top, bottom) = area.split_vertically(split);
    draw_trade_chart(&top, &d.price, theme)?;
    draw_trade_signals(&bottom, &d.signals, theme)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::chart::LiveCandle;
    use harvest_kernel::{propose, HarvestInput};
    use harvest_records::published::record;

    /// A proposal of a LONG from 100 at `price`, computed at `t` (Unix s).
    fn rec(entry: f64, price: f64, age: f64, t: f64) -> Record {
        let mut i = HarvestInput::default();
        i.position.entry_price = entry;
        i.position.current_price = Some(price);
        i.position.unrealized_pnl = price - entry;
        i.position.age_sec = age;
        i.position.current_sl = Some(entry * 0.98);
        let mut f = record(&propose(&i).unwrap(), t as i64, true);
        f.insert(
            "computed_at_utc".into(),
            harvest_records::time::iso_naive((t * 1e6) as i64),
        );
        Record::of(f)
    }

    fn chart(closes: &[f64], proposals: Vec<Record>) -> SymbolChart {
        let mut c = SymbolChart::new("BTCUSDT");
        for (k, &close) in closes.iter().enumerate() {
            c.push_bar(LiveCandle {
                time: 1_600_000_000 + 3600 * k as i64,
                open: close - 0.5,
                high: close + 1.0,
                low: close - 1.0,
                close,
                known_at: 1000.0 + k as f64,
            });
        }
        for p in proposals {
            c.push_proposal(p);
        }
        c
    }

    #[test]
    fn proposals_become_markers_a_stop_path_and_signals() {
        // Bars known at 1000..1011; a position from 100 whose price climbs; then a new position.
        let closes: Vec<f64> = (0..12).map(|k| 100.0 + k as f64).collect();
        let props = vec![
            rec(100.0, 100.5, 0.5, 1001.2), // bar 1: NONE, no stop; opened at 1000.7: bar 0
            rec(100.0, 104.5, 1.5, 1002.2), // bar 2: PARTIAL_25 + BE+ stop
            rec(100.0, 104.6, 2.0, 1002.7), // bar 2 again: the bar's last
            rec(100.0, 105.0, 2.8, 1003.5), // bar 3: PARTIAL_25 again: no new marker
            rec(100.0, 109.0, 4.8, 1005.5), // bar 5: PARTIAL_50 (bar 4 carried)
            rec(108.0, 108.2, 1.0, 1008.5), // bar 8: a new position opened at 1007.5 (bar 7), NONE
        ];
        let c = chart(&closes, props);
        let d = live_chart(&c, &Theta::default(), 300).unwrap();
        assert_eq!(d.placed, 6);
        let marks: Vec<(usize, &str)> = d
            .price
            .markers
            .iter()
            .map(|m| (m.index, m.label.as_str()))
            .collect();
        assert_eq!(
            marks,
            [
                (0, "entry LONG"),
                (2, "PARTIAL_25"),
                (5, "PARTIAL_50"),
                (7, "entry LONG"),
            ]
        );
        assert_eq!(d.actions, 2);
        assert!(
            d.price.markers[1].codes.contains("harvest_partial_25"),
            "{:?}",
            d.price.markers[1]
        );
        assert_eq!(d.price.markers[1].price, 104.5);
        // The stop: proposed from bar 2, carried to bar 5 (the position's last), then none.
        let spans: Vec<(usize, usize)> = d.price.stop.iter().map(|s| (s.from, s.to)).collect();
        assert_eq!(spans.first().map(|s| s.0), Some(2));
        assert_eq!(spans.last().map(|s| s.1), Some(5));
        assert!(d.price.stop.iter().all(|s| s.mover == StopMover::P2BePlus));
        // Signals at the bars with a proposal; the bar's last one.
        assert_eq!(d.signals.index, [1, 2, 3, 5, 8]);
        let r2 = number(&c.proposals[2].fields, "R_net").unwrap();
        assert_eq!(d.signals.r_net[1], r2);
        assert!((d.signals.z[0] - logit(d.signals.k[0])).abs() < 1e-12);
        assert_eq!(d.price.entry_price, 108.0);
        assert!(
            d.price
                .headline
                .starts_with("BTCUSDT: 12 bars of 1 h, last 111 at "),
            "{}",
            d.price.headline
        );
        assert!(
            d.price.headline.contains("now LONG NONE, K "),
            "{}",
            d.price.headline
        );
        let (lo, hi) = d.price.y_range;
        assert!(lo < 99.0 && hi > 112.0);
        // The newest 6 bars (6..=11) only, renumbered: the second entry (bar 7) and the signal
        // of bar 8; the first position's stop and markers are older than the view.
        let v = live_chart(&c, &Theta::default(), 6).unwrap();
        assert_eq!(v.price.candles.len(), 6);
        assert_eq!(v.price.candles[0].close, 106.0);
        let marks: Vec<(usize, &str)> = v
            .price
            .markers
            .iter()
            .map(|m| (m.index, m.label.as_str()))
            .collect();
        assert_eq!(marks, [(1, "entry LONG")]);
        assert!(v.price.stop.is_empty());
        assert_eq!(
            (
                v.signals.index.clone(),
                v.signals.k.len(),
                v.signals.parts.len()
            ),
            (vec![2], 1, 1)
        );
        assert_eq!((v.placed, v.actions), (1, 0));
        assert!(
            v.price.headline.starts_with("BTCUSDT: 6 bars of 1 h"),
            "{}",
            v.price.headline
        );
        // A view that starts inside a stop span keeps its part in view.
        let w = live_chart(&c, &Theta::default(), 8).unwrap();
        assert_eq!(w.price.stop.first().map(|s| (s.from, s.to)), Some((0, 1)));
    }

    #[test]
    fn no_candles_no_chart_and_proposals_before_the_bars_are_left_out() {
        assert!(live_chart(&SymbolChart::new("X"), &Theta::default(), 300).is_none());
        let c = chart(&[100.0, 101.0], vec![rec(100.0, 100.5, 0.0, 900.0)]);
        let d = live_chart(&c, &Theta::default(), 300).unwrap();
        assert_eq!(
            (d.placed, d.price.markers.len(), d.signals.index.len()),
            (0, 0, 0)
        );
        assert!(d.price.headline.ends_with("no proposal on these bars"));
        assert!(d.price.entry_price.is_nan());
    }

    /// The boxes (left, top, right, bottom, px) of the SVG's texts that start with one of
    /// `starts`, from their position, anchor and font size (the width as the charts measure
    /// text: [`text_width`](crate::charts::plot::text_width)).
    fn text_boxes(svg: &str, starts: &[&str]) -> Vec<(String, [f64; 4])> {
        let attr = |tag: &str, name: &str| -> String {
            let key = format!(" {name}=\"");
            tag.split(&key)
                .nth(1)
                .and_then(|r| r.split('"').next())
                .unwrap_or_default()
                .to_string()
        };
        let mut out = Vec::new();
        for part in svg.split("<text").skip(1) {
            let (tag, rest) = part.split_once('>').unwrap();
            let words = rest.split("</text>").next().unwrap().trim().to_string();
            if !starts.iter().any(|s| words.starts_with(s)) {
                continue;
            }
            let num = |n| attr(tag, n).parse::<f64>().unwrap();
            let (x, y, size) = (num("x"), num("y"), num("font-size") * 1.24);
            let w = crate::charts::plot::text_width(&words, size);
            let left = match attr(tag, "text-anchor").as_str() {
                "middle" => x - w / 2.0,
                "end" => x - w,
                _ => x,
            };
            let top = match attr(tag, "dy").as_str() {
                "0.76em" => y,
                "0.5ex" => y - size / 2.0,
                _ => y - size,
            };
            out.push((words, [left, top, left + w, top + size]));
        }
        out
    }

    #[test]
    fn dense_marker_labels_do_not_overlap_each_other_or_leave_the_chart() {
        // A price that crosses T1 and back every other bar: a PARTIAL_25 marker every two bars,
        // and a new position (its entry marker) every 12 bars, on a narrow and a wide canvas.
        let closes: Vec<f64> = (0..60).map(|k| 100.0 + (k % 7) as f64 * 0.4).collect();
        let props = (1..60)
            .map(|k| {
                let entry = 100.0 + (k / 12) as f64 * 0.01;
                let price = if k % 2 == 0 { entry + 4.5 } else { entry + 0.5 };
                rec(entry, price, (k % 12) as f64 + 0.5, 1000.2 + k as f64)
            })
            .collect();
        let c = chart(&closes, props);
        let d = live_chart(&c, &Theta::default(), 300).unwrap();
        assert!(d.price.markers.len() >= 30, "{}", d.price.markers.len());
        for (w, h) in [(390, 420), (900, 560), (1400, 700)] {
            let mut svg = String::new();
            {
                let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
                draw_live_chart(&root, &d, &ChartTheme::dark()).unwrap();
                root.present().unwrap();
            }
            let labels = text_boxes(&svg, &["PARTIAL_", "FULL_CLOSE", "entry LONG"]);
            assert!(
                labels.len() >= if w < 600 { 2 } else { 6 },
                "{w} px: {} labels",
                labels.len()
            );
            let price_h = f64::from(h) * PRICE_SHARE;
            for (i, (a, p)) in labels.iter().enumerate() {
                assert!(
                    p[0] >= 0.0 && p[2] <= f64::from(w) && p[1] >= 0.0 && p[3] <= price_h,
                    "{w} px: {a:?} at {p:?} leaves the price chart"
                );
                for (b, q) in &labels[i + 1..] {
                    let apart = p[2] <= q[0] || q[2] <= p[0] || p[3] <= q[1] || q[3] <= p[1];
                    assert!(apart, "{w} px: {a:?} at {p:?} overlaps {b:?} at {q:?}");
                }
            }
        }
    }

    #[test]
    fn draws_both_charts_as_svg() {
        let closes: Vec<f64> = (0..30)
            .map(|k| 100.0 + (k as f64 * 0.7).sin() * 3.0 + k as f64 * 0.3)
            .collect();
        let props = (1..30)
            .map(|k| rec(100.0, closes[k], 0.9 * k as f64, 1000.2 + k as f64))
            .collect();
        let c = chart(&closes, props);
        let d = live_chart(&c, &Theta::default(), 300).unwrap();
        assert!(d.actions >= 1);
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (900, 560)).into_drawing_area();
            draw_live_chart(&root, &d, &ChartTheme::light()).unwrap();
            root.present().unwrap();
        }
        assert!(svg.contains("BTCUSDT: 30 bars of 1 h"), "the headline");
        assert!(
            svg.contains("PARTIAL_25: "),
            "an action marker with its reason codes"
        );
        assert!(svg.contains("entry LONG"));
        assert!(
            svg.contains("Kill score: z = Σ weighted components"),
            "the K panel"
        );
        assert!(svg.contains("R_net against T1"), "the R_net panel");
        // The proposed stop's colour (P2 break-even+) is in the legend and drawn.
        assert!(svg.contains("moved by P2 break-even+"));
    }
}
