//! Theta tuning: compare two thetas on a set of positions (A/B), measure how far the current
//! point is from the nearest action boundary (robustness), sweep two axes into an action-map
//! table, and import/export theta sets strictly.
//!
//! Pure (no I/O, no clock, no randomness) and compiled for wasm too: the CLI's `sweep`,
//! `diff-theta` and `theta` commands and the dashboard's tuning view share it. Every number comes
//! from the kernel's fast path ([`evaluate`]); the action map itself is the charts'
//! [`action_map`], never a second grid.
//!
//! ```
//! use harvest_kernel::{HarvestAction, Theta};
//! use harvest_features::tuning::{compare_thetas, grid_positions, GridSpec};
//! let a = Theta::default();
//! let b = Theta { kill_threshold: 0.5, ..a };
//! let set = grid_positions(&Default::default(), &GridSpec::default()).unwrap();
//! let report = compare_thetas(&a, &b, &set.inputs).unwrap();
//! assert!(report.counts.net(HarvestAction::FullCloseProposed) > 0); // a lower bar closes more
//! assert_eq!(report.theta_diff[0].key, "kill_threshold");
//! ```

pub mod ab_view;
pub mod axes;
pub mod headline;
pub mod map_view;
pub mod robustness_text;
pub mod theta_sets;

use serde::{Deserialize, Serialize};

use crate::charts::{action_map, ActionMap, ActionMapSpec};
use crate::explorer::params::domain;
use crate::format::format_sig;
// Theta sets moved to [`crate::theta`]; re-exported for the tuning view.
pub use crate::theta::{
    export_theta, import_theta, import_theta_json, import_theta_lines, theta_to_json,
    theta_to_lines, ThetaFormat, ThetaImportError, LINE_PREFIX,
};
use harvest_kernel::{
    evaluate, flip_within, profit_lock, scenarios, validate, Axis, Direction, Evaluation,
    FlipPoint, HarvestAction, HarvestInput, KernelError, Theta, ThetaField,
};

// =============================================================================================
// Position sets.

/// A named list of positions to compare thetas on, each with a label for display.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PositionSet {
    /// What the set is, e.g. `"grid 13 R × 6 σ × 6 p_trend × 5 age"`.
    pub name: String,
    /// One label per position, e.g. `"R 2, σ 0.01, p_trend 0.5, age 3600 s"`.
    pub labels: Vec<String>,
    /// The positions (their own `theta` is ignored by [`compare_thetas`]).
    pub inputs: Vec<HarvestInput>,
}

impl PositionSet {
    /// Number of positions.
    pub fn len(&self) -> usize {
        self.inputs.len()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.inputs.is_empty()
    }
}

/// A grid spec with more than [`MAX_GRID_POSITIONS`] positions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the grid has {positions} positions; at most {MAX_GRID_POSITIONS} are generated")]
pub struct GridTooLarge {
    /// The positions the spec asks for.
    pub positions: usize,
}

/// A theta of an A/B comparison that the kernel refuses (nothing is compared then).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{side}: {error}")]
pub struct InvalidTheta {
    /// `"A"` or `"B"`.
    pub side: &'static str,
    /// The kernel's problem (field, value, allowed range).
    pub error: KernelError,
}

/// Largest number of positions [`grid_positions`] generates.
pub const MAX_GRID_POSITIONS: usize = 1_000_000;

/// The values of a position grid: every combination of R_net, σ, p_trend and age.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GridSpec {
    /// R_net values (in R of the base input's theta); PnL is `R·risk_unit + cost_est`.
    pub r: Vec<f64>,
    /// σ values.
    pub sigma: Vec<f64>,
    /// p_trend values (p_mr and p_chop rescaled to keep the sum, as the sliders do).
    pub p_trend: Vec<f64>,
    /// Ages in seconds.
    pub age_sec: Vec<f64>,
}

impl Default for GridSpec {
    /// 13 R (−2 … 10) × 6 σ (0.005 … 0.03) × 6 p_trend (0.05 … 0.8) × 5 ages (0 … 48 h):
    /// 2340 positions spanning every partial, the profit lock and each kill component.
    fn default() -> Self {
        GridSpec {
            r: (-2..=10).map(f64::from).collect(),
            sigma: vec![0.005, 0.01, 0.015, 0.02, 0.025, 0.03],
            p_trend: vec![0.05, 0.2, 0.35, 0.5, 0.65, 0.8],
            age_sec: vec![0.0, 21600.0, 43200.0, 86400.0, 172800.0],
        }
    }
}

impl GridSpec {
    /// Number of positions the grid has (finite values only; saturating).
    ///
    /// ```
    /// use harvest_features::tuning::GridSpec;
    /// assert_eq!(GridSpec::default().len(), 2340);
    /// ```
    pub fn len(&self) -> usize {
        let n = |v: &[f64]| v.iter().filter(|x| x.is_finite()).count();
        n(&self.r)
            .saturating_mul(n(&self.sigma))
            .saturating_mul(n(&self.p_trend))
            .saturating_mul(n(&self.age_sec))
    }

    /// Whether the grid has no position.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The positions of `spec` around `base` (deterministic; order: R outermost, then σ, p_trend,
/// age). Each is `base` with `unrealized_pnl = R·risk_unit + cost_est` (risk unit and cost of
/// `base` under its own theta, default if none), `sigma`, `p_trend` (others rescaled) and
/// `age_sec` set. Non-finite grid values are skipped.
///
/// # Errors
/// [`GridTooLarge`] when the grid would exceed [`MAX_GRID_POSITIONS`].
///
/// ```
/// use harvest_kernel::HarvestInput;
/// use harvest_features::tuning::{grid_positions, GridSpec};
/// let set = grid_positions(&HarvestInput::default(), &GridSpec::default()).unwrap();
/// assert_eq!(set.len(), 2340);
/// assert!((set.inputs[0].evaluate().r_net + 2.0).abs() < 1e-12);
/// ```
pub fn grid_positions(base: &HarvestInput, spec: &GridSpec) -> Result<PositionSet, GridTooLarge> {
    let n = spec.len();
    if n > MAX_GRID_POSITIONS {
        return Err(GridTooLarge { positions: n });
    }
    let finite = |v: &[f64]| {
        v.iter()
            .copied()
            .filter(|x| x.is_finite())
            .collect::<Vec<_>>()
    };
    let (rs, sigmas, ps, ages) = (
        finite(&spec.r),
        finite(&spec.sigma),
        finite(&spec.p_trend),
        finite(&spec.age_sec),
    );
    let e = base.evaluate();
    let mut labels = Vec::with_capacity(n);
    let mut inputs = Vec::with_capacity(n);
    for &r in &rs {
        for &sigma in &sigmas {
            for &p in &ps {
                for &age in &ages {
                    let mut input = base.clone();
                    input.position.unrealized_pnl = r * e.risk_unit + e.cost_est;
                    input.market_state.sigma = sigma;
                    input.market_state.set_p_trend(p);
                    input.position.age_sec = age;
                    labels.push(format!(
                        "R {}, σ {}, p_trend {}, age {} s",
                        format_sig(r, 4),
                        format_sig(sigma, 4),
                        format_sig(p, 4),
                        format_sig(age, 6)
                    ));
                    inputs.push(input);
                }
            }
        }
    }
    Ok(PositionSet {
        name: format!(
            "grid {} R × {} σ × {} p_trend × {} age",
            rs.len(),
            sigmas.len(),
            ps.len(),
            ages.len()
        ),
        labels,
        inputs,
    })
}

/// Every step of the spec's replay scenarios ([`scenarios`]) as one position set, labelled
/// `"<id>. <scenario>: <step>"`.
///
/// ```
/// use harvest_features::tuning::scenario_positions;
/// let set = scenario_positions();
/// assert_eq!(set.len(), 16);
/// assert!(set.labels[0].starts_with("1. "));
/// ```
pub fn scenario_positions() -> PositionSet {
    let mut labels = Vec::new();
    let mut inputs = Vec::new();
    for s in scenarios() {
        for step in s.steps {
            labels.push(format!("{}. {}: {}", s.id, s.name, step.label));
            inputs.push(step.input);
        }
    }
    PositionSet {
        name: "spec replay steps".to_string(),
        labels,
        inputs,
    }
}

// =============================================================================================
// A/B comparison.

/// What the kernel decides for one position under one theta.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Outcome {
    /// The final action.
    pub action: HarvestAction,
    /// The proposed stop (`None`: the stop stays).
    pub new_sl: Option<f64>,
    /// Kill score K.
    pub kill_score: f64,
    /// Whether `K ≥ kill_threshold`.
    pub killed: bool,
    /// R_net.
    #[serde(rename = "R_net")]
    pub r_net: f64,
}

impl From<&Evaluation> for Outcome {
    fn from(e: &Evaluation) -> Self {
        Outcome {
            action: e.action,
            new_sl: e.new_sl,
            kill_score: e.kill_score,
            killed: e.killed,
            r_net: e.r_net,
        }
    }
}

/// One position under theta A and theta B, and what differs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PositionDiff {
    /// The position's symbol.
    pub symbol: String,
    /// Under theta A.
    pub a: Outcome,
    /// Under theta B.
    pub b: Outcome,
    /// The action differs.
    pub action_changed: bool,
    /// The proposed stop differs (appears, disappears or moves; compared exactly).
    pub sl_changed: bool,
    /// The K trigger (`killed`) differs.
    pub kill_changed: bool,
}

impl PositionDiff {
    /// Whether anything a trader would see changes (action, stop or K trigger).
    pub fn changed(&self) -> bool {
        self.action_changed || self.sl_changed || self.kill_changed
    }

    /// The kinds of change, as `"action"`, `"new_sl"`, `"kill"`.
    pub fn kinds(&self) -> Vec<&'static str> {
        [
            (self.action_changed, "action"),
            (self.sl_changed, "new_sl"),
            (self.kill_changed, "kill"),
        ]
        .into_iter()
        .filter_map(|(on, k)| on.then_some(k))
        .collect()
    }
}

/// One tunable that differs between A and B.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ThetaChange {
    /// The JSON key, e.g. `"kill_threshold"`.
    pub key: &'static str,
    /// Its value in A.
    pub a: f64,
    /// Its value in B.
    pub b: f64,
}

/// The fields in which `b` differs from `a` ([`Theta::diff`]), in wire order.
///
/// ```
/// use harvest_kernel::Theta;
/// use harvest_features::tuning::theta_changes;
/// let b = Theta { t1_r: 1.5, kill_threshold: 0.5, ..Theta::default() };
/// let keys: Vec<&str> = theta_changes(&Theta::default(), &b).iter().map(|c| c.key).collect();
/// assert_eq!(keys, ["T1_R", "kill_threshold"]);
/// ```
pub fn theta_changes(a: &Theta, b: &Theta) -> Vec<ThetaChange> {
    a.diff(b)
        .into_iter()
        .map(|(f, a, b)| ThetaChange { key: f.key(), a, b })
        .collect()
}

/// Counts of an A/B comparison. One per worker thread in the CLI, merged at the end.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AbCounts {
    /// Positions compared.
    pub positions: usize,
    /// Positions the kernel rejected (not compared).
    pub invalid: usize,
    /// Positions where anything changed.
    pub changed: usize,
    /// Positions whose action changed.
    pub action_changed: usize,
    /// Positions whose proposed stop changed.
    pub sl_changed: usize,
    /// Of those, stops B proposes where A proposed none.
    pub sl_added: usize,
    /// Of those, stops A proposed and B does not.
    pub sl_removed: usize,
    /// Positions whose K trigger changed.
    pub kill_changed: usize,
    /// Of those, positions K triggers under B but not A.
    pub newly_killed: usize,
    /// Of those, positions K triggers under A but not B.
    pub no_longer_killed: usize,
    /// Positions per action under A, in [`HarvestAction::ALL`] order.
    pub a: [usize; 5],
    /// Positions per action under B, in [`HarvestAction::ALL`] order.
    pub b: [usize; 5],
    /// `transitions[i][j]`: positions with action `ALL[i]` under A and `ALL[j]` under B.
    pub transitions: [[usize; 5]; 5],
}

impl AbCounts {
    /// Counts one compared position.
    pub fn add(&mut self, d: &PositionDiff) {
        let (ia, ib) = (d.a.action as usize, d.b.action as usize);
        self.positions += 1;
        self.a[ia] += 1;
        self.b[ib] += 1;
        self.transitions[ia][ib] += 1;
        self.changed += usize::from(d.changed());
        self.action_changed += usize::from(d.action_changed);
        if d.sl_changed {
            self.sl_changed += 1;
            self.sl_added += usize::from(d.a.new_sl.is_none());
            self.sl_removed += usize::from(d.b.new_sl.is_none());
        }
        if d.kill_changed {
            self.kill_changed += 1;
            self.newly_killed += usize::from(d.b.killed);
            self.no_longer_killed += usize::from(d.a.killed);
        }
    }

    /// Adds another accumulator's counts.
    pub fn merge(&mut self, o: &AbCounts) {
        self.positions += o.positions;
        self.invalid += o.invalid;
        self.changed += o.changed;
        self.action_changed += o.action_changed;
        self.sl_changed += o.sl_changed;
        self.sl_added += o.sl_added;
        self.sl_removed += o.sl_removed;
        self.kill_changed += o.kill_changed;
        self.newly_killed += o.newly_killed;
        self.no_longer_killed += o.no_longer_killed;
        for i in 0..5 {
            self.a[i] += o.a[i];
            self.b[i] += o.b[i];
            for j in 0..5 {
                self.transitions[i][j] += o.transitions[i][j];
            }
        }
    }

    /// How many more positions B gives `action` than A (negative: fewer).
    pub fn net(&self, action: HarvestAction) -> i64 {
        let i = action as usize;
        self.b[i] as i64 - self.a[i] as i64
    }

    /// The net change per action in words, e.g.
    /// `"B proposes 37 more full closes, 12 fewer 25 % partials and 25 fewer holds than A."`
    /// (largest changes first; full closes before partials on ties).
    ///
    /// ```
    /// use harvest_kernel::{HarvestAction, Theta};
    /// use harvest_features::tuning::{compare_thetas, scenario_positions};
    /// let b = Theta { kill_threshold: 0.5, ..Theta::default() };
    /// let r = compare_thetas(&Theta::default(), &b, &scenario_positions().inputs).unwrap();
    /// assert!(r.counts.net_sentence().starts_with("B proposes "));
    /// ```
    pub fn net_sentence(&self) -> String {
        let mut parts: Vec<(i64, HarvestAction)> = HarvestAction::ALL
            .into_iter()
            .rev()
            .map(|a| (self.net(a), a))
            .filter(|(n, _)| *n != 0)
            .collect();
        crate::sort::sort_by_key(&mut parts, |(n, _)| std::cmp::Reverse(n.unsigned_abs()));
        if parts.is_empty() {
            return if self.action_changed == 0 {
                "B proposes the same action as A for every position.".to_string()
            } else {
                format!(
                    "B proposes as many of each action as A, but {} changes action.",
                    plural(self.action_changed, "position", "positions")
                )
            };
        }
        let words: Vec<String> = parts
            .iter()
            .map(|&(n, a)| {
                format!(
                    "{} {} {}",
                    n.unsigned_abs(),
                    if n > 0 { "more" } else { "fewer" },
                    action_noun(a, n.unsigned_abs() == 1)
                )
            })
            .collect();
        format!("B proposes {} than A.", join_and(&words))
    }

    /// A summary in a few sentences: positions, changes by kind, the net change per action.
    ///
    /// ```
    /// use harvest_kernel::Theta;
    /// use harvest_features::tuning::{compare_thetas, scenario_positions};
    /// let b = Theta { kill_threshold: 0.55, ..Theta::default() };
    /// let r = compare_thetas(&Theta::default(), &b, &scenario_positions().inputs).unwrap();
    /// let s = r.counts.summary();
    /// assert!(s[0].starts_with("16 positions compared; 1 changed: action 1"), "{}", s[0]);
    /// assert_eq!(s[2], "B proposes 1 more full close and 1 fewer hold than A.");
    /// ```
    pub fn summary(&self) -> Vec<String> {
        let mut out = vec![format!(
            "{} compared{}; {} changed: action {}, stop {} ({} added, {} removed), K trigger {} ({} newly, {} no longer).",
            plural(self.positions, "position", "positions"),
            if self.invalid > 0 {
                format!(", {} invalid", self.invalid)
            } else {
                String::new()
            },
            self.changed,
            self.action_changed,
            self.sl_changed,
            self.sl_added,
            self.sl_removed,
            self.kill_changed,
            self.newly_killed,
            self.no_longer_killed
        )];
        let per: Vec<String> = HarvestAction::ALL
            .into_iter()
            .map(|a| {
                let i = a as usize;
                let n = self.net(a);
                let sign = if n > 0 { "+" } else { "" };
                format!("{a} {} → {} ({sign}{n})", self.a[i], self.b[i])
            })
            .collect();
        out.push(format!("Actions A → B: {}.", per.join(", ")));
        out.push(self.net_sentence());
        out
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn action_noun(a: HarvestAction, one: bool) -> &'static str {
    match (a, one) {
        (HarvestAction::None, true) => "hold",
        (HarvestAction::None, false) => "holds",
        (HarvestAction::Partial25, true) => "25 % partial",
        (HarvestAction::Partial25, false) => "25 % partials",
        (HarvestAction::Partial50, true) => "50 % partial",
        (HarvestAction::Partial50, false) => "50 % partials",
        (HarvestAction::Partial75, true) => "75 % partial",
        (HarvestAction::Partial75, false) => "75 % partials",
        (HarvestAction::FullCloseProposed, true) => "full close",
        (HarvestAction::FullCloseProposed, false) => "full closes",
    }
}

fn join_and(words: &[String]) -> String {
    match words {
        [] => String::new(),
        [one] => one.clone(),
        [head @ .., last] => format!("{} and {last}", head.join(", ")),
    }
}

/// Compares one position under theta `a` and theta `b` (its own `theta` is ignored): both
/// proposals on the fast path ([`evaluate`]), after the kernel's input validation.
///
/// # Errors
/// The [`KernelError`] of [`validate`] for the position, market state and P1 proposal (or for
/// an invalid `a` or `b`).
///
/// ```
/// use harvest_kernel::{scenarios, HarvestAction, Theta};
/// use harvest_features::tuning::compare_position;
/// let storm = &scenarios()[5].steps[0].input; // K 0.917
/// let lax = Theta { kill_threshold: 0.95, ..Theta::default() };
/// let d = compare_position(storm, &Theta::default(), &lax).unwrap();
/// assert_eq!(d.a.action, HarvestAction::FullCloseProposed);
/// assert!(d.kill_changed && d.action_changed && !d.sl_changed);
/// ```
pub fn compare_position(
    input: &HarvestInput,
    a: &Theta,
    b: &Theta,
) -> Result<PositionDiff, KernelError> {
    let (pos, ms, p1) = (
        &input.position,
        &input.market_state,
        input.p1_proposal.as_ref(),
    );
    validate(pos, ms, p1, a)?;
    b.validate()?;
    let ea = Outcome::from(&evaluate(pos, ms, p1, a));
    let eb = Outcome::from(&evaluate(pos, ms, p1, b));
    Ok(PositionDiff {
        symbol: pos.symbol.clone(),
        action_changed: ea.action != eb.action,
        sl_changed: ea.new_sl.map(f64::to_bits) != eb.new_sl.map(f64::to_bits),
        kill_changed: ea.killed != eb.killed,
        a: ea,
        b: eb,
    })
}

/// The result of comparing two thetas on a set of positions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AbReport {
    /// The tunables that differ, in wire order.
    pub theta_diff: Vec<ThetaChange>,
    /// Counts by kind of change and per action.
    pub counts: AbCounts,
    /// Every position where something changed: `(index in the input slice, diff)`.
    pub changes: Vec<(usize, PositionDiff)>,
    /// Positions the kernel rejected: `(index, message)`.
    pub invalid: Vec<(usize, String)>,
}

/// Compares theta `a` with theta `b` on `positions` (their own `theta` is ignored): every
/// position whose action, proposed stop or K trigger changes, counts per kind and per action,
/// and the tunables that differ.
///
/// # Errors
/// Every problem of [`Theta::validate_all`] of A then of B as [`InvalidTheta`] (shown `"A: …"`, `"B: …"`)
/// (nothing is compared with an invalid theta).
///
/// ```
/// use harvest_kernel::Theta;
/// use harvest_features::tuning::{compare_thetas, scenario_positions};
/// let set = scenario_positions();
/// let same = compare_thetas(&Theta::default(), &Theta::default(), &set.inputs).unwrap();
/// assert_eq!((same.counts.changed, same.changes.len()), (0, 0));
/// let bad = Theta { sigma_ref: 0.0, ..Theta::default() };
/// let err = compare_thetas(&Theta::default(), &bad, &set.inputs).unwrap_err();
/// assert!(err[0].to_string().starts_with("B: theta.sigma_ref"));
/// ```
pub fn compare_thetas(
    a: &Theta,
    b: &Theta,
    positions: &[HarvestInput],
) -> Result<AbReport, Vec<InvalidTheta>> {
    let problems: Vec<InvalidTheta> = [("A", a), ("B", b)]
        .into_iter()
        .flat_map(|(side, t)| {
            t.validate_all()
                .into_iter()
                .map(move |error| InvalidTheta { side, error })
        })
        .collect();
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut report = AbReport {
        theta_diff: theta_changes(a, b),
        counts: AbCounts::default(),
        changes: Vec::new(),
        invalid: Vec::new(),
    };
    for (i, input) in positions.iter().enumerate() {
        match compare_position(input, a, b) {
            Ok(d) => {
                report.counts.add(&d);
                if d.changed() {
                    report.changes.push((i, d));
                }
            }
            Err(e) => {
                report.counts.invalid += 1;
                report.invalid.push((i, e.to_string()));
            }
        }
    }
    Ok(report)
}

// =============================================================================================
// Robustness.

/// How far the current point is from the nearest action change along one axis, both ways.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AxisMargin {
    /// The axis.
    pub axis: Axis,
    /// The current value.
    pub current: f64,
    /// The explored range ([`domain`]).
    pub domain: (f64, f64),
    /// The action now.
    pub action: HarvestAction,
    /// The nearest change below the current value, if any within the domain.
    pub down: Option<FlipPoint>,
    /// The nearest change above the current value, if any within the domain.
    pub up: Option<FlipPoint>,
}

impl AxisMargin {
    /// The nearer of the two flips (by distance: both are in this axis's units).
    pub fn nearest(&self) -> Option<&FlipPoint> {
        match (&self.down, &self.up) {
            (Some(d), Some(u)) => Some(if d.distance().abs() <= u.distance().abs() {
                d
            } else {
                u
            }),
            (d, u) => d.as_ref().or(u.as_ref()),
        }
    }

    /// One sentence per direction, down first (see [`margin_sentence`]; a direction without a
    /// flip says the action holds to the end of the domain).
    ///
    /// ```
    /// use harvest_kernel::{Axis, HarvestInput};
    /// use harvest_features::tuning::robustness_along;
    /// let s = robustness_along(&HarvestInput::default(), Axis::PTrend).sentences();
    /// assert!(s[0].starts_with("p_trend can fall "), "{s:?}");
    /// ```
    pub fn sentences(&self) -> Vec<String> {
        [
            (Direction::Down, &self.down, self.domain.0),
            (Direction::Up, &self.up, self.domain.1),
        ]
        .into_iter()
        .filter(|(_, _, end)| *end != self.current)
        .map(|(dir, flip, end)| match flip {
            Some(f) => margin_sentence(f),
            None => format!(
                "{} can {} to {} (the end of its range) and the action stays {}",
                self.axis.label(),
                verb(dir),
                with_unit(self.axis, end),
                self.action
            ),
        })
        .collect()
    }
}

fn verb(d: Direction) -> &'static str {
    match d {
        Direction::Up => "rise",
        Direction::Down => "fall",
    }
}

/// The unit shown after values of `axis`: only where the label does not already say it.
fn with_unit(axis: Axis, v: f64) -> String {
    let unit = match axis {
        Axis::Pnl => " quote",
        Axis::AgeSec => " s",
        Axis::Theta(f) => match f.spec().unit {
            "s" => " s",
            "R" => " R",
            "bps" => " bps",
            _ => "",
        },
        _ => "",
    };
    format!("{}{unit}", format_sig(v, 4))
}

/// A flip as a margin, e.g. `"σ can rise 78.6 % (+0.007859, to 0.01786) before
/// FULL_CLOSE_PROPOSED"`; when the current value is 0 (no percentage), `"PnL can rise 4.1 quote
/// (to 4.1 quote) before PARTIAL_25"`.
///
/// ```
/// use harvest_kernel::{flip_along, Axis, Direction, HarvestInput};
/// use harvest_features::tuning::margin_sentence;
/// let f = flip_along(&HarvestInput::default(), Axis::Sigma, Direction::Up).unwrap();
/// let s = margin_sentence(&f);
/// assert_eq!(s, "σ can rise 78.6 % (+0.007859, to 0.01786) before FULL_CLOSE_PROPOSED");
/// assert!(s.ends_with("before FULL_CLOSE_PROPOSED"));
/// ```
pub fn margin_sentence(f: &FlipPoint) -> String {
    let d = f.distance();
    let sign = if d >= 0.0 { "+" } else { "−" };
    match f.relative_pct() {
        Some(pct) => format!(
            "{} can {} {} % ({sign}{}, to {}) before {}",
            f.axis.label(),
            verb(f.direction),
            format_sig(pct.abs(), 3),
            with_unit(f.axis, d.abs()),
            with_unit(f.axis, f.value),
            f.to
        ),
        None => format!(
            "{} can {} {} (to {}) before {}",
            f.axis.label(),
            verb(f.direction),
            with_unit(f.axis, d.abs()),
            with_unit(f.axis, f.value),
            f.to
        ),
    }
}

/// The margins along one axis ([`flip_within`] both ways, inside [`domain`]).
///
/// ```
/// use harvest_kernel::{Axis, HarvestAction, HarvestInput};
/// use harvest_features::tuning::robustness_along;
/// let m = robustness_along(&HarvestInput::default(), Axis::Pnl);
/// assert_eq!(m.up.unwrap().to, HarvestAction::Partial25);
/// assert_eq!(m.nearest().unwrap().to, HarvestAction::Partial25);
/// ```
pub fn robustness_along(input: &HarvestInput, axis: Axis) -> AxisMargin {
    let domain = domain(axis, input);
    AxisMargin {
        axis,
        current: axis.get(input),
        domain,
        action: input.evaluate().action,
        down: flip_within(input, axis, Direction::Down, domain),
        up: flip_within(input, axis, Direction::Up, domain),
    }
}

/// The margins along the five explained inputs ([`Axis::INPUTS`]: PnL, p_trend, σ, TS, age).
///
/// ```
/// use harvest_kernel::HarvestInput;
/// use harvest_features::tuning::robustness;
/// let all = robustness(&HarvestInput::default());
/// assert_eq!(all.len(), 5);
/// assert!(all.iter().flat_map(|m| m.sentences()).any(|s| s.contains("σ can rise")));
/// ```
pub fn robustness(input: &HarvestInput) -> Vec<AxisMargin> {
    Axis::INPUTS
        .into_iter()
        .map(|a| robustness_along(input, a))
        .collect()
}

/// The margins along every tunable: how far each theta value can move before this position's
/// action changes ("kill_threshold can fall 16.1 % … before FULL_CLOSE_PROPOSED").
///
/// ```
/// use harvest_kernel::{Axis, HarvestInput, ThetaField};
/// use harvest_features::tuning::theta_robustness;
/// let all = theta_robustness(&HarvestInput::default());
/// let kt = all.iter().find(|m| m.axis == Axis::Theta(ThetaField::KillThreshold)).unwrap();
/// assert!(kt.sentences()[0].starts_with("kill_threshold can fall 16.1 %"));
/// ```
pub fn theta_robustness(input: &HarvestInput) -> Vec<AxisMargin> {
    ThetaField::ALL
        .into_iter()
        .map(|f| robustness_along(input, Axis::Theta(f)))
        .collect()
}

// =============================================================================================
// Sweep: the action map as a table.

/// The action map of two axes with the proposed stop of each cell: what `harvest sweep` writes.
#[derive(Debug, Clone, PartialEq)]
pub struct Sweep {
    /// The charts' action map ([`action_map`]): actions, R_net and K per cell.
    pub map: ActionMap,
    /// The proposed stop per cell, in the order of `map.cells`.
    pub new_sl: Vec<Option<f64>>,
}

/// One row of a [`Sweep`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SweepRow {
    /// The x value (cell centre).
    pub x: f64,
    /// The y value (cell centre).
    pub y: f64,
    /// The final action.
    pub action: HarvestAction,
    /// R_net.
    #[serde(rename = "R_net")]
    pub r_net: f64,
    /// Kill score K.
    pub kill_score: f64,
    /// The proposed stop.
    pub new_sl: Option<f64>,
}

/// The action map of `input` over `spec` ([`action_map`], which sanitizes the spec) plus each
/// cell's proposed stop. The stop is the kernel's [`profit_lock`] at the cell's R_net, under the
/// input's theta with the cell's theta axes set: exactly what [`evaluate`] gives there (the swept
/// inputs never move side, entry or the current stop).
///
/// ```
/// use harvest_features::charts::ActionMapSpec;
/// use harvest_kernel::{Axis, HarvestInput};
/// use harvest_features::tuning::sweep;
/// let input = HarvestInput::default();
/// let s = sweep(&input, ActionMapSpec::around(&input, Axis::Pnl, Axis::Sigma, 20, 10));
/// assert_eq!(s.rows().count(), 200);
/// assert!(s.rows().any(|r| r.new_sl.is_some()));
/// ```
pub fn sweep(input: &HarvestInput, spec: ActionMapSpec) -> Sweep {
    let map = action_map(input, spec);
    let spec = map.spec;
    let base = input.theta.unwrap_or_default();
    let pos = &input.position;
    let mut new_sl = Vec::with_capacity(map.cells.len());
    for j in 0..spec.ny {
        for i in 0..spec.nx {
            let Some(cell) = map.cell(i, j) else {
                continue;
            };
            // Same order as the map: y first, then x.
            let mut theta = base;
            if let Axis::Theta(f) = spec.y {
                theta.set(f, spec.y_at(j));
            }
            if let Axis::Theta(f) = spec.x {
                theta.set(f, spec.x_at(i));
            }
            new_sl.push(profit_lock(
                pos.side,
                pos.entry_price,
                pos.current_sl,
                cell.r_net,
                &theta,
            ));
        }
    }
    Sweep { map, new_sl }
}

impl Sweep {
    /// The rows, bottom row first, left to right (the order of `map.cells`).
    pub fn rows(&self) -> impl Iterator<Item = SweepRow> + '_ {
        let spec = self.map.spec;
        self.map
            .cells
            .iter()
            .zip(&self.new_sl)
            .enumerate()
            .map(move |(k, (c, sl))| SweepRow {
                x: spec.x_at(k % spec.nx.max(1)),
                y: spec.y_at(k / spec.nx.max(1)),
                action: c.action,
                r_net: c.r_net,
                kill_score: c.k,
                new_sl: *sl,
            })
    }

    /// The CSV header: the two axis keys, then `action,R_net,kill_score,new_sl`.
    pub fn csv_header(&self) -> String {
        format!(
            "{},{},action,R_net,kill_score,new_sl",
            self.map.spec.x.key(),
            self.map.spec.y.key()
        )
    }

    /// One CSV line (no newline): numbers in full precision, an empty `new_sl` when the stop stays.
    pub fn csv_row(row: &SweepRow) -> String {
        use crate::csv_text::Cell::Plain;
        let num = crate::format::shortest;
        let sl = row.new_sl.map(num).unwrap_or_default();
        let (x, y, r, k) = (num(row.x), num(row.y), num(row.r_net), num(row.kill_score));
        crate::csv_text::row(&[
            Plain(&x),
            Plain(&y),
            Plain(row.action.as_str()),
            Plain(&r),
            Plain(&k),
            Plain(&sl),
        ])
    }

    /// The whole table as CSV, header first, one line per cell.
    ///
    /// ```
    /// use harvest_features::charts::ActionMapSpec;
    /// use harvest_kernel::{Axis, HarvestInput};
    /// use harvest_features::tuning::sweep;
    /// let input = HarvestInput::default();
    /// let csv = sweep(&input, ActionMapSpec::around(&input, Axis::Sigma, Axis::Ts, 2, 2)).to_csv();
    /// assert!(csv.starts_with("sigma,ts,action,R_net,kill_score,new_sl\n"));
    /// assert_eq!(csv.lines().count(), 5);
    /// ```
    pub fn to_csv(&self) -> String {
        let mut out = self.csv_header();
        out.push('\n');
        for r in self.rows() {
            out.push_str(&Self::csv_row(&r));
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn net_sentence_words() {
        let mut c = AbCounts::default();
        c.a[0] = 3;
        c.b[4] = 2;
        c.b[1] = 1;
        assert_eq!(
            c.net_sentence(),
            "B proposes 3 fewer holds, 2 more full closes and 1 more 25 % partial than A."
        );
    }
}
