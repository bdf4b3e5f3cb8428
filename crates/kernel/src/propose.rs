//! The proposal: validation, the allocation-free fast path, and the full proposal with its audit.

use super::error::KernelError;
use super::kill::{k_components, kill_z, sigmoid};
use super::theta::Theta;
use super::types::{
    Audit, HarvestAction, HarvestInput, KComponents, MarketState, P1Proposal, Position, Proposal,
    ReasonCode, Side, Warning,
};
use crate::num::Short;

/// Lower bound of the risk unit, so R_net never divides by zero.
pub const MIN_RISK_UNIT: f64 = 1e-9;

/// Tolerance of the probability-sum warning: `|p_trend + p_mr + p_chop − 1| > 1e-3` warns.
pub const PROB_SUM_TOLERANCE: f64 = 1e-3;

/// Everything the kernel decides, as plain numbers: no audit, no allocation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Evaluation {
    /// The final action (FULL_CLOSE_PROPOSED when K triggered).
    pub action: HarvestAction,
    /// The action of the R_net cascade alone (what the partial would be without the kill score).
    pub harvest: HarvestAction,
    /// The tightened stop, if any.
    pub new_sl: Option<f64>,
    /// The break-even-plus level, proposed or not.
    pub be_level: f64,
    /// Cost-aware risk multiple.
    pub r_net: f64,
    /// Risk unit in quote currency.
    pub risk_unit: f64,
    /// Cost estimate in quote currency.
    pub cost_est: f64,
    /// Stop distance used (P1's or the fallback).
    pub stop_dist: f64,
    /// Whether P1's stop was used.
    pub p1_used: bool,
    /// Raw kill components.
    pub k: KComponents,
    /// Kill logit.
    pub z: f64,
    /// Kill score.
    pub kill_score: f64,
    /// Whether `K ≥ kill_threshold`.
    pub killed: bool,
}

/// The stop distance used, as the running P2 system picks it: P1's `stop_dist_pct` whenever P1
/// is present and its stop is non-zero (a negative one too: [`validate`] warns), else
/// `fallback_stop_pct`. The second value says whether P1's was used.
///
/// ```
/// use harvest_kernel::{stop_distance, P1Proposal, Theta};
/// let p1 = |s| P1Proposal { stop_dist_pct: s, ..P1Proposal::default() };
/// assert_eq!(stop_distance(Some(&p1(0.03)), &Theta::default()), (0.03, true));
/// assert_eq!(stop_distance(Some(&p1(-0.01)), &Theta::default()), (-0.01, true));
/// assert_eq!(stop_distance(Some(&p1(0.0)), &Theta::default()), (0.02, false));
/// assert_eq!(stop_distance(None, &Theta::default()), (0.02, false));
/// ```
#[inline]
pub fn stop_distance(p1: Option<&P1Proposal>, theta: &Theta) -> (f64, bool) {
    match p1 {
        Some(p) if p.stop_dist_pct != 0.0 => (p.stop_dist_pct, true),
        _ => (theta.fallback_stop_pct, false),
    }
}

/// The R_net cascade: `≥ T3_R` → PARTIAL_75, `≥ T2_R` → PARTIAL_50, `≥ T1_R` → PARTIAL_25, else
/// NONE, checked in this order as written, also when the thresholds are out of order.
///
/// ```
/// use harvest_kernel::{harvest_action, HarvestAction, Theta};
/// assert_eq!(harvest_action(4.0, &Theta::default()), HarvestAction::Partial50);
/// assert_eq!(harvest_action(1.999, &Theta::default()), HarvestAction::None);
/// // Unordered (T3_R < T2_R): T3_R is checked first, as the P2 system does.
/// let odd = Theta { t3_r: 3.0, ..Theta::default() };
/// assert_eq!(harvest_action(4.5, &odd), HarvestAction::Partial75);
/// ```
#[inline]
pub fn harvest_action(r_net: f64, theta: &Theta) -> HarvestAction {
    if r_net >= theta.t3_r {
        HarvestAction::Partial75
    } else if r_net >= theta.t2_r {
        HarvestAction::Partial50
    } else if r_net >= theta.t1_r {
        HarvestAction::Partial25
    } else {
        HarvestAction::None
    }
}

/// The break-even-plus level: LONG `entry·(1+be_plus_pct)`, SHORT `entry·(1−be_plus_pct)`.
#[inline]
pub fn be_plus_level(side: Side, entry: f64, theta: &Theta) -> f64 {
    match side {
        Side::Long => entry * (1.0 + theta.be_plus_pct),
        Side::Short => entry * (1.0 - theta.be_plus_pct),
    }
}

/// The profit lock: when `R_net ≥ lock_R`, the BE+ level if it tightens the current stop
/// (LONG: strictly above it; SHORT: strictly below it; or no stop at all); else `None`. Never loosens.
///
/// ```
/// use harvest_kernel::{profit_lock, Side, Theta};
/// let t = Theta::default();
/// assert_eq!(profit_lock(Side::Long, 100.0, Some(99.0), 1.5, &t), Some(100.0 * 1.002));
/// assert_eq!(profit_lock(Side::Long, 100.0, Some(101.0), 9.0, &t), None); // would loosen
/// assert_eq!(profit_lock(Side::Short, 100.0, None, 1.5, &t), Some(100.0 * 0.998));
/// ```
#[inline]
pub fn profit_lock(
    side: Side,
    entry: f64,
    current_sl: Option<f64>,
    r_net: f64,
    theta: &Theta,
) -> Option<f64> {
    // NaN R_net never locks: compare so that an unordered pair falls through.
    if r_net.partial_cmp(&theta.lock_r).is_none_or(|o| o.is_lt()) {
        return None;
    }
    let level = be_plus_level(side, entry, theta);
    let tightens = match (side, current_sl) {
        (_, None) => true,
        (Side::Long, Some(sl)) => level > sl,
        (Side::Short, Some(sl)) => level < sl,
    };
    tightens.then_some(level)
}

/// The fast path: the same numbers as [`propose`] without validation, audit or allocation.
///
/// `risk_unit = max(entry·stop·qty, 1e-9)`, `cost_est = cost_bps/10000·entry·qty`,
/// `R_net = (pnl − cost_est)/risk_unit`; the cascade and profit lock on R_net; K from
/// [`k_components`]; `K ≥ kill_threshold` overrides the action with FULL_CLOSE_PROPOSED.
/// Bit for bit the numbers of [`propose`] on every input it accepts; inputs it refuses give
/// unspecified (but never panicking) results.
///
/// ```
/// use harvest_kernel::{evaluate, HarvestAction, MarketState, P1Proposal, Position, Theta};
/// let pos = Position { unrealized_pnl: 5.0, ..Position::default() };
/// let e = evaluate(&pos, &MarketState::default(), Some(&P1Proposal::default()), &Theta::default());
/// assert_eq!(e.action, HarvestAction::Partial25);
/// assert!((e.r_net - 2.45).abs() < 1e-12);
/// ```
#[inline]
pub fn evaluate(
    position: &Position,
    market: &MarketState,
    p1: Option<&P1Proposal>,
    theta: &Theta,
) -> Evaluation {
    let (stop_dist, p1_used) = stop_distance(p1, theta);
    let entry = position.entry_price;
    let qty = position.qty;
    let risk_unit = (entry * stop_dist * qty).max(MIN_RISK_UNIT);
    let cost_est = theta.cost_bps / 10000.0 * entry * qty;
    let r_net = (position.unrealized_pnl - cost_est) / risk_unit;
    let harvest = harvest_action(r_net, theta);
    let new_sl = profit_lock(position.side, entry, position.current_sl, r_net, theta);
    let k = k_components(market, position.age_sec, theta);
    let z = kill_z(&k, theta);
    let kill_score = sigmoid(z);
    let killed = kill_score >= theta.kill_threshold;
    Evaluation {
        action: if killed {
            HarvestAction::FullCloseProposed
        } else {
            harvest
        },
        harvest,
        new_sl,
        be_level: be_plus_level(position.side, entry, theta),
        r_net,
        risk_unit,
        cost_est,
        stop_dist,
        p1_used,
        k,
        z,
        kill_score,
        killed,
    }
}

impl Evaluation {
    /// The reason codes, in the P2 system's order: the cascade's `harvest_partial_*` (kept under a
    /// full close), `profit_lock`, then `kill_score_triggered` and the components over their bars
    /// (`regime_flip > 0`, `sigma_spike > 0.5`, `ts_drop > 0.2`, `age_penalty > 0.5`, strict).
    pub fn reason_codes(&self) -> Vec<ReasonCode> {
        let mut codes = Vec::with_capacity(4);
        match self.harvest {
            HarvestAction::Partial25 => codes.push(ReasonCode::HarvestPartial25),
            HarvestAction::Partial50 => codes.push(ReasonCode::HarvestPartial50),
            HarvestAction::Partial75 => codes.push(ReasonCode::HarvestPartial75),
            HarvestAction::None | HarvestAction::FullCloseProposed => {}
        }
        if self.new_sl.is_some() {
            codes.push(ReasonCode::ProfitLock);
        }
        if self.killed {
            codes.push(ReasonCode::KillScoreTriggered);
            if self.k.regime_flip > 0.0 {
                codes.push(ReasonCode::RegimeFlip);
            }
            if self.k.sigma_spike > 0.5 {
                codes.push(ReasonCode::SigmaSpike);
            }
            if self.k.ts_drop > 0.2 {
                codes.push(ReasonCode::TsDrop);
            }
            if self.k.age_penalty > 0.5 {
                codes.push(ReasonCode::AgePenalty);
            }
        }
        codes
    }
}

fn finite(field: &'static str, v: f64) -> Result<f64, KernelError> {
    if v.is_finite() {
        Ok(v)
    } else {
        Err(KernelError::NonFinite { field, value: v })
    }
}

fn finite_opt(field: &'static str, v: Option<f64>) -> Result<(), KernelError> {
    v.map_or(Ok(()), |v| finite(field, v).map(drop))
}

fn check(field: &'static str, v: f64, ok: bool, expected: &'static str) -> Result<(), KernelError> {
    finite(field, v)?;
    if ok {
        Ok(())
    } else {
        Err(KernelError::OutOfRange {
            field,
            value: v,
            expected: expected.to_string(),
        })
    }
}

fn warn(code: &str, field: &str, message: String) -> Warning {
    Warning {
        code: code.to_string(),
        field: field.to_string(),
        message,
    }
}

/// Validates one input, in wire order (position, market state, P1, theta), and returns what makes
/// no sense but can be computed as warnings.
///
/// Errors, where no real position or market looks like the input or the running P2 system
/// cannot compute: any non-finite number, `entry_price ≤ 0`, `qty ≤ 0`, `age_sec < 0`, a
/// probability outside [0, 1], `sigma < 0`, and a theta refused by [`Theta::validate`]
/// (`sigma_ref`, `max_age_sec` or `softmax_temp` = 0, tranche weights that overflow). The side
/// is a [`Side`], so nothing but LONG or SHORT reaches the kernel. Warnings: probabilities not
/// summing to 1 within [`PROB_SUM_TOLERANCE`], a negative P1 stop (used, as the P2 system does),
/// and [`Theta::warnings`]. Intermediates that overflow are found by [`propose`], which computes
/// them.
///
/// # Errors
/// The first [`KernelError`] found, naming the field's JSON path, its value and what was expected.
///
/// ```
/// use harvest_kernel::{validate, MarketState, P1Proposal, Position, Theta};
/// let ms = MarketState { sigma: -0.1, ..MarketState::default() };
/// let err = validate(&Position::default(), &ms, None, &Theta::default()).unwrap_err();
/// assert_eq!(err.field(), "market_state.sigma");
/// let p1 = P1Proposal { stop_dist_pct: -0.02, ..P1Proposal::default() };
/// let w = validate(&Position::default(), &MarketState::default(), Some(&p1), &Theta::default());
/// assert_eq!(w.unwrap()[0].code, "p1_stop_negative");
/// ```
pub fn validate(
    position: &Position,
    market: &MarketState,
    p1: Option<&P1Proposal>,
    theta: &Theta,
) -> Result<Vec<Warning>, KernelError> {
    let warnings = validate_fields(position, market, p1, theta)?;
    theta.tranche_weights()?;
    Ok(warnings)
}

/// [`validate`] without the tranche weights (which [`propose`] computes once, for the audit).
fn validate_fields(
    position: &Position,
    market: &MarketState,
    p1: Option<&P1Proposal>,
    theta: &Theta,
) -> Result<Vec<Warning>, KernelError> {
    let p = position;
    check(
        "position.entry_price",
        p.entry_price,
        p.entry_price > 0.0,
        "a price > 0",
    )?;
    finite_opt("position.current_price", p.current_price)?;
    finite_opt("position.peak_price", p.peak_price)?;
    finite_opt("position.trough_price", p.trough_price)?;
    check(
        "position.age_sec",
        p.age_sec,
        p.age_sec >= 0.0,
        "seconds ≥ 0",
    )?;
    finite("position.unrealized_pnl", p.unrealized_pnl)?;
    finite_opt("position.current_sl", p.current_sl)?;
    finite_opt("position.current_tp", p.current_tp)?;
    check("position.qty", p.qty, p.qty > 0.0, "a quantity > 0")?;

    let m = market;
    check("market_state.sigma", m.sigma, m.sigma >= 0.0, "σ ≥ 0")?;
    finite("market_state.ts", m.ts)?;
    const PROB: &str = "a probability in [0, 1]";
    check(
        "market_state.p_trend",
        m.p_trend,
        (0.0..=1.0).contains(&m.p_trend),
        PROB,
    )?;
    check(
        "market_state.p_mr",
        m.p_mr,
        (0.0..=1.0).contains(&m.p_mr),
        PROB,
    )?;
    check(
        "market_state.p_chop",
        m.p_chop,
        (0.0..=1.0).contains(&m.p_chop),
        PROB,
    )?;
    if let Some(p1) = p1 {
        finite("p1_proposal.stop_dist_pct", p1.stop_dist_pct)?;
        finite_opt("p1_proposal.proposed_sl", p1.proposed_sl)?;
        finite_opt("p1_proposal.proposed_tp", p1.proposed_tp)?;
    }
    theta.validate_fields()?;

    let mut warnings = Vec::new();
    let sum = m.p_trend + m.p_mr + m.p_chop;
    if (sum - 1.0).abs() > PROB_SUM_TOLERANCE {
        warnings.push(warn(
            "probabilities_not_normalized",
            "market_state",
            format!(
                "p_trend + p_mr + p_chop = {}, expected 1 within {}; used as given",
                Short(sum),
                Short(PROB_SUM_TOLERANCE)
            ),
        ));
    }
    if let Some(p1) = p1 {
        if p1.stop_dist_pct < 0.0 {
            warnings.push(warn(
                "p1_stop_negative",
                "p1_proposal.stop_dist_pct",
                format!(
                    "P1 stop_dist_pct = {} is negative; used as given, as the P2 system does \
                     (the risk unit is floored at {})",
                    Short(p1.stop_dist_pct),
                    Short(MIN_RISK_UNIT)
                ),
            ));
        }
    }
    theta.push_warnings(&mut warnings);
    Ok(warnings)
}

impl Evaluation {
    /// Checks that every intermediate is a number the running P2 system would produce too:
    /// risk unit, cost, R_net, the proposed stop, z and K finite, and no `exp(−z)` overflow in K.
    ///
    /// # Errors
    /// [`KernelError::NotComputable`] naming the intermediate and the inputs it came from.
    ///
    /// ```
    /// use harvest_kernel::{evaluate, MarketState, Position, Theta};
    /// let pos = Position { entry_price: 1e308, qty: 1e308, ..Position::default() };
    /// let e = evaluate(&pos, &MarketState::default(), None, &Theta::default());
    /// let err = e.check(&pos, &Theta::default()).unwrap_err();
    /// assert_eq!(err.field(), "risk_unit");
    /// assert!(err.to_string().contains("position.entry_price"));
    /// ```
    pub fn check(&self, position: &Position, theta: &Theta) -> Result<(), KernelError> {
        let p = position;
        let stop = if self.p1_used {
            "p1_proposal.stop_dist_pct"
        } else {
            "theta.fallback_stop_pct"
        };
        let not = |field: &'static str, value: f64, cause: String| {
            Err(KernelError::NotComputable {
                field,
                value,
                cause,
            })
        };
        if !self.risk_unit.is_finite() {
            return not(
                "risk_unit",
                self.risk_unit,
                format!(
                    "position.entry_price {} · {stop} {} · position.qty {} overflows",
                    Short(p.entry_price),
                    Short(self.stop_dist),
                    Short(p.qty)
                ),
            );
        }
        if !self.cost_est.is_finite() {
            return not(
                "cost_est",
                self.cost_est,
                format!(
                    "theta.cost_bps {} / 10000 · position.entry_price {} · position.qty {} overflows",
                    Short(theta.cost_bps),
                    Short(p.entry_price),
                    Short(p.qty)
                ),
            );
        }
        if !self.r_net.is_finite() {
            return not(
                "R_net",
                self.r_net,
                format!(
                    "(position.unrealized_pnl {} − cost_est {}) / risk_unit {} overflows",
                    Short(p.unrealized_pnl),
                    Short(self.cost_est),
                    Short(self.risk_unit)
                ),
            );
        }
        if let Some(sl) = self.new_sl.filter(|sl| !sl.is_finite()) {
            return not(
                "new_sl_proposed",
                sl,
                format!(
                    "position.entry_price {} · (1 ± theta.be_plus_pct {}) overflows",
                    Short(p.entry_price),
                    Short(theta.be_plus_pct)
                ),
            );
        }
        if !self.z.is_finite() {
            return not(
                "audit.z",
                self.z,
                format!(
                    "z = theta.k_regime_flip {} · {} + theta.k_sigma_spike {} · {} + \
                     theta.k_ts_drop {} · {} + theta.k_age_penalty {} · {} overflows",
                    Short(theta.k_regime_flip),
                    Short(self.k.regime_flip),
                    Short(theta.k_sigma_spike),
                    Short(self.k.sigma_spike),
                    Short(theta.k_ts_drop),
                    Short(self.k.ts_drop),
                    Short(theta.k_age_penalty),
                    Short(self.k.age_penalty)
                ),
            );
        }
        // For a finite z, K = 1/(1+exp(−z)) is 0 exactly when exp(−z) overflowed: otherwise
        // 1 + exp(−z) ≤ f64::MAX and K ≥ 1/f64::MAX > 0.
        if self.kill_score == 0.0 || !self.kill_score.is_finite() {
            return not(
                "kill_score",
                self.z,
                format!(
                    "K = 1/(1+exp(−z)) with z = {}: exp(−z) overflows (z below −{}); the kill \
                     weights theta.k_* are too negative",
                    Short(self.z),
                    Short(crate::theta::MAX_EXP_ARG)
                ),
            );
        }
        Ok(())
    }
}

/// Computes the full proposal for one input: validation, the numbers of [`evaluate`], reason
/// codes, the audit (inputs, all 22 tunables, tranche weights, kill components and z) and the
/// warnings (what makes no sense but was computed, as the running P2 system computes it).
///
/// A missing theta (or missing fields in it) takes the defaults.
///
/// # Errors
/// A [`KernelError`] from [`validate`], or [`KernelError::NotComputable`] when an intermediate
/// (risk unit, cost, R_net, z, K, the tranche weights) is not a finite number
/// ([`Evaluation::check`]). The kernel never panics.
///
/// ```
/// use harvest_kernel::{propose, HarvestAction, HarvestInput, Position, ReasonCode};
/// let input = HarvestInput {
///     position: Position { unrealized_pnl: 9.0, ..Position::default() },
///     ..HarvestInput::default()
/// };
/// let p = propose(&input).unwrap();
/// assert_eq!(p.harvest_action, HarvestAction::Partial50);
/// assert_eq!(p.reason_codes, vec![ReasonCode::HarvestPartial50, ReasonCode::ProfitLock]);
/// assert!((p.kill_score - 0.503).abs() < 5e-4);
/// ```
pub fn propose(input: &HarvestInput) -> Result<Proposal, KernelError> {
    let theta = input.theta.unwrap_or_default();
    let p1 = input.p1_proposal.as_ref();
    let warnings = validate_fields(&input.position, &input.market_state, p1, &theta)?;
    let tranche_weights = theta.tranche_weights()?;
    let e = evaluate(&input.position, &input.market_state, p1, &theta);
    e.check(&input.position, &theta)?;
    Ok(Proposal {
        harvest_action: e.action,
        new_sl_proposed: e.new_sl,
        r_net: e.r_net,
        risk_unit: e.risk_unit,
        cost_est: e.cost_est,
        kill_score: e.kill_score,
        reason_codes: e.reason_codes(),
        audit: Audit {
            position: input.position.clone(),
            market_state: input.market_state,
            p1_proposal: input.p1_proposal,
            theta,
            tranche_weights,
            k_components: e.k,
            z: e.z,
        },
        warnings,
    })
}
