//! The simulation on hand-made bars with fixed market states (each rule on its own), and its
//! invariants as proptests on random walks with real P0 states.

use proptest::prelude::*;

use super::*;
use harvest_kernel::{HarvestAction, Side, Theta};
use harvest_market::{Bar, MarketState, P0Params, MIN_CLOSES};

/// A calm trending state: σ 0.01, TS 0.5, mostly trend.
fn calm() -> MarketState {
    MarketState {
        sigma: 0.01,
        mu: 0.001,
        ts: 0.5,
        p_trend: 0.6,
        p_mr: 0.2,
        p_chop: 0.2,
        dp: 0.5,
        vr: 1.0,
        spike_proxy: 1.0,
    }
}

fn bar(i: i64, o: f64, h: f64, l: f64, c: f64) -> Bar {
    Bar {
        time: 3600 * i,
        open: o,
        high: h,
        low: l,
        close: c,
        volume: None,
    }
}

/// 256 flat bars at 100, then `tail` (open, high, low, close), every state `ms`.
fn series(tail: &[(f64, f64, f64, f64)], ms: MarketState) -> Series {
    let mut bars: Vec<Bar> = (0..MIN_CLOSES as i64 - 1)
        .map(|i| bar(i, 100.0, 100.0, 100.0, 100.0))
        .collect();
    for &(o, h, l, c) in tail {
        bars.push(bar(bars.len() as i64, o, h, l, c));
    }
    let mut s = Series::new(bars, P0Params::default());
    let n = s.bars.len();
    s.states = (0..n)
        .map(|i| (i >= MIN_CLOSES - 1).then_some(ms))
        .collect();
    s.computed = n;
    s
}

const ENTRY: usize = MIN_CLOSES - 1;

fn long(s: &Series, theta: &Theta, p: &SimParams) -> Trade {
    simulate(s, ENTRY, Side::Long, theta, p, true).unwrap()
}

/// Theta with the kill score out of the way (so only the rule under test acts).
fn no_kill() -> Theta {
    Theta {
        kill_threshold: 0.99,
        ..Theta::default()
    }
}

#[test]
fn the_initial_stop_is_p1s_and_a_touch_fills_at_the_stop() {
    // Entry at 100 (bar 256's close); the next bar dips to 95.
    let s = series(
        &[(100.0, 100.0, 100.0, 100.0), (100.0, 100.5, 95.0, 99.0)],
        calm(),
    );
    let t = long(&s, &no_kill(), &SimParams::default());
    // k_sl = 1.5·0.6 + 0.8·0.2 + 1.0·0.2 = 1.26 → stop 1.26 % under 100.
    assert!(
        (t.initial_sl - 100.0 * (1.0 - 0.0126)).abs() < 1e-9,
        "{}",
        t.initial_sl
    );
    assert_eq!(t.exit_reason, ExitReason::Stop);
    let exit = t.fills.last().unwrap();
    assert_eq!((exit.kind, exit.price), (FillKind::Stop, t.initial_sl));
    // −1 R gross, less two fills of 10 bps.
    assert!((t.gross_r + 1.0).abs() < 1e-9);
    let cost = (100.0 + t.initial_sl) * 0.001 / t.risk;
    assert!((t.cost_r - cost).abs() < 1e-9);
    assert_eq!(t.hold.r, t.r);
}

#[test]
fn a_gap_through_the_stop_fills_at_the_open() {
    let s = series(
        &[(100.0, 100.0, 100.0, 100.0), (97.0, 97.5, 96.0, 97.2)],
        calm(),
    );
    let t = long(&s, &no_kill(), &SimParams::default());
    assert_eq!(t.exit_reason, ExitReason::StopGap);
    assert_eq!(t.fills.last().unwrap().price, 97.0);
    assert!(t.r < -1.0, "a gap loses more than the risk: {}", t.r);
    // SHORT mirrors it.
    let s = series(
        &[(100.0, 100.0, 100.0, 100.0), (103.0, 104.0, 102.5, 103.5)],
        calm(),
    );
    let t = simulate(
        &s,
        ENTRY,
        Side::Short,
        &no_kill(),
        &SimParams::default(),
        true,
    )
    .unwrap();
    assert_eq!(t.exit_reason, ExitReason::StopGap);
    assert_eq!(t.fills.last().unwrap().price, 103.0);
}

#[test]
fn partials_take_each_level_once_and_be_plus_moves_the_stop() {
    // A climb: R_net crosses lock_R (1.5), T1 (2), T2 (4) and T3 (6) at successive closes; the
    // kernel's risk unit is entry · P1's stop_dist_pct (1.26 %), so 1 R ≈ 1.26.
    let closes = [101.0, 102.2, 102.8, 103.0, 105.5, 108.0, 108.5, 109.0];
    let mut tail = vec![(100.0, 100.0, 100.0, 100.0)];
    let mut prev = 100.0f64;
    for c in closes {
        tail.push((prev, c, prev.min(c) - 0.01, c));
        prev = c;
    }
    let s = series(&tail, calm());
    let p = SimParams {
        trail: false,
        ..SimParams::default()
    };
    let t = long(&s, &no_kill(), &p);
    let partials: Vec<(HarvestAction, f64, f64)> = t
        .fills
        .iter()
        .filter(|f| f.kind == FillKind::Partial)
        .map(|f| (f.action, f.qty, f.closed))
        .collect();
    assert_eq!(partials.len(), 3, "{partials:?}");
    assert_eq!(partials[0].0, HarvestAction::Partial25);
    assert!((partials[0].1 - 0.25).abs() < 1e-12);
    assert_eq!(partials[1].0, HarvestAction::Partial50);
    assert!((partials[1].1 - 0.25).abs() < 1e-12 && (partials[1].2 - 0.5).abs() < 1e-12);
    assert_eq!(partials[2].0, HarvestAction::Partial75);
    assert!((partials[2].2 - 0.75).abs() < 1e-12);
    // With P1 trailing off, only BE+ moved the stop, once, to entry · 1.002.
    let moves: Vec<_> = t
        .steps
        .iter()
        .filter(|s| s.mover != StopMover::None)
        .collect();
    assert_eq!(moves.len(), 1);
    assert_eq!(moves[0].mover, StopMover::P2BePlus);
    assert!((moves[0].sl_next - 100.2).abs() < 1e-9);
    // The rest closes at the end of the data, marked so.
    assert_eq!(t.exit_reason, ExitReason::EndOfData);
    assert_eq!(t.fills.last().unwrap().kind, FillKind::Horizon);
    assert!((t.fills.last().unwrap().qty - 0.25).abs() < 1e-12);
}

#[test]
fn p1_trails_the_stop_and_max_bars_cuts_the_trade() {
    let mut tail = vec![(100.0, 100.0, 100.0, 100.0)];
    for k in 1..=20 {
        let c = 100.0 + 0.1 * k as f64;
        tail.push((c - 0.1, c + 0.05, c - 0.15, c));
    }
    let s = series(&tail, calm());
    let p = SimParams {
        max_bars: 10,
        ..SimParams::default()
    };
    let t = long(&s, &no_kill(), &p);
    assert_eq!(t.exit_reason, ExitReason::MaxBars);
    assert_eq!(t.exit_index, ENTRY + 10);
    assert!(t.steps.iter().any(|s| s.mover == StopMover::P1Trail));
    assert_eq!(t.trail.exit_reason, ExitReason::MaxBars);
    assert_eq!(t.hold.exit_index, ENTRY + 10);
}

#[test]
fn a_full_close_closes_the_rest_at_the_close() {
    // Regime flip: p_trend under trend_min with chop + mr over 0.5 → K 0.731 ≥ 0.6.
    let flip = MarketState {
        p_trend: 0.1,
        p_mr: 0.3,
        p_chop: 0.6,
        ..calm()
    };
    let s = series(
        &[(100.0, 100.0, 100.0, 100.0), (100.0, 100.4, 99.8, 100.3)],
        flip,
    );
    let t = long(&s, &Theta::default(), &SimParams::default());
    assert_eq!(t.exit_reason, ExitReason::FullClose);
    let f = t.fills.last().unwrap();
    assert_eq!((f.kind, f.price, f.qty), (FillKind::FullClose, 100.3, 1.0));
    assert!(f
        .codes
        .contains(&harvest_kernel::ReasonCode::KillScoreTriggered));
    let step = t.steps.last().unwrap();
    let input = t.input_at(step, Theta::default()).unwrap();
    let p = harvest_kernel::propose(&input).unwrap();
    assert_eq!(p.harvest_action, HarvestAction::FullCloseProposed);
    assert!((input.position.current_price.unwrap() - 100.3).abs() < 1e-9);
}

#[test]
fn bad_requests_are_errors_not_panics() {
    let s = series(&[(100.0, 100.0, 100.0, 100.0)], calm());
    let t = Theta::default();
    let p = SimParams::default();
    assert!(matches!(
        simulate(&s, 10, Side::Long, &t, &p, false),
        Err(SimError::NoState { .. })
    ));
    assert!(matches!(
        simulate(&s, 999, Side::Long, &t, &p, false),
        Err(SimError::NoBar { .. })
    ));
    // What the kernel cannot compute with (a kill_threshold of 2 would only warn).
    let bad = Theta {
        sigma_ref: 0.0,
        ..t
    };
    assert!(matches!(
        simulate(&s, ENTRY, Side::Long, &bad, &p, false),
        Err(SimError::Theta(_))
    ));
    let p0 = SimParams {
        cost_bps: -1.0,
        ..p
    };
    assert!(matches!(
        simulate(&s, ENTRY, Side::Long, &t, &p0, false),
        Err(SimError::Param {
            field: "cost_bps",
            ..
        })
    ));
    // Entering at the last bar: closed at once, marked end of data.
    let last = s.bars.len() - 1;
    let tr = simulate(&s, last, Side::Long, &t, &p, false).unwrap();
    assert_eq!((tr.exit_reason, tr.bars), (ExitReason::EndOfData, 0));
}

/// A random walk of `MIN_CLOSES + extra` bars with real P0 states.
fn walk(seed_moves: &[(f64, f64, f64)]) -> Series {
    let mut bars = Vec::new();
    let mut c = 100.0f64;
    for (i, &(r, up, down)) in seed_moves.iter().enumerate() {
        let o = c * (1.0 + r * 0.3);
        let close = c * (1.0 + r);
        let high = o.max(close) * (1.0 + up);
        let low = o.min(close) * (1.0 - down);
        bars.push(bar(i as i64, o, high, low, close));
        c = close;
    }
    Series::with_states(bars, P0Params::default())
}

fn moves(n: usize) -> impl Strategy<Value = Vec<(f64, f64, f64)>> {
    prop::collection::vec((-0.02f64..0.02, 0.0f64..0.01, 0.0f64..0.01), n)
}

fn check_trade(s: &Series, t: &Trade) -> Result<(), TestCaseError> {
    let side = t.side;
    // Fills within their bar's range.
    for f in &t.fills[1..] {
        let b = s.bars[f.index];
        prop_assert!(
            f.price >= b.low - 1e-9 && f.price <= b.high + 1e-9,
            "fill {} outside [{}, {}]",
            f.price,
            b.low,
            b.high
        );
        prop_assert!(f.closed <= 1.0 + 1e-12);
        prop_assert!(f.qty >= 0.0);
    }
    for b in [&t.hold, &t.trail] {
        let bar = s.bars[b.exit_index];
        prop_assert!(b.exit_price >= bar.low - 1e-9 && b.exit_price <= bar.high + 1e-9);
    }
    // All of it is closed, once.
    let out: f64 = t.fills[1..].iter().map(|f| f.qty).sum();
    prop_assert!((out - 1.0).abs() < 1e-9, "closed {out}");
    // The stop never loosens.
    let mut sl = t.initial_sl;
    for st in &t.steps {
        prop_assert_eq!(st.sl, sl);
        let loosened = match side {
            Side::Long => st.sl_next < st.sl,
            Side::Short => st.sl_next > st.sl,
        };
        prop_assert!(!loosened, "stop {} → {}", st.sl, st.sl_next);
        prop_assert!(st.remaining > 0.0 && st.remaining <= 1.0);
        sl = st.sl_next;
    }
    // R adds up: fills, gross − costs, the total.
    let sum: f64 = t.fills.iter().map(|f| f.r).sum();
    prop_assert!((sum - t.r).abs() < 1e-9, "fills {sum} vs {}", t.r);
    prop_assert!((t.gross_r - t.cost_r - t.r).abs() < 1e-9);
    prop_assert!(t.cost_r > 0.0);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn simulation_invariants(
        m in moves(MIN_CLOSES + 80),
        at in 0usize..60,
        short in any::<bool>(),
        trail in any::<bool>(),
        kill in 0.3f64..0.95,
        lock in 0.5f64..3.0,
    ) {
        let s = walk(&m);
        let side = if short { Side::Short } else { Side::Long };
        let theta = Theta { kill_threshold: kill, lock_r: lock, t1_r: 1.0, t2_r: 2.0, t3_r: 3.0, ..Theta::default() };
        let p = SimParams { trail, max_bars: 60, ..SimParams::default() };
        let entry = MIN_CLOSES - 1 + at;
        let t = simulate(&s, entry, side, &theta, &p, true).unwrap();
        check_trade(&s, &t)?;
        // The backtest's row of the same entry has the same R.
        let (rows, report) = Backtest::new(vec![Entry { index: entry, side }], theta, p)
            .unwrap()
            .run(&s);
        prop_assert_eq!(rows[0].r, t.r);
        prop_assert_eq!(report.theta.total_r, t.r);
    }
}

#[test]
fn backtest_ab_and_sweep_on_a_walk() {
    let m: Vec<(f64, f64, f64)> = (0..MIN_CLOSES + 300)
        .map(|i| {
            let x = ((i * 7919) % 101) as f64 / 101.0 - 0.5;
            (x * 0.02 + 0.0005, 0.002, 0.002)
        })
        .collect();
    let s = walk(&m);
    let entries = every_n(s.bars.len(), 12, Sides::Both, 0);
    let p = SimParams {
        max_bars: 48,
        ..SimParams::default()
    };
    let a = Theta::default();
    let b = Theta {
        kill_threshold: 0.9,
        ..a
    };
    let (ra, rep) = Backtest::new(entries.clone(), a, p).unwrap().run(&s);
    assert_eq!(ra.len(), entries.len());
    assert!(rep.skipped.is_empty());
    assert_eq!(rep.theta.trades, entries.len());
    assert_eq!(rep.theta.histogram.iter().sum::<usize>(), entries.len());
    let (rb, _) = Backtest::new(entries.clone(), b, p).unwrap().run(&s);
    let ab = compare_ab(&ra, &rb);
    assert_eq!(ab.a.total_r, rep.theta.total_r);
    assert!((ab.delta_total_r - (ab.b.total_r - ab.a.total_r)).abs() < 1e-12);
    // A sweep in slices gives the same cells as one run.
    let x = SweepAxis::parse("kill_threshold=0.5:0.9:3").unwrap();
    let y = SweepAxis::parse("T1_R=1:3:2").unwrap();
    let mut sw = ThetaSweep::new(x, y, a, entries.clone(), p).unwrap();
    let mut k = 0;
    while !sw.step(&s, || {
        k += 1;
        k % 5 != 0
    }) {}
    let mut whole = ThetaSweep::new(x, y, a, entries, p).unwrap();
    whole.step(&s, || true);
    assert_eq!(sw.cells, whole.cells);
    assert_eq!(sw.cells.len(), 6);
    let csv = sw.to_csv();
    assert!(csv.starts_with("kill_threshold,"), "{csv}");
    assert_eq!(csv.lines().count(), 7);
    // The cell at the base theta's kill_threshold 0.9 / T1_R 1 is a plain backtest of it.
    let base = a.with(x.field, 0.9).with(y.field, 1.0);
    let (r9, _) = Backtest::new(sw.entries.clone(), base, p).unwrap().run(&s);
    let total: f64 = r9.iter().map(|r| r.r).sum();
    let cell = sw.cells.iter().find(|c| c.x == 0.9 && c.y == 1.0).unwrap();
    assert!((cell.summary.as_ref().unwrap().total_r - total).abs() < 1e-9);
}

#[test]
fn refused_sweep_axes_name_the_part_and_what_is_allowed() {
    use harvest_kernel::ThetaField;
    let cases: [(&str, SweepAxisError, &str); 6] = [
        (
            "kill_threshold",
            SweepAxisError::Shape("kill_threshold".into()),
            "`kill_threshold`: expected key=lo:hi:n, e.g. kill_threshold=0.4:0.8:5",
        ),
        (
            "kill=0.4:0.8:5",
            SweepAxisError::UnknownKey("kill".into()),
            "`kill` is not a theta tunable; allowed: fallback_stop_pct, ",
        ),
        (
            "T1_R=1:3",
            SweepAxisError::Range("1:3".into()),
            "`1:3`: expected lo:hi:n",
        ),
        (
            "T1_R=1:inf:3",
            SweepAxisError::NotANumber("inf".into()),
            "`inf` is not a finite number",
        ),
        (
            "T1_R=1:3:1",
            SweepAxisError::Count("1".into()),
            "`1`: the number of values must be 2 … 64",
        ),
        (
            "T1_R=3:1:5",
            SweepAxisError::Empty {
                field: ThetaField::T1R,
                lo: 3.0,
                hi: 1.0,
            },
            "T1_R: lo 3 must be below hi 1",
        ),
    ];
    for (text, want, message) in cases {
        let got = SweepAxis::parse(text).unwrap_err();
        assert_eq!(got, want, "{text}");
        assert!(got.to_string().starts_with(message), "{text}: {got}");
    }
}

#[test]
fn refused_theta_names_the_tunable() {
    let x = SweepAxis::parse("T1_R=1:3:2").unwrap();
    let e = ThetaSweep::new(x, x, Theta::default(), Vec::new(), SimParams::default()).unwrap_err();
    assert_eq!(e, SimError::SameAxis(harvest_kernel::ThetaField::T1R));
    assert_eq!(
        e.to_string(),
        "theta: the sweep's axes must differ (both are T1_R)"
    );
    let bad = Theta {
        sigma_ref: 0.0,
        ..Theta::default()
    };
    let e = Backtest::new(Vec::new(), bad, SimParams::default()).unwrap_err();
    assert!(
        matches!(&e, SimError::Theta(k) if k.field() == "theta.sigma_ref"),
        "{e:?}"
    );
    assert!(
        e.to_string()
            .starts_with("theta: theta.sigma_ref = 0 is out of range"),
        "{e}"
    );
}

impl SimParams {
    /// These settings with another horizon.
    fn with_max_bars(self, max_bars: usize) -> SimParams {
        SimParams { max_bars, ..self }
    }
}

/// Two walks whose bar times interleave (the second an hour and a half later), as two symbols.
fn two_symbols() -> Vec<(String, Series)> {
    let walk_of = |seed: usize, shift: i64| {
        let m: Vec<(f64, f64, f64)> = (0..MIN_CLOSES + 200)
            .map(|i| {
                let x = (((i + seed) * 7919) % 101) as f64 / 101.0 - 0.5;
                (x * 0.02 + 0.0004, 0.002, 0.003)
            })
            .collect();
        let mut s = walk(&m);
        for b in &mut s.bars {
            b.time += shift;
        }
        s
    };
    vec![
        ("AAA".to_string(), walk_of(0, 0)),
        ("BBB".to_string(), walk_of(37, 5400)),
    ]
}

/// Pooled: every trade of every symbol once, by entry time; its figures are those of the
/// pooled R (the drawdown of one account trading both), per symbol its own backtest's.
#[test]
fn pooled_run_orders_by_entry_time_and_sums_the_symbols() {
    let syms = two_symbols();
    let p = SimParams::default().with_max_bars(48);
    let runs: Vec<SymbolRun> = syms
        .iter()
        .map(|(name, s)| {
            let e = every_n(s.bars.len(), 10, Sides::Both, 0);
            let (rows, report) = Backtest::new(e, Theta::default(), p).unwrap().run(s);
            SymbolRun {
                symbol: name.clone(),
                rows,
                report,
            }
        })
        .collect();
    let run = PooledRun::of(runs.clone());
    let n: usize = runs.iter().map(|r| r.rows.len()).sum();
    assert_eq!(run.rows.len(), n);
    assert!(run
        .rows
        .windows(2)
        .all(|w| w[0].entry_time <= w[1].entry_time));
    // Interleaved: the pooled timeline alternates between the two symbols.
    assert_ne!(run.rows[0].entry_time, run.rows[2].entry_time);
    assert_eq!(run.report.theta.trades, n);
    let total: f64 = runs.iter().map(|r| r.report.theta.total_r).sum();
    assert!((run.report.theta.total_r - total).abs() < 1e-9);
    let rs: Vec<f64> = run.rows.iter().map(|r| r.r).collect();
    assert_eq!(run.report.theta, summarize(&rs));
    let rows = view::symbol_rows(&run);
    assert_eq!(
        rows.iter().map(|r| r.key.as_str()).collect::<Vec<_>>(),
        ["AAA", "BBB", "pooled"]
    );
    assert_eq!(rows[2].theta[0], n.to_string());
}

/// The sweep on several symbols, in slices: each symbol's cells are its own sweep's, the pooled
/// cell is the summary of the symbols' rows pooled, the CSV has a symbol column.
#[test]
fn multi_sweep_in_slices_matches_each_symbols_sweep_and_pools_them() {
    let (syms, p) = (two_symbols(), SimParams::default().with_max_bars(36));
    let x = SweepAxis::parse("kill_threshold=0.5:0.9:3").unwrap();
    let y = SweepAxis::parse("T1_R=1:3:2").unwrap();
    let base = Theta::default();
    let entries: Vec<Vec<Entry>> = syms
        .iter()
        .map(|(_, s)| every_n(s.bars.len(), 15, Sides::Long, 0))
        .collect();
    let mut ms = MultiSweep::new(
        x,
        y,
        base,
        syms.iter()
            .map(|(n, _)| n.clone())
            .zip(entries.iter().cloned())
            .collect(),
        p,
    )
    .unwrap();
    let series: Vec<&Series> = syms.iter().map(|(_, s)| s).collect();
    let total = ms.total() * ms.entries();
    let mut k = 0;
    let mut last = 0;
    while !ms.step(&series, || {
        k += 1;
        k % 7 != 0
    }) {
        assert!(ms.trades_done() >= last && ms.trades_done() <= total);
        last = ms.trades_done();
    }
    assert_eq!(ms.trades_done(), total);
    for (j, (_, s)) in syms.iter().enumerate() {
        let mut one = ThetaSweep::new(x, y, base, entries[j].clone(), p).unwrap();
        one.step(s, || true);
        assert_eq!(ms.per[j].cells, one.cells, "symbol {j}");
    }
    let cell = 4;
    let theta = base
        .with(x.field, x.value(cell % x.n))
        .with(y.field, y.value(cell / x.n));
    let rows: Vec<Vec<TradeRow>> = syms
        .iter()
        .zip(&entries)
        .map(|((_, s), e)| {
            let params = SimParams {
                baselines: false,
                ..p
            };
            Backtest::new(e.clone(), theta, params).unwrap().run(s).0
        })
        .collect();
    let parts: Vec<&[TradeRow]> = rows.iter().map(Vec::as_slice).collect();
    let rs: Vec<f64> = pool_rows(&parts).iter().map(|r| r.r).collect();
    assert_eq!(ms.pooled.cells[cell].summary, Some(summarize(&rs)));
    let csv = ms.to_csv();
    let lines: Vec<&str> = csv.lines().collect();
    assert!(
        lines[0].starts_with("symbol,kill_threshold,T1_R,trades"),
        "{}",
        lines[0]
    );
    assert_eq!(lines.len(), 1 + 3 * 6);
    assert!(lines[1].starts_with("AAA,") && lines[13].starts_with("pooled,"));
}
