//! Invariants of P0 and P1 over random inputs.

use harvest_kernel::Side;
use harvest_market::{
    market_state, market_states, propose_stops, MarketState, P0Params, P1Params, StopInput,
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
