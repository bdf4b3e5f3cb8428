//! P1: the stop-loss, take-profit and trailing stop of one position from the market state, exactly
//! as the P2 system's P1 stage proposes them.
//!
//! With `k_x = Σ_regime k_x[regime]·p_regime`:
//! `stop_dist_pct = max(sl_min_pct, k_sl·σ)`, `trail_gap_pct = max(sl_min_pct, k_trail·σ)`,
//! `f = 1 + min(tp_extend_gain·clamp(ts,0,1)·p_trend, tp_extend_max)` when `p_trend > 0.3` and
//! `ts > 0.1` (else 1), `tp_dist_pct = max(tp_min_pct, k_tp·σ·f)`.
//! LONG: `proposed_sl = max(cur·(1−stop), peak·(1−trail))`, `proposed_tp = cur·(1+tp)`; SHORT
//! mirrors it with the trough. With `monotonic_sl` a proposal never loosens the current stop.

use serde::{Deserialize, Serialize};

use harvest_kernel::Side;

use crate::error::{all_finite, non_negative, positive, unit, MarketError};
use crate::p0::MarketState;

/// A coefficient per regime; the effective value is `Σ coef[regime]·p_regime`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PerRegime {
    /// In the trend regime.
    pub trend: f64,
    /// In the mean-reversion regime.
    pub mr: f64,
    /// In the chop regime.
    pub chop: f64,
}

impl PerRegime {
    /// `trend·p_trend + mr·p_mr + chop·p_chop`.
    ///
    /// ```
    /// use harvest_market::p1::PerRegime;
    /// let k = PerRegime { trend: 1.5, mr: 0.8, chop: 1.0 };
    /// assert_eq!(k.blend(1.0, 0.0, 0.0), 1.5);
    /// ```
    pub fn blend(&self, p_trend: f64, p_mr: f64, p_chop: f64) -> f64 {
        self.trend * p_trend + self.mr * p_mr + self.chop * p_chop
    }
}

/// P1's tunables. `Default` is the P2 system's P1. Every field is optional on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct P1Params {
    /// Smallest stop distance and trailing gap, fraction of price (0.005).
    pub sl_min_pct: f64,
    /// Smallest take-profit distance, fraction of price (0.01).
    pub tp_min_pct: f64,
    /// Stop distance in σ per regime (1.5 / 0.8 / 1.0).
    pub k_sl: PerRegime,
    /// Take-profit distance in σ per regime (2.5 / 1.2 / 1.5).
    pub k_tp: PerRegime,
    /// Trailing gap in σ per regime (1.2 / 1.5 / 1.3).
    pub k_trail: PerRegime,
    /// Gain of the take-profit extension in a trend (0.5).
    pub tp_extend_gain: f64,
    /// Largest take-profit extension (0.3).
    pub tp_extend_max: f64,
    /// The extension needs `p_trend` above this (0.3).
    pub tp_extend_p_trend_min: f64,
    /// The extension needs `ts` above this (0.1).
    pub tp_extend_ts_min: f64,
    /// A proposal never loosens the current stop (true).
    pub monotonic_sl: bool,
    /// Trailing from the peak (LONG) or trough (SHORT) is on (true); off, the stop is
    /// `cur·(1∓stop)` alone (a switch for simulations; the P2 system always trails).
    pub trailing: bool,
    /// Tolerance of the price comparisons (1e-8).
    pub eps: f64,
}

impl Default for P1Params {
    /// The P2 system's P1 constants.
    fn default() -> Self {
        P1Params {
            sl_min_pct: 0.005,
            tp_min_pct: 0.01,
            k_sl: PerRegime {
                trend: 1.5,
                mr: 0.8,
                chop: 1.0,
            },
            k_tp: PerRegime {
                trend: 2.5,
                mr: 1.2,
                chop: 1.5,
            },
            k_trail: PerRegime {
                trend: 1.2,
                mr: 1.5,
                chop: 1.3,
            },
            tp_extend_gain: 0.5,
            tp_extend_max: 0.3,
            tp_extend_p_trend_min: 0.3,
            tp_extend_ts_min: 0.1,
            monotonic_sl: true,
            trailing: true,
            eps: 1e-8,
        }
    }
}

impl P1Params {
    /// Checks every field.
    ///
    /// # Errors
    /// The first field out of range (`params.<field>`): distances in [0, 1), coefficients and
    /// gains ≥ 0, `eps` ≥ 0.
    ///
    /// ```
    /// use harvest_market::p1::P1Params;
    /// let bad = P1Params { sl_min_pct: -0.1, ..P1Params::default() };
    /// assert_eq!(bad.validate().unwrap_err().field(), "params.sl_min_pct");
    /// ```
    pub fn validate(&self) -> Result<(), MarketError> {
        let f = |name: &str| {
            let s = format!("params.{name}");
            move || s
        };
        crate::error::check(f("sl_min_pct"), self.sl_min_pct, 0.0, false, 1.0, true)?;
        crate::error::check(f("tp_min_pct"), self.tp_min_pct, 0.0, false, 1.0, true)?;
        for (name, k) in [
            ("k_sl", self.k_sl),
            ("k_tp", self.k_tp),
            ("k_trail", self.k_trail),
        ] {
            non_negative(f(&format!("{name}.trend")), k.trend)?;
            non_negative(f(&format!("{name}.mr")), k.mr)?;
            non_negative(f(&format!("{name}.chop")), k.chop)?;
        }
        non_negative(f("tp_extend_gain"), self.tp_extend_gain)?;
        non_negative(f("tp_extend_max"), self.tp_extend_max)?;
        unit(f("tp_extend_p_trend_min"), self.tp_extend_p_trend_min)?;
        non_negative(f("tp_extend_ts_min"), self.tp_extend_ts_min)?;
        non_negative(f("eps"), self.eps)?;
        Ok(())
    }
}

/// The position as P1 sees it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct StopInput {
    /// LONG or SHORT.
    pub side: Side,
    /// Last price (> 0).
    pub current_price: f64,
    /// Highest price since entry (> 0), trailed by a LONG stop.
    pub peak_price: f64,
    /// Lowest price since entry (> 0), trailed by a SHORT stop.
    pub trough_price: f64,
    /// The stop in force, if any (> 0).
    #[serde(default)]
    pub current_sl: Option<f64>,
}

/// A regime of P0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Regime {
    /// Trend.
    Trend,
    /// Mean reversion.
    Mr,
    /// Chop.
    Chop,
}

impl Regime {
    /// The first of trend, mr, chop with the largest probability.
    ///
    /// ```
    /// use harvest_market::p1::Regime;
    /// assert_eq!(Regime::dominant(0.4, 0.4, 0.2), Regime::Trend);
    /// ```
    pub fn dominant(p_trend: f64, p_mr: f64, p_chop: f64) -> Regime {
        if p_trend >= p_mr && p_trend >= p_chop {
            Regime::Trend
        } else if p_mr >= p_chop {
            Regime::Mr
        } else {
            Regime::Chop
        }
    }
}

/// Why P1 proposed what it did, in emission order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    /// The trailing stop (from the peak or trough) is tighter than the plain stop.
    TrailActive,
    /// The proposal would have loosened the current stop, which is kept.
    SlTightenedMonotonic,
    /// The proposal tightens the current stop.
    SlTightening,
    /// The trend regime dominates.
    RegimeTrend,
    /// The mean-reversion regime dominates.
    RegimeMr,
    /// The chop regime dominates.
    RegimeChop,
    /// The take-profit was extended for a trend.
    TpExtended,
}

impl StopReason {
    /// The P2 system's spelling, e.g. `"trail_active"`.
    ///
    /// ```
    /// use harvest_market::StopReason;
    /// assert_eq!(StopReason::SlTightenedMonotonic.as_str(), "sl_tightened_monotonic");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            StopReason::TrailActive => "trail_active",
            StopReason::SlTightenedMonotonic => "sl_tightened_monotonic",
            StopReason::SlTightening => "sl_tightening",
            StopReason::RegimeTrend => "regime_trend",
            StopReason::RegimeMr => "regime_mr",
            StopReason::RegimeChop => "regime_chop",
            StopReason::TpExtended => "tp_extended",
        }
    }
}

impl std::fmt::Display for StopReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The inputs and intermediates of a stop proposal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StopAudit {
    /// The position as given.
    pub position: StopInput,
    /// The market state as given.
    pub market_state: MarketState,
    /// The parameters used.
    pub params: P1Params,
    /// Effective stop coefficient `Σ k_sl[r]·p_r`.
    pub k_sl: f64,
    /// Effective take-profit coefficient.
    pub k_tp: f64,
    /// Effective trailing coefficient.
    pub k_trail: f64,
    /// Take-profit extension factor `f` (1 when not extended).
    pub tp_extend_factor: f64,
    /// `cur·(1∓stop_dist_pct)`.
    pub raw_sl: f64,
    /// `peak·(1−trail)` (LONG) or `trough·(1+trail)` (SHORT); `null` with trailing off.
    pub trail_sl: Option<f64>,
    /// The stop before the monotonic rule.
    pub candidate_sl: f64,
    /// The dominant regime.
    pub regime: Regime,
}

/// P1's proposal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StopProposal {
    /// The proposed stop price.
    pub proposed_sl: f64,
    /// The proposed take-profit price.
    pub proposed_tp: f64,
    /// Stop distance, fraction of the current price (what P2 reads as `p1_proposal.stop_dist_pct`).
    pub stop_dist_pct: f64,
    /// Take-profit distance, fraction of the current price.
    pub tp_dist_pct: f64,
    /// Trailing gap, fraction of the peak (LONG) or trough (SHORT).
    pub trail_gap_pct: f64,
    /// Why, in emission order.
    pub reason_codes: Vec<StopReason>,
    /// Inputs and intermediates.
    pub audit: StopAudit,
}

impl StopProposal {
    /// The proposal as the P2 kernel takes it (`p1_proposal`).
    ///
    /// ```
    /// use harvest_kernel::Side;
    /// use harvest_market::{propose_stops, MarketState, P1Params, StopInput};
    /// let pos = StopInput { side: Side::Long, current_price: 100.0, peak_price: 100.0, trough_price: 100.0, current_sl: None };
    /// let st = MarketState { sigma: 0.01, ts: 0.2, p_trend: 0.2, p_mr: 0.2, p_chop: 0.6, ..MarketState::default() };
    /// let p = propose_stops(&pos, &st, &P1Params::default()).unwrap();
    /// assert_eq!(p.to_kernel().stop_dist_pct, p.stop_dist_pct);
    /// ```
    pub fn to_kernel(&self) -> harvest_kernel::P1Proposal {
        harvest_kernel::P1Proposal {
            stop_dist_pct: self.stop_dist_pct,
            proposed_sl: Some(self.proposed_sl),
            proposed_tp: Some(self.proposed_tp),
        }
    }
}

/// Checks the market state fields P1 reads.
fn validate_state(s: &MarketState) -> Result<(), MarketError> {
    non_negative(|| "market_state.sigma".into(), s.sigma)?;
    non_negative(|| "market_state.ts".into(), s.ts)?;
    unit(|| "market_state.p_trend".into(), s.p_trend)?;
    unit(|| "market_state.p_mr".into(), s.p_mr)?;
    unit(|| "market_state.p_chop".into(), s.p_chop)?;
    let sum = s.p_trend + s.p_mr + s.p_chop;
    if (sum - 1.0).abs() > harvest_kernel::PROB_SUM_TOLERANCE {
        return Err(MarketError::OutOfRange {
            field: "market_state.p_trend + p_mr + p_chop".into(),
            value: sum,
            expected: format!("1 ± {}", harvest_kernel::PROB_SUM_TOLERANCE),
        });
    }
    Ok(())
}

fn validate_position(p: &StopInput) -> Result<(), MarketError> {
    positive(|| "position.current_price".into(), p.current_price)?;
    positive(|| "position.peak_price".into(), p.peak_price)?;
    positive(|| "position.trough_price".into(), p.trough_price)?;
    if let Some(sl) = p.current_sl {
        positive(|| "position.current_sl".into(), sl)?;
    }
    Ok(())
}

/// Proposes the stop, take-profit and trailing stop of one position (formulas in the module
/// documentation). Reason codes: `trail_active` when the trailing stop is tighter than the plain
/// one by more than `eps`; with `monotonic_sl` and a current stop, `sl_tightened_monotonic` when
/// the proposal would loosen it by more than `eps` (the current stop is kept) or `sl_tightening`
/// when it tightens it by more than `eps`; then `regime_<dominant>`; `tp_extended` when `f > 1+eps`.
///
/// # Errors
/// Prices not finite or ≤ 0 (`position.<field>`), σ or TS not finite or < 0, probabilities outside
/// [0, 1] or not summing to 1 within `PROB_SUM_TOLERANCE` (`market_state.<field>`), parameters out
/// of range (`params.<field>`); [`MarketError::NotComputable`] naming every result that is not a
/// finite number when finite inputs overflow together.
///
/// ```
/// use harvest_kernel::Side;
/// use harvest_market::{propose_stops, MarketState, P1Params, StopInput, StopReason};
/// let pos = StopInput { side: Side::Long, current_price: 110.0, peak_price: 111.0, trough_price: 95.0, current_sl: Some(100.0) };
/// let st = MarketState { sigma: 0.01, ts: 0.5, p_trend: 0.6, p_mr: 0.2, p_chop: 0.2, ..MarketState::default() };
/// let p = propose_stops(&pos, &st, &P1Params::default()).unwrap();
/// assert!(p.proposed_sl < 110.0 && p.proposed_sl > 100.0);
/// assert_eq!(p.reason_codes[0], StopReason::TrailActive);
/// ```
pub fn propose_stops(
    pos: &StopInput,
    state: &MarketState,
    params: &P1Params,
) -> Result<StopProposal, MarketError> {
    params.validate()?;
    validate_state(state)?;
    validate_position(pos)?;
    let p = propose_stops_unchecked(pos, state, params);
    // Finite inputs can still overflow together (a SHORT at 1.7e308 times 1 + stop, σ = 1e308
    // times k_tp): no proposal then, and every field that overflowed is named.
    let a = &p.audit;
    all_finite(&[
        ("proposed_sl", p.proposed_sl),
        ("proposed_tp", p.proposed_tp),
        ("stop_dist_pct", p.stop_dist_pct),
        ("tp_dist_pct", p.tp_dist_pct),
        ("trail_gap_pct", p.trail_gap_pct),
        ("audit.k_sl", a.k_sl),
        ("audit.k_tp", a.k_tp),
        ("audit.k_trail", a.k_trail),
        ("audit.tp_extend_factor", a.tp_extend_factor),
        ("audit.raw_sl", a.raw_sl),
        ("audit.trail_sl", a.trail_sl.unwrap_or(0.0)),
        ("audit.candidate_sl", a.candidate_sl),
    ])?;
    Ok(p)
}

/// [`propose_stops`] without checking the position or the market state, as the P2 system's own
/// P1 computes: the P1.5 service feeds it what its records hold, e.g. `p_trend` 0 (so the
/// probabilities do not sum to 1) or a current price of 0 from a position record that has none,
/// and publishes what comes out. Comparisons are Python's (`max(a, b)` is `b if b > a else a`),
/// so NaN propagates as it does there. The parameters are trusted: check them once with
/// [`P1Params::validate`].
///
/// ```
/// use harvest_kernel::Side;
/// use harvest_market::{propose_stops_unchecked, MarketState, P1Params, StopInput};
/// let pos = StopInput { side: Side::Long, current_price: 0.0, peak_price: 0.0, trough_price: 0.0, current_sl: None };
/// let st = MarketState { sigma: 0.01, ts: 0.5, p_trend: 0.0, p_mr: 0.3, p_chop: 0.5, ..MarketState::default() };
/// let p = propose_stops_unchecked(&pos, &st, &P1Params::default());
/// assert_eq!((p.proposed_sl, p.proposed_tp), (0.0, 0.0));
/// assert_eq!(p.stop_dist_pct, 0.005_f64.max(0.3 * 0.8 * 0.01 + 0.5 * 1.0 * 0.01));
/// ```
pub fn propose_stops_unchecked(
    pos: &StopInput,
    state: &MarketState,
    params: &P1Params,
) -> StopProposal {
    let p = params;
    let (pt, pm, pc) = (state.p_trend, state.p_mr, state.p_chop);
    let k_sl = p.k_sl.blend(pt, pm, pc);
    let k_tp = p.k_tp.blend(pt, pm, pc);
    let k_trail = p.k_trail.blend(pt, pm, pc);
    let sigma = state.sigma;
    let stop = py_max(p.sl_min_pct, k_sl * sigma);
    let trail = py_max(p.sl_min_pct, k_trail * sigma);
    let f = if pt > p.tp_extend_p_trend_min && state.ts > p.tp_extend_ts_min {
        1.0 + (p.tp_extend_gain * state.ts.clamp(0.0, 1.0) * pt).min(p.tp_extend_max)
    } else {
        1.0
    };
    let tp = py_max(p.tp_min_pct, k_tp * sigma * f);
    let cur = pos.current_price;
    let mut codes = Vec::with_capacity(4);
    let (raw_sl, trail_sl, proposed_tp) = match pos.side {
        Side::Long => (
            cur * (1.0 - stop),
            pos.peak_price * (1.0 - trail),
            cur * (1.0 + tp),
        ),
        Side::Short => (
            cur * (1.0 + stop),
            pos.trough_price * (1.0 + trail),
            cur * (1.0 - tp),
        ),
    };
    // `tighter(a, b)`: a is tighter than b by more than eps.
    let tighter = |a: f64, b: f64| match pos.side {
        Side::Long => a > b + p.eps,
        Side::Short => a < b - p.eps,
    };
    let candidate = if p.trailing {
        if tighter(trail_sl, raw_sl) {
            codes.push(StopReason::TrailActive);
        }
        match pos.side {
            Side::Long => py_max(raw_sl, trail_sl),
            Side::Short => py_min(raw_sl, trail_sl),
        }
    } else {
        raw_sl
    };
    let mut proposed_sl = candidate;
    if let (true, Some(current)) = (p.monotonic_sl, pos.current_sl) {
        if tighter(current, candidate) {
            proposed_sl = current;
            codes.push(StopReason::SlTightenedMonotonic);
        } else if tighter(candidate, current) {
            codes.push(StopReason::SlTightening);
        }
    }
    let regime = Regime::dominant(pt, pm, pc);
    codes.push(match regime {
        Regime::Trend => StopReason::RegimeTrend,
        Regime::Mr => StopReason::RegimeMr,
        Regime::Chop => StopReason::RegimeChop,
    });
    if f > 1.0 + p.eps {
        codes.push(StopReason::TpExtended);
    }
    StopProposal {
        proposed_sl,
        proposed_tp,
        stop_dist_pct: stop,
        tp_dist_pct: tp,
        trail_gap_pct: trail,
        reason_codes: codes,
        audit: StopAudit {
            position: *pos,
            market_state: *state,
            params: *params,
            k_sl,
            k_tp,
            k_trail,
            tp_extend_factor: f,
            raw_sl,
            trail_sl: p.trailing.then_some(trail_sl),
            candidate_sl: candidate,
            regime,
        },
    }
}

/// Python's `max(a, b)`: `b` if `b > a`, else `a` (the same as `f64::max` for numbers).
fn py_max(a: f64, b: f64) -> f64 {
    if b > a {
        b
    } else {
        a
    }
}

/// Python's `min(a, b)`: `b` if `b < a`, else `a`.
fn py_min(a: f64, b: f64) -> f64 {
    if b < a {
        b
    } else {
        a
    }
}
