//! The spec's 8 replay scenarios as data, with the inputs the P2 replay used and the results the
//! spec publishes (rounded there to 3 decimals).

use serde::Serialize;

use super::theta::Theta;
use super::types::{
    HarvestAction, HarvestInput, MarketState, P1Proposal, Position, ReasonCode, Side,
};
use crate::num::Num;

/// The spec's published result for one replay step (what was published; `None` = not published).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Expected {
    /// Proposed action.
    pub action: HarvestAction,
    /// R_net, rounded to 2 decimals in the spec.
    pub r_net: Option<f64>,
    /// K, rounded to 3 decimals in the spec.
    pub kill_score: Option<f64>,
    /// `Some(None)`: no stop proposed; `Some(Some(x))`: stop x proposed.
    pub new_sl: Option<Option<f64>>,
    /// Reason codes, when the spec lists them.
    pub reason_codes: Option<Vec<ReasonCode>>,
}

/// One step of a replay scenario.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioStep {
    /// What changed, e.g. `"σ = 0.03 (3×)"`.
    pub label: String,
    /// The full input.
    pub input: HarvestInput,
    /// What the spec publishes for it.
    pub expected: Expected,
}

/// A replay scenario: a named sequence of inputs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scenario {
    /// 1 … 8, as in the spec.
    pub id: u8,
    /// Short name.
    pub name: &'static str,
    /// What it shows.
    pub description: &'static str,
    /// The steps, in order.
    pub steps: Vec<ScenarioStep>,
}

/// Tolerance for comparing with the spec's rounded figures (half a unit of the 3rd decimal).
pub const SPEC_ROUNDING_TOLERANCE: f64 = 5e-4;

struct Base {
    side: Side,
    pnl: f64,
    sl: Option<f64>,
    age: f64,
    ms: MarketState,
    p1: bool,
    theta: Option<Theta>,
}

impl Default for Base {
    fn default() -> Self {
        Base {
            side: Side::Long,
            pnl: 0.0,
            sl: Some(99.0),
            age: 3600.0,
            ms: MarketState::default(),
            p1: true,
            theta: None,
        }
    }
}

impl Base {
    fn input(&self) -> HarvestInput {
        let entry = 100.0;
        let price = entry + self.side.sign() * self.pnl;
        HarvestInput {
            position: Position {
                symbol: "BTCUSDT".to_string(),
                side: self.side,
                entry_price: entry,
                current_price: Some(price),
                peak_price: Some(if self.side == Side::Long {
                    price.max(entry)
                } else {
                    price.min(entry)
                }),
                trough_price: Some(if self.side == Side::Long {
                    price.min(entry)
                } else {
                    price.max(entry)
                }),
                age_sec: self.age,
                unrealized_pnl: self.pnl,
                current_sl: self.sl,
                current_tp: None,
                qty: 1.0,
            },
            market_state: self.ms,
            p1_proposal: self.p1.then_some(P1Proposal {
                stop_dist_pct: 0.02,
                proposed_sl: self.sl,
                proposed_tp: None,
            }),
            theta: self.theta,
        }
    }
}

fn step(label: &str, base: Base, expected: Expected) -> ScenarioStep {
    ScenarioStep {
        label: label.to_string(),
        input: base.input(),
        expected,
    }
}

fn exp(action: HarvestAction) -> Expected {
    Expected {
        action,
        r_net: None,
        kill_score: None,
        new_sl: None,
        reason_codes: None,
    }
}

impl Expected {
    fn r(mut self, r: f64) -> Self {
        self.r_net = Some(r);
        self
    }
    fn k(mut self, k: f64) -> Self {
        self.kill_score = Some(k);
        self
    }
    fn sl(mut self, sl: Option<f64>) -> Self {
        self.new_sl = Some(sl);
        self
    }
    fn codes(mut self, c: &[ReasonCode]) -> Self {
        self.reason_codes = Some(c.to_vec());
        self
    }
}

const MIXED: MarketState = MarketState {
    sigma: 0.01,
    ts: 0.4,
    p_trend: 0.5,
    p_mr: 0.2,
    p_chop: 0.3,
};

/// The 8 replay scenarios of the spec, in order.
///
/// ```
/// use harvest_kernel::{propose, scenarios};
/// let all = scenarios();
/// assert_eq!(all.len(), 8);
/// let storm = &all[5].steps[0];
/// let k = propose(&storm.input).unwrap().kill_score;
/// assert!((k - 0.917).abs() < 5e-4);
/// ```
pub fn scenarios() -> Vec<Scenario> {
    use HarvestAction::*;
    use ReasonCode::*;
    let chop = MarketState {
        p_trend: 0.1,
        p_mr: 0.3,
        p_chop: 0.6,
        ..MarketState::default()
    };
    vec![
        Scenario {
            id: 1,
            name: "Increasing PnL",
            description: "Trend regime; PnL rises through the R triggers: NONE → 25 → 50 → 75 %, profit lock from R 2.45",
            steps: [(1.0, 0.45, HarvestAction::None), (5.0, 2.45, Partial25), (9.0, 4.45, Partial50), (14.0, 6.95, Partial75)]
                .into_iter()
                .map(|(pnl, r, a)| {
                    let e = match a {
                        Partial25 => exp(a).r(r).k(0.503).sl(Some(100.2)).codes(&[HarvestPartial25, ProfitLock]),
                        Partial50 => exp(a).r(r).k(0.503).sl(Some(100.2)).codes(&[HarvestPartial50, ProfitLock]),
                        Partial75 => exp(a).r(r).k(0.503).sl(Some(100.2)).codes(&[HarvestPartial75, ProfitLock]),
                        _ => exp(a).r(r).k(0.503).sl(Option::None).codes(&[]),
                    };
                    step(&format!("PnL {} (R {})", Num(pnl), Num(r)), Base { pnl, ..Base::default() }, e)
                })
                .collect(),
        },
        Scenario {
            id: 2,
            name: "Regime flip",
            description: "p_trend 0.6 → 0.1 with chop 0.6: the regime flip lifts K from 0.503 to 0.734",
            steps: vec![
                step("before: p_trend 0.6", Base { pnl: 3.0, ..Base::default() }, exp(HarvestAction::None).r(1.45).k(0.503)),
                step(
                    "after: p_trend 0.1, p_mr 0.3, p_chop 0.6",
                    Base { pnl: 3.0, ms: chop, ..Base::default() },
                    exp(FullCloseProposed).r(1.45).k(0.734).codes(&[KillScoreTriggered, RegimeFlip]),
                ),
            ],
        },
        Scenario {
            id: 3,
            name: "Volatility spike",
            description: "σ triples from 0.01 to 0.03: the capped spike lifts K to 0.734",
            steps: vec![
                step("normal: σ 0.01", Base { pnl: 3.0, ms: MIXED, ..Base::default() }, exp(HarvestAction::None).k(0.503)),
                step(
                    "spike: σ 0.03",
                    Base { pnl: 3.0, ms: MarketState { sigma: 0.03, ..MIXED }, ..Base::default() },
                    exp(FullCloseProposed).k(0.734).codes(&[KillScoreTriggered, SigmaSpike]),
                ),
            ],
        },
        Scenario {
            id: 4,
            name: "TS collapse",
            description: "Trend strength falls from 0.5 to 0.1: K rises to 0.528, below the threshold",
            steps: vec![
                step("strong: TS 0.5", Base { pnl: 3.0, ms: MarketState { ts: 0.5, ..MarketState::default() }, ..Base::default() }, exp(HarvestAction::None).k(0.503)),
                step("weak: TS 0.1", Base { pnl: 3.0, ms: MarketState { ts: 0.1, ..MarketState::default() }, ..Base::default() }, exp(HarvestAction::None).k(0.528)),
            ],
        },
        Scenario {
            id: 5,
            name: "Aging position",
            description: "1 h → 100 000 s (~28 h): the saturated age penalty lifts K to 0.574",
            steps: vec![
                step("young: 1 h", Base { pnl: 3.0, ms: MIXED, ..Base::default() }, exp(HarvestAction::None).k(0.503)),
                step("old: 100 000 s", Base { pnl: 3.0, ms: MIXED, age: 100_000.0, ..Base::default() }, exp(HarvestAction::None).k(0.574)),
            ],
        },
        Scenario {
            id: 6,
            name: "Perfect storm",
            description: "Regime flip, σ spike, TS drop and age together (kill_threshold 0.5): K 0.917",
            steps: vec![step(
                "all factors",
                Base {
                    pnl: 2.0,
                    age: 100_000.0,
                    ms: MarketState { sigma: 0.03, ts: 0.1, ..chop },
                    theta: Some(Theta { kill_threshold: 0.5, ..Theta::default() }),
                    ..Base::default()
                },
                exp(FullCloseProposed).k(0.917).codes(&[KillScoreTriggered, RegimeFlip, SigmaSpike, AgePenalty]),
            )],
        },
        Scenario {
            id: 7,
            name: "Profit lock",
            description: "R 1.95 ≥ lock_R: the stop moves to break-even plus for LONG and SHORT, action NONE",
            steps: vec![
                step("LONG, SL 99", Base { pnl: 4.0, ..Base::default() }, exp(HarvestAction::None).r(1.95).sl(Some(100.2)).codes(&[ProfitLock])),
                step(
                    "SHORT, SL 101",
                    Base { pnl: 4.0, side: Side::Short, sl: Some(101.0), ..Base::default() },
                    exp(HarvestAction::None).r(1.95).sl(Some(99.8)).codes(&[ProfitLock]),
                ),
            ],
        },
        Scenario {
            id: 8,
            name: "No P1 fallback",
            description: "Without P1 the kernel uses fallback_stop_pct = 0.02: R 2.45, PARTIAL_25",
            steps: vec![step(
                "no P1",
                Base { pnl: 5.0, ms: MIXED, p1: false, ..Base::default() },
                exp(Partial25).r(2.45).sl(Some(100.2)).codes(&[HarvestPartial25, ProfitLock]),
            )],
        },
    ]
}
