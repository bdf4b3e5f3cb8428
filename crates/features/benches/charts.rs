//! Chart data speed: the 100×100 action map (10,000 fast-path evaluations, the K contour) and its
//! RGBA pixel buffer, i.e. what one repaint of the action map computes; plus the other charts'
//! data. Run: `cargo bench --bench charts`; figures go into BENCHMARKS.md.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use harvest_features::charts::{
    action_map, action_map_into, action_map_rgba, fill_action_map_rgba, kill_explainer, r_ladder,
    sensitivity, stop_ladder, ActionMap, ActionMapSpec, ChartTheme,
};
use harvest_kernel::{scenarios, Axis, HarvestInput};

fn bench(c: &mut Criterion) {
    let input: HarvestInput = scenarios()[1].steps[0].input.clone();
    let palette = ChartTheme::light().actions;
    let spec = ActionMapSpec::around(&input, Axis::Sigma, Axis::AgeSec, 100, 100);
    let map = action_map(&input, spec);
    assert!(!map.contour.is_empty());

    c.bench_function("action map 100x100 + contour (fresh buffers)", |b| {
        b.iter(|| action_map(black_box(&input), black_box(spec)))
    });
    c.bench_function(
        "action map 100x100 + contour + rgba (reused buffers)",
        |b| {
            let mut map = ActionMap::empty();
            let mut px = Vec::new();
            b.iter(|| {
                action_map_into(black_box(&input), black_box(spec), &mut map);
                fill_action_map_rgba(&map, &palette, &mut px);
                px.len()
            })
        },
    );
    let spec_pt = ActionMapSpec::around(&input, Axis::Pnl, Axis::PTrend, 100, 100);
    c.bench_function("action map 100x100 PnL x p_trend + rgba (reused)", |b| {
        let mut map = ActionMap::empty();
        let mut px = Vec::new();
        b.iter(|| {
            action_map_into(black_box(&input), black_box(spec_pt), &mut map);
            fill_action_map_rgba(&map, &palette, &mut px);
            px.len()
        })
    });
    c.bench_function("rgba buffer 100x100 only", |b| {
        b.iter(|| action_map_rgba(black_box(&map), &palette))
    });
    c.bench_function("sensitivity (5 inputs x 200 points)", |b| {
        b.iter(|| sensitivity(black_box(&input), 200))
    });
    c.bench_function("kill explainer + R ladder + stop ladder", |b| {
        b.iter(|| {
            (
                kill_explainer(black_box(&input), 96),
                r_ladder(black_box(&input)),
                stop_ladder(black_box(&input)),
            )
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
