//! The Research panel's state, owned by the panel: the settings as the form sets them, the
//! running job (in its Web Worker) and the last report (non-reactive, a version signal says when it changed).

use leptos::prelude::*;

use crate::browser::worker::TextWorker;
use crate::replay::context::ReplayCtx;
use harvest_features::progress::Progress;
use harvest_features::replay::{Sides, SweepAxis};
use harvest_features::research::{Objective, ResearchReport, ResearchSettings, Scheme};
use harvest_kernel::{Theta, ThetaField};

/// Values per axis to begin with.
pub const RESEARCH_N: usize = 10;

/// Small and `Copy`.
#[derive(Clone, Copy)]
pub struct ResearchCtx {
    /// The Replay view's state (the loaded prices, theta, the simulation's settings).
    pub rc: ReplayCtx,
    /// Out-of-sample folds.
    pub folds: RwSignal<usize>,
    /// Rolling or anchored.
    pub scheme: RwSignal<Scheme>,
    /// Segments of a rolling in-sample window.
    pub train: RwSignal<usize>,
    /// What is optimised in-sample.
    pub objective: RwSignal<Objective>,
    /// Enter every this many bars.
    pub every: RwSignal<usize>,
    /// The sides opened at each entry bar.
    pub sides: RwSignal<Sides>,
    /// The tunables varied (1 to 3).
    pub axes: RwSignal<Vec<SweepAxis>>,
    /// The job running, if any.
    pub job: RwSignal<Option<Progress>>,
    /// The Web Worker running the job (or the last one); dropping it terminates it.
    pub worker: StoredValue<Option<TextWorker>, LocalStorage>,
    /// Which run the worker's messages belong to (a cancelled run's late messages are ignored).
    pub run: StoredValue<u64>,
    /// What the last job did and how long it took.
    pub last: RwSignal<Option<String>>,
    /// Why the last job could not run or finish.
    pub error: RwSignal<Option<String>>,
    /// The last report (read it after tracking `version`).
    pub report: StoredValue<Option<ResearchReport>>,
    /// Bumped when `report` changes.
    pub version: RwSignal<u64>,
}

/// The grid to begin with: kill_threshold and T1_R around `theta`, `RESEARCH_N` values each.
pub fn default_grid(theta: &Theta) -> Vec<SweepAxis> {
    vec![
        SweepAxis::around(ThetaField::KillThreshold, theta, RESEARCH_N),
        SweepAxis::around(ThetaField::T1R, theta, RESEARCH_N),
    ]
}

impl ResearchCtx {
    /// Builds the state (defaults as `harvest research`'s).
    pub fn new(rc: ReplayCtx) -> ResearchCtx {
        let d = ResearchSettings::default();
        let theta = rc.ctx.state.with_untracked(|s| s.theta);
        ResearchCtx {
            rc,
            folds: RwSignal::new(d.folds),
            scheme: RwSignal::new(d.scheme),
            train: RwSignal::new(d.train),
            objective: RwSignal::new(d.objective),
            every: RwSignal::new(d.every),
            sides: RwSignal::new(d.sides),
            axes: RwSignal::new(default_grid(&theta)),
            job: RwSignal::new(None),
            worker: StoredValue::new_local(None),
            run: StoredValue::new(0),
            last: RwSignal::new(None),
            error: RwSignal::new(None),
            report: StoredValue::new(None),
            version: RwSignal::new(0),
        }
    }

    /// The settings of a job now: the form's, with the current theta as the base and the
    /// Replay view's simulation settings (cost, horizon, P1 trailing).
    pub fn settings(&self) -> ResearchSettings {
        let p = self.rc.params.get_untracked();
        ResearchSettings {
            grid: self.axes.get_untracked(),
            folds: self.folds.get_untracked(),
            train: self.train.get_untracked(),
            scheme: self.scheme.get_untracked(),
            objective: self.objective.get_untracked(),
            every: self.every.get_untracked(),
            sides: self.sides.get_untracked(),
            base: self.rc.ctx.state.with_untracked(|s| s.theta),
            cost_bps: p.cost_bps,
            max_bars: p.max_bars,
            trail: p.trail,
            ..ResearchSettings::default()
        }
    }
}
