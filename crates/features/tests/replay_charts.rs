//! The Replay view's charts on the shipped BTC/USD sample, drawn to SVG: each must say what it
//! shows (headline, markers with reason codes, the stop's legend, thresholds), and the series'
//! market states computed in slices must equal P0's rolling states.
#![cfg(not(target_arch = "wasm32"))]

use std::sync::OnceLock;

use harvest_features::charts::{
    ab_curves, cell_at, cell_index_at, cell_readout, draw_ab_curves, draw_ab_hist, draw_sweep_map,
    draw_trade_chart, draw_trade_signals, heat, mover_label, sweep_map, trade_chart, trade_signals,
    ChartTheme, HEAT_NEGATIVE, HEAT_POSITIVE, SWEEP_MAX_N,
};
use harvest_features::replay::market::{import_prices, market_states, P0Params};
use harvest_features::replay::view::{showcase, step_readouts, summary_rows};
use harvest_features::replay::{
    every_n, Backtest, FillKind, Series, Sides, SimParams, StopMover, SweepAxis, ThetaSweep,
};
use harvest_kernel::{Theta, ThetaField};
use plotters::prelude::*;

fn sample() -> &'static Series {
    static S: OnceLock<Series> = OnceLock::new();
    S.get_or_init(|| {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../assets/prices/Coinbase_BTCUSD_1h.csv"
        );
        let text = std::fs::read_to_string(path).unwrap();
        let bars = import_prices(&text).unwrap().bars;
        // The first 3,000 bars keep the test quick.
        Series::with_states(bars[..3000].to_vec(), P0Params::default())
    })
}

fn svg(w: u32, h: u32, f: impl FnOnce(&DrawingArea<SVGBackend, plotters::coord::Shift>)) -> String {
    let mut s = String::new();
    {
        let root = SVGBackend::with_string(&mut s, (w, h)).into_drawing_area();
        f(&root);
        root.present().unwrap();
    }
    s
}

#[test]
fn states_in_slices_equal_p0s_rolling_states() {
    let s = sample();
    let all = market_states(&s.closes, &P0Params::default()).unwrap();
    assert_eq!(s.states, all);
    let mut t = Series::new(s.bars.clone(), P0Params::default());
    let mut calls = 0;
    while !t.ready() {
        t.compute_states(|| false);
        calls += 1;
    }
    assert!(calls > 3);
    assert_eq!(t.states, all);
}

#[test]
fn the_trade_chart_says_what_happened() {
    let s = sample();
    let theta = Theta::default();
    let t = showcase(s, &theta, &SimParams::default(), 100).expect("a trade");
    assert!(t
        .fills
        .iter()
        .any(|f| matches!(f.kind, FillKind::Partial | FillKind::FullClose)));
    let cursor = t.entry_index + t.bars / 2;
    let c = trade_chart(s, &t, 12, Some(cursor));
    assert_eq!(
        c.candles.len(),
        t.bars + 1 + 24.min(s.bars.len() - t.exit_index - 1 + 12)
    );
    let theme = ChartTheme::light();
    let out = svg(1200, 480, |a| draw_trade_chart(a, &c, &theme).unwrap());
    assert!(out.contains(&c.headline), "headline");
    assert!(out.contains("entry LONG"));
    // The legend names the stop's colours the chart draws, and only those.
    for m in [StopMover::None, StopMover::P1Trail, StopMover::P2BePlus] {
        let drawn = c.stop.iter().any(|s| s.mover == m);
        assert_eq!(out.contains(mover_label(m)), drawn, "{m:?}");
    }
    assert!(out.contains("initial stop (P1)"));
    for m in &c.markers[1..] {
        if !m.codes.is_empty() {
            assert!(out.contains(&m.codes), "codes {} on the chart", m.codes);
        }
    }
    // The stop's path has a span per level, each coloured by what set it.
    assert!(!c.stop.is_empty());
    assert!(c.stop.windows(2).all(|w| w[0].to <= w[1].from));
    let sig = trade_signals(&t, &theta, &c);
    assert_eq!(
        sig.index.len(),
        t.steps.iter().filter(|s| s.eval.is_some()).count()
    );
    let out = svg(1200, 300, |a| draw_trade_signals(a, &sig, &theme).unwrap());
    assert!(
        out.contains("full close when K ≥ 0.6 (z ≥ 0.405)"),
        "threshold"
    );
    assert!(out.contains("R_net against T1 2 / T2 4 / T3 6 (lock_R 1.5)"));
    for name in ["regime flip", "σ spike", "TS drop", "age"] {
        assert!(out.contains(name), "{name}");
    }
    // The readouts of the scrubbed bar name its proposal.
    let step = t.step_at(cursor).unwrap();
    let r = step_readouts(s, &t, step);
    let keys: Vec<&str> = r.iter().map(|r| r.key).collect();
    if step.eval.is_some() {
        for k in ["action", "r-net", "kill", "codes", "p1", "market"] {
            assert!(keys.contains(&k), "{k}");
        }
    }
    // Dark theme draws as well.
    let dark = svg(900, 400, |a| {
        draw_trade_chart(a, &c, &ChartTheme::dark()).unwrap()
    });
    assert!(dark.to_uppercase().contains("#0D1117"), "dark background");
}

#[test]
fn a_backtest_and_the_sweep_heatmap() {
    let s = sample();
    let e = every_n(s.bars.len(), 48, Sides::Both, 0);
    let (rows, rep) = Backtest::new(e.clone(), Theta::default(), SimParams::default())
        .unwrap()
        .run(s);
    assert_eq!(rows.len(), e.len());
    let table = summary_rows(&rep);
    assert_eq!(table[0].theta, e.len().to_string());
    let x = SweepAxis::around(ThetaField::KillThreshold, &Theta::default(), 3);
    let y = SweepAxis::around(ThetaField::T1R, &Theta::default(), 3);
    let mut sw = ThetaSweep::new(
        x,
        y,
        Theta::default(),
        e[..20].to_vec(),
        SimParams::default(),
    )
    .unwrap();
    sw.step(s, || true);
    let m = sweep_map(&sw, (0.6, 2.0));
    assert_eq!(m.values.len(), 9);
    assert!(m.best.is_some());
    let out = svg(600, 400, |a| {
        draw_sweep_map(a, &m, &ChartTheme::light()).unwrap()
    });
    assert!(out.contains("Expectancy (R per trade); best"));
    assert!(out.contains("kill_threshold") && out.contains("T1_R"));
    // A click in the bottom-left cell is the first values of both axes.
    assert_eq!(cell_at(&m, 600.0, 400.0, 75.0, 355.0), Some((x.lo, y.lo)));
    assert_eq!(cell_at(&m, 600.0, 400.0, 5.0, 5.0), None);
    // The legend and rounded labels: no float noise in the title or on the axes.
    assert!(out.contains("R/trade") && out.contains("none"));
    assert!(!out.contains("999999"), "labels are rounded");
    // Hover: the same cell by index, and its readout.
    assert_eq!(cell_index_at(&m, 600.0, 400.0, 75.0, 355.0), Some(0));
    let text = cell_readout(&m, 0);
    assert!(
        text.starts_with("kill_threshold 0.3, T1_R 1: ")
            && text.ends_with(" R per trade over 20 trades"),
        "{text}"
    );
}

#[test]
fn sweep_scale_is_colour_blind_safe_and_grids_go_to_20() {
    let theme = ChartTheme::light();
    // The ends are orange and blue (no red against green), the middle tinted background.
    assert_eq!(heat(&theme, -1.0, 1.0), HEAT_NEGATIVE);
    assert_eq!(heat(&theme, 1.0, 1.0), HEAT_POSITIVE);
    let (n, p) = (HEAT_NEGATIVE, HEAT_POSITIVE);
    assert!(n.0 > n.2 && p.2 > p.0, "orange below 0, blue above");
    // Told apart in grey (luminance), as a reader with no colour vision sees them.
    assert!((n.luminance() - p.luminance()).abs() > 0.05);
    // Monotone: stronger colour for larger |v|.
    let d = |a: harvest_features::charts::Rgb, b: harvest_features::charts::Rgb| {
        (f64::from(a.0) - f64::from(b.0)).abs() + (f64::from(a.2) - f64::from(b.2)).abs()
    };
    assert!(
        d(heat(&theme, 0.9, 1.0), theme.background) > d(heat(&theme, 0.3, 1.0), theme.background)
    );
    // A 20 × 20 grid draws with every value labelled to 4 digits at most.
    let s = sample();
    let e = every_n(s.bars.len(), 96, Sides::Long, 0);
    let x = SweepAxis::around(ThetaField::KillThreshold, &Theta::default(), SWEEP_MAX_N);
    let y = SweepAxis::around(ThetaField::T1R, &Theta::default(), SWEEP_MAX_N);
    let mut sw = ThetaSweep::new(
        x,
        y,
        Theta::default(),
        e[..3].to_vec(),
        SimParams::default(),
    )
    .unwrap();
    sw.step(s, || true);
    let m = sweep_map(&sw, (0.6, 2.0));
    assert_eq!((m.values.len(), m.done), (400, 400));
    let out = svg(900, 520, |a| draw_sweep_map(a, &m, &theme).unwrap());
    assert!(
        !out.contains("999999") && !out.contains("000001"),
        "labels are rounded"
    );
    // Every other value labelled (0.3, 0.3632, …), 4 significant digits.
    assert!(out.contains("\n0.3\n") && out.contains("\n0.3632\n"));
    // The keyboard's cursor cell is drawn on the map itself: a dashed outline round the cell.
    let mut f = m.clone();
    f.focus = Some(21);
    let with = svg(900, 520, |a| draw_sweep_map(a, &f, &theme).unwrap());
    let strokes = |s: &str| s.matches("<line").count() + s.matches("<polyline").count();
    assert!(
        strokes(&with) >= strokes(&out) + 8,
        "{} strokes with the cursor, {} without",
        strokes(&with),
        strokes(&out)
    );
}

#[test]
fn ab_curves_of_a_backtest_against_another_theta() {
    let s = sample();
    let e = every_n(s.bars.len(), 48, Sides::Both, 0);
    let (ra, _) = Backtest::new(e.clone(), Theta::default(), SimParams::default())
        .unwrap()
        .run(s);
    let b = Theta::default().with(ThetaField::KillThreshold, 0.9);
    let (rb, _) = Backtest::new(e, b, SimParams::default()).unwrap().run(s);
    let one = ab_curves(&ra, None);
    assert!(one.b.is_none());
    assert_eq!(one.a.equity.len(), ra.len());
    let total: f64 = ra.iter().map(|r| r.r).sum();
    assert!((one.a.equity[ra.len() - 1] - total).abs() < 1e-9);
    let c = ab_curves(&ra, Some(&rb));
    let cb = c.b.as_ref().unwrap();
    assert_eq!(cb.equity.len(), ra.len());
    assert!(c.a.drawdown.iter().chain(&cb.drawdown).all(|&d| d <= 0.0));
    // The worst drawdown drawn is the summary's.
    let worst = cb.drawdown.iter().copied().fold(0.0f64, f64::min);
    assert!((worst + cb.summary.max_drawdown_r).abs() < 1e-9);
    assert!(c
        .headline()
        .starts_with(&format!("Cumulative R over {} trades: A ", ra.len())));
    let out = svg(900, 320, |a| {
        draw_ab_curves(a, &c, &ChartTheme::light()).unwrap()
    });
    assert!(out.contains("Cumulative R over") && out.contains("drawdown, R"));
    let out = svg(600, 240, |a| {
        draw_ab_hist(a, &c, &ChartTheme::dark()).unwrap()
    });
    assert!(out.contains("Trades by R") && out.contains("R per trade"));
}

/// Writes the Replay view's charts as SVG to `../../target/chart-gallery/` (run with
/// `--ignored`), beside the explorer's (`tests/charts.rs`).
#[test]
#[ignore]
fn gallery() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/chart-gallery");
    std::fs::create_dir_all(&dir).unwrap();
    let s = sample();
    let theta = Theta::default();
    let t = showcase(s, &theta, &SimParams::default(), 100).expect("a trade");
    let c = trade_chart(s, &t, 12, Some(t.entry_index + t.bars / 2));
    let sig = trade_signals(&t, &theta, &c);
    let e = every_n(s.bars.len(), 48, Sides::Both, 0);
    let x = SweepAxis::around(ThetaField::KillThreshold, &theta, 5);
    let y = SweepAxis::around(ThetaField::T1R, &theta, 4);
    let mut sw = ThetaSweep::new(x, y, theta, e[..20].to_vec(), SimParams::default()).unwrap();
    sw.step(s, || true);
    let m = sweep_map(&sw, (0.6, 2.0));
    for theme in [ChartTheme::light(), ChartTheme::dark()] {
        let put = |name: &str, out: String| {
            std::fs::write(dir.join(format!("{name}-{}.svg", theme.name)), out).unwrap();
        };
        put(
            "trade",
            svg(1000, 420, |a| draw_trade_chart(a, &c, &theme).unwrap()),
        );
        put(
            "signals",
            svg(1000, 300, |a| draw_trade_signals(a, &sig, &theme).unwrap()),
        );
        put(
            "sweep",
            svg(600, 400, |a| draw_sweep_map(a, &m, &theme).unwrap()),
        );
    }
}
