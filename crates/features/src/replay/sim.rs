//! The trade simulation: one position on real bars, P0 → P1 → P2 at every close.
//!
//! Enter at bar `e`'s close (qty 1); the initial stop is P1's proposed SL at entry. Each later
//! bar `i`:
//!
//! 1. the stop in force is checked against the bar's range: LONG is stopped when
//!    `low ≤ stop` (SHORT when `high ≥ stop`), filled at the stop, or at the open when the bar
//!    opens through it (`open ≤ stop` LONG, `open ≥ stop` SHORT);
//! 2. otherwise, at the close, P0's state of bar `i`, P1 ([`propose_stops`]) and P2
//!    ([`harvest_kernel::evaluate`]) run on the position as it stands: remaining quantity,
//!    peak = highest high and trough = lowest low since entry, age from the timestamps, the
//!    current SL, the unrealized PnL of the remaining quantity;
//! 3. FULL_CLOSE_PROPOSED closes the rest at the close; PARTIAL_x closes what brings the closed
//!    share of the original quantity up to x % (each level once, since the closed share only
//!    grows);
//! 4. the stop becomes the tightest of the current one, P2's break-even-plus (when proposed)
//!    and P1's proposal (unless P1's trailing is switched off), and is in force from the next
//!    bar on.
//!
//! A trade still open after [`SimParams::max_bars`] bars or at the last bar closes at that
//! bar's close, marked [`ExitReason::MaxBars`] / [`ExitReason::EndOfData`]. Every fill costs
//! `cost_bps / 10000 · price · qty`. The result is in R: net PnL over the initial risk
//! `|entry − initial stop|`, beside two baselines on the same trade and horizon: holding to the
//! initial stop, and P1's trailing stop alone.

use serde::Serialize;

use crate::format::Short;
use harvest_kernel::{
    evaluate, HarvestAction, HarvestInput, KComponents, KernelError, P1Proposal, Position,
    ReasonCode, Side, Theta, ThetaField,
};
use harvest_market::{
    market_state, market_states, Bar, MarketState, P0Params, P1Params, StopInput, StopReason,
    MIN_CLOSES,
};

/// The simulation's settings; `Default` is the documented baseline.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SimParams {
    /// Cost of every fill (entry and each exit), basis points of the filled notional. Default 10.
    pub cost_bps: f64,
    /// Bars after entry at most; still open then, the trade closes at that close. Default 500.
    pub max_bars: usize,
    /// Whether P1's proposal moves the stop (else only P2's break-even-plus does). Default true.
    pub trail: bool,
    /// Whether the two baselines (hold to the initial stop, P1's trailing stop alone) are
    /// simulated beside the trade. Default true. They do not depend on theta, so a sweep of
    /// many thetas over the same trades switches them off; their R is NaN then
    /// ([`Baseline::skipped`]).
    pub baselines: bool,
    /// P1's tunables.
    pub p1: P1Params,
}

impl Default for SimParams {
    /// 10 bps per fill, 500 bars, P1 trailing on, P1's defaults.
    fn default() -> Self {
        SimParams {
            cost_bps: 10.0,
            max_bars: 500,
            trail: true,
            baselines: true,
            p1: P1Params::default(),
        }
    }
}

/// Why a trade or a simulation could not run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SimError {
    /// A setting is out of range.
    #[error("{field} = {} is out of range: expected {expected}", Short(*.value))]
    Param {
        /// The setting.
        field: &'static str,
        /// Its value.
        value: f64,
        /// The allowed range.
        expected: &'static str,
    },
    /// Theta was rejected by the kernel (its message names the tunable and the allowed range).
    #[error("theta: {0}")]
    Theta(KernelError),
    /// A sweep of one tunable against itself.
    #[error("theta: the sweep's axes must differ (both are {})", .0.key())]
    SameAxis(ThetaField),
    /// The entry bar does not exist.
    #[error("entry bar {index} is past the last bar ({bars} bars)")]
    NoBar {
        /// The entry's bar.
        index: usize,
        /// Bars in the series.
        bars: usize,
    },
    /// No market state at the entry bar (fewer than 257 closes up to it, or not computed yet).
    #[error("no market state at bar {index}: a trade needs {MIN_CLOSES} closes up to its entry (the first possible entry is bar {first})")]
    NoState {
        /// The entry's bar.
        index: usize,
        /// The first bar with a state.
        first: usize,
    },
    /// A bar's price cannot be traded (not finite or ≤ 0).
    #[error("bar {index}: price {} is not a positive number", Short(*.value))]
    BadPrice {
        /// The bar.
        index: usize,
        /// The price.
        value: f64,
    },
    /// The trade's results are not finite numbers: prices so extreme (5e-324 to 1.7e308) that
    /// R or a baseline's R overflows. The trade is left out of every summary, with this reason.
    #[error("bar {index}: not computable: {} (the prices are too extreme)", list(.fields))]
    NotComputable {
        /// The trade's exit bar.
        index: usize,
        /// Every result that is not finite, as `(field, value)`.
        fields: Vec<(&'static str, f64)>,
    },
    /// P1 could not propose a stop.
    #[error("bar {index}: P1: {message}")]
    P1 {
        /// The bar.
        index: usize,
        /// P1's error.
        message: String,
    },
}

/// `r = inf, hold.r = NaN`.
fn list(fields: &[(&str, f64)]) -> String {
    let parts: Vec<String> = fields
        .iter()
        .map(|(f, v)| format!("{f} = {}", Short(*v)))
        .collect();
    parts.join(", ")
}

impl SimParams {
    /// Checks the settings.
    ///
    /// # Errors
    /// [`SimError::Param`] naming the setting: `cost_bps` must be finite and ≥ 0, `max_bars` ≥ 1.
    pub fn validate(&self) -> Result<(), SimError> {
        if !(self.cost_bps.is_finite() && self.cost_bps >= 0.0) {
            return Err(SimError::Param {
                field: "cost_bps",
                value: self.cost_bps,
                expected: "a finite number ≥ 0",
            });
        }
        if self.max_bars == 0 {
            return Err(SimError::Param {
                field: "max_bars",
                value: 0.0,
                expected: "at least 1",
            });
        }
        Ok(())
    }
}

/// Bars whose states [`Series::compute_states`] computes between two calls of its `more`.
pub const STATE_CHUNK: usize = 128;

/// P0's states of bars `a..b` (`b` excluded; bars before 256 have none): [`market_states`]
/// over the closes those bars need (P0 reads only the 257 closes up to a bar, so each state is
/// [`market_state`] of the closes up to its bar). A stretch with a close P0 rejects falls back
/// to one bar at a time, so only the bars that read it have no state.
///
/// ```
/// use harvest_features::replay::sim::states_between;
/// use harvest_market::{market_state, P0Params};
/// let closes: Vec<f64> = (0..300).map(|i| 100.0 + (i as f64 * 0.37).sin()).collect();
/// let p = P0Params::default();
/// let s = states_between(&closes, &p, 250, 300);
/// assert!(s[5].is_none()); // bar 255
/// assert_eq!(s[49], market_state(&closes, &p).ok());
/// ```
pub fn states_between(
    closes: &[f64],
    p0: &P0Params,
    a: usize,
    b: usize,
) -> Vec<Option<MarketState>> {
    let b = b.min(closes.len());
    if a >= b {
        return Vec::new();
    }
    let need = MIN_CLOSES;
    let start = (a + 1).saturating_sub(need);
    match market_states(&closes[start..b], p0) {
        Ok(all) => all[a - start..].to_vec(),
        Err(_) => (a..b)
            .map(|i| {
                (i + 1 >= need)
                    .then(|| market_state(&closes[i + 1 - need..=i], p0).ok())
                    .flatten()
            })
            .collect(),
    }
}

/// A price history and its P0 market states, computed once and shared by every trade.
#[derive(Debug, Clone, Default)]
pub struct Series {
    /// The bars, oldest first.
    pub bars: Vec<Bar>,
    /// The closes (P0's input).
    pub closes: Vec<f64>,
    /// P0's state at each bar's close (`None` before bar 256 and past [`Series::computed`]).
    pub states: Vec<Option<MarketState>>,
    /// States are computed for every bar below this index.
    pub computed: usize,
    /// P0's tunables the states were computed with.
    pub p0: P0Params,
}

impl Series {
    /// The series of `bars` with no state computed yet (see [`Series::compute_states`]).
    pub fn new(bars: Vec<Bar>, p0: P0Params) -> Series {
        let closes: Vec<f64> = bars.iter().map(|b| b.close).collect();
        let n = bars.len();
        Series {
            bars,
            closes,
            states: vec![None; n],
            computed: 0,
            p0,
        }
    }

    /// The series with every state computed.
    pub fn with_states(bars: Vec<Bar>, p0: P0Params) -> Series {
        let mut s = Series::new(bars, p0);
        s.compute_states(|| true);
        s
    }

    /// The first bar that can have a state (`MIN_CLOSES − 1`).
    pub fn first_state(&self) -> usize {
        MIN_CLOSES - 1
    }

    /// Whether every state is computed.
    pub fn ready(&self) -> bool {
        self.computed >= self.bars.len()
    }

    /// Computes states in bar order, [`STATE_CHUNK`] bars at a time, while `more()` says so
    /// (checked after every chunk, so it always makes progress); returns how many bars are done.
    pub fn compute_states(&mut self, more: impl FnMut() -> bool) -> usize {
        self.compute_states_to(self.bars.len(), more)
    }

    /// [`Series::compute_states`], stopping at bar `end` (excluded).
    pub fn compute_states_to(&mut self, end: usize, mut more: impl FnMut() -> bool) -> usize {
        let n = self.bars.len().min(end);
        let first = self.first_state();
        if self.computed < first {
            self.computed = first.min(n);
        }
        while self.computed < n {
            let a = self.computed;
            let b = (a + STATE_CHUNK).min(n);
            let states = states_between(&self.closes, &self.p0, a, b);
            self.states[a..b].copy_from_slice(&states);
            self.computed = b;
            if !more() {
                break;
            }
        }
        self.computed
    }

    /// The index of the first bar at or after `time` (epoch s), if any.
    pub fn index_at(&self, time: i64) -> Option<usize> {
        let i = self.bars.partition_point(|b| b.time < time);
        (i < self.bars.len()).then_some(i)
    }
}

/// Why the position ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExitReason {
    /// The stop was touched inside a bar and filled at the stop.
    Stop,
    /// The bar opened through the stop: filled at the open.
    StopGap,
    /// P2 proposed FULL_CLOSE: the rest closed at the close.
    FullClose,
    /// Still open after `max_bars` bars: closed at that close (marked).
    MaxBars,
    /// Still open at the last bar of the series: closed at its close (marked).
    EndOfData,
}

impl ExitReason {
    /// The spelling in JSON and tables.
    pub fn as_str(self) -> &'static str {
        match self {
            ExitReason::Stop => "stop",
            ExitReason::StopGap => "stop_gap",
            ExitReason::FullClose => "full_close",
            ExitReason::MaxBars => "max_bars",
            ExitReason::EndOfData => "end_of_data",
        }
    }

    /// Whether the trade was cut by the horizon rather than closed by a rule.
    pub fn is_open_end(self) -> bool {
        matches!(self, ExitReason::MaxBars | ExitReason::EndOfData)
    }
}

/// What a fill was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FillKind {
    /// The entry (qty 1).
    Entry,
    /// A PARTIAL_x proposal (the level in percent).
    Partial,
    /// FULL_CLOSE_PROPOSED.
    FullClose,
    /// The stop.
    Stop,
    /// The stop, at the open of a bar that gapped through it.
    StopGap,
    /// The horizon: `max_bars` or the end of the data.
    Horizon,
}

/// One fill.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fill {
    /// The bar.
    pub index: usize,
    /// Its time, epoch s.
    pub time: i64,
    /// What it was.
    pub kind: FillKind,
    /// The price.
    pub price: f64,
    /// Quantity as a share of the original (the entry is 1).
    pub qty: f64,
    /// Closed share of the original after this fill (0 for the entry).
    pub closed: f64,
    /// Gross PnL of the fill, quote currency (`side · (price − entry) · qty`; 0 for the entry).
    pub pnl: f64,
    /// Its cost, quote currency.
    pub cost: f64,
    /// `(pnl − cost) / initial risk`.
    pub r: f64,
    /// P2's action behind it (NONE for entry, stop and horizon fills).
    pub action: HarvestAction,
    /// P2's reason codes behind it.
    pub codes: Vec<ReasonCode>,
}

/// What moved the stop at a close.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StopMover {
    /// Nothing: the stop stayed.
    None,
    /// P1's proposal (its trailing or its distance from the close) tightened it.
    P1Trail,
    /// P2's break-even-plus (profit lock) tightened it.
    P2BePlus,
}

impl StopMover {
    /// The spelling in JSON and legends.
    pub fn as_str(self) -> &'static str {
        match self {
            StopMover::None => "none",
            StopMover::P1Trail => "p1_trail",
            StopMover::P2BePlus => "p2_be_plus",
        }
    }
}

/// P2's evaluation at a close, with P1's proposal it used.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepEval {
    /// P0's state (the kernel's five fields).
    pub market: harvest_kernel::MarketState,
    /// P1's proposed SL.
    pub p1_sl: f64,
    /// P1's proposed TP (its target).
    pub p1_tp: f64,
    /// P1's stop distance (the kernel's risk unit uses it).
    pub stop_dist_pct: f64,
    /// P1's reason codes.
    pub p1_codes: Vec<StopReason>,
    /// Unrealized PnL of the remaining quantity at the close.
    pub pnl: f64,
    /// P2's action.
    pub action: HarvestAction,
    /// P2's reason codes.
    pub codes: Vec<ReasonCode>,
    /// R_net.
    pub r_net: f64,
    /// K.
    pub kill_score: f64,
    /// The kill logit z.
    pub z: f64,
    /// The raw kill components.
    pub k: KComponents,
    /// P2's break-even-plus proposal, when it made one.
    pub be_plus: Option<f64>,
}

/// One bar of the trade's life.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    /// The bar.
    pub index: usize,
    /// Its time, epoch s.
    pub time: i64,
    /// Seconds since entry.
    pub age_sec: f64,
    /// Highest high since entry (the entry price at entry).
    pub peak: f64,
    /// Lowest low since entry.
    pub trough: f64,
    /// Remaining share of the original quantity when the bar opened.
    pub remaining: f64,
    /// The stop in force during the bar.
    pub sl: f64,
    /// The stop in force from the next bar on.
    pub sl_next: f64,
    /// What moved it.
    pub mover: StopMover,
    /// P1/P2 at the close (`None` at the entry bar and when the stop ended the trade).
    pub eval: Option<StepEval>,
}

/// One baseline's result on the same trade and horizon.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Baseline {
    /// Net result in R.
    pub r: f64,
    /// Exit bar.
    pub exit_index: usize,
    /// Exit price.
    pub exit_price: f64,
    /// Why it ended.
    pub exit_reason: ExitReason,
}

impl Baseline {
    /// A baseline not simulated ([`SimParams::baselines`] off): R and price NaN, at the entry.
    pub fn skipped(entry: usize) -> Baseline {
        Baseline {
            r: f64::NAN,
            exit_index: entry,
            exit_price: f64::NAN,
            exit_reason: ExitReason::EndOfData,
        }
    }
}

/// A simulated trade.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trade {
    /// LONG or SHORT.
    pub side: Side,
    /// Entry bar.
    pub entry_index: usize,
    /// Entry time, epoch s.
    pub entry_time: i64,
    /// Entry price (the entry bar's close).
    pub entry_price: f64,
    /// P1's proposed SL at entry.
    pub initial_sl: f64,
    /// P1's proposed TP at entry.
    pub initial_tp: f64,
    /// Initial risk per unit, `|entry − initial SL|`.
    pub risk: f64,
    /// Exit bar (of the last fill).
    pub exit_index: usize,
    /// Exit time.
    pub exit_time: i64,
    /// Why the position ended.
    pub exit_reason: ExitReason,
    /// Bars held (exit − entry).
    pub bars: usize,
    /// Gross PnL in R.
    pub gross_r: f64,
    /// Costs in R.
    pub cost_r: f64,
    /// Net result in R (`gross_r − cost_r`).
    pub r: f64,
    /// Holding to the initial stop.
    pub hold: Baseline,
    /// P1's trailing stop alone (no P2).
    pub trail: Baseline,
    /// Every fill, entry first.
    pub fills: Vec<Fill>,
    /// Every bar from entry to exit (only when asked for: [`simulate`]'s `record`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<Step>,
}

impl Trade {
    /// The kernel input P2 saw at `step` (its bar's close), with `theta`: what *Open in
    /// explorer* loads. `None` for a step without an evaluation.
    pub fn input_at(&self, step: &Step, theta: Theta) -> Option<HarvestInput> {
        let e = step.eval.as_ref()?;
        let close = self.closes_at(step)?;
        Some(position_input(
            self.side,
            self.entry_price,
            close,
            step,
            e.market,
            P1Proposal {
                stop_dist_pct: e.stop_dist_pct,
                proposed_sl: Some(e.p1_sl),
                proposed_tp: Some(e.p1_tp),
            },
            e.pnl,
            theta,
        ))
    }

    fn closes_at(&self, step: &Step) -> Option<f64> {
        let e = step.eval.as_ref()?;
        // pnl = side · (close − entry) · remaining
        if step.remaining > 0.0 {
            Some(self.entry_price + self.side.sign() * e.pnl / step.remaining)
        } else {
            None
        }
    }

    /// The step at bar `index`, if the trade covers it.
    pub fn step_at(&self, index: usize) -> Option<&Step> {
        let k = index.checked_sub(self.entry_index)?;
        self.steps.get(k)
    }
}

#[allow(clippy::too_many_arguments)]
fn position_input(
    side: Side,
    entry: f64,
    close: f64,
    step: &Step,
    market: harvest_kernel::MarketState,
    p1: P1Proposal,
    pnl: f64,
    theta: Theta,
) -> HarvestInput {
    HarvestInput {
        position: Position {
            symbol: String::new(),
            side,
            entry_price: entry,
            current_price: Some(close),
            peak_price: Some(step.peak),
            trough_price: Some(step.trough),
            age_sec: step.age_sec,
            unrealized_pnl: pnl,
            current_sl: Some(step.sl),
            current_tp: p1.proposed_tp,
            qty: step.remaining,
        },
        market_state: market,
        p1_proposal: Some(p1),
        theta: Some(theta),
    }
}

/// The tighter of two stops for `side` (LONG: the higher).
fn tighter(side: Side, a: f64, b: f64) -> f64 {
    match side {
        Side::Long => a.max(b),
        Side::Short => a.min(b),
    }
}

/// Whether `b` is strictly tighter than `a` for `side`.
fn tightens(side: Side, a: f64, b: f64) -> bool {
    match side {
        Side::Long => b > a,
        Side::Short => b < a,
    }
}

/// The stop check of one bar: `Some((price, gap))` when the stop in force is hit.
fn stop_fill(side: Side, bar: &Bar, sl: f64) -> Option<(f64, bool)> {
    match side {
        Side::Long if bar.open <= sl => Some((bar.open, true)),
        Side::Long if bar.low <= sl => Some((sl, false)),
        Side::Short if bar.open >= sl => Some((bar.open, true)),
        Side::Short if bar.high >= sl => Some((sl, false)),
        _ => None,
    }
}

fn price_ok(index: usize, bar: &Bar) -> Result<(), SimError> {
    for v in [bar.open, bar.high, bar.low, bar.close] {
        if !(v.is_finite() && v > 0.0) {
            return Err(SimError::BadPrice { index, value: v });
        }
    }
    Ok(())
}

/// P1's stops at bar `index` for a position on `side` at `close` with the excursion `(peak,
/// trough)` since entry and the stop in place, and the market state they came from.
fn p1_at(
    series: &Series,
    index: usize,
    side: Side,
    close: f64,
    (peak, trough): (f64, f64),
    current_sl: Option<f64>,
    p: &SimParams,
) -> Result<(harvest_market::StopProposal, MarketState), SimError> {
    let ms = series.states[index].ok_or(SimError::NoState {
        index,
        first: series.first_state(),
    })?;
    let input = StopInput {
        side,
        current_price: close,
        peak_price: peak,
        trough_price: trough,
        current_sl,
    };
    let prop = harvest_market::propose_stops(&input, &ms, &p.p1).map_err(|e| SimError::P1 {
        index,
        message: e.to_string(),
    })?;
    Ok((prop, ms))
}

/// The last bar a trade entered at `entry` may reach.
fn horizon(series: &Series, entry: usize, p: &SimParams) -> usize {
    (entry.saturating_add(p.max_bars)).min(series.bars.len() - 1)
}

/// Which stop rule a baseline follows.
#[derive(Clone, Copy, PartialEq, Eq)]
enum BaseRule {
    Hold,
    Trail,
}

/// Simulates one trade entered at the close of bar `entry` on `side` with `theta`; `record`
/// keeps every bar's [`Step`] (the replay view needs them, a backtest does not).
///
/// # Errors
/// A setting out of range, an invalid theta, an entry past the end or without a market state,
/// a bar with a price that is not positive, or P1 refusing its input.
///
/// ```
/// use harvest_features::replay::{simulate, Series, SimParams};
/// use harvest_kernel::{Side, Theta};
/// use harvest_market::{Bar, P0Params};
/// // A steady climb with a little noise: 400 hourly bars.
/// let bars: Vec<Bar> = (0..400)
///     .map(|i| {
///         let c = 100.0 * (1.0 + 0.001 * i as f64 + 0.004 * ((i % 7) as f64 - 3.0) / 3.0);
///         Bar { time: 3600 * i, open: c, high: c * 1.002, low: c * 0.998, close: c, volume: None }
///     })
///     .collect();
/// let series = Series::with_states(bars, P0Params::default());
/// let t = simulate(&series, 300, Side::Long, &Theta::default(), &SimParams::default(), true).unwrap();
/// assert_eq!(t.entry_price, series.bars[300].close);
/// assert!(t.initial_sl < t.entry_price);
/// assert!((t.r - (t.gross_r - t.cost_r)).abs() < 1e-9);
/// ```
pub fn simulate(
    series: &Series,
    entry: usize,
    side: Side,
    theta: &Theta,
    p: &SimParams,
    record: bool,
) -> Result<Trade, SimError> {
    p.validate()?;
    theta.validate().map_err(SimError::Theta)?;
    let mut sim = Sim::open(series, entry, side, theta, p, record)?;
    let last = horizon(series, entry, p);
    for i in entry + 1..=last {
        if let Some(reason) = sim.bar(i)? {
            return sim.finish(i, reason);
        }
    }
    let reason = sim.close_at_horizon(last);
    sim.finish(last, reason)
}

/// A trade being simulated: the position as it stands after the bars seen so far. [`simulate`]
/// runs it as a small state machine: [`Sim::open`] at the entry bar, [`Sim::bar`] for each later
/// bar until one ends the trade (its steps: [`Sim::stop_check`], [`Sim::evaluate_close`],
/// [`Sim::next_stop`], [`Sim::act`]), else [`Sim::close_at_horizon`]; then [`Sim::finish`].
struct Sim<'a> {
    series: &'a Series,
    theta: &'a Theta,
    p: &'a SimParams,
    side: Side,
    entry: usize,
    entry_time: i64,
    entry_price: f64,
    initial_sl: f64,
    initial_tp: f64,
    /// Initial risk per unit, `|entry − initial SL|` (never 0).
    risk: f64,
    /// Cost of a fill per unit of notional.
    fee: f64,
    /// The stop in force.
    sl: f64,
    /// Highest high since entry.
    peak: f64,
    /// Lowest low since entry.
    trough: f64,
    /// Closed share of the original quantity.
    closed: f64,
    fills: Vec<Fill>,
    /// Every bar's step, when recording.
    steps: Option<Vec<Step>>,
}

/// P1 and P2 at a bar's close.
struct CloseEval {
    p1: harvest_market::StopProposal,
    market: harvest_kernel::MarketState,
    pnl: f64,
    ev: harvest_kernel::Evaluation,
}

impl<'a> Sim<'a> {
    /// Enters at the close of bar `entry`: the entry fill, P1's stop as the initial stop.
    fn open(
        series: &'a Series,
        entry: usize,
        side: Side,
        theta: &'a Theta,
        p: &'a SimParams,
        record: bool,
    ) -> Result<Sim<'a>, SimError> {
        let n = series.bars.len();
        let eb = *series.bars.get(entry).ok_or(SimError::NoBar {
            index: entry,
            bars: n,
        })?;
        price_ok(entry, &eb)?;
        let entry_price = eb.close;
        let span = (entry_price, entry_price);
        let (p1, _) = p1_at(series, entry, side, entry_price, span, None, p)?;
        let initial_sl = p1.proposed_sl;
        let risk = (entry_price - initial_sl).abs().max(f64::MIN_POSITIVE);
        let fee = p.cost_bps / 10000.0;
        let entry_cost = entry_price * fee;
        let mut sim = Sim {
            series,
            theta,
            p,
            side,
            entry,
            entry_time: eb.time,
            entry_price,
            initial_sl,
            initial_tp: p1.proposed_tp,
            risk,
            fee,
            sl: initial_sl,
            peak: entry_price,
            trough: entry_price,
            closed: 0.0,
            fills: vec![Fill {
                index: entry,
                time: eb.time,
                kind: FillKind::Entry,
                price: entry_price,
                qty: 1.0,
                closed: 0.0,
                pnl: 0.0,
                cost: entry_cost,
                r: -entry_cost / risk,
                action: HarvestAction::None,
                codes: Vec::new(),
            }],
            steps: record.then(Vec::new),
        };
        let first = sim.step(entry, 1.0);
        sim.record(first);
        Ok(sim)
    }

    /// Bar `i`: the stop check, else P1 and P2 at the close, the action and the next stop.
    /// `Some(reason)` when the bar ends the trade.
    fn bar(&mut self, i: usize) -> Result<Option<ExitReason>, SimError> {
        let bar = self.series.bars[i];
        price_ok(i, &bar)?;
        let remaining = 1.0 - self.closed;
        if let Some(reason) = self.stop_check(i, &bar) {
            let step = self.step(i, remaining);
            self.record(step);
            return Ok(Some(reason));
        }
        self.peak = self.peak.max(bar.high);
        self.trough = self.trough.min(bar.low);
        let mut step = self.step(i, remaining);
        let close = self.evaluate_close(&step, &bar)?;
        (step.sl_next, step.mover) = self.next_stop(&close);
        let exit = self.act(i, bar.close, &close);
        step.eval = Some(StepEval {
            market: close.market,
            p1_sl: close.p1.proposed_sl,
            p1_tp: close.p1.proposed_tp,
            stop_dist_pct: close.p1.stop_dist_pct,
            p1_codes: close.p1.reason_codes,
            pnl: close.pnl,
            action: close.ev.action,
            codes: close.ev.reason_codes(),
            r_net: close.ev.r_net,
            kill_score: close.ev.kill_score,
            z: close.ev.z,
            k: close.ev.k,
            be_plus: close.ev.new_sl,
        });
        self.sl = step.sl_next;
        self.record(step);
        Ok(exit)
    }

    /// Step 1: whether the stop in force is hit in bar `i`; if so, the rest is closed at the
    /// stop (or at the open, when the bar gaps through it).
    fn stop_check(&mut self, i: usize, bar: &Bar) -> Option<ExitReason> {
        let (price, gap) = stop_fill(self.side, bar, self.sl)?;
        let (kind, reason) = if gap {
            (FillKind::StopGap, ExitReason::StopGap)
        } else {
            (FillKind::Stop, ExitReason::Stop)
        };
        let rest = 1.0 - self.closed;
        self.fill(i, kind, price, rest, HarvestAction::None, Vec::new());
        Some(reason)
    }

    /// Step 2: P0's state, P1 and P2 on the position as it stands at the close of `step`'s bar.
    fn evaluate_close(&self, step: &Step, bar: &Bar) -> Result<CloseEval, SimError> {
        let span = (step.peak, step.trough);
        let (p1, ms) = p1_at(
            self.series,
            step.index,
            self.side,
            bar.close,
            span,
            Some(step.sl),
            self.p,
        )?;
        let pnl = self.side.sign() * (bar.close - self.entry_price) * step.remaining;
        let market = ms.to_kernel();
        let p1k = P1Proposal {
            stop_dist_pct: p1.stop_dist_pct,
            proposed_sl: Some(p1.proposed_sl),
            proposed_tp: Some(p1.proposed_tp),
        };
        let input = position_input(
            self.side,
            self.entry_price,
            bar.close,
            step,
            market,
            p1k,
            pnl,
            *self.theta,
        );
        let ev = evaluate(
            &input.position,
            &input.market_state,
            input.p1_proposal.as_ref(),
            self.theta,
        );
        Ok(CloseEval {
            p1,
            market,
            pnl,
            ev,
        })
    }

    /// Step 3: the stop for the next bar, and what set it: the tightest of the current one,
    /// P1's proposal (unless trailing is off) and P2's break-even-plus.
    fn next_stop(&self, close: &CloseEval) -> (f64, StopMover) {
        let side = self.side;
        let (mut next, mut mover) = (self.sl, StopMover::None);
        let p1_sl = close.p1.proposed_sl;
        if self.p.trail && p1_sl.is_finite() && tightens(side, next, p1_sl) {
            (next, mover) = (p1_sl, StopMover::P1Trail);
        }
        if let Some(be) = close.ev.new_sl {
            if tightens(side, next, be) || (mover == StopMover::P1Trail && be == next) {
                (next, mover) = (be, StopMover::P2BePlus);
            }
        }
        debug_assert!(tighter(side, self.sl, next) == next);
        (next, mover)
    }

    /// Step 4: P2's action at the close of bar `i`: FULL_CLOSE_PROPOSED closes the rest (and
    /// ends the trade); PARTIAL_x closes what brings the closed share up to x %.
    fn act(&mut self, i: usize, close: f64, c: &CloseEval) -> Option<ExitReason> {
        let action = c.ev.action;
        match action {
            HarvestAction::FullCloseProposed => {
                let rest = 1.0 - self.closed;
                let codes = c.ev.reason_codes();
                self.fill(i, FillKind::FullClose, close, rest, action, codes);
                Some(ExitReason::FullClose)
            }
            HarvestAction::Partial25 | HarvestAction::Partial50 | HarvestAction::Partial75 => {
                let target = action.fraction();
                if self.closed < target - 1e-12 {
                    let qty = target - self.closed;
                    let codes = c.ev.reason_codes();
                    self.fill(i, FillKind::Partial, close, qty, action, codes);
                }
                None
            }
            HarvestAction::None => None,
        }
    }

    /// The trade is still open at bar `last` (the horizon or the last bar): the rest closes at
    /// its close.
    fn close_at_horizon(&mut self, last: usize) -> ExitReason {
        let n = self.series.bars.len();
        let reason = if last == n - 1 && last < self.entry.saturating_add(self.p.max_bars) {
            ExitReason::EndOfData
        } else {
            ExitReason::MaxBars
        };
        let (price, rest) = (self.series.bars[last].close, 1.0 - self.closed);
        self.fill(
            last,
            FillKind::Horizon,
            price,
            rest,
            HarvestAction::None,
            Vec::new(),
        );
        reason
    }

    /// The trade, ended at bar `exit` for `reason`: its totals in R beside the two baselines.
    fn finish(self, exit: usize, reason: ExitReason) -> Result<Trade, SimError> {
        let (series, p, side, risk) = (self.series, self.p, self.side, self.risk);
        let gross: f64 = self.fills.iter().map(|f| f.pnl).sum();
        let cost: f64 = self.fills.iter().map(|f| f.cost).sum();
        let (hold, trail) = if p.baselines {
            let base = |rule| baseline(series, self.entry, side, self.initial_sl, risk, p, rule);
            (base(BaseRule::Hold)?, base(BaseRule::Trail)?)
        } else {
            (Baseline::skipped(self.entry), Baseline::skipped(self.entry))
        };
        // The trade and its baselines are counted together or not at all: results that
        // overflowed leave the trade out, named, instead of writing `null` and dropping it from
        // some summaries only. (Baselines not simulated are NaN by design.)
        let mut results = vec![
            ("r", (gross - cost) / risk),
            ("gross_r", gross / risk),
            ("cost_r", cost / risk),
            ("risk", risk),
            ("initial_sl", self.initial_sl),
            ("initial_tp", self.initial_tp),
        ];
        if p.baselines {
            results.extend([("hold.r", hold.r), ("trail.r", trail.r)]);
        }
        for f in &self.fills {
            results.extend([
                ("fills.pnl", f.pnl),
                ("fills.cost", f.cost),
                ("fills.r", f.r),
            ]);
        }
        let mut fields: Vec<(&'static str, f64)> = Vec::new();
        for (name, v) in results {
            if !v.is_finite() && !fields.iter().any(|(f, _)| *f == name) {
                fields.push((name, v));
            }
        }
        if !fields.is_empty() {
            return Err(SimError::NotComputable {
                index: exit,
                fields,
            });
        }
        Ok(Trade {
            side,
            entry_index: self.entry,
            entry_time: self.entry_time,
            entry_price: self.entry_price,
            initial_sl: self.initial_sl,
            initial_tp: self.initial_tp,
            risk,
            exit_index: exit,
            exit_time: series.bars[exit].time,
            exit_reason: reason,
            bars: exit - self.entry,
            gross_r: gross / risk,
            cost_r: cost / risk,
            r: (gross - cost) / risk,
            hold,
            trail,
            fills: self.fills,
            steps: self.steps.unwrap_or_default(),
        })
    }

    /// Closes `qty` (at most what is left) at `price` in bar `index`: a partial adds to the
    /// closed share, any other fill closes the rest.
    fn fill(
        &mut self,
        index: usize,
        kind: FillKind,
        price: f64,
        qty: f64,
        action: HarvestAction,
        codes: Vec<ReasonCode>,
    ) {
        let qty = qty.min(1.0 - self.closed).max(0.0);
        self.closed = if kind == FillKind::Partial {
            (self.closed + qty).min(1.0)
        } else {
            1.0
        };
        let pnl = self.side.sign() * (price - self.entry_price) * qty;
        let cost = price * qty * self.fee;
        self.fills.push(Fill {
            index,
            time: self.series.bars[index].time,
            kind,
            price,
            qty,
            closed: self.closed,
            pnl,
            cost,
            r: (pnl - cost) / self.risk,
            action,
            codes,
        });
    }

    /// Bar `index` as the position stands before its close: `remaining` of the quantity, the
    /// stop in force (also for the next bar until [`Sim::next_stop`] says otherwise).
    fn step(&self, index: usize, remaining: f64) -> Step {
        let time = self.series.bars[index].time;
        Step {
            index,
            time,
            age_sec: (time - self.entry_time) as f64,
            peak: self.peak,
            trough: self.trough,
            remaining,
            sl: self.sl,
            sl_next: self.sl,
            mover: StopMover::None,
            eval: None,
        }
    }

    /// Keeps `step` when recording.
    fn record(&mut self, step: Step) {
        if let Some(steps) = &mut self.steps {
            steps.push(step);
        }
    }
}

/// A baseline on the same trade: the whole quantity, the same entry, costs and horizon; the
/// stop fixed at the initial one ([`BaseRule::Hold`]) or moved by P1 alone ([`BaseRule::Trail`]).
fn baseline(
    series: &Series,
    entry: usize,
    side: Side,
    initial_sl: f64,
    risk: f64,
    p: &SimParams,
    rule: BaseRule,
) -> Result<Baseline, SimError> {
    let n = series.bars.len();
    let last = horizon(series, entry, p);
    let entry_price = series.bars[entry].close;
    let fee = p.cost_bps / 10000.0;
    let mut sl = initial_sl;
    let (mut peak, mut trough) = (entry_price, entry_price);
    let done = |price: f64, index: usize, reason: ExitReason| {
        let pnl = side.sign() * (price - entry_price);
        Baseline {
            r: (pnl - (entry_price + price) * fee) / risk,
            exit_index: index,
            exit_price: price,
            exit_reason: reason,
        }
    };
    for i in entry + 1..=last {
        let bar = series.bars[i];
        if let Some((price, gap)) = stop_fill(side, &bar, sl) {
            let reason = if gap {
                ExitReason::StopGap
            } else {
                ExitReason::Stop
            };
            return Ok(done(price, i, reason));
        }
        if rule == BaseRule::Trail {
            peak = peak.max(bar.high);
            trough = trough.min(bar.low);
            let (p1, _) = p1_at(series, i, side, bar.close, (peak, trough), Some(sl), p)?;
            if p1.proposed_sl.is_finite() {
                sl = tighter(side, sl, p1.proposed_sl);
            }
        }
    }
    let reason = if last == n - 1 && last < entry.saturating_add(p.max_bars) {
        ExitReason::EndOfData
    } else {
        ExitReason::MaxBars
    };
    Ok(done(series.bars[last].close, last, reason))
}
