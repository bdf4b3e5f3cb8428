//! The Replay view's state, owned by the view (built the first time it shows, then kept): the
//! loaded symbols, each a price series with its market states (non-reactive, a version signal
//! says when they changed), the symbol the trade shows, the trade being replayed and the scrubber, the simulation's settings, the backtest, A/B and
//! sweep results, and the one job running in slices.

use leptos::prelude::*;

use crate::context::Ctx;
use crate::nav::Nav;
use harvest_features::format::{fmt_count, fmt_time};
use harvest_features::progress::Progress;
use harvest_features::replay::view::showcase;
use harvest_features::replay::{
    compare_ab, simulate, AbSummary, MultiSweep, PooledRun, Series, Sides, SimError, SimParams,
    SweepAxis, SymbolRun, Trade, TradeRow,
};
use harvest_features::research::SymbolSeries;
use harvest_kernel::{Side, Theta, ThetaField};

/// The backtest's entry rule, as the controls set it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EntryRule {
    /// Enter every N bars.
    pub every: usize,
    /// Which sides.
    pub sides: Sides,
    /// At most this many trades.
    pub limit: usize,
}

impl Default for EntryRule {
    fn default() -> Self {
        EntryRule {
            every: 24,
            sides: Sides::Long,
            limit: 1000,
        }
    }
}

/// Which kind of job runs (each panel shows its own job's progress and last outcome).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JobKind {
    /// Loading prices and their market states (the Prices panel).
    Load,
    /// A backtest (the Backtest panel).
    Backtest,
    /// A theta sweep (the Sweep panel).
    Sweep,
}

/// A finished backtest of every loaded symbol, with the theta it ran with.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// The theta.
    pub theta: Theta,
    /// Each symbol's rows and report, and every symbol's pooled by entry time.
    pub pool: PooledRun,
}

impl Run {
    /// The run of `symbols`, pooled.
    pub fn of(theta: Theta, symbols: Vec<SymbolRun>) -> Run {
        Run {
            theta,
            pool: PooledRun::of(symbols),
        }
    }

    /// The same run without `symbol` (the rest pooled again), or `None` when nothing is left.
    pub fn without(&self, symbol: &str) -> Option<Run> {
        let rest: Vec<SymbolRun> = self
            .pool
            .symbols
            .iter()
            .filter(|s| s.symbol != symbol)
            .cloned()
            .collect();
        (!rest.is_empty()).then(|| Run::of(self.theta, rest))
    }

    /// The rows of `symbol` (empty when it was not in the run).
    pub fn rows_of(&self, symbol: Option<&str>) -> &[TradeRow] {
        self.pool
            .symbols
            .iter()
            .find(|s| Some(s.symbol.as_str()) == symbol)
            .map_or(&[], |s| s.rows.as_slice())
    }
}

/// One loaded symbol: its series and where it came from.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The symbol, from the file's name ([`file_name`](harvest_features::replay::market::file_name)).
    pub symbol: String,
    /// The file's name.
    pub file: String,
    /// Its bars and market states.
    pub series: Series,
    /// Lines of the file that were skipped, with their line numbers.
    pub problems: Vec<String>,
}

/// What the list of loaded symbols shows of one.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LoadedInfo {
    /// The symbol.
    pub symbol: String,
    /// "FILE: N bars, FIRST – LAST UTC".
    pub text: String,
}

impl LoadedInfo {
    /// The line of `l`.
    pub fn of(l: &Loaded) -> LoadedInfo {
        let b = &l.series.bars;
        let range = match (b.first(), b.last()) {
            (Some(f), Some(z)) => format!(", {} – {} UTC", fmt_time(f.time), fmt_time(z.time)),
            _ => String::new(),
        };
        LoadedInfo {
            symbol: l.symbol.clone(),
            text: format!("{}: {} bars{range}", l.file, fmt_count(b.len())),
        }
    }
}

/// Small and `Copy`.
#[derive(Clone, Copy)]
pub struct ReplayCtx {
    /// The explorer's state (theta comes from it).
    pub ctx: Ctx,
    /// The views' shared state.
    pub nav: Nav,
    /// The loaded symbols, by symbol (read them after tracking `version`).
    pub series: StoredValue<Vec<Loaded>>,
    /// Bumped when `series` changes (loaded, removed, states computed) or `selected` does.
    pub version: RwSignal<u64>,
    /// The symbol the trade (chart, scrubber, trade list) shows.
    pub selected: RwSignal<Option<String>>,
    /// What is loaded, a line a symbol (kept in step with `series` by [`ReplayCtx::refresh`]).
    pub loaded: RwSignal<Vec<LoadedInfo>>,
    /// Lines of the files that were skipped, each with its file and line number.
    pub problems: RwSignal<Vec<String>>,
    /// The trade's entry (bar, side).
    pub entry: RwSignal<Option<(usize, Side)>>,
    /// The simulation's settings.
    pub params: RwSignal<SimParams>,
    /// The replayed trade (recomputed when the entry, the settings or theta change).
    pub trade: Memo<Option<Result<Trade, SimError>>>,
    /// The scrubber's bar, as an offset from entry.
    pub cursor: RwSignal<usize>,
    /// The backtest's entry rule.
    pub rule: RwSignal<EntryRule>,
    /// Theta A, once pinned (the current theta is then B).
    pub pinned: RwSignal<Option<Theta>>,
    /// The last backtest with theta A (or the current theta when nothing is pinned).
    pub run_a: RwSignal<Option<Run>>,
    /// The same trades with theta B.
    pub run_b: RwSignal<Option<Run>>,
    /// The sweep's axes.
    pub axes: RwSignal<(SweepAxis, SweepAxis)>,
    /// The heatmap's cell the keyboard is on (row by row, y outer).
    pub sweep_focus: RwSignal<Option<usize>>,
    /// The sweep (cells fill in while it runs), per symbol and pooled.
    pub sweep: StoredValue<Option<MultiSweep>>,
    /// The symbol the heatmap shows (`None`: pooled).
    pub sweep_symbol: RwSignal<Option<String>>,
    /// Bumped when `sweep` changes.
    pub sweep_version: RwSignal<u64>,
    /// The job running, if any.
    pub job: RwSignal<Option<Progress>>,
    /// Its kind (kept after it finished: the kind of the last job).
    pub job_kind: RwSignal<Option<JobKind>>,
    /// The last job that finished: its kind, what it did and how long it took.
    pub last_job: RwSignal<Option<(JobKind, String)>>,
    /// Set by Cancel; the job stops at its next slice.
    pub cancel: StoredValue<bool>,
    /// Messages about things that failed as a whole.
    pub messages: RwSignal<Vec<String>>,
    /// How long the last trade's simulation took, ms (the chart stamps it on its canvas).
    pub sim_ms: StoredValue<f64>,
}

/// Entries (every 24 bars) the opening trade is picked from.
pub const SHOWCASE_TRIES: usize = 60;

/// Values per sweep axis to begin with (up to [`SWEEP_MAX_N`](harvest_features::charts::SWEEP_MAX_N)).
pub const SWEEP_N: usize = 6;

/// The sweep's default axes around `theta`: kill_threshold × T1_R, `n` values each.
pub fn default_axes(theta: &Theta, n: usize) -> (SweepAxis, SweepAxis) {
    (
        SweepAxis::around(ThetaField::KillThreshold, theta, n),
        SweepAxis::around(ThetaField::T1R, theta, n),
    )
}

impl ReplayCtx {
    /// Builds and provides the state.
    pub fn provide() -> ReplayCtx {
        let ctx = Ctx::get();
        let nav = Nav::get();
        let series = StoredValue::new(Vec::<Loaded>::new());
        let version = RwSignal::new(0u64);
        let selected = RwSignal::new(None::<String>);
        let entry = RwSignal::new(None);
        let params = RwSignal::new(SimParams::default());
        let sim_ms = StoredValue::new(0.0);
        // Theta alone, so the explorer's other inputs do not re-simulate the trade.
        let theta = Memo::new(move |_| ctx.state.with(|s| s.theta));
        let trade = Memo::new(move |_| {
            version.track();
            let t0 = crate::browser::now_ms();
            let (index, side) = entry.get()?;
            let p = params.get();
            let theta = theta.get();
            let sym = selected.get_untracked();
            let t = series.with_value(|all| {
                let s = &all.iter().find(|l| Some(&l.symbol) == sym.as_ref())?.series;
                Some(simulate(s, index, side, &theta, &p, true))
            });
            sim_ms.set_value(crate::browser::now_ms() - t0);
            t
        });
        let theta = theta.get_untracked();
        let rc = ReplayCtx {
            ctx,
            nav,
            series,
            version,
            selected,
            loaded: RwSignal::new(Vec::new()),
            problems: RwSignal::new(Vec::new()),
            entry,
            params,
            trade,
            cursor: RwSignal::new(0),
            rule: RwSignal::new(EntryRule::default()),
            pinned: RwSignal::new(None),
            run_a: RwSignal::new(None),
            run_b: RwSignal::new(None),
            axes: RwSignal::new(default_axes(&theta, SWEEP_N)),
            sweep_focus: RwSignal::new(None),
            sweep: StoredValue::new(None),
            sweep_symbol: RwSignal::new(None),
            sweep_version: RwSignal::new(0),
            job: RwSignal::new(None),
            job_kind: RwSignal::new(None),
            last_job: RwSignal::new(None),
            cancel: StoredValue::new(false),
            messages: RwSignal::new(Vec::new()),
            sim_ms,
        };
        provide_context(rc);
        rc
    }

    /// The state provided by the view.
    pub fn get() -> ReplayCtx {
        // Only missing if a part is mounted outside `ReplayView`: a programming error.
        expect_context::<ReplayCtx>()
    }

    /// `f` of the selected symbol's series (`None` when nothing is loaded). Track `version`
    /// first where it should re-run.
    pub fn with_series<R>(&self, f: impl FnOnce(&Series) -> R) -> Option<R> {
        let sym = self.selected.get_untracked();
        self.series.with_value(|all| {
            all.iter()
                .find(|l| Some(&l.symbol) == sym.as_ref())
                .map(|l| f(&l.series))
        })
    }

    /// Whether anything is loaded (tracks `version`).
    pub fn has_series(&self) -> bool {
        self.version.track();
        self.series.with_value(|all| !all.is_empty())
    }

    /// The loaded symbols' names, in order (tracks `version`).
    pub fn symbols(&self) -> Vec<String> {
        self.version.track();
        self.series
            .with_value(|all| all.iter().map(|l| l.symbol.clone()).collect())
    }

    /// Every loaded symbol's series, for research.
    pub fn symbol_series(&self) -> Vec<SymbolSeries> {
        self.series.with_value(|all| {
            all.iter()
                .map(|l| SymbolSeries {
                    name: l.symbol.clone(),
                    series: l.series.clone(),
                })
                .collect()
        })
    }

    /// Shows `symbol`'s trade (the chart, the scrubber and the trade list follow).
    pub fn select(&self, symbol: &str) {
        if self.selected.get_untracked().as_deref() == Some(symbol) {
            return;
        }
        self.selected.set(Some(symbol.to_string()));
        self.version.update(|v| *v += 1);
        self.open_trade();
    }

    /// Replays the selected symbol's opening trade (the one the view opens with), or none.
    pub fn open_trade(&self) {
        let theta = self.ctx.state.with_untracked(|s| s.theta);
        let p = self.params.get_untracked();
        match self
            .with_series(|s| showcase(s, &theta, &p, SHOWCASE_TRIES))
            .flatten()
        {
            Some(t) => self.replay(t.entry_index, t.side),
            None => self.entry.set(None),
        }
    }

    /// Puts the list of loaded symbols and their skipped lines in step with `series`.
    pub fn refresh(&self) {
        let (infos, problems) = self.series.with_value(|all| {
            let infos: Vec<LoadedInfo> = all.iter().map(LoadedInfo::of).collect();
            let problems: Vec<String> = all
                .iter()
                .flat_map(|l| l.problems.iter().map(move |p| format!("{}: {p}", l.file)))
                .collect();
            (infos, problems)
        });
        self.loaded.set(infos);
        self.problems.set(problems);
        self.version.update(|v| *v += 1);
    }

    /// Removes `symbol`: its series, its part of the backtests (the rest pooled again) and the
    /// sweep; another symbol's trade shows if it was the one shown.
    pub fn remove(&self, symbol: &str) {
        self.series
            .update_value(|all| all.retain(|l| l.symbol != symbol));
        self.run_a
            .update(|r| *r = r.as_ref().and_then(|r| r.without(symbol)));
        self.run_b
            .update(|r| *r = r.as_ref().and_then(|r| r.without(symbol)));
        self.sweep.set_value(None);
        self.sweep_symbol.set(None);
        self.sweep_version.update(|v| *v += 1);
        if self.selected.get_untracked().as_deref() == Some(symbol) {
            let next = self
                .series
                .with_value(|all| all.first().map(|l| l.symbol.clone()));
            self.selected.set(next);
            self.version.update(|v| *v += 1);
            self.open_trade();
        }
        self.refresh();
    }

    /// Theta A: the pinned one, else the current one.
    pub fn theta_a(&self) -> Theta {
        self.pinned
            .get_untracked()
            .unwrap_or_else(|| self.ctx.state.with_untracked(|s| s.theta))
    }

    /// Theta B: the current one, when A is pinned.
    pub fn theta_b(&self) -> Option<Theta> {
        self.pinned
            .get_untracked()
            .map(|_| self.ctx.state.with_untracked(|s| s.theta))
    }

    /// Replays `index` on `side` from its entry.
    pub fn replay(&self, index: usize, side: Side) {
        self.cursor.set(0);
        self.entry.set(Some((index, side)));
    }

    /// A/B of the two runs, when both exist.
    pub fn ab(&self) -> Option<AbSummary> {
        let a = self
            .run_a
            .with(|r| r.as_ref().map(|r| r.pool.rows.clone()))?;
        self.run_b
            .with(|b| b.as_ref().map(|b| compare_ab(&a, &b.pool.rows)))
    }

    /// Adds a message (once).
    pub fn say(&self, msg: String) {
        self.messages.update(|m| {
            if !m.contains(&msg) {
                m.push(msg);
            }
        });
    }
}
