//! The chart layer: data built from the kernel (table-driven), and drawings rendered to SVG that
//! must say what they show. `cargo test --test charts -- --ignored gallery` writes every chart to
//! `../../target/chart-gallery/*.svg` for a look.
#![cfg(not(target_arch = "wasm32"))]

use harvest_features::charts::*;
use harvest_kernel::*;
use plotters::prelude::*;

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

fn all_scenario_inputs() -> Vec<(String, HarvestInput)> {
    scenarios()
        .into_iter()
        .flat_map(|s| {
            s.steps
                .into_iter()
                .map(move |st| (format!("{} / {}", s.name, st.label), st.input))
        })
        .collect()
}

fn storm() -> HarvestInput {
    scenarios()[5].steps[0].input.clone()
}

fn short(pnl: f64, sl: Option<f64>) -> HarvestInput {
    let mut i = input(pnl);
    i.position.side = Side::Short;
    i.position.current_sl = sl;
    i
}

fn svg<F>(w: u32, h: u32, f: F) -> String
where
    F: FnOnce(&DrawingArea<SVGBackend, plotters::coord::Shift>),
{
    let mut s = String::new();
    {
        let root = SVGBackend::with_string(&mut s, (w, h)).into_drawing_area();
        f(&root);
        root.present().expect("present");
    }
    s
}

/// The SVG text unescaped enough to search for labels with `<`, `>` and `&`.
fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

// ------------------------------------------------------------------------ kill explainer

#[test]
fn kill_contributions_sum_to_z_for_every_scenario() {
    for (name, i) in all_scenario_inputs() {
        let k = kill_explainer(&i, 64);
        let e = i.evaluate();
        let sum: f64 = k.components.iter().map(|c| c.contribution).sum();
        assert!((sum - k.z).abs() < 1e-12, "{name}: {sum} vs {}", k.z);
        assert_eq!(k.z, e.z, "{name}");
        assert_eq!(k.k, e.kill_score, "{name}");
        assert_eq!(k.killed, e.killed, "{name}");
        for c in &k.components {
            assert_eq!(c.contribution, c.weight * c.raw, "{name}: {}", c.key);
        }
    }
}

#[test]
fn kill_curve_contains_current_and_threshold_points() {
    for (name, i) in all_scenario_inputs() {
        let k = kill_explainer(&i, 50);
        assert!(k.curve.contains(&(k.z, k.k)), "{name}");
        assert!(k.z_range.0 <= k.z && k.z <= k.z_range.1, "{name}");
        assert!(k.z_range.0 <= k.z_threshold && k.z_threshold <= k.z_range.1);
        assert!((sigmoid(k.z_threshold) - k.threshold).abs() < 1e-12);
        assert!(k
            .curve
            .windows(2)
            .all(|w| w[0].0 < w[1].0 && w[0].1 <= w[1].1));
        assert!(k.curve.len() >= 50);
        assert_eq!(k.margin_k, k.threshold - k.k);
        assert_eq!(k.margin_z, k.z_threshold - k.z);
        assert_eq!(k.killed, k.margin_k <= 0.0, "{name}");
    }
}

#[test]
fn kill_headlines_match_spec_figures() {
    let s = scenarios();
    let table = [
        (&s[1].steps[0].input, "K 0.503 < 0.6: margin 0.097"),
        (&s[1].steps[1].input, "K 0.734 ≥ 0.6: over by 0.134"),
        (&s[4].steps[1].input, "K 0.574 < 0.6: margin 0.026"),
        (&s[5].steps[0].input, "K 0.917 ≥ 0.5: over by 0.417"),
    ];
    for (i, want) in table {
        assert_eq!(kill_explainer(i, 10).headline(), want);
    }
}

// ------------------------------------------------------------------------ R ladder

#[test]
fn r_ladder_range_always_includes_r_net_and_thresholds() {
    for pnl in [-500.0, -20.0, 0.0, 1.0, 5.0, 9.0, 14.0, 100.0, 1e6] {
        let l = r_ladder(&input(pnl));
        let e = input(pnl).evaluate();
        assert_eq!(l.r_net, e.r_net);
        assert_eq!(l.harvest, e.harvest);
        assert!(l.range.0 < l.r_net && l.r_net < l.range.1, "pnl {pnl}");
        for t in l.triggers.into_iter().chain([l.lock_r, 0.0]) {
            assert!(l.range.0 < t && t < l.range.1, "pnl {pnl}: {t}");
        }
        // Bands tile the range in cascade order.
        assert_eq!(l.bands.first().unwrap().lo, l.range.0);
        assert_eq!(l.bands.last().unwrap().hi, l.range.1);
        assert!(l.bands.windows(2).all(|w| w[0].hi == w[1].lo));
        let band = l
            .bands
            .iter()
            .find(|b| b.lo <= l.r_net && l.r_net < b.hi)
            .unwrap();
        assert_eq!(band.action, l.harvest, "pnl {pnl}");
    }
}

#[test]
fn r_ladder_headline_and_next_tranche() {
    let table = [
        (
            1.0,
            "R_net 0.45 → NONE",
            Some((HarvestAction::Partial25, 1.55)),
        ),
        (
            5.0,
            "R_net 2.45 → PARTIAL_25",
            Some((HarvestAction::Partial50, 1.55)),
        ),
        (14.0, "R_net 6.95 → PARTIAL_75", None),
    ];
    for (pnl, head, next) in table {
        let l = r_ladder(&input(pnl));
        assert_eq!(l.headline(), head);
        match (l.next, next) {
            (Some((a, d)), Some((wa, wd))) => {
                assert_eq!(a, wa);
                assert!((d - wd).abs() < 1e-9);
            }
            (None, None) => {}
            other => panic!("pnl {pnl}: {other:?}"),
        }
    }
    assert_eq!(
        r_ladder(&storm()).headline(),
        "R_net 0.95 → NONE (K: FULL_CLOSE_PROPOSED)"
    );
}

#[test]
fn r_ladder_drawing_says_how_far_the_next_tranche_is() {
    let theme = ChartTheme::light();
    let table = [
        // (4.1 − 0.1) / 2 = 1.9999999999999998: just below T1_R = 2, not "in 0 R".
        (4.1, "R_net 2 → NONE · 25 % in < 0.01 R"),
        (1.0, "R_net 0.45 → NONE · 25 % in 1.55 R"),
        (5.0, "R_net 2.45 → PARTIAL_25 · 50 % in 1.55 R"),
    ];
    for (pnl, head) in table {
        let l = r_ladder(&input(pnl));
        let s = unescape(&svg(480, 160, |a| draw_r_ladder(a, &l, &theme).unwrap()));
        assert!(s.contains(head), "pnl {pnl}: no {head:?} in {s}");
    }
}

// ------------------------------------------------------------------------ stop ladder

#[test]
fn stop_ladder_arrow_tightens_up_for_long_down_for_short() {
    // (input, expected arrow (from, to))
    type Row = (&'static str, HarvestInput, Option<(f64, f64)>);
    let table: Vec<Row> = vec![
        ("long R 2.45", input(5.0), Some((99.0, 100.0 * 1.002))),
        (
            "long R 1.95 (spec 7)",
            input(4.0),
            Some((99.0, 100.0 * 1.002)),
        ),
        ("long below lock_R", input(1.0), None),
        (
            "short spec 7",
            short(4.0, Some(101.0)),
            Some((101.0, 100.0 * 0.998)),
        ),
        ("short below lock_R", short(1.0, Some(101.0)), None),
        ("short stop already tighter", short(9.0, Some(99.0)), None),
        (
            "long no current SL",
            {
                let mut i = input(5.0);
                i.position.current_sl = None;
                i
            },
            None,
        ),
    ];
    for (name, i, want) in table {
        let s = stop_ladder(&i);
        let e = i.evaluate();
        assert_eq!(s.proposed_sl, e.new_sl, "{name}");
        assert_eq!(s.be_plus, e.be_level, "{name}");
        assert_eq!(s.mark, i.position.implied_price(), "{name}");
        match (s.arrow, want) {
            (Some(a), Some((from, to))) => {
                assert_eq!((a.from, a.to), (from, to), "{name}");
                assert_eq!(a.rises(), i.position.side == Side::Long, "{name}");
            }
            (None, None) => {}
            other => panic!("{name}: {other:?}"),
        }
        for l in &s.levels {
            assert!(s.range.0 < l.price && l.price < s.range.1, "{name}: {l:?}");
        }
        assert!(s.levels.windows(2).all(|w| w[0].price <= w[1].price));
    }
    // No current SL but a proposal: the level is there, no arrow.
    let mut i = input(5.0);
    i.position.current_sl = None;
    let s = stop_ladder(&i);
    assert!(s.levels.iter().any(|l| l.kind == LevelKind::ProposedSl));
    assert_eq!(s.headline(), "LONG · new SL 100.2");
}

#[test]
fn stop_ladder_headlines() {
    assert_eq!(stop_ladder(&input(5.0)).headline(), "LONG · SL 99 → 100.2");
    assert_eq!(
        stop_ladder(&short(4.0, Some(101.0))).headline(),
        "SHORT · SL 101 → 99.8"
    );
    assert_eq!(
        stop_ladder(&input(1.0)).headline(),
        "LONG · SL stays 99 (BE+ 100.2 at R_net ≥ 1.5)"
    );
}

// ------------------------------------------------------------------------ sensitivity

#[test]
fn sensitivity_points_are_the_kernel_at_each_x() {
    let base = storm();
    for axis in Axis::INPUTS.into_iter().chain([
        Axis::Theta(ThetaField::KillThreshold),
        Axis::Theta(ThetaField::CostBps),
    ]) {
        let c = sensitivity_curve(&base, axis, 40);
        assert!(c.points.len() >= 40, "{axis:?}");
        assert!(c.points.windows(2).all(|w| w[0].x < w[1].x), "{axis:?}");
        assert!(c.points.contains(&c.current), "{axis:?}");
        assert_eq!(c.current.x, axis.get(&base));
        assert_eq!((c.domain.0, c.domain.1), axis.domain(&base));
        for p in c.points.iter().step_by(7) {
            let mut probe = base.clone();
            axis.set(&mut probe, p.x);
            let e = probe.evaluate();
            assert_eq!(
                (p.k, p.r_net, p.action),
                (e.kill_score, e.r_net, e.action),
                "{axis:?} at {}",
                p.x
            );
        }
    }
}

#[test]
fn sensitivity_k_is_monotone_where_the_rules_say_so() {
    // (axis, +1 non-decreasing / −1 non-increasing) over K.
    let table = [
        (Axis::Sigma, 1.0),
        (Axis::AgeSec, 1.0),
        (Axis::Ts, -1.0),
        (Axis::PTrend, -1.0),
    ];
    for (name, i) in all_scenario_inputs() {
        for (axis, dir) in table {
            let c = sensitivity_curve(&i, axis, 120);
            assert!(
                c.points.windows(2).all(|w| dir * (w[1].k - w[0].k) >= 0.0),
                "{name}: K along {axis:?}"
            );
        }
        let pnl = sensitivity_curve(&i, Axis::Pnl, 120);
        assert!(pnl.r_varies && !pnl.k_varies, "{name}");
        assert!(pnl.points.windows(2).all(|w| w[1].r_net > w[0].r_net));
    }
}

#[test]
fn sensitivity_covers_the_five_inputs_and_finds_flips() {
    let s = sensitivity(&input(3.0), 100);
    let axes: Vec<Axis> = s.curves.iter().map(|c| c.axis).collect();
    assert_eq!(axes, Axis::INPUTS.to_vec());
    let sigma = &s.curves[2];
    let changes = sigma.action_changes();
    assert_eq!(changes.len(), 1);
    let (x, from, to) = changes[0];
    assert_eq!(
        (from, to),
        (HarvestAction::None, HarvestAction::FullCloseProposed)
    );
    // The kernel's own flip is within one sample of the chart's.
    let flip = flip_along(&input(3.0), Axis::Sigma, Direction::Up).unwrap();
    let step = (sigma.domain.1 - sigma.domain.0) / 99.0;
    assert!((x - flip.value).abs() <= step, "{x} vs {}", flip.value);
}

// ------------------------------------------------------------------------ action map

#[test]
fn action_map_cells_agree_with_the_kernel() {
    let pairs = [
        (Axis::Sigma, Axis::AgeSec),
        (Axis::Pnl, Axis::Sigma),
        (Axis::PTrend, Axis::Ts),
        (Axis::Ts, Axis::PTrend),
        (Axis::Pnl, Axis::Theta(ThetaField::KillThreshold)),
        (Axis::Theta(ThetaField::T1R), Axis::Pnl),
    ];
    for base in [input(3.0), storm(), short(9.0, Some(101.0))] {
        for (x, y) in pairs {
            let spec = ActionMapSpec::around(&base, x, y, 37, 23);
            let map = action_map(&base, spec);
            assert_eq!(map.cells.len(), 37 * 23);
            assert_eq!(map.counts.iter().sum::<usize>(), 37 * 23);
            assert_eq!(map.current, (x.get(&base), y.get(&base)));
            assert_eq!(map.current_action, base.evaluate().action);
            for (i, j) in [(0, 0), (36, 22), (5, 17), (18, 11), (36, 0), (0, 22)] {
                let mut probe = base.clone();
                y.set(&mut probe, spec.y_at(j));
                x.set(&mut probe, spec.x_at(i));
                let e = probe.evaluate();
                let c = map.cell(i, j).unwrap();
                assert_eq!(
                    (c.action, c.r_net, c.k),
                    (e.action, e.r_net, e.kill_score),
                    "{x:?}×{y:?} ({i},{j})"
                );
            }
            assert!(map.cell(37, 0).is_none() && map.cell(0, 23).is_none());
        }
    }
}

#[test]
fn kill_contour_lies_where_k_crosses_the_threshold() {
    // σ × age: K is continuous there, so the contour must sit on K = threshold.
    let mut weak_trend = input(3.0);
    weak_trend.market_state.ts = 0.1;
    for (name, base) in [("baseline", input(3.0)), ("weak trend", weak_trend)] {
        let spec = ActionMapSpec::around(&base, Axis::Sigma, Axis::AgeSec, 100, 100);
        let map = action_map(&base, spec);
        assert!(!map.contour.is_empty(), "{name}");
        let dx = (spec.x_range.1 - spec.x_range.0) / 100.0;
        for seg in &map.contour {
            for (x, y) in [seg.a, seg.b] {
                let mut probe = base.clone();
                Axis::AgeSec.set(&mut probe, y);
                Axis::Sigma.set(&mut probe, x);
                let k = probe.evaluate().kill_score;
                assert!(
                    (k - map.threshold).abs() < 5e-3,
                    "{name}: K({x}, {y}) = {k}"
                );
                // And K does cross there: one cell left is below, one cell right above.
                let mut lo = probe.clone();
                Axis::Sigma.set(&mut lo, x - dx);
                let mut hi = probe.clone();
                Axis::Sigma.set(&mut hi, x + dx);
                let (klo, khi) = (lo.evaluate().kill_score, hi.evaluate().kill_score);
                if (khi - klo).abs() > 1e-12 {
                    assert!(
                        klo <= map.threshold + 1e-9 && khi >= map.threshold - 1e-9,
                        "{name}"
                    );
                }
            }
        }
        // Cells on either side of the contour have the other verdict.
        let killed = map.cells.iter().filter(|c| c.k >= map.threshold).count();
        assert!(killed > 0 && killed < map.cells.len(), "{name}");
    }
    // No crossing → no contour.
    let spec = ActionMapSpec::around(&input(3.0), Axis::Pnl, Axis::Theta(ThetaField::T1R), 30, 30);
    assert!(action_map(&input(3.0), spec).contour.is_empty());
}

#[test]
fn contour_handles_saddles_and_bad_sizes() {
    let spec = ActionMapSpec {
        x: Axis::Sigma,
        y: Axis::Ts,
        x_range: (0.0, 2.0),
        y_range: (0.0, 2.0),
        nx: 2,
        ny: 2,
    };
    let cell = |k| MapCell {
        k,
        ..MapCell::default()
    };
    // Diagonal saddle: bottom-left and top-right high.
    let saddle = [cell(0.9), cell(0.1), cell(0.1), cell(0.9)];
    let low_centre = kill_contour(&spec, &saddle, 0.6);
    assert_eq!(low_centre.len(), 2);
    let high_centre = kill_contour(&spec, &saddle, 0.4);
    assert_eq!(high_centre.len(), 2);
    assert_ne!(low_centre, high_centre);
    assert!(kill_contour(&spec, &saddle[..3], 0.6).is_empty());
    assert!(kill_contour(&spec, &saddle, f64::NAN).is_empty());
}

#[test]
fn pixel_buffer_is_one_rgba_pixel_per_cell_top_row_first() {
    let base = input(3.0);
    for (nx, ny) in [(2, 2), (100, 100), (37, 5), (1, 1)] {
        let map = action_map(
            &base,
            ActionMapSpec::around(&base, Axis::Sigma, Axis::AgeSec, nx, ny),
        );
        let (nx, ny) = (map.spec.nx, map.spec.ny);
        for theme in [ChartTheme::light(), ChartTheme::dark()] {
            let px = action_map_rgba(&map, &theme.actions);
            assert_eq!(px.len(), 4 * nx * ny);
            // Pixel (col, row-from-top) = cell (col, ny − 1 − row).
            for (col, row) in [(0, 0), (nx - 1, 0), (0, ny - 1), (nx / 2, ny / 3)] {
                let o = 4 * (row * nx + col);
                let want = theme
                    .action_color(map.cell(col, ny - 1 - row).unwrap().action)
                    .rgba();
                assert_eq!(&px[o..o + 4], &want);
            }
        }
    }
    assert_eq!(MAX_GRID, 1024);
    let huge = ActionMapSpec::around(&base, Axis::Sigma, Axis::Ts, 100_000, 0).sanitized(&base);
    assert_eq!((huge.nx, huge.ny), (1024, 2));
}

#[test]
fn action_map_into_reuses_buffers_and_matches() {
    let base = input(3.0);
    let spec = ActionMapSpec::around(&base, Axis::Sigma, Axis::AgeSec, 60, 40);
    let mut map = ActionMap::empty();
    action_map_into(&base, spec, &mut map);
    let cap = map.cells.capacity();
    let mut moved = base.clone();
    moved.market_state.ts = 0.1;
    action_map_into(&moved, spec, &mut map);
    assert_eq!(map.cells.capacity(), cap);
    assert_eq!(map, action_map(&moved, spec));
    let mut buf = Vec::new();
    fill_action_map_rgba(&map, &ChartTheme::light().actions, &mut buf);
    assert_eq!(buf, action_map_rgba(&map, &ChartTheme::light().actions));
}

#[test]
fn action_map_ranges_are_sanitized() {
    let base = input(3.0);
    let spec = ActionMapSpec {
        x: Axis::Sigma,
        y: Axis::AgeSec,
        x_range: (f64::NAN, 1.0),
        y_range: (5.0, 5.0),
        nx: 10,
        ny: 10,
    };
    let map = action_map(&base, spec);
    assert_eq!(map.spec.x_range, Axis::Sigma.domain(&base));
    assert!(map.spec.y_range.0 < 5.0 && map.spec.y_range.1 > 5.0);
    let rev = ActionMapSpec {
        x_range: (1.0, 0.0),
        ..spec
    };
    assert_eq!(action_map(&base, rev).spec.x_range, (0.0, 1.0));
}

// ------------------------------------------------------------------------ theme and helpers

#[test]
fn palettes_distinguish_every_action_in_both_themes() {
    for t in [ChartTheme::light(), ChartTheme::dark()] {
        for (i, a) in t.actions.iter().enumerate() {
            for b in &t.actions[i + 1..] {
                assert_ne!(a, b, "{}", t.name);
            }
        }
        assert_ne!(t.background, t.foreground);
        for a in HarvestAction::ALL {
            assert_eq!(t.action_color(a), t.actions[action_index(a)]);
        }
    }
    assert_ne!(ChartTheme::light().actions, ChartTheme::dark().actions);
    assert!(ChartTheme::for_dark(true).is_dark && !ChartTheme::for_dark(false).is_dark);
    // Partials get stronger: further from the background, in both themes.
    for t in [ChartTheme::light(), ChartTheme::dark()] {
        let dist = |c: Rgb| {
            let d = |a: u8, b: u8| (f64::from(a) - f64::from(b)).powi(2);
            d(c.0, t.background.0) + d(c.1, t.background.1) + d(c.2, t.background.2)
        };
        assert!(
            dist(t.actions[1]) < dist(t.actions[2]) && dist(t.actions[2]) < dist(t.actions[3]),
            "{}",
            t.name
        );
    }
}

#[test]
fn spread_intervals_never_overlaps() {
    let table: [(&[f64], f64, f64, f64); 4] = [
        (&[10.0, 11.0, 12.0, 13.0], 6.0, 0.0, 200.0),
        (&[0.0, 0.0, 0.0], 5.0, 0.0, 100.0),
        (&[95.0, 99.0, 100.0], 5.0, 0.0, 100.0),
        (&[50.0, f64::NAN, 20.0], 5.0, 0.0, 100.0),
    ];
    for (centres, half, lo, hi) in table {
        let halves = vec![half; centres.len()];
        let out = spread_intervals(centres, &halves, 1.0, lo, hi);
        let mut sorted = out.clone();
        sorted.sort_by(f64::total_cmp);
        assert!(
            sorted
                .windows(2)
                .all(|w| w[1] - w[0] >= 2.0 * half + 1.0 - 1e-9),
            "{out:?}"
        );
        assert!(
            sorted
                .iter()
                .all(|&c| c - half >= lo - 1e-9 && c + half <= hi + 1e-9),
            "{out:?}"
        );
    }
}

// ------------------------------------------------------------------------ drawings

#[test]
fn drawings_say_what_they_show() {
    let theme = ChartTheme::light();
    let base = input(5.0);
    let s = scenarios();
    let flip = &s[1].steps[1].input;
    let map_in = input(3.0);
    let map = action_map(
        &map_in,
        ActionMapSpec::around(&map_in, Axis::Sigma, Axis::AgeSec, 30, 20),
    );
    let cases: Vec<(&str, String, Vec<&str>)> = vec![
        (
            "kill explainer",
            svg(480, 220, |a| {
                draw_kill_explainer(a, &kill_explainer(&base, 96), &theme).unwrap()
            }),
            vec![
                "K 0.503 < 0.6: margin 0.097",
                "K 0.503",
                "z* 0.405",
                "K ≥ 0.6 → FULL CLOSE",
                "age 0.0417 × 0.3 = 0.0125",
                "z = 0.0125, the sum of:",
                "kill logit",
            ],
        ),
        (
            "kill explainer, regime flip",
            svg(360, 220, |a| {
                draw_kill_explainer(a, &kill_explainer(flip, 96), &theme).unwrap()
            }),
            vec!["K 0.734 ≥ 0.6: over by 0.134", "z = 1.01", "regime flip 1"],
        ),
        (
            "R ladder",
            svg(480, 150, |a| {
                draw_r_ladder(a, &r_ladder(&base), &theme).unwrap()
            }),
            vec![
                "R_net 2.45 → PARTIAL_25 · 50 % in 1.55 R",
                "R_net 2.45",
                "T1 2",
                "T2 4",
                "T3 6",
                "lock 1.5",
                "25 %",
                "R_net (multiples of the risk unit R)",
            ],
        ),
        (
            "stop ladder",
            svg(420, 220, |a| {
                draw_stop_ladder(a, &stop_ladder(&base), &theme).unwrap()
            }),
            vec![
                "LONG · SL 99 → 100.2",
                "99 → 100.2",
                "new SL = BE+ 100.2",
                "SL 99",
                "entry 100",
                "mark 105",
                "price (quote)",
            ],
        ),
        (
            "stop ladder short",
            svg(420, 220, |a| {
                draw_stop_ladder(a, &stop_ladder(&short(4.0, Some(101.0))), &theme).unwrap()
            }),
            vec!["SHORT · SL 101 → 99.8", "101 → 99.8", "mark 96"],
        ),
        (
            "sensitivity",
            svg(600, 510, |a| {
                draw_sensitivity(a, &sensitivity(&base, 80), &theme).unwrap()
            }),
            vec![
                "PnL 5 → R_net 2.45 (PARTIAL_25)",
                "σ 0.01 → K 0.503 (PARTIAL_25)",
                "age 1 h → K 0.503",
                "p_trend 0.6 → K 0.503",
                "TS 0.4 → K 0.503",
                "threshold 0.6",
                "T1 2",
                "lock 1.5",
                "σ (volatility)",
                "age (s)",
                "PnL (quote)",
                "FULL_CLOSE_PROPOSED",
            ],
        ),
        (
            "action map",
            svg(420, 320, |a| {
                let r = draw_action_map(a, &map, &theme, MapLayer::Full).unwrap();
                assert_eq!(r, action_map_plot_rect(420, 320));
            }),
            vec![
                "K = 0.6",
                "now: NONE",
                "σ (volatility)",
                "age (s)",
                "FULL",
                "25 %",
            ],
        ),
    ];
    for (name, out, wants) in cases {
        let text = unescape(&out);
        for w in wants {
            assert!(text.contains(w), "{name}: missing {w:?}");
        }
        assert!(
            text.contains(&theme.background.css())
                || text.contains("rgb(255,255,255)")
                || text.contains("#FFFFFF"),
            "{name}: background"
        );
    }
}

#[test]
fn dark_theme_draws_in_dark_colours() {
    let theme = ChartTheme::dark();
    let out = svg(480, 220, |a| {
        draw_kill_explainer(a, &kill_explainer(&input(3.0), 64), &theme).unwrap()
    });
    let Rgb(r, g, b) = theme.background;
    assert!(
        out.to_uppercase()
            .contains(&format!("#{r:02X}{g:02X}{b:02X}")),
        "background"
    );
}

#[test]
fn overlay_layer_skips_cells_and_background() {
    let base = input(3.0);
    let map = action_map(
        &base,
        ActionMapSpec::around(&base, Axis::Sigma, Axis::AgeSec, 20, 20),
    );
    let theme = ChartTheme::light();
    let full = svg(400, 300, |a| {
        draw_action_map(a, &map, &theme, MapLayer::Full).unwrap();
    });
    let over = svg(400, 300, |a| {
        assert_eq!(
            draw_action_map(a, &map, &theme, MapLayer::Overlay).unwrap(),
            action_map_plot_rect(400, 300)
        );
    });
    assert!(over.matches("<rect").count() < full.matches("<rect").count());
    assert!(unescape(&over).contains("K = 0.6"));
}

#[test]
fn drawing_never_panics_on_extreme_inputs() {
    let theme = ChartTheme::dark();
    let mut bad = Vec::new();
    for v in [
        f64::NAN,
        f64::INFINITY,
        -f64::INFINITY,
        1e300,
        -1e300,
        f64::MAX,
        -f64::MAX,
        f64::MIN_POSITIVE,
        0.0,
    ] {
        let mut i = input(v);
        i.market_state.sigma = v;
        bad.push(i.clone());
        let mut j = input(3.0);
        j.position.entry_price = v;
        j.position.current_sl = Some(v);
        bad.push(j);
        let mut k = input(3.0);
        k.theta = Some(Theta::default().with(ThetaField::KillThreshold, v));
        k.position.age_sec = v;
        bad.push(k);
        let mut m = input(-v);
        m.position.current_sl = Some(-v);
        m.position.qty = v;
        m.theta = Some(
            Theta::default()
                .with(ThetaField::KSigmaSpike, v)
                .with(ThetaField::T2R, -v)
                .with(ThetaField::LockR, v),
        );
        bad.push(m);
    }
    for i in &bad {
        for (w, h) in [(360, 220), (600, 220), (40, 30)] {
            svg(w, h, |a| {
                let _ = draw_kill_explainer(a, &kill_explainer(i, 32), &theme);
                let _ = draw_r_ladder(a, &r_ladder(i), &theme);
                let _ = draw_stop_ladder(a, &stop_ladder(i), &theme);
                let _ = draw_sensitivity(a, &sensitivity(i, 16), &theme);
                let map = action_map(i, ActionMapSpec::around(i, Axis::Pnl, Axis::Sigma, 8, 8));
                let _ = draw_action_map(a, &map, &theme, MapLayer::Full);
                assert_eq!(action_map_rgba(&map, &theme.actions).len(), 4 * 64);
            });
        }
    }
}

/// Writes every chart as SVG to `../../target/chart-gallery/` (run with `--ignored`).
#[test]
#[ignore]
fn gallery() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/chart-gallery");
    std::fs::create_dir_all(&dir).unwrap();
    let s = scenarios();
    let inputs: Vec<(&str, HarvestInput)> = vec![
        ("base", input(5.0)),
        ("flip", s[1].steps[1].input.clone()),
        ("storm", storm()),
        ("short", short(4.0, Some(101.0))),
        ("loss", input(-3.0)),
    ];
    for theme in [ChartTheme::light(), ChartTheme::dark()] {
        for (name, i) in &inputs {
            let put =
                |chart: &str,
                 w: u32,
                 h: u32,
                 f: &dyn Fn(&DrawingArea<SVGBackend, plotters::coord::Shift>)| {
                    let out = svg(w, h, f);
                    std::fs::write(dir.join(format!("{chart}-{name}-{}.svg", theme.name)), out)
                        .unwrap();
                };
            put("kill", 480, 220, &|a| {
                draw_kill_explainer(a, &kill_explainer(i, 96), &theme).unwrap()
            });
            put("kill360", 360, 220, &|a| {
                draw_kill_explainer(a, &kill_explainer(i, 96), &theme).unwrap()
            });
            put("rladder", 480, 150, &|a| {
                draw_r_ladder(a, &r_ladder(i), &theme).unwrap()
            });
            put("stop", 420, 220, &|a| {
                draw_stop_ladder(a, &stop_ladder(i), &theme).unwrap()
            });
            put("sens", 600, 510, &|a| {
                draw_sensitivity(a, &sensitivity(i, 120), &theme).unwrap()
            });
            put("map", 420, 320, &|a| {
                let spec = ActionMapSpec::around(i, Axis::Sigma, Axis::AgeSec, 100, 100);
                draw_action_map(a, &action_map(i, spec), &theme, MapLayer::Full).unwrap();
            });
            put("map2", 420, 320, &|a| {
                let spec = ActionMapSpec::around(i, Axis::Pnl, Axis::PTrend, 100, 100);
                draw_action_map(a, &action_map(i, spec), &theme, MapLayer::Full).unwrap();
            });
        }
    }
}
