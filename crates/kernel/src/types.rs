//! Wire types: the P2 system's own JSON field names and spellings.

use serde::{Deserialize, Serialize};

use super::theta::Theta;

/// Direction of the position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Side {
    /// Long: profits when the price rises; the stop sits below entry.
    #[default]
    Long,
    /// Short: profits when the price falls; the stop sits above entry.
    Short,
}

impl Side {
    /// `+1.0` for LONG, `-1.0` for SHORT: the sign that turns a price move into profit.
    ///
    /// ```
    /// use harvest_kernel::Side;
    /// assert_eq!(Side::Short.sign(), -1.0);
    /// ```
    pub fn sign(self) -> f64 {
        match self {
            Side::Long => 1.0,
            Side::Short => -1.0,
        }
    }

    /// The spec's spelling, `"LONG"` or `"SHORT"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Long => "LONG",
            Side::Short => "SHORT",
        }
    }
}

/// What the kernel proposes to do with the position. Ordered by how much of it is closed.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum HarvestAction {
    /// Keep the whole position (R_net below `T1_R` and K below the threshold).
    #[default]
    None,
    /// Take 25 % off: `T1_R ≤ R_net < T2_R`.
    #[serde(rename = "PARTIAL_25")]
    Partial25,
    /// Take 50 % off: `T2_R ≤ R_net < T3_R`.
    #[serde(rename = "PARTIAL_50")]
    Partial50,
    /// Take 75 % off: `R_net ≥ T3_R`.
    #[serde(rename = "PARTIAL_75")]
    Partial75,
    /// Close everything: the kill score reached `kill_threshold` (overrides any partial).
    FullCloseProposed,
}

impl HarvestAction {
    /// All actions, in order.
    pub const ALL: [HarvestAction; 5] = [
        HarvestAction::None,
        HarvestAction::Partial25,
        HarvestAction::Partial50,
        HarvestAction::Partial75,
        HarvestAction::FullCloseProposed,
    ];

    /// The spec's spelling, e.g. `"PARTIAL_25"`.
    ///
    /// ```
    /// use harvest_kernel::HarvestAction;
    /// assert_eq!(HarvestAction::FullCloseProposed.as_str(), "FULL_CLOSE_PROPOSED");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            HarvestAction::None => "NONE",
            HarvestAction::Partial25 => "PARTIAL_25",
            HarvestAction::Partial50 => "PARTIAL_50",
            HarvestAction::Partial75 => "PARTIAL_75",
            HarvestAction::FullCloseProposed => "FULL_CLOSE_PROPOSED",
        }
    }

    /// Parses the spec's spelling; `None` for anything else.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }

    /// Fraction of the position the action closes (0, 0.25, 0.5, 0.75 or 1).
    pub fn fraction(self) -> f64 {
        match self {
            HarvestAction::None => 0.0,
            HarvestAction::Partial25 => 0.25,
            HarvestAction::Partial50 => 0.5,
            HarvestAction::Partial75 => 0.75,
            HarvestAction::FullCloseProposed => 1.0,
        }
    }
}

impl std::fmt::Display for HarvestAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why the kernel proposed what it did. Spelled and ordered exactly as the P2 system emits them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReasonCode {
    /// R_net reached `T1_R` (first tranche).
    #[serde(rename = "harvest_partial_25")]
    HarvestPartial25,
    /// R_net reached `T2_R` (second tranche).
    #[serde(rename = "harvest_partial_50")]
    HarvestPartial50,
    /// R_net reached `T3_R` (third tranche).
    #[serde(rename = "harvest_partial_75")]
    HarvestPartial75,
    /// R_net reached `lock_R` and the break-even-plus stop tightens the current stop.
    ProfitLock,
    /// K reached `kill_threshold`: full close proposed.
    KillScoreTriggered,
    /// Regime flip component is on (p_trend below `trend_min`, chop + mean-reversion above 0.5).
    RegimeFlip,
    /// Volatility spike component above 0.5.
    SigmaSpike,
    /// Trend-strength drop component above 0.2.
    TsDrop,
    /// Age penalty component above 0.5.
    AgePenalty,
}

impl ReasonCode {
    /// All codes, in emission order.
    pub const ALL: [ReasonCode; 9] = [
        ReasonCode::HarvestPartial25,
        ReasonCode::HarvestPartial50,
        ReasonCode::HarvestPartial75,
        ReasonCode::ProfitLock,
        ReasonCode::KillScoreTriggered,
        ReasonCode::RegimeFlip,
        ReasonCode::SigmaSpike,
        ReasonCode::TsDrop,
        ReasonCode::AgePenalty,
    ];

    /// The spec's spelling, e.g. `"profit_lock"`.
    pub fn as_str(self) -> &'static str {
        match self {
            ReasonCode::HarvestPartial25 => "harvest_partial_25",
            ReasonCode::HarvestPartial50 => "harvest_partial_50",
            ReasonCode::HarvestPartial75 => "harvest_partial_75",
            ReasonCode::ProfitLock => "profit_lock",
            ReasonCode::KillScoreTriggered => "kill_score_triggered",
            ReasonCode::RegimeFlip => "regime_flip",
            ReasonCode::SigmaSpike => "sigma_spike",
            ReasonCode::TsDrop => "ts_drop",
            ReasonCode::AgePenalty => "age_penalty",
        }
    }

    /// Parses the spec's spelling; `None` for anything else.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// One line a user can read.
    pub fn explain(self) -> &'static str {
        match self {
            ReasonCode::HarvestPartial25 => "R_net ≥ T1_R: take the first 25 % tranche",
            ReasonCode::HarvestPartial50 => "R_net ≥ T2_R: take 50 % off",
            ReasonCode::HarvestPartial75 => "R_net ≥ T3_R: take 75 % off",
            ReasonCode::ProfitLock => {
                "R_net ≥ lock_R: move the stop to break-even plus (tightens, never loosens)"
            }
            ReasonCode::KillScoreTriggered => {
                "K ≥ kill_threshold: the edge has collapsed, close all"
            }
            ReasonCode::RegimeFlip => "p_trend < trend_min while chop + mean-reversion > 0.5",
            ReasonCode::SigmaSpike => "volatility spike: σ/σ_ref − 1 above 0.5",
            ReasonCode::TsDrop => "trend strength fell more than 0.2 below ts_ref",
            ReasonCode::AgePenalty => "position older than half of max_age_sec",
        }
    }
}

impl std::fmt::Display for ReasonCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The open position, as the P2 system sends it. Only `side`, `entry_price`, `age_sec`,
/// `unrealized_pnl`, `current_sl` and `qty` enter the computation; the rest is carried into the audit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Position {
    /// Instrument, e.g. `"BTCUSDT"`.
    #[serde(default)]
    pub symbol: String,
    /// LONG or SHORT.
    pub side: Side,
    /// Average entry price (> 0).
    pub entry_price: f64,
    /// Last price (audit only).
    #[serde(default)]
    pub current_price: Option<f64>,
    /// Best price since entry (audit only).
    #[serde(default)]
    pub peak_price: Option<f64>,
    /// Worst price since entry (audit only).
    #[serde(default)]
    pub trough_price: Option<f64>,
    /// Seconds since entry (≥ 0).
    pub age_sec: f64,
    /// Signed profit in quote currency, for both sides.
    pub unrealized_pnl: f64,
    /// Current stop-loss price, if any.
    #[serde(default)]
    pub current_sl: Option<f64>,
    /// Current take-profit price, if any (audit only).
    #[serde(default)]
    pub current_tp: Option<f64>,
    /// Quantity (> 0); our extension, default 1.
    #[serde(default = "one")]
    pub qty: f64,
}

fn one() -> f64 {
    1.0
}

impl Default for Position {
    /// The replay baseline: LONG BTCUSDT at 100, stop 99, 1 h old, PnL 0, qty 1.
    fn default() -> Self {
        Position {
            symbol: "BTCUSDT".to_string(),
            side: Side::Long,
            entry_price: 100.0,
            current_price: Some(100.0),
            peak_price: Some(100.0),
            trough_price: Some(100.0),
            age_sec: 3600.0,
            unrealized_pnl: 0.0,
            current_sl: Some(99.0),
            current_tp: None,
            qty: 1.0,
        }
    }
}

impl Position {
    /// The mark price implied by the PnL: `entry + sign(side) · pnl / qty`.
    ///
    /// ```
    /// use harvest_kernel::{Position, Side};
    /// let p = Position { side: Side::Short, unrealized_pnl: 3.0, ..Position::default() };
    /// assert_eq!(p.implied_price(), 97.0);
    /// ```
    pub fn implied_price(&self) -> f64 {
        self.entry_price + self.side.sign() * self.unrealized_pnl / self.qty
    }
}

/// The market regime as P0 publishes it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MarketState {
    /// Realised volatility (≥ 0), compared with `sigma_ref`.
    pub sigma: f64,
    /// Trend strength, compared with `ts_ref`.
    pub ts: f64,
    /// Probability of the trend regime, in [0, 1].
    pub p_trend: f64,
    /// Probability of the mean-reversion regime, in [0, 1].
    pub p_mr: f64,
    /// Probability of the chop regime, in [0, 1].
    pub p_chop: f64,
}

impl Default for MarketState {
    /// The replay baseline: σ 0.01, TS 0.4, probabilities 0.6 / 0.2 / 0.2.
    fn default() -> Self {
        MarketState {
            sigma: 0.01,
            ts: 0.4,
            p_trend: 0.6,
            p_mr: 0.2,
            p_chop: 0.2,
        }
    }
}

/// P1's risk proposal; only `stop_dist_pct` is used.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct P1Proposal {
    /// Stop distance as a fraction of entry (used when finite and > 0).
    pub stop_dist_pct: f64,
    /// P1's own stop (audit only).
    #[serde(default)]
    pub proposed_sl: Option<f64>,
    /// P1's own take-profit (audit only).
    #[serde(default)]
    pub proposed_tp: Option<f64>,
}

impl Default for P1Proposal {
    /// The replay baseline: a 2 % stop, 99 / none.
    fn default() -> Self {
        P1Proposal {
            stop_dist_pct: 0.02,
            proposed_sl: Some(99.0),
            proposed_tp: None,
        }
    }
}

/// Everything one proposal is computed from: the CLI's and the reviewer's input record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct HarvestInput {
    /// The position.
    pub position: Position,
    /// The market state.
    pub market_state: MarketState,
    /// P1's proposal, if P1 is available.
    #[serde(default)]
    pub p1_proposal: Option<P1Proposal>,
    /// Tunables; missing fields (or a missing object) take the defaults.
    #[serde(default)]
    pub theta: Option<Theta>,
}

/// The four raw kill-score components, before weighting.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub struct KComponents {
    /// 1 if `p_trend < trend_min` and `p_chop + p_mr > 0.5`, else 0.
    pub regime_flip: f64,
    /// `clamp(sigma / sigma_ref − 1, 0, sigma_spike_cap)`.
    pub sigma_spike: f64,
    /// `clamp(ts_ref − ts, 0, ts_drop_cap)`.
    pub ts_drop: f64,
    /// `clamp(age_sec / max_age_sec, 0, 1)`.
    pub age_penalty: f64,
}

/// The inputs and intermediates behind a proposal, for full reproducibility.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Audit {
    /// The position as given.
    pub position: Position,
    /// The market state as given.
    pub market_state: MarketState,
    /// P1's proposal as given (`null` when absent).
    pub p1_proposal: Option<P1Proposal>,
    /// The full theta used (all 22 fields).
    pub theta: Theta,
    /// Softmax of `u1..u3 / softmax_temp`.
    pub tranche_weights: [f64; 3],
    /// Raw kill components.
    pub k_components: KComponents,
    /// The logit `z` with `K = 1/(1+exp(−z))` (our extension).
    #[serde(default)]
    pub z: f64,
}

/// A soft problem with the input: the proposal is still computed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    /// Stable machine-readable code, e.g. `probabilities_not_normalized`.
    pub code: String,
    /// JSON path of the field concerned.
    pub field: String,
    /// What is wrong and what was done about it.
    pub message: String,
}

/// The kernel's output: a proposal, never an order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Proposal {
    /// The proposed action.
    pub harvest_action: HarvestAction,
    /// The tightened stop, or `null` when the stop stays.
    pub new_sl_proposed: Option<f64>,
    /// Cost-aware risk multiple `(pnl − cost_est) / risk_unit`.
    #[serde(rename = "R_net")]
    pub r_net: f64,
    /// `max(entry · stop · qty, 1e-9)`.
    pub risk_unit: f64,
    /// `cost_bps / 10000 · entry · qty`.
    pub cost_est: f64,
    /// `K = 1/(1+exp(−z))`.
    pub kill_score: f64,
    /// Why, in the P2 system's order.
    pub reason_codes: Vec<ReasonCode>,
    /// Inputs and intermediates.
    pub audit: Audit,
    /// Soft problems with the input (our extension; omitted when empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Warning>,
}
