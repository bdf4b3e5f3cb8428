//! P0 and P1 against the numpy/scipy reference (`bench/p0_ref.py fixtures` wrote the fixture):
//! flat prices, a gap, exactly 257 bars, sign(0) plateaus, a trend, a rise and fall, the shipped
//! sample's first states and some later ones; P1 on both sides with and without a current stop.

use harvest_market::{
    closes, import_prices, market_state, market_states, propose_stops, MarketState, P0Params,
    P1Params, StopInput, StopReason,
};
use serde::Deserialize;

#[derive(Deserialize)]
struct Fixture {
    series: Vec<Series>,
    sample: Sample,
    stops: Vec<StopCase>,
}

#[derive(Deserialize)]
struct Series {
    name: String,
    closes: Vec<f64>,
    states: Vec<At>,
}

#[derive(Deserialize)]
struct Sample {
    file: String,
    states: Vec<At>,
}

#[derive(Deserialize)]
struct At {
    bar: usize,
    state: MarketState,
}

#[derive(Deserialize)]
struct StopCase {
    position: StopInput,
    market_state: MarketState,
    expected: Expected,
}

#[derive(Deserialize)]
struct Expected {
    proposed_sl: f64,
    proposed_tp: f64,
    stop_dist_pct: f64,
    tp_dist_pct: f64,
    trail_gap_pct: f64,
    reason_codes: Vec<StopReason>,
}

fn fixture() -> Fixture {
    let text = include_str!("fixtures/p0_p1_ref.json");
    serde_json::from_str(text).expect("fixture parses")
}

/// Relative agreement: numpy sums pairwise, we sum in order, so the last bits may differ
/// (measured: within 1e-14; the medians and quantiles are bit-identical).
const REL: f64 = 1e-12;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= REL * b.abs().max(1e-6)
}

fn assert_state(got: &MarketState, want: &MarketState, what: &str) {
    let fields = [
        ("sigma", got.sigma, want.sigma),
        ("mu", got.mu, want.mu),
        ("ts", got.ts, want.ts),
        ("p_trend", got.p_trend, want.p_trend),
        ("p_mr", got.p_mr, want.p_mr),
        ("p_chop", got.p_chop, want.p_chop),
        ("dp", got.dp, want.dp),
        ("vr", got.vr, want.vr),
        ("spike_proxy", got.spike_proxy, want.spike_proxy),
    ];
    for (name, g, w) in fields {
        assert!(
            close(g, w),
            "{what}: {name} = {g:e}, numpy/scipy says {w:e}"
        );
    }
}

#[test]
fn p0_matches_numpy_scipy_on_fixed_series() {
    let fx = fixture();
    let names: Vec<&str> = fx.series.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "flat",
            "gap",
            "exactly_257",
            "sign_zero",
            "trend",
            "up_down"
        ]
    );
    let p = P0Params::default();
    for s in &fx.series {
        let rolling = market_states(&s.closes, &p).unwrap();
        assert!(rolling[..256].iter().all(Option::is_none), "{}", s.name);
        for at in &s.states {
            let got = market_state(&s.closes[..=at.bar], &p).unwrap();
            assert_state(&got, &at.state, &format!("{} bar {}", s.name, at.bar));
            assert_eq!(
                rolling[at.bar],
                Some(got),
                "{} rolling bar {}",
                s.name,
                at.bar
            );
        }
    }
}

#[test]
fn flat_prices_hit_the_sigma_floor() {
    let fx = fixture();
    let flat = &fx.series[0];
    let s = market_state(&flat.closes, &P0Params::default()).unwrap();
    assert_eq!(s.sigma, 1e-6);
    assert_eq!(
        (s.mu, s.ts, s.dp, s.vr, s.spike_proxy),
        (0.0, 0.0, 1.0, 0.0, 0.0)
    );
}

#[test]
fn p0_matches_numpy_scipy_on_the_shipped_sample() {
    let fx = fixture();
    let path = format!("{}/../../{}", env!("CARGO_MANIFEST_DIR"), fx.sample.file);
    let text = std::fs::read_to_string(path).unwrap();
    let c = closes(&import_prices(&text).unwrap().bars);
    let p = P0Params::default();
    let rolling = market_states(&c, &p).unwrap();
    assert!(rolling[255].is_none() && rolling[256].is_some());
    for at in &fx.sample.states {
        let got = market_state(&c[..=at.bar], &p).unwrap();
        assert_state(&got, &at.state, &format!("sample bar {}", at.bar));
        assert_eq!(rolling[at.bar], Some(got), "sample rolling bar {}", at.bar);
    }
}

#[test]
fn sliding_states_equal_fresh_states_along_the_sample() {
    let path = format!(
        "{}/../../assets/prices/Coinbase_BTCUSD_1h.csv",
        env!("CARGO_MANIFEST_DIR")
    );
    let c = closes(
        &import_prices(&std::fs::read_to_string(path).unwrap())
            .unwrap()
            .bars,
    );
    let p = P0Params::default();
    let rolling = market_states(&c, &p).unwrap();
    for i in (256..c.len()).step_by(13) {
        let fresh = market_state(&c[..=i], &p).unwrap();
        assert_eq!(rolling[i], Some(fresh), "bar {i}");
    }
}

#[test]
fn p1_matches_the_reference() {
    let fx = fixture();
    assert_eq!(fx.stops.len(), 56);
    let p = P1Params::default();
    let mut seen = std::collections::HashSet::new();
    for (i, case) in fx.stops.iter().enumerate() {
        let got = propose_stops(&case.position, &case.market_state, &p).unwrap();
        let e = &case.expected;
        for (name, g, w) in [
            ("proposed_sl", got.proposed_sl, e.proposed_sl),
            ("proposed_tp", got.proposed_tp, e.proposed_tp),
            ("stop_dist_pct", got.stop_dist_pct, e.stop_dist_pct),
            ("tp_dist_pct", got.tp_dist_pct, e.tp_dist_pct),
            ("trail_gap_pct", got.trail_gap_pct, e.trail_gap_pct),
        ] {
            assert!(close(g, w), "case {i}: {name} = {g}, reference {w}");
        }
        assert_eq!(got.reason_codes, e.reason_codes, "case {i}");
        seen.extend(got.reason_codes);
    }
    // The cases exercise every reason code.
    assert_eq!(seen.len(), 7, "{seen:?}");
}
