//! Backtests: many trades on one [`Series`] (its market states computed once), their summary in
//! R beside the two baselines, theta A against theta B on the same trades, and a sweep of two
//! theta axes (expectancy per cell). Every runner works a slice at a time (`step(more)`), so the
//! dashboard can yield to the browser between slices; `run` does it all at once.

use serde::{Deserialize, Serialize};

use super::sim::{simulate, ExitReason, Series, SimError, SimParams, Trade};
use crate::format::Short;
use harvest_kernel::echo::Echo;
use harvest_kernel::{Side, Theta, ThetaField};

/// Which sides an entry rule opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Sides {
    /// LONG only.
    #[default]
    Long,
    /// SHORT only.
    Short,
    /// A LONG and a SHORT at each entry bar.
    Both,
}

impl Sides {
    /// Parses `long`, `short` or `both` (any case).
    pub fn parse(s: &str) -> Option<Sides> {
        match s.trim().to_ascii_lowercase().as_str() {
            "long" => Some(Sides::Long),
            "short" => Some(Sides::Short),
            "both" => Some(Sides::Both),
            _ => None,
        }
    }

    /// The spelling `parse` reads.
    pub fn as_str(self) -> &'static str {
        match self {
            Sides::Long => "long",
            Sides::Short => "short",
            Sides::Both => "both",
        }
    }

    fn sides(self) -> &'static [Side] {
        match self {
            Sides::Long => &[Side::Long],
            Sides::Short => &[Side::Short],
            Sides::Both => &[Side::Long, Side::Short],
        }
    }
}

/// One entry: a bar and a side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Entry {
    /// The bar whose close is the entry.
    pub index: usize,
    /// LONG or SHORT.
    pub side: Side,
}

/// Entries every `every` bars from the first bar with a market state (bar 256) up to the bar
/// before the last, on `sides`; at most `limit` of them (0: no limit).
///
/// ```
/// use harvest_features::replay::{every_n, Sides};
/// let e = every_n(300, 10, Sides::Both, 0);
/// assert_eq!(e.len(), 2 * 5); // bars 256, 266, 276, 286, 296
/// assert_eq!(e[0].index, 256);
/// ```
pub fn every_n(bars: usize, every: usize, sides: Sides, limit: usize) -> Vec<Entry> {
    let first = harvest_market::MIN_CLOSES - 1;
    let every = every.max(1);
    let mut out = Vec::new();
    let mut i = first;
    while i + 1 < bars {
        for &side in sides.sides() {
            if limit > 0 && out.len() >= limit {
                return out;
            }
            out.push(Entry { index: i, side });
        }
        i += every;
    }
    out
}

/// Entries from a list of (time, side): each at the first bar at or after its time. A time past
/// the last bar, or whose bar has no market state yet (before bar 256), is reported with its
/// position in the list (1-based) and left out.
pub fn entries_at(series: &Series, list: &[(i64, Side)]) -> (Vec<Entry>, Vec<String>) {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for (k, &(time, side)) in list.iter().enumerate() {
        match series.index_at(time) {
            Some(i) if i >= series.first_state() && i + 1 < series.bars.len() => {
                out.push(Entry { index: i, side })
            }
            Some(i) if i + 1 >= series.bars.len() => problems.push(format!(
                "entry {}: time {time} is at the last bar: nothing to simulate after it",
                k + 1
            )),
            Some(_) => problems.push(format!(
                "entry {}: time {time} is before bar {}, the first with a market state ({} closes)",
                k + 1,
                series.first_state(),
                harvest_market::MIN_CLOSES
            )),
            None => problems.push(format!(
                "entry {}: time {time} is after the last bar",
                k + 1
            )),
        }
    }
    (out, problems)
}

/// Parses a list of entries, one per line: `time,side` (time as epoch seconds, or ISO 8601
/// `YYYY-MM-DD[ HH:MM[:SS]]` read as UTC; side LONG or SHORT, any case). Blank lines, `#`
/// comments and a header line naming `time` are skipped; bad lines are reported with their
/// number and left out.
///
/// ```
/// use harvest_features::replay::parse_entries;
/// use harvest_kernel::Side;
/// let (e, bad) = parse_entries("time,side\n1500000000,long\n2019-10-17 09:00,SHORT\nx,y\n");
/// assert_eq!(e, vec![(1500000000, Side::Long), (1571302800, Side::Short)]);
/// assert_eq!(bad.len(), 1);
/// assert!(bad[0].starts_with("line 4"));
/// ```
pub fn parse_entries(text: &str) -> (Vec<(i64, Side)>, Vec<String>) {
    let mut out = Vec::new();
    let mut bad = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut parts = line.split([',', ';', '\t']).map(str::trim);
        let (t, s) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        if n == 0 && t.eq_ignore_ascii_case("time") {
            continue;
        }
        let side = match s.to_ascii_uppercase().as_str() {
            "LONG" => Some(Side::Long),
            "SHORT" => Some(Side::Short),
            _ => None,
        };
        match (harvest_market::parse_time(t), side) {
            (Ok(t), Some(side)) => out.push((t, side)),
            (Err(e), _) => bad.push(format!(
                "line {}: `{}` is no time (epoch seconds or YYYY-MM-DD HH:MM): {e}",
                n + 1,
                Echo(t)
            )),
            (_, None) => bad.push(format!(
                "line {}: `{}` is no side (LONG or SHORT)",
                n + 1,
                Echo(s)
            )),
        }
    }
    (out, bad)
}

/// One trade of a backtest, as the table and the JSON Lines show it (no steps).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TradeRow {
    /// Position in the backtest, from 0.
    pub n: usize,
    /// LONG or SHORT.
    pub side: Side,
    /// Entry bar.
    pub entry_index: usize,
    /// Entry time, epoch s.
    pub entry_time: i64,
    /// Entry price.
    pub entry_price: f64,
    /// Initial stop.
    pub initial_sl: f64,
    /// Exit bar.
    pub exit_index: usize,
    /// Why it ended.
    pub exit_reason: ExitReason,
    /// Bars held.
    pub bars: usize,
    /// Partial exits taken.
    pub partials: usize,
    /// Net R with the theta.
    pub r: f64,
    /// Costs in R.
    pub cost_r: f64,
    /// Baseline: hold to the initial stop, R.
    pub hold_r: f64,
    /// Baseline: P1's trailing stop alone, R.
    pub trail_r: f64,
}

impl TradeRow {
    /// The row of trade `n`.
    pub fn of(n: usize, t: &Trade) -> TradeRow {
        TradeRow {
            n,
            side: t.side,
            entry_index: t.entry_index,
            entry_time: t.entry_time,
            entry_price: t.entry_price,
            initial_sl: t.initial_sl,
            exit_index: t.exit_index,
            exit_reason: t.exit_reason,
            bars: t.bars,
            partials: t
                .fills
                .iter()
                .filter(|f| f.kind == super::sim::FillKind::Partial)
                .count(),
            r: t.r,
            cost_r: t.cost_r,
            hold_r: t.hold.r,
            trail_r: t.trail.r,
        }
    }
}

/// Bin edges of the R histogram: −3 … 6 by 0.5, with everything below and above in the end bins.
pub const HIST_LO: f64 = -3.0;
/// Upper edge of the histogram's regular bins.
pub const HIST_HI: f64 = 6.0;
/// Width of a histogram bin, R.
pub const HIST_STEP: f64 = 0.5;

/// The numbers of a set of trade results in R.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Summary {
    /// Trades.
    pub trades: usize,
    /// Trades with R > 0.
    pub wins: usize,
    /// `wins / trades` (0 with no trades).
    pub win_rate: f64,
    /// Mean R.
    pub mean_r: f64,
    /// Median R (mean of the middle two for an even count).
    pub median_r: f64,
    /// `win_rate · mean win − (1 − win_rate) · mean loss` (equals the mean R; kept as the
    /// traders' formula).
    pub expectancy: f64,
    /// Sum of R.
    pub total_r: f64,
    /// Worst peak-to-trough fall of the cumulative R, in trade order (≥ 0).
    pub max_drawdown_r: f64,
    /// Best trade, R.
    pub best_r: f64,
    /// Worst trade, R.
    pub worst_r: f64,
    /// Counts per bin: below −3, then [−3, −2.5) … [5.5, 6), then ≥ 6.
    pub histogram: Vec<usize>,
}

/// The summary of `rs` (in trade order).
///
/// ```
/// use harvest_features::replay::summarize;
/// let s = summarize(&[2.0, -1.0, -1.0, 3.0]);
/// assert_eq!((s.trades, s.wins), (4, 2));
/// assert_eq!((s.mean_r, s.median_r, s.total_r), (0.75, 0.5, 3.0));
/// assert!((s.expectancy - 0.75).abs() < 1e-12);
/// assert_eq!(s.max_drawdown_r, 2.0);
/// ```
pub fn summarize(rs: &[f64]) -> Summary {
    let bins = ((HIST_HI - HIST_LO) / HIST_STEP).round() as usize + 2;
    let mut s = Summary {
        histogram: vec![0; bins],
        ..Summary::default()
    };
    let rs: Vec<f64> = rs.iter().copied().filter(|r| r.is_finite()).collect();
    if rs.is_empty() {
        return s;
    }
    let n = rs.len() as f64;
    s.trades = rs.len();
    s.wins = rs.iter().filter(|&&r| r > 0.0).count();
    s.win_rate = s.wins as f64 / n;
    s.total_r = rs.iter().sum();
    s.mean_r = mean(&rs, s.total_r);
    let mut sorted = rs.clone();
    sorted.sort_by(f64::total_cmp);
    let m = sorted.len() / 2;
    s.median_r = if sorted.len().is_multiple_of(2) {
        let (a, b) = (sorted[m - 1], sorted[m]);
        if (a + b).is_finite() {
            (a + b) / 2.0
        } else {
            a / 2.0 + b / 2.0
        }
    } else {
        sorted[m]
    };
    s.best_r = sorted[sorted.len() - 1];
    s.worst_r = sorted[0];
    let (win_sum, loss_sum): (f64, f64) =
        rs.iter().fold(
            (0.0, 0.0),
            |(w, l), &r| {
                if r > 0.0 {
                    (w + r, l)
                } else {
                    (w, l - r)
                }
            },
        );
    let losses = s.trades - s.wins;
    let avg_win = if s.wins > 0 {
        let wins: Vec<f64> = rs.iter().copied().filter(|&r| r > 0.0).collect();
        mean(&wins, win_sum)
    } else {
        0.0
    };
    let avg_loss = if losses > 0 {
        let losses: Vec<f64> = rs.iter().filter(|&&r| r <= 0.0).map(|r| -r).collect();
        mean(&losses, loss_sum)
    } else {
        0.0
    };
    s.expectancy = s.win_rate * avg_win - (1.0 - s.win_rate) * avg_loss;
    let (mut cum, mut peak, mut dd) = (0.0f64, 0.0f64, 0.0f64);
    for &r in &rs {
        cum += r;
        peak = peak.max(cum);
        dd = dd.max(peak - cum);
    }
    s.max_drawdown_r = dd;
    for &r in &rs {
        let k = if r < HIST_LO {
            0
        } else if r >= HIST_HI {
            bins - 1
        } else {
            (((r - HIST_LO) / HIST_STEP).floor() as usize + 1).min(bins - 2)
        };
        s.histogram[k] += 1;
    }
    s
}

/// The mean of `xs` whose sum is `sum`: `sum / n`, or `Σ x/n` when the sum overflows (R of
/// trades on extreme prices can be 1e305 each).
fn mean(xs: &[f64], sum: f64) -> f64 {
    let n = xs.len() as f64;
    if sum.is_finite() {
        sum / n
    } else {
        xs.iter().map(|x| x / n).sum()
    }
}

impl Summary {
    /// The numbers that are not finite, as `(field, value)`: only `total_r` and
    /// `max_drawdown_r` can be, when the trades' R are too large together (a sum past 1.8e308).
    ///
    /// ```
    /// use harvest_features::replay::summarize;
    /// assert!(summarize(&[1.0, -2.0]).non_finite().is_empty());
    /// assert_eq!(summarize(&[1e308, 1e308]).non_finite()[0].0, "total_r");
    /// ```
    pub fn non_finite(&self) -> Vec<(&'static str, f64)> {
        [
            ("win_rate", self.win_rate),
            ("mean_r", self.mean_r),
            ("median_r", self.median_r),
            ("expectancy", self.expectancy),
            ("total_r", self.total_r),
            ("max_drawdown_r", self.max_drawdown_r),
            ("best_r", self.best_r),
            ("worst_r", self.worst_r),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_finite())
        .collect()
    }
}

/// The label of histogram bin `k` (`"< -3"`, `"-3 … -2.5"`, `"≥ 6"`).
pub fn hist_label(k: usize, bins: usize) -> String {
    use crate::format::shortest;
    if k == 0 {
        format!("< {}", shortest(HIST_LO))
    } else if k + 1 >= bins {
        format!("≥ {}", shortest(HIST_HI))
    } else {
        let lo = HIST_LO + (k - 1) as f64 * HIST_STEP;
        format!("{} … {}", shortest(lo), shortest(lo + HIST_STEP))
    }
}

/// A backtest's summaries: the theta's and both baselines' on the same trades.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Report {
    /// With the theta (P0 + P1 + P2).
    pub theta: Summary,
    /// Hold to the initial stop.
    pub hold: Summary,
    /// P1's trailing stop alone.
    pub trail: Summary,
    /// Trades cut by the horizon (`max_bars` or the end of the data).
    pub open_end: usize,
    /// Entries that could not be simulated, with why.
    pub skipped: Vec<String>,
}

impl Report {
    /// The report of `rows`.
    pub fn of(rows: &[TradeRow], skipped: Vec<String>) -> Report {
        let col = |f: fn(&TradeRow) -> f64| rows.iter().map(f).collect::<Vec<_>>();
        Report {
            theta: summarize(&col(|r| r.r)),
            hold: summarize(&col(|r| r.hold_r)),
            trail: summarize(&col(|r| r.trail_r)),
            open_end: rows.iter().filter(|r| r.exit_reason.is_open_end()).count(),
            skipped,
        }
    }
}

/// A backtest in progress: trades simulated one at a time over shared market states.
#[derive(Debug, Clone)]
pub struct Backtest {
    /// The entries, in order.
    pub entries: Vec<Entry>,
    /// The theta.
    pub theta: Theta,
    /// The simulation's settings.
    pub params: SimParams,
    /// One row per simulated entry, in entry order.
    pub rows: Vec<TradeRow>,
    /// Entries that could not be simulated.
    pub skipped: Vec<String>,
    /// Next entry to simulate.
    pub next: usize,
}

impl Backtest {
    /// A backtest of `entries` with `theta`.
    ///
    /// # Errors
    /// The settings or theta are invalid (nothing would run).
    pub fn new(entries: Vec<Entry>, theta: Theta, params: SimParams) -> Result<Backtest, SimError> {
        params.validate()?;
        theta.validate().map_err(SimError::Theta)?;
        Ok(Backtest {
            rows: Vec::with_capacity(entries.len()),
            entries,
            theta,
            params,
            skipped: Vec::new(),
            next: 0,
        })
    }

    /// Simulates entries while `more()` says so (at least one); true when all are done.
    pub fn step(&mut self, series: &Series, mut more: impl FnMut() -> bool) -> bool {
        while self.next < self.entries.len() {
            let e = self.entries[self.next];
            self.next += 1;
            match simulate(series, e.index, e.side, &self.theta, &self.params, false) {
                Ok(t) => self.rows.push(TradeRow::of(self.rows.len(), &t)),
                Err(err) => {
                    self.skipped
                        .push(format!("{} at bar {}: {err}", e.side.as_str(), e.index))
                }
            }
            if !more() {
                break;
            }
        }
        self.done()
    }

    /// Whether every entry was simulated.
    pub fn done(&self) -> bool {
        self.next >= self.entries.len()
    }

    /// Runs to the end and returns the rows and the report.
    pub fn run(mut self, series: &Series) -> (Vec<TradeRow>, Report) {
        self.step(series, || true);
        let report = Report::of(&self.rows, self.skipped);
        (self.rows, report)
    }

    /// The report so far.
    pub fn report(&self) -> Report {
        Report::of(&self.rows, self.skipped.clone())
    }
}

/// Theta A against theta B on the same trades.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AbSummary {
    /// A's report.
    pub a: Summary,
    /// B's report.
    pub b: Summary,
    /// Trades where B's R is higher by more than 1e-9.
    pub b_better: usize,
    /// Trades where B's R is lower by more than 1e-9.
    pub b_worse: usize,
    /// `b.total_r − a.total_r`.
    pub delta_total_r: f64,
}

/// Compares the rows of the same entries under A and B (matched by entry bar and side).
pub fn compare_ab(a: &[TradeRow], b: &[TradeRow]) -> AbSummary {
    let by_entry: std::collections::HashMap<(usize, Side), f64> =
        b.iter().map(|y| ((y.entry_index, y.side), y.r)).collect();
    let (mut better, mut worse) = (0, 0);
    let (mut ra, mut rb) = (Vec::new(), Vec::new());
    for x in a {
        if let Some(&r) = by_entry.get(&(x.entry_index, x.side)) {
            ra.push(x.r);
            rb.push(r);
            if r > x.r + 1e-9 {
                better += 1;
            } else if r < x.r - 1e-9 {
                worse += 1;
            }
        }
    }
    let (a, b) = (summarize(&ra), summarize(&rb));
    AbSummary {
        delta_total_r: b.total_r - a.total_r,
        a,
        b,
        b_better: better,
        b_worse: worse,
    }
}

/// One axis of a theta sweep: a tunable and the values it takes (evenly spaced).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SweepAxis {
    /// The tunable (its key in JSON, e.g. `"kill_threshold"`).
    #[serde(with = "theta_key")]
    pub field: ThetaField,
    /// First value.
    pub lo: f64,
    /// Last value.
    pub hi: f64,
    /// Number of values (≥ 2).
    pub n: usize,
}

impl SweepAxis {
    /// Value `k` of `n` (`lo` … `hi`).
    pub fn value(&self, k: usize) -> f64 {
        if self.n < 2 {
            return self.lo;
        }
        self.lo + (self.hi - self.lo) * k as f64 / (self.n - 1) as f64
    }

    /// The axis over the tunable's slider range ([`theta_range`]: min … max), `n` values.
    pub fn over(field: ThetaField, n: usize) -> SweepAxis {
        let spec = field.spec().slider;
        SweepAxis {
            field,
            lo: spec.min,
            hi: spec.max,
            n: n.max(2),
        }
    }

    /// The axis from half to one and a half times `theta`'s value of the tunable (inside its
    /// slider range; the whole range when the value is 0 or less), both ends on the slider's
    /// steps (so they read as round numbers), `n` values.
    ///
    /// ```
    /// use harvest_features::replay::SweepAxis;
    /// use harvest_kernel::{Theta, ThetaField};
    /// let a = SweepAxis::around(ThetaField::KillThreshold, &Theta::default(), 5);
    /// assert_eq!((a.lo, a.hi, a.n), (0.3, 0.9, 5));
    /// ```
    pub fn around(field: ThetaField, theta: &Theta, n: usize) -> SweepAxis {
        let spec = field.spec().slider;
        let v = theta.get(field);
        // On the slider's grid: k / (1 / step) when 1 / step is whole (0.9, not 0.8999…).
        let snap = |x: f64| {
            let k = (x / spec.step).round();
            let inv = (1.0 / spec.step).round();
            let on = if inv >= 1.0 && (inv * spec.step - 1.0).abs() < 1e-9 {
                k / inv
            } else {
                k * spec.step
            };
            on.clamp(spec.min, spec.max)
        };
        let (lo, hi) = if v > 0.0 && v.is_finite() {
            (snap((v * 0.5).max(spec.min)), snap((v * 1.5).min(spec.max)))
        } else {
            (spec.min, spec.max)
        };
        let (lo, hi) = if hi > lo {
            (lo, hi)
        } else {
            (spec.min, spec.max)
        };
        SweepAxis {
            field,
            lo,
            hi,
            n: n.max(2),
        }
    }

    /// Parses `key=lo:hi:n` (e.g. `kill_threshold=0.4:0.8:5`).
    ///
    /// # Errors
    /// A [`SweepAxisError`] naming the part that is wrong and what is allowed.
    ///
    /// ```
    /// use harvest_features::replay::{SweepAxis, SweepAxisError};
    /// let a = SweepAxis::parse("kill_threshold=0.4:0.8:5").unwrap();
    /// assert_eq!((a.lo, a.hi, a.n), (0.4, 0.8, 5));
    /// assert_eq!(SweepAxis::parse("T1_R=1:3:65"), Err(SweepAxisError::Count("65".into())));
    /// ```
    pub fn parse(s: &str) -> Result<SweepAxis, SweepAxisError> {
        let (key, range) = s
            .split_once('=')
            .ok_or_else(|| SweepAxisError::Shape(s.to_string()))?;
        let field = ThetaField::from_key(key.trim())
            .ok_or_else(|| SweepAxisError::UnknownKey(key.to_string()))?;
        let parts: Vec<&str> = range.split(':').map(str::trim).collect();
        let [lo, hi, n] = parts[..] else {
            return Err(SweepAxisError::Range(range.to_string()));
        };
        let num = |t: &str| {
            t.parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| SweepAxisError::NotANumber(t.to_string()))
        };
        let (lo, hi) = (num(lo)?, num(hi)?);
        let n: usize = n
            .parse()
            .ok()
            .filter(|n| (2..=MAX_SWEEP_N).contains(n))
            .ok_or_else(|| SweepAxisError::Count(n.to_string()))?;
        if lo >= hi {
            return Err(SweepAxisError::Empty { field, lo, hi });
        }
        Ok(SweepAxis { field, lo, hi, n })
    }
}

/// A tunable as its key in JSON (`"kill_threshold"`, `"T1_R"`), the spec's spelling.
mod theta_key {
    use harvest_kernel::ThetaField;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(f: &ThetaField, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(f.key())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<ThetaField, D::Error> {
        let key = String::deserialize(d)?;
        ThetaField::from_key(&key)
            .ok_or_else(|| serde::de::Error::custom(format!("`{key}` is not a theta tunable")))
    }
}

/// Most values of one sweep axis.
pub const MAX_SWEEP_N: usize = 64;

/// Why a `--sweep` axis (`key=lo:hi:n`) was refused; the message names the part and what is
/// allowed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SweepAxisError {
    /// No `=`.
    #[error("`{}`: expected key=lo:hi:n, e.g. kill_threshold=0.4:0.8:5", Echo(.0))]
    Shape(String),
    /// The key is no tunable.
    #[error("`{}` is not a theta tunable; allowed: {keys}", Echo(.0), keys = theta_keys())]
    UnknownKey(String),
    /// Not three `:`-separated parts.
    #[error("`{}`: expected lo:hi:n", Echo(.0))]
    Range(String),
    /// `lo` or `hi` is no finite number.
    #[error("`{}` is not a finite number", Echo(.0))]
    NotANumber(String),
    /// `n` is no integer in 2 … [`MAX_SWEEP_N`].
    #[error("`{}`: the number of values must be 2 … {MAX_SWEEP_N}", Echo(.0))]
    Count(String),
    /// `lo ≥ hi`.
    #[error("{}: lo {} must be below hi {}", .field.key(), Short(*.lo), Short(*.hi))]
    Empty {
        /// The tunable.
        field: ThetaField,
        /// The first number.
        lo: f64,
        /// The second number.
        hi: f64,
    },
}

/// The tunables' keys, comma-separated (for [`SweepAxisError::UnknownKey`]).
fn theta_keys() -> String {
    ThetaField::ALL
        .iter()
        .map(|f| f.key())
        .collect::<Vec<_>>()
        .join(", ")
}

/// One cell of a sweep.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SweepCell {
    /// x value.
    pub x: f64,
    /// y value.
    pub y: f64,
    /// The summary, or `None` when theta is invalid there (e.g. T1_R above T2_R).
    pub summary: Option<Summary>,
}

/// A sweep of two theta axes over the same entries, a cell at a time.
#[derive(Debug, Clone)]
pub struct ThetaSweep {
    /// Horizontal axis.
    pub x: SweepAxis,
    /// Vertical axis.
    pub y: SweepAxis,
    /// The theta the other tunables come from.
    pub base: Theta,
    /// The entries.
    pub entries: Vec<Entry>,
    /// The simulation's settings.
    pub params: SimParams,
    /// Cells done, row by row (y outer, x inner).
    pub cells: Vec<SweepCell>,
    /// The cell in progress.
    current: Option<Backtest>,
}

impl ThetaSweep {
    /// A sweep of `x` × `y` around `base`.
    ///
    /// # Errors
    /// Same axis twice, or invalid settings.
    pub fn new(
        x: SweepAxis,
        y: SweepAxis,
        base: Theta,
        entries: Vec<Entry>,
        params: SimParams,
    ) -> Result<ThetaSweep, SimError> {
        params.validate()?;
        // The cells need the trades' R only: the baselines do not depend on theta.
        let params = SimParams {
            baselines: false,
            ..params
        };
        if x.field == y.field {
            return Err(SimError::SameAxis(x.field));
        }
        Ok(ThetaSweep {
            x,
            y,
            base,
            entries,
            params,
            cells: Vec::with_capacity(x.n * y.n),
            current: None,
        })
    }

    /// Cells in all.
    pub fn total(&self) -> usize {
        self.x.n * self.y.n
    }

    /// Trades simulated so far (for progress), out of `total() · entries`.
    pub fn trades_done(&self) -> usize {
        self.cells.len() * self.entries.len() + self.current.as_ref().map_or(0, |b| b.next)
    }

    /// Whether every cell is done.
    pub fn done(&self) -> bool {
        self.cells.len() >= self.total()
    }

    /// Works while `more()` says so; true when every cell is done.
    pub fn step(&mut self, series: &Series, mut more: impl FnMut() -> bool) -> bool {
        while !self.done() {
            let k = self.cells.len();
            let (xv, yv) = (self.x.value(k % self.x.n), self.y.value(k / self.x.n));
            if self.current.is_none() {
                let theta = self.base.with(self.x.field, xv).with(self.y.field, yv);
                match Backtest::new(self.entries.clone(), theta, self.params) {
                    Ok(b) => self.current = Some(b),
                    Err(_) => {
                        self.cells.push(SweepCell {
                            x: xv,
                            y: yv,
                            summary: None,
                        });
                        if !more() {
                            break;
                        }
                        continue;
                    }
                }
            }
            let Some(b) = self.current.as_mut() else {
                break;
            };
            let finished = b.step(series, &mut more);
            if finished {
                let rows = std::mem::take(&mut b.rows);
                self.current = None;
                let rs: Vec<f64> = rows.iter().map(|r| r.r).collect();
                self.cells.push(SweepCell {
                    x: xv,
                    y: yv,
                    summary: Some(summarize(&rs)),
                });
            }
            if !more() {
                break;
            }
        }
        self.done()
    }

    /// The CSV: a header, then one row per cell (y outer, x inner).
    pub fn to_csv(&self) -> String {
        let mut s = format!(
            "{},{},trades,win_rate,mean_r,median_r,expectancy,total_r,max_drawdown_r\n",
            self.x.field.key(),
            self.y.field.key()
        );
        use crate::format::{shortest, Short};
        // The results in shortest form: R on extreme prices can be 1e305, not 306 digits.
        for c in &self.cells {
            s.push_str(&format!("{},{}", shortest(c.x), shortest(c.y)));
            match &c.summary {
                Some(m) => s.push_str(&format!(
                    ",{},{},{},{},{},{},{}\n",
                    m.trades,
                    Short(m.win_rate),
                    Short(m.mean_r),
                    Short(m.median_r),
                    Short(m.expectancy),
                    Short(m.total_r),
                    Short(m.max_drawdown_r)
                )),
                None => s.push_str(",,,,,,,\n"),
            }
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_of_nothing_and_of_losses() {
        let s = summarize(&[]);
        assert_eq!(s.trades, 0);
        assert_eq!(s.histogram.iter().sum::<usize>(), 0);
        let s = summarize(&[-1.0, -1.0, -1.0]);
        assert_eq!(s.win_rate, 0.0);
        assert_eq!(s.max_drawdown_r, 3.0);
        assert_eq!(s.expectancy, -1.0);
        assert_eq!(s.histogram[5], 3); // [-1, -0.5)
        let h = summarize(&[-10.0, 10.0, 0.0]).histogram;
        assert_eq!((h[0], h[h.len() - 1], h[7]), (1, 1, 1));
        assert_eq!(hist_label(0, h.len()), "< -3");
        assert_eq!(hist_label(7, h.len()), "0 … 0.5");
        assert_eq!(hist_label(h.len() - 1, h.len()), "≥ 6");
    }

    #[test]
    fn sweep_axis_parses() {
        let a = SweepAxis::parse("kill_threshold=0.4:0.8:5").unwrap();
        assert_eq!((a.field, a.n), (ThetaField::KillThreshold, 5));
        assert!((a.value(2) - 0.6).abs() < 1e-12);
        for bad in [
            "x",
            "nope=1:2:3",
            "kill_threshold=1:0:3",
            "kill_threshold=0:1:1",
            "t1_r=a:2:3",
        ] {
            assert!(SweepAxis::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn every_n_stops_before_the_last_bar_and_at_the_limit() {
        assert!(every_n(257, 1, Sides::Long, 0).is_empty());
        assert_eq!(every_n(258, 1, Sides::Long, 0).len(), 1);
        assert_eq!(every_n(10_000, 1, Sides::Both, 7).len(), 7);
    }
}
