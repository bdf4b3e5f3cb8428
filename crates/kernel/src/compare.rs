//! Proposal comparison for reviewers: a recorded proposal (as some system produced it) against the
//! kernel's recomputation from the recorded audit inputs, field by field, with a stated tolerance.

use crate::num::{Num, Short};
use serde::{Deserialize, Serialize};

use super::types::{KComponents, Proposal};

/// How close two numbers must be to count as equal:
/// `|a − b| ≤ max(abs, rel · max(|a|, |b|))`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Tolerance {
    /// Absolute tolerance.
    pub abs: f64,
    /// Relative tolerance.
    pub rel: f64,
}

impl Default for Tolerance {
    /// `abs = 1e-9`, `rel = 1e-9`: a reproduction by the same f64 formulas is exact, so these only
    /// absorb decimal printing by other systems.
    fn default() -> Self {
        Tolerance {
            abs: 1e-9,
            rel: 1e-9,
        }
    }
}

impl Tolerance {
    /// Whether `a` and `b` are equal within the tolerance (two NaNs are not; an infinity equals
    /// only itself).
    ///
    /// ```
    /// use harvest_kernel::Tolerance;
    /// let t = Tolerance { abs: 1e-9, rel: 1e-6 };
    /// assert!(t.close(1000.0, 1000.0005));
    /// assert!(!t.close(1.0, 1.0001));
    /// ```
    pub fn close(&self, a: f64, b: f64) -> bool {
        if a == b {
            return true;
        }
        if !(a.is_finite() && b.is_finite()) {
            return false;
        }
        let d = (a - b).abs();
        d <= self.abs.max(self.rel * a.abs().max(b.abs()))
    }
}

/// The output fields of a recorded proposal, kept loose (actions and codes as strings) so that a
/// record with an unknown action or code is a mismatch to show, not a parse failure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordedOutput {
    /// Recorded action, as spelled in the record.
    pub harvest_action: String,
    /// Recorded stop proposal.
    #[serde(default)]
    pub new_sl_proposed: Option<f64>,
    /// Recorded R_net.
    #[serde(rename = "R_net")]
    pub r_net: f64,
    /// Recorded risk unit.
    pub risk_unit: f64,
    /// Recorded cost estimate.
    pub cost_est: f64,
    /// Recorded K.
    pub kill_score: f64,
    /// Recorded reason codes, as spelled in the record.
    pub reason_codes: Vec<String>,
    /// Recorded kill components (from the audit), if present.
    #[serde(default)]
    pub k_components: Option<KComponents>,
    /// Recorded tranche weights (from the audit), if present.
    #[serde(default)]
    pub tranche_weights: Option<[f64; 3]>,
}

/// The review outcome of one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Verdict {
    /// Every compared field is equal within the tolerance.
    Match,
    /// At least one field differs.
    Mismatch,
    /// The record could not be read or its inputs are rejected by the kernel.
    Invalid,
    /// An input record (no recorded proposal): computed, nothing to compare.
    Computed,
}

impl Verdict {
    /// All verdicts.
    pub const ALL: [Verdict; 4] = [
        Verdict::Match,
        Verdict::Mismatch,
        Verdict::Invalid,
        Verdict::Computed,
    ];

    /// `"MATCH"`, `"MISMATCH"`, `"INVALID"` or `"COMPUTED"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Match => "MATCH",
            Verdict::Mismatch => "MISMATCH",
            Verdict::Invalid => "INVALID",
            Verdict::Computed => "COMPUTED",
        }
    }
}

/// One field that differs between the record and the recomputation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldDiff {
    /// Output path, e.g. `R_net` or `audit.k_components.sigma_spike`.
    pub field: String,
    /// The recorded value, as JSON text.
    pub recorded: String,
    /// The recomputed value, as JSON text.
    pub recomputed: String,
    /// `|recorded − recomputed|` for numbers.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub abs_diff: Option<f64>,
    /// `abs_diff / max(|recorded|, |recomputed|)` for numbers.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub rel_diff: Option<f64>,
    /// Why the kernel computes what it does, in words.
    pub why: String,
}

fn num_diff(field: &str, rec: f64, got: f64, why: String) -> FieldDiff {
    let abs = (rec - got).abs();
    let scale = rec.abs().max(got.abs());
    FieldDiff {
        field: field.to_string(),
        recorded: json_num(rec),
        recomputed: json_num(got),
        abs_diff: Some(abs),
        rel_diff: (scale > 0.0).then(|| abs / scale),
        why,
    }
}

fn json_num(v: f64) -> String {
    if v.is_finite() {
        format!("{:#}", Num(v))
    } else {
        format!("\"{}\"", Num(v))
    }
}

fn opt_num(v: Option<f64>) -> String {
    v.map_or_else(|| "null".to_string(), json_num)
}

/// Compares a recorded proposal with the kernel's recomputation; empty when they agree.
///
/// Compared: `harvest_action`, `new_sl_proposed`, `R_net`, `risk_unit`, `cost_est`,
/// `kill_score`, `reason_codes` (same codes, same order), and, when the record carries them,
/// `audit.k_components.*` and `audit.tranche_weights`.
///
/// ```
/// use harvest_kernel::{compare, propose, HarvestInput, RecordedOutput, Tolerance};
/// let p = propose(&HarvestInput::default()).unwrap();
/// let mut rec: RecordedOutput = serde_json::from_value(serde_json::to_value(&p).unwrap()).unwrap();
/// assert!(compare(&rec, &p, &Tolerance::default()).is_empty());
/// rec.kill_score += 0.01;
/// assert_eq!(compare(&rec, &p, &Tolerance::default())[0].field, "kill_score");
/// ```
pub fn compare(rec: &RecordedOutput, got: &Proposal, tol: &Tolerance) -> Vec<FieldDiff> {
    let mut diffs = Vec::new();
    let t = &got.audit.theta;
    let k = &got.audit.k_components;
    if rec.harvest_action != got.harvest_action.as_str() {
        diffs.push(FieldDiff {
            field: "harvest_action".to_string(),
            recorded: format!("{:?}", rec.harvest_action),
            recomputed: format!("\"{}\"", got.harvest_action),
            abs_diff: None,
            rel_diff: None,
            why: format!(
                "R_net {} against T1/T2/T3 {}/{}/{}; K {} against kill_threshold {}",
                Short(got.r_net),
                Short(t.t1_r),
                Short(t.t2_r),
                Short(t.t3_r),
                Short(got.kill_score),
                Short(t.kill_threshold)
            ),
        });
    }
    let sl_equal = match (rec.new_sl_proposed, got.new_sl_proposed) {
        (None, None) => true,
        (Some(a), Some(b)) => tol.close(a, b),
        _ => false,
    };
    if !sl_equal {
        let why = format!(
            "profit lock needs R_net {} ≥ lock_R {} and a BE+ level that tightens current SL {}",
            Short(got.r_net),
            Short(t.lock_r),
            opt_num(got.audit.position.current_sl)
        );
        diffs.push(match (rec.new_sl_proposed, got.new_sl_proposed) {
            (Some(a), Some(b)) => num_diff("new_sl_proposed", a, b, why),
            (a, b) => FieldDiff {
                field: "new_sl_proposed".to_string(),
                recorded: opt_num(a),
                recomputed: opt_num(b),
                abs_diff: None,
                rel_diff: None,
                why,
            },
        });
    }
    let numbers = [
        (
            "R_net",
            rec.r_net,
            got.r_net,
            format!(
                "(pnl {} − cost_est {}) / risk_unit {}",
                Short(got.audit.position.unrealized_pnl),
                Short(got.cost_est),
                Short(got.risk_unit)
            ),
        ),
        (
            "risk_unit",
            rec.risk_unit,
            got.risk_unit,
            "max(entry · stop · qty, 1e-9), stop from P1 when present and non-zero, else \
             fallback_stop_pct"
                .to_string(),
        ),
        (
            "cost_est",
            rec.cost_est,
            got.cost_est,
            format!("cost_bps {} / 10000 · entry · qty", Short(t.cost_bps)),
        ),
        (
            "kill_score",
            rec.kill_score,
            got.kill_score,
            format!("1/(1+exp(−z)) with z = {}", Short(got.audit.z)),
        ),
    ];
    for (field, a, b, why) in numbers {
        if !tol.close(a, b) {
            diffs.push(num_diff(field, a, b, why));
        }
    }
    let got_codes: Vec<&str> = got.reason_codes.iter().map(|c| c.as_str()).collect();
    if rec
        .reason_codes
        .iter()
        .map(String::as_str)
        .ne(got_codes.iter().copied())
    {
        diffs.push(FieldDiff {
            field: "reason_codes".to_string(),
            recorded: format!("{:?}", rec.reason_codes),
            recomputed: format!("{got_codes:?}"),
            abs_diff: None,
            rel_diff: None,
            why: "harvest code from the R_net cascade, profit_lock if an SL is proposed, then \
                  kill_score_triggered and components over their bars (strict)"
                .to_string(),
        });
    }
    if let Some(rk) = &rec.k_components {
        let comps = [
            (
                "regime_flip",
                rk.regime_flip,
                k.regime_flip,
                "1 if p_trend < trend_min and p_chop + p_mr > 0.5",
            ),
            (
                "sigma_spike",
                rk.sigma_spike,
                k.sigma_spike,
                "clamp(σ/σ_ref − 1, 0, sigma_spike_cap)",
            ),
            (
                "ts_drop",
                rk.ts_drop,
                k.ts_drop,
                "clamp(ts_ref − TS, 0, ts_drop_cap)",
            ),
            (
                "age_penalty",
                rk.age_penalty,
                k.age_penalty,
                "clamp(age_sec / max_age_sec, 0, 1)",
            ),
        ];
        for (name, a, b, why) in comps {
            if !tol.close(a, b) {
                diffs.push(num_diff(
                    &format!("audit.k_components.{name}"),
                    a,
                    b,
                    why.to_string(),
                ));
            }
        }
    }
    if let Some(rw) = rec.tranche_weights {
        let w = got.audit.tranche_weights;
        for i in 0..3 {
            if !tol.close(rw[i], w[i]) {
                diffs.push(num_diff(
                    &format!("audit.tranche_weights[{i}]"),
                    rw[i],
                    w[i],
                    "exp(u_i / softmax_temp) / Σ_j exp(u_j / softmax_temp), exactly 1/3 each \
                     when Σ < 1e-9"
                        .to_string(),
                ));
            }
        }
    }
    diffs
}
