//! P0, P1 and the importer on the shipped sample (BENCHMARKS.md, "Market state (P0/P1)"):
//! `cargo bench -p harvest-market --bench market`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use harvest_kernel::Side;
use harvest_market::{
    closes, import_prices, market_state, market_states, propose_stops, P0Params, P1Params,
    StopInput,
};

const SAMPLE: &str = include_str!("../../../assets/prices/Coinbase_BTCUSD_1h.csv");

fn bench(c: &mut Criterion) {
    let bars = import_prices(SAMPLE).unwrap().bars;
    let cl = closes(&bars);
    let p0 = P0Params::default();
    let mut g = c.benchmark_group("market");
    g.sample_size(10);
    g.bench_function("import_prices: sample (20,111 bars)", |b| {
        b.iter(|| import_prices(black_box(SAMPLE)).unwrap())
    });
    g.bench_function("market_states: sample (19,855 states)", |b| {
        b.iter(|| market_states(black_box(&cl), &p0).unwrap())
    });
    // Issue 18: flat prices and prices on a tick grid against a random walk, 8,000 closes each
    // (7,744 states): ties must not cost more than twice a random walk's bar.
    let mut x = 0.3172_f64;
    let mut level = 100.0f64;
    let (mut walk, mut grid) = (Vec::with_capacity(8000), Vec::with_capacity(8000));
    for _ in 0..8000 {
        x = (x * 9.73 + 0.137).fract();
        level *= 1.0 + (x - 0.5) * 0.004;
        walk.push(level);
        grid.push((level * 2.0).round() / 2.0);
    }
    let flat = vec![100.0; 8000];
    for (name, c) in [
        ("market_states: 8,000 random-walk closes", &walk),
        ("market_states: 8,000 flat closes", &flat),
        ("market_states: 8,000 closes on a 0.5 tick grid", &grid),
    ] {
        g.bench_function(name, |b| {
            b.iter(|| market_states(black_box(c), &p0).unwrap())
        });
    }
    g.bench_function("market_state: one bar, fresh (257 closes)", |b| {
        b.iter(|| market_state(black_box(&cl[..5000]), &p0).unwrap())
    });
    let state = market_state(&cl[..5000], &p0).unwrap();
    let pos = StopInput {
        side: Side::Long,
        current_price: cl[4999],
        peak_price: cl[4999] * 1.01,
        trough_price: cl[4999] * 0.98,
        current_sl: Some(cl[4999] * 0.97),
    };
    let p1 = P1Params::default();
    g.bench_function("propose_stops", |b| {
        b.iter(|| propose_stops(black_box(&pos), &state, &p1).unwrap())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
