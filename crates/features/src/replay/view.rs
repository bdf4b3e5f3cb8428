//! What the Replay view shows, as text: a bar's proposal under the scrubber, the summary
//! against the baselines, the trade list's cells, the histogram's bars, A/B lines; and the
//! trade it opens with. The dashboard only puts these strings on screen.

use super::backtest::{hist_label, AbSummary, Report, Summary, TradeRow};
use super::pool::PooledRun;
use super::sim::{simulate, ExitReason, Series, SimParams, Step, StopMover, Trade};
use crate::format::fixed;
use crate::format::{fmt_price, fmt_time};
use harvest_kernel::{Side, Theta};

/// One labelled value of the scrubbed bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Readout {
    /// `data-testid` suffix and stable key (`replay-bar-<key>`).
    pub key: &'static str,
    /// Label.
    pub label: &'static str,
    /// Value.
    pub value: String,
}

fn ro(key: &'static str, label: &'static str, value: String) -> Readout {
    Readout { key, label, value }
}

/// The readouts of `step` of `trade`: time, close, the stop in force and what the close moved
/// it to (and by what), P1's proposal and codes, P2's action, R_net, K and codes, the position.
///
/// ```
/// use harvest_features::replay::view::step_readouts;
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
/// let r = step_readouts(&s, &t, &t.steps[0]);
/// assert_eq!(r[0].value, format!("260 (0 of {} after entry)", t.bars));
/// ```
pub fn step_readouts(series: &Series, trade: &Trade, step: &Step) -> Vec<Readout> {
    let k = step.index - trade.entry_index;
    let bar = series.bars.get(step.index);
    let mut out = vec![
        ro(
            "index",
            "Bar",
            format!("{} ({} of {} after entry)", step.index, k, trade.bars),
        ),
        ro("time", "Time (UTC)", fmt_time(step.time)),
        ro(
            "close",
            "Close",
            bar.map_or_else(|| "—".to_string(), |b| fmt_price(b.close)),
        ),
        ro("sl", "Stop in force", fmt_price(step.sl)),
    ];
    let moved = match step.mover {
        StopMover::None => "stays".to_string(),
        m => format!(
            "→ {} ({})",
            fmt_price(step.sl_next),
            if m == StopMover::P1Trail {
                "P1 trail"
            } else {
                "P2 break-even+"
            }
        ),
    };
    out.push(ro("moved", "Stop at the close", moved));
    out.push(ro(
        "remaining",
        "Position",
        format!("{} % of the entry open", fixed(step.remaining * 100.0, 0)),
    ));
    match &step.eval {
        Some(e) => {
            out.push(ro("action", "P2 proposes", e.action.as_str().to_string()));
            out.push(ro("r-net", "R_net", fixed(e.r_net, 3)));
            out.push(ro("kill", "K", fixed(e.kill_score, 3)));
            out.push(ro(
                "codes",
                "P2 reason codes",
                if e.codes.is_empty() {
                    "none".to_string()
                } else {
                    e.codes
                        .iter()
                        .map(|c| c.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                },
            ));
            out.push(ro(
                "p1",
                "P1 proposes",
                format!(
                    "SL {} · target {} · stop {} %",
                    fmt_price(e.p1_sl),
                    fmt_price(e.p1_tp),
                    fixed(e.stop_dist_pct * 100.0, 2)
                ),
            ));
            out.push(ro(
                "p1-codes",
                "P1 reason codes",
                e.p1_codes
                    .iter()
                    .map(|c| c.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            ));
            out.push(ro(
                "market",
                "P0 state",
                format!(
                    "σ {} · TS {} · p {} / {} / {}",
                    fixed(e.market.sigma, 4),
                    fixed(e.market.ts, 3),
                    fixed(e.market.p_trend, 2),
                    fixed(e.market.p_mr, 2),
                    fixed(e.market.p_chop, 2)
                ),
            ));
        }
        None => {
            let why = if k == 0 {
                "entry at this close: the initial stop is P1's proposed SL"
            } else {
                "the stop ended the trade inside this bar: no proposal at its close"
            };
            out.push(ro("action", "P2 proposes", why.to_string()));
        }
    }
    out
}

/// One row of the summary table: a measure for the theta and both baselines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryRow {
    /// Stable key (`data-testid` suffix).
    pub key: &'static str,
    /// The measure.
    pub label: &'static str,
    /// With the theta (P0 + P1 + P2).
    pub theta: String,
    /// Hold to the initial stop.
    pub hold: String,
    /// P1's trailing stop alone.
    pub trail: String,
}

fn measures(s: &Summary) -> [String; 8] {
    [
        s.trades.to_string(),
        format!("{} %", fixed(s.win_rate * 100.0, 1)),
        fixed(s.mean_r, 3),
        fixed(s.median_r, 3),
        fixed(s.expectancy, 3),
        fixed(s.total_r, 2),
        fixed(s.max_drawdown_r, 2),
        format!("{} / {}", fixed(s.worst_r, 2), fixed(s.best_r, 2)),
    ]
}

const MEASURES: [(&str, &str); 8] = [
    ("trades", "Trades"),
    ("win-rate", "Win rate"),
    ("mean", "Mean R"),
    ("median", "Median R"),
    ("expectancy", "Expectancy (R)"),
    ("total", "Total R"),
    ("drawdown", "Worst drawdown (R)"),
    ("range", "Worst / best R"),
];

/// The summary table of `report`.
pub fn summary_rows(report: &Report) -> Vec<SummaryRow> {
    let (a, b, c) = (
        measures(&report.theta),
        measures(&report.hold),
        measures(&report.trail),
    );
    MEASURES
        .iter()
        .enumerate()
        .map(|(k, &(key, label))| SummaryRow {
            key,
            label,
            theta: a[k].clone(),
            hold: b[k].clone(),
            trail: c[k].clone(),
        })
        .collect()
}

/// One row of the per-symbol table: a symbol's figures (or the pooled ones) with the theta,
/// and the expectancy of both baselines on the same trades.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SymbolRow {
    /// Stable key: the symbol, or `pooled`.
    pub key: String,
    /// What the row is: the symbol, or "Pooled (N symbols)".
    pub label: String,
    /// Whether it is the pooled row.
    pub pooled: bool,
    /// Trades, win rate, mean, median, expectancy, total, worst drawdown, worst / best (as
    /// [`summary_rows`] formats them).
    pub theta: [String; 8],
    /// Expectancy holding to the initial stop.
    pub hold: String,
    /// Expectancy of P1's trailing stop alone.
    pub trail: String,
}

/// The per-symbol table of `run`: a row a symbol, then the pooled row.
///
/// ```
/// use harvest_features::replay::pool::{PooledRun, SymbolRun};
/// use harvest_features::replay::view::symbol_rows;
/// use harvest_features::replay::Report;
/// let one = |s: &str| SymbolRun { symbol: s.into(), rows: vec![], report: Report::default() };
/// let rows = symbol_rows(&PooledRun::of(vec![one("BTCUSD"), one("ETHUSD")]));
/// let keys: Vec<&str> = rows.iter().map(|r| r.key.as_str()).collect();
/// assert_eq!(keys, ["BTCUSD", "ETHUSD", "pooled"]);
/// assert_eq!(rows[2].label, "Pooled (2 symbols)");
/// assert_eq!(rows[0].theta[4], "0.000");
/// ```
pub fn symbol_rows(run: &PooledRun) -> Vec<SymbolRow> {
    let row = |key: &str, label: String, pooled: bool, r: &Report| SymbolRow {
        key: key.to_string(),
        label,
        pooled,
        theta: measures(&r.theta),
        hold: fixed(r.hold.expectancy, 3),
        trail: fixed(r.trail.expectancy, 3),
    };
    run.symbols
        .iter()
        .map(|s| row(&s.symbol, s.symbol.clone(), false, &s.report))
        .chain(std::iter::once(row(
            "pooled",
            format!(
                "Pooled ({} symbol{})",
                run.symbols.len(),
                if run.symbols.len() == 1 { "" } else { "s" }
            ),
            true,
            &run.report,
        )))
        .collect()
}

/// The per-symbol table's measure columns (the labels of [`SymbolRow::theta`], as the summary
/// table names them).
pub fn symbol_columns() -> [&'static str; 8] {
    MEASURES.map(|(_, label)| label)
}

/// The entry bar for a date and time typed by a trader (`2018-03-01T12:00`, as a
/// `datetime-local` input gives it, or any form [`parse_time`](harvest_market::parse_time)
/// reads; UTC): the first bar at or after it among the bars a trade can enter (P0 needs
/// [`MIN_CLOSES`](harvest_market::MIN_CLOSES) closes first; the last bar has no next one).
///
/// # Errors
/// The text is not a time, or it falls after the last bar a trade can enter (both named, with
/// the range the series allows).
///
/// ```
/// use harvest_features::replay::view::entry_at_time;
/// use harvest_features::replay::Series;
/// use harvest_market::{Bar, P0Params};
/// let bars: Vec<Bar> = (0..400)
///     .map(|i| Bar { time: 1_500_000_000 + 3600 * i, open: 1.0, high: 1.0, low: 1.0, close: 1.0, volume: None })
///     .collect();
/// let s = Series::new(bars, P0Params::default());
/// assert_eq!(entry_at_time(&s, "2017-07-20T00:00"), Ok(256)); // before the first entry bar
/// assert_eq!(entry_at_time(&s, "2017-07-24 19:00"), Ok(257)); // the next bar at or after it
/// assert!(entry_at_time(&s, "2020-01-01").unwrap_err().contains("after the last bar"));
/// assert!(entry_at_time(&s, "yesterday").is_err());
/// ```
pub fn entry_at_time(series: &Series, text: &str) -> Result<usize, String> {
    let t = harvest_market::parse_time(text).map_err(|e| format!("{text:?} is not a time: {e}"))?;
    let first = harvest_market::MIN_CLOSES - 1;
    let last = series.bars.len().saturating_sub(2);
    if series.bars.len() <= first + 1 {
        return Err(format!(
            "{} bars: a trade needs more than {} (P0 needs {} closes first)",
            series.bars.len(),
            first + 1,
            harvest_market::MIN_CLOSES
        ));
    }
    let k = series.bars.partition_point(|b| b.time < t).max(first);
    if k > last {
        return Err(format!(
            "{} is after the last bar a trade can enter ({}); entries run from {} to {}",
            fmt_time(t),
            fmt_time(series.bars[last].time),
            fmt_time(series.bars[first].time),
            fmt_time(series.bars[last].time)
        ));
    }
    Ok(k)
}

/// One row of the A/B table: a measure for A and B on the same trades, and B − A.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AbRow {
    /// Stable key (`data-testid` suffix).
    pub key: &'static str,
    /// The measure.
    pub label: &'static str,
    /// Theta A.
    pub a: String,
    /// Theta B.
    pub b: String,
    /// B − A (signed; empty for the trade count and the range).
    pub delta: String,
}

/// The A/B table: A and B side by side, each measure's B − A.
///
/// ```
/// use harvest_features::replay::{compare_ab, TradeRow};
/// use harvest_features::replay::view::ab_rows;
/// let ab = compare_ab(&[], &[]);
/// let rows = ab_rows(&ab);
/// assert_eq!(rows[0].label, "Trades");
/// assert_eq!(rows[4].delta, "+0.000");
/// ```
pub fn ab_rows(ab: &AbSummary) -> Vec<AbRow> {
    let (a, b) = (measures(&ab.a), measures(&ab.b));
    let signed = |v: f64, d: usize| format!("{}{}", if v >= 0.0 { "+" } else { "" }, fixed(v, d));
    let deltas: [String; 8] = [
        String::new(),
        format!("{} pp", signed((ab.b.win_rate - ab.a.win_rate) * 100.0, 1)),
        signed(ab.b.mean_r - ab.a.mean_r, 3),
        signed(ab.b.median_r - ab.a.median_r, 3),
        signed(ab.b.expectancy - ab.a.expectancy, 3),
        signed(ab.b.total_r - ab.a.total_r, 2),
        signed(ab.b.max_drawdown_r - ab.a.max_drawdown_r, 2),
        String::new(),
    ];
    MEASURES
        .iter()
        .enumerate()
        .map(|(k, &(key, label))| AbRow {
            key,
            label,
            a: a[k].clone(),
            b: b[k].clone(),
            delta: deltas[k].clone(),
        })
        .collect()
}

/// The summary in one sentence.
pub fn summary_sentence(report: &Report) -> String {
    let s = &report.theta;
    if s.trades == 0 {
        return "No trades: nothing could be simulated.".to_string();
    }
    let vs = |x: f64, y: f64| {
        if x > y + 1e-9 {
            "better than"
        } else if x < y - 1e-9 {
            "worse than"
        } else {
            "level with"
        }
    };
    format!(
        "{} trades: expectancy {} R per trade, {} holding to the initial stop ({} R) and {} P1's trailing stop alone ({} R); {} cut by the horizon.",
        s.trades,
        fixed(s.expectancy, 3),
        vs(s.expectancy, report.hold.expectancy),
        fixed(report.hold.expectancy, 3),
        vs(s.expectancy, report.trail.expectancy),
        fixed(report.trail.expectancy, 3),
        report.open_end
    )
}

/// The cells of a trade-list row: #, side, entry time, entry, exit reason, bars, partials, R,
/// hold R, trail R.
pub fn trade_cells(r: &TradeRow) -> [String; 10] {
    [
        (r.n + 1).to_string(),
        r.side.as_str().to_string(),
        fmt_time(r.entry_time),
        fmt_price(r.entry_price),
        r.exit_reason.as_str().replace('_', " "),
        r.bars.to_string(),
        r.partials.to_string(),
        fixed(r.r, 2),
        fixed(r.hold_r, 2),
        fixed(r.trail_r, 2),
    ]
}

/// Headers of [`trade_cells`].
pub const TRADE_COLUMNS: [&str; 10] = [
    "#",
    "Side",
    "Entry (UTC)",
    "Entry",
    "Exit",
    "Bars",
    "Partials",
    "R",
    "Hold R",
    "Trail R",
];

/// One histogram bar: its label, count and width in percent of the largest bin.
#[derive(Debug, Clone, PartialEq)]
pub struct HistBar {
    /// `"-1 … -0.5"`.
    pub label: String,
    /// Trades in the bin.
    pub count: usize,
    /// Width, percent of the fullest bin.
    pub pct: f64,
}

/// The histogram of a summary, as bars (empty bins at either end left out).
pub fn hist_bars(s: &Summary) -> Vec<HistBar> {
    let max = s.histogram.iter().copied().max().unwrap_or(0).max(1);
    let first = s.histogram.iter().position(|&c| c > 0).unwrap_or(0);
    let last = s.histogram.iter().rposition(|&c| c > 0).unwrap_or(0);
    (first..=last.max(first))
        .filter(|&k| k < s.histogram.len())
        .map(|k| HistBar {
            label: hist_label(k, s.histogram.len()),
            count: s.histogram[k],
            pct: s.histogram[k] as f64 * 100.0 / max as f64,
        })
        .collect()
}

/// A/B in words.
pub fn ab_sentence(ab: &AbSummary) -> String {
    format!(
        "On the same {} trades: A expectancy {} R (total {}), B {} R (total {}); B is better on {}, worse on {}, total {}{} R.",
        ab.a.trades,
        fixed(ab.a.expectancy, 3),
        fixed(ab.a.total_r, 2),
        fixed(ab.b.expectancy, 3),
        fixed(ab.b.total_r, 2),
        ab.b_better,
        ab.b_worse,
        if ab.delta_total_r >= 0.0 { "+" } else { "" },
        fixed(ab.delta_total_r, 2)
    )
}

/// How much a replay shows: 3 per partial exit, 2 for a P2 full close, 1 per stop move, and up
/// to 4 for its length (one per 12 bars).
pub fn showcase_score(t: &Trade) -> usize {
    let fills: usize = t
        .fills
        .iter()
        .map(|f| match f.kind {
            super::sim::FillKind::Partial => 3,
            super::sim::FillKind::FullClose => 2,
            _ => 0,
        })
        .sum();
    let moves = t
        .steps
        .iter()
        .filter(|s| s.mover != StopMover::None)
        .count();
    fills + moves.min(8) + (t.bars / 12).min(4)
}

/// The trade the view opens with: among LONG entries every 24 bars from the first possible one
/// (at most `tries`), the one with the highest [`showcase_score`] that is not cut by the end of
/// the data (the first such on ties).
pub fn showcase(series: &Series, theta: &Theta, p: &SimParams, tries: usize) -> Option<Trade> {
    let mut best: Option<(usize, Trade)> = None;
    let mut i = series.first_state();
    let mut n = 0;
    while i + 1 < series.bars.len() && n < tries {
        if let Ok(t) = simulate(series, i, Side::Long, theta, p, true) {
            let score = if t.exit_reason == ExitReason::EndOfData {
                0
            } else {
                showcase_score(&t)
            };
            if best.as_ref().is_none_or(|(b, _)| score > *b) {
                best = Some((score, t));
            }
        }
        i += 24;
        n += 1;
    }
    best.map(|(_, t)| t)
}
