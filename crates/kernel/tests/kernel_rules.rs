//! One test per rule and boundary of the P2 harvest kernel (the spec's 24 and more), and the
//! spec's replay figures.
#![cfg(not(target_arch = "wasm32"))]

use harvest_kernel::*;

const EPS: f64 = 1e-12;

fn input(pnl: f64) -> HarvestInput {
    HarvestInput {
        position: Position {
            unrealized_pnl: pnl,
            ..Position::default()
        },
        market_state: MarketState::default(),
        p1_proposal: Some(P1Proposal::default()),
        theta: None,
    }
}

fn run(i: &HarvestInput) -> Proposal {
    propose(i).expect("valid input")
}

/// PnL at which R_net equals `r` exactly under the baseline (risk unit 2, cost 0.1).
fn pnl_for_r(r: f64) -> f64 {
    r * 2.0 + 0.1
}

// ---------------------------------------------------------------- R_net and triggers (4 + boundaries)

#[test]
fn r_net_formula_with_cost_and_qty() {
    let mut i = input(7.0);
    i.position.qty = 3.0;
    i.theta = Some(Theta {
        cost_bps: 25.0,
        ..Theta::default()
    });
    let p = run(&i);
    let risk_unit = 100.0 * 0.02 * 3.0;
    let cost = 25.0 / 10000.0 * 100.0 * 3.0;
    assert_eq!(p.risk_unit, risk_unit);
    assert_eq!(p.cost_est, cost);
    assert_eq!(p.r_net, (7.0 - cost) / risk_unit);
}

#[test]
fn trigger_cascade_table() {
    use HarvestAction::*;
    let cases = [
        (-5.0, None),
        (0.0, None),
        (1.999_999, None),
        (2.0, Partial25),
        (3.999_999, Partial25),
        (4.0, Partial50),
        (5.999_999, Partial50),
        (6.0, Partial75),
        (50.0, Partial75),
    ];
    for (r, want) in cases {
        assert_eq!(harvest_action(r, &Theta::default()), want, "R {r}");
    }
}

#[test]
fn triggers_at_exact_boundaries_via_propose() {
    // In f64, (4.1 − 0.1) / 2 is 1.9999999999999998: still NONE, exactly as the P2 system computes.
    let p = run(&input(4.1));
    assert_eq!(p.r_net, 1.999_999_999_999_999_8);
    assert_eq!(p.harvest_action, HarvestAction::None);
    // With no cost, R_net hits the triggers exactly and `≥` is inclusive.
    let zero_cost = Theta {
        cost_bps: 0.0,
        ..Theta::default()
    };
    for (pnl, want) in [
        (4.0, HarvestAction::Partial25),
        (8.0, HarvestAction::Partial50),
        (12.0, HarvestAction::Partial75),
    ] {
        let mut i = input(pnl);
        i.theta = Some(zero_cost);
        let p = run(&i);
        assert_eq!(p.r_net, pnl / 2.0);
        assert_eq!(p.harvest_action, want, "pnl {pnl}");
        i.position.unrealized_pnl = f64::from_bits(pnl.to_bits() - 1);
        assert!(run(&i).harvest_action < want, "just below {pnl}");
    }
}

#[test]
fn negative_pnl_gives_negative_r_and_no_action() {
    let p = run(&input(-3.0));
    assert!((p.r_net - (-1.55)).abs() < EPS);
    assert_eq!(p.harvest_action, HarvestAction::None);
    assert_eq!(p.new_sl_proposed, None);
    assert!(p.reason_codes.is_empty());
}

#[test]
fn risk_unit_floor_avoids_division_by_zero() {
    let mut i = input(1.0);
    i.position.entry_price = 1e-300;
    let p = run(&i);
    assert_eq!(p.risk_unit, MIN_RISK_UNIT);
    assert!(p.r_net.is_finite());
}

// ---------------------------------------------------------------- stop distance / fallback (3)

#[test]
fn p1_stop_used_when_present_and_positive() {
    let mut i = input(5.0);
    i.p1_proposal = Some(P1Proposal {
        stop_dist_pct: 0.01,
        ..P1Proposal::default()
    });
    let p = run(&i);
    assert_eq!(p.risk_unit, 1.0);
    assert!(p.warnings.is_empty());
}

#[test]
fn no_p1_uses_fallback() {
    let mut i = input(5.0);
    i.p1_proposal = None;
    i.theta = Some(Theta {
        fallback_stop_pct: 0.05,
        ..Theta::default()
    });
    let p = run(&i);
    assert_eq!(p.risk_unit, 5.0);
    assert!(p.warnings.is_empty());
    assert_eq!(p.audit.p1_proposal, None);
}

/// The running P2 system uses P1's stop whenever it is present and non-zero, a negative one too
/// (with our warning), flooring the risk unit at 1e-9; a zero one falls back, silently.
#[test]
fn p1_stop_table() {
    // (stop_dist_pct, risk unit, P1 used, warning codes)
    let rows: &[(f64, f64, bool, &[&str])] = &[
        (0.01, 1.0, true, &[]),
        (0.0, 2.0, false, &[]),
        (-0.0, 2.0, false, &[]),
        (-0.01, MIN_RISK_UNIT, true, &["p1_stop_negative"]),
        (-1e300, MIN_RISK_UNIT, true, &["p1_stop_negative"]),
        (1e-12, MIN_RISK_UNIT, true, &[]),
    ];
    for &(stop, risk, used, codes) in rows {
        let mut i = input(5.0);
        i.p1_proposal = Some(P1Proposal {
            stop_dist_pct: stop,
            ..P1Proposal::default()
        });
        let p = run(&i);
        assert_eq!(p.risk_unit, risk, "stop {stop}");
        assert_eq!(i.evaluate().p1_used, used, "stop {stop}");
        let got: Vec<&str> = p.warnings.iter().map(|w| w.code.as_str()).collect();
        assert_eq!(got, codes, "stop {stop}");
        if !codes.is_empty() {
            assert_eq!(p.warnings[0].field, "p1_proposal.stop_dist_pct");
            // R_net = (5 − 0.1) / 1e-9, exactly as written.
            assert_eq!(p.r_net, (5.0 - 0.1) / MIN_RISK_UNIT);
            assert_eq!(p.harvest_action, HarvestAction::Partial75);
        }
    }
    for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let mut i = input(5.0);
        i.p1_proposal = Some(P1Proposal {
            stop_dist_pct: bad,
            ..P1Proposal::default()
        });
        let err = propose(&i).unwrap_err();
        assert_eq!(err.field(), "p1_proposal.stop_dist_pct");
    }
}

#[test]
fn missing_theta_uses_defaults() {
    let p = run(&input(5.0));
    assert_eq!(p.audit.theta, Theta::default());
}

// ---------------------------------------------------------------- profit lock (4 + boundaries)

#[test]
fn profit_lock_long_tightens_from_below() {
    let p = run(&input(4.0)); // R 1.95
    let sl = p.new_sl_proposed.unwrap();
    assert_eq!(sl, 100.0 * (1.0 + 0.002));
    assert!((sl - 100.2).abs() < 1e-9);
    assert_eq!(p.reason_codes, vec![ReasonCode::ProfitLock]);
}

#[test]
fn profit_lock_long_never_loosens() {
    for sl in [100.2 + 1e-9, 100.5, 150.0] {
        let mut i = input(20.0);
        i.position.current_sl = Some(sl);
        let p = run(&i);
        assert_eq!(p.new_sl_proposed, None, "current SL {sl}");
        assert!(!p.reason_codes.contains(&ReasonCode::ProfitLock));
    }
    // Equal is not strictly above: no proposal.
    let mut i = input(20.0);
    i.position.current_sl = Some(100.0 * 1.002);
    assert_eq!(run(&i).new_sl_proposed, None);
}

#[test]
fn profit_lock_short_tightens_from_above() {
    let mut i = input(4.0);
    i.position.side = Side::Short;
    i.position.current_sl = Some(101.0);
    let p = run(&i);
    assert_eq!(p.new_sl_proposed, Some(100.0 * (1.0 - 0.002)));
    assert!((p.new_sl_proposed.unwrap() - 99.8).abs() < 1e-9);
}

#[test]
fn profit_lock_short_never_loosens() {
    for sl in [99.8 - 1e-9, 99.0, 50.0, 100.0 * 0.998] {
        let mut i = input(20.0);
        i.position.side = Side::Short;
        i.position.current_sl = Some(sl);
        assert_eq!(run(&i).new_sl_proposed, None, "current SL {sl}");
    }
}

#[test]
fn profit_lock_without_current_sl_for_both_sides() {
    for (side, want) in [(Side::Long, 100.2), (Side::Short, 99.8)] {
        let mut i = input(4.0);
        i.position.side = side;
        i.position.current_sl = None;
        let sl = run(&i).new_sl_proposed.unwrap();
        assert!((sl - want).abs() < 1e-9);
    }
}

#[test]
fn profit_lock_boundary_at_lock_r() {
    let below = run(&input(pnl_for_r(1.5) - 1e-9));
    assert_eq!(below.new_sl_proposed, None);
    let at = run(&input(pnl_for_r(1.5)));
    assert!(at.r_net >= 1.5, "R {}", at.r_net);
    assert!(at.new_sl_proposed.is_some());
}

// ---------------------------------------------------------------- kill score (6 + boundaries)

#[test]
fn regime_flip_needs_both_conditions() {
    let t = Theta::default();
    let cases = [
        (0.1, 0.3, 0.6, 1.0),
        (0.29, 0.35, 0.36, 1.0),
        (0.3, 0.3, 0.4, 0.0), // p_trend not strictly below trend_min
        (0.1, 0.2, 0.3, 0.0), // chop + mr = 0.5, not above
        (0.1, 0.25, 0.26, 1.0),
        (0.6, 0.2, 0.2, 0.0),
    ];
    for (pt, mr, ch, want) in cases {
        let ms = MarketState {
            p_trend: pt,
            p_mr: mr,
            p_chop: ch,
            ..MarketState::default()
        };
        assert_eq!(
            k_components(&ms, 0.0, &t).regime_flip,
            want,
            "{pt}/{mr}/{ch}"
        );
    }
}

#[test]
fn sigma_spike_clamped_to_cap() {
    let t = Theta::default();
    let cases = [
        (0.0, 0.0),
        (0.005, 0.0),
        (0.01, 0.0),
        (0.015, 0.015 / 0.01 - 1.0),
        (0.03, 2.0),
        (0.5, 2.0),
    ];
    for (s, want) in cases {
        let ms = MarketState {
            sigma: s,
            ..MarketState::default()
        };
        assert_eq!(k_components(&ms, 0.0, &t).sigma_spike, want, "σ {s}");
    }
}

#[test]
fn ts_drop_is_absolute_and_clamped() {
    let t = Theta::default();
    let cases = [
        (0.5, 0.0),
        (0.3, 0.0),
        (0.1, 0.3 - 0.1),
        (0.0, 0.3),
        (-0.5, 0.5),
    ];
    for (ts, want) in cases {
        let ms = MarketState {
            ts,
            ..MarketState::default()
        };
        assert_eq!(k_components(&ms, 0.0, &t).ts_drop, want, "TS {ts}");
    }
    // The f64 fact the reason codes depend on.
    assert_eq!(0.3 - 0.1, 0.199_999_999_999_999_98);
}

#[test]
fn age_penalty_saturates_at_max_age() {
    let t = Theta::default();
    for (age, want) in [
        (0.0, 0.0),
        (3600.0, 3600.0 / 86400.0),
        (86400.0, 1.0),
        (1e9, 1.0),
    ] {
        let k = k_components(&MarketState::default(), age, &t);
        assert_eq!(k.age_penalty, want, "age {age}");
    }
}

#[test]
fn z_sums_weighted_components_in_order_and_k_is_sigmoid() {
    let i = &scenarios()[5].steps[0].input;
    let p = run(i);
    let c = p.audit.k_components;
    let t = p.audit.theta;
    let z = t.k_regime_flip * c.regime_flip
        + t.k_sigma_spike * c.sigma_spike
        + t.k_ts_drop * c.ts_drop
        + t.k_age_penalty * c.age_penalty;
    assert_eq!(p.audit.z, z);
    assert_eq!(p.kill_score, 1.0 / (1.0 + (-z).exp()));
    assert!((z - 2.4).abs() < 1e-12);
}

#[test]
fn full_close_at_threshold_overrides_partial() {
    // R 6.95 would be PARTIAL_75; the regime flip (K 0.734) closes everything.
    let mut i = input(14.0);
    i.market_state = MarketState {
        p_trend: 0.1,
        p_mr: 0.3,
        p_chop: 0.6,
        ..MarketState::default()
    };
    let p = run(&i);
    assert_eq!(p.harvest_action, HarvestAction::FullCloseProposed);
    assert_eq!(
        p.reason_codes,
        vec![
            ReasonCode::HarvestPartial75,
            ReasonCode::ProfitLock,
            ReasonCode::KillScoreTriggered,
            ReasonCode::RegimeFlip
        ]
    );
}

#[test]
fn kill_threshold_is_inclusive() {
    let i = input(0.0);
    let k = run(&i).kill_score;
    let mut at = i.clone();
    at.theta = Some(Theta {
        kill_threshold: k,
        ..Theta::default()
    });
    assert_eq!(run(&at).harvest_action, HarvestAction::FullCloseProposed);
    let mut above = i;
    above.theta = Some(Theta {
        kill_threshold: f64::from_bits(k.to_bits() + 1),
        ..Theta::default()
    });
    assert_eq!(run(&above).harvest_action, HarvestAction::None);
}

#[test]
fn component_reason_codes_use_strict_bars() {
    // Weights high enough that K triggers; components at and above their bars.
    let theta = Theta {
        kill_threshold: 0.5,
        ..Theta::default()
    };
    let at_bars = HarvestInput {
        position: Position {
            age_sec: 43200.0, // age_penalty = 0.5 exactly: not listed
            ..Position::default()
        },
        market_state: MarketState {
            sigma: 0.015, // sigma_spike = 0.5 (to f64): not listed
            ts: 0.1,      // ts_drop = 0.19999999999999998: not listed
            ..MarketState::default()
        },
        p1_proposal: None,
        theta: Some(theta),
    };
    let p = run(&at_bars);
    assert_eq!(p.harvest_action, HarvestAction::FullCloseProposed);
    let k = p.audit.k_components;
    assert!(k.sigma_spike <= 0.5 && k.age_penalty == 0.5);
    assert_eq!(p.reason_codes, vec![ReasonCode::KillScoreTriggered]);

    let mut over = at_bars.clone();
    over.position.age_sec = 43201.0;
    over.market_state.sigma = 0.0151;
    over.market_state.ts = 0.0999;
    let p = run(&over);
    assert_eq!(
        p.reason_codes,
        vec![
            ReasonCode::KillScoreTriggered,
            ReasonCode::SigmaSpike,
            ReasonCode::TsDrop,
            ReasonCode::AgePenalty
        ]
    );
}

#[test]
fn component_codes_only_when_kill_triggers() {
    // σ spike alone at cap: K = 0.734 ≥ 0.6; raise the threshold and the codes vanish.
    let mut i = input(0.0);
    i.market_state.sigma = 0.03;
    i.theta = Some(Theta {
        kill_threshold: 0.9,
        ..Theta::default()
    });
    let p = run(&i);
    assert_eq!(p.harvest_action, HarvestAction::None);
    assert!(p.reason_codes.is_empty());
}

// ---------------------------------------------------------------- tranche weights (2)

#[test]
fn tranche_weights_sum_to_one() {
    let t = Theta {
        u1: 2.0,
        u2: -1.0,
        u3: 0.5,
        softmax_temp: 0.7,
        ..Theta::default()
    };
    let w = t.tranche_weights().unwrap();
    assert!((w.iter().sum::<f64>() - 1.0).abs() < 1e-15);
    assert!(w[0] > w[2] && w[2] > w[1]);
}

/// `exp(u_i/T) / Σ`, no shift; uniform below a sum of 1e-9; an overflow is an error.
#[test]
fn tranche_weights_as_the_p2_system_computes_them() {
    let with = |u1: f64, u2: f64, u3: f64, t: f64| {
        let mut i = input(1.0);
        i.theta = Some(Theta {
            u1,
            u2,
            u3,
            softmax_temp: t,
            ..Theta::default()
        });
        propose(&i)
    };
    let written = |u: [f64; 3], t: f64| {
        let e = [(u[0] / t).exp(), (u[1] / t).exp(), (u[2] / t).exp()];
        let s = e[0] + e[1] + e[2];
        [e[0] / s, e[1] / s, e[2] / s]
    };
    // (u1, u2, u3, T): computed as written, bit for bit.
    for (u1, u2, u3, t) in [
        (1.0, 2.0, 3.0, 1.0),
        (-5.0, 0.0, 5.0, 0.3),
        (-19.0, -20.0, -21.0, 1.0),
        (300.0, 700.0, -700.0, 1.0),
        (1.0, -1.0, 0.5, -2.0),
    ] {
        let p = with(u1, u2, u3, t).unwrap();
        assert_eq!(
            p.audit.tranche_weights,
            written([u1, u2, u3], t),
            "{u1} {u2} {u3} / {t}"
        );
    }
    // The sum is below 1e-9: exactly uniform (a shifted softmax would weigh u1 most).
    let p = with(-21.0, -30.0, -40.0, 1.0).unwrap();
    assert_eq!(p.audit.tranche_weights, [1.0 / 3.0; 3]);
    let p = with(-1.0, -2.0, -3.0, 0.01).unwrap();
    assert_eq!(p.audit.tranche_weights, [1.0 / 3.0; 3]);
    // exp overflows: an error naming the tunable (the P2 system cannot compute it either).
    let err = with(0.0, 0.0, 710.0, 1.0).unwrap_err();
    assert_eq!(err.field(), "theta.u3");
    let err = with(1.0, 0.0, 0.0, 1e-3).unwrap_err();
    assert_eq!(err.field(), "theta.u1");
    let err = with(1.0, 0.0, 0.0, 0.0).unwrap_err();
    assert_eq!(err.field(), "theta.softmax_temp");
}

#[test]
fn tranche_weights_uniform_by_default() {
    assert_eq!(run(&input(1.0)).audit.tranche_weights, [1.0 / 3.0; 3]);
}

// ---------------------------------------------------------------- purity and audit

#[test]
fn deterministic_and_pure() {
    let i = scenarios()[5].steps[0].input.clone();
    let before = i.clone();
    let a = serde_json::to_string(&run(&i)).unwrap();
    let b = serde_json::to_string(&run(&i)).unwrap();
    assert_eq!(a, b);
    assert_eq!(i, before, "input untouched");
}

#[test]
fn audit_carries_inputs_and_intermediates() {
    let i = input(9.0);
    let p = run(&i);
    assert_eq!(p.audit.position, i.position);
    assert_eq!(p.audit.market_state, i.market_state);
    assert_eq!(p.audit.p1_proposal, i.p1_proposal);
    let json = serde_json::to_value(&p).unwrap();
    let audit = &json["audit"];
    assert_eq!(audit["theta"].as_object().unwrap().len(), 22);
    for key in ["regime_flip", "sigma_spike", "ts_drop", "age_penalty"] {
        assert!(audit["k_components"][key].is_number(), "{key}");
    }
    assert_eq!(audit["tranche_weights"].as_array().unwrap().len(), 3);
    assert!(audit["z"].is_number());
    // The published hash's first seven fields are the proposal's own.
    for key in &harvest_records::published::FIELDS[..7] {
        assert!(json.get(key).is_some(), "{key}");
    }
    assert!(json.get("warnings").is_none(), "no warnings key when clean");
    assert_eq!(json["harvest_action"], "PARTIAL_50");
    assert_eq!(json["reason_codes"][0], "harvest_partial_50");
}

#[test]
fn json_keeps_full_f64_precision() {
    let p = run(&input(std::f64::consts::PI));
    let s = serde_json::to_string(&p).unwrap();
    let back: Proposal = serde_json::from_str(&s).unwrap();
    assert_eq!(back.r_net.to_bits(), p.r_net.to_bits());
    assert_eq!(back.kill_score.to_bits(), p.kill_score.to_bits());
    assert_eq!(back, p);
}

#[test]
fn wire_spellings() {
    assert_eq!(serde_json::to_string(&Side::Short).unwrap(), "\"SHORT\"");
    assert_eq!(
        serde_json::to_string(&HarvestAction::Partial25).unwrap(),
        "\"PARTIAL_25\""
    );
    assert_eq!(
        serde_json::to_string(&HarvestAction::FullCloseProposed).unwrap(),
        "\"FULL_CLOSE_PROPOSED\""
    );
    assert_eq!(
        serde_json::to_string(&ReasonCode::KillScoreTriggered).unwrap(),
        "\"kill_score_triggered\""
    );
    for a in HarvestAction::ALL {
        assert_eq!(
            serde_json::to_string(&a).unwrap(),
            format!("\"{}\"", a.as_str())
        );
        assert_eq!(HarvestAction::parse(a.as_str()), Some(a));
    }
    for c in ReasonCode::ALL {
        assert_eq!(
            serde_json::to_string(&c).unwrap(),
            format!("\"{}\"", c.as_str())
        );
        assert_eq!(ReasonCode::parse(c.as_str()), Some(c));
    }
}

#[test]
fn input_json_with_defaults_and_p2_field_names() {
    let line = r#"{"position":{"symbol":"ETHUSDT","side":"SHORT","entry_price":2000,"age_sec":60,
        "unrealized_pnl":12.5,"current_sl":2050},"market_state":{"sigma":0.01,"ts":0.4,"p_trend":0.6,
        "p_mr":0.2,"p_chop":0.2},"theta":{"T1_R":1.0,"lock_R":0.5}}"#;
    let i: HarvestInput = serde_json::from_str(line).unwrap();
    assert_eq!(i.position.qty, 1.0);
    assert_eq!(i.position.current_price, None);
    let t = i.theta.unwrap();
    assert_eq!((t.t1_r, t.lock_r, t.t2_r), (1.0, 0.5, 4.0));
    let p = run(&i);
    // risk unit 2000 · 0.02 = 40; cost 2; R = 10.5 / 40.
    assert_eq!(p.r_net, (12.5 - 2.0) / 40.0);
    let bad = line.replace("SHORT", "FLAT");
    let err = serde_json::from_str::<HarvestInput>(&bad).unwrap_err();
    assert!(err.to_string().contains("LONG"), "{err}");
}

// ---------------------------------------------------------------- bad input

/// Errors: data no real position or market can have, and what the running system cannot compute.
#[test]
fn validation_errors_name_the_field() {
    type Edit = fn(&mut HarvestInput);
    let cases: &[(&str, Edit)] = &[
        ("position.entry_price", |i| i.position.entry_price = 0.0),
        ("position.entry_price", |i| i.position.entry_price = -1.0),
        ("position.entry_price", |i| {
            i.position.entry_price = f64::NAN
        }),
        ("position.qty", |i| i.position.qty = 0.0),
        ("position.qty", |i| i.position.qty = -2.0),
        ("position.age_sec", |i| i.position.age_sec = -1.0),
        ("position.unrealized_pnl", |i| {
            i.position.unrealized_pnl = f64::INFINITY
        }),
        ("position.current_sl", |i| {
            i.position.current_sl = Some(f64::NAN)
        }),
        ("position.current_price", |i| {
            i.position.current_price = Some(f64::NEG_INFINITY)
        }),
        ("market_state.sigma", |i| i.market_state.sigma = -0.01),
        ("market_state.ts", |i| i.market_state.ts = f64::NAN),
        ("market_state.p_trend", |i| i.market_state.p_trend = 1.1),
        ("market_state.p_mr", |i| i.market_state.p_mr = -0.1),
        ("market_state.p_chop", |i| i.market_state.p_chop = f64::NAN),
        ("p1_proposal.stop_dist_pct", |i| {
            i.p1_proposal = Some(P1Proposal {
                stop_dist_pct: f64::NAN,
                ..P1Proposal::default()
            })
        }),
        ("p1_proposal.proposed_sl", |i| {
            i.p1_proposal = Some(P1Proposal {
                proposed_sl: Some(f64::NAN),
                ..P1Proposal::default()
            })
        }),
        ("theta.sigma_ref", |i| {
            i.theta = Some(Theta::default().with(ThetaField::SigmaRef, 0.0))
        }),
        ("theta.max_age_sec", |i| {
            i.theta = Some(Theta::default().with(ThetaField::MaxAgeSec, 0.0))
        }),
        ("theta.softmax_temp", |i| {
            i.theta = Some(Theta::default().with(ThetaField::SoftmaxTemp, -0.0))
        }),
        ("theta.kill_threshold", |i| {
            i.theta = Some(Theta::default().with(ThetaField::KillThreshold, f64::NAN))
        }),
        ("theta.u2", |i| {
            i.theta = Some(Theta::default().with(ThetaField::U2, 1e4))
        }),
    ];
    for (field, edit) in cases {
        let mut i = input(3.0);
        edit(&mut i);
        let err = propose(&i).unwrap_err();
        assert_eq!(err.field(), *field, "{err}");
        let msg = err.to_string();
        assert!(msg.starts_with(field), "{msg}");
        assert!(msg.contains("expected") || msg.contains("finite"), "{msg}");
        let v = validate(
            &i.position,
            &i.market_state,
            i.p1_proposal.as_ref(),
            &i.theta.unwrap_or_default(),
        );
        assert_eq!(
            v.unwrap_err().to_string(),
            msg,
            "validate and propose agree"
        );
    }
}

/// Warnings: what makes no sense but the running system computes. The numbers are those of the
/// same input computed as written (the fast path), and the codes never reach `reason_codes`.
#[test]
fn nonsense_but_computable_warns_and_computes_as_written() {
    use ThetaField::*;
    // (field, value, warning code, warning field)
    let rows: &[(ThetaField, f64, &str, &str)] = &[
        (T3R, 3.0, "thresholds_unordered", "theta.T3_R"),
        (T2R, 1.0, "thresholds_unordered", "theta.T2_R"),
        (T1R, 5.0, "thresholds_unordered", "theta.T2_R"),
        (
            KillThreshold,
            1.0,
            "theta_out_of_range",
            "theta.kill_threshold",
        ),
        (
            KillThreshold,
            0.0,
            "theta_out_of_range",
            "theta.kill_threshold",
        ),
        (
            KillThreshold,
            -0.5,
            "theta_out_of_range",
            "theta.kill_threshold",
        ),
        (
            KRegimeFlip,
            -1.0,
            "theta_out_of_range",
            "theta.k_regime_flip",
        ),
        (
            KSigmaSpike,
            -1.0,
            "theta_out_of_range",
            "theta.k_sigma_spike",
        ),
        (KTsDrop, -1.0, "theta_out_of_range", "theta.k_ts_drop"),
        (
            KAgePenalty,
            -1.0,
            "theta_out_of_range",
            "theta.k_age_penalty",
        ),
        (
            SigmaSpikeCap,
            -1.0,
            "theta_out_of_range",
            "theta.sigma_spike_cap",
        ),
        (TsDropCap, -0.2, "theta_out_of_range", "theta.ts_drop_cap"),
        (CostBps, -10.0, "theta_out_of_range", "theta.cost_bps"),
        (BePlusPct, -0.01, "theta_out_of_range", "theta.be_plus_pct"),
        (
            FallbackStopPct,
            0.0,
            "theta_out_of_range",
            "theta.fallback_stop_pct",
        ),
        (
            FallbackStopPct,
            -0.02,
            "theta_out_of_range",
            "theta.fallback_stop_pct",
        ),
        (SigmaRef, -0.01, "theta_out_of_range", "theta.sigma_ref"),
        (
            MaxAgeSec,
            -3600.0,
            "theta_out_of_range",
            "theta.max_age_sec",
        ),
        (
            SoftmaxTemp,
            -1.0,
            "theta_out_of_range",
            "theta.softmax_temp",
        ),
    ];
    for &(f, v, code, field) in rows {
        for pnl in [-3.0, 1.0, 5.0, 9.0, 14.0] {
            let mut i = input(pnl);
            i.p1_proposal = None; // the fallback stop counts
            i.market_state.sigma = 0.02;
            i.theta = Some(Theta::default().with(f, v));
            let p = run(&i);
            let codes: Vec<(&str, &str)> = p
                .warnings
                .iter()
                .map(|w| (w.code.as_str(), w.field.as_str()))
                .collect();
            assert_eq!(codes, [(code, field)], "{} = {v}", f.key());
            let e = i.evaluate();
            assert_eq!(p.harvest_action, e.action);
            assert_eq!(p.r_net.to_bits(), e.r_net.to_bits());
            assert_eq!(p.kill_score.to_bits(), e.kill_score.to_bits());
            assert_eq!(p.new_sl_proposed, e.new_sl);
            assert_eq!(p.reason_codes, e.reason_codes());
        }
    }
}

/// Thresholds out of order: T3_R, then T2_R, then T1_R, as written (the running system does
/// not sort them).
#[test]
fn unordered_thresholds_cascade_as_written() {
    let theta = Theta {
        t1_r: 4.0,
        t2_r: 2.0,
        t3_r: 3.0,
        ..Theta::default()
    };
    // (R_net, action)
    for (r, want) in [
        (1.9, HarvestAction::None),
        (2.01, HarvestAction::Partial50),
        (2.9, HarvestAction::Partial50),
        (3.01, HarvestAction::Partial75),
        (4.5, HarvestAction::Partial75),
    ] {
        let mut i = input(pnl_for_r(r));
        i.theta = Some(theta);
        let p = run(&i);
        assert_eq!(p.harvest_action, want, "R {r}");
        // Adjacent pairs are checked: any break of T1_R < T2_R < T3_R breaks one of them.
        let w: Vec<(&str, &str)> = p
            .warnings
            .iter()
            .map(|w| (w.code.as_str(), w.field.as_str()))
            .collect();
        assert_eq!(w, [("thresholds_unordered", "theta.T2_R")], "R {r}");
        assert!(p
            .reason_codes
            .iter()
            .all(|c| c.as_str().starts_with("harvest_") || *c == ReasonCode::ProfitLock));
    }
}

/// `kill_threshold` ≤ 0 always triggers, ≥ 1 never does (K < 1 for finite z): as written.
#[test]
fn kill_threshold_outside_unit_interval_compares_as_written() {
    for (thr, killed) in [(0.0, true), (-1.0, true), (1.0, false), (2.0, false)] {
        let mut i = input(3.0);
        i.theta = Some(Theta {
            kill_threshold: thr,
            ..Theta::default()
        });
        let p = run(&i);
        assert_eq!(
            p.harvest_action == HarvestAction::FullCloseProposed,
            killed,
            "{thr}"
        );
        assert_eq!(p.warnings[0].field, "theta.kill_threshold");
    }
}

/// Intermediates that stop being finite are errors naming the fields, never `null`s.
#[test]
fn overflowing_intermediates_are_errors_naming_the_fields() {
    type Edit = fn(&mut HarvestInput);
    let cases: &[(&str, &str, Edit)] = &[
        ("risk_unit", "position.qty", |i| {
            i.position.entry_price = 1e308;
            i.position.qty = 1e308;
        }),
        ("cost_est", "theta.cost_bps", |i| {
            i.position.entry_price = 1e300;
            i.p1_proposal = Some(P1Proposal {
                stop_dist_pct: 1e-10,
                ..P1Proposal::default()
            });
            i.theta = Some(Theta {
                cost_bps: 1e100,
                ..Theta::default()
            });
        }),
        ("R_net", "position.unrealized_pnl", |i| {
            i.position.unrealized_pnl = 1e300;
            i.p1_proposal = Some(P1Proposal {
                stop_dist_pct: -0.02,
                ..P1Proposal::default()
            });
        }),
        ("new_sl_proposed", "theta.be_plus_pct", |i| {
            i.position.entry_price = 1e308;
            i.position.unrealized_pnl = 1e307;
            i.position.current_sl = None;
            i.theta = Some(Theta {
                be_plus_pct: 1.0,
                cost_bps: 0.0,
                ..Theta::default()
            });
        }),
        ("audit.z", "theta.k_sigma_spike", |i| {
            i.market_state.sigma = 1.0;
            i.theta = Some(Theta {
                sigma_spike_cap: 1e308,
                k_sigma_spike: 1e308,
                sigma_ref: 1e-300,
                ..Theta::default()
            });
        }),
        ("kill_score", "theta.k_", |i| {
            i.market_state.sigma = 0.03;
            i.theta = Some(Theta {
                k_sigma_spike: -1000.0,
                ..Theta::default()
            });
        }),
    ];
    for (field, names, edit) in cases {
        let mut i = input(3.0);
        edit(&mut i);
        let err = propose(&i).unwrap_err();
        assert_eq!(err.field(), *field, "{err}");
        let msg = err.to_string();
        assert!(msg.contains(names), "{msg}");
        assert!(matches!(err, KernelError::NotComputable { .. }), "{msg}");
        // The error itself is valid JSON.
        let json = serde_json::to_string(&err).unwrap();
        assert!(json.contains("not_computable"), "{json}");
    }
    // The issue's example, word for word.
    let mut i = input(3.0);
    i.position.entry_price = 1e308;
    i.position.qty = 1e308;
    let msg = propose(&i).unwrap_err().to_string();
    assert!(
        msg.starts_with("risk_unit is not computable (inf): position.entry_price ")
            && msg.contains("position.qty"),
        "{msg}"
    );
    // Just below the overflow: computed.
    let mut i = input(3.0);
    i.market_state.sigma = 0.03;
    i.theta = Some(Theta {
        k_sigma_spike: -354.0,
        ..Theta::default()
    });
    let p = run(&i);
    assert!(
        p.kill_score > 0.0 && p.kill_score < 1e-300,
        "{}",
        p.kill_score
    );
}

#[test]
fn out_of_range_message_names_value_and_range() {
    let mut i = input(3.0);
    i.market_state.p_trend = 1.5;
    let msg = propose(&i).unwrap_err().to_string();
    assert_eq!(
        msg,
        "market_state.p_trend = 1.5 is out of range: expected a probability in [0, 1]"
    );
}

#[test]
fn probabilities_not_summing_to_one_warn() {
    let mut i = input(3.0);
    i.market_state = MarketState {
        p_trend: 0.5,
        p_mr: 0.2,
        p_chop: 0.2,
        ..MarketState::default()
    };
    let p = run(&i);
    assert_eq!(p.warnings.len(), 1);
    assert_eq!(p.warnings[0].code, "probabilities_not_normalized");
    i.market_state.p_chop = 0.3009; // within 1e-3
    assert!(run(&i).warnings.is_empty());
    let json = serde_json::to_value(run(&{
        let mut j = i.clone();
        j.market_state.p_chop = 0.1;
        j
    }))
    .unwrap();
    assert_eq!(json["warnings"][0]["code"], "probabilities_not_normalized");
}

// ---------------------------------------------------------------- fast path and flips

#[test]
fn fast_path_agrees_with_full_path_on_scenarios() {
    for s in scenarios() {
        for st in &s.steps {
            let p = run(&st.input);
            let e = st.input.evaluate();
            assert_eq!(e.action, p.harvest_action);
            assert_eq!(e.new_sl, p.new_sl_proposed);
            assert_eq!(e.r_net.to_bits(), p.r_net.to_bits());
            assert_eq!(e.kill_score.to_bits(), p.kill_score.to_bits());
            assert_eq!(e.k, p.audit.k_components);
            assert_eq!(e.reason_codes(), p.reason_codes);
        }
    }
}

#[test]
fn flip_points_pnl_match_exact_inversion() {
    let flips = flip_points(&input(5.0)); // R 2.45, PARTIAL_25
    let pnl: Vec<_> = flips.iter().filter(|f| f.axis == Axis::Pnl).collect();
    assert_eq!(pnl.len(), 2);
    let down = pnl.iter().find(|f| f.direction == Direction::Down).unwrap();
    let up = pnl.iter().find(|f| f.direction == Direction::Up).unwrap();
    assert_eq!(
        (down.to, up.to),
        (HarvestAction::None, HarvestAction::Partial50)
    );
    // Exact inversion: pnl = T·risk_unit + cost.
    assert!((down.value - 4.1).abs() < 1e-9, "{}", down.value);
    assert!((up.value - 8.1).abs() < 1e-9, "{}", up.value);
    // Adjacent-float precision: the value itself has the new action, the current side the old.
    let mut at = input(up.value);
    assert_eq!(run(&at).harvest_action, HarvestAction::Partial50);
    at.position.unrealized_pnl = up.value - 1e-12;
    assert_eq!(run(&at).harvest_action, HarvestAction::Partial25);
}

#[test]
fn flip_points_sigma_and_p_trend_and_age() {
    let i = input(3.0); // K 0.503, NONE
    let flips = flip_points(&i);
    let z_star = logit(0.6);
    let sigma = flips.iter().find(|f| f.axis == Axis::Sigma).unwrap();
    // z = 0.5·(σ/0.01 − 1) + 0.3·age_penalty = z*.
    let want = 0.01 * (1.0 + (z_star - 0.3 * (3600.0 / 86400.0)) / 0.5);
    assert!(
        (sigma.value - want).abs() < 1e-12,
        "{} vs {want}",
        sigma.value
    );
    assert_eq!(sigma.to, HarvestAction::FullCloseProposed);

    let pt = flips.iter().find(|f| f.axis == Axis::PTrend).unwrap();
    assert_eq!(pt.direction, Direction::Down);
    assert!(pt.value < 0.3 && pt.value > 0.299_999, "{}", pt.value);
    assert_eq!(pt.to, HarvestAction::FullCloseProposed);

    // Age alone cannot reach K 0.6 (max z 0.3 → K 0.574): no flip.
    assert!(!flips.iter().any(|f| f.axis == Axis::AgeSec));
}

// ---------------------------------------------------------------- replay (the spec's figures)

#[test]
fn replay_scenarios_reproduce_the_spec() {
    let all = scenarios();
    assert_eq!(all.len(), 8);
    assert_eq!(
        all.iter().map(|s| s.id).collect::<Vec<_>>(),
        (1..=8).collect::<Vec<_>>()
    );
    for s in &all {
        for st in &s.steps {
            let p = run(&st.input);
            let ctx = format!("scenario {} '{}'", s.id, st.label);
            let e = &st.expected;
            assert_eq!(p.harvest_action, e.action, "{ctx}");
            // The replay inputs make sense: no warning; uniform weights (u = 0).
            assert!(p.warnings.is_empty(), "{ctx}: {:?}", p.warnings);
            assert_eq!(p.audit.tranche_weights, [1.0 / 3.0; 3], "{ctx}");
            if let Some(r) = e.r_net {
                assert!(
                    (p.r_net - r).abs() < SPEC_ROUNDING_TOLERANCE,
                    "{ctx}: R {}",
                    p.r_net
                );
            }
            if let Some(k) = e.kill_score {
                assert!(
                    (p.kill_score - k).abs() < SPEC_ROUNDING_TOLERANCE,
                    "{ctx}: K {}",
                    p.kill_score
                );
            }
            if let Some(sl) = e.new_sl {
                match (sl, p.new_sl_proposed) {
                    (None, None) => {}
                    (Some(a), Some(b)) => assert!((a - b).abs() < 1e-9, "{ctx}: SL {b}"),
                    (a, b) => panic!("{ctx}: SL {a:?} vs {b:?}"),
                }
            }
            if let Some(codes) = &e.reason_codes {
                assert_eq!(&p.reason_codes, codes, "{ctx}");
            }
            assert!(p.warnings.is_empty(), "{ctx}: {:?}", p.warnings);
        }
    }
}

#[test]
fn replay_exact_published_numbers() {
    let s = scenarios();
    let k = |sc: usize, st: usize| run(&s[sc - 1].steps[st].input).kill_score;
    let r3 = |x: f64| (x * 1000.0).round() / 1000.0;
    assert_eq!(r3(k(2, 0)), 0.503);
    assert_eq!(r3(k(2, 1)), 0.734);
    assert_eq!(r3(k(3, 1)), 0.734);
    assert_eq!(r3(k(4, 0)), 0.503);
    assert_eq!(r3(k(4, 1)), 0.528);
    assert_eq!(r3(k(5, 1)), 0.574);
    assert_eq!(r3(k(6, 0)), 0.917);
    let storm = run(&s[5].steps[0].input);
    assert_eq!(storm.audit.k_components.ts_drop, 0.199_999_999_999_999_98);
    let rs: Vec<f64> = s[0].steps.iter().map(|st| run(&st.input).r_net).collect();
    assert_eq!(rs, vec![0.45, 2.45, 4.45, 6.95]);
}

// ---------------------------------------------------------------- messages

/// Numbers in messages are in their shortest form: an overflow names `1.7976931348623157e308`,
/// not its 309 digits.
#[test]
fn messages_write_extreme_numbers_in_shortest_form() {
    let mut i = input(1.0);
    i.position.entry_price = f64::MAX;
    i.position.qty = 1e300;
    let e = propose(&i).unwrap_err();
    let msg = e.to_string();
    assert_eq!(e.field(), "risk_unit", "{msg}");
    assert!(msg.contains("1.7976931348623157e308"), "{msg}");
    assert!(msg.contains("1e300"), "{msg}");
    assert!(msg.len() < 300, "{} bytes: {msg}", msg.len());
    let tiny = KernelError::OutOfRange {
        field: "position.entry_price",
        value: -5e-324,
        expected: "a price > 0".into(),
    };
    assert_eq!(
        tiny.to_string(),
        "position.entry_price = -5e-324 is out of range: expected a price > 0"
    );
}
