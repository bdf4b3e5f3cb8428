//! A research job laid out: the settings, the symbols' series, the segments and the entries in
//! each, and the tasks — one a (symbol, segment, grid column) — that any runner may compute in
//! any order ([`ResearchPlan::run_task`] is pure), so a stepper, rayon and a pool of Redis
//! workers all give the same bits.
//!
//! A trade never spans two segments: it closes at the last close of its segment at the latest
//! (marked as cut by the horizon), so what a fold learns in-sample never saw a bar of the
//! segment it is judged on, and each trade's result is the same in every fold that uses it.

use serde::{Deserialize, Serialize};

use super::folds::{FoldPlan, Scheme};
use super::grid::{Grid, GridError};
use super::objective::Objective;
use crate::replay::{every_n, simulate, Entry, Series, Sides, SimParams, SweepAxis};
use harvest_kernel::{Side, Theta};

/// The settings of a research job; `Default` is the documented baseline (no grid yet).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResearchSettings {
    /// The tunables varied and their values (1 to 3 axes).
    pub grid: Vec<SweepAxis>,
    /// Out-of-sample folds. Default 5.
    pub folds: usize,
    /// Segments of a rolling in-sample window (the first anchored one too). Default 1.
    pub train: usize,
    /// Rolling or anchored. Default rolling.
    pub scheme: Scheme,
    /// What is optimised in-sample. Default expectancy.
    pub objective: Objective,
    /// Enter every this many bars, from bar 256 on. Default 24.
    pub every: usize,
    /// The sides opened at each entry bar. Default both.
    pub sides: Sides,
    /// The theta the other tunables come from, and the baseline beside the choice. Default:
    /// the kernel's defaults.
    pub base: Theta,
    /// Cost of every fill, basis points. Default 10.
    pub cost_bps: f64,
    /// Bars a trade may stay open. Default 500.
    pub max_bars: usize,
    /// Whether P1's trailing moves the stop. Default true.
    pub trail: bool,
    /// CSCV blocks (even). Default 16, the paper's choice.
    pub cscv_blocks: usize,
}

impl Default for ResearchSettings {
    fn default() -> Self {
        let sim = SimParams::default();
        ResearchSettings {
            grid: Vec::new(),
            folds: 5,
            train: 1,
            scheme: Scheme::Rolling,
            objective: Objective::Expectancy,
            every: 24,
            sides: Sides::Both,
            base: Theta::default(),
            cost_bps: sim.cost_bps,
            max_bars: sim.max_bars,
            trail: sim.trail,
            cscv_blocks: 16,
        }
    }
}

impl ResearchSettings {
    /// The simulation's settings.
    pub fn sim(&self) -> SimParams {
        SimParams {
            cost_bps: self.cost_bps,
            max_bars: self.max_bars,
            trail: self.trail,
            ..SimParams::default()
        }
    }
}

/// Why a research job cannot run; each names the setting or symbol, the value and what is
/// allowed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ResearchError {
    /// A setting is out of range.
    #[error("{field} = {value} is out of range: expected {expected}")]
    Setting {
        /// The setting.
        field: &'static str,
        /// Its value, as text.
        value: String,
        /// What is allowed.
        expected: &'static str,
    },
    /// The grid.
    #[error("grid: {0}")]
    Grid(#[from] GridError),
    /// The base theta or the simulation settings.
    #[error("{0}")]
    Sim(#[from] crate::replay::SimError),
    /// No symbol.
    #[error("no price series: research needs at least one symbol")]
    NoSymbols,
    /// The same symbol twice.
    #[error("symbol {0} is given twice (each file's symbol must differ)")]
    RepeatedSymbol(String),
    /// A series too short for one trade.
    #[error("{symbol}: {bars} bars; a trade needs at least {need} (P0 needs 257 closes before the first entry)")]
    TooShort {
        /// The symbol.
        symbol: String,
        /// Its bars.
        bars: usize,
        /// Bars needed.
        need: usize,
    },
    /// Market states not computed.
    #[error("{0}: the market states are not computed yet")]
    NotReady(String),
    /// No entry falls in a segment anywhere.
    #[error("no trade in segment {segment} (from {from} to {to}) on any symbol: use fewer folds or enter more often")]
    EmptySegment {
        /// The segment.
        segment: usize,
        /// Its start, `YYYY-MM-DD HH:MM`.
        from: String,
        /// Its end.
        to: String,
    },
}

/// One symbol's prices with their market states.
#[derive(Debug, Clone)]
pub struct SymbolSeries {
    /// The symbol (from the file name).
    pub name: String,
    /// Bars and P0 states (every state computed).
    pub series: Series,
}

/// The entries of one symbol in one segment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Block {
    /// Index into the plan's symbols.
    pub symbol: usize,
    /// The segment.
    pub segment: usize,
    /// The entries, in bar order (LONG before SHORT at one bar).
    pub entries: Vec<Entry>,
    /// The segment's last bar of this symbol: no trade of the block goes past it.
    pub last_bar: usize,
}

/// One unit of work: every entry of a block simulated with one column's theta.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Task {
    /// Index into [`ResearchPlan::blocks`].
    pub block: usize,
    /// A grid cell, or [`ResearchPlan::base_column`] for the base theta.
    pub column: usize,
}

/// What a task computed: R per entry of its block (NaN where the trade could not be simulated
/// or the cell's theta is invalid) and, for the base column, the two baselines.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct TaskResult {
    /// Net R with the column's theta, per entry.
    pub r: Vec<f64>,
    /// Hold to the initial stop, per entry (base column only).
    pub hold: Vec<f64>,
    /// P1's trailing stop alone, per entry (base column only).
    pub trail: Vec<f64>,
    /// Whether the column's theta is invalid (e.g. T1_R above T2_R): every R is NaN.
    pub invalid: bool,
}

impl TaskResult {
    /// The result as text that keeps every bit (for queues): `r`, `hold` and `trail` as
    /// comma-separated hex of the f64 bits, `;`-separated, then `!` when invalid.
    ///
    /// ```
    /// use harvest_features::research::TaskResult;
    /// let t = TaskResult { r: vec![0.1, f64::NAN], ..TaskResult::default() };
    /// let back = TaskResult::decode(&t.encode()).unwrap();
    /// assert_eq!(back.r[0].to_bits(), 0.1f64.to_bits());
    /// assert!(back.r[1].is_nan());
    /// ```
    pub fn encode(&self) -> String {
        let hex = |v: &[f64]| {
            v.iter()
                .map(|x| format!("{:x}", x.to_bits()))
                .collect::<Vec<_>>()
                .join(",")
        };
        format!(
            "{};{};{}{}",
            hex(&self.r),
            hex(&self.hold),
            hex(&self.trail),
            if self.invalid { "!" } else { "" }
        )
    }

    /// Reads [`TaskResult::encode`]'s text; `None` if it is not such text.
    pub fn decode(s: &str) -> Option<TaskResult> {
        let (s, invalid) = match s.strip_suffix('!') {
            Some(rest) => (rest, true),
            None => (s, false),
        };
        let mut parts = s.split(';');
        let mut vec = || -> Option<Vec<f64>> {
            let p = parts.next()?;
            if p.is_empty() {
                return Some(Vec::new());
            }
            p.split(',')
                .map(|h| u64::from_str_radix(h, 16).ok().map(f64::from_bits))
                .collect()
        };
        let (r, hold, trail) = (vec()?, vec()?, vec()?);
        parts.next().is_none().then_some(TaskResult {
            r,
            hold,
            trail,
            invalid,
        })
    }
}

/// A trade of the pooled timeline: which block and which entry of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TradeRef {
    /// Index into the plan's blocks.
    pub block: usize,
    /// Index into the block's entries.
    pub k: usize,
    /// Entry time, epoch s.
    pub time: i64,
}

/// A research job laid out.
#[derive(Debug, Clone)]
pub struct ResearchPlan {
    /// The settings.
    pub settings: ResearchSettings,
    /// The grid.
    pub grid: Grid,
    /// The symbols, in the order given.
    pub symbols: Vec<SymbolSeries>,
    /// Segments and folds.
    pub folds: FoldPlan,
    /// Every (symbol, segment) with at least one entry, segment by segment.
    pub blocks: Vec<Block>,
    /// Each segment's trades pooled over the symbols, by entry time (then symbol, then side).
    pub timeline: Vec<Vec<TradeRef>>,
    /// Each column's theta (the grid's cells, then the base), or why it is invalid.
    pub thetas: Vec<Result<Theta, String>>,
}

fn setting(field: &'static str, value: impl ToString, expected: &'static str) -> ResearchError {
    ResearchError::Setting {
        field,
        value: value.to_string(),
        expected,
    }
}

impl ResearchPlan {
    /// Lays out a job over `symbols` (their market states computed).
    ///
    /// # Errors
    /// [`ResearchError`]: a setting out of range, a bad grid or base theta, no symbols, a
    /// symbol twice or too short, states not computed, a segment without any trade.
    pub fn new(
        settings: ResearchSettings,
        symbols: Vec<SymbolSeries>,
    ) -> Result<ResearchPlan, ResearchError> {
        let s = &settings;
        if s.folds == 0 || s.folds > 50 {
            return Err(setting("folds", s.folds, "1 … 50"));
        }
        if s.train == 0 || s.train > 50 {
            return Err(setting("train", s.train, "1 … 50 segments"));
        }
        if s.every == 0 {
            return Err(setting("every", s.every, "at least 1 bar"));
        }
        if s.cscv_blocks < 2 || s.cscv_blocks % 2 == 1 || s.cscv_blocks > 24 {
            return Err(setting(
                "cscv_blocks",
                s.cscv_blocks,
                "an even number from 2 to 24 (16 is the paper's choice)",
            ));
        }
        s.sim().validate()?;
        s.base.validate().map_err(crate::replay::SimError::Theta)?;
        let grid = Grid::new(s.grid.clone())?;
        if symbols.is_empty() {
            return Err(ResearchError::NoSymbols);
        }
        let first = harvest_market::MIN_CLOSES - 1;
        for (i, sym) in symbols.iter().enumerate() {
            if symbols[..i].iter().any(|o| o.name == sym.name) {
                return Err(ResearchError::RepeatedSymbol(sym.name.clone()));
            }
            if sym.series.bars.len() < first + 2 {
                return Err(ResearchError::TooShort {
                    symbol: sym.name.clone(),
                    bars: sym.series.bars.len(),
                    need: first + 2,
                });
            }
            if !sym.series.ready() {
                return Err(ResearchError::NotReady(sym.name.clone()));
            }
        }
        let start = symbols
            .iter()
            .map(|x| x.series.bars[first].time)
            .min()
            .unwrap_or(0);
        let end = symbols
            .iter()
            .map(|x| x.series.bars[x.series.bars.len() - 1].time + 1)
            .max()
            .unwrap_or(1);
        let folds = FoldPlan::new(start, end, s.folds, s.train, s.scheme);
        let segments = folds.segments();
        let mut blocks = Vec::new();
        for g in 0..segments {
            for (si, sym) in symbols.iter().enumerate() {
                let bars = &sym.series.bars;
                let end_t = folds.bounds[g + 1];
                let last = bars.partition_point(|b| b.time < end_t);
                if last == 0 {
                    continue;
                }
                let last_bar = last - 1;
                let mut entries: Vec<Entry> = every_n(bars.len(), s.every, s.sides, 0)
                    .into_iter()
                    .filter(|e| {
                        folds.segment_of(bars[e.index].time) == Some(g) && e.index < last_bar
                    })
                    .collect();
                entries.sort_by_key(|e| (e.index, e.side == Side::Short));
                if !entries.is_empty() {
                    blocks.push(Block {
                        symbol: si,
                        segment: g,
                        entries,
                        last_bar,
                    });
                }
            }
        }
        let mut timeline = vec![Vec::new(); segments];
        for (bi, b) in blocks.iter().enumerate() {
            for (k, e) in b.entries.iter().enumerate() {
                timeline[b.segment].push(TradeRef {
                    block: bi,
                    k,
                    time: symbols[b.symbol].series.bars[e.index].time,
                });
            }
        }
        for (g, t) in timeline.iter_mut().enumerate() {
            if t.is_empty() {
                return Err(ResearchError::EmptySegment {
                    segment: g,
                    from: crate::format::fmt_time(folds.bounds[g]),
                    to: crate::format::fmt_time(folds.bounds[g + 1]),
                });
            }
            t.sort_by_key(|r| {
                let b = &blocks[r.block];
                (r.time, b.symbol, b.entries[r.k].side == Side::Short)
            });
        }
        let thetas = (0..grid.cells())
            .map(|c| grid.theta(&s.base, c))
            .chain(std::iter::once(s.base))
            .map(|t| t.validate().map(|()| t).map_err(|e| e.to_string()))
            .collect();
        Ok(ResearchPlan {
            grid,
            symbols,
            folds,
            blocks,
            timeline,
            thetas,
            settings,
        })
    }

    /// The column of the base theta (after the grid's cells).
    pub fn base_column(&self) -> usize {
        self.grid.cells()
    }

    /// Columns in all: the grid's cells and the base.
    pub fn columns(&self) -> usize {
        self.grid.cells() + 1
    }

    /// Every task, block by block, each block's columns in order.
    pub fn tasks(&self) -> Vec<Task> {
        (0..self.blocks.len())
            .flat_map(|block| (0..self.columns()).map(move |column| Task { block, column }))
            .collect()
    }

    /// The index of `task` in [`ResearchPlan::tasks`].
    pub fn task_index(&self, task: Task) -> usize {
        task.block * self.columns() + task.column
    }

    /// Trades to simulate in all (for progress).
    pub fn total_trades(&self) -> usize {
        self.blocks.iter().map(|b| b.entries.len()).sum::<usize>() * self.columns()
    }

    /// Simulates entry `k` of `block` with `theta`: (R, hold R, trail R), NaN when it cannot
    /// be simulated (the baselines NaN too unless `baselines`).
    pub fn run_trade(
        &self,
        block: usize,
        k: usize,
        theta: &Theta,
        baselines: bool,
    ) -> (f64, f64, f64) {
        let b = &self.blocks[block];
        let e = b.entries[k];
        let mut p = self.settings.sim();
        p.max_bars = p.max_bars.min(b.last_bar - e.index);
        p.baselines = baselines;
        match simulate(
            &self.symbols[b.symbol].series,
            e.index,
            e.side,
            theta,
            &p,
            false,
        ) {
            Ok(t) => (t.r, t.hold.r, t.trail.r),
            Err(_) => (f64::NAN, f64::NAN, f64::NAN),
        }
    }

    /// Computes one task (pure: the same bits wherever and whenever it runs).
    pub fn run_task(&self, task: Task) -> TaskResult {
        let n = self.blocks[task.block].entries.len();
        let theta = match &self.thetas[task.column] {
            Ok(t) => *t,
            Err(_) => {
                return TaskResult {
                    r: vec![f64::NAN; n],
                    invalid: true,
                    ..TaskResult::default()
                }
            }
        };
        let base = task.column == self.base_column();
        let mut out = TaskResult::default();
        for k in 0..n {
            let (r, hold, trail) = self.run_trade(task.block, k, &theta, base);
            out.r.push(r);
            if base {
                out.hold.push(hold);
                out.trail.push(trail);
            }
        }
        out
    }
}
