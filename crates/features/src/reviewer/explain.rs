//! Why a record did not match, as a reviewer reads it: a conclusion first (which output differs
//! and the number that decides it, against the threshold of theta it crosses), a severity, and
//! the reason codes the record has in excess or lacks, named. The field-level diff below it
//! stays the evidence; this is the reading of it.

use serde::Serialize;

use harvest_kernel::{harvest_action, HarvestAction, Theta, Verdict};

use super::row::ReviewRow;
use crate::format::{distinct_pair, format_sig};

/// How much a mismatch matters to someone acting on the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Same action, stop and reason codes: only numbers differ beyond the tolerance.
    Low,
    /// Same action, but the proposed stop or the reason codes differ.
    Medium,
    /// The action differs: acting on the record does something the kernel does not propose.
    High,
}

impl Severity {
    /// `"low"`, `"medium"`, `"high"` (as serialized).
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
        }
    }

    /// The badge's text: `High: the action differs`.
    pub fn label(self) -> &'static str {
        match self {
            Severity::Low => "Low: only numbers differ",
            Severity::Medium => "Medium: same action, stop or reasons differ",
            Severity::High => "High: the action differs",
        }
    }
}

/// The reading of one MISMATCH.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Explanation {
    /// How much it matters.
    pub severity: Severity,
    /// The conclusion, one sentence, rounded numbers (as few digits as tell them apart).
    pub conclusion: String,
    /// Reason codes the record has and the kernel does not give, in the record's order.
    pub extra_codes: Vec<String>,
    /// Reason codes the kernel gives and the record lacks, in the kernel's order.
    pub missing_codes: Vec<String>,
}

impl Explanation {
    /// The reason codes' sentence, when they differ: `Reason codes: the record has
    /// kill_score_triggered, which the kernel does not give; it lacks profit_lock.`
    pub fn codes_sentence(&self) -> Option<String> {
        let (extra, missing) = (self.extra_codes.join(", "), self.missing_codes.join(", "));
        match (extra.is_empty(), missing.is_empty()) {
            (true, true) => None,
            (false, true) => Some(format!(
                "Reason codes: the record has {extra}, which the kernel does not give."
            )),
            (true, false) => Some(format!("Reason codes: the record lacks {missing}.")),
            (false, false) => Some(format!(
                "Reason codes: the record has {extra}, which the kernel does not give; it lacks {missing}."
            )),
        }
    }
}

/// The action the kernel's rules give for these numbers: a full close when `K ≥ kill_threshold`,
/// else the tranche `R_net` reaches.
fn rule_action(r_net: f64, k: f64, theta: &Theta) -> HarvestAction {
    if k >= theta.kill_threshold {
        HarvestAction::FullCloseProposed
    } else {
        harvest_action(r_net, theta)
    }
}

/// The tranche level of an action below a full close (NONE 0, PARTIAL_25 1, …).
fn level(a: HarvestAction) -> usize {
    match a {
        HarvestAction::None | HarvestAction::FullCloseProposed => 0,
        HarvestAction::Partial25 => 1,
        HarvestAction::Partial50 => 2,
        HarvestAction::Partial75 => 3,
    }
}

/// The threshold a tranche level starts at: (`T1_R`, its value) for level 1, …
fn tranche_threshold(level: usize, theta: &Theta) -> (&'static str, f64) {
    match level {
        1 => ("T1_R", theta.t1_r),
        2 => ("T2_R", theta.t2_r),
        _ => ("T3_R", theta.t3_r),
    }
}

/// The conclusion and severity of a MISMATCH; `None` for any other verdict or a record the
/// kernel could not compute.
///
/// The conclusion names, in order of what matters: a different action (and the number that
/// decides it: K against `kill_threshold`, or R_net against the `T*_R` between the two; when
/// the record's own numbers do not give its action under the theta it carries, the theta it
/// must have been computed with), a different stop, different reason codes, or else the field
/// that differs most. Numbers are rounded to as few digits as tell the two apart
/// ([`distinct_pair`]).
///
/// ```
/// use harvest_kernel::{propose, HarvestInput, RecordedOutput, Tolerance};
/// use harvest_features::reviewer::verify::{review_record, RecordKind};
/// use harvest_features::reviewer::{explain, Severity};
/// let input = HarvestInput::default();
/// let p = propose(&input).unwrap();
/// let mut rec: RecordedOutput = serde_json::from_value(serde_json::to_value(&p).unwrap()).unwrap();
/// rec.kill_score = 0.61;
/// rec.harvest_action = "FULL_CLOSE_PROPOSED".into();
/// rec.reason_codes = vec!["kill_score_triggered".into()];
/// let row = review_record(1, RecordKind::Proposal, input, Some(rec), &Tolerance::default());
/// let e = explain(&row).unwrap();
/// assert_eq!(e.severity, Severity::High);
/// assert_eq!(
///     e.conclusion,
///     "The record says FULL_CLOSE_PROPOSED, the kernel NONE: K is 0.503 here, 0.61 recorded; \
///      against kill_threshold 0.6 the recorded K gives FULL_CLOSE_PROPOSED."
/// );
/// assert_eq!(e.extra_codes, vec!["kill_score_triggered".to_string()]);
/// ```
pub fn explain(row: &ReviewRow) -> Option<Explanation> {
    if row.verdict != Verdict::Mismatch {
        return None;
    }
    let rec = row.recorded.as_ref()?;
    let (ours, r, k) = (row.action?, row.r_net?, row.kill_score?);
    let theta = row.input.as_ref().and_then(|i| i.theta).unwrap_or_default();
    let kernel_codes: Vec<&str> = row.reason_codes.iter().map(|c| c.as_str()).collect();
    let extra_codes: Vec<String> = rec
        .reason_codes
        .iter()
        .filter(|c| !kernel_codes.contains(&c.as_str()))
        .cloned()
        .collect();
    let missing_codes: Vec<String> = kernel_codes
        .iter()
        .filter(|c| !rec.reason_codes.iter().any(|r| r == *c))
        .map(|c| c.to_string())
        .collect();
    let stop = row.diffs.iter().find(|d| d.field == "new_sl_proposed");
    let codes_differ = row.diffs.iter().any(|d| d.field == "reason_codes");

    let recorded_action = HarvestAction::parse(&rec.harvest_action);
    let (severity, conclusion) = if recorded_action != Some(ours) {
        let head = format!(
            "The record says {}, the kernel {}",
            rec.harvest_action,
            ours.as_str()
        );
        let why = match recorded_action {
            None => format!(
                "“{}” is no action the kernel knows (NONE, PARTIAL_25, PARTIAL_50, PARTIAL_75, FULL_CLOSE_PROPOSED)",
                rec.harvest_action
            ),
            Some(theirs) => action_cause(theirs, (rec.r_net, rec.kill_score), (r, k), &theta),
        };
        (Severity::High, format!("{head}: {why}."))
    } else if stop.is_some() || codes_differ {
        let mut parts = Vec::new();
        if let Some(d) = stop {
            parts.push(format!(
                "the proposed stop is {} here, {} recorded",
                stop_text(&d.recomputed),
                stop_text(&d.recorded)
            ));
        }
        if codes_differ {
            parts.push(if extra_codes.is_empty() && missing_codes.is_empty() {
                format!(
                    "the reason codes are in another order ({} here, {} recorded)",
                    kernel_codes.join(", "),
                    rec.reason_codes.join(", ")
                )
            } else {
                "the reason codes differ".to_string()
            });
        }
        (
            Severity::Medium,
            format!("Same action ({}), but {}.", ours.as_str(), parts.join("; ")),
        )
    } else {
        let most = row.diffs.iter().max_by(|a, b| {
            a.rel_diff
                .unwrap_or(0.0)
                .total_cmp(&b.rel_diff.unwrap_or(0.0))
        });
        let what = most.map_or_else(String::new, |d| {
            let pair = d
                .recomputed
                .parse::<f64>()
                .ok()
                .zip(d.recorded.parse::<f64>().ok());
            match pair {
                Some((got, was)) => {
                    let (g, w) = distinct_pair(got, was);
                    let rel = d
                        .rel_diff
                        .map(|x| format!(", {} % apart", format_sig(x * 100.0, 2)))
                        .unwrap_or_default();
                    format!(": most of all {} is {g} here, {w} recorded{rel}", d.field)
                }
                None => format!(": most of all {}", d.field),
            }
        });
        (
            Severity::Low,
            format!(
                "Same action ({}), stop and reason codes; only numbers differ beyond the tolerance{what}.",
                ours.as_str()
            ),
        )
    };
    Some(Explanation {
        severity,
        conclusion,
        extra_codes,
        missing_codes,
    })
}

/// A recorded or recomputed stop (JSON text) as shown: `none` for null, else 6 significant digits.
fn stop_text(json: &str) -> String {
    match json.parse::<f64>() {
        Ok(v) => format_sig(v, 6),
        Err(_) if json == "null" => "none".to_string(),
        Err(_) => json.to_string(),
    }
}

/// Why the record's action `theirs` is not the kernel's `ours`: the number that decides it, or
/// the theta the record must have been computed with.
fn action_cause(
    theirs: HarvestAction,
    (rec_r, rec_k): (f64, f64),
    (r, k): (f64, f64),
    theta: &Theta,
) -> String {
    let kt = theta.kill_threshold;
    let kt_text = format_sig(kt, 6);
    if rule_action(rec_r, rec_k, theta) == theirs {
        // The record follows from its own numbers: name the one that differs across a threshold.
        if (k >= kt) != (rec_k >= kt) {
            let (here, was) = distinct_pair(k, rec_k);
            return format!(
                "K is {here} here, {was} recorded; against kill_threshold {kt_text} the recorded K gives {}",
                theirs.as_str()
            );
        }
        let (here, was) = distinct_pair(r, rec_r);
        let (lo, hi) = (r.min(rec_r), r.max(rec_r));
        let crossed: Vec<String> = (1..=3)
            .map(|l| tranche_threshold(l, theta))
            .filter(|(_, t)| lo < *t && *t <= hi || lo <= *t && *t < hi)
            .map(|(name, t)| format!("{name} {}", format_sig(t, 6)))
            .collect();
        let against = if crossed.is_empty() {
            String::new()
        } else {
            format!(
                "; across {} the recorded R_net gives {}",
                crossed.join(", "),
                theirs.as_str()
            )
        };
        return format!("R_net is {here} here, {was} recorded{against}");
    }
    // The record's own numbers do not give its action under this theta: it was computed with
    // another one. Name the bound that theta must have had.
    let rk = format_sig(rec_k, 4);
    let rr = format_sig(rec_r, 4);
    if theirs == HarvestAction::FullCloseProposed {
        format!(
            "it closes at K = {rk}, below kill_threshold {kt_text}: the record was computed with a kill_threshold of at most {rk}"
        )
    } else if rec_k >= kt {
        format!(
            "it does not close although its K = {rk} reaches kill_threshold {kt_text}: the record was computed with a kill_threshold above {rk}"
        )
    } else {
        let want = level(theirs);
        let got = level(harvest_action(rec_r, theta));
        if want > got {
            let (name, t) = tranche_threshold(want, theta);
            format!(
                "its {} at R_net {rr} needs {name} at most {rr}, and {name} is {}: the record was computed with a lower {name}",
                theirs.as_str(),
                format_sig(t, 6)
            )
        } else {
            let (name, t) = tranche_threshold(want + 1, theta);
            format!(
                "its {} at R_net {rr} needs {name} above {rr}, and {name} is {}: the record was computed with a higher {name}",
                theirs.as_str(),
                format_sig(t, 6)
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reviewer::verify::{review_record, RecordKind};
    use harvest_kernel::{propose, HarvestInput, Position, RecordedOutput, Tolerance};

    fn input(pnl: f64) -> HarvestInput {
        HarvestInput {
            position: Position {
                unrealized_pnl: pnl,
                ..Position::default()
            },
            ..HarvestInput::default()
        }
    }

    fn recorded(input: &HarvestInput) -> RecordedOutput {
        let p = propose(input).unwrap();
        serde_json::from_value(serde_json::to_value(&p).unwrap()).unwrap()
    }

    fn codes(c: &[&str]) -> Vec<String> {
        c.iter().map(|s| s.to_string()).collect()
    }

    /// (what, unrealized PnL, the alteration, severity, conclusion, extra, missing)
    type Case = (
        &'static str,
        f64,
        fn(&mut RecordedOutput),
        Severity,
        &'static str,
        &'static [&'static str],
        &'static [&'static str],
    );

    #[test]
    fn explanations() {
        let cases: &[Case] = &[
            (
                "K over the threshold in the record",
                0.0,
                |r| {
                    r.kill_score = 0.61;
                    r.harvest_action = "FULL_CLOSE_PROPOSED".into();
                    r.reason_codes = codes(&["kill_score_triggered"]);
                },
                Severity::High,
                "The record says FULL_CLOSE_PROPOSED, the kernel NONE: K is 0.503 here, 0.61 recorded; against kill_threshold 0.6 the recorded K gives FULL_CLOSE_PROPOSED.",
                &["kill_score_triggered"],
                &[],
            ),
            (
                "a close at a K below the threshold: another kill_threshold",
                0.0,
                |r| {
                    r.harvest_action = "FULL_CLOSE_PROPOSED".into();
                    r.reason_codes = codes(&["kill_score_triggered"]);
                },
                Severity::High,
                "The record says FULL_CLOSE_PROPOSED, the kernel NONE: it closes at K = 0.5031, below kill_threshold 0.6: the record was computed with a kill_threshold of at most 0.5031.",
                &["kill_score_triggered"],
                &[],
            ),
            (
                "R_net across T2_R",
                5.0,
                |r| {
                    r.r_net = 4.2;
                    r.harvest_action = "PARTIAL_50".into();
                    r.reason_codes = codes(&["harvest_partial_50", "profit_lock"]);
                },
                Severity::High,
                "The record says PARTIAL_50, the kernel PARTIAL_25: R_net is 2.45 here, 4.2 recorded; across T2_R 4 the recorded R_net gives PARTIAL_50.",
                &["harvest_partial_50"],
                &["harvest_partial_25"],
            ),
            (
                "a partial its R_net does not reach: a lower T2_R",
                5.0,
                |r| {
                    r.harvest_action = "PARTIAL_50".into();
                },
                Severity::High,
                "The record says PARTIAL_50, the kernel PARTIAL_25: its PARTIAL_50 at R_net 2.45 needs T2_R at most 2.45, and T2_R is 4: the record was computed with a lower T2_R.",
                &[],
                &[],
            ),
            (
                "no partial although R_net reaches T1_R: a higher T1_R",
                5.0,
                |r| {
                    r.harvest_action = "NONE".into();
                },
                Severity::High,
                "The record says NONE, the kernel PARTIAL_25: its NONE at R_net 2.45 needs T1_R above 2.45, and T1_R is 2: the record was computed with a higher T1_R.",
                &[],
                &[],
            ),
            (
                "an unknown action",
                0.0,
                |r| r.harvest_action = "HOLD".into(),
                Severity::High,
                "The record says HOLD, the kernel NONE: “HOLD” is no action the kernel knows (NONE, PARTIAL_25, PARTIAL_50, PARTIAL_75, FULL_CLOSE_PROPOSED).",
                &[],
                &[],
            ),
            (
                "the stop differs",
                5.0,
                |r| r.new_sl_proposed = Some(100.5),
                Severity::Medium,
                "Same action (PARTIAL_25), but the proposed stop is 100.2 here, 100.5 recorded.",
                &[],
                &[],
            ),
            (
                "a code in excess and one missing",
                5.0,
                |r| r.reason_codes = codes(&["harvest_partial_25", "sigma_spike"]),
                Severity::Medium,
                "Same action (PARTIAL_25), but the reason codes differ.",
                &["sigma_spike"],
                &["profit_lock"],
            ),
            (
                "codes in another order",
                5.0,
                |r| r.reason_codes = codes(&["profit_lock", "harvest_partial_25"]),
                Severity::Medium,
                "Same action (PARTIAL_25), but the reason codes are in another order (harvest_partial_25, profit_lock here, profit_lock, harvest_partial_25 recorded).",
                &[],
                &[],
            ),
            (
                "only K, slightly",
                0.0,
                |r| r.kill_score = 0.50318,
                Severity::Low,
                "Same action (NONE), stop and reason codes; only numbers differ beyond the tolerance: most of all kill_score is 0.5031 here, 0.5032 recorded, 0.011 % apart.",
                &[],
                &[],
            ),
        ];
        for (what, pnl, alter, severity, conclusion, extra, missing) in cases {
            let inp = input(*pnl);
            let mut rec = recorded(&inp);
            alter(&mut rec);
            let row = review_record(
                7,
                RecordKind::Proposal,
                inp,
                Some(rec),
                &Tolerance::default(),
            );
            let e = explain(&row).unwrap_or_else(|| panic!("{what}: no explanation"));
            assert_eq!(e.severity, *severity, "{what}");
            assert_eq!(e.conclusion, *conclusion, "{what}");
            assert_eq!(e.extra_codes, codes(extra), "{what}: extra");
            assert_eq!(e.missing_codes, codes(missing), "{what}: missing");
        }
    }

    #[test]
    fn codes_sentences() {
        let e = |extra: &[&str], missing: &[&str]| Explanation {
            severity: Severity::Medium,
            conclusion: String::new(),
            extra_codes: codes(extra),
            missing_codes: codes(missing),
        };
        assert_eq!(e(&[], &[]).codes_sentence(), None);
        assert_eq!(
            e(&["sigma_spike"], &[]).codes_sentence().unwrap(),
            "Reason codes: the record has sigma_spike, which the kernel does not give."
        );
        assert_eq!(
            e(&[], &["profit_lock", "ts_drop"])
                .codes_sentence()
                .unwrap(),
            "Reason codes: the record lacks profit_lock, ts_drop."
        );
        assert_eq!(
            e(&["sigma_spike"], &["profit_lock"]).codes_sentence().unwrap(),
            "Reason codes: the record has sigma_spike, which the kernel does not give; it lacks profit_lock."
        );
    }

    #[test]
    fn only_mismatches_are_explained() {
        let inp = input(5.0);
        let rec = recorded(&inp);
        let t = Tolerance::default();
        let matched = review_record(1, RecordKind::Proposal, inp.clone(), Some(rec), &t);
        assert_eq!(explain(&matched), None);
        let computed = review_record(1, RecordKind::Input, inp, None, &t);
        assert_eq!(explain(&computed), None);
    }

    #[test]
    fn severities_order_and_spell() {
        assert!(Severity::High > Severity::Medium && Severity::Medium > Severity::Low);
        assert_eq!(serde_json::to_string(&Severity::High).unwrap(), "\"high\"");
        assert_eq!(Severity::Low.as_str(), "low");
    }
}
