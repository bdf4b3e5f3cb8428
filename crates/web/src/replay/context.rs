//! The Replay view's state, owned by the view (built the first time it shows, then kept): the
//! price series with its market states (non-reactive, a version signal says when it changed),
//! the trade being replayed and the scrubber, the simulation's settings, the backtest, A/B and
//! sweep results, and the one job running in slices.

use leptos::prelude::*;

use crate::context::Ctx;
use crate::nav::Nav;
use harvest_features::progress::Progress;
use harvest_features::replay::{
    compare_ab, simulate, AbSummary, Report, Series, Sides, SimError, SimParams, SweepAxis,
    ThetaSweep, Trade, TradeRow,
};
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

/// A finished backtest: its rows and report, with the theta it ran with.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// The theta.
    pub theta: Theta,
    /// One row per trade.
    pub rows: Vec<TradeRow>,
    /// Summary against the baselines.
    pub report: Report,
}

/// Small and `Copy`.
#[derive(Clone, Copy)]
pub struct ReplayCtx {
    /// The explorer's state (theta comes from it).
    pub ctx: Ctx,
    /// The views' shared state.
    pub nav: Nav,
    /// The loaded series (read it after tracking `version`).
    pub series: StoredValue<Option<Series>>,
    /// Bumped when `series` changes (loaded, states computed).
    pub version: RwSignal<u64>,
    /// What is loaded: a file name and its bar count.
    pub source: RwSignal<Option<String>>,
    /// The loaded file's symbol (from its name, as `harvest` reads file names).
    pub symbol: RwSignal<Option<String>>,
    /// Lines of the file that were skipped, with their line numbers.
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
    /// The sweep (cells fill in while it runs).
    pub sweep: StoredValue<Option<ThetaSweep>>,
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
        let series = StoredValue::new(None::<Series>);
        let version = RwSignal::new(0u64);
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
            let t = series.with_value(|s| {
                let s = s.as_ref()?;
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
            source: RwSignal::new(None),
            symbol: RwSignal::new(None),
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
        let a = self.run_a.with(|r| r.as_ref().map(|r| r.rows.clone()))?;
        self.run_b
            .with(|b| b.as_ref().map(|b| compare_ab(&a, &b.rows)))
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
