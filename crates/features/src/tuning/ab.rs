//! A/B of two thetas on a set of positions: per position what each proposes and how they differ
//! ([`compare_position`]), counted by action and kind of change ([`AbCounts`]) and said in one
//! sentence ([`AbCounts::net_sentence`]) ([`compare_thetas`]).

use serde::Serialize;

use harvest_kernel::{
    evaluate, validate, Evaluation, HarvestAction, HarvestInput, KernelError, Theta,
};

/// A theta of an A/B comparison that the kernel refuses (nothing is compared then).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{side}: {error}")]
pub struct InvalidTheta {
    /// `"A"` or `"B"`.
    pub side: &'static str,
    /// The kernel's problem (field, value, allowed range).
    pub error: KernelError,
}

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
        parts.sort_by_key(|(n, _)| std::cmp::Reverse(n.unsigned_abs()));
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
