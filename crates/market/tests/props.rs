//! Invariants of P0 and P1 over random inputs.

use harvest_kernel::Side;
use harvest_market::{
    market_state, market_states, propose_stops, MarketError, MarketState, P0Params, P1Params,
    StopInput,
};
use proptest::prelude::*;

/// A price path of `n` closes from log returns with ties (zero returns) and jumps.
fn closes(n: std::ops::Range<usize>) -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(
        prop_oneof![
            3 => -0.03f64..0.03,
            1 => Just(0.0),
            1 => -0.3f64..0.3,
        ],
        n,
    )
    .prop_map(|r| {
        let mut x = 100.0f64.ln();
        r.into_iter()
            .map(|d| {
                x += d;
                x.exp()
            })
            .collect()
    })
}

fn state() -> impl Strategy<Value = MarketState> {
    (
        0.0f64..0.1,
        0.0f64..5.0,
        0.0f64..1.0,
        0.0f64..1.0,
        0.0f64..1.0,
    )
        .prop_map(|(sigma, ts, a, b, c)| {
            let s = a + b + c + 1e-9;
            MarketState {
                sigma,
                ts,
                p_trend: a / s,
                p_mr: b / s,
                p_chop: 1.0 - a / s - b / s,
                ..MarketState::default()
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn p0_probabilities_sum_to_one_and_sigma_is_floored(c in closes(257..420)) {
        let p = P0Params::default();
        let s = market_state(&c, &p).unwrap();
        prop_assert!((s.p_trend + s.p_mr + s.p_chop - 1.0).abs() < 1e-12);
        for q in [s.p_trend, s.p_mr, s.p_chop] {
            prop_assert!((0.0..=1.0).contains(&q));
        }
        prop_assert!(s.sigma >= 1e-6);
        prop_assert!(s.ts >= 0.0 && (0.0..=1.0).contains(&s.dp) && s.vr >= 0.0);
        prop_assert!((0.0..=5.0).contains(&s.spike_proxy));
        // The sliding computation agrees bit for bit with the fresh one.
        let all = market_states(&c, &p).unwrap();
        prop_assert_eq!(all[c.len() - 1], Some(s));
    }

    #[test]
    fn p1_long_stop_below_price_short_above(
        st in state(),
        cur in 1.0f64..1e5,
        run in 0.0f64..0.004,
        long in any::<bool>(),
    ) {
        // The peak (trough) within 0.4 % of the price: closer than the 0.5 % minimum gap.
        let pos = StopInput {
            side: if long { Side::Long } else { Side::Short },
            current_price: cur,
            peak_price: cur * (1.0 + run),
            trough_price: cur * (1.0 - run),
            current_sl: None,
        };
        let p = propose_stops(&pos, &st, &P1Params::default()).unwrap();
        if long {
            prop_assert!(p.proposed_sl < cur && p.proposed_tp > cur);
        } else {
            prop_assert!(p.proposed_sl > cur && p.proposed_tp < cur);
        }
        prop_assert!(p.stop_dist_pct >= 0.005 && p.trail_gap_pct >= 0.005 && p.tp_dist_pct >= 0.01);
    }

    #[test]
    fn p1_monotonic_stop_never_loosens(
        states in prop::collection::vec(state(), 1..40),
        moves in prop::collection::vec(-0.05f64..0.05, 40),
        long in any::<bool>(),
    ) {
        let params = P1Params::default();
        let side = if long { Side::Long } else { Side::Short };
        let mut price = 100.0f64;
        let (mut peak, mut trough) = (price, price);
        let mut sl: Option<f64> = None;
        for (st, m) in states.iter().zip(&moves) {
            price *= 1.0 + m;
            peak = peak.max(price);
            trough = trough.min(price);
            let pos = StopInput { side, current_price: price, peak_price: peak, trough_price: trough, current_sl: sl };
            let p = propose_stops(&pos, st, &params).unwrap();
            if let Some(old) = sl {
                match side {
                    Side::Long => prop_assert!(p.proposed_sl >= old - params.eps),
                    Side::Short => prop_assert!(p.proposed_sl <= old + params.eps),
                }
            }
            sl = Some(p.proposed_sl);
        }
    }
}

/// A finite number from anywhere in the doubles' range (and the edges themselves).
fn extreme() -> impl Strategy<Value = f64> {
    prop_oneof![
        1 => Just(f64::MAX),
        1 => Just(f64::MIN_POSITIVE),
        1 => Just(5e-324),
        3 => (-320i32..308, 1.0f64..9.99).prop_map(|(e, m)| m * 10f64.powi(e)),
        3 => 0.001f64..1e6,
    ]
}

/// Issue 18: finite inputs that overflow together (822 of 81,495 stop proposals in the fuzz run
/// wrote `null`). Each names the fields that are not finite.
#[test]
fn p1_overflow_is_an_error_naming_the_fields() {
    let st = MarketState {
        sigma: 0.01,
        ts: 0.5,
        p_trend: 0.6,
        p_mr: 0.2,
        p_chop: 0.2,
        ..MarketState::default()
    };
    let pos = |side, cur: f64| StopInput {
        side,
        current_price: cur,
        peak_price: cur,
        trough_price: cur,
        current_sl: None,
    };
    let huge_k = P1Params {
        k_tp: harvest_market::PerRegime {
            trend: f64::MAX,
            mr: f64::MAX,
            chop: f64::MAX,
        },
        ..P1Params::default()
    };
    let cases: [(StopInput, MarketState, P1Params, &str); 3] = [
        (
            pos(Side::Short, f64::MAX),
            st,
            P1Params::default(),
            "not computable: proposed_sl = inf, audit.raw_sl = inf, audit.trail_sl = inf, \
             audit.candidate_sl = inf (the inputs are too large together)",
        ),
        (
            pos(Side::Long, 100.0),
            MarketState { sigma: 1e308, ..st },
            P1Params::default(),
            "not computable: proposed_sl = -inf, proposed_tp = inf, tp_dist_pct = inf, \
             audit.raw_sl = -inf, audit.trail_sl = -inf, audit.candidate_sl = -inf \
             (the inputs are too large together)",
        ),
        (
            pos(Side::Long, 100.0),
            MarketState { sigma: 2.0, ..st },
            huge_k,
            "not computable: proposed_tp = inf, tp_dist_pct = inf (the inputs are too large \
             together)",
        ),
    ];
    for (pos, st, params, want) in cases {
        let e = propose_stops(&pos, &st, &params).unwrap_err();
        assert_eq!(e.to_string(), want);
        assert!(matches!(e, MarketError::NotComputable { .. }));
        // The error is valid JSON too.
        assert!(serde_json::to_string(&e).unwrap().contains("\"proposed"));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Whatever the magnitudes, a proposal has only finite numbers (or is an error).
    #[test]
    fn p1_results_are_finite_or_an_error(
        st in state(),
        sigma in extreme(),
        cur in extreme(),
        peak in extreme(),
        trough in extreme(),
        sl in proptest::option::of(extreme()),
        k in extreme(),
        long in any::<bool>(),
    ) {
        let pos = StopInput {
            side: if long { Side::Long } else { Side::Short },
            current_price: cur,
            peak_price: peak,
            trough_price: trough,
            current_sl: sl,
        };
        let params = P1Params {
            k_sl: harvest_market::PerRegime { trend: k, mr: 1.0, chop: 1.0 },
            ..P1Params::default()
        };
        if let Ok(p) = propose_stops(&pos, &MarketState { sigma, ..st }, &params) {
            let json = serde_json::to_string(&p).unwrap();
            let a = &p.audit;
            for v in [p.proposed_sl, p.proposed_tp, p.stop_dist_pct, p.tp_dist_pct, p.trail_gap_pct,
                      a.k_sl, a.k_tp, a.k_trail, a.tp_extend_factor, a.raw_sl, a.candidate_sl] {
                prop_assert!(v.is_finite(), "{}", json);
            }
        }
    }
}
