//! Kernel speed: full proposal, fast path, flip search, JSON round trip.
//! Run: `cargo bench --bench kernel`; figures go into BENCHMARKS.md.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use harvest_kernel::{evaluate, flip_points, propose, scenarios, HarvestInput};

fn inputs() -> Vec<HarvestInput> {
    scenarios()
        .into_iter()
        .flat_map(|s| s.steps.into_iter().map(|st| st.input))
        .collect()
}

fn bench(c: &mut Criterion) {
    let all = inputs();
    let storm = all[12].clone();
    c.bench_function("propose (full, with audit)", |b| {
        b.iter(|| propose(black_box(&storm)))
    });
    let theta = storm.theta.unwrap_or_default();
    c.bench_function("evaluate (fast path)", |b| {
        b.iter(|| {
            evaluate(
                black_box(&storm.position),
                black_box(&storm.market_state),
                black_box(storm.p1_proposal.as_ref()),
                black_box(&theta),
            )
        })
    });
    c.bench_function("evaluate x 10_000 (one chart frame)", |b| {
        let mut pos = storm.position.clone();
        b.iter(|| {
            let mut n = 0u32;
            for i in 0..10_000 {
                pos.unrealized_pnl = i as f64 * 0.01;
                n += evaluate(
                    &pos,
                    &storm.market_state,
                    storm.p1_proposal.as_ref(),
                    &theta,
                )
                .action as u32;
            }
            n
        })
    });
    c.bench_function("flip_points (5 inputs, both ways)", |b| {
        b.iter(|| flip_points(black_box(&all[4])))
    });
    let mut plain = harvest_features::sample::sample_input(3);
    plain.theta = None;
    let line = serde_json::to_string(&plain).unwrap();
    c.bench_function("parse one input line (serde_json, float_roundtrip)", |b| {
        b.iter(|| serde_json::from_str::<HarvestInput>(black_box(&line)).unwrap())
    });
    let proposal = propose(&plain).unwrap();
    c.bench_function("serialize one proposal", |b| {
        let mut out = Vec::with_capacity(4096);
        b.iter(|| {
            out.clear();
            serde_json::to_writer(&mut out, black_box(&proposal)).unwrap();
            out.len()
        })
    });
    c.bench_function("CLI line: parse + propose + ProposalWriter", |b| {
        let mut out = Vec::with_capacity(4096);
        let mut w = harvest_cli::ProposalWriter::default();
        b.iter(|| {
            out.clear();
            harvest_cli::propose_line(1, black_box(line.as_bytes()), &mut out, &mut w)
        })
    });
    c.bench_function("parse input + propose + serialize", |b| {
        let mut out = Vec::with_capacity(4096);
        b.iter(|| {
            out.clear();
            let i: HarvestInput = serde_json::from_str(black_box(&line)).unwrap();
            serde_json::to_writer(&mut out, &propose(&i).unwrap()).unwrap();
            out.len()
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
