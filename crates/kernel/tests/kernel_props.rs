//! Property tests of the kernel's invariants, and the purity check.
#![cfg(not(target_arch = "wasm32"))]

mod pure;

use harvest_kernel::*;
use proptest::prelude::*;

fn any_f64() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => -1e6..1e6f64,
        1 => prop::num::f64::ANY,
        1 => Just(f64::NAN),
        1 => Just(f64::INFINITY),
        1 => Just(f64::NEG_INFINITY),
        1 => Just(0.0),
        1 => Just(-0.0),
    ]
}

prop_compose! {
    fn valid_input()(
        short in any::<bool>(),
        entry in 0.01..1e5f64,
        qty in 0.001..100.0f64,
        pnl_r in -5.0..15.0f64,
        sl_off in prop::option::of(-0.1..0.1f64),
        age in 0.0..3e5f64,
        sigma in 0.0..0.1f64,
        ts in -0.5..1.0f64,
        p in (0.0..1.0f64, 0.0..1.0f64, 0.0..1.0f64),
        stop in prop::option::of(0.001..0.1f64),
        kill in 0.05..0.95f64,
        t1 in 0.5..3.0f64, dt2 in 0.1..3.0f64, dt3 in 0.1..3.0f64,
        lock in 0.0..5.0f64,
    ) -> HarvestInput {
        let s = p.0 + p.1 + p.2 + 1e-12;
        let side = if short { Side::Short } else { Side::Long };
        let stop_pct = stop.unwrap_or(0.02);
        HarvestInput {
            position: Position {
                side,
                entry_price: entry,
                unrealized_pnl: pnl_r * entry * stop_pct * qty,
                current_sl: sl_off.map(|o| entry * (1.0 - side.sign() * 0.01 + o)),
                age_sec: age,
                qty,
                ..Position::default()
            },
            market_state: MarketState { sigma, ts, p_trend: p.0 / s, p_mr: p.1 / s, p_chop: p.2 / s },
            p1_proposal: stop.map(|stop_dist_pct| P1Proposal { stop_dist_pct, ..P1Proposal::default() }),
            theta: Some(Theta {
                kill_threshold: kill,
                t1_r: t1,
                t2_r: t1 + dt2,
                t3_r: t1 + dt2 + dt3,
                lock_r: lock,
                ..Theta::default()
            }),
        }
    }
}

/// One tunable's value: sensible, nonsense (negative, zero) or large.
fn odd_value() -> impl Strategy<Value = f64> {
    prop_oneof![
        3 => -2.0..2.0f64,
        1 => -1e3..1e3f64,
        1 => Just(0.0),
        1 => Just(-0.0),
        1 => 0.001..0.1f64,
    ]
}

prop_compose! {
    fn odd_theta()(v in prop::collection::vec(odd_value(), 22)) -> Theta {
        let mut t = Theta::default();
        for (k, f) in ThetaField::ALL.iter().enumerate() {
            t.set(*f, v[k]);
        }
        t
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, .. ProptestConfig::default() })]

    #[test]
    fn k_in_unit_interval(i in valid_input()) {
        let p = propose(&i).unwrap();
        prop_assert!((0.0..=1.0).contains(&p.kill_score));
        prop_assert!(p.kill_score >= 0.5, "all components are ≥ 0, so z ≥ 0");
    }

    #[test]
    fn sl_never_loosens(i in valid_input()) {
        let p = propose(&i).unwrap();
        if let (Some(new), Some(cur)) = (p.new_sl_proposed, i.position.current_sl) {
            match i.position.side {
                Side::Long => prop_assert!(new > cur),
                Side::Short => prop_assert!(new < cur),
            }
        }
        if p.new_sl_proposed.is_some() {
            prop_assert!(p.r_net >= i.theta.unwrap().lock_r);
            prop_assert!(p.reason_codes.contains(&ReasonCode::ProfitLock));
        }
    }

    #[test]
    fn tranche_weights_sum_to_one(
        u in (-800.0..800.0f64, -800.0..800.0f64, -800.0..800.0f64),
        t in prop_oneof![0.001..100.0f64, -100.0..-0.001f64],
    ) {
        let th = Theta { u1: u.0, u2: u.1, u3: u.2, softmax_temp: t, ..Theta::default() };
        let x = [u.0 / t, u.1 / t, u.2 / t];
        match th.tranche_weights() {
            Ok(w) => {
                prop_assert!((w.iter().sum::<f64>() - 1.0).abs() < 1e-12, "{:?}", w);
                prop_assert!(w.iter().all(|x| (0.0..=1.0).contains(x)));
                prop_assert!(x.iter().all(|&x| x <= MAX_EXP_ARG));
            }
            Err(e) => {
                // Only a real overflow is refused.
                prop_assert!(x.iter().any(|&x| x > 709.0), "{e}");
                prop_assert!(["theta.u1", "theta.u2", "theta.u3", "audit.tranche_weights"].contains(&e.field()));
            }
        }
    }

    /// Nonsense theta values (negative, zero, out of order) are computed as written: the
    /// numbers are those of the fast path bit for bit, warnings only describe them and never
    /// add reason codes.
    #[test]
    fn warnings_never_change_numbers(i in valid_input(), odd in odd_theta()) {
        let mut j = i.clone();
        j.theta = Some(odd);
        match propose(&j) {
            Ok(p) => {
                let e = j.evaluate();
                prop_assert_eq!(p.harvest_action, e.action);
                prop_assert_eq!(p.new_sl_proposed.map(f64::to_bits), e.new_sl.map(f64::to_bits));
                prop_assert_eq!(p.r_net.to_bits(), e.r_net.to_bits());
                prop_assert_eq!(p.risk_unit.to_bits(), e.risk_unit.to_bits());
                prop_assert_eq!(p.cost_est.to_bits(), e.cost_est.to_bits());
                prop_assert_eq!(p.kill_score.to_bits(), e.kill_score.to_bits());
                prop_assert_eq!(&p.reason_codes, &e.reason_codes());
                prop_assert_eq!(p.warnings.is_empty(), odd.warnings().is_empty() && propose(&i).unwrap().warnings.is_empty());
                prop_assert!((p.audit.tranche_weights.iter().sum::<f64>() - 1.0).abs() < 1e-12);
                let numbers = [p.r_net, p.risk_unit, p.cost_est, p.kill_score, p.audit.z, p.new_sl_proposed.unwrap_or(0.0)];
                prop_assert!(numbers.iter().chain(&p.audit.tranche_weights).all(|x| x.is_finite()), "{:?}", numbers);
            }
            Err(e) => {
                // Only a zero divisor or an overflow is refused.
                let f = e.field();
                prop_assert!(
                    matches!(e, KernelError::NotComputable { .. })
                        || ["theta.sigma_ref", "theta.max_age_sec", "theta.softmax_temp"].contains(&f)
                        || (f.starts_with("theta.u") && e.to_string().contains("exp overflows")),
                    "{e}"
                );
            }
        }
    }

    #[test]
    fn action_monotone_in_pnl_below_kill(i in valid_input(), d in 0.0..1e4f64) {
        let lo = propose(&i).unwrap();
        let mut j = i.clone();
        j.position.unrealized_pnl += d;
        let hi = propose(&j).unwrap();
        // K does not depend on PnL: same kill state for both.
        prop_assert_eq!(lo.kill_score, hi.kill_score);
        if lo.harvest_action != HarvestAction::FullCloseProposed {
            prop_assert!(hi.harvest_action >= lo.harvest_action);
        }
    }

    #[test]
    fn deterministic_and_fast_path_agrees(i in valid_input()) {
        let a = propose(&i).unwrap();
        let b = propose(&i).unwrap();
        prop_assert_eq!(&a, &b);
        let e = i.evaluate();
        prop_assert_eq!(e.action, a.harvest_action);
        prop_assert_eq!(e.new_sl, a.new_sl_proposed);
        prop_assert_eq!(e.r_net.to_bits(), a.r_net.to_bits());
        prop_assert_eq!(e.kill_score.to_bits(), a.kill_score.to_bits());
        prop_assert_eq!(e.reason_codes(), a.reason_codes);
    }

    #[test]
    fn never_panics_on_arbitrary_numbers(
        f in prop::collection::vec(any_f64(), 30),
        short in any::<bool>(),
        has in (any::<bool>(), any::<bool>(), any::<bool>()),
    ) {
        let mut theta = Theta::default();
        for (k, field) in ThetaField::ALL.iter().enumerate() {
            theta.set(*field, f[8 + k % 22]);
        }
        let i = HarvestInput {
            position: Position {
                side: if short { Side::Short } else { Side::Long },
                entry_price: f[0],
                unrealized_pnl: f[1],
                age_sec: f[2],
                qty: f[3],
                current_sl: has.0.then_some(f[4]),
                ..Position::default()
            },
            market_state: MarketState { sigma: f[5], ts: f[6], p_trend: f[7], p_mr: f[29], p_chop: f[28] },
            p1_proposal: has.1.then_some(P1Proposal { stop_dist_pct: f[27], ..P1Proposal::default() }),
            theta: has.2.then_some(theta),
        };
        match propose(&i) {
            Ok(p) => {
                prop_assert!((0.0..=1.0).contains(&p.kill_score));
                // Every number is finite: nothing turns into JSON `null`.
                let numbers = [p.r_net, p.risk_unit, p.cost_est, p.kill_score, p.audit.z, p.new_sl_proposed.unwrap_or(0.0)];
                prop_assert!(numbers.iter().chain(&p.audit.tranche_weights).all(|x| x.is_finite()), "{:?}", numbers);
                let s = serde_json::to_string(&p).unwrap();
                prop_assert!(!s.contains("NaN"));
                // The fast path gives the same numbers.
                let e = i.evaluate();
                prop_assert_eq!(e.r_net.to_bits(), p.r_net.to_bits());
                prop_assert_eq!(e.kill_score.to_bits(), p.kill_score.to_bits());
                prop_assert_eq!(e.action, p.harvest_action);
            }
            Err(e) => prop_assert!(!e.field().is_empty()),
        }
        // The fast path and the flip search are total too.
        let _ = i.evaluate();
        let _ = flip_points(&i);
    }

    #[test]
    fn flip_values_really_flip(i in valid_input()) {
        let from = propose(&i).unwrap().harvest_action;
        for f in flip_points(&i) {
            prop_assert_eq!(f.from, from);
            let mut j = i.clone();
            f.axis.set(&mut j, f.value);
            prop_assert_eq!(j.evaluate().action, f.to);
            prop_assert!(f.to != from);
        }
    }

    #[test]
    fn rebalance_keeps_sum(p in (0.0..1.0f64, 0.0..1.0f64, 0.0..1.0f64), idx in 0usize..3, v in -0.5..1.5f64) {
        let s = p.0 + p.1 + p.2;
        prop_assume!(s > 1e-6);
        let out = rebalance([p.0 / s, p.1 / s, p.2 / s], idx, v);
        prop_assert!((out.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        prop_assert!(out.iter().all(|x| (0.0..=1.0).contains(x)));
        prop_assert_eq!(out[idx], v.clamp(0.0, 1.0));
    }
}

/// The kernel crate (its Cargo.toml allows std, serde, thiserror and zmij only) uses no I/O, clock,
/// threads, randomness or UI in its sources either.
#[test]
fn kernel_is_pure() {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let checked = pure::assert_pure(&src, &["serde", "thiserror"]);
    assert!(checked >= 8, "read {checked} kernel files");
}
