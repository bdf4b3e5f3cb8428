//! The research report, built from a plan and its tasks' results (pure: the same results give
//! the same report, bit for bit, whoever computed them).

use serde::Serialize;

use super::folds::Fold;
use super::objective::Objective;
use super::plan::{ResearchPlan, ResearchSettings, TaskResult};
use super::stats::{dsr, moments, pbo, psr, sharpe, Dsr, Pbo};
use crate::format::fmt_time;
use crate::replay::{summarize, Summary};
use harvest_kernel::Theta;

/// A symbol of the job.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SymbolInfo {
    /// The symbol.
    pub name: String,
    /// Its bars.
    pub bars: usize,
    /// First bar, `YYYY-MM-DD HH:MM` UTC.
    pub from: String,
    /// Last bar.
    pub to: String,
    /// Its trades over all segments.
    pub trades: usize,
}

/// A segment of time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SegmentInfo {
    /// Segment number from 0.
    pub index: usize,
    /// Start, epoch s.
    pub start: i64,
    /// End (excluded), epoch s.
    pub end: i64,
    /// Start as `YYYY-MM-DD HH:MM`.
    pub from: String,
    /// End as `YYYY-MM-DD HH:MM`.
    pub to: String,
    /// Trades pooled over the symbols.
    pub trades: usize,
}

/// A tunable's value in a choice.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AxisValue {
    /// The tunable's key.
    pub key: &'static str,
    /// Its value.
    pub value: f64,
}

/// A choice's tunables as text, values to 4 significant digits: `kill_threshold = 0.6, T1_R = 2`
/// (`compact`: `kill_threshold=0.6 T1_R=2`).
///
/// ```
/// use harvest_features::research::report::{values_text, AxisValue};
/// let v = [AxisValue { key: "kill_threshold", value: 0.8444444444444444 }, AxisValue { key: "T1_R", value: 2.0 }];
/// assert_eq!(values_text(&v, false), "kill_threshold = 0.8444, T1_R = 2");
/// assert_eq!(values_text(&v, true), "kill_threshold=0.8444 T1_R=2");
/// ```
pub fn values_text(values: &[AxisValue], compact: bool) -> String {
    let (eq, sep) = if compact { ("=", " ") } else { (" = ", ", ") };
    values
        .iter()
        .map(|v| format!("{}{eq}{}", v.key, crate::format::format_sig(v.value, 4)))
        .collect::<Vec<_>>()
        .join(sep)
}

/// Whether the objective around a choice is a plateau or a spike.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Shape {
    /// The neighbours keep at least half of the choice's lead over the grid's median.
    Plateau,
    /// The neighbours fall back towards the median or below: the choice stands alone.
    Spike,
    /// The choice is no better than the grid's median: the tunables hardly matter here.
    Flat,
    /// A grid of one cell: no neighbours to compare.
    Alone,
}

/// How flat the objective is around a choice.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plateau {
    /// Neighbouring cells with a value (one step on any axis).
    pub neighbours: usize,
    /// The choice's value (the objective as shown).
    pub best: f64,
    /// The neighbours' mean.
    pub neighbour_mean: f64,
    /// The worst neighbour.
    pub neighbour_worst: f64,
    /// The median over the grid.
    pub grid_median: f64,
    /// (neighbour mean − median) / (best − median): 1 is perfectly flat around the choice,
    /// 0 or less a lone spike.
    pub stability: f64,
    /// The verdict: plateau at stability ≥ 0.5.
    pub shape: Shape,
}

/// One walk-forward fold.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FoldReport {
    /// Fold number from 0.
    pub index: usize,
    /// In-sample segments `is_segments.0 .. is_segments.1`.
    pub is_segments: (usize, usize),
    /// In-sample period, from.
    pub is_from: String,
    /// In-sample period, to.
    pub is_to: String,
    /// Out-of-sample segment.
    pub oos_segment: usize,
    /// Out-of-sample period, from.
    pub oos_from: String,
    /// Out-of-sample period, to.
    pub oos_to: String,
    /// The chosen cell.
    pub cell: usize,
    /// Its tunables.
    pub values: Vec<AxisValue>,
    /// In-sample figures of the choice.
    pub is: Summary,
    /// In-sample objective.
    pub is_value: f64,
    /// Out-of-sample figures of the choice.
    pub oos: Summary,
    /// Out-of-sample objective.
    pub oos_value: Option<f64>,
    /// Out-of-sample over in-sample, per trade ([`Objective::ratio`]).
    pub ratio: Option<f64>,
    /// The choice's rank out of sample among the valid cells (1 = best; ties share).
    pub oos_rank: f64,
    /// Cells ranked.
    pub ranked: usize,
    /// The base theta out of sample, on the same trades.
    pub base_oos: Summary,
    /// The base theta's out-of-sample objective.
    pub base_oos_value: Option<f64>,
    /// P1's trailing stop alone: its out-of-sample objective.
    pub trail_oos_value: Option<f64>,
    /// P1's trailing stop alone out of sample.
    pub trail_oos: Summary,
    /// Hold to the initial stop out of sample.
    pub hold_oos: Summary,
    /// Out of sample per symbol: (symbol, the choice, the base theta).
    pub per_symbol: Vec<SymbolResult>,
    /// Around the choice in-sample.
    pub plateau: Plateau,
    /// The choice's deflated Sharpe ratio in-sample, given the cells tried.
    pub dsr: Dsr,
    /// Every cell's in-sample objective (None: invalid theta or no trade).
    pub is_values: Vec<Option<f64>>,
    /// Every cell's out-of-sample objective.
    pub oos_values: Vec<Option<f64>>,
}

/// One symbol's figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SymbolResult {
    /// The symbol.
    pub symbol: String,
    /// With the chosen theta(s).
    pub chosen: Summary,
    /// With the base theta.
    pub base: Summary,
    /// P1's trailing stop alone.
    pub trail: Summary,
}

/// A point of the stitched out-of-sample equity curves: after each trade, by entry time.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct EquityPoint {
    /// Entry time of the trade, epoch s.
    pub time: i64,
    /// The fold it belongs to.
    pub fold: usize,
    /// Cumulative R with each fold's choice.
    pub chosen: f64,
    /// Cumulative R with the base theta.
    pub base: f64,
    /// Cumulative R with P1's trailing stop alone.
    pub trail: f64,
}

/// Everything out of sample, the folds stitched.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OosReport {
    /// Each fold's choice on its own fold.
    pub chosen: Summary,
    /// The base theta.
    pub base: Summary,
    /// P1's trailing stop alone.
    pub trail: Summary,
    /// Hold to the initial stop.
    pub hold: Summary,
    /// Per-trade Sharpe ratio of the stitched choice.
    pub sharpe: f64,
    /// Its probabilistic Sharpe ratio against 0 (no selection happened out of sample).
    pub psr: f64,
    /// Folds where the choice beat the base theta on the objective.
    pub folds_beating_base: usize,
    /// Per symbol.
    pub per_symbol: Vec<SymbolResult>,
    /// The curves.
    pub equity: Vec<EquityPoint>,
}

/// The handed-off choice: made on the window that ends with the data.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Choice {
    /// The cell.
    pub cell: usize,
    /// Its tunables.
    pub values: Vec<AxisValue>,
    /// The whole theta.
    pub theta: Theta,
    /// The window, segments `from .. to`.
    pub segments: (usize, usize),
    /// Window start.
    pub from: String,
    /// Window end.
    pub to: String,
    /// Figures on the window.
    pub summary: Summary,
    /// The base theta on the window.
    pub base: Summary,
    /// Its objective.
    pub value: f64,
    /// Around it.
    pub plateau: Plateau,
    /// Its deflated Sharpe ratio, given the cells tried.
    pub dsr: Dsr,
    /// Every cell's objective on the window.
    pub values_grid: Vec<Option<f64>>,
}

/// The probability of backtest overfitting as reported.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PboReport {
    /// The figures (without the per-combination lists).
    #[serde(flatten)]
    pub pbo: PboFigures,
    /// Logits in bins of 0.5 from −5 to 5 (the ends take the rest).
    pub logit_histogram: Vec<usize>,
}

/// [`Pbo`] without its lists.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PboFigures {
    /// Blocks S.
    pub blocks: usize,
    /// Trades a block.
    pub block_len: usize,
    /// Trades used.
    pub rows: usize,
    /// Leading trades left out.
    pub dropped: usize,
    /// Trades left out because a cell could not simulate them.
    pub incomplete: usize,
    /// Cells compared.
    pub strategies: usize,
    /// Combinations.
    pub combinations: usize,
    /// The probability of backtest overfitting.
    pub pbo: f64,
    /// The share of combinations whose in-sample best lost out of sample.
    pub prob_oos_loss: f64,
    /// Median logit.
    pub median_logit: f64,
}

/// Lower edge of the logit histogram.
pub const LOGIT_LO: f64 = -5.0;
/// Bin width of the logit histogram.
pub const LOGIT_STEP: f64 = 0.5;
/// Bins of the logit histogram.
pub const LOGIT_BINS: usize = 20;

/// The whole report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResearchReport {
    /// The settings it ran with.
    pub settings: ResearchSettings,
    /// The objective's label.
    pub objective_label: &'static str,
    /// The symbols.
    pub symbols: Vec<SymbolInfo>,
    /// The segments.
    pub segments: Vec<SegmentInfo>,
    /// Cells in the grid.
    pub cells: usize,
    /// Cells whose theta is valid (the trials counted by the DSR).
    pub trials: usize,
    /// The folds.
    pub folds: Vec<FoldReport>,
    /// Out of sample, stitched.
    pub oos: OosReport,
    /// The handed-off choice.
    pub choice: Choice,
    /// PBO over every trade, or why it could not be computed.
    pub pbo: Result<PboReport, String>,
    /// What it says, in a few sentences.
    pub verdict: Vec<String>,
}

/// The results laid out by column and segment, in timeline order.
struct Matrix<'a> {
    plan: &'a ResearchPlan,
    /// r[column][segment].
    r: Vec<Vec<Vec<f64>>>,
    hold: Vec<Vec<f64>>,
    trail: Vec<Vec<f64>>,
    /// symbol of each trade, [segment].
    sym: Vec<Vec<usize>>,
    time: Vec<Vec<i64>>,
}

impl<'a> Matrix<'a> {
    fn new(plan: &'a ResearchPlan, results: &[TaskResult]) -> Matrix<'a> {
        let cols = plan.columns();
        let base = plan.base_column();
        let get = |block: usize, column: usize| &results[block * cols + column];
        let r = (0..cols)
            .map(|c| {
                plan.timeline
                    .iter()
                    .map(|t| t.iter().map(|x| get(x.block, c).r[x.k]).collect())
                    .collect()
            })
            .collect();
        let pick = |f: fn(&TaskResult) -> &Vec<f64>| {
            plan.timeline
                .iter()
                .map(|t| {
                    t.iter()
                        .map(|x| f(get(x.block, base)).get(x.k).copied().unwrap_or(f64::NAN))
                        .collect()
                })
                .collect()
        };
        Matrix {
            r,
            hold: pick(|t| &t.hold),
            trail: pick(|t| &t.trail),
            sym: plan
                .timeline
                .iter()
                .map(|t| t.iter().map(|x| plan.blocks[x.block].symbol).collect())
                .collect(),
            time: plan
                .timeline
                .iter()
                .map(|t| t.iter().map(|x| x.time).collect())
                .collect(),
            plan,
        }
    }

    fn window(&self, col: usize, from: usize, to: usize) -> Vec<f64> {
        self.r[col][from..to].concat()
    }

    fn valid(&self, col: usize) -> bool {
        self.plan.thetas[col].is_ok()
    }

    /// Every cell's score on segments `from..to` (None: invalid or no trade).
    fn scores(&self, o: Objective, from: usize, to: usize) -> Vec<Option<f64>> {
        (0..self.plan.grid.cells())
            .map(|c| {
                self.valid(c)
                    .then(|| o.score(&self.window(c, from, to)))
                    .flatten()
            })
            .collect()
    }
}

/// The first cell with the highest score.
fn best(scores: &[Option<f64>]) -> Option<usize> {
    let mut out: Option<usize> = None;
    for (k, s) in scores.iter().enumerate() {
        if let Some(v) = s {
            if out.is_none_or(|b| *v > scores[b].unwrap_or(f64::NEG_INFINITY)) {
                out = Some(k);
            }
        }
    }
    out
}

fn median(xs: &mut [f64]) -> f64 {
    if xs.is_empty() {
        return f64::NAN;
    }
    xs.sort_by(f64::total_cmp);
    let m = xs.len() / 2;
    if xs.len().is_multiple_of(2) {
        (xs[m - 1] + xs[m]) / 2.0
    } else {
        xs[m]
    }
}

/// How flat the scores are around `cell` (scores: higher is better; reported as shown).
fn plateau(plan: &ResearchPlan, o: Objective, scores: &[Option<f64>], cell: usize) -> Plateau {
    let best = scores[cell].unwrap_or(f64::NAN);
    let neigh: Vec<f64> = plan
        .grid
        .neighbours(cell)
        .into_iter()
        .filter_map(|k| scores[k])
        .collect();
    let mut all: Vec<f64> = scores.iter().flatten().copied().collect();
    let med = median(&mut all);
    let mean = if neigh.is_empty() {
        f64::NAN
    } else {
        neigh.iter().sum::<f64>() / neigh.len() as f64
    };
    let worst = neigh.iter().copied().fold(f64::INFINITY, f64::min);
    let lead = best - med;
    let scale = best.abs().max(med.abs()).max(1e-12);
    let (stability, shape) = if neigh.is_empty() {
        (f64::NAN, Shape::Alone)
    } else if lead <= 1e-9 * scale {
        (1.0, Shape::Flat)
    } else {
        let s = (mean - med) / lead;
        (
            s,
            if s >= 0.5 {
                Shape::Plateau
            } else {
                Shape::Spike
            },
        )
    };
    Plateau {
        neighbours: neigh.len(),
        best: o.shown(best),
        neighbour_mean: o.shown(mean),
        neighbour_worst: if neigh.is_empty() {
            f64::NAN
        } else {
            o.shown(worst)
        },
        grid_median: o.shown(med),
        stability,
        shape,
    }
}

/// The DSR of `cell` on segments `from..to`: per-trade Sharpe, the trials' Sharpe spread.
fn dsr_of(m: &Matrix, cell: usize, from: usize, to: usize) -> Dsr {
    let rs: Vec<f64> = m
        .window(cell, from, to)
        .into_iter()
        .filter(|x| x.is_finite())
        .collect();
    let mo = moments(&rs);
    let srs: Vec<f64> = (0..m.plan.grid.cells())
        .filter(|&c| m.valid(c))
        .map(|c| sharpe(&m.window(c, from, to)))
        .collect();
    let spread = moments(&srs).std;
    dsr(sharpe(&rs), mo.n, mo.skew, mo.kurtosis, srs.len(), spread)
}

fn values(plan: &ResearchPlan, cell: usize) -> Vec<AxisValue> {
    plan.grid
        .axes
        .iter()
        .zip(plan.grid.values(cell))
        .map(|(a, v)| AxisValue {
            key: a.field.key(),
            value: v,
        })
        .collect()
}

fn per_symbol(
    m: &Matrix,
    segs: &[(usize, usize)], // (segment, column)
) -> Vec<SymbolResult> {
    let base = m.plan.base_column();
    m.plan
        .symbols
        .iter()
        .enumerate()
        .map(|(s, sym)| {
            let (mut ch, mut b, mut tr) = (Vec::new(), Vec::new(), Vec::new());
            for &(g, col) in segs {
                for (i, &si) in m.sym[g].iter().enumerate() {
                    if si == s {
                        ch.push(m.r[col][g][i]);
                        b.push(m.r[base][g][i]);
                        tr.push(m.trail[g][i]);
                    }
                }
            }
            SymbolResult {
                symbol: sym.name.clone(),
                chosen: summarize(&ch),
                base: summarize(&b),
                trail: summarize(&tr),
            }
        })
        .collect()
}

/// Why a report cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportError {
    /// Results missing or of the wrong shape.
    #[error("{got} task results for {want} tasks (or one of the wrong length)")]
    Results {
        /// Results given.
        got: usize,
        /// Tasks.
        want: usize,
    },
    /// No cell of the grid has a valid theta with trades in some window.
    #[error("no cell of the grid has a valid theta with trades in segments {0} … {1}: check the grid's ranges (e.g. T1_R below T2_R below T3_R)")]
    NoChoice(usize, usize),
}

/// Builds the report of `plan` from its tasks' results, in [`ResearchPlan::tasks`] order.
///
/// # Errors
/// [`ReportError`]: results of the wrong shape, or no valid cell in a window.
pub fn build_report(
    plan: &ResearchPlan,
    results: &[TaskResult],
) -> Result<ResearchReport, ReportError> {
    build_report_with(plan, results, None)
}

/// Whether `results` have the shape of `plan`'s tasks.
fn check_results(plan: &ResearchPlan, results: &[TaskResult]) -> Result<(), ReportError> {
    let tasks = plan.tasks();
    let bad = results.len() != tasks.len()
        || tasks.iter().zip(results).any(|(t, r)| {
            let n = plan.blocks[t.block].entries.len();
            r.r.len() != n
                || (t.column == plan.base_column() && (r.hold.len() != n || r.trail.len() != n))
        });
    if bad {
        return Err(ReportError::Results {
            got: results.len(),
            want: tasks.len(),
        });
    }
    Ok(())
}

/// The report's PBO (or why there is none) from `plan`'s results: the costly part of the report
/// (CSCV over every combination of blocks), so that whoever ran the tasks (the page's Web
/// Worker) can compute it there and hand it to [`build_report_with`].
///
/// # Errors
/// [`ReportError::Results`]: results of the wrong shape.
pub fn pbo_of(
    plan: &ResearchPlan,
    results: &[TaskResult],
) -> Result<Result<PboReport, String>, ReportError> {
    check_results(plan, results)?;
    let m = Matrix::new(plan, results);
    Ok(pbo_report(&m, plan.settings.objective, &plan.settings))
}

/// [`build_report`] with the PBO given (as [`pbo_of`] computed it from the same results) or, if
/// `None`, computed here.
///
/// # Errors
/// [`ReportError`]: results of the wrong shape, or no valid cell in a window.
pub fn build_report_with(
    plan: &ResearchPlan,
    results: &[TaskResult],
    pbo: Option<Result<PboReport, String>>,
) -> Result<ResearchReport, ReportError> {
    check_results(plan, results)?;
    let m = Matrix::new(plan, results);
    let s = &plan.settings;
    let o = s.objective;
    let base = plan.base_column();
    let bounds = &plan.folds.bounds;
    let choose = |f: &Fold| -> Result<(usize, Vec<Option<f64>>), ReportError> {
        let scores = m.scores(o, f.is_from, f.is_to);
        let cell = best(&scores).ok_or(ReportError::NoChoice(f.is_from, f.is_to))?;
        Ok((cell, scores))
    };
    let mut folds = Vec::new();
    let mut stitched: Vec<(usize, usize)> = Vec::new(); // (segment, column)
    for f in &plan.folds.folds {
        let (cell, is_scores) = choose(f)?;
        let g = f.oos.unwrap_or(f.is_to);
        let oos_scores = m.scores(o, g, g + 1);
        let is_r = m.window(cell, f.is_from, f.is_to);
        let oos_r = m.window(cell, g, g + 1);
        let mine = oos_scores[cell];
        let ranked: Vec<f64> = oos_scores.iter().flatten().copied().collect();
        let oos_rank = match mine {
            Some(v) => {
                let better = ranked.iter().filter(|&&x| x > v).count() as f64;
                let ties = ranked.iter().filter(|&&x| x == v).count() as f64;
                better + (ties + 1.0) / 2.0
            }
            None => f64::NAN,
        };
        stitched.push((g, cell));
        folds.push(FoldReport {
            index: f.index,
            is_segments: (f.is_from, f.is_to),
            is_from: fmt_time(bounds[f.is_from]),
            is_to: fmt_time(bounds[f.is_to]),
            oos_segment: g,
            oos_from: fmt_time(bounds[g]),
            oos_to: fmt_time(bounds[g + 1]),
            cell,
            values: values(plan, cell),
            is: summarize(&is_r),
            is_value: o.shown(is_scores[cell].unwrap_or(f64::NAN)),
            oos: summarize(&oos_r),
            oos_value: mine.map(|v| o.shown(v)),
            ratio: o.ratio(&is_r, &oos_r),
            oos_rank,
            ranked: ranked.len(),
            base_oos: summarize(&m.r[base][g]),
            base_oos_value: o.score(&m.r[base][g]).map(|v| o.shown(v)),
            trail_oos_value: o.score(&m.trail[g]).map(|v| o.shown(v)),
            trail_oos: summarize(&m.trail[g]),
            hold_oos: summarize(&m.hold[g]),
            per_symbol: per_symbol(&m, &[(g, cell)]),
            plateau: plateau(plan, o, &is_scores, cell),
            dsr: dsr_of(&m, cell, f.is_from, f.is_to),
            is_values: is_scores.iter().map(|v| v.map(|v| o.shown(v))).collect(),
            oos_values: oos_scores.iter().map(|v| v.map(|v| o.shown(v))).collect(),
        });
    }
    // Stitched out of sample.
    let (mut ch, mut b, mut tr, mut ho) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut equity = Vec::new();
    let (mut c1, mut c2, mut c3) = (0.0, 0.0, 0.0);
    for (fi, &(g, col)) in stitched.iter().enumerate() {
        for i in 0..m.r[col][g].len() {
            let (x, y, z) = (m.r[col][g][i], m.r[base][g][i], m.trail[g][i]);
            ch.push(x);
            b.push(y);
            tr.push(z);
            ho.push(m.hold[g][i]);
            let fin = |v: f64| if v.is_finite() { v } else { 0.0 };
            c1 += fin(x);
            c2 += fin(y);
            c3 += fin(z);
            equity.push(EquityPoint {
                time: m.time[g][i],
                fold: fi,
                chosen: c1,
                base: c2,
                trail: c3,
            });
        }
    }
    let chm = moments(&ch);
    let oos_sharpe = sharpe(&ch);
    let beating = folds
        .iter()
        .filter(|f| {
            let g = f.oos_segment;
            match (o.score(&m.r[f.cell][g]), o.score(&m.r[base][g])) {
                (Some(a), Some(b)) => a > b,
                _ => false,
            }
        })
        .count();
    let oos = OosReport {
        chosen: summarize(&ch),
        base: summarize(&b),
        trail: summarize(&tr),
        hold: summarize(&ho),
        sharpe: oos_sharpe,
        psr: psr(oos_sharpe, chm.n, chm.skew, chm.kurtosis, 0.0),
        folds_beating_base: beating,
        per_symbol: per_symbol(&m, &stitched),
        equity,
    };
    // The final choice.
    let last = plan.folds.last;
    let (cell, scores) = choose(&last)?;
    let theta = plan.thetas[cell]
        .clone()
        .unwrap_or_else(|_| plan.grid.theta(&s.base, cell));
    let choice = Choice {
        cell,
        values: values(plan, cell),
        theta,
        segments: (last.is_from, last.is_to),
        from: fmt_time(bounds[last.is_from]),
        to: fmt_time(bounds[last.is_to]),
        summary: summarize(&m.window(cell, last.is_from, last.is_to)),
        base: summarize(&m.window(base, last.is_from, last.is_to)),
        value: o.shown(scores[cell].unwrap_or(f64::NAN)),
        plateau: plateau(plan, o, &scores, cell),
        dsr: dsr_of(&m, cell, last.is_from, last.is_to),
        values_grid: scores.iter().map(|v| v.map(|v| o.shown(v))).collect(),
    };
    let pbo = pbo.unwrap_or_else(|| pbo_report(&m, o, s));
    let trials = (0..plan.grid.cells()).filter(|&c| m.valid(c)).count();
    let symbols = plan
        .symbols
        .iter()
        .enumerate()
        .map(|(i, x)| SymbolInfo {
            name: x.name.clone(),
            bars: x.series.bars.len(),
            from: fmt_time(x.series.bars[0].time),
            to: fmt_time(x.series.bars[x.series.bars.len() - 1].time),
            trades: plan
                .blocks
                .iter()
                .filter(|b| b.symbol == i)
                .map(|b| b.entries.len())
                .sum(),
        })
        .collect();
    let segments = (0..plan.folds.segments())
        .map(|g| SegmentInfo {
            index: g,
            start: bounds[g],
            end: bounds[g + 1],
            from: fmt_time(bounds[g]),
            to: fmt_time(bounds[g + 1]),
            trades: plan.timeline[g].len(),
        })
        .collect();
    let mut report = ResearchReport {
        settings: s.clone(),
        objective_label: o.label(),
        symbols,
        segments,
        cells: plan.grid.cells(),
        trials,
        folds,
        oos,
        choice,
        pbo,
        verdict: Vec::new(),
    };
    report.verdict = verdict(&report);
    Ok(report)
}

fn pbo_report(m: &Matrix, o: Objective, s: &ResearchSettings) -> Result<PboReport, String> {
    let cols: Vec<usize> = (0..m.plan.grid.cells()).filter(|&c| m.valid(c)).collect();
    let all: Vec<Vec<f64>> = cols.iter().map(|&c| m.r[c].concat()).collect();
    let t = all.first().map_or(0, Vec::len);
    let keep: Vec<usize> = (0..t)
        .filter(|&i| all.iter().all(|c| c[i].is_finite()))
        .collect();
    let columns: Vec<Vec<f64>> = all
        .iter()
        .map(|c| keep.iter().map(|&i| c[i]).collect())
        .collect();
    let p: Pbo = pbo(&columns, s.cscv_blocks, o.metric()).map_err(|e| e.to_string())?;
    let mut hist = vec![0usize; LOGIT_BINS];
    for &l in &p.logits {
        let k = ((l - LOGIT_LO) / LOGIT_STEP).floor();
        let k = if k.is_nan() {
            0
        } else {
            (k.max(0.0) as usize).min(LOGIT_BINS - 1)
        };
        hist[k] += 1;
    }
    let mut ls = p.logits.clone();
    Ok(PboReport {
        pbo: PboFigures {
            blocks: p.blocks,
            block_len: p.block_len,
            rows: p.rows,
            dropped: p.dropped,
            incomplete: t - keep.len(),
            strategies: p.strategies,
            combinations: p.combinations,
            pbo: p.pbo,
            prob_oos_loss: p.prob_oos_loss,
            median_logit: median(&mut ls),
        },
        logit_histogram: hist,
    })
}

/// A number with `d` decimals, for sentences.
fn f(v: f64, d: usize) -> String {
    crate::format::fixed_or_dash(v, d)
}

/// The report in a few sentences.
pub fn verdict(r: &ResearchReport) -> Vec<String> {
    let mut out = Vec::new();
    let o = r.settings.objective;
    let oos = &r.oos;
    out.push(format!(
        "Out of sample ({} trades over {} folds) each fold's choice made {} R per trade, {} R in all (worst drawdown {} R); the base theta {} R per trade, P1's trailing stop alone {} R.",
        oos.chosen.trades,
        r.folds.len(),
        f(oos.chosen.mean_r, 3),
        f(oos.chosen.total_r, 1),
        f(oos.chosen.max_drawdown_r, 1),
        f(oos.base.mean_r, 3),
        f(oos.trail.mean_r, 3),
    ));
    out.push(format!(
        "The choice beat the base theta on {} in {} of {} folds.",
        o.as_str(),
        oos.folds_beating_base,
        r.folds.len()
    ));
    match &r.pbo {
        Ok(p) => {
            let p = &p.pbo;
            let word = if p.pbo < 0.1 {
                "low: the in-sample best usually stays above the median out of sample"
            } else if p.pbo < 0.5 {
                "moderate: the in-sample best often falls to the median or below out of sample"
            } else {
                "high: picking the in-sample best is no better than picking at random"
            };
            out.push(format!(
                "Probability of backtest overfitting {} over {} cells and {} combinations of {} blocks ({word}).",
                f(p.pbo, 2),
                p.strategies,
                p.combinations,
                p.blocks
            ));
        }
        Err(e) => out.push(format!("No PBO: {e}.")),
    }
    let d = &r.choice.dsr;
    out.push(format!(
        "Deflated Sharpe ratio of the handed-off choice {}: the probability that its per-trade Sharpe ratio {} beats {} , what the best of {} cells would show by luck{}.",
        f(d.dsr, 2),
        f(d.sr, 3),
        f(d.sr0, 3),
        d.trials,
        if d.dsr >= 0.95 { " — significant at 95 %" } else { " — not significant at 95 %" }
    ).replace(" ,", ","));
    let p = &r.choice.plateau;
    out.push(match p.shape {
        Shape::Plateau => format!("Around the choice the objective is a plateau (its neighbours keep {} % of its lead over the grid's median): small changes of the tunables hardly matter.", f(p.stability * 100.0, 0)),
        Shape::Spike => format!("Around the choice the objective is a spike (its neighbours keep only {} % of its lead over the grid's median): a small change loses most of it.", f(p.stability * 100.0, 0)),
        Shape::Flat => "The objective is flat over the grid: the choice is no better than the median cell.".to_string(),
        Shape::Alone => "A grid of one cell: nothing to compare the choice with.".to_string(),
    });
    out
}
